package raptor

import (
	"math/bits"

	"reach/graph"
)

// bitset is a set of stops.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) has(i graph.StopIdx) bool { return b[uint32(i)>>6]&(1<<(uint32(i)&63)) != 0 }
func (b bitset) set(i graph.StopIdx)      { b[uint32(i)>>6] |= 1 << (uint32(i) & 63) }
func (b bitset) unset(i graph.StopIdx)    { b[uint32(i)>>6] &^= 1 << (uint32(i) & 63) }

// count returns the number of members (used by tests).
func (b bitset) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// scratch is the memory of one query. Labels are stored per round as flat
// arrays indexed k*nStops + s.
//
// Only the stops a query touches are reset for the next one: every label of
// a stop outside seenList is Unreachable in every round, so that a query
// costs what it reaches, not the size of the timetable.
type scratch struct {
	r      *Router
	tt     *graph.Timetable
	nStops int

	rounds int     // rounds that may hold labels (of this query or, for reset, the last)
	veh    []int32 // earliest arrival by a vehicle, ≤ k trips
	arr    []int32 // earliest arrival of any kind, ≤ k trips
	rdy    []int32 // earliest boarding time, ≤ k trips
	best   []int32 // per stop: earliest arrival over all rounds
	trips  []int32 // per stop: fewest trips achieving best
	vbest  []int32 // per stop: earliest arrival by a vehicle over all rounds
	vtrips []int32 // per stop: fewest trips achieving vbest

	// Parent pointers, kept only when reconstructing journeys.
	parents bool
	foot    []int32         // earliest footpath or source arrival, ≤ k trips
	pTrip   []graph.TripIdx // trip of the vehicle label
	pBoard  []int32         // boarding position of that trip in its route
	pAlight []int32         // alighting position
	pFoot   []graph.StopIdx // origin stop of the footpath label, -1 for a source

	seen        bitset           // stops with a label in this query
	seenList    []graph.StopIdx  // members of seen
	changed     bitset           // stops whose labels changed in the current round
	marked      bitset           // stops whose boarding time improved in the current round
	improved    bitset           // stops improved by a vehicle in the current round
	curChanged  []graph.StopIdx  // members of changed
	curImproved []graph.StopIdx  // members of improved
	prevChanged []graph.StopIdx  // stops changed in the previous round
	prevMarked  []graph.StopIdx  // stops whose boarding time improved in the previous round
	routeStart  []int32          // per route: earliest position to scan, -1 if not queued
	queue       []graph.RouteIdx // queued routes

	// Changes of one departure of a range search, for its results.
	ranging   bool
	bestMoved bitset          // stops whose best changed in this departure
	bestList  []graph.StopIdx // members of bestMoved
	vehMoved  bitset          // stops whose vbest changed in this departure
	vehList   []graph.StopIdx // members of vehMoved

	scanned     int64 // route positions scanned
	badTransfer bool  // an invalid footpath was met
	// firstRoutes makes round 1 queue the routes of firstFrom (indexes
	// into the range state's new-trip lists) instead of those of the
	// marked stops (see runRange).
	firstRoutes bool
	firstFrom   []int32
	// horizon is the latest arrival a label may have (see
	// RangeQuery.MaxDuration); Unreachable when unbounded.
	horizon int32

	rng   rangeState // results of a range search
	inUse bool       // borrowed by a result not yet released
	res   Result
	rres  RangeResult
}

func newScratch(r *Router) *scratch {
	n := r.numStops
	sc := &scratch{
		r:          r,
		tt:         r.tt,
		nStops:     n,
		best:       make([]int32, n),
		trips:      make([]int32, n),
		vbest:      make([]int32, n),
		vtrips:     make([]int32, n),
		seen:       newBitset(n),
		changed:    newBitset(n),
		marked:     newBitset(n),
		improved:   newBitset(n),
		bestMoved:  newBitset(n),
		vehMoved:   newBitset(n),
		routeStart: make([]int32, r.tt.NumRoutes()),
	}
	fill(sc.best, Unreachable)
	fill(sc.vbest, Unreachable)
	for i := range sc.routeStart {
		sc.routeStart[i] = -1
	}
	sc.res.sc = sc
	sc.rres.sc = sc
	sc.rng.init(n)
	return sc
}

