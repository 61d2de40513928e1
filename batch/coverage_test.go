package batch

import (
	"testing"

	"reach/engine"
)

// TestCoverage runs origins of each coverage on the synthetic region: a
// stop (network, also when the request walks only), a street node far from
// every stop with a short max_walk (walk_only), a point of the streets'
// bounding box beyond the link limit of every street, and a point linked
// to a street but outside the box (outside).
func TestCoverage(t *testing.T) {
	e := synthEngine(t)
	g := e.Graph()
	tt := &g.Timetable
	s := &g.Streets
	p := engine.DefaultParams(0, 0)
	p.MaxWalk = 150

	// The street node farthest from every stop.
	far, farD := -1, 0.0
	for n := range s.NodeLat {
		if len(e.StopsNear(s.NodeLat[n], s.NodeLon[n], 400, p.WalkSpeed)) > 0 {
			continue
		}
		d := 1e18
		for st := range tt.StopLat {
			d = min(d, (s.NodeLat[n]-tt.StopLat[st])*(s.NodeLat[n]-tt.StopLat[st])+(s.NodeLon[n]-tt.StopLon[st])*(s.NodeLon[n]-tt.StopLon[st]))
		}
		if d > farD {
			far, farD = n, d
		}
	}
	if far < 0 {
		t.Fatal("no street node is 400 m from every stop")
	}
	// A point of the bounding box off every street, on a 200 m grid.
	minLat, minLon, maxLat, maxLon, _ := s.Bounds()
	off := Origin{}
	for lat := minLat; lat <= maxLat && off.ID == ""; lat += 0.0018 {
		for lon := minLon; lon <= maxLon; lon += 0.0026 {
			if _, ok := e.StreetLink(lat, lon); !ok && len(e.StopsNear(lat, lon, p.MaxWalk, p.WalkSpeed)) == 0 {
				off = Origin{ID: "off-streets", Lat: lat, Lon: lon}
				break
			}
		}
	}
	if off.ID == "" {
		t.Fatal("every point of the streets' bounding box is within the link limit of a street")
	}
	// 110 m north of the northernmost street node: linked, but outside the
	// box.
	top := 0
	for n := range s.NodeLat {
		if s.NodeLat[n] > s.NodeLat[top] {
			top = n
		}
	}
	beyond := Origin{ID: "beyond", Lat: s.NodeLat[top] + 0.001, Lon: s.NodeLon[top]}
	if _, ok := e.StreetLink(beyond.Lat, beyond.Lon); !ok {
		t.Fatal("a point 110 m from a street node is not linked")
	}
	origins := []Origin{
		{ID: "stop", Lat: tt.StopLat[0], Lon: tt.StopLon[0]},
		{ID: "street", Lat: s.NodeLat[far], Lon: s.NodeLon[far]},
		off,
		beyond,
	}
	want := []Coverage{CoverageNetwork, CoverageWalkOnly, CoverageOutside, CoverageOutside}
	for _, modes := range []string{"walk,transit,school", "walk"} {
		q := p
		q.Modes.Transit, q.Modes.School = modes != "walk", modes != "walk"
		res, err := Run(t.Context(), e, origins, Options{Params: q})
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range res.Coverage {
			if c != want[i] {
				t.Errorf("modes %s: origin %s (access %d) is %s, want %s", modes, origins[i].ID, res.Access[i], c, want[i])
			}
		}
		if n := res.CoverageCounts(); n["network"] != 1 || n["walk_only"] != 1 || n["outside"] != 2 {
			t.Errorf("modes %s: counts %v", modes, n)
		}
	}
}
