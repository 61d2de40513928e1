package raptor

import (
	"fmt"
	"math"
	"slices"

	"reach/graph"
)

// Egress is a stop-major table of the walks from stops to targets (schools,
// H3 cells): the targets reachable on foot from stop s are
// Target[Start[s]:Start[s+1]], Metres away, sorted by distance for each
// stop. A search reaches a target through the stop where a vehicle leaves
// the journey (never after a footpath: walks are not chained).
type Egress struct {
	Start      []int32 // len NumStops+1
	Target     []int32
	Metres     []float32
	NumTargets int
}

// Validate checks the table against a number of stops.
func (e *Egress) Validate(numStops int) error {
	if len(e.Start) != numStops+1 || e.Start[0] != 0 || int(e.Start[numStops]) != len(e.Target) || len(e.Metres) != len(e.Target) {
		return fmt.Errorf("egress table of %d stops and %d entries does not fit %d stops", len(e.Start)-1, len(e.Target), numStops)
	}
	for s := 0; s < numStops; s++ {
		if e.Start[s+1] < e.Start[s] {
			return fmt.Errorf("egress offsets decrease at stop %d", s)
		}
		for j := e.Start[s]; j < e.Start[s+1]; j++ {
			if t := e.Target[j]; t < 0 || int(t) >= e.NumTargets || !(e.Metres[j] >= 0) || (j > e.Start[s] && e.Metres[j] < e.Metres[j-1]) {
				return fmt.Errorf("egress entry %d of stop %d out of range or out of order", j, s)
			}
		}
	}
	return nil
}

// TargetQuery asks a range search to answer for the targets of an egress
// table, as it runs: for every target, the latest departure reaching it by
// the deadline and, optionally, the journey behind that answer.
type TargetQuery struct {
	Egress    *Egress // validated by the caller once (see Egress.Validate)
	WalkSpeed float64 // m/s, for the egress walks
	MaxWalk   float64 // longest egress walk, metres
	Journeys  bool    // keep the journey of each target's answer (see RangeResult.Journey)
	Times     bool    // keep each target's arrival at every departure (for TargetTimes' Min, Median, Percentile)
}

func (q *TargetQuery) check(numStops int) error {
	if q.Egress == nil || len(q.Egress.Start) != numStops+1 {
		return fmt.Errorf("egress table missing or not of %d stops", numStops)
	}
	if !(q.WalkSpeed > 0) || !(q.MaxWalk >= 0) {
		return fmt.Errorf("walking speed %v m/s, max walk %v m", q.WalkSpeed, q.MaxWalk)
	}
	return nil
}

// WalkSeconds converts a walk in metres to whole seconds at speed m/s,
// rounding up.
func WalkSeconds(metres, speed float64) int32 { return int32(math.Ceil(metres / speed)) }

// targetState is what a range search knows of the targets of one set.
type targetState struct {
	q       TargetQuery
	arr     []int32         // per target: earliest arrival so far (Unreachable when untouched)
	trips   []int32         // trips of that arrival
	stop    []graph.StopIdx // egress stop of that arrival
	found   []int32         // per target: 1 + index in answers, 0 when not reached by the deadline
	slot    []int32         // per target: 1 + index in touched, 0 when untouched
	touched []int32         // targets with an arrival
	moved   []int32         // targets whose arrival changed at the current departure
	isMoved []bool

	answers  []answer
	journeys []journeyRec
	legs     []Leg

	// Arrival log (with Times): per target, its arrivals in processing order.
	logT, logProc, logArr []int32
	grouped               bool
	start, byTarget, at   []int32
}

// answer is a target's arrive-by answer: at searched departure proc, its
// earliest arrival, trips and egress stop; its journey when kept.
type answer struct {
	proc, arr, trips int32
	stop             graph.StopIdx
	journey          int32
}

// journeyRec is a kept journey, its legs in the set's leg arena.
type journeyRec struct {
	legStart, legEnd int32
	j                Journey
}

// prepare sizes the state for a query; the arrays were reset by reset.
func (ts *targetState) prepare(q TargetQuery) {
	ts.q = q
	n := q.Egress.NumTargets
	if len(ts.arr) < n {
		ts.arr, ts.trips, ts.stop = grow(ts.arr, n, Unreachable), grow(ts.trips, n, 0), grow(ts.stop, n, -1)
		ts.found, ts.slot = grow(ts.found, n, 0), grow(ts.slot, n, 0)
		ts.isMoved = append(ts.isMoved, make([]bool, n-len(ts.isMoved))...)
	}
}