// begin resets the labels the previous query touched, for a new search.
func (sc *scratch) begin(parents bool, maxRound int) {
	n := sc.nStops
	for _, s := range sc.seenList {
		for k := 0; k < sc.rounds; k++ {
			i := k*n + int(s)
			sc.veh[i], sc.arr[i], sc.rdy[i] = Unreachable, Unreachable, Unreachable
		}
		if len(sc.foot) > 0 {
			for k := 0; k < min(sc.rounds, len(sc.foot)/max(n, 1)); k++ {
				sc.foot[k*n+int(s)] = Unreachable
			}
		}
		sc.best[s], sc.trips[s] = Unreachable, 0
		sc.vbest[s], sc.vtrips[s] = Unreachable, 0
		sc.seen.unset(s)
	}
	sc.seenList = sc.seenList[:0]
	sc.parents = parents
	sc.ranging = false
	sc.ensureRounds(1, maxRound)
	sc.rounds = 1
	sc.scanned = 0
	sc.badTransfer = false
	sc.horizon = Unreachable
	sc.startMinute()
}

// startMinute clears the round lists before placing sources.
func (sc *scratch) startMinute() {
	sc.curChanged = sc.curChanged[:0]
	sc.curImproved = sc.curImproved[:0]
	sc.prevChanged = sc.prevChanged[:0]
	sc.prevMarked = sc.prevMarked[:0]
}

func fill[T ~int32](a []T, v T) {
	for i := range a {
		a[i] = v
	}
}

// ensureRounds makes room for n rounds of labels, keeping the existing ones;
// new room holds Unreachable labels. want is the number of rounds the
// search may use, a hint for the first allocation.
func (sc *scratch) ensureRounds(n, want int) {
	need := n * sc.nStops
	if len(sc.veh) >= need && (!sc.parents || (len(sc.pTrip) >= need && len(sc.foot) >= need)) {
		return
	}
	c := max(n, min(want+1, 16), 2*len(sc.veh)/max(sc.nStops, 1))
	c = min(c, MaxRounds+1)
	c = max(c, n)
	size := c * sc.nStops
	sc.veh, sc.arr, sc.rdy = grow(sc.veh, size, Unreachable), grow(sc.arr, size, Unreachable), grow(sc.rdy, size, Unreachable)
	if sc.parents {
		sc.foot = grow(sc.foot, size, Unreachable)
		sc.pTrip, sc.pBoard, sc.pAlight, sc.pFoot = grow(sc.pTrip, size, 0), grow(sc.pBoard, size, 0), grow(sc.pAlight, size, 0), grow(sc.pFoot, size, 0)
	}
}

// grow returns a of length size (when shorter), its new entries set to v.
func grow[T ~int32](a []T, size int, v T) []T {
	if len(a) >= size {
		return a
	}
	b := make([]T, size)
	copy(b, a)
	if v != 0 {
		fill(b[len(a):], v)
	}
	return b
}

// record notes an arrival t at stop s in round k in the overall best.
func (sc *scratch) record(s graph.StopIdx, t int32, k int) {
	if t < sc.best[s] || (t == sc.best[s] && int32(k) < sc.trips[s]) {
		sc.best[s] = t
		sc.trips[s] = int32(k)
		if sc.ranging && !sc.bestMoved.has(s) {
			sc.bestMoved.set(s)
			sc.bestList = append(sc.bestList, s)
		}
	}
}

// touch adds s to the stops changed in the current round.
func (sc *scratch) touch(s graph.StopIdx) {
	if !sc.changed.has(s) {
		sc.changed.set(s)
		sc.curChanged = append(sc.curChanged, s)
		if !sc.seen.has(s) {
			sc.seen.set(s)
			sc.seenList = append(sc.seenList, s)
		}
	}
}

// footUpdate offers stop u a footpath (or source, from = -1) arrival t in
// round k.
func (sc *scratch) footUpdate(k int, u graph.StopIdx, t int32, from graph.StopIdx) {
	i := k*sc.nStops + int(u)
	betterArr, betterRdy := t < sc.arr[i], t < sc.rdy[i]
	if !betterArr && !betterRdy {
		return
	}
	if betterArr {
		sc.arr[i] = t
		sc.record(u, t, k)
	}
	if betterRdy {
		sc.rdy[i] = t
		sc.marked.set(u)
	}
	sc.touch(u)
	if sc.parents && t < sc.foot[i] {
		sc.foot[i] = t
		sc.pFoot[i] = from
	}
}

