package raptor

import (
	"errors"
	"fmt"
	"sort"

	"reach/graph"
)

// SourceOffset is a stop where journeys start, reached Offset seconds after
// the departure from the origin (the access walk).
type SourceOffset struct {
	Stop   graph.StopIdx
	Offset int32
}

// DefaultStep is the default interval between the departures of a range
// query, in seconds.
const DefaultStep = 60

// MaxMinutes is the most departures a range query may have (six hours of
// minutes).
const MaxMinutes = 6 * 60

// ErrCanceled is returned by a range search stopped through RangeQuery.Done.
var ErrCanceled = errors.New("raptor: search canceled")

// RangeQuery is a one-to-all search for every departure in From, From+Step,
// … up to but excluding To (seconds since midnight of the service date).
type RangeQuery struct {
	Sources  []SourceOffset
	From, To int32
	Step     int32 // seconds between departures; 0 means DefaultStep

	// The options below mean the same as in Query.
	MaxTransfers    int
	Transfers       *Transfers
	AllowSchool     bool
	WalkFromSources bool
	MinChange       int32
	WalkSpeed       float64
	MaxWalk         float64
	// MaxDuration, when positive, bounds the journeys searched: from the
	// departure at dep, no label later than dep + MaxDuration is set, so
	// that a search costs what the travel-time ceiling allows. Arrivals
	// and trips of the result are then exact up to that bound only
	// (Arrival may report a later arrival, or none, beyond it), and
	// target travel times above it count as unreachable.
	MaxDuration int32

	// Targets are evaluated during the search, from the stops a vehicle
	// reaches (see TargetQuery); Deadline is their arrival deadline.
	Targets  []TargetQuery
	Deadline int32
	// Done, when closed, stops the search between two departures with
	// ErrCanceled (typically a request context's Done channel).
	Done <-chan struct{}
}

// At returns the plain query departing at dep with the same sources and
// options (a source is reached at dep + Offset).
func (q *RangeQuery) At(dep int32) Query {
	src := make([]Source, len(q.Sources))
	for i, s := range q.Sources {
		src[i] = Source{Stop: s.Stop, Time: dep + s.Offset}
	}
	return Query{
		Sources: src, MaxTransfers: q.MaxTransfers, Transfers: q.Transfers,
		AllowSchool: q.AllowSchool, WalkFromSources: q.WalkFromSources, MinChange: q.MinChange,
		WalkSpeed: q.WalkSpeed, MaxWalk: q.MaxWalk,
	}
}

// Range runs a range search (rRAPTOR). Only the departures at which some
// trip can be boarded first are searched (a trip leaving a source, or a
// stop one footpath from a source with WalkFromSources, within the step
// after the departure), latest first, each search starting from the labels
// of the later one; the last departure of the window is always searched.
// Between two searched departures nothing changes but the sources' own
// times, so the result still answers, for every departure of the window
// and every stop, the earliest arrival and the fewest trips achieving it,
// exactly as a plain search at that departure would. The result borrows
// memory from the router's pool: call Release when done.
func (r *Router) Range(q RangeQuery) (*RangeResult, error) {
	p, err := r.newParams(q.MaxTransfers, q.Transfers, q.AllowSchool, q.WalkFromSources, q.MinChange, q.WalkSpeed, q.MaxWalk)
	if err != nil {
		return nil, err
	}
	step := q.Step
	if step == 0 {
		step = DefaultStep
	}
	if step < 0 {
		return nil, fmt.Errorf("raptor: range step %d s is negative", step)
	}
	if q.From < -MaxTime || q.To > MaxTime || q.To <= q.From {
		return nil, fmt.Errorf("raptor: range window [%d, %d) is empty or outside ±%d s", q.From, q.To, MaxTime)
	}
	minutes := (int64(q.To) - int64(q.From) + int64(step) - 1) / int64(step)
	if minutes > MaxMinutes {
		return nil, fmt.Errorf("raptor: range window [%d, %d) every %d s has %d departures, more than %d",
			q.From, q.To, step, minutes, MaxMinutes)
	}
	for i, s := range q.Sources {
		if s.Stop < 0 || int(s.Stop) >= r.numStops {
			return nil, fmt.Errorf("raptor: source %d: stop %d out of range 0..%d", i, s.Stop, r.numStops-1)
		}
		if s.Offset < 0 || s.Offset > MaxTime {
			return nil, fmt.Errorf("raptor: source %d: offset %d s outside 0..%d", i, s.Offset, MaxTime)
		}
	}
	if q.MaxDuration < 0 || q.MaxDuration > MaxTime {
		return nil, fmt.Errorf("raptor: max duration %d s outside 0..%d", q.MaxDuration, MaxTime)
	}
	if q.Deadline < -MaxTime || q.Deadline > MaxTime {
		return nil, fmt.Errorf("raptor: deadline %d s outside ±%d", q.Deadline, MaxTime)
	}
	parents := false
	for i, t := range q.Targets {
		if err := t.check(r.numStops); err != nil {
			return nil, fmt.Errorf("raptor: target set %d: %w", i, err)
		}
		parents = parents || t.Journeys
	}
	sc := r.get()
	if err := sc.runRange(&p, &q, step, int(minutes), parents); err != nil {
		r.put(sc)
		return nil, err
	}
	if sc.badTransfer {
		r.put(sc)
		return nil, fmt.Errorf("raptor: invalid footpath in RangeQuery.Transfers (see Transfers.Validate)")
	}
	return &sc.rres, nil
}

