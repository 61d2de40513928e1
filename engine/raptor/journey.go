package raptor

import (
	"errors"
	"fmt"
	"slices"
	"sort"

	"reach/graph"
)

// ErrUnreachable is returned by Journey when no egress stop is reached.
var ErrUnreachable = errors.New("raptor: target unreachable")

// StopCost is a stop and a cost in seconds, such as the egress walk from
// the stop to a target.
type StopCost struct {
	Stop    graph.StopIdx
	Seconds int32
}

// LegKind tells what a leg of a journey is.
type LegKind uint8

// Leg kinds.
const (
	// LegWalk is a footpath from a source stop before the first trip.
	LegWalk LegKind = iota
	// LegVehicle is a ride on one trip.
	LegVehicle
	// LegTransfer is a footpath after a trip, to the next trip's stop or
	// to the journey's last stop.
	LegTransfer
)

// String returns the kind's name.
func (k LegKind) String() string {
	switch k {
	case LegWalk:
		return "walk"
	case LegVehicle:
		return "vehicle"
	case LegTransfer:
		return "transfer"
	}
	return fmt.Sprintf("LegKind(%d)", uint8(k))
}

// Leg is one part of a journey. Times are seconds since midnight of the
// service date. Vehicle legs name the line, RAPTOR route, global trip and
// the positions in the route; the other legs have -1 there.
type Leg struct {
	Kind             LegKind
	FromStop, ToStop graph.StopIdx
	Depart, Arrive   int32
	Line             graph.LineIdx
	Route            graph.RouteIdx
	Trip             graph.TripIdx
	BoardPos         int32
	AlightPos        int32
}

// Journey is an earliest-arrival journey with the fewest trips.
type Journey struct {
	Legs      []Leg
	Source    graph.StopIdx // the source stop it starts from
	Start     int32         // the time of that source
	Stop      graph.StopIdx // the egress stop it ends at
	Egress    int32         // egress walk from Stop, seconds
	Arrival   int32         // arrival at the target: arrival at Stop + Egress
	Trips     int           // number of vehicle legs
	Transfers int           // footpaths after a trip (LegTransfer legs)
}

// Journey runs a plain search from q with parent pointers and returns the
// journey reaching the target (egress stops and their walk seconds) at
// the earliest time, with the fewest trips among those, leaving transit at
// the first egress stop that achieves this. It returns ErrUnreachable when no
// egress stop is reached.
func (r *Router) Journey(q Query, egress []StopCost) (Journey, error) {
	p, err := q.params(r)
	if err != nil {
		return Journey{}, err
	}
	if err := r.checkSources(q.Sources); err != nil {
		return Journey{}, err
	}
	for i, e := range egress {
		if e.Stop < 0 || int(e.Stop) >= r.numStops || e.Seconds < 0 || e.Seconds > MaxTime {
			return Journey{}, fmt.Errorf("raptor: egress %d: stop %d or %d s out of range", i, e.Stop, e.Seconds)
		}
	}
	sc := r.get()
	defer r.put(sc)
	sc.run(&p, q.Sources, true)
	if sc.badTransfer {
		return Journey{}, fmt.Errorf("raptor: invalid footpath in Query.Transfers (see Transfers.Validate)")
	}
	j := Journey{Stop: -1, Arrival: Unreachable}
	for _, e := range egress {
		a := sc.best[e.Stop]
		if a >= Unreachable {
			continue
		}
		k := int(sc.trips[e.Stop])
		if a+e.Seconds < j.Arrival || (a+e.Seconds == j.Arrival && k < j.Trips) {
			j.Stop, j.Egress, j.Arrival, j.Trips = e.Stop, e.Seconds, a+e.Seconds, k
		}
	}
	if j.Stop < 0 {
		return Journey{}, ErrUnreachable
	}
	legs, err := sc.reconstruct(&p, &j, nil, false)
	if err != nil {
		return Journey{}, err
	}
	j.Legs = legs
	return j, nil
}

