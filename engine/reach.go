package engine

import (
	"context"
	"errors"
	"math"
	"slices"

	"reach/engine/raptor"
	"reach/graph"
)

// Trip is the best way found to one target.
type Trip struct {
	Found    bool
	Modality graph.Modality
	Depart   int32         // leaving the origin
	Arrive   int32         // at the target
	Duration int32         // Arrive - Depart, seconds
	Trips    int           // vehicles taken
	Stop     graph.StopIdx // stop where the trip leaves transit, -1 when walking
	// Travel time over the departure window (seconds; raptor.Unreachable
	// when too few departures reach the target).
	Min, Median, Percentile int32

	journey int32   // index in Reachability.journeys, -1 when none
	ride    float32 // metres of the direct ride (ModalityBike)
}

// Reachability is the answer to a request for the schools of the graph:
// the trips, and the journeys behind them, kept so that a page of results
// or a journey needs no other search. Its size is what the request
// reached, not the size of the graph.
type Reachability struct {
	Params Params
	// Reached lists the schools some journey reaches within the limits,
	// by increasing index; Trips holds their trips in the same order. The
	// schools evaluated are those with offers, or all of them
	// (Params.AllLocations, or a graph without offers).
	Reached []graph.SchoolIdx
	Trips   []Trip
	// Access is the number of stops where journeys may start: within
	// walking distance of the origin, or (with the bike) riding distance.
	Access int
	// Scanned counts the route positions the searches scanned.
	Scanned int64
	// Searched counts the departures the searches ran (the others of the
	// window were answered without a search).
	Searched int
	// Cells holds, when asked for, the cells of the graph reached within
	// the limits (index into Graph.Cells.Cell) and the door-to-door
	// duration of the arrive-by journey to each, by increasing cell.
	Cells []CellTime

	access   []StopNear       // the stops where journeys may start, by increasing stop
	journeys []raptor.Journey // behind the transit trips
}

// CellTime is the travel time to one H3 cell.
type CellTime struct {
	Cell    int32 // index into Graph.Cells.Cell
	Seconds int32
}

// Trip returns the trip to school s; its Found is false when no journey
// reaches it within the limits (or when it was not evaluated).
func (r *Reachability) Trip(s graph.SchoolIdx) Trip {
	if i, ok := slices.BinarySearch(r.Reached, s); ok {
		return r.Trips[i]
	}
	return Trip{Stop: -1, Min: Unreachable, Median: Unreachable, Percentile: Unreachable, journey: -1}
}

// Unreachable is the travel time of a target no journey reaches.
const Unreachable = raptor.Unreachable

// Reach runs the request and evaluates the schools. It stops with the
// context's error when ctx is done.
func (e *Engine) Reach(ctx context.Context, p Params) (*Reachability, error) {
	return e.reach(ctx, p, false)
}

// ReachCells is Reach that also evaluates every H3 cell of the graph.
func (e *Engine) ReachCells(ctx context.Context, p Params) (*Reachability, error) {
	return e.reach(ctx, p, true)
}

// search is one range search of a request and what it answers.
type search struct {
	rr     *raptor.RangeResult
	school bool // with school buses
}