// rangeState holds the results of a range search beside its labels.
type rangeState struct {
	minutes  int
	from     int32
	step     int32
	deadline int32
	maxDur   int32          // RangeQuery.MaxDuration, 0 when unbounded
	sources  []SourceOffset // copied from the query
	walk     *Transfers     // footpaths from sources, when walked
	params   params         // of the search
	marks    []bool         // per minute: searched
	procMin  []int32        // searched minutes, latest first
	// Per minute, the (route, position) pairs where a trip leaving a
	// source (or a footpath's end) becomes catchable in that minute: the
	// first round of a searched minute, but the first, scans those only.
	newMin   []int32
	newRoute []graph.RouteIdx
	newPos   []int32
	newStart []int32 // CSR over minutes into byMinute
	byMinute []int32
	nextProc []int32 // per minute: index in procMin of the earliest searched minute at or after it

	// Stop-major log of the best arrivals: every change of a stop's best
	// at a searched departure, grouped by stop when first read.
	logStop  []graph.StopIdx
	logProc  []int32
	logArr   []int32
	logTrips []int32
	grouped  bool
	slot     []int32         // per stop: 1 + its index in order, 0 when absent
	order    []graph.StopIdx // stops of the log
	start    []int32         // CSR over order into byStop
	byStop   []int32         // log entries grouped by stop, in processing order
	fillAt   []int32

	targets []targetState
	evalBuf []int32
	legBuf  []Leg
}

func (rs *rangeState) init(nStops int) { rs.slot = make([]int32, nStops) }

// reset forgets the previous search's results.
func (rs *rangeState) reset() {
	for _, s := range rs.order {
		rs.slot[s] = 0
	}
	rs.order = rs.order[:0]
	rs.logStop, rs.logProc, rs.logArr, rs.logTrips = rs.logStop[:0], rs.logProc[:0], rs.logArr[:0], rs.logTrips[:0]
	rs.grouped = false
	for i := range rs.targets {
		rs.targets[i].reset()
	}
}

// departures marks the minutes of the window at which a trip can be
// boarded first: a trip leaving a source s at d, with d - Offset(s) in the
// minute's step; with footpaths from the sources, the same at the
// footpaths' ends. The last minute is always marked.
func (sc *scratch) departures(p *params, src []SourceOffset, from, step int32, minutes int) {
	rs := &sc.rng
	if cap(rs.marks) < minutes {
		rs.marks = make([]bool, minutes)
		rs.nextProc = make([]int32, minutes)
	}
	rs.marks, rs.nextProc = rs.marks[:minutes], rs.nextProc[:minutes]
	clear(rs.marks)
	rs.marks[minutes-1] = true
	rs.newMin, rs.newRoute, rs.newPos = rs.newMin[:0], rs.newRoute[:0], rs.newPos[:0]
	tt := sc.tt
	mark := func(s graph.StopIdx, off int32) {
		lo := int64(from) + int64(off)        // first departure time at s that counts
		hi := lo + int64(minutes)*int64(step) // past the last
		routes, pos := tt.RoutesAt(s)
		for j, r := range routes {
			q := pos[j]
			rs0, re := tt.RouteStopStart[r], tt.RouteStopStart[r+1]
			if q >= re-rs0-1 || tt.RouteStopFlags[rs0+q]&graph.NoPickup != 0 || (!p.allowSchool && sc.r.routeSchool[r]) {
				continue
			}
			ns := re - rs0
			base := tt.RouteStopTimeStart[r]
			ntrips := int(tt.RouteTripStart[r+1] - tt.RouteTripStart[r])
			deps := tt.Departures
			k := sort.Search(ntrips, func(i int) bool { return int64(deps[base+int32(i)*ns+q]) >= lo })
			for ; k < ntrips; k++ {
				d := int64(deps[base+int32(k)*ns+q])
				if d >= hi {
					break
				}
				m := int32((d - lo) / int64(step))
				rs.marks[m] = true
				rs.newMin, rs.newRoute, rs.newPos = append(rs.newMin, m), append(rs.newRoute, r), append(rs.newPos, q)
			}
		}
	}
	for _, s := range src {
		mark(s.Stop, s.Offset)
		if p.walkFromSources && p.tr != nil && uint(s.Stop) < uint(sc.nStops) {
			a := p.tr.Start[s.Stop]
			for j, u := range p.tr.To[a:p.tr.Start[s.Stop+1]] {
				if f, ok := p.footTime(p.tr, a+int32(j)); ok && uint32(u) < uint32(sc.nStops) && uint32(f) <= MaxFootpath {
					mark(u, s.Offset+f)
				}
			}
		}
	}
	rs.newStart = resize(rs.newStart, minutes+1)
	for _, m := range rs.newMin {
		rs.newStart[m+1]++
	}
	for m := 1; m <= minutes; m++ {
		rs.newStart[m] += rs.newStart[m-1]
	}
	rs.byMinute = resize(rs.byMinute, len(rs.newMin))
	rs.fillAt = append(rs.fillAt[:0], rs.newStart[:minutes]...)
	for e, m := range rs.newMin {
		rs.byMinute[rs.fillAt[m]] = int32(e)
		rs.fillAt[m]++
	}
	rs.procMin = rs.procMin[:0]
	for m := minutes - 1; m >= 0; m-- {
		if rs.marks[m] {
			rs.procMin = append(rs.procMin, int32(m))
		}
		rs.nextProc[m] = int32(len(rs.procMin) - 1)
	}
}

