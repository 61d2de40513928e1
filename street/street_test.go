package street

import (
	"math"
	"math/rand/v2"
	"testing"

	"reach/graph"
)

const walk = graph.StreetWalk

// snapNetwork: A–B runs east along 48° N; B–C goes north to V then east;
// A–C is a diagonal cycle track nobody may walk.
//
//	        V────────C
//	        │      ╱
//	        │   ╱ (bike only)
//	A───────B╱
func snapNetwork(t testing.TB) *graph.Streets {
	lat := []float64{48.0, 48.0, 48.005} // A, B, C
	lon := []float64{-1.0, -0.99, -0.98}
	return makeStreets(t, lat, lon, []tseg{
		{from: 0, to: 1, flags: walk},
		{from: 1, to: 2, via: [][2]float64{{48.005, -0.99}}, flags: walk},
		{from: 0, to: 2, flags: graph.StreetBike | graph.StreetBikeBack},
	})
}

func TestSnap(t *testing.T) {
	s := snapNetwork(t)
	idx := NewIndex(s)
	h := graph.Haversine
	tests := []struct {
		name             string
		lat, lon         float64
		seg              graph.SegIdx
		pLat, pLon       float64
		offset, fraction float64
	}{
		// North of A–B: projected straight south.
		{"on A–B", 48.001, -0.995, 0, 48.0, -0.995, h(48, -1, 48, -0.995), h(48, -1, 48, -0.995) / h(48, -1, 48, -0.99)},
		// On the cycle track: the nearest walkable street is A–B, 139 m south.
		{"cycle track ignored", 48.00125, -0.995, 0, 48.0, -0.995, h(48, -1, 48, -0.995), 0},
		// Near the second piece of B–C: the offset adds the first piece.
		{"second piece", 48.006, -0.985, 1, 48.005, -0.985,
			h(48, -0.99, 48.005, -0.99) + h(48.005, -0.99, 48.005, -0.985), 0},
		// West of A: clamped to the end of the street.
		{"beyond the end", 48.0, -1.001, 0, 48.0, -1.0, 0, 0},
	}
	for _, tc := range tests {
		sn, ok := idx.Snap(tc.lat, tc.lon, 2000)
		if !ok {
			t.Errorf("%s: not snapped", tc.name)
			continue
		}
		if sn.Seg != tc.seg || math.Abs(sn.Lat-tc.pLat) > 1e-9 || math.Abs(sn.Lon-tc.pLon) > 1e-9 {
			t.Errorf("%s: snapped to segment %d at %.9f,%.9f; want %d at %.9f,%.9f", tc.name, sn.Seg, sn.Lat, sn.Lon, tc.seg, tc.pLat, tc.pLon)
		}
		if math.Abs(sn.Offset-tc.offset) > 1e-3 {
			t.Errorf("%s: offset %.4f, want %.4f", tc.name, sn.Offset, tc.offset)
		}
		if tc.fraction != 0 && math.Abs(sn.Fraction-tc.fraction) > 1e-6 {
			t.Errorf("%s: fraction %.6f, want %.6f", tc.name, sn.Fraction, tc.fraction)
		}
		if want := h(tc.lat, tc.lon, tc.pLat, tc.pLon); math.Abs(sn.Dist-want) > 1e-3 {
			t.Errorf("%s: connector %.4f m, want %.4f m", tc.name, sn.Dist, want)
		}
	}
	// A point on B–C's first piece needs no connector.
	if sn, _ := idx.Snap(48.0025, -0.99, 2000); sn.Seg != 1 || math.Abs(sn.Dist) > 1e-6 {
		t.Errorf("point on B–C's first piece: connector %v, want 0", sn.Dist)
	}
	// Limits.
	if _, ok := idx.Snap(48.001, -0.995, 100); ok {
		t.Error("snapped a point 111 m away with a 100 m limit")
	}
	if _, ok := idx.Snap(48.001, -0.995, 112); !ok {
		t.Error("did not snap a point 111 m away with a 112 m limit")
	}
	if _, ok := idx.Snap(math.NaN(), 0, 100); ok {
		t.Error("snapped NaN")
	}
}

