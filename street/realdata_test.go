package street

import (
	"math"
	"math/rand/v2"
	"testing"

	"reach/graph"
)

// realNetworks pairs each street extract with the stops of its city.
var realNetworks = []struct {
	name, osmDir, osmFile, gtfsDir, gtfsFile string

	// Measured with the default limits (1,600 m links, 1,000 m transfers).
	linked, fallback                      int
	streetPairs, straightPairs, shortcuts int
}{
	{"rnv", "rnv", "rnv.osm.pbf", "rnv", "rnv-gtfs-2016.zip", 2056, 1, 33666, 0, 760},
	{"rennes", "rennes", "streets.osm.pbf", "rennes", "star-gtfs-2012-07.zip", 689, 578, 11098, 4658, 1726},
	{"nantes", "nantes", "centre.osm.pbf", "nantes", "tan-gtfs-2014.zip", 732, 2683, 16286, 77424, 14848},
}

func TestRealStopLinksAndTransfers(t *testing.T) {
	for _, c := range realNetworks {
		t.Run(c.name, func(t *testing.T) {
			s := readStreets(t, c.osmDir, c.osmFile)
			lats, lons := readStops(t, c.gtfsDir, c.gtfsFile)
			links, lrep, err := LinkPoints(s, NewIndex(s), lats, lons, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(lrep)
			if lrep.Linked != c.linked || lrep.Fallback != c.fallback {
				t.Errorf("%d linked, %d fallback; want %d, %d", lrep.Linked, lrep.Fallback, c.linked, c.fallback)
			}
			if lrep.MaxDist > DefaultLinkDist {
				t.Errorf("connector of %.0f m beyond the limit", lrep.MaxDist)
			}
			f, rep, err := StopTransfers(s, &links, lats, lons, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(rep)
			if err := f.Validate(len(lats)); err != nil {
				t.Fatal(err)
			}
			if rep.StreetPairs != c.streetPairs || rep.StraightPairs != c.straightPairs || rep.ShortcutPairs != c.shortcuts {
				t.Errorf("%d street, %d straight-line, %d shortcut transfers; want %d, %d, %d",
					rep.StreetPairs, rep.StraightPairs, rep.ShortcutPairs, c.streetPairs, c.straightPairs, c.shortcuts)
			}
			if f.Len() != rep.StreetPairs+rep.StraightPairs+rep.ShortcutPairs {
				t.Errorf("%d footpaths, report counts %d", f.Len(), rep.StreetPairs+rep.StraightPairs+rep.ShortcutPairs)
			}
			// Walking is symmetric: the search from j must find i at the
			// distance the search from i found j.
			back := map[[2]int32]float32{}
			for i := range int32(len(lats)) {
				to, dist := f.From(i)
				for k := range to {
					back[[2]int32{i, int32(to[k])}] = dist[k]
					if dist[k] > DefaultTransferDist {
						t.Fatalf("footpath %d → %d of %v m, beyond the limit", i, to[k], dist[k])
					}
				}
			}
			for p, d := range back {
				r, ok := back[[2]int32{p[1], p[0]}]
				if !ok || math.Abs(float64(r-d)) > 0.01 {
					t.Fatalf("footpath %d → %d is %v m, back %v m (present %v)", p[0], p[1], d, r, ok)
				}
			}
		})
	}
}

// bruteSnap finds the nearest walkable shape piece by scanning them all,
// in the local projection at the query point; it returns the segment, the
// connector length in the projection and the haversine length.
func bruteSnap(s *graph.Streets, lat, lon float64) (graph.SegIdx, float64, float64) {
	return bruteSnapAmong(s, lat, lon, func(g graph.SegIdx) bool { return s.SegFlags[g]&graph.StreetWalk != 0 })
}

// bruteSnapAmong is bruteSnap over the segments keep accepts.
func bruteSnapAmong(s *graph.Streets, lat, lon float64, keep func(graph.SegIdx) bool) (graph.SegIdx, float64, float64) {
	ky := graph.EarthRadius * math.Pi / 180
	kx := ky * math.Cos(lat*math.Pi/180)
	best, bestSeg, bestLat, bestLon := math.Inf(1), graph.SegIdx(-1), 0.0, 0.0
	for g := range graph.SegIdx(s.NumSegments()) {
		if !keep(g) {
			continue
		}
		lats, lons := s.Shape(g)
		for k := 1; k < len(lats); k++ {
			ax, ay := (lons[k-1]-lon)*kx, (lats[k-1]-lat)*ky
			bx, by := (lons[k]-lon)*kx, (lats[k]-lat)*ky
			vx, vy := bx-ax, by-ay
			u := 0.0
			if l := vx*vx + vy*vy; l > 0 {
				u = math.Max(0, math.Min(1, -(ax*vx+ay*vy)/l))
			}
			if d := math.Hypot(ax+u*vx, ay+u*vy); d < best {
				best, bestSeg = d, g
				bestLat, bestLon = lats[k-1]+u*(lats[k]-lats[k-1]), lons[k-1]+u*(lons[k]-lons[k-1])
			}
		}
	}
	return bestSeg, best, graph.Haversine(lat, lon, bestLat, bestLon)
}

func TestRealSnapMatchesScan(t *testing.T) {
	s := readStreets(t, "rnv", "rnv.osm.pbf")
	idx := NewIndex(s)
	lat0, lon0, lat1, lon1, _ := s.Bounds()
	rng := rand.New(rand.NewPCG(12, 13))
	snapped := 0
	for range 200 {
		lat, lon := lat0+rng.Float64()*(lat1-lat0), lon0+rng.Float64()*(lon1-lon0)
		wantSeg, projDist, wantDist := bruteSnap(s, lat, lon)
		sn, ok := idx.Snap(lat, lon, DefaultLinkDist)
		if ok != (projDist <= DefaultLinkDist) {
			t.Fatalf("%v,%v: snapped %v, nearest piece at %.1f m", lat, lon, ok, projDist)
		}
		if !ok {
			continue
		}
		snapped++
		// Ties between pieces meeting at a node may pick either segment;
		// the distance must be the same.
		if math.Abs(sn.Dist-wantDist) > 0.001 {
			t.Errorf("%v,%v: segment %d at %.3f m, scan found segment %d at %.3f m", lat, lon, sn.Seg, sn.Dist, wantSeg, wantDist)
		}
		if plat, plon := s.PointAlong(sn.Seg, sn.Offset); graph.Haversine(plat, plon, sn.Lat, sn.Lon) > 0.01 {
			t.Errorf("%v,%v: offset %.2f m leads to %v,%v, not the projected point %v,%v", lat, lon, sn.Offset, plat, plon, sn.Lat, sn.Lon)
		}
	}
	if snapped < 100 {
		t.Errorf("only %d of 200 random points snapped", snapped)
	}
}

// TestRealSnapBikeMatchesScan checks the cycling snap on central Nantes
// (cycleways, footways, pedestrian streets): the nearest point of the
// bikeable segments of the main cycling components, found by scanning
// them all; the components are found here by a breadth-first search.
func TestRealSnapBikeMatchesScan(t *testing.T) {
	s := readStreets(t, "nantes", "centre.osm.pbf")
	const bike = graph.StreetBike | graph.StreetBikeBack
	adj := map[graph.NodeIdx][]graph.NodeIdx{}
	for g := range graph.SegIdx(s.NumSegments()) {
		if s.SegFlags[g]&bike != 0 {
			a, b := s.SegFrom[g], s.SegTo[g]
			adj[a], adj[b] = append(adj[a], b), append(adj[b], a)
		}
	}
	comp := map[graph.NodeIdx]int{}
	var size []int
	for n := range adj {
		if _, seen := comp[n]; seen {
			continue
		}
		id := len(size)
		size = append(size, 0)
		queue := []graph.NodeIdx{n}
		comp[n] = id
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			size[id]++
			for _, v := range adj[u] {
				if _, seen := comp[v]; !seen {
					comp[v] = id
					queue = append(queue, v)
				}
			}
		}
	}
	largest := 0
	for id := range size {
		if size[id] > size[largest] {
			largest = id
		}
	}
	main := func(g graph.SegIdx) bool {
		if s.SegFlags[g]&bike == 0 {
			return false
		}
		c := comp[s.SegFrom[g]]
		return c == largest || size[c] >= MinBikeComponent
	}
	small := 0
	for g := range graph.SegIdx(s.NumSegments()) {
		if s.SegFlags[g]&bike != 0 && !main(g) {
			small++
		}
	}
	idx := NewIndex(s)
	lat0, lon0, lat1, lon1, _ := s.Bounds()
	rng := rand.New(rand.NewPCG(16, 17))
	differ := 0
	for range 200 {
		lat, lon := lat0+rng.Float64()*(lat1-lat0), lon0+rng.Float64()*(lon1-lon0)
		_, _, wantDist := bruteSnapAmong(s, lat, lon, main)
		sn, ok := idx.SnapBike(lat, lon, DefaultLinkDist)
		if !ok || math.Abs(sn.Dist-wantDist) > 0.001 || !main(sn.Seg) {
			t.Fatalf("%v,%v: cycling snap to segment %d at %.3f m (%v), scan %.3f m", lat, lon, sn.Seg, sn.Dist, ok, wantDist)
		}
		if w, _ := idx.Snap(lat, lon, DefaultLinkDist); w.Seg != sn.Seg {
			differ++
		}
	}
	t.Logf("%d cycling components, %d bikeable segments outside the main ones; %d of 200 points snap elsewhere than on foot", len(size), small, differ)
	if differ == 0 {
		t.Error("every point snaps to the same segment walking and cycling: the test shows nothing")
	}
}

// randomStreetPoints picks n random points on the walkable streets
// (uniform over segments, then over the offset), with no connector.
func randomStreetPoints(s *graph.Streets, n int) []Snap {
	rng := rand.New(rand.NewPCG(14, 15))
	var out []Snap
	for len(out) < n {
		g := graph.SegIdx(rng.IntN(s.NumSegments()))
		if s.SegFlags[g]&graph.StreetWalk != 0 {
			out = append(out, Snap{Seg: g, Offset: rng.Float64() * float64(s.SegLength[g])})
		}
	}
	return out
}

// BenchmarkSearch1250 is a 15-minute walk (1,250 m) from random points of
// the RNV streets.
func BenchmarkSearch1250(b *testing.B) {
	s := readStreets(b, "rnv", "rnv.osm.pbf")
	pts := randomStreetPoints(s, 1000)
	q := NewSearcher(s)
	reached, i := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		p := pts[i%len(pts)]
		i++
		q.Reset()
		q.AddLink(p.Seg, p.Offset, p.Dist)
		q.Run(1250)
		reached += len(q.Reached())
	}
	b.ReportMetric(float64(reached)/float64(i), "nodes/op")
}