// runRange performs a range search over the given departures.
func (sc *scratch) runRange(p *params, q *RangeQuery, step int32, minutes int, parents bool) error {
	rs := &sc.rng
	rs.reset()
	rs.minutes, rs.from, rs.step, rs.deadline, rs.maxDur = minutes, q.From, step, q.Deadline, q.MaxDuration
	rs.sources = append(rs.sources[:0], q.Sources...)
	rs.walk = nil
	rs.params = *p
	if p.walkFromSources {
		rs.walk = p.tr
	}
	if cap(rs.evalBuf) < minutes {
		rs.evalBuf = make([]int32, minutes)
	}
	sc.departures(p, q.Sources, q.From, step, minutes)
	if len(rs.targets) < len(q.Targets) {
		rs.targets = append(rs.targets, make([]targetState, len(q.Targets)-len(rs.targets))...)
	}
	rs.targets = rs.targets[:len(q.Targets)]
	for i := range q.Targets {
		rs.targets[i].prepare(q.Targets[i])
	}
	sc.begin(parents, p.maxRound)
	sc.ranging = true
	for i, m := range rs.procMin {
		if q.Done != nil {
			select {
			case <-q.Done:
				sc.clearMoved()
				return ErrCanceled
			default:
			}
		}
		dep := q.From + m*step
		if q.MaxDuration > 0 {
			sc.horizon = dep + q.MaxDuration
		}
		sc.startMinute()
		for _, s := range q.Sources {
			if dep+s.Offset <= sc.horizon {
				sc.source(p, s.Stop, dep+s.Offset)
			}
		}
		sc.endRound()
		// After the first searched minute, the sources' routes that offer
		// no new trip give what they gave at the later minute: round 1
		// scans the routes with a new trip only.
		sc.firstRoutes = i > 0
		sc.firstFrom = rs.byMinute[rs.newStart[m]:rs.newStart[m+1]]
		sc.search(p)
		sc.firstRoutes = false
		sc.logDeparture(p, int32(i))
	}
	return nil
}

// clearMoved empties the per-departure change sets.
func (sc *scratch) clearMoved() {
	for _, s := range sc.bestList {
		sc.bestMoved.unset(s)
	}
	for _, s := range sc.vehList {
		sc.vehMoved.unset(s)
	}
	sc.bestList, sc.vehList = sc.bestList[:0], sc.vehList[:0]
}

// logDeparture keeps what the search at searched departure i changed: the
// best arrivals in the stop log, the vehicle arrivals in the targets.
func (sc *scratch) logDeparture(p *params, i int32) {
	rs := &sc.rng
	for _, s := range sc.bestList {
		rs.logStop = append(rs.logStop, s)
		rs.logProc = append(rs.logProc, i)
		rs.logArr = append(rs.logArr, sc.best[s])
		rs.logTrips = append(rs.logTrips, sc.trips[s])
	}
	for t := range rs.targets {
		ts := &rs.targets[t]
		for _, s := range sc.vehList {
			ts.offer(s, sc.vbest[s], sc.vtrips[s])
		}
		ts.settle(sc, p, i)
	}
	sc.clearMoved()
}

// group sorts the stop log by stop, keeping the processing order.
func (rs *rangeState) group() {
	if rs.grouped {
		return
	}
	rs.grouped = true
	for _, s := range rs.logStop {
		if rs.slot[s] == 0 {
			rs.order = append(rs.order, s)
			rs.slot[s] = int32(len(rs.order))
		}
	}
	rs.start, rs.byStop, rs.fillAt = groupBySlot(rs.logStop, rs.slot, len(rs.order), rs.start, rs.byStop, rs.fillAt)
}