// reconstruct follows the parent pointers from j.Stop, reached with j.Trips
// trips, back to a source, appending the legs to legs in journey order.
// It explains the stop's vehicle arrival (vbest) when fromVehicle, its best
// arrival of any kind otherwise. It sets j's Source, Start and Transfers.
func (sc *scratch) reconstruct(p *params, j *Journey, legs []Leg, fromVehicle bool) ([]Leg, error) {
	tt := sc.tt
	n := sc.nStops
	k := j.Trips
	u := j.Stop
	at := func(k int, s graph.StopIdx) int { return k*n + int(s) }
	first := len(legs)
	// The label to explain: u's vehicle or footpath arrival in round k.
	var byVehicle bool
	if fromVehicle {
		byVehicle = true
		if sc.veh[at(k, u)] != sc.vbest[u] {
			return legs, fmt.Errorf("raptor: internal error: no vehicle label of stop %d in round %d equals its arrival", u, k)
		}
	} else {
		v := sc.best[u]
		byVehicle = sc.veh[at(k, u)] == v
		if !byVehicle && sc.foot[at(k, u)] != v {
			return legs, fmt.Errorf("raptor: internal error: no label of stop %d in round %d equals its arrival", u, k)
		}
	}
	j.Transfers = 0
	for steps := 0; ; steps++ {
		if steps > 4*MaxRounds+4 {
			return legs, fmt.Errorf("raptor: internal error: journey reconstruction does not end")
		}
		if !byVehicle {
			for k > 0 && sc.foot[at(k-1, u)] == sc.foot[at(k, u)] {
				k--
			}
			v := sc.foot[at(k, u)]
			from := sc.pFoot[at(k, u)]
			if from < 0 { // a source
				j.Source, j.Start = u, v
				break
			}
			f, ok := footpath(p, from, u)
			if !ok {
				return legs, fmt.Errorf("raptor: internal error: no footpath from stop %d to %d", from, u)
			}
			if k == 0 {
				legs = append(legs, Leg{Kind: LegWalk, FromStop: from, ToStop: u, Depart: v - f, Arrive: v,
					Line: -1, Route: -1, Trip: -1, BoardPos: -1, AlightPos: -1})
				j.Source, j.Start = from, v-f
				break
			}
			dep := sc.veh[at(k, from)]
			if dep+f != v {
				return legs, fmt.Errorf("raptor: internal error: footpath from stop %d to %d does not match labels", from, u)
			}
			legs = append(legs, Leg{Kind: LegTransfer, FromStop: from, ToStop: u, Depart: dep, Arrive: v,
				Line: -1, Route: -1, Trip: -1, BoardPos: -1, AlightPos: -1})
			j.Transfers++
			u, byVehicle = from, true
			continue
		}
		for k > 0 && sc.veh[at(k-1, u)] == sc.veh[at(k, u)] {
			k--
		}
		if k == 0 {
			return legs, fmt.Errorf("raptor: internal error: vehicle label of stop %d in round 0", u)
		}
		i := at(k, u)
		trip, board, alight := sc.pTrip[i], sc.pBoard[i], sc.pAlight[i]
		r := graph.RouteIdx(sort.Search(len(tt.RouteTripStart)-1, func(x int) bool { return graph.TripIdx(tt.RouteTripStart[x+1]) > trip }))
		rs := tt.RouteStopStart[r]
		ti := int32(trip) - tt.RouteTripStart[r]
		dep := tt.Departures[tt.StopTimeIndex(r, ti, board)]
		arr := tt.Arrivals[tt.StopTimeIndex(r, ti, alight)]
		if arr != sc.veh[i] || tt.RouteStops[rs+alight] != u {
			return legs, fmt.Errorf("raptor: internal error: vehicle label of stop %d does not match trip %s", u, tt.TripID[trip])
		}
		bs := tt.RouteStops[rs+board]
		legs = append(legs, Leg{Kind: LegVehicle, FromStop: bs, ToStop: u, Depart: dep, Arrive: arr,
			Line: tt.RouteLine[r], Route: r, Trip: trip, BoardPos: board, AlightPos: alight})
		// The boarding used a round k-1 label of bs: a vehicle arrival
		// with the change time, or a footpath or source arrival.
		k--
		u = bs
		c := max(tt.StopMinTransfer[bs], p.minChange)
		if w := sc.veh[at(k, bs)]; w < Unreachable && w+c <= dep {
			byVehicle = true
		} else if sc.foot[at(k, bs)] <= dep {
			byVehicle = false
		} else {
			return legs, fmt.Errorf("raptor: internal error: nothing explains boarding trip %s at stop %d", tt.TripID[trip], bs)
		}
	}
	slices.Reverse(legs[first:])
	return legs, nil
}

// footpath returns the time of the quickest footpath from s to u the
// query may take.
func footpath(p *params, s, u graph.StopIdx) (int32, bool) {
	tr := p.tr
	if tr == nil || uint(s) >= uint(tr.NumStops()) {
		return 0, false
	}
	best, ok := int32(0), false
	for i := tr.Start[s]; i < tr.Start[s+1]; i++ {
		if tr.To[i] != u {
			continue
		}
		if f, can := p.footTime(tr, i); can && (!ok || f < best) {
			best, ok = f, true
		}
	}
	return best, ok
}
