package graph

import (
	"math"
	"strings"
	"testing"
)

func TestHaversine(t *testing.T) {
	// One degree of latitude is πR/180 on the sphere.
	if d, want := Haversine(48, -1, 49, -1), math.Pi*EarthRadius/180; math.Abs(d-want) > 1e-6 {
		t.Errorf("one degree of latitude: %v m, want %v", d, want)
	}
	// Along a parallel, a short hop shrinks with cos(latitude).
	if d, want := Haversine(60, 10, 60, 10.001), math.Pi*EarthRadius/180*0.001*0.5; math.Abs(d-want) > 1e-3 {
		t.Errorf("0.001° of longitude at 60° N: %v m, want %v", d, want)
	}
	if d := Haversine(0, 0, 0, 180); math.Abs(d-math.Pi*EarthRadius) > 1e-6 {
		t.Errorf("antipodes: %v", d)
	}
	if Haversine(47.2, -1.55, 47.2, -1.55) != 0 {
		t.Error("distance to itself is not 0")
	}
}

// tinyStreets: nodes 0 (48, -1), 1 (48, -0.99), 2 (48.01, -0.99); segment
// 0 from 0 to 1 straight, walkable and cyclable both ways; segment 1 from
// 1 to 2 through (48.01, -1), walkable only.
func tinyStreets() *Streets {
	l0 := float32(Haversine(48, -1, 48, -0.99))
	l1 := float32(Haversine(48, -0.99, 48.01, -1) + Haversine(48.01, -1, 48.01, -0.99))
	bikes := StreetWalk | StreetBike | StreetBikeBack
	return &Streets{
		NodeLat: []float64{48, 48, 48.01}, NodeLon: []float64{-1, -0.99, -0.99}, NodeOSM: []int64{10, 11, 12},
		EdgeStart:  []int32{0, 1, 3, 4},
		EdgeTo:     []NodeIdx{1, 0, 2, 1},
		EdgeLength: []float32{l0, l0, l1, l1},
		EdgeFlags:  []uint8{StreetWalk | StreetBike, StreetWalk | StreetBike | StreetReverse, StreetWalk, StreetWalk | StreetReverse},
		EdgeClass:  []StreetClass{ClassResidential, ClassResidential, ClassFootway, ClassFootway},
		EdgeSeg:    []SegIdx{0, 0, 1, 1},
		SegFrom:    []NodeIdx{0, 1}, SegTo: []NodeIdx{1, 2},
		SegLength: []float32{l0, l1}, SegFlags: []uint8{bikes, StreetWalk}, SegWay: []int32{0, 1},
		SegShapeStart: []int32{0, 2, 5},
		ShapeLat:      []float64{48, 48, 48, 48.01, 48.01},
		ShapeLon:      []float64{-1, -0.99, -0.99, -1, -0.99},
		WayOSM:        []int64{100, 101}, WayName: []string{"Rue A", ""},
	}
}

func TestStreetsAccessors(t *testing.T) {
	s := tinyStreets()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.NumNodes() != 3 || s.NumEdges() != 4 || s.NumSegments() != 2 {
		t.Errorf("counts %d/%d/%d", s.NumNodes(), s.NumEdges(), s.NumSegments())
	}
	if a, b := s.EdgesFrom(1); a != 1 || b != 3 {
		t.Errorf("EdgesFrom(1) = %d, %d", a, b)
	}
	if s.SegName(0) != "Rue A" || s.SegName(1) != "" {
		t.Errorf("names %q %q", s.SegName(0), s.SegName(1))
	}
	lats, lons := s.Shape(1)
	if len(lats) != 3 || lats[1] != 48.01 || lons[1] != -1 {
		t.Errorf("shape of segment 1: %v %v", lats, lons)
	}
	// Halfway along segment 0; past the corner of segment 1; clamped ends.
	first := Haversine(48, -0.99, 48.01, -1)
	for _, tc := range []struct {
		g        SegIdx
		off      float64
		lat, lon float64
	}{
		{0, float64(s.SegLength[0]) / 2, 48, -0.995},
		{1, first, 48.01, -1},
		{1, first + Haversine(48.01, -1, 48.01, -0.995), 48.01, -0.995},
		{1, -5, 48, -0.99},
		{1, 1e9, 48.01, -0.99},
	} {
		lat, lon := s.PointAlong(tc.g, tc.off)
		if Haversine(lat, lon, tc.lat, tc.lon) > 0.01 {
			t.Errorf("PointAlong(%d, %.1f) = %v,%v, want %v,%v", tc.g, tc.off, lat, lon, tc.lat, tc.lon)
		}
	}
	if lat0, lon0, lat1, lon1, ok := s.Bounds(); !ok || lat0 != 48 || lon0 != -1 || lat1 != 48.01 || lon1 != -0.99 {
		t.Errorf("bounds %v %v %v %v %v", lat0, lon0, lat1, lon1, ok)
	}
	if _, _, _, _, ok := (&Streets{}).Bounds(); ok {
		t.Error("bounds of an empty network")
	}
	if ClassSteps.String() != "steps" || StreetClass(200).String() != "unknown" {
		t.Error("StreetClass names")
	}
}

