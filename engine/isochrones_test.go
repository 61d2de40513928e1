package engine

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/uber/h3-go/v4"

	"reach/engine/raptor"
	"reach/graph"
)

// checkIsochroneBands checks, from each address, that cumulative bands
// nest, that rings add up to them, and that each outline's area equals
// its cells' area within 0.5 %. It returns the cells of the last bands.
func checkIsochroneBands(t *testing.T, name string, e *Engine, addrs [][2]float64, arriveBy int32) int {
	t.Helper()
	reached := 0
	for _, a := range addrs {
		p := DefaultParams(a[0], a[1])
		p.ArriveBy = arriveBy
		cum, err := e.Isochrone(context.Background(), IsochroneRequest{Params: p})
		if err != nil {
			t.Fatal(err)
		}
		rings, err := e.Isochrone(context.Background(), IsochroneRequest{Params: p, Rings: true})
		if err != nil {
			t.Fatal(err)
		}
		cells, err := e.Isochrone(context.Background(), IsochroneRequest{Params: p, Format: "h3"})
		if err != nil {
			t.Fatal(err)
		}
		ringSum := 0
		for i, f := range cum.Features {
			if i > 0 && f.Properties.Cells < cum.Features[i-1].Properties.Cells {
				t.Fatalf("%s: cumulative bands shrink", name)
			}
			ringSum += rings.Features[i].Properties.Cells
			if ringSum != f.Properties.Cells {
				t.Fatalf("%s band %d: rings add to %d cells, cumulative has %d", name, i, ringSum, f.Properties.Cells)
			}
			var want float64
			for _, s := range cells.Bands[i].Cells {
				c := h3.Cell(h3.IndexFromString(s))
				if !c.IsValid() {
					t.Fatalf("bad cell %q", s)
				}
				want += h3.CellAreaM2(c)
			}
			got := f.Properties.AreaKM2 * 1e6 // rounded to 0.1 km²
			if want > 0 && math.Abs(got-want) > 0.005*want+0.05e6 {
				t.Errorf("%s band %d: outline %.0f m², cells %.0f m²", name, i, got, want)
			}
		}
		reached += cum.Features[len(cum.Features)-1].Properties.Cells
	}
	return reached
}

func TestIsochroneBandsNestAndAreasMatch(t *testing.T) {
	e := synthEngine(t)
	if n := checkIsochroneBands(t, "synth", e, addresses(e, 4, 11), DefaultArriveBy); n == 0 {
		t.Error("nothing reachable")
	}
}

