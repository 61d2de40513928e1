package street

import (
	"archive/zip"
	"encoding/csv"
	"path"
	"strconv"
	"strings"
	"testing"

	"reach/graph"
	ingest "reach/ingest/osm"
	"reach/internal/realdata"
)

// tseg is a hand-made segment: end nodes, shape points in between and flags.
type tseg struct {
	from, to int32
	via      [][2]float64
	flags    uint8
}

// makeStreets lays out a hand-made network in CSR form and validates it.
func makeStreets(t testing.TB, lat, lon []float64, segs []tseg) *graph.Streets {
	t.Helper()
	n := len(lat)
	s := &graph.Streets{NodeLat: lat, NodeLon: lon, NodeOSM: make([]int64, n), SegShapeStart: []int32{0},
		WayOSM: []int64{1}, WayName: []string{"test"}}
	for i := range s.NodeOSM {
		s.NodeOSM[i] = int64(100 + i)
	}
	for _, g := range segs {
		pts := [][2]float64{{lat[g.from], lon[g.from]}}
		pts = append(pts, g.via...)
		pts = append(pts, [2]float64{lat[g.to], lon[g.to]})
		length := 0.0
		for k, p := range pts {
			s.ShapeLat = append(s.ShapeLat, p[0])
			s.ShapeLon = append(s.ShapeLon, p[1])
			if k > 0 {
				length += graph.Haversine(pts[k-1][0], pts[k-1][1], p[0], p[1])
			}
		}
		s.SegShapeStart = append(s.SegShapeStart, int32(len(s.ShapeLat)))
		s.SegFrom = append(s.SegFrom, graph.NodeIdx(g.from))
		s.SegTo = append(s.SegTo, graph.NodeIdx(g.to))
		s.SegLength = append(s.SegLength, float32(length))
		s.SegFlags = append(s.SegFlags, g.flags)
		s.SegWay = append(s.SegWay, 0)
	}
	type edge struct {
		from, to, seg int32
		flags         uint8
	}
	var edges []edge
	for gi, g := range segs {
		walk := g.flags & graph.StreetWalk
		fwd, back := walk, walk|graph.StreetReverse
		if g.flags&graph.StreetBike != 0 {
			fwd |= graph.StreetBike
		}
		if g.flags&graph.StreetBikeBack != 0 {
			back |= graph.StreetBike
		}
		edges = append(edges, edge{g.from, g.to, int32(gi), fwd}, edge{g.to, g.from, int32(gi), back})
	}
	s.EdgeStart = make([]int32, n+1)
	for u := range n {
		for _, e := range edges {
			if e.from == int32(u) {
				s.EdgeTo = append(s.EdgeTo, graph.NodeIdx(e.to))
				s.EdgeLength = append(s.EdgeLength, s.SegLength[e.seg])
				s.EdgeFlags = append(s.EdgeFlags, e.flags)
				s.EdgeClass = append(s.EdgeClass, graph.ClassResidential)
				s.EdgeSeg = append(s.EdgeSeg, graph.SegIdx(e.seg))
			}
		}
		s.EdgeStart[u+1] = int32(len(s.EdgeTo))
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	return s
}

// readStops reads the stop coordinates of a GTFS zip, finding the columns
// by header name.
func readStops(t testing.TB, dir, file string) (lats, lons []float64) {
	t.Helper()
	zr, err := zip.OpenReader(realdata.Path(t, dir, file))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if path.Base(f.Name) != "stops.txt" || strings.HasPrefix(f.Name, "__MACOSX") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		r := csv.NewReader(rc)
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s stops.txt: %v", file, err)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")] = i
		}
		ila, okLa := col["stop_lat"]
		ilo, okLo := col["stop_lon"]
		if !okLa || !okLo {
			t.Fatalf("%s stops.txt: no stop_lat/stop_lon column in %v", file, rows[0])
		}
		for _, row := range rows[1:] {
			la, err1 := strconv.ParseFloat(strings.TrimSpace(row[ila]), 64)
			lo, err2 := strconv.ParseFloat(strings.TrimSpace(row[ilo]), 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("%s stops.txt: bad coordinates %q %q", file, row[ila], row[ilo])
			}
			lats, lons = append(lats, la), append(lons, lo)
		}
		return lats, lons
	}
	t.Fatalf("%s: no stops.txt", file)
	return nil, nil
}

// readStreets reads a real OSM extract.
func readStreets(t testing.TB, dir, file string) *graph.Streets {
	t.Helper()
	s, _, err := ingest.Read(realdata.Path(t, dir, file), ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
