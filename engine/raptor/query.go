package raptor

import (
	"fmt"

	"reach/graph"
)

// Source is a stop where journeys start, at a given time (seconds since
// midnight of the service date).
type Source struct {
	Stop graph.StopIdx
	Time int32
}

// Query is a one-to-all earliest-arrival search.
type Query struct {
	Sources []Source
	// MaxTransfers is the most vehicle changes: journeys take at most
	// MaxTransfers+1 trips. 0 allows direct trips only; Unlimited (any
	// negative value) lifts the limit (up to MaxRounds trips). Most
	// callers want DefaultMaxTransfers.
	MaxTransfers int
	// Transfers are the footpaths between stops (nil: none).
	Transfers *Transfers
	// AllowSchool lets journeys use school-bus routes.
	AllowSchool bool
	// WalkFromSources lets journeys walk one footpath from a source
	// before the first trip.
	WalkFromSources bool
	// MinChange is the least time, in seconds, to change vehicles at a
	// stop; a stop's own minimum transfer time applies when longer.
	MinChange int32
	// WalkSpeed (m/s) times the footpaths of Transfers given in metres;
	// MaxWalk (metres, 0 for no bound) bounds them.
	WalkSpeed, MaxWalk float64
}

// params validates the query options.
func (q *Query) params(r *Router) (params, error) {
	return r.newParams(q.MaxTransfers, q.Transfers, q.AllowSchool, q.WalkFromSources, q.MinChange, q.WalkSpeed, q.MaxWalk)
}

// checkSources validates source stops and times.
func (r *Router) checkSources(src []Source) error {
	for i, s := range src {
		if s.Stop < 0 || int(s.Stop) >= r.numStops {
			return fmt.Errorf("raptor: source %d: stop %d out of range 0..%d", i, s.Stop, r.numStops-1)
		}
		if s.Time < -MaxTime || s.Time > MaxTime {
			return fmt.Errorf("raptor: source %d: time %d s outside ±%d", i, s.Time, MaxTime)
		}
	}
	return nil
}

// Route runs a one-to-all search. The result borrows memory from the
// router's pool: call Release when done with it. A query from no source
// reaches nothing.
func (r *Router) Route(q Query) (*Result, error) {
	p, err := q.params(r)
	if err != nil {
		return nil, err
	}
	if err := r.checkSources(q.Sources); err != nil {
		return nil, err
	}
	sc := r.get()
	sc.run(&p, q.Sources, false)
	if sc.badTransfer {
		r.put(sc)
		return nil, fmt.Errorf("raptor: invalid footpath in Query.Transfers (see Transfers.Validate)")
	}
	return &sc.res, nil
}

// run performs a plain search.
func (sc *scratch) run(p *params, src []Source, parents bool) {
	sc.begin(parents, p.maxRound)
	for _, s := range src {
		sc.source(p, s.Stop, s.Time)
	}
	sc.endRound()
	sc.search(p)
}

// Result is the outcome of a plain search. Its methods read memory that
// Release returns to the router; a Result must not be used after Release
// nor shared between goroutines.
type Result struct {
	sc *scratch
}

// NumStops returns the number of stops of the timetable.
func (res *Result) NumStops() int { return res.sc.nStops }

// Arrival returns the earliest arrival at stop s, or Unreachable.
func (res *Result) Arrival(s graph.StopIdx) int32 {
	if uint(s) >= uint(res.sc.nStops) {
		return Unreachable
	}
	return res.sc.best[s]
}

// Trips returns the fewest trips of a journey arriving at stop s at
// Arrival(s): 0 for a source or a stop reached by walking from one, -1 for
// an unreachable stop.
func (res *Result) Trips(s graph.StopIdx) int {
	if uint(s) >= uint(res.sc.nStops) || res.sc.best[s] >= Unreachable {
		return -1
	}
	return int(res.sc.trips[s])
}

// VehicleArrival returns the earliest arrival at stop s by a vehicle (the
// last leg of the journey is a trip, not a footpath), or Unreachable: where
// a walk to a target may start.
func (res *Result) VehicleArrival(s graph.StopIdx) int32 {
	if uint(s) >= uint(res.sc.nStops) {
		return Unreachable
	}
	return res.sc.vbest[s]
}

// VehicleTrips returns the fewest trips of a journey arriving at stop s by
// a vehicle at VehicleArrival(s), or -1 when no vehicle reaches s.
func (res *Result) VehicleTrips(s graph.StopIdx) int {
	if uint(s) >= uint(res.sc.nStops) || res.sc.vbest[s] >= Unreachable {
		return -1
	}
	return int(res.sc.vtrips[s])
}

// Rounds returns the number of rounds holding labels: ArrivalInRound gives
// the same answer for every k ≥ Rounds()-1.
func (res *Result) Rounds() int { return res.sc.rounds }

// ArrivalInRound returns the earliest arrival at stop s of the journeys
// with at most k trips, or Unreachable.
func (res *Result) ArrivalInRound(k int, s graph.StopIdx) int32 {
	sc := res.sc
	if uint(s) >= uint(sc.nStops) || k < 0 {
		return Unreachable
	}
	k = min(k, sc.rounds-1)
	return sc.arr[k*sc.nStops+int(s)]
}

// ScannedStopTimes returns the number of route positions the search
// scanned, a measure of its work.
func (res *Result) ScannedStopTimes() int64 { return res.sc.scanned }

// Release returns the result's memory to the router's pool. Releasing
// twice is harmless as long as no other query ran in between.
func (res *Result) Release() { res.sc.r.put(res.sc) }