// BenchmarkSearchStops1250 adds the distances to the RNV stops reached.
func BenchmarkSearchStops1250(b *testing.B) {
	s := readStreets(b, "rnv", "rnv.osm.pbf")
	lats, lons := readStops(b, "rnv", "rnv-gtfs-2016.zip")
	links, _, err := LinkPoints(s, NewIndex(s), lats, lons, 0)
	if err != nil {
		b.Fatal(err)
	}
	targets := NewTargets(s, &links)
	pts := randomStreetPoints(s, 1000)
	q := NewSearcher(s)
	hits, i := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		p := pts[i%len(pts)]
		i++
		q.Reset()
		q.AddLink(p.Seg, p.Offset, p.Dist)
		q.Run(1250)
		hits += len(q.ReachTargets(targets, 1250))
	}
	b.ReportMetric(float64(hits)/float64(i), "stops/op")
}

func BenchmarkSnap(b *testing.B) {
	s := readStreets(b, "rnv", "rnv.osm.pbf")
	idx := NewIndex(s)
	lat0, lon0, lat1, lon1, _ := s.Bounds()
	rng := rand.New(rand.NewPCG(16, 17))
	b.ReportAllocs()
	for b.Loop() {
		idx.Snap(lat0+rng.Float64()*(lat1-lat0), lon0+rng.Float64()*(lon1-lon0), DefaultLinkDist)
	}
}

func BenchmarkNewIndex(b *testing.B) {
	s := readStreets(b, "rnv", "rnv.osm.pbf")
	b.ReportAllocs()
	for b.Loop() {
		NewIndex(s)
	}
}

func BenchmarkStopTransfers(b *testing.B) {
	for _, c := range realNetworks[:2] {
		b.Run(c.name, func(b *testing.B) {
			s := readStreets(b, c.osmDir, c.osmFile)
			lats, lons := readStops(b, c.gtfsDir, c.gtfsFile)
			links, _, err := LinkPoints(s, NewIndex(s), lats, lons, 0)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, _, err := StopTransfers(s, &links, lats, lons, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
