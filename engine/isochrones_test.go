package engine

import (
	"math"
	"testing"

	"github.com/uber/h3-go/v4"

	"reach/engine/raptor"
)

func TestIsochroneBandsNestAndAreasMatch(t *testing.T) {
	for _, name := range []string{"rennes", "rnv"} {
		e := loadRegion(t, name)
		for _, a := range randomAddresses(e.Graph(), 3, 11) {
			p := DefaultParams(a[0], a[1])
			if name == "rnv" {
				p.ArriveBy = 8 * 3600
			}
			cum, err := e.Isochrone(IsochroneRequest{Params: p})
			if err != nil {
				t.Fatal(err)
			}
			rings, err := e.Isochrone(IsochroneRequest{Params: p, Rings: true})
			if err != nil {
				t.Fatal(err)
			}
			cells, err := e.Isochrone(IsochroneRequest{Params: p, Format: "h3"})
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
				// The outline's area equals the cells' area within 0.5 %.
				var want float64
				for _, s := range cells.Bands[i].Cells {
					c := h3.Cell(h3.IndexFromString(s))
					if !c.IsValid() {
						t.Fatalf("bad cell %q", s)
					}
					want += h3.CellAreaM2(c)
				}
				got := f.Properties.AreaKM2 * 1e6
				if want > 0 && math.Abs(got-want)/want > 0.005 {
					t.Errorf("%s band %d: outline %.0f m², cells %.0f m²", name, i, got, want)
				}
			}
			if last := cum.Features[len(cum.Features)-1].Properties.Cells; last == 0 {
				t.Errorf("%s: nothing reachable from %v", name, a)
			}
		}
	}
}

func TestCellTimesMatchLinearScan(t *testing.T) {
	e := loadRegion(t, "rennes")
	g := e.Graph()
	for _, a := range randomAddresses(g, 6, 5) {
		p := DefaultParams(a[0], a[1])
		p.Modes = Modes{Transit: true} // no direct walks, no school buses
		r, err := e.ReachCells(p)
		if err != nil {
			t.Fatal(err)
		}
		// Independent evaluation: every minute of the window, every stop.
		tr, _ := e.Transfers("", p.WalkSpeed)
		q := raptor.RangeQuery{From: p.ArriveBy - int32(p.MaxMinutes)*60, To: p.ArriveBy + 1, Step: 60,
			MaxTransfers: p.MaxTransfers, Transfers: tr}
		for _, n := range e.StopsNear(a[0], a[1], p.MaxWalk, p.WalkSpeed) {
			q.Sources = append(q.Sources, raptor.SourceOffset{Stop: n.Stop, Offset: n.Seconds})
		}
		if len(q.Sources) == 0 {
			continue
		}
		rr, err := e.Router().Range(q)
		if err != nil {
			t.Fatal(err)
		}
		bestDep := make([]int32, g.Cells.NumCells())
		bestArr := make([]int32, g.Cells.NumCells())
		for i := range bestDep {
			bestDep[i], bestArr[i] = -1<<30, Unreachable
		}
		for m := 0; m < rr.NumMinutes(); m++ {
			for s := int32(0); s < int32(g.Timetable.NumStops()); s++ {
				arr := rr.Arrival(m, s)
				if arr == raptor.Unreachable {
					continue
				}
				cells, dist := g.Cells.From(s)
				for k, c := range cells {
					if float64(dist[k]) > p.MaxWalk {
						continue
					}
					at := arr + walkSeconds(float64(dist[k]), p.WalkSpeed)
					d := rr.Departure(m)
					if at <= p.ArriveBy && (d > bestDep[c] || (d == bestDep[c] && at < bestArr[c])) {
						bestDep[c], bestArr[c] = d, at
					}
				}
			}
		}
		rr.Release()
		for c := range bestDep {
			want := Unreachable
			if bestArr[c] != Unreachable && bestArr[c]-bestDep[c] <= int32(p.MaxMinutes)*60 {
				want = bestArr[c] - bestDep[c]
			}
			if r.Cells[c] != want {
				t.Fatalf("cell %x: %d s, linear scan %d s", g.Cells.Cell[c], r.Cells[c], want)
			}
		}
	}
}

// TestCellTimesAgreeWithSchools reports how often a school's band from its
// own street link equals the band of its H3 cell (the precomputed index's
// approximation). Disagreements come from the cell's size and, in the
// Rennes extract, from schools linked to another walking component than
// most of their cell's streets.
func TestCellTimesAgreeWithSchools(t *testing.T) {
	e := loadRegion(t, "rennes")
	g := e.Graph()
	idx := map[uint64]int{}
	for i, c := range g.Cells.Cell {
		idx[c] = i
	}
	same, total := 0, 0
	for _, a := range randomAddresses(g, 20, 5) {
		p := DefaultParams(a[0], a[1])
		r, err := e.ReachCells(p)
		if err != nil {
			t.Fatal(err)
		}
		for s, trip := range r.Schools {
			if g.SchoolLinks.Seg[s] < 0 {
				continue
			}
			c := uint64(h3.LatLngToCell(h3.LatLng{Lat: g.Places.SchoolLat[s], Lng: g.Places.SchoolLon[s]}, int(g.Cells.Resolution)))
			i, ok := idx[c]
			if !ok {
				continue
			}
			cb, sb := len(DefaultCutoffs), len(DefaultCutoffs)
			if r.Cells[i] != Unreachable {
				cb = Band(r.Cells[i], DefaultCutoffs)
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
