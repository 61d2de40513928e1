package raptor

import (
	"math"
	"sort"

	"reach/graph"
)

// This file is an independent earliest-arrival implementation used only to
// check the router. It shares no search code with it: a layered Connection
// Scan over connections rebuilt from the timetable arrays, computing the
// arrivals with at most k trips from those with at most k−1, with the
// journey model of the package documentation written out directly:
//
//	V_k(s) = min(V_{k−1}(s), arrivals at s of trips boarded at a stop b with
//	         departure ≥ R_{k−1}(b))
//	F_k(u) = min(F_{k−1}(u), V_k(s) + f(s, u) for every footpath s → u)
//	R_k(s) = min(V_k(s) + max(StopMinTransfer[s], MinChange), F_k(s))
//	A_k(s) = min(V_k(s), F_k(s))
//
// with F_0 the source times (and, with WalkFromSources, source time plus
// footpath) and V_0 = ∞.

// refInf is the reference's infinity; it is compared with Unreachable.
const refInf = math.MaxInt32 / 4

// refConn is one hop of one trip between consecutive stops.
type refConn struct {
	from, to     graph.StopIdx
	dep, arr     int32
	trip, pos    int32
	pickup, drop bool
	school       bool
}

// refEdge is a footpath.
type refEdge struct {
	from, to graph.StopIdx
	secs     int32
}

// refNet is the reference's view of a timetable.
type refNet struct {
	nStops  int
	nTrips  int
	conns   []refConn
	minXfer []int32
}

func newRefNet(tt *graph.Timetable) *refNet {
	n := &refNet{nStops: len(tt.StopID), nTrips: len(tt.TripID), minXfer: tt.StopMinTransfer}
	for r := 0; r+1 < len(tt.RouteStopStart); r++ {
		stops := tt.RouteStops[tt.RouteStopStart[r]:tt.RouteStopStart[r+1]]
		flags := tt.RouteStopFlags[tt.RouteStopStart[r]:tt.RouteStopStart[r+1]]
		school := tt.LineSchool[tt.RouteLine[r]]
		ns := len(stops)
		for trip := tt.RouteTripStart[r]; trip < tt.RouteTripStart[r+1]; trip++ {
			row := int(tt.RouteStopTimeStart[r]) + int(trip-tt.RouteTripStart[r])*ns
			for p := 0; p+1 < ns; p++ {
				n.conns = append(n.conns, refConn{
					from: stops[p], to: stops[p+1],
					dep: tt.Departures[row+p], arr: tt.Arrivals[row+p+1],
					trip: trip, pos: int32(p),
					pickup: flags[p]&graph.NoPickup == 0, drop: flags[p+1]&graph.NoDropoff == 0,
					school: school,
				})
			}
		}
	}
	sort.Slice(n.conns, func(i, j int) bool {
		a, b := n.conns[i], n.conns[j]
		if a.dep != b.dep {
			return a.dep < b.dep
		}
		if a.trip != b.trip {
			return a.trip < b.trip
		}
		return a.pos < b.pos
	})
	return n
}

// refGTFSEdges reads the footpaths of transfers.txt from the timetable
// arrays, skipping loops.
func refGTFSEdges(tt *graph.Timetable) []refEdge {
	var out []refEdge
	for s := 0; s+1 < len(tt.TransferStart); s++ {
		for i := tt.TransferStart[s]; i < tt.TransferStart[s+1]; i++ {
			if int(tt.TransferTo[i]) != s {
				out = append(out, refEdge{graph.StopIdx(s), tt.TransferTo[i], tt.TransferTime[i]})
			}
		}
	}
	return out
}

// refStreetEdges converts a distance CSR at a walk speed, rounding up.
func refStreetEdges(start []int32, to []graph.StopIdx, dist []float32, speed float64) []refEdge {
	var out []refEdge
	for s := 0; s+1 < len(start); s++ {
		for i := start[s]; i < start[s+1]; i++ {
			if int(to[i]) != s {
				out = append(out, refEdge{graph.StopIdx(s), to[i], int32(math.Ceil(float64(dist[i]) / speed))})
			}
		}
	}
	return out
}

// refQuery is a reference search.
type refQuery struct {
	sources         []Source
	maxTrips        int // < 0: until nothing changes
	edges           []refEdge
	allowSchool     bool
	walkFromSources bool
	minChange       int32
}

// refResult holds A_k for every layer computed, the earliest arrival and
// the fewest trips achieving it.
type refResult struct {
	layers [][]int32
	best   []int32
	trips  []int32
}

// solve runs the layered connection scan.
func (n *refNet) solve(q refQuery) refResult {
	inf := func() []int32 {
		a := make([]int32, n.nStops)
		for i := range a {
			a[i] = refInf
		}
		return a
	}
	V, F := inf(), inf()
	for _, s := range q.sources {
		F[s.Stop] = min(F[s.Stop], s.Time)
	}
	if q.walkFromSources {
		for _, e := range q.edges {
			for _, s := range q.sources {
				if s.Stop == e.from {
					F[e.to] = min(F[e.to], s.Time+e.secs)
				}
			}
		}
	}
	ready := func(V, F []int32) []int32 {
		R := inf()
		for s := range R {
			if V[s] < refInf {
				R[s] = V[s] + max(n.minXfer[s], q.minChange)
			}
			R[s] = min(R[s], F[s])
		}
		return R
	}
	arrival := func(V, F []int32) []int32 {
		A := make([]int32, n.nStops)
		for s := range A {
			A[s] = min(V[s], F[s])
		}
		return A
	}
	res := refResult{layers: [][]int32{arrival(V, F)}}
	limit := q.maxTrips
	if limit < 0 {
		limit = 1000
	}
	// No label is earlier than the earliest source: connections leaving
	// before it cannot be boarded.
	first := len(n.conns)
	if len(q.sources) > 0 {
		t0 := q.sources[0].Time
		for _, s := range q.sources {
			t0 = min(t0, s.Time)
		}
		first = sort.Search(len(n.conns), func(i int) bool { return n.conns[i].dep >= t0 })
	}
	for k := 1; k <= limit; k++ {
		R := ready(V, F)
		nV := append([]int32(nil), V...)
		boarded := make([]bool, n.nTrips)
		for _, c := range n.conns[first:] {
			if c.school && !q.allowSchool {
				continue
			}
			if !boarded[c.trip] && c.pickup && R[c.from] <= c.dep {
				boarded[c.trip] = true
			}
			if boarded[c.trip] && c.drop && c.arr < nV[c.to] {
				nV[c.to] = c.arr
			}
		}
		nF := append([]int32(nil), F...)
		for _, e := range q.edges {
			if nV[e.from] < refInf {
				nF[e.to] = min(nF[e.to], nV[e.from]+e.secs)
			}
		}
		same := true
		for s := range nV {
			if nV[s] != V[s] || nF[s] != F[s] {
				same = false
				break
			}
		}
		V, F = nV, nF
		res.layers = append(res.layers, arrival(V, F))
		if same {
			break // later layers would be the same
		}
	}
	last := res.layers[len(res.layers)-1]
	res.best = last
	res.trips = make([]int32, n.nStops)
	for s := range last {
		res.trips[s] = -1
		if last[s] >= refInf {
			continue
		}
		for k, A := range res.layers {
			if A[s] == last[s] {
				res.trips[s] = int32(k)
				break
			}
		}
	}
	return res
}