// vehUpdate sets the vehicle arrival t at stop s in round k, known to
// improve it, reached by trip `trip` boarded at position board and left at
// position alight.
func (sc *scratch) vehUpdate(k int, s graph.StopIdx, t, minChange int32, trip graph.TripIdx, board, alight int32) {
	i := k*sc.nStops + int(s)
	sc.veh[i] = t
	if t < sc.arr[i] {
		sc.arr[i] = t
		sc.record(s, t, k)
	}
	if t < sc.vbest[s] || (t == sc.vbest[s] && int32(k) < sc.vtrips[s]) {
		sc.vbest[s], sc.vtrips[s] = t, int32(k)
		if sc.ranging && !sc.vehMoved.has(s) {
			sc.vehMoved.set(s)
			sc.vehList = append(sc.vehList, s)
		}
	}
	c := max(sc.tt.StopMinTransfer[s], minChange)
	if t+c < sc.rdy[i] {
		sc.rdy[i] = t + c
		sc.marked.set(s)
	}
	sc.touch(s)
	if !sc.improved.has(s) {
		sc.improved.set(s)
		sc.curImproved = append(sc.curImproved, s)
	}
	if sc.parents {
		sc.pTrip[i], sc.pBoard[i], sc.pAlight[i] = trip, board, alight
	}
}

// source places a source at stop s with time t in round 0 and, when asked,
// walks its footpaths.
func (sc *scratch) source(p *params, s graph.StopIdx, t int32) {
	sc.footUpdate(0, s, t, -1)
	if p.walkFromSources && p.tr != nil {
		sc.relax(p, 0, s, t)
	}
}

// relax walks the footpaths of stop s reached at time t in round k.
func (sc *scratch) relax(p *params, k int, s graph.StopIdx, t int32) {
	tr := p.tr
	a, b := tr.Start[s], tr.Start[s+1]
	if a < 0 || b < a || int(b) > len(tr.To) {
		sc.badTransfer = true
		return
	}
	to, secs := tr.To[a:b], tr.Time[a:b]
	var metres []float32
	if tr.Metres != nil {
		metres = tr.Metres[a:b]
	}
	for j, u := range to {
		f := secs[j]
		if metres != nil && metres[j] >= 0 {
			m := float64(metres[j])
			if m > p.maxWalk {
				continue
			}
			f = WalkSeconds(m, p.walkSpeed)
		}
		if uint32(u) >= uint32(sc.nStops) || uint32(f) > MaxFootpath {
			sc.badTransfer = true
			continue
		}
		if t+f > sc.horizon {
			continue
		}
		sc.footUpdate(k, u, t+f, s)
	}
}

// endRound turns the current round's changes into the previous round's.
func (sc *scratch) endRound() {
	sc.prevChanged, sc.curChanged = sc.curChanged, sc.prevChanged[:0]
	sc.prevMarked = sc.prevMarked[:0]
	for _, s := range sc.prevChanged {
		sc.changed.unset(s)
		if sc.marked.has(s) {
			sc.marked.unset(s)
			sc.prevMarked = append(sc.prevMarked, s)
		}
	}
}

// search runs rounds 1.. after the sources of round 0 have been placed and
// endRound called.
func (sc *scratch) search(p *params) {
	for k := 1; k <= p.maxRound && len(sc.prevChanged) > 0; k++ {
		if k >= sc.rounds {
			sc.addRound(k, p.maxRound)
		} else {
			sc.propagate(k)
		}
		if len(sc.prevMarked) > 0 {
			sc.scanRoutes(p, k)
			if p.tr != nil {
				for _, s := range sc.curImproved {
					sc.relax(p, k, s, sc.veh[k*sc.nStops+int(s)])
				}
			}
		}
		for _, s := range sc.curImproved {
			sc.improved.unset(s)
		}
		sc.curImproved = sc.curImproved[:0]
		sc.endRound()
	}
}

// addRound creates round k as a copy of round k-1, for the stops holding
// labels (the others are Unreachable in both).
func (sc *scratch) addRound(k, maxRound int) {
	sc.ensureRounds(k+1, maxRound)
	n := sc.nStops
	lo, mid := (k-1)*n, k*n
	for _, s := range sc.seenList {
		i0, i1 := lo+int(s), mid+int(s)
		sc.veh[i1], sc.arr[i1], sc.rdy[i1] = sc.veh[i0], sc.arr[i0], sc.rdy[i0]
		if sc.parents {
			sc.foot[i1], sc.pFoot[i1] = sc.foot[i0], sc.pFoot[i0]
			sc.pTrip[i1], sc.pBoard[i1], sc.pAlight[i1] = sc.pTrip[i0], sc.pBoard[i0], sc.pAlight[i0]
		}
	}
	sc.rounds = k + 1
}

