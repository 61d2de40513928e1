package raptor

import "fmt"

// SourceOffset is a stop where journeys start, reached Offset seconds after
// the departure from the origin (the access walk).
type SourceOffset struct {
	Stop   int32
	Offset int32
}

// DefaultStep is the default interval between the departures of a range
// query, in seconds.
const DefaultStep = 60

// MaxMinutes is the most departures a range query may have (six hours of
// minutes), which bounds its memory to MaxMinutes × stops × 8 bytes.
const MaxMinutes = 6 * 60

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
	}
}

// Range runs a range search (rRAPTOR): departures are processed latest
// first, each search starting from the labels of the later one. For every
// departure and stop the result holds the earliest arrival and the fewest
// trips achieving it, exactly as a plain search at that departure would.
// The result borrows memory from the router's pool: call Release when done.
func (r *Router) Range(q RangeQuery) (*RangeResult, error) {
	p, err := r.newParams(q.MaxTransfers, q.Transfers, q.AllowSchool, q.WalkFromSources, q.MinChange)
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
	sc := r.get()
	sc.runRange(&p, q.Sources, q.From, step, int(minutes))
	if sc.badTransfer {
		r.put(sc)
		return nil, fmt.Errorf("raptor: invalid footpath in RangeQuery.Transfers (see Transfers.Validate)")
	}
	return &sc.rres, nil
}

// runRange performs a range search over the given departures.
func (sc *scratch) runRange(p *params, src []SourceOffset, from, step int32, minutes int) {
	sc.minutes, sc.from, sc.step = minutes, from, step
	size := minutes * sc.nStops
	if len(sc.outArr) < size {
		sc.outArr = make([]int32, size)
		sc.outTrips = make([]int32, size)
	}
	if len(sc.evalBuf) < minutes {
		sc.evalBuf = make([]int32, minutes)
	}
	sc.begin(false, p.maxRound)
	for m := minutes - 1; m >= 0; m-- {
		dep := from + int32(m)*step
		sc.startMinute()
		for _, s := range src {
			sc.source(p, s.Stop, dep+s.Offset)
		}
		sc.endRound()
		sc.search(p)
		copy(sc.outArr[m*sc.nStops:], sc.best)
		copy(sc.outTrips[m*sc.nStops:], sc.trips)
	}
}

// RangeResult is the outcome of a range search: per departure minute and
// per stop, the earliest arrival and the fewest trips achieving it. Its
// methods read memory that Release returns to the router's pool; a
// RangeResult must not be used after Release nor shared between goroutines.
type RangeResult struct {
	sc *scratch
}

// NumMinutes returns the number of departures of the window.
func (rr *RangeResult) NumMinutes() int { return rr.sc.minutes }

// NumStops returns the number of stops of the timetable.
func (rr *RangeResult) NumStops() int { return rr.sc.nStops }

// Departure returns the departure time of minute m.
func (rr *RangeResult) Departure(m int) int32 { return rr.sc.from + int32(m)*rr.sc.step }

// Arrival returns the earliest arrival at stop s when departing at minute
// m, or Unreachable.
func (rr *RangeResult) Arrival(m int, s int32) int32 {
	sc := rr.sc
	if uint(m) >= uint(sc.minutes) || uint(s) >= uint(sc.nStops) {
		return Unreachable
	}
	return sc.outArr[m*sc.nStops+int(s)]
}

// Trips returns the fewest trips of a journey departing at minute m and
// arriving at stop s at Arrival(m, s), or -1 if s is unreachable.
func (rr *RangeResult) Trips(m int, s int32) int {
	sc := rr.sc
	if uint(m) >= uint(sc.minutes) || uint(s) >= uint(sc.nStops) {
		return -1
	}
	i := m*sc.nStops + int(s)
	if sc.outArr[i] >= Unreachable {
		return -1
	}
	return int(sc.outTrips[i])
}

// ScannedStopTimes returns the number of route positions scanned over all
// departures.
func (rr *RangeResult) ScannedStopTimes() int64 { return rr.sc.scanned }

// Release returns the result's memory to the router's pool. Releasing
// twice is harmless as long as no other query ran in between.
func (rr *RangeResult) Release() { rr.sc.r.put(rr.sc) }