// groupBySlot groups the entries of a log by key: keys[e] is the key of
// entry e, slot[key] its 1-based group among n. It returns the CSR offsets
// of the groups (start, len n+1) and the entry indexes grouped (byKey), in
// their order within each group; the slices passed are reused.
func groupBySlot[K ~int32](keys []K, slot []int32, n int, start, byKey, fill []int32) ([]int32, []int32, []int32) {
	start = resize(start, n+1)
	for _, k := range keys {
		start[slot[k]]++
	}
	for g := 1; g <= n; g++ {
		start[g] += start[g-1]
	}
	byKey = resize(byKey, len(keys))
	fill = append(fill[:0], start[:n]...)
	for e, k := range keys {
		g := slot[k] - 1
		byKey[fill[g]] = int32(e)
		fill[g]++
	}
	return start, byKey, fill
}

// RangeResult is the outcome of a range search: per departure minute and
// per stop, the earliest arrival and the fewest trips achieving it, and the
// answers of the target sets. Its methods read memory that Release
// returns to the router's pool; a RangeResult must not be used after
// Release nor shared between goroutines.
type RangeResult struct {
	sc *scratch
}

// NumMinutes returns the number of departures of the window.
func (rr *RangeResult) NumMinutes() int { return rr.sc.rng.minutes }

// NumSearched returns the number of departures actually searched (the
// others are answered from the next later searched one).
func (rr *RangeResult) NumSearched() int { return len(rr.sc.rng.procMin) }

// NumStops returns the number of stops of the timetable.
func (rr *RangeResult) NumStops() int { return rr.sc.nStops }

// Departure returns the departure time of minute m.
func (rr *RangeResult) Departure(m int) int32 { return rr.sc.rng.from + int32(m)*rr.sc.rng.step }

// sourceArrival returns the arrival at stop s of the journeys departing at
// minute m that take no vehicle (the sources, and their footpaths when
// walked), or Unreachable.
func (rr *RangeResult) sourceArrival(m int, s graph.StopIdx) int32 {
	rs := &rr.sc.rng
	dep := rr.Departure(m)
	best := int32(Unreachable)
	for _, src := range rs.sources {
		if src.Stop == s {
			best = min(best, dep+src.Offset)
		}
		if rs.walk != nil {
			a := rs.walk.Start[src.Stop]
			for j, u := range rs.walk.To[a:rs.walk.Start[src.Stop+1]] {
				if f, ok := rs.params.footTime(rs.walk, a+int32(j)); ok && u == s {
					best = min(best, dep+src.Offset+f)
				}
			}
		}
	}
	return best
}

// logged returns the best arrival at stop s and its trips at the searched
// departure i (from the stop log), or Unreachable.
func (rr *RangeResult) logged(i int32, s graph.StopIdx) (int32, int32) {
	rs := &rr.sc.rng
	rs.group()
	k := rs.slot[s]
	if k == 0 {
		return Unreachable, -1
	}
	entries := rs.byStop[rs.start[k-1]:rs.start[k]]
	// The last entry searched at or before i (entries go by processing order).
	j := sort.Search(len(entries), func(x int) bool { return rs.logProc[entries[x]] > i }) - 1
	if j < 0 {
		return Unreachable, -1
	}
	e := entries[j]
	return rs.logArr[e], rs.logTrips[e]
}

// Arrival returns the earliest arrival at stop s when departing at minute
// m, or Unreachable.
func (rr *RangeResult) Arrival(m int, s graph.StopIdx) int32 {
	a, _ := rr.arrival(m, s)
	return a
}

// Trips returns the fewest trips of a journey departing at minute m and
// arriving at stop s at Arrival(m, s), or -1 if s is unreachable.
func (rr *RangeResult) Trips(m int, s graph.StopIdx) int {
	a, k := rr.arrival(m, s)
	if a >= Unreachable {
		return -1
	}
	return int(k)
}

func (rr *RangeResult) arrival(m int, s graph.StopIdx) (int32, int32) {
	rs := &rr.sc.rng
	if uint(m) >= uint(rs.minutes) || uint(s) >= uint(rr.sc.nStops) {
		return Unreachable, -1
	}
	a, k := rr.logged(rs.nextProc[m], s)
	if w := rr.sourceArrival(m, s); w <= a {
		return w, 0
	}
	return a, k
}

// ScannedStopTimes returns the number of route positions scanned over all
// departures.
func (rr *RangeResult) ScannedStopTimes() int64 { return rr.sc.scanned }

// Release returns the result's memory to the router's pool. Releasing
// twice is harmless as long as no other query ran in between.
func (rr *RangeResult) Release() { rr.sc.r.put(rr.sc) }
