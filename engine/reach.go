package engine

import (
	"math"

	"reach/engine/raptor"
	"reach/graph"
)

// Trip is the best way found to one target.
type Trip struct {
	Found    bool
	Modality graph.Modality
	Depart   int32 // leaving the origin
	Arrive   int32 // at the target
	Duration int32 // Arrive - Depart, seconds
	Trips    int   // vehicles taken
	Stop     int32 // stop where the trip leaves transit, -1 when walking
	// Travel time over the departure window (seconds; raptor.Unreachable
	// when too few departures reach the target).
	Min, Median, Percentile int32
}

// Reachability is the answer to a request for every school of the graph.
type Reachability struct {
	Params  Params
	Schools []Trip // indexed by school
	// Access is the number of stops within walking distance of the origin.
	Access int
	// Scanned counts the route positions the searches scanned.
	Scanned int64
	// Cells holds, when asked for, the door-to-door duration of the
	// arrive-by journey to each cell of the graph (Graph.Cells.Cell), in
	// seconds, or Unreachable.
	Cells []int32
}

// Reach runs the request and evaluates every school.
func (e *Engine) Reach(p Params) (*Reachability, error) { return e.reach(p, false) }

// ReachCells is Reach that also evaluates every H3 cell of the graph.
func (e *Engine) ReachCells(p Params) (*Reachability, error) { return e.reach(p, true) }

func (e *Engine) reach(p Params, cells bool) (*Reachability, error) {
	if err := p.valid(); err != nil {
		return nil, err
	}
	sc := e.pool.Get().(*scratch)
	defer e.pool.Put(sc)
	pl := &e.g.Places
	out := &Reachability{Params: p, Schools: make([]Trip, pl.NumSchools())}
	window := int32(p.MaxMinutes) * 60
	from := p.ArriveBy - window
	ceiling := window

	// Direct walks to schools.
	for i := range sc.direct {
		sc.direct[i] = -1
	}
	if p.Modes.Walk && p.MaxDirectWalk > 0 {
		maxd := math.Min(float64(p.MaxDirectWalk)*60, float64(ceiling)) * p.WalkSpeed
		for _, h := range e.schools.FromPlace(sc.schools, p.Lat, p.Lon, maxd) {
			sc.direct[h.Point] = walkSeconds(h.Dist, p.WalkSpeed)
		}
	}

	// Range searches: without school buses, then with them when they exist.
	var plain, withSchool *raptor.RangeResult
	if p.Modes.Transit {
		hits := e.stops.FromPlace(sc.stops, p.Lat, p.Lon, p.MaxWalk)
		out.Access = len(hits)
		sc.sources = sc.sources[:0]
		for _, h := range hits {
			sc.sources = append(sc.sources, raptor.SourceOffset{Stop: h.Point, Offset: walkSeconds(h.Dist, p.WalkSpeed)})
		}
		tr, err := e.Transfers(p.Transfers, p.WalkSpeed)
		if err != nil {
			return nil, err
		}
		q := raptor.RangeQuery{
			Sources: sc.sources, From: from, To: p.ArriveBy + 1, Step: 60,
			MaxTransfers: p.MaxTransfers, Transfers: tr,
		}
		if len(sc.sources) > 0 {
			if plain, err = e.router.Range(q); err != nil {
				return nil, err
			}
			defer plain.Release()
			out.Scanned += plain.ScannedStopTimes()
			if p.Modes.School && e.school {
				q.AllowSchool = true
				if withSchool, err = e.router.Range(q); err != nil {
					return nil, err
				}
				defer withSchool.Release()
				out.Scanned += withSchool.ScannedStopTimes()
			}
		}
	}

	for s := range out.Schools {
		direct := sc.direct[s]
		if plain == nil {
			if direct >= 0 && direct <= ceiling {
				out.Schools[s] = Trip{Found: true, Modality: graph.ModalityWalk, Depart: p.ArriveBy - direct, Arrive: p.ArriveBy,
					Duration: direct, Stop: -1, Min: direct, Median: direct, Percentile: direct}
			}
			continue
		}
		sc.egress = e.egress(sc.egress[:0], int32(s), p)
		t := evaluate(plain, sc.egress, direct, p, ceiling)
		if withSchool != nil {
			ts := evaluate(withSchool, sc.egress, direct, p, ceiling)
			if ts.Found && (!t.Found || band(ts.Duration) < band(t.Duration)) {
				ts.Modality = graph.ModalitySchool
				t = ts
			}
		}
		out.Schools[s] = t
	}
	if cells {
		best := plain
		if withSchool != nil {
			best = withSchool
		}
		out.Cells = e.cellTimes(sc, best, p, ceiling)
	}
	return out, nil
}

