package osm_test

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/paulmach/osm"

	"reach/graph"
	ingest "reach/ingest/osm"
	"reach/ingest/synth"
	"reach/internal/realdata"
	"reach/street"
)

// This file checks the cycling network as independent_test.go checks the
// walking one: the raw ways are read again, the cycling rule is written out
// anew (which highway classes, bicycle/access/vehicle tags, one-way rules),
// each way's consecutive node pairs become directed edges, and a textbook
// Dijkstra runs over them. Node-to-node riding distances must agree with
// street.NewBikeSearcher over the CSR network.

// naiveBikeDirs is the cycling rule, restated plainly: whether cyclists
// may ride the way in its direction (fwd) and against it (back).
func naiveBikeDirs(tags osm.Tags) (fwd, back bool) {
	yes := func(v string) bool {
		return v == "yes" || v == "designated" || v == "permissive" || v == "official" || v == "destination" || v == "customers"
	}
	no := func(v string) bool { return v == "no" || v == "private" || v == "use_sidepath" || v == "dismount" }
	hw := tags.Find("highway")
	if hw == "" && (tags.Find("railway") == "platform" || tags.Find("public_transport") == "platform") {
		hw = "platform"
	}
	bicycle := tags.Find("bicycle")
	var allowed bool
	switch hw {
	case "steps":
		allowed = false
	case "motorway", "motorway_link", "trunk", "trunk_link", "footway", "pedestrian", "bridleway",
		"corridor", "platform", "elevator":
		allowed = yes(bicycle)
	case "primary", "primary_link", "secondary", "secondary_link", "tertiary", "tertiary_link",
		"unclassified", "residential", "living_street", "service", "track", "road", "cycleway", "path":
		allowed = yes(bicycle) || (!no(bicycle) && !no(tags.Find("access")) && !no(tags.Find("vehicle")))
	}
	if !allowed {
		return false, false
	}
	// Direction: the oneway tag, implied on roundabouts and motorways when
	// absent; a contraflow lane or track opens both ways; oneway:bicycle,
	// when present, decides alone.
	dir := "both"
	switch ow := tags.Find("oneway"); {
	case ow == "yes" || ow == "true" || ow == "1":
		dir = "forward"
	case ow == "-1" || ow == "reverse":
		dir = "backward"
	case ow == "" && (tags.Find("junction") == "roundabout" || tags.Find("junction") == "circular" ||
		hw == "motorway" || hw == "motorway_link"):
		dir = "forward"
	}
	for _, k := range []string{"cycleway", "cycleway:left", "cycleway:right", "cycleway:both"} {
		switch tags.Find(k) {
		case "opposite", "opposite_lane", "opposite_track", "opposite_share_busway":
			dir = "both"
		}
	}
	if ob, ok := tagValue(tags, "oneway:bicycle"); ok {
		switch ob {
		case "yes", "true", "1":
			dir = "forward"
		case "-1", "reverse":
			dir = "backward"
		default:
			dir = "both"
		}
	}
	return dir != "backward", dir != "forward"
}

// tagValue returns the value of key and whether the way has it.
func tagValue(tags osm.Tags, key string) (string, bool) {
	for _, t := range tags {
		if t.Key == key {
			return t.Value, true
		}
	}
	return "", false
}

// compareBike compares riding distances from the sources to the targets
// (OSM node ids): the CSR bike search against the naive Dijkstra. It
// returns the pairs compared, those connected, and the largest difference.
func compareBike(t *testing.T, s *graph.Streets, adj map[int64][]naiveEdge, sources []graph.NodeIdx, targets func(src graph.NodeIdx, reached []graph.NodeIdx) []graph.NodeIdx) (pairs, finite int, worst float64) {
	t.Helper()
	q := street.NewBikeSearcher(s)
	for _, src := range sources {
		want := naiveDijkstra(adj, s.NodeOSM[src])
		q.Reset()
		q.AddNode(src, 0)
		q.Run(math.Inf(1))
		for _, dst := range targets(src, q.Reached()) {
			got := q.Dist(dst)
			w, ok := want[s.NodeOSM[dst]]
			if !ok {
				w = math.Inf(1)
			}
			pairs++
			if math.IsInf(w, 1) && math.IsInf(got, 1) {
				continue
			}
			finite++
			worst = math.Max(worst, math.Abs(got-w))
			if math.Abs(got-w) > math.Max(0.1, 1e-6*w) {
				t.Errorf("OSM nodes %d → %d by bike: CSR %.3f m, naive %.3f m", s.NodeOSM[src], s.NodeOSM[dst], got, w)
			}
		}
	}
	return pairs, finite, worst
}