// propagate lowers round k's labels to round k-1's where those changed
// (round k's labels come from a later departure of a range query).
func (sc *scratch) propagate(k int) {
	n := sc.nStops
	for _, s := range sc.prevChanged {
		i0, i1 := (k-1)*n+int(s), k*n+int(s)
		ch := false
		if v := sc.veh[i0]; v < sc.veh[i1] {
			sc.veh[i1] = v
			if sc.parents {
				sc.pTrip[i1], sc.pBoard[i1], sc.pAlight[i1] = sc.pTrip[i0], sc.pBoard[i0], sc.pAlight[i0]
			}
			ch = true
		}
		if v := sc.arr[i0]; v < sc.arr[i1] {
			sc.arr[i1] = v
			ch = true
		}
		if v := sc.rdy[i0]; v < sc.rdy[i1] {
			// Not marked: boarding at s with this time was scanned in
			// round k, when the time was new.
			sc.rdy[i1] = v
			ch = true
		}
		if sc.parents {
			if v := sc.foot[i0]; v < sc.foot[i1] {
				sc.foot[i1], sc.pFoot[i1] = v, sc.pFoot[i0]
				ch = true
			}
		}
		if ch {
			sc.touch(s)
		}
	}
}

// scanRoutes queues the routes serving the stops marked in round k-1 and
// scans each from its earliest marked position.
func (sc *scratch) scanRoutes(p *params, k int) {
	tt := sc.tt
	if k == 1 && sc.firstRoutes {
		rs := &sc.rng
		for _, e := range sc.firstFrom {
			r, q := rs.newRoute[e], rs.newPos[e]
			if cur := sc.routeStart[r]; cur >= 0 {
				sc.routeStart[r] = min(cur, q)
				continue
			}
			sc.routeStart[r] = q
			sc.queue = append(sc.queue, r)
		}
	}
	for _, s := range sc.prevMarked {
		if k == 1 && sc.firstRoutes {
			break
		}
		a, b := tt.StopRouteStart[s], tt.StopRouteStart[s+1]
		routes, pos := tt.StopRoutes[a:b], tt.StopRoutePos[a:b]
		for j, r := range routes {
			q := pos[j]
			if cur := sc.routeStart[r]; cur >= 0 {
				if q < cur {
					sc.routeStart[r] = q
				}
				continue
			}
			if !p.allowSchool && sc.r.routeSchool[r] {
				continue
			}
			rs, re := tt.RouteStopStart[r], tt.RouteStopStart[r+1]
			if q >= re-rs-1 || tt.RouteStopFlags[rs+q]&graph.NoPickup != 0 {
				continue
			}
			sc.routeStart[r] = q
			sc.queue = append(sc.queue, r)
		}
	}
	n := sc.nStops
	prevRdy := sc.rdy[(k-1)*n : k*n]
	curVeh := sc.veh[k*n : (k+1)*n]
	arrs, deps := tt.Arrivals, tt.Departures
	for _, r := range sc.queue {
		start := sc.routeStart[r]
		sc.routeStart[r] = -1
		rs, re := tt.RouteStopStart[r], tt.RouteStopStart[r+1]
		stops, flags := tt.RouteStops[rs:re], tt.RouteStopFlags[rs:re]
		ns := re - rs
		base := tt.RouteStopTimeStart[r]
		ntrips := tt.RouteTripStart[r+1] - tt.RouteTripStart[r]
		sc.scanned += int64(ns - start)
		trip, row := int32(-1), int32(0) // trip within the route, its first stop time
		board := int32(-1)
		for q := start; q < ns; q++ {
			s, f := stops[q], flags[q]
			if trip >= 0 && f&graph.NoDropoff == 0 {
				if t := arrs[row+q]; t < curVeh[s] && t <= sc.horizon {
					sc.vehUpdate(k, s, t, p.minChange, tt.RouteTrip(r, trip), board, q)
				}
			}
			if f&graph.NoPickup != 0 || q == ns-1 {
				continue
			}
			rd := prevRdy[s]
			if rd >= Unreachable {
				continue
			}
			if trip < 0 {
				// First boarding: the earliest trip leaving at or after rd.
				lo, hi := int32(0), ntrips
				for lo < hi {
					mid := int32(uint32(lo+hi) >> 1)
					if deps[base+mid*ns+q] < rd {
						lo = mid + 1
					} else {
						hi = mid
					}
				}
				if lo < ntrips {
					trip, row, board = lo, base+lo*ns, q
				}
				continue
			}
			if deps[row+q] < rd || trip == 0 || deps[row-ns+q] < rd {
				continue
			}
			// An earlier trip can be caught here: walk back a few trips,
			// then search the rest.
			trip, row = trip-1, row-ns
			for steps := 0; trip > 0 && deps[row-ns+q] >= rd; steps++ {
				if steps == 4 {
					lo, hi := int32(0), trip
					for lo < hi {
						mid := int32(uint32(lo+hi) >> 1)
						if deps[base+mid*ns+q] < rd {
							lo = mid + 1
						} else {
							hi = mid
						}
					}
					trip, row = lo, base+lo*ns
					break
				}
				trip, row = trip-1, row-ns
			}
			board = q
		}
	}
	sc.queue = sc.queue[:0]
}
