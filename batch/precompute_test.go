package batch

import (
	"bytes"
	"context"
	"math"
	"math/rand"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"reach/engine"
	"reach/graph"
	"reach/internal/testregion"

	"github.com/uber/h3-go/v4"
)

// TestIndexAgreesWithQueries compares, for 50 addresses on Rennes, every
// school's band from the on-the-fly request with the band the index gives
// for the address's cell (pairs reachable either way). The index rows are
// computed only for the cells of the addresses, by the code Precompute
// runs. Measured over the whole index: 87.4 % at resolution 9, 92.7 % at
// 10, 98.2 % at 11, the default of reach precompute.
func TestIndexAgreesWithQueries(t *testing.T) {
	e := rennesEngine(t)
	g := e.Graph()
	p := engine.DefaultParams(0, 0)
	const res = 11
	addrs := testregion.Addresses(g, 50, 21)
	want := map[uint64]bool{}
	for _, a := range addrs {
		want[uint64(h3.LatLngToCell(h3.LatLng{Lat: a[0], Lng: a[1]}, res))] = true
	}
	// The index rows of the addresses' cells, as Precompute computes them.
	ix := &graph.Index{Cutoffs: engine.DefaultCutoffs, Resolution: res, UAI: g.Places.SchoolID, Shards: 1, Start: []int32{0}}
	for _, o := range StreetCellOrigins(g, res) {
		if !want[o.Cell] {
			continue
		}
		q := p
		q.Lat, q.Lon = o.Lat, o.Lon
		r, err := e.Reach(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		ix.Cell = append(ix.Cell, o.Cell)
		for k, s := range r.Reached {
			trip := r.Trips[k]
			if b := engine.Band(trip.Duration, engine.DefaultCutoffs); trip.Found && b < len(engine.DefaultCutoffs) {
				ix.School, ix.Band, ix.Modality = append(ix.School, int32(s)), append(ix.Band, uint8(b)), append(ix.Modality, uint8(trip.Modality))
			}
		}
		ix.Start = append(ix.Start, int32(len(ix.School)))
	}
	same, total, covered := 0, 0, 0
	for _, a := range addrs {
		r, err := e.Reach(context.Background(), engine.DefaultParams(a[0], a[1]))
		if err != nil {
			t.Fatal(err)
		}
		lr := ix.Lookup(a[0], a[1])
		if !lr.Covered {
			continue
		}
		entries := lr.Entries
		covered++
		fromIndex := map[string]string{}
		for _, en := range entries {
			fromIndex[en.UAI] = en.Band
		}
		for k, s := range r.Reached {
			trip := r.Trips[k]
			uai := g.Places.SchoolID[s]
			live := ""
			if trip.Found {
				if b := engine.Band(trip.Duration, engine.DefaultCutoffs); b < len(engine.DefaultCutoffs) {
					live = graph.BandLabel(b, engine.DefaultCutoffs)
				}
			}
			if live == "" && fromIndex[uai] == "" {
				continue
			}
			total++
			if live == fromIndex[uai] {
				same++
			}
		}
	}
	pct := 100 * float64(same) / float64(total)
	t.Logf("resolution %d: %d of 50 addresses covered; %d of %d (address, school) pairs in the same band (%.1f %%)", res, covered, same, total, pct)
	if covered < 45 || total < 500 || pct < 95 {
		t.Errorf("agreement %.1f %% over %d pairs (%d addresses covered), want ≥ 95 %%", pct, total, covered)
	}
}

// checkShardsMerge computes the index whole and in three shards written
// to files, and checks that the merged shards equal the whole.
func checkShardsMerge(t *testing.T, e *engine.Engine) {
	p := engine.DefaultParams(0, 0)
	p.MaxMinutes = 45
	rt := engine.Routing{Params: p, Cutoffs: []int{15, 30, 45}}
	ctx := context.Background()
	whole, err := Precompute(ctx, e, PrecomputeOptions{Routing: rt, Shards: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.Cell) == 0 || len(whole.School) == 0 {
		t.Fatalf("index of %d cells, %d entries", len(whole.Cell), len(whole.School))
	}
	dir := t.TempDir()
	var parts []*graph.Index
	for i := 0; i < 3; i++ {
		ix, err := Precompute(ctx, e, PrecomputeOptions{Routing: rt, Shard: i, Shards: 3})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "part")
		if err := graph.WriteIndex(path, ix); err != nil {
			t.Fatal(err)
		}
		back, err := graph.ReadIndex(path)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, back)
	}
	merged, err := graph.MergeIndexes([]*graph.Index{parts[2], parts[0], parts[1]})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(merged, whole) {
		t.Fatalf("merged shards differ from the single run (%d vs %d cells)", len(merged.Cell), len(whole.Cell))
	}
	if _, err := graph.MergeIndexes(parts[:2]); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing shard: %v", err)
	}
	if _, err := graph.MergeIndexes([]*graph.Index{parts[0], parts[0], parts[1]}); err == nil {
		t.Error("duplicate shard accepted")
	}
	var buf bytes.Buffer
	if err := merged.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Count(buf.String(), "\n")
	if lines != len(merged.School)+1 || !strings.HasPrefix(buf.String(), "cell,uai,band,modality\n") {
		t.Errorf("CSV has %d lines for %d entries", lines, len(merged.School))
	}
}