// reset forgets the previous search.
func (ts *targetState) reset() {
	for _, t := range ts.touched {
		ts.arr[t], ts.found[t], ts.slot[t] = Unreachable, 0, 0
	}
	ts.touched, ts.moved = ts.touched[:0], ts.moved[:0]
	ts.answers, ts.journeys, ts.legs = ts.answers[:0], ts.journeys[:0], ts.legs[:0]
	ts.logT, ts.logProc, ts.logArr = ts.logT[:0], ts.logProc[:0], ts.logArr[:0]
	ts.grouped = false
}

// offer walks from stop s, reached by a vehicle at a with k trips, to the
// targets of its egress.
func (ts *targetState) offer(s graph.StopIdx, a, k int32) {
	e := ts.q.Egress
	for j := e.Start[s]; j < e.Start[s+1]; j++ {
		m := float64(e.Metres[j])
		if m > ts.q.MaxWalk {
			break // sorted by distance
		}
		t := e.Target[j]
		at := a + WalkSeconds(m, ts.q.WalkSpeed)
		if at > ts.arr[t] || (at == ts.arr[t] && k >= ts.trips[t]) {
			continue
		}
		if ts.slot[t] == 0 {
			ts.touched = append(ts.touched, t)
			ts.slot[t] = int32(len(ts.touched))
		}
		ts.arr[t], ts.trips[t], ts.stop[t] = at, k, s
		if !ts.isMoved[t] {
			ts.isMoved[t] = true
			ts.moved = append(ts.moved, t)
		}
	}
}

// settle ends searched departure i for the targets: those now reached by
// the deadline for the first time get their answer (and journey).
func (ts *targetState) settle(sc *scratch, p *params, i int32) {
	for _, t := range ts.moved {
		ts.isMoved[t] = false
		if ts.q.Times {
			ts.logT = append(ts.logT, t)
			ts.logProc = append(ts.logProc, i)
			ts.logArr = append(ts.logArr, ts.arr[t])
		}
		if ts.found[t] != 0 || ts.arr[t] > sc.rng.deadline {
			continue
		}
		a := answer{proc: i, arr: ts.arr[t], trips: ts.trips[t], stop: ts.stop[t], journey: -1}
		if ts.q.Journeys {
			j := Journey{Stop: a.stop, Egress: a.arr - sc.vbest[a.stop], Arrival: a.arr, Trips: int(a.trips)}
			legs, err := sc.reconstruct(p, &j, sc.rng.legBuf[:0], true)
			sc.rng.legBuf = legs[:0]
			if err == nil {
				ts.journeys = append(ts.journeys, journeyRec{legStart: int32(len(ts.legs)), j: j})
				ts.legs = append(ts.legs, legs...)
				ts.journeys[len(ts.journeys)-1].legEnd = int32(len(ts.legs))
				a.journey = int32(len(ts.journeys) - 1)
			}
		}
		ts.answers = append(ts.answers, a)
		ts.found[t] = int32(len(ts.answers))
	}
	ts.moved = ts.moved[:0]
}

// group sorts the arrival log by target, keeping the processing order.
func (ts *targetState) group() {
	if ts.grouped {
		return
	}
	ts.grouped = true
	ts.start, ts.byTarget, ts.at = groupBySlot(ts.logT, ts.slot, len(ts.touched), ts.start, ts.byTarget, ts.at)
}

// TargetTimes is what a range search says about one target.
type TargetTimes struct {
	// Found reports whether some departure of the window reaches the
	// target by the deadline; the fields below up to Walk describe the
	// one that leaves latest, with its earliest arrival.
	Found     bool
	Minute    int           // index of the departure in the window
	Departure int32         // departure from the origin
	Arrival   int32         // arrival at the target, egress walk included
	Duration  int32         // Arrival − Departure
	Trips     int           // vehicle trips, 0 when walking
	Walk      bool          // the journey walks directly to the target
	Stop      graph.StopIdx // stop where the journey leaves transit, -1 when walking

	// Door-to-door travel times over the window's departures, in seconds;
	// a departure with no journey counts as Unreachable (+∞), so these
	// are Unreachable when too few departures reach the target. They are
	// computed only when the target set kept Times.
	Min        int32
	Median     int32
	Percentile int32 // at the percentile asked for
}

// Reached returns the targets of set that some departure reaches (by any
// time), in no particular order. The slice belongs to the result.
func (rr *RangeResult) Reached(set int) []int32 { return rr.sc.rng.targets[set].touched }