func TestStreetsValidateCatches(t *testing.T) {
	for _, tc := range []struct {
		name    string
		corrupt func(s *Streets)
		want    string
	}{
		{"short node array", func(s *Streets) { s.NodeLon = s.NodeLon[:2] }, "node arrays"},
		{"edge array", func(s *Streets) { s.EdgeClass = s.EdgeClass[:3] }, "edge arrays"},
		{"offsets", func(s *Streets) { s.EdgeStart[1] = 2 }, "does not follow"},
		{"offset end", func(s *Streets) { s.EdgeStart[3] = 3 }, "EdgeStart"},
		{"segment node", func(s *Streets) { s.SegTo[1] = 7 }, "out of range"},
		{"edge target", func(s *Streets) { s.EdgeTo[0] = 2 }, "does not follow"},
		{"bike flag", func(s *Streets) { s.EdgeFlags[3] |= StreetBike }, "flags"},
		{"length", func(s *Streets) { s.EdgeLength[2]++ }, "length"},
		{"negative length", func(s *Streets) { s.SegLength[0] = -1 }, "length"},
		{"NaN length", func(s *Streets) { s.SegLength[0] = float32(math.NaN()) }, "length"},
		{"same direction twice", func(s *Streets) { s.EdgeFlags[1] &^= StreetReverse; s.EdgeTo[1] = 1 }, ""},
		{"way", func(s *Streets) { s.SegWay[1] = 2 }, "way"},
		{"shape", func(s *Streets) { s.SegShapeStart[1] = 1 }, "shape"},
		{"two edges per segment", func(s *Streets) { s.EdgeStart[3] = 3; s.EdgeTo = s.EdgeTo[:3] }, ""},
	} {
		s := tinyStreets()
		tc.corrupt(s)
		err := s.Validate()
		if err == nil {
			t.Errorf("%s: not caught", tc.name)
		} else if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q does not mention %q", tc.name, err, tc.want)
		}
	}
}

func TestLinksAndFootpathsValidate(t *testing.T) {
	s := tinyStreets()
	ok := Links{Seg: []SegIdx{0, -1, 1}, Offset: []float32{10, 0, s.SegLength[1]}, Dist: []float32{3, 0, 0}}
	if err := ok.Validate(s); err != nil {
		t.Fatal(err)
	}
	if ok.Len() != 3 || !ok.Linked(0) || ok.Linked(1) {
		t.Error("Len/Linked")
	}
	// Cycling links: segment 0 is bikeable, segment 1 (a footway) is not.
	if err := (&Links{Seg: []SegIdx{0, -1}, Offset: []float32{10, 0}, Dist: []float32{3, 0}}).ValidateBike(s); err != nil {
		t.Errorf("cycling link to a bikeable segment: %v", err)
	}
	if err := ok.ValidateBike(s); err == nil {
		t.Error("cycling link to a footway: not caught")
	}
	for name, l := range map[string]Links{
		"lengths": {Seg: []SegIdx{0}, Offset: []float32{1, 2}, Dist: []float32{0}},
		"segment": {Seg: []SegIdx{2}, Offset: []float32{0}, Dist: []float32{0}},
		"offset":  {Seg: []SegIdx{0}, Offset: []float32{s.SegLength[0] + 1}, Dist: []float32{0}},
		"dist":    {Seg: []SegIdx{0}, Offset: []float32{0}, Dist: []float32{-1}},
	} {
		if err := l.Validate(s); err == nil {
			t.Errorf("links %s: not caught", name)
		}
	}
	f := Footpaths{Start: []int32{0, 2, 2, 3}, To: []StopIdx{1, 2, 0}, Dist: []float32{5, 9, 9}}
	if err := f.Validate(3); err != nil {
		t.Fatal(err)
	}
	if to, d := f.From(0); len(to) != 2 || to[1] != 2 || d[1] != 9 {
		t.Errorf("From(0) = %v %v", to, d)
	}
	if to, _ := f.From(1); len(to) != 0 || f.Len() != 3 {
		t.Error("From(1) or Len")
	}
	for name, g := range map[string]Footpaths{
		"points": {Start: []int32{0, 2, 2, 3}, To: []StopIdx{1, 2, 0}, Dist: []float32{5, 9, 9}},
		"to":     {Start: []int32{0, 1}, To: []StopIdx{4}, Dist: []float32{1}},
		"dist":   {Start: []int32{0, 1}, To: []StopIdx{0}, Dist: []float32{float32(math.NaN())}},
		"sizes":  {Start: []int32{0, 1}, To: []StopIdx{0}, Dist: nil},
	} {
		n := 1
		if name == "points" {
			n = 2
		}
		if err := g.Validate(n); err == nil {
			t.Errorf("footpaths %s: not caught", name)
		}
	}
}
