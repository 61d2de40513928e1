package raptor

import (
	"fmt"
	"math"
	"sync"

	"reach/graph"
)

// Unreachable is the arrival time of a stop that no journey reaches; it is
// later than any time a journey can have.
const Unreachable int32 = 1 << 30

// MaxTime bounds the absolute value of source times and timetable times
// (about 3,100 days), so that label arithmetic never overflows.
const MaxTime = 1 << 28

// DefaultMaxTransfers is a sensible MaxTransfers for queries (9 trips).
const DefaultMaxTransfers = 8

// Unlimited as MaxTransfers lets the search run until no label improves,
// up to MaxRounds trips.
const Unlimited = -1

// MaxRounds is the most trips a journey may take, whatever MaxTransfers.
const MaxRounds = 255

// Router answers queries over one timetable. It is read-only after
// NewRouter and safe for concurrent use; per-query memory comes from an
// internal pool.
type Router struct {
	tt          *graph.Timetable
	numStops    int
	routeSchool []bool // per route: its line is a school line
	pool        sync.Pool
}

// NewRouter validates the timetable and returns a router over it. The
// timetable must not be modified while the router is in use.
func NewRouter(tt *graph.Timetable) (*Router, error) {
	if tt == nil {
		return nil, fmt.Errorf("raptor: nil timetable")
	}
	if err := tt.Validate(); err != nil {
		return nil, fmt.Errorf("raptor: %w", err)
	}
	for s, c := range tt.StopMinTransfer {
		if c < 0 || c > MaxFootpath {
			return nil, fmt.Errorf("raptor: stop %s has minimum transfer time %d s, outside 0..%d", tt.StopID[s], c, MaxFootpath)
		}
	}
	for _, times := range [][]int32{tt.Arrivals, tt.Departures} {
		for i, t := range times {
			if t < -MaxTime || t > MaxTime {
				return nil, fmt.Errorf("raptor: stop time %d is %d s, outside ±%d", i, t, MaxTime)
			}
		}
	}
	r := &Router{tt: tt, numStops: tt.NumStops(), routeSchool: make([]bool, tt.NumRoutes())}
	for i := range r.routeSchool {
		r.routeSchool[i] = tt.RouteSchool(graph.RouteIdx(i))
	}
	r.pool.New = func() any { return newScratch(r) }
	return r, nil
}

// Timetable returns the timetable the router scans.
func (r *Router) Timetable() *graph.Timetable { return r.tt }

// params are the validated options shared by plain and range queries.
type params struct {
	maxRound        int // most trips
	tr              *Transfers
	allowSchool     bool
	walkFromSources bool
	minChange       int32
	walkSpeed       float64 // m/s, for footpaths given in metres
	maxWalk         float64 // metres: longer walks are not taken
}

// footTime returns the time of footpath i of tr (an index into To), and
// whether the query may take it.
func (p *params) footTime(tr *Transfers, i int32) (int32, bool) {
	if tr.Metres != nil {
		if m := float64(tr.Metres[i]); m >= 0 {
			if m > p.maxWalk {
				return 0, false
			}
			return WalkSeconds(m, p.walkSpeed), true
		}
	}
	return tr.Time[i], true
}

// newParams validates the common query options.
func (r *Router) newParams(maxTransfers int, tr *Transfers, allowSchool, walk bool, minChange int32, walkSpeed, maxWalk float64) (params, error) {
	p := params{allowSchool: allowSchool, walkFromSources: walk, minChange: minChange, walkSpeed: walkSpeed, maxWalk: maxWalk}
	if maxWalk == 0 {
		p.maxWalk = math.Inf(1)
	}
	if tr != nil && tr.Metres != nil && !(walkSpeed > 0 && walkSpeed < 1000) {
		return p, fmt.Errorf("raptor: walk speed %v m/s for footpaths given in metres", walkSpeed)
	}
	if !(maxWalk >= 0) {
		return p, fmt.Errorf("raptor: max walk %v m", maxWalk)
	}
	switch {
	case maxTransfers < 0:
		p.maxRound = MaxRounds
	case maxTransfers >= MaxRounds:
		return p, fmt.Errorf("raptor: MaxTransfers %d exceeds %d", maxTransfers, MaxRounds-1)
	default:
		p.maxRound = maxTransfers + 1
	}
	if minChange < 0 || minChange > MaxFootpath {
		return p, fmt.Errorf("raptor: MinChange %d s outside 0..%d", minChange, MaxFootpath)
	}
	if tr != nil && len(tr.To) > 0 {
		// The footpath loops check destinations and times as they go;
		// only the sizes are checked here, in constant time.
		if len(tr.Start) != r.numStops+1 || len(tr.To) != len(tr.Time) || (tr.Metres != nil && len(tr.Metres) != len(tr.To)) {
			return p, fmt.Errorf("raptor: transfers of %d stops (%d destinations, %d times) for a timetable of %d stops",
				tr.NumStops(), len(tr.To), len(tr.Time), r.numStops)
		}
		p.tr = tr
	}
	return p, nil
}

// get borrows a scratch space from the pool.
func (r *Router) get() *scratch {
	sc := r.pool.Get().(*scratch)
	sc.inUse = true
	return sc
}

// put returns a scratch space to the pool; a second put of the same
// borrowing is ignored.
func (r *Router) put(sc *scratch) {
	if sc.inUse {
		sc.inUse = false
		r.pool.Put(sc)
	}
}