func (e *Engine) reach(ctx context.Context, p Params, cells bool) (*Reachability, error) {
	if err := p.valid(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sc := e.pool.Get().(*scratch)
	defer e.pool.Put(sc)
	out := &Reachability{Params: p}
	window := int32(p.MaxMinutes) * 60
	from := p.ArriveBy - window
	ceiling := window

	// Direct walks and rides to the request's destinations: the schools
	// with offers, or every location (Params.AllLocations, or a graph
	// without offers).
	onlyOffers := !p.AllLocations && e.g.Places.NumOffers() > 0
	for _, s := range sc.walked {
		sc.direct[s] = -1
	}
	sc.walked = sc.walked[:0]
	for _, s := range sc.ridden {
		sc.ride[s] = -1
	}
	sc.ridden = sc.ridden[:0]
	walkCeiling := int32(-1)
	if p.Modes.Walk && p.MaxDirectWalk > 0 {
		walkCeiling = min(int32(p.MaxDirectWalk)*60, ceiling)
		maxd := float64(walkCeiling) * p.WalkSpeed
		for _, h := range e.schools.FromPlace(sc.schools, p.Lat, p.Lon, maxd) {
			s := graph.SchoolIdx(h.Point)
			if a, b := e.g.Places.OffersOf(s); onlyOffers && a == b {
				continue // not a destination of this request
			}
			if w := walkSeconds(h.Dist, p.WalkSpeed); w <= walkCeiling {
				sc.direct[s] = w
				sc.walked = append(sc.walked, s)
			}
		}
	}

	// Rides: one search to the schools, and to the stops with transit.
	rides := sc.rides[:0]
	defer func() { sc.rides = rides[:0] }()
	if p.Modes.Bike && e.bikeLimit > 0 {
		nstops := int32(e.g.Timetable.NumStops())
		maxd := min(e.bikeLimit, float64(ceiling)*p.BikeSpeed)
		for _, h := range e.bike.FromPlace(sc.bike, p.Lat, p.Lon, maxd) {
			secs := walkSeconds(h.Dist, p.BikeSpeed)
			switch {
			case secs > ceiling:
			case h.Point >= nstops:
				s := graph.SchoolIdx(h.Point - nstops)
				if a, b := e.g.Places.OffersOf(s); onlyOffers && a == b {
					continue // not a destination of this request
				}
				sc.ride[s], sc.rideMetres[s] = secs, float32(h.Dist)
				sc.ridden = append(sc.ridden, s)
			case p.Modes.Transit:
				rides = append(rides, StopNear{Stop: graph.StopIdx(h.Point), Metres: h.Dist, Seconds: secs + BikeParkSeconds, Bike: true})
			}
		}
	}

	// Range searches: without school buses, then with them when they exist.
	egress := e.egressOffers
	if p.AllLocations {
		egress = e.egressAll
	}
	var searches []search
	if p.Modes.Transit {
		// Sources: the stops within walking distance, and those within
		// riding distance, each with its quicker way (walking on a tie).
		hits := e.stops.FromPlace(sc.stops, p.Lat, p.Lon, p.MaxWalk)
		out.access = make([]StopNear, 0, len(hits)+len(rides))
		for _, h := range hits {
			out.access = append(out.access, StopNear{Stop: graph.StopIdx(h.Point), Metres: h.Dist, Seconds: walkSeconds(h.Dist, p.WalkSpeed)})
			sc.srcSlot[h.Point] = int32(len(out.access))
		}
		for _, r := range rides {
			if k := sc.srcSlot[r.Stop]; k == 0 {
				out.access = append(out.access, r)
				sc.srcSlot[r.Stop] = int32(len(out.access))
			} else if r.Seconds < out.access[k-1].Seconds {
				out.access[k-1] = r
			}
		}
		slices.SortFunc(out.access, func(a, b StopNear) int { return int(a.Stop - b.Stop) })
		out.Access = len(out.access)
		sc.sources = sc.sources[:0]
		for _, a := range out.access {
			sc.srcSlot[a.Stop] = 0
			sc.sources = append(sc.sources, raptor.SourceOffset{Stop: a.Stop, Offset: a.Seconds})
		}
		tr, err := e.Transfers(p.Transfers)
		if err != nil {
			return nil, err
		}
		q := raptor.RangeQuery{
			Sources: sc.sources, From: from, To: p.ArriveBy + 1, Step: 60,
			MaxTransfers: p.MaxTransfers, Transfers: tr, WalkSpeed: p.WalkSpeed, MaxWalk: p.MaxWalk,
			Deadline: p.ArriveBy, Done: ctx.Done(), MaxDuration: ceiling,
			Targets: []raptor.TargetQuery{{Egress: egress, WalkSpeed: p.WalkSpeed, MaxWalk: p.MaxWalk, Journeys: true, Times: true}},
		}
		if cells && e.egressCells != nil {
			q.Targets = append(q.Targets, raptor.TargetQuery{Egress: e.egressCells, WalkSpeed: p.WalkSpeed, MaxWalk: p.MaxWalk})
		}
		if len(sc.sources) > 0 {
			withSchool := []bool{false}
			if p.Modes.School && e.school {
				withSchool = append(withSchool, true)
			}
			for _, ws := range withSchool {
				q.AllowSchool = ws
				rr, err := e.router.Range(q)
				if errors.Is(err, raptor.ErrCanceled) {
					err = ctx.Err()
				}
				if err != nil {
					for _, s := range searches {
						s.rr.Release()
					}
					return nil, err
				}
				defer rr.Release()
				searches = append(searches, search{rr, ws})
				out.Scanned += rr.ScannedStopTimes()
				out.Searched += rr.NumSearched()
			}
		}
	}

	// The schools: those a search reached, and those reached on foot.
	defer func() {
		for _, s := range sc.evaluated {
			sc.done[s] = false
		}
		sc.evaluated = sc.evaluated[:0]
	}()
	evaluate := func(s graph.SchoolIdx) {
		if sc.done[s] {
			return
		}
		sc.done[s] = true
		sc.evaluated = append(sc.evaluated, s)
		t := &sc.trip[s]
		*t = Trip{Stop: -1, Min: Unreachable, Median: Unreachable, Percentile: Unreachable, journey: -1}
		// The direct way: the quicker of the walk and the ride, the walk
		// on a tie.
		direct, directM := sc.direct[s], graph.ModalityWalk
		if r := sc.ride[s]; r >= 0 && (direct < 0 || r < direct) {
			direct, directM = r, graph.ModalityBike
		}
		if len(searches) == 0 {
			if direct >= 0 {
				*t = Trip{Found: true, Modality: directM, Depart: p.ArriveBy - direct, Arrive: p.ArriveBy,
					Duration: direct, Stop: -1, Min: direct, Median: direct, Percentile: direct, journey: -1}
				if directM == graph.ModalityBike {
					t.ride = sc.rideMetres[s]
				}
			}
			return
		}
		for _, x := range searches {
			tt := x.rr.Target(0, int32(s), direct, p.Percentile) // the school is the target
			trip := tripOf(tt, ceiling)
			if !trip.Found {
				if !x.school {
					*t = trip // keeps the times over the window
				}
				continue
			}
			if x.school && t.Found && band(trip.Duration) >= band(t.Duration) {
				continue
			}
			switch {
			case tt.Walk && directM == graph.ModalityBike:
				trip.Modality, trip.ride = graph.ModalityBike, sc.rideMetres[s]
			case tt.Walk:
			default:
				if j, ok := x.rr.Journey(0, int32(s)); ok {
					out.journeys = append(out.journeys, j)
					trip.journey = int32(len(out.journeys) - 1)
					if a, ok := out.accessAt(j.Source); ok && a.Bike {
						trip.Modality = graph.ModalityBikeTransit
					}
				}
				if x.school {
					trip.Modality = graph.ModalitySchool
				}
			}
			*t = trip
		}
	}
	for _, x := range searches {
		for _, t := range x.rr.Reached(0) {
			evaluate(graph.SchoolIdx(t))
		}
	}
	for _, s := range sc.walked {
		evaluate(s)
	}
	for _, s := range sc.ridden {
		evaluate(s)
	}
	slices.Sort(sc.evaluated)
	for _, s := range sc.evaluated {
		if sc.trip[s].Found {
			out.Reached = append(out.Reached, s)
			out.Trips = append(out.Trips, sc.trip[s])
		}
	}
	if cells {
		var best *raptor.RangeResult
		for _, x := range searches {
			best = x.rr // with school buses when they exist
		}
		out.Cells = e.cellTimes(sc, best, p, ceiling)
	}
	return out, nil
}

// tripOf turns what a search says of a target into a trip.
func tripOf(tt raptor.TargetTimes, ceiling int32) Trip {
	if !tt.Found || tt.Duration > ceiling {
		return Trip{Stop: -1, Min: tt.Min, Median: tt.Median, Percentile: tt.Percentile, journey: -1}
	}
	m := graph.ModalityTransit
	if tt.Walk {
		m = graph.ModalityWalk
	}
	return Trip{Found: true, Modality: m, Depart: tt.Departure, Arrive: tt.Arrival, Duration: tt.Duration,
		Trips: tt.Trips, Stop: tt.Stop, Min: tt.Min, Median: tt.Median, Percentile: tt.Percentile, journey: -1}
}

// cellTimes evaluates the cells: the latest departure of the window whose
// journey (by a vehicle and the walk from its last stop, or walking
// straight from the origin) reaches the cell by the deadline, and that
// journey's duration. It returns the cells reached within the ceiling, by
// increasing cell.
func (e *Engine) cellTimes(sc *scratch, rr *raptor.RangeResult, p Params, ceiling int32) []CellTime {
	c := &e.g.Cells
	if len(sc.cellDep) < c.NumCells() {
		sc.cellDep = slices.Repeat([]int32{math.MinInt32}, c.NumCells())
		sc.cellDur = make([]int32, c.NumCells())
	}
	defer func() {
		for _, cell := range sc.cells {
			sc.cellDep[cell] = math.MinInt32
		}
		sc.cells = sc.cells[:0]
	}()
	improve := func(cell, d, a int32) {
		old := sc.cellDep[cell]
		if old == math.MinInt32 {
			sc.cells = append(sc.cells, cell)
		}
		if d > old || (d == old && a-d < sc.cellDur[cell]) {
			sc.cellDep[cell], sc.cellDur[cell] = d, a-d
		}
	}
	if rr != nil {
		for _, cell := range rr.Reached(1) {
			if tt := rr.Target(1, cell, -1, 0); tt.Found {
				improve(cell, tt.Departure, tt.Arrival)
			}
		}
	}
	// Walking straight from the origin: the search of the direct walks to
	// schools settled the nodes around the origin.
	if p.Modes.Walk && p.MaxDirectWalk > 0 && len(c.NodeCell) > 0 {
		limit := min(int32(p.MaxDirectWalk)*60, ceiling)
		if q := sc.schools.Search(); q != nil {
			for _, n := range q.Reached() {
				if w := walkSeconds(q.Dist(n), p.WalkSpeed); w <= limit {
					improve(c.NodeCell[n], p.ArriveBy-w, p.ArriveBy)
				}
			}
		}
	}
	// Riding straight from the origin: the nodes the ride settled.
	if p.Modes.Bike && e.bikeLimit > 0 && len(c.NodeCell) > 0 {
		if q := sc.bike.Search(); q != nil {
			for _, n := range q.Reached() {
				if w := walkSeconds(q.Dist(n), p.BikeSpeed); w <= ceiling {
					improve(c.NodeCell[n], p.ArriveBy-w, p.ArriveBy)
				}
			}
		}
	}
	out := make([]CellTime, 0, len(sc.cells))
	for _, cell := range sc.cells {
		if d := sc.cellDur[cell]; d <= ceiling {
			out = append(out, CellTime{cell, d})
		}
	}
	slices.SortFunc(out, func(a, b CellTime) int { return int(a.Cell - b.Cell) })
	return out
}

// band returns the index of the default band a duration falls in.
func band(d int32) int {
	return Band(d, DefaultCutoffs)
}

// Band returns the index of the first cut-off (minutes) that the duration
// (seconds) does not exceed, or len(cutoffs) when it exceeds them all.
func Band(d int32, cutoffs []int) int {
	for i, c := range cutoffs {
		if d <= int32(c)*60 {
			return i
		}
	}
	return len(cutoffs)
}

// walkMetres returns the metres walked by the journey to school s: to the
// first stop (unless ridden), between vehicles, and from the last stop (or
// straight to the school when walking).
func (r *Reachability) walkMetres(e *Engine, s graph.SchoolIdx) float64 {
	t := r.Trip(s)
	switch {
	case !t.Found || t.Modality == graph.ModalityBike:
		return 0
	case t.Modality == graph.ModalityWalk:
		return float64(t.Duration) * r.Params.WalkSpeed
	case t.journey < 0:
		return math.NaN()
	}
	j := &r.journeys[t.journey]
	m := e.egressMetres(s, j.Stop)
	if a, ok := r.accessAt(j.Source); ok && !a.Bike {
		m += a.Metres
	}
	for _, l := range j.Legs {
		if l.Kind != raptor.LegVehicle {
			m += e.footpathMetres(l.FromStop, l.ToStop, float64(l.Arrive-l.Depart)*r.Params.WalkSpeed)
		}
	}
	return m
}

// bikeMetres returns the metres ridden by the journey to school s: straight
// to the school, or to the first stop.
func (r *Reachability) bikeMetres(s graph.SchoolIdx) float64 {
	t := r.Trip(s)
	switch {
	case !t.Found:
		return 0
	case t.Modality == graph.ModalityBike:
		return float64(t.ride)
	case t.journey < 0:
		return 0
	}
	if a, ok := r.accessAt(r.journeys[t.journey].Source); ok && a.Bike {
		return a.Metres
	}
	return 0
}

// accessAt returns how the origin reaches a source stop.
func (r *Reachability) accessAt(stop graph.StopIdx) (StopNear, bool) {
	i, ok := slices.BinarySearchFunc(r.access, stop, func(a StopNear, s graph.StopIdx) int { return int(a.Stop - s) })
	if !ok {
		return StopNear{}, false
	}
	return r.access[i], true
}

// egressMetres returns the walk from a stop to school s.
func (e *Engine) egressMetres(s graph.SchoolIdx, stop graph.StopIdx) float64 {
	eg := &e.g.SchoolEgress
	for k := eg.Start[s]; k < eg.Start[s+1]; k++ {
		if eg.To[k] == stop {
			return float64(eg.Dist[k])
		}
	}
	return 0
}

// footpathMetres returns the street footpath length between two stops, or
// guess when there is none (a transfers.txt footpath).
func (e *Engine) footpathMetres(from, to graph.StopIdx, guess float64) float64 {
	ts, ds := e.g.StopPaths.From(int32(from))
	for i, t := range ts {
		if t == to {
			return float64(ds[i])
		}
	}
	return guess
}