// cellTimes evaluates every cell: the latest departure of the window whose
// journey (by a stop and the walk from it, or walking straight from the
// origin) reaches the cell by the deadline, and that journey's duration.
func (e *Engine) cellTimes(sc *scratch, rr *raptor.RangeResult, p Params, ceiling int32) []int32 {
	c := &e.g.Cells
	nc := c.NumCells()
	dep := make([]int32, nc) // latest departure reaching the cell, or -inf
	arr := make([]int32, nc)
	for i := range dep {
		dep[i], arr[i] = math.MinInt32, Unreachable
	}
	improve := func(cell int32, d, a int32) {
		if d > dep[cell] || (d == dep[cell] && a < arr[cell]) {
			dep[cell], arr[cell] = d, a
		}
	}
	// Walking straight from the origin: the search of the direct walks to
	// schools settled the nodes around the origin.
	if p.Modes.Walk && p.MaxDirectWalk > 0 && len(c.NodeCell) > 0 {
		if q := sc.schools.Search(); q != nil {
			for _, n := range q.Reached() {
				w := walkSeconds(q.Dist(n), p.WalkSpeed)
				if w <= ceiling {
					improve(c.NodeCell[n], p.ArriveBy-w, p.ArriveBy)
				}
			}
		}
	}
	if rr != nil {
		m := rr.NumMinutes()
		for s := int32(0); s < int32(rr.NumStops()); s++ {
			if rr.Arrival(0, s) == raptor.Unreachable {
				continue // no departure of the window reaches it
			}
			cells, dist := c.From(s)
			for k, cell := range cells {
				w := walkSeconds(float64(dist[k]), p.WalkSpeed)
				if float64(dist[k]) > p.MaxWalk {
					break // sorted by distance
				}
				// Latest minute whose arrival plus the walk meets the deadline:
				// arrivals never decrease with the departure.
				lo, hi := 0, m // answer in [lo-1, hi)
				for lo < hi {
					mid := (lo + hi) / 2
					if a := rr.Arrival(mid, s); a != raptor.Unreachable && a+w <= p.ArriveBy {
						lo = mid + 1
					} else {
						hi = mid
					}
				}
				if lo == 0 {
					continue
				}
				improve(cell, rr.Departure(lo-1), rr.Arrival(lo-1, s)+w)
			}
		}
	}
	out := make([]int32, nc)
	for i := range out {
		out[i] = Unreachable
		if dep[i] != math.MinInt32 && arr[i]-dep[i] <= ceiling {
			out[i] = arr[i] - dep[i]
		}
	}
	return out
}

// egress appends the stops near school s with their walking times.
func (e *Engine) egress(dst []raptor.StopCost, s int32, p Params) []raptor.StopCost {
	eg := &e.g.SchoolEgress
	to, dist := eg.To[eg.Start[s]:eg.Start[s+1]], eg.Dist[eg.Start[s]:eg.Start[s+1]]
	for i, st := range to {
		if float64(dist[i]) > p.MaxWalk {
			break // sorted by distance
		}
		dst = append(dst, raptor.StopCost{Stop: st, Seconds: walkSeconds(float64(dist[i]), p.WalkSpeed)})
	}
	return dst
}

// evaluate turns a range result into the trip to one target.
func evaluate(rr *raptor.RangeResult, egress []raptor.StopCost, direct int32, p Params, ceiling int32) Trip {
	tt := rr.Evaluate(egress, direct, p.ArriveBy, p.Percentile)
	if !tt.Found || tt.Duration > ceiling {
		return Trip{Stop: -1, Min: tt.Min, Median: tt.Median, Percentile: tt.Percentile}
	}
	m := graph.ModalityTransit
	if tt.Walk {
		m = graph.ModalityWalk
	}
	return Trip{Found: true, Modality: m, Depart: tt.Departure, Arrive: tt.Arrival, Duration: tt.Duration,
		Trips: tt.Trips, Stop: tt.Stop, Min: tt.Min, Median: tt.Median, Percentile: tt.Percentile}
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