// Target combines what the search found for target t of a set with the
// direct walk to it (seconds from the origin, or -1 when there is none;
// walking is a candidate journey at every departure): the latest departure
// arriving by the deadline and, when the set kept Times, the minimum,
// median and pct-th percentile (0..100, clamped; NaN counts as 100) of the
// travel time over the window's departures. Among journeys arriving
// together it prefers walking. Percentiles are nearest-rank: the smallest
// time such that at least pct % of the departures take no longer.
//
// Target allocates nothing; it uses a buffer of the result, so calls on
// one RangeResult must not run concurrently.
func (rr *RangeResult) Target(set int, t int32, direct int32, pct float64) TargetTimes {
	rs := &rr.sc.rng
	ts := &rs.targets[set]
	out := TargetTimes{Minute: -1, Stop: -1, Min: Unreachable, Median: Unreachable, Percentile: Unreachable}
	n := rs.minutes
	if n == 0 || uint(t) >= uint(len(ts.found)) {
		return out
	}
	// Transit: the latest searched departure reaching t by the deadline.
	mt := -1
	var ans answer
	if k := ts.found[t]; k != 0 {
		ans = ts.answers[k-1]
		mt = int(rs.procMin[ans.proc])
	}
	// Walking: the latest departure arriving by the deadline.
	mw := -1
	if direct >= 0 && int64(rs.deadline)-int64(direct) >= int64(rs.from) {
		mw = min(int((int64(rs.deadline)-int64(direct)-int64(rs.from))/int64(rs.step)), n-1)
	}
	switch {
	case mw >= 0 && (mw > mt || (mw == mt && rr.Departure(mw)+direct <= ans.arr)):
		dep := rr.Departure(mw)
		out.Found, out.Minute, out.Departure, out.Arrival, out.Duration, out.Walk = true, mw, dep, dep+direct, direct, true
	case mt >= 0:
		dep := rr.Departure(mt)
		out.Found, out.Minute, out.Departure, out.Arrival, out.Duration = true, mt, dep, ans.arr, ans.arr-dep
		out.Trips, out.Stop = int(ans.trips), ans.stop
	}
	if !ts.q.Times {
		return out
	}
	// Travel times at every departure: the transit arrival of the next
	// searched departure (earlier ones only improve), or the walk.
	ts.group()
	var entries []int32
	if k := ts.slot[t]; k != 0 {
		entries = ts.byTarget[ts.start[k-1]:ts.start[k]]
	}
	times := rs.evalBuf[:n]
	j, cur := 0, int32(Unreachable)
	for m := n - 1; m >= 0; m-- {
		i := rs.nextProc[m]
		for j < len(entries) && ts.logProc[entries[j]] <= i {
			cur = ts.logArr[entries[j]]
			j++
		}
		dep := rr.Departure(m)
		tt := int32(Unreachable)
		if cur < Unreachable {
			tt = cur - dep
		}
		if rs.maxDur > 0 && tt > rs.maxDur {
			tt = Unreachable
		}
		if direct >= 0 && direct < tt {
			tt = direct
		}
		times[m] = tt
	}
	slices.Sort(times)
	out.Min = times[0]
	out.Median = times[percentileIndex(n, 50)]
	out.Percentile = times[percentileIndex(n, pct)]
	return out
}

// Journey returns the journey behind the transit answer of target t of a
// set that kept journeys, and whether there is one. Its legs are a new
// slice.
func (rr *RangeResult) Journey(set int, t int32) (Journey, bool) {
	ts := &rr.sc.rng.targets[set]
	if uint(t) >= uint(len(ts.found)) || ts.found[t] == 0 {
		return Journey{}, false
	}
	a := ts.answers[ts.found[t]-1]
	if a.journey < 0 {
		return Journey{}, false
	}
	rec := ts.journeys[a.journey]
	j := rec.j
	j.Legs = append([]Leg(nil), ts.legs[rec.legStart:rec.legEnd]...)
	return j, true
}

// percentileIndex returns the nearest-rank index of the pct-th percentile
// in a sorted list of n > 0 values.
func percentileIndex(n int, pct float64) int {
	if math.IsNaN(pct) || pct > 100 {
		pct = 100
	}
	pct = max(pct, 0)
	i := int(math.Ceil(pct/100*float64(n))) - 1
	return min(max(i, 0), n-1)
}

// resize returns a of length n, zeroed, reusing its memory when it can.
func resize(a []int32, n int) []int32 {
	if cap(a) < n {
		return make([]int32, n)
	}
	a = a[:n]
	clear(a)
	return a
}