func TestBikeFixtureMatchesNaiveGraph(t *testing.T) {
	path := filepath.Join("testdata", "bike.osm")
	s, _, err := ingest.Read(path, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// What each way allows cyclists (forward, backward) and pedestrians, by
	// its end nodes as written in the fixture.
	const fwd, back, walk = graph.StreetBike, graph.StreetBikeBack, graph.StreetWalk
	want := map[[2]int64]uint8{
		{1, 2}: walk | fwd, {2, 3}: walk | back, {3, 4}: walk | fwd | back,
		{11, 12}: walk | fwd | back, {12, 13}: walk | fwd, {13, 14}: walk,
		{22, 23}: fwd | back, {23, 24}: fwd,
		{1, 11}: walk | fwd | back, {2, 12}: walk, {3, 13}: walk, {4, 14}: fwd | back,
		{11, 21}: walk, {12, 22}: walk | fwd, {13, 23}: walk | back, {14, 24}: walk | fwd | back,
		{21, 11}: fwd | back, {24, 3}: walk | back,
	}
	seen := map[[2]int64]bool{}
	for g := int32(0); int(g) < s.NumSegments(); g++ {
		key := [2]int64{s.NodeOSM[s.SegFrom[g]], s.NodeOSM[s.SegTo[g]]}
		w, ok := want[key]
		if !ok {
			t.Errorf("unexpected segment %v (flags %#x)", key, s.SegFlags[g])
			continue
		}
		seen[key] = true
		if s.SegFlags[g] != w {
			t.Errorf("segment %v: flags %#x, want %#x", key, s.SegFlags[g], w)
		}
	}
	for key := range want {
		if !seen[key] {
			t.Errorf("missing segment %v (the motorway 21–22 must be the only way left out)", key)
		}
	}
	// Every ordered pair of nodes: the naive rule and graph agree.
	adj := naiveDirected(t, path, naiveBikeDirs)
	all := make([]graph.NodeIdx, s.NumNodes())
	for n := range all {
		all[n] = graph.NodeIdx(n)
	}
	pairs, finite, worst := compareBike(t, s, adj, all, func(graph.NodeIdx, []graph.NodeIdx) []graph.NodeIdx { return all })
	t.Logf("%d pairs, %d connected by bike, largest difference %.2g m", pairs, finite, worst)
	// One-way streets make riding distances asymmetric; some pairs cannot
	// be ridden at all.
	q := street.NewBikeSearcher(s)
	dist := func(a, b int64) float64 {
		var na, nb graph.NodeIdx = -1, -1
		for n, id := range s.NodeOSM {
			switch id {
			case a:
				na = graph.NodeIdx(n)
			case b:
				nb = graph.NodeIdx(n)
			}
		}
		q.Reset()
		q.AddNode(na, 0)
		q.Run(math.Inf(1))
		return q.Dist(nb)
	}
	if d12, d21 := dist(1, 2), dist(2, 1); !(d21 > d12+100) {
		t.Errorf("1 → 2 %.0f m, 2 → 1 %.0f m: the one-way 1 → 2 should force a detour back", d12, d21)
	}
	if finite == pairs || finite < pairs/2 {
		t.Errorf("%d of %d pairs connected: the fixture should connect most pairs, not all", finite, pairs)
	}
}

func TestBikeDistancesMatchNaiveGraph(t *testing.T) {
	for _, c := range []struct{ dir, file string }{
		{"synth", synth.StreetsFile},
		{"nantes", "centre.osm.pbf"},
		{"rennes", "streets.osm.pbf"},
		{"rnv", "rnv.osm.pbf"},
	} {
		t.Run(c.dir, func(t *testing.T) {
			var path string
			if c.dir == "synth" {
				// The synthetic region's streets: one-way residential
				// streets, footways, a pedestrian square, a motorway.
				dir := t.TempDir()
				if _, err := synth.Generate(dir, synth.Options{}); err != nil {
					t.Fatal(err)
				}
				path = filepath.Join(dir, c.file)
			} else {
				path = realdata.Path(t, c.dir, c.file)
			}
			s, _, err := ingest.Read(path, ingest.Options{})
			if err != nil {
				t.Fatal(err)
			}
			adj := naiveDirected(t, path, naiveBikeDirs)
			rng := rand.New(rand.NewPCG(17, 19))
			var sources []graph.NodeIdx
			for len(sources) < 20 {
				if n := graph.NodeIdx(rng.IntN(s.NumNodes())); hasEdge(s, n, graph.StreetBike) {
					sources = append(sources, n)
				}
			}
			const targets, reachedTargets = 12, 6
			pairs, finite, worst := compareBike(t, s, adj, sources, func(_ graph.NodeIdx, reached []graph.NodeIdx) []graph.NodeIdx {
				var out []graph.NodeIdx
				for k := range targets + reachedTargets {
					dst := graph.NodeIdx(rng.IntN(s.NumNodes()))
					if k >= targets {
						dst = reached[rng.IntN(len(reached))]
					}
					out = append(out, dst)
				}
				return out
			})
			// Asymmetry: riding back from a target differs on one-ways.
			t.Logf("%d pairs compared, %d connected, largest difference %.2g m", pairs, finite, worst)
			if finite < 200 {
				t.Errorf("only %d of %d pairs connected: the comparison is too weak", finite, pairs)
			}
		})
	}
}