func TestShardsMergeToTheSingleRun(t *testing.T) { checkShardsMerge(t, synthEngine(t)) }

func TestShardsMergeToTheSingleRunRealData(t *testing.T) { checkShardsMerge(t, rennesEngine(t)) }

// TestPrecomputeDefaultsBands: a ceiling below 90 minutes needs no
// explicit cut-offs (the bands stop at the ceiling).
func TestPrecomputeDefaultsBands(t *testing.T) {
	rt, err := engine.ParseRouting(url.Values{"max_minutes": {"60"}}, engine.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Precompute(context.Background(), synthEngine(t), PrecomputeOptions{Routing: rt, Shard: 0, Shards: 8})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ix.Cutoffs, []int{15, 30, 45, 60}) {
		t.Errorf("cut-offs %v", ix.Cutoffs)
	}
}

// TestPrecomputeKeepsSchoolsWithOffers: by default the index holds only
// the schools with training offers (the collèges of the synthetic region,
// reached on foot, are left out); with AllLocations every school reached.
func TestPrecomputeKeepsSchoolsWithOffers(t *testing.T) {
	e := synthEngine(t)
	pl := &e.Graph().Places
	p := engine.DefaultParams(0, 0)
	rt := engine.Routing{Params: p, Cutoffs: engine.DefaultCutoffs}
	offers, err := Precompute(t.Context(), e, PrecomputeOptions{Routing: rt, Shards: 1})
	if err != nil {
		t.Fatal(err)
	}
	rt.Params.AllLocations = true
	all, err := Precompute(t.Context(), e, PrecomputeOptions{Routing: rt, Shards: 1})
	if err != nil {
		t.Fatal(err)
	}
	if offers.AllLocations || !all.AllLocations || !reflect.DeepEqual(offers.Cell, all.Cell) {
		t.Fatalf("AllLocations %v, %v; %d and %d cells", offers.AllLocations, all.AllLocations, len(offers.Cell), len(all.Cell))
	}
	without := 0 // entries of schools without offers
	for _, s := range all.School {
		if a, b := pl.OffersOf(graph.SchoolIdx(s)); a == b {
			without++
		}
	}
	for _, s := range offers.School {
		if a, b := pl.OffersOf(graph.SchoolIdx(s)); a == b {
			t.Fatalf("school %s without offers in the default index", pl.SchoolID[s])
		}
	}
	t.Logf("%d entries; %d with all locations, %d of them schools without offers", len(offers.School), len(all.School), without)
	if without == 0 || len(all.School) < len(offers.School)+without {
		t.Errorf("all locations: %d entries, %d of schools without offers; default %d", len(all.School), without, len(offers.School))
	}
}

// TestLookupNearestCoveredCellRennes: the cells of the index are those the
// streets cross, so an address a few metres off its street may fall in a
// cell of its own; the lookup answers it from the nearest covered cell
// within 100 m. Of 40 points 10–30 m off a street, all are answered; of 30
// points drawn in the streets' bounding box, those near a street are.
func TestLookupNearestCoveredCellRennes(t *testing.T) {
	g := rennesEngine(t).Graph()
	const res = 11
	ix := &graph.Index{Cutoffs: engine.DefaultCutoffs, Resolution: res, Shards: 1, Start: []int32{0}}
	for _, o := range StreetCellOrigins(g, res) {
		ix.Cell = append(ix.Cell, o.Cell)
		ix.Start = append(ix.Start, 0)
	}
	s := &g.Streets
	rng := rand.New(rand.NewSource(7))
	count := func(points [][2]float64) (covered, nearest int, far float64) {
		for _, p := range points {
			r := ix.Lookup(p[0], p[1])
			switch {
			case r.Covered:
				covered++
			case r.Nearest != 0:
				nearest++
				far = math.Max(far, r.Distance)
			}
		}
		return
	}
	var off [][2]float64
	for len(off) < 40 {
		seg := graph.SegIdx(rng.Intn(s.NumSegments()))
		if s.SegFlags[seg]&graph.StreetWalk == 0 {
			continue
		}
		lat, lon := s.PointAlong(seg, float64(s.SegLength[seg])*rng.Float64())
		d, b := 10+20*rng.Float64(), 2*math.Pi*rng.Float64()
		off = append(off, [2]float64{lat + d*math.Cos(b)/111195, lon + d*math.Sin(b)/(111195*math.Cos(lat*math.Pi/180))})
	}
	c, n, far := count(off)
	t.Logf("40 points 10–30 m off a street: %d in a covered cell, %d answered from the nearest covered cell (at most %.0f m away), %d not answered", c, n, far, 40-c-n)
	if c+n != 40 {
		t.Errorf("%d of 40 points off a street answered", c+n)
	}
	minLat, minLon, maxLat, maxLon, _ := s.Bounds()
	var random [][2]float64
	for range 30 {
		random = append(random, [2]float64{minLat + (maxLat-minLat)*rng.Float64(), minLon + (maxLon-minLon)*rng.Float64()})
	}
	c2, n2, far2 := count(random)
	t.Logf("30 random points of the streets' bounding box: %d covered, %d answered from the nearest covered cell (at most %.0f m away), %d not answered", c2, n2, far2, 30-c2-n2)
	if n2 == 0 || far2 > graph.LookupRadius {
		t.Errorf("random points: %d answered from a covered cell nearby, up to %.0f m", n2, far2)
	}
}