func TestLinkPoints(t *testing.T) {
	s := snapNetwork(t)
	idx := NewIndex(s)
	lats := []float64{48.001, 48.006, 48.1, math.NaN()}
	lons := []float64{-0.995, -0.985, -1.0, 0}
	links, rep, err := LinkPoints(s, idx, lats, lons, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := links.Validate(s); err != nil {
		t.Fatal(err)
	}
	d0 := graph.Haversine(48.001, -0.995, 48.0, -0.995)
	d1 := graph.Haversine(48.006, -0.985, 48.005, -0.985)
	if rep.Points != 4 || rep.Linked != 2 || rep.Fallback != 2 ||
		math.Abs(rep.MeanDist-(d0+d1)/2) > 1e-3 || math.Abs(rep.MaxDist-math.Max(d0, d1)) > 1e-3 {
		t.Errorf("report %+v, want 2 linked (mean %.3f, max %.3f), 2 fallback", rep, (d0+d1)/2, math.Max(d0, d1))
	}
	if links.Seg[0] != 0 || links.Seg[1] != 1 || links.Seg[2] != -1 || links.Seg[3] != -1 {
		t.Errorf("segments %v, want [0 1 -1 -1]", links.Seg)
	}
	if math.Abs(float64(links.Dist[0])-d0) > 1e-3 || math.Abs(float64(links.Offset[0])-graph.Haversine(48, -1, 48, -0.995)) > 1e-3 {
		t.Errorf("point 0: offset %v, connector %v", links.Offset[0], links.Dist[0])
	}
	// 10.6 km from V, the corner of B–C: linked only with a longer limit.
	links, rep, _ = LinkPoints(s, idx, lats[2:3], lons[2:3], 12000)
	if want := graph.Haversine(48.1, -1.0, 48.005, -0.99); rep.Linked != 1 || links.Seg[0] != 1 ||
		math.Abs(float64(links.Dist[0])-want) > 1e-2 {
		t.Errorf("12 km limit: %+v, segment %d, connector %v; want segment 1, %v m", rep, links.Seg[0], links.Dist[0], want)
	}
	if _, _, err := LinkPoints(s, idx, lats, lons[:1], 0); err == nil {
		t.Error("no error for mismatched coordinate slices")
	}
}

func TestPointIndexWithin(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var lats, lons []float64
	for range 500 {
		lats = append(lats, 49.4+rng.Float64()*0.1)
		lons = append(lons, 8.4+rng.Float64()*0.15)
	}
	p := NewPointIndex(lats, lons)
	for range 50 {
		la, lo, r := 49.4+rng.Float64()*0.1, 8.4+rng.Float64()*0.15, rng.Float64()*1500
		got := p.Within(la, lo, r, nil)
		want := 0
		for i := range lats {
			if graph.Haversine(la, lo, lats[i], lons[i]) <= r {
				want++
			}
		}
		if len(got) != want {
			t.Fatalf("radius %.0f m: %d points, want %d", r, len(got), want)
		}
		for k := range got {
			if k > 0 && got[k].Dist < got[k-1].Dist {
				t.Fatal("neighbours not sorted by distance")
			}
			if d := graph.Haversine(la, lo, lats[got[k].Point], lons[got[k].Point]); d != got[k].Dist {
				t.Fatalf("point %d: distance %v, want %v", got[k].Point, got[k].Dist, d)
			}
		}
	}
}

// gridNetwork builds a random, partly bent, partly non-walkable grid with
// a self-loop and a parallel street, about 100 m between nodes.
func gridNetwork(t testing.TB, rng *rand.Rand, side int) *graph.Streets {
	var lat, lon []float64
	for i := range side {
		for j := range side {
			lat = append(lat, 48.1+float64(i)*0.0009+rng.Float64()*0.0002)
			lon = append(lon, -1.7+float64(j)*0.00135+rng.Float64()*0.0003)
		}
	}
	var segs []tseg
	add := func(a, b int) {
		if rng.Float64() < 0.2 {
			return
		}
		g := tseg{from: int32(a), to: int32(b), flags: walk}
		if rng.Float64() < 0.1 {
			g.flags = graph.StreetBike
		}
		if rng.Float64() < 0.3 { // a bend
			g.via = [][2]float64{{(lat[a]+lat[b])/2 + (rng.Float64()-0.5)*0.0005, (lon[a]+lon[b])/2 + (rng.Float64()-0.5)*0.0005}}
		}
		if rng.Float64() < 0.5 {
			g.from, g.to = g.to, g.from
		}
		segs = append(segs, g)
	}
	for i := range side {
		for j := range side {
			n := i*side + j
			if j+1 < side {
				add(n, n+1)
			}
			if i+1 < side {
				add(n, n+side)
			}
		}
	}
	segs = append(segs,
		tseg{from: 0, to: 0, via: [][2]float64{{lat[0] - 0.0003, lon[0]}, {lat[0] - 0.0003, lon[0] - 0.0004}}, flags: walk},
		tseg{from: 1, to: int32(side + 1), via: [][2]float64{{lat[1], lon[1] + 0.0006}}, flags: walk},
	)
	return makeStreets(t, lat, lon, segs)
}

// allPairs returns node-to-node walking distances by Floyd–Warshall.
func allPairs(s *graph.Streets) [][]float64 {
	n := s.NumNodes()
	d := make([][]float64, n)
	for i := range d {
		d[i] = make([]float64, n)
		for j := range d[i] {
			d[i][j] = math.Inf(1)
		}
		d[i][i] = 0
	}
	for g := range s.NumSegments() {
		if s.SegFlags[g]&walk == 0 {
			continue
		}
		a, b, l := s.SegFrom[g], s.SegTo[g], float64(s.SegLength[g])
		d[a][b] = math.Min(d[a][b], l)
		d[b][a] = math.Min(d[b][a], l)
	}
	for k := range n {
		for i := range n {
			for j := range n {
				d[i][j] = math.Min(d[i][j], d[i][k]+d[k][j])
			}
		}
	}
	return d
}

// bruteLinkDist is the walking distance between two linked points.
func bruteLinkDist(s *graph.Streets, d [][]float64, g1 graph.SegIdx, o1, c1 float64, g2 graph.SegIdx, o2, c2 float64) float64 {
	l1, l2 := float64(s.SegLength[g1]), float64(s.SegLength[g2])
	ends1 := [2]struct {
		n graph.NodeIdx
		d float64
	}{{s.SegFrom[g1], o1}, {s.SegTo[g1], l1 - o1}}
	ends2 := [2]struct {
		n graph.NodeIdx
		d float64
	}{{s.SegFrom[g2], o2}, {s.SegTo[g2], l2 - o2}}
	best := math.Inf(1)
	for _, a := range ends1 {
		for _, b := range ends2 {
			best = math.Min(best, a.d+d[a.n][b.n]+b.d)
		}
	}
	if g1 == g2 {
		best = math.Min(best, math.Abs(o1-o2))
	}
	return best + c1 + c2
}

// randomLinks links n random points on walkable segments.
func randomLinks(s *graph.Streets, rng *rand.Rand, n int, maxConn float64) graph.Links {
	var l graph.Links
	for len(l.Seg) < n {
		g := graph.SegIdx(rng.IntN(s.NumSegments()))
		if s.SegFlags[g]&walk == 0 {
			continue
		}
		l.Seg = append(l.Seg, g)
		l.Offset = append(l.Offset, float32(rng.Float64())*s.SegLength[g])
		l.Dist = append(l.Dist, float32(rng.Float64()*maxConn))
	}
	return l
}

func TestSearcherMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	s := gridNetwork(t, rng, 9)
	d := allPairs(s)
	links := randomLinks(s, rng, 60, 40)
	targets := NewTargets(s, &links)
	q := NewSearcher(s)
	for src := range int32(links.Len()) {
		g1, o1, c1 := links.Seg[src], float64(links.Offset[src]), float64(links.Dist[src])
		for _, bound := range []float64{math.Inf(1), 400} {
			q.Reset()
			q.AddLink(g1, o1, c1)
			q.Run(bound)
			// Node distances.
			for n := range graph.NodeIdx(s.NumNodes()) {
				want := math.Min(c1+o1+d[s.SegFrom[g1]][n], c1+float64(s.SegLength[g1])-o1+d[s.SegTo[g1]][n])
				if want > bound {
					want = math.Inf(1)
				}
				if got := q.Dist(n); got != want && math.Abs(got-want) > 1e-6 {
					t.Fatalf("link %d, bound %v: node %d at %v, want %v", src, bound, n, got, want)
				}
			}
			for k := 1; k < len(q.Reached()); k++ {
				if q.Dist(q.Reached()[k]) < q.Dist(q.Reached()[k-1]) {
					t.Fatal("Reached not in order of distance")
				}
			}
			// Linked points.
			hits := map[int32]float64{}
			for _, h := range q.ReachTargets(targets, bound) {
				if _, dup := hits[h.Point]; dup {
					t.Fatalf("target %d reported twice", h.Point)
				}
				hits[h.Point] = h.Dist
			}
			for dst := range int32(links.Len()) {
				g2, o2, c2 := links.Seg[dst], float64(links.Offset[dst]), float64(links.Dist[dst])
				want := bruteLinkDist(s, d, g1, o1, c1, g2, o2, c2)
				if bound == math.Inf(1) {
					if got := q.DistToLink(g2, o2, c2); math.Abs(got-want) > 1e-6 && got != want {
						t.Fatalf("link %d → %d: DistToLink %v, want %v", src, dst, got, want)
					}
				}
				got, ok := hits[dst]
				if want <= bound != ok || (ok && math.Abs(got-want) > 1e-6) {
					t.Fatalf("link %d → %d, bound %v: ReachTargets %v (reached %v), want %v", src, dst, bound, got, ok, want)
				}
			}
		}
	}
}

func TestStopTransfersBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	s := gridNetwork(t, rng, 8)
	d := allPairs(s)
	links := randomLinks(s, rng, 40, 150)
	lats, lons := make([]float64, 40), make([]float64, 40)
	for i := range 40 {
		lats[i], lons[i] = s.PointAlong(links.Seg[i], float64(links.Offset[i]))
	}
	// Three stops off the network: two near each other, one near stop 0.
	for _, p := range [][2]float64{{48.1 - 0.004, -1.7}, {48.1 - 0.0045, -1.7005}, {lats[0] + 0.001, lons[0]}} {
		links.Seg = append(links.Seg, -1)
		links.Offset = append(links.Offset, 0)
		links.Dist = append(links.Dist, 0)
		lats, lons = append(lats, p[0]), append(lons, p[1])
	}
	const maxDist = 500.0
	f, rep, err := StopTransfers(s, &links, lats, lons, maxDist)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Validate(links.Len()); err != nil {
		t.Fatal(err)
	}
	n := int32(links.Len())
	got := map[[2]int32]float32{}
	for i := range n {
		to, dist := f.From(i)
		for k := range to {
			if k > 0 && dist[k] < dist[k-1] {
				t.Fatalf("footpaths of %d not sorted by distance", i)
			}
			got[[2]int32{i, int32(to[k])}] = dist[k]
		}
	}
	street, straight, shortcut := 0, 0, 0
	for i := range n {
		for j := range n {
			if i == j {
				if _, ok := got[[2]int32{i, j}]; ok {
					t.Fatalf("footpath from %d to itself", i)
				}
				continue
			}
			line := graph.Haversine(lats[i], lons[i], lats[j], lons[j])
			want, kind := line*DetourFactor, &straight
			if links.Seg[i] >= 0 && links.Seg[j] >= 0 {
				want = bruteLinkDist(s, d, links.Seg[i], float64(links.Offset[i]), float64(links.Dist[i]),
					links.Seg[j], float64(links.Offset[j]), float64(links.Dist[j]))
				kind = &street
				// Stops nearer to each other than one of them to its street.
				if line <= math.Max(float64(links.Dist[i]), float64(links.Dist[j])) && line*DetourFactor < want {
					want, kind = line*DetourFactor, &shortcut
				}
			}
			g, ok := got[[2]int32{i, j}]
			if want <= maxDist != ok || (ok && math.Abs(float64(g)-want) > 1e-3) {
				t.Fatalf("%d → %d: footpath %v (present %v), want %v", i, j, g, ok, want)
			}
			if ok {
				*kind++
			}
		}
	}
	if rep.StreetPairs != street || rep.StraightPairs != straight || rep.ShortcutPairs != shortcut ||
		rep.Linked != 40 || rep.Fallback != 3 || straight < 4 || street < 100 || shortcut < 2 {
		t.Errorf("report %+v; counted %d street, %d straight-line and %d shortcut pairs", rep, street, straight, shortcut)
	}
}

func TestSearchAllocatesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	s := gridNetwork(t, rng, 10)
	links := randomLinks(s, rng, 30, 40)
	targets := NewTargets(s, &links)
	q := NewSearcher(s)
	i := 0
	search := func() {
		q.Reset()
		q.AddLink(links.Seg[i%30], float64(links.Offset[i%30]), float64(links.Dist[i%30]))
		q.Run(600)
		q.ReachTargets(targets, 600)
		i++
	}
	for range 30 {
		search() // warm up the reused buffers
	}
	if a := testing.AllocsPerRun(100, search); a != 0 {
		t.Errorf("%v allocations per search in steady state, want 0", a)
	}
}

func TestSearcherGenerationWrap(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 11))
	s := gridNetwork(t, rng, 5)
	q := NewSearcher(s)
	q.AddNode(3, 0)
	q.Run(math.Inf(1))
	q.gen = math.MaxUint32 // the next Reset wraps
	q.Reset()
	q.AddNode(0, 0)
	q.Run(0)
	for n := range graph.NodeIdx(s.NumNodes()) {
		if got := q.Dist(n); (n == 0) != (got == 0) || (n != 0 && !math.IsInf(got, 1)) {
			t.Fatalf("after wrap: node %d at %v", n, got)
		}
	}
}

func TestSearcherSourcesBeyondBound(t *testing.T) {
	s := snapNetwork(t)
	q := NewSearcher(s)
	// From the middle of A–B (372 m from each end) with a 100 m connector.
	half := float64(s.SegLength[0]) / 2
	q.AddLink(0, half, 100)
	q.Run(400)
	if len(q.Reached()) != 0 || !math.IsInf(q.Dist(0), 1) || !math.IsInf(q.Dist(1), 1) {
		t.Errorf("bound 400 m: reached %v, distances %v %v", q.Reached(), q.Dist(0), q.Dist(1))
	}
	if d := q.DistToLink(0, half+10, 5); math.Abs(d-115) > 1e-9 {
		t.Errorf("same-segment point: %v m, want 115", d)
	}
	q.Reset()
	q.AddLink(0, half, 100)
	q.Run(480)
	if len(q.Reached()) != 2 || math.Abs(q.Dist(1)-(100+half)) > 1e-6 {
		t.Errorf("bound 480 m: reached %v, distance to B %v", q.Reached(), q.Dist(1))
	}
	q.Reset()
	q.AddLink(0, half, 100)
	q.Run(math.NaN())
	if len(q.Reached()) != 0 {
		t.Errorf("NaN bound: reached %v", q.Reached())
	}
}