// checkCellTimes compares the cell times of Reach with an independent
// evaluation over every minute of the window and every stop.
func checkCellTimes(t *testing.T, e *Engine, addrs [][2]float64, arriveBy int32) int {
	t.Helper()
	g := e.Graph()
	checked := 0
	for _, a := range addrs {
		p := DefaultParams(a[0], a[1])
		p.ArriveBy = arriveBy
		p.Modes = graph.TravelModes{Transit: true} // no direct walks, no school buses
		r, err := e.ReachCells(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		near := e.StopsNear(a[0], a[1], p.MaxWalk, p.WalkSpeed)
		if len(near) == 0 {
			continue
		}
		bestDep := make([]int32, g.Cells.NumCells())
		bestArr := make([]int32, g.Cells.NumCells())
		for i := range bestDep {
			bestDep[i], bestArr[i] = -1<<30, Unreachable
		}
		for d := p.ArriveBy - int32(p.MaxMinutes)*60; d <= p.ArriveBy; d += 60 {
			veh := vehicleArrivals(t, e, p, near, d, false)
			for s, arr := range veh {
				if arr == raptor.Unreachable {
					continue
				}
				cells, dist := g.Cells.From(int32(s))
				for k, c := range cells {
					if float64(dist[k]) > p.MaxWalk {
						continue
					}
					at := arr + walkSeconds(float64(dist[k]), p.WalkSpeed)
					if at <= p.ArriveBy && (d > bestDep[c] || (d == bestDep[c] && at < bestArr[c])) {
						bestDep[c], bestArr[c] = d, at
					}
				}
			}
		}
		got := make([]int32, g.Cells.NumCells())
		for c := range got {
			got[c] = Unreachable
		}
		for i, ct := range r.Cells {
			if i > 0 && ct.Cell <= r.Cells[i-1].Cell {
				t.Fatalf("cells not sorted at %d", i)
			}
			got[ct.Cell] = ct.Seconds
		}
		for c := range bestDep {
			want := Unreachable
			if bestArr[c] != Unreachable && bestArr[c]-bestDep[c] <= int32(p.MaxMinutes)*60 {
				want = bestArr[c] - bestDep[c]
			}
			if got[c] != want {
				t.Fatalf("cell %x: %d s, linear scan %d s", g.Cells.Cell[c], got[c], want)
			}
			if want != Unreachable {
				checked++
			}
		}
	}
	return checked
}

func TestCellTimesMatchLinearScan(t *testing.T) {
	e := synthEngine(t)
	if n := checkCellTimes(t, e, addresses(e, 6, 5), DefaultArriveBy); n == 0 {
		t.Error("no reachable cell checked")
	}
}

// checkCellTimesAgreeWithSchools reports how often a school's band from its
// own street link equals the band of its H3 cell (the precomputed index's
// approximation). Disagreements come from the cell's size and, in the
// Rennes extract, from schools linked to another walking component than
// most of their cell's streets.
func checkCellTimesAgreeWithSchools(t *testing.T, e *Engine) {
	g := e.Graph()
	idx := map[uint64]int{}
	for i, c := range g.Cells.Cell {
		idx[c] = i
	}
	same, total := 0, 0
	cellOf := func(r *Reachability, i int) int32 {
		k, ok := slices.BinarySearchFunc(r.Cells, int32(i), func(c CellTime, x int32) int { return int(c.Cell - x) })
		if !ok {
			return Unreachable
		}
		return r.Cells[k].Seconds
	}
	for _, a := range addresses(e, 20, 5) {
		p := DefaultParams(a[0], a[1])
		p.AllLocations = true
		r, err := e.ReachCells(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		for s := graph.SchoolIdx(0); int(s) < g.Places.NumSchools(); s++ {
			trip := r.Trip(s)
			if g.SchoolLinks.Seg[s] < 0 {
				continue
			}
			c := uint64(h3.LatLngToCell(h3.LatLng{Lat: g.Places.SchoolLat[s], Lng: g.Places.SchoolLon[s]}, int(g.Cells.Resolution)))
			i, ok := idx[c]
			if !ok {
				continue
			}
			cb, sb := len(DefaultCutoffs), len(DefaultCutoffs)
			if ct := cellOf(r, i); ct != Unreachable {
				cb = Band(ct, DefaultCutoffs)
			}
			if trip.Found {
				sb = Band(trip.Duration, DefaultCutoffs)
			}
			total++
			if cb == sb {
				same++
			}
		}
	}
	t.Logf("(address, school) pairs with the same band from the school's cell: %d of %d (%.1f %%)", same, total, 100*float64(same)/float64(total))
	if total == 0 || float64(same) < 0.5*float64(total) {
		t.Errorf("only %d of %d pairs agree", same, total)
	}
}

// checkOutlines checks the polygons of real answers: closed rings,
// exteriors counter-clockwise and holes clockwise, no ring crossing
// itself or another. It returns the holes and multi-island bands seen.
func checkOutlines(t *testing.T, name string, e *Engine, addrs [][2]float64, arriveBy int32) (holes, islands int) {
	t.Helper()
	for _, a := range addrs {
		p := DefaultParams(a[0], a[1])
		p.ArriveBy = arriveBy
		for _, rings := range []bool{false, true} {
			ans, err := e.Isochrone(context.Background(), IsochroneRequest{Params: p, Rings: rings})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range ans.Features {
				mp := f.Geometry.Coordinates
				if len(mp) > 1 {
					islands++
				}
				var all [][][2]float64
				for _, poly := range mp {
					for ri, ring := range poly {
						if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
							t.Fatalf("%s: ring not closed", name)
						}
						if ccw := signedArea(ring) > 0; ccw != (ri == 0) {
							t.Fatalf("%s: ring %d has the wrong orientation", name, ri)
						}
						if ri > 0 {
							holes++
						}
						all = append(all, ring)
					}
				}
				if crossing(all) {
					t.Fatalf("%s band %s: rings cross", name, f.Properties.Band)
				}
			}
		}
	}
	return holes, islands
}

func TestIsochroneOutlinesValid(t *testing.T) {
	bowtie := [][][2]float64{{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}}
	square := [][][2]float64{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}
	if !crossing(bowtie) || crossing(square) {
		t.Fatal("the crossing check itself is wrong")
	}
	e := synthEngine(t)
	holes, islands := checkOutlines(t, "synth", e, addresses(e, 6, 13), DefaultArriveBy)
	t.Logf("synthetic region: %d holes, %d bands with several islands", holes, islands)
}

func signedArea(r [][2]float64) float64 {
	a := 0.0
	for i := 0; i+1 < len(r); i++ {
		a += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return a / 2
}

// crossing reports whether two segments of the rings properly intersect or
// touch anywhere but at the shared vertex of consecutive segments.
func crossing(rings [][][2]float64) bool {
	type seg struct {
		a, b [2]float64
		ring int
		idx  int
		n    int
	}
	var segs []seg
	for ri, r := range rings {
		for i := 0; i+1 < len(r); i++ {
			segs = append(segs, seg{r[i], r[i+1], ri, i, len(r) - 1})
		}
	}
	orient := func(p, q, r [2]float64) float64 {
		return (q[0]-p[0])*(r[1]-p[1]) - (q[1]-p[1])*(r[0]-p[0])
	}
	for i := range segs {
		for j := i + 1; j < len(segs); j++ {
			s, u := segs[i], segs[j]
			if s.ring == u.ring && (u.idx-s.idx == 1 || (s.idx == 0 && u.idx == s.n-1)) {
				continue // neighbours share a vertex
			}
			// Bounding boxes first.
			if math.Max(s.a[0], s.b[0]) < math.Min(u.a[0], u.b[0]) || math.Max(u.a[0], u.b[0]) < math.Min(s.a[0], s.b[0]) ||
				math.Max(s.a[1], s.b[1]) < math.Min(u.a[1], u.b[1]) || math.Max(u.a[1], u.b[1]) < math.Min(s.a[1], s.b[1]) {
				continue
			}
			d1, d2 := orient(s.a, s.b, u.a), orient(s.a, s.b, u.b)
			d3, d4 := orient(u.a, u.b, s.a), orient(u.a, u.b, s.b)
			if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
				return true
			}
			if s.a == u.a || s.a == u.b || s.b == u.a || s.b == u.b {
				return true // rings touching at a vertex
			}
		}
	}
	return false
}
