package osm

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/osm"

	"reach/graph"
	"reach/internal/realdata"
)

// fixtureNodes are the node coordinates of testdata/rules.osm.
var fixtureNodes = map[int64][2]float64{
	1: {48.000, -1.000}, 2: {48.000, -0.999}, 3: {48.000, -0.998}, 4: {48.000, -0.997}, 5: {48.000, -0.996},
	10: {48.001, -0.998}, 11: {48.002, -0.998}, 22: {47.999, -0.996}, 41: {47.999, -0.999}, 42: {47.998, -0.999},
	50: {48.001, -0.999}, 60: {48.003, -0.997}, 61: {48.003, -0.996}, 62: {48.004, -0.996}, 63: {48.004, -0.997},
	80: {48.0005, -0.9995}, 30: {48.003, -0.998}, 43: {47.997, -0.999},
}

func TestReadRulesFixture(t *testing.T) {
	s, rep, err := Read(filepath.Join("testdata", "rules.osm"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	const all = graph.StreetWalk | graph.StreetBike | graph.StreetBikeBack
	const walk = graph.StreetWalk
	// Every expected segment, in way direction, with its shape (OSM node
	// ids) and flags. Way 1 is cut at 2 and 3 (where ways 6 and 2 join)
	// but not at 4, whose other way is private.
	want := []struct {
		shape []int64
		flags uint8
		name  string
	}{
		{[]int64{1, 2}, all, "Rue Principale"},
		{[]int64{2, 3}, all, "Rue Principale"},
		{[]int64{3, 4, 5}, all, "Rue Principale"},
		{[]int64{3, 10}, walk, ""},                                        // footway
		{[]int64{10, 11}, walk, ""},                                       // footway, cut at the steps
		{[]int64{2, 41}, walk, ""},                                        // access=private, foot=yes
		{[]int64{10, 50}, walk, ""},                                       // steps: not bikeable
		{[]int64{60, 61, 62, 63, 60}, walk, "Place"},                      // pedestrian area ring
		{[]int64{11, 60}, walk, ""},                                       // footway
		{[]int64{5, 22}, walk, ""},                                        // trunk, foot=yes
		{[]int64{1, 80, 50}, graph.StreetBike | graph.StreetBikeBack, ""}, // cycleway foot=no
		{[]int64{41, 42}, walk | graph.StreetBike, ""},                    // oneway
		{[]int64{22, 42}, all, ""},                                        // footway bicycle=yes
		{[]int64{11, 30}, graph.StreetBike | graph.StreetBikeBack, ""},    // service foot=no, joins the walking network at 11
		{[]int64{22, 43}, graph.StreetBike | graph.StreetBikeBack, ""},    // cycleway foot=no, joins it at 22
	}
	if s.NumSegments() != len(want) {
		t.Errorf("got %d segments, want %d", s.NumSegments(), len(want))
	}
	found := make([]bool, len(want))
	for g := graph.SegIdx(0); int(g) < s.NumSegments(); g++ {
		lats, lons := s.Shape(g)
		var shape []int64
		for k := range lats {
			shape = append(shape, osmID(t, lats[k], lons[k]))
		}
		i := slices.IndexFunc(want, func(w struct {
			shape []int64
			flags uint8
			name  string
		}) bool {
			return slices.Equal(w.shape, shape)
		})
		if i < 0 {
			t.Errorf("unexpected segment with shape %v", shape)
			continue
		}
		found[i] = true
		w := want[i]
		if s.SegFlags[g] != w.flags {
			t.Errorf("segment %v: flags %#x, want %#x", shape, s.SegFlags[g], w.flags)
		}
		if s.SegName(g) != w.name {
			t.Errorf("segment %v: name %q, want %q", shape, s.SegName(g), w.name)
		}
		if s.NodeOSM[s.SegFrom[g]] != shape[0] || s.NodeOSM[s.SegTo[g]] != shape[len(shape)-1] {
			t.Errorf("segment %v joins nodes %d and %d", shape, s.NodeOSM[s.SegFrom[g]], s.NodeOSM[s.SegTo[g]])
		}
		length := 0.0
		for k := 1; k < len(shape); k++ {
			a, b := fixtureNodes[shape[k-1]], fixtureNodes[shape[k]]
			length += graph.Haversine(a[0], a[1], b[0], b[1])
		}
		if math.Abs(float64(s.SegLength[g])-length) > 1e-3 {
			t.Errorf("segment %v: length %v, want %v", shape, s.SegLength[g], length)
		}
	}
	for i, ok := range found {
		if !ok {
			t.Errorf("missing segment %v", want[i].shape)
		}
	}

	// Nodes: intersections and street ends only; 4 and 80 are shape points.
	// 30 and 43 are reached by cycle-only ways from the walking network.
	nodes := slices.Sorted(slices.Values(s.NodeOSM))
	if wantNodes := []int64{1, 2, 3, 5, 10, 11, 22, 30, 41, 42, 43, 50, 60}; !slices.Equal(nodes, wantNodes) {
		t.Errorf("nodes %v, want %v", nodes, wantNodes)
	}

	// Walking ignores one-way rules; cycling does not.
	for n := int32(0); int(n) < s.NumNodes(); n++ {
		for e := s.EdgeStart[n]; e < s.EdgeStart[n+1]; e++ {
			from, to := s.NodeOSM[n], s.NodeOSM[s.EdgeTo[e]]
			if from == 42 && to == 41 && s.EdgeFlags[e] != walk|graph.StreetReverse {
				t.Errorf("edge 42→41 against the one-way: flags %#x, want walk only", s.EdgeFlags[e])
			}
			if from == 41 && to == 42 && s.EdgeFlags[e] != walk|graph.StreetBike {
				t.Errorf("edge 41→42 along the one-way: flags %#x, want walk and bike", s.EdgeFlags[e])
			}
			if from == 10 && to == 50 && s.EdgeClass[e] != graph.ClassSteps {
				t.Errorf("edge 10→50 has class %v, want steps", s.EdgeClass[e])
			}
		}
	}

	wantRep := Report{
		Path: filepath.Join("testdata", "rules.osm"), Format: "xml",
		NodesRead: 25, WaysRead: 18, WaysKept: 14, MissingNodes: 1,
		Nodes: 13, Segments: 15, Edges: 30, WalkSegments: 12, BikeSegments: 8,
		ShapePoints: rep.ShapePoints, WalkLength: rep.WalkLength,
		IslandsKept: 1, IslandsDropped: 1, BikeIslandsDropped: 1, NodesDropped: 2, SegmentsDropped: 1, BikeOnlyNodes: 2,
		MinLat: 47.997, MinLon: -1.000, MaxLat: 48.004, MaxLon: -0.996,
	}
	if *rep != wantRep {
		t.Errorf("report\n got %+v\nwant %+v", *rep, wantRep)
	}
	if rep.ShapePoints != 35 {
		t.Errorf("%d shape points, want 35", rep.ShapePoints)
	}

	// A negative minimum keeps the island.
	s2, rep2, err := Read(filepath.Join("testdata", "rules.osm"), Options{MinIslandNodes: -1})
	if err != nil {
		t.Fatal(err)
	}
	if s2.NumNodes() != 15 || rep2.IslandsDropped != 0 || rep2.IslandsKept != 2 || rep2.BikeIslandsDropped != 0 || rep2.NodesDropped != 0 {
		t.Errorf("keeping islands: %d nodes, report %+v", s2.NumNodes(), *rep2)
	}
	// A minimum of 2 keeps it too; 3 drops it.
	if _, rep3, err := Read(filepath.Join("testdata", "rules.osm"), Options{MinIslandNodes: 2}); err != nil || rep3.IslandsDropped != 0 {
		t.Errorf("MinIslandNodes 2: err %v, %d islands dropped", err, rep3.IslandsDropped)
	}
	if _, rep3, err := Read(filepath.Join("testdata", "rules.osm"), Options{MinIslandNodes: 3}); err != nil || rep3.IslandsDropped != 1 {
		t.Errorf("MinIslandNodes 3: err %v, %d islands dropped", err, rep3.IslandsDropped)
	}
}

// osmID finds the fixture node at a coordinate.
func osmID(t *testing.T, lat, lon float64) int64 {
	t.Helper()
	for id, c := range fixtureNodes {
		if c[0] == lat && c[1] == lon {
			return id
		}
	}
	t.Fatalf("no fixture node at %v,%v", lat, lon)
	return 0
}

func TestClassify(t *testing.T) {
	tests := []struct {
		tags                map[string]string
		ok, walk, fwd, back bool
		class               graph.StreetClass
	}{
		{map[string]string{"highway": "motorway"}, false, false, false, false, graph.ClassMotorway},
		{map[string]string{"highway": "motorway_link", "foot": "yes"}, true, true, false, false, graph.ClassMotorway},
		{map[string]string{"highway": "trunk_link"}, false, false, false, false, graph.ClassTrunk},
		{map[string]string{"highway": "primary_link"}, true, true, true, true, graph.ClassPrimary},
		{map[string]string{"highway": "residential", "foot": "no"}, true, false, true, true, graph.ClassResidential},
		{map[string]string{"highway": "residential", "foot": "no", "bicycle": "no"}, false, false, false, false, graph.ClassResidential},
		{map[string]string{"highway": "service", "access": "private"}, false, false, false, false, graph.ClassService},
		{map[string]string{"highway": "service", "access": "no", "foot": "designated"}, true, true, false, false, graph.ClassService},
		{map[string]string{"highway": "service", "access": "private", "foot": "permissive", "bicycle": "yes"}, true, true, true, true, graph.ClassService},
		{map[string]string{"highway": "steps", "bicycle": "yes"}, true, true, false, false, graph.ClassSteps},
		{map[string]string{"highway": "footway"}, true, true, false, false, graph.ClassFootway},
		{map[string]string{"highway": "footway", "bicycle": "designated"}, true, true, true, true, graph.ClassFootway},
		{map[string]string{"highway": "pedestrian", "area": "yes"}, true, true, false, false, graph.ClassPedestrian},
		{map[string]string{"highway": "cycleway"}, true, true, true, true, graph.ClassCycleway},
		{map[string]string{"highway": "cycleway", "foot": "no"}, true, false, true, true, graph.ClassCycleway},
		{map[string]string{"highway": "residential", "oneway": "yes"}, true, true, true, false, graph.ClassResidential},
		{map[string]string{"highway": "residential", "oneway": "-1"}, true, true, false, true, graph.ClassResidential},
		{map[string]string{"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"}, true, true, true, true, graph.ClassResidential},
		{map[string]string{"highway": "residential", "oneway": "yes", "cycleway": "opposite_lane"}, true, true, true, true, graph.ClassResidential},
		{map[string]string{"highway": "tertiary", "junction": "roundabout"}, true, true, true, false, graph.ClassTertiary},
		{map[string]string{"highway": "track", "bicycle": "dismount"}, true, true, false, false, graph.ClassTrack},
		{map[string]string{"highway": "unclassified", "vehicle": "no"}, true, true, false, false, graph.ClassUnclassified},
		{map[string]string{"highway": "construction"}, false, false, false, false, 0},
		{map[string]string{"highway": "proposed"}, false, false, false, false, 0},
		{map[string]string{"railway": "platform"}, true, true, false, false, graph.ClassPlatform},
		{map[string]string{"building": "yes"}, false, false, false, false, 0},
		{map[string]string{"highway": "corridor"}, true, true, false, false, graph.ClassCorridor},
	}
	for _, tc := range tests {
		var tags osm.Tags
		for k, v := range tc.tags {
			tags = append(tags, osm.Tag{Key: k, Value: v})
		}
		r, ok := classify(tags)
		if ok != tc.ok || r.walk != tc.walk || r.bikeFwd != tc.fwd || r.bikeBack != tc.back || (ok && r.class != tc.class) {
			t.Errorf("%v: got ok=%v %+v, want ok=%v walk=%v fwd=%v back=%v class=%v",
				tc.tags, ok, r, tc.ok, tc.walk, tc.fwd, tc.back, tc.class)
		}
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "broken.osm")
	if err := os.WriteFile(bad, []byte(`<osm><way id="1"><nd ref="1"/><tag k="highway" v="footway"/></way><node id=`), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.osm")
	if err := os.WriteFile(empty, []byte(`<osm><node id="1" lat="1" lon="1"/></osm>`), 0o644); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.osm.pbf")
	if err := os.WriteFile(garbage, []byte("this is not a protobuf file at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		filepath.Join(dir, "missing.osm.pbf"),
		filepath.Join(dir, "streets.geojson"),
		bad, empty, garbage,
	} {
		_, _, err := Read(path, Options{})
		if err == nil {
			t.Errorf("%s: no error", path)
			continue
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error does not name the file: %v", path, err)
		}
	}
}

// realCounts are the network sizes measured on the real extracts with the
// default options (see the package report for how they were checked).
var realCounts = []struct {
	dir, file                                     string
	nodesRead, waysRead, waysKept                 int64
	nodes, segments, islandsDropped, nodesDropped int
}{
	{"rennes", "streets.osm.pbf", 13093, 3065, 2945, 3791, 4980, 87, 297},
	{"nantes", "centre.osm.pbf", 82630, 12089, 2719, 3290, 4723, 76, 158},
	{"rnv", "rnv.osm.pbf", 164598, 37344, 32028, 38921, 50490, 154, 527},
	{"beatty", "beatty.osm", 6624, 344, 160, 208, 283, 9, 61},
}

func TestReadRealCounts(t *testing.T) {
	for _, c := range realCounts {
		t.Run(c.dir, func(t *testing.T) {
			s, rep, err := Read(realdata.Path(t, c.dir, c.file), Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Log(rep)
			if rep.NodesRead != c.nodesRead || rep.WaysRead != c.waysRead || int64(rep.WaysKept) != c.waysKept {
				t.Errorf("read %d nodes, %d ways, kept %d ways; want %d, %d, %d",
					rep.NodesRead, rep.WaysRead, rep.WaysKept, c.nodesRead, c.waysRead, c.waysKept)
			}
			if s.NumNodes() != c.nodes || s.NumSegments() != c.segments || s.NumEdges() != 2*c.segments ||
				rep.IslandsDropped != c.islandsDropped || rep.NodesDropped != c.nodesDropped {
				t.Errorf("network %d nodes, %d segments, %d edges, %d islands dropped (%d nodes); want %d, %d, %d, %d (%d)",
					s.NumNodes(), s.NumSegments(), s.NumEdges(), rep.IslandsDropped, rep.NodesDropped,
					c.nodes, c.segments, 2*c.segments, c.islandsDropped, c.nodesDropped)
			}
			if rep.Nodes != s.NumNodes() || rep.Segments != s.NumSegments() || rep.Edges != s.NumEdges() {
				t.Errorf("report counts %d/%d/%d disagree with the network", rep.Nodes, rep.Segments, rep.Edges)
			}
		})
	}
}

func TestReadRNVBoundingBox(t *testing.T) {
	// The header of rnv.osm.pbf carries a wrong bbox; ours comes from the
	// coordinates and must hold every node.
	s, rep, err := Read(realdata.Path(t, "rnv", "rnv.osm.pbf"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for n := range s.NumNodes() {
		if s.NodeLat[n] < rep.MinLat || s.NodeLat[n] > rep.MaxLat || s.NodeLon[n] < rep.MinLon || s.NodeLon[n] > rep.MaxLon {
			t.Fatalf("node %d at %v,%v outside the bbox", n, s.NodeLat[n], s.NodeLon[n])
		}
	}
	// Mannheim, Heidelberg and Ludwigshafen lie around 49.4–49.5 N, 8.4–8.7 E.
	if rep.MinLat > 49.4 || rep.MaxLat < 49.5 || rep.MinLon > 8.4 || rep.MaxLon < 8.7 {
		t.Errorf("bbox %v,%v – %v,%v misses the RNV cities", rep.MinLat, rep.MinLon, rep.MaxLat, rep.MaxLon)
	}
}

func BenchmarkRead(b *testing.B) {
	for _, c := range realCounts[:3] {
		b.Run(c.dir, func(b *testing.B) {
			path := realdata.Path(b, c.dir, c.file)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Read(path, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
