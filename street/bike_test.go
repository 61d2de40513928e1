package street

import (
	"math"
	"math/rand/v2"
	"testing"

	"reach/graph"
)

const (
	bikeFwd  = graph.StreetBike
	bikeBack = graph.StreetBikeBack
	bikeBoth = bikeFwd | bikeBack
)

// bikeGrid is a side × side grid of streets about 110 m apart whose
// segments are, at random, walkable, bikeable both ways, one way (either
// way round) or both; segments are laid out in a random direction.
func bikeGrid(t testing.TB, rng *rand.Rand, side int) *graph.Streets {
	var lat, lon []float64
	for i := range side {
		for j := range side {
			lat = append(lat, 48+float64(i)*0.001+(rng.Float64()-0.5)*0.0002)
			lon = append(lon, -1+float64(j)*0.0015+(rng.Float64()-0.5)*0.0002)
		}
	}
	kinds := []uint8{walk, walk | bikeBoth, walk | bikeFwd, walk | bikeBack, bikeFwd, bikeBack, bikeBoth}
	var segs []tseg
	add := func(a, b int) {
		if rng.Float64() < 0.1 {
			return
		}
		g := tseg{from: int32(a), to: int32(b), flags: kinds[rng.IntN(len(kinds))]}
		if rng.Float64() < 0.3 {
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
	return makeStreets(t, lat, lon, segs)
}

// bikePairs returns node-to-node riding distances by Floyd–Warshall over
// the directed bikeable segments.
func bikePairs(s *graph.Streets) [][]float64 {
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
		a, b, l := s.SegFrom[g], s.SegTo[g], float64(s.SegLength[g])
		if s.SegFlags[g]&bikeFwd != 0 {
			d[a][b] = math.Min(d[a][b], l)
		}
		if s.SegFlags[g]&bikeBack != 0 {
			d[b][a] = math.Min(d[b][a], l)
		}
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

// bruteBikeDist is the riding distance from one linked point to another:
// leave along the own segment in an allowed direction, ride, enter the
// other's segment in an allowed direction; or ride straight along a shared
// segment when its direction allows.
func bruteBikeDist(s *graph.Streets, d [][]float64, g1 graph.SegIdx, o1, c1 float64, g2 graph.SegIdx, o2, c2 float64) float64 {
	f1, f2 := s.SegFlags[g1], s.SegFlags[g2]
	l1, l2 := float64(s.SegLength[g1]), float64(s.SegLength[g2])
	type end struct {
		n  graph.NodeIdx
		d  float64
		ok bool
	}
	leave := [2]end{{s.SegTo[g1], l1 - o1, f1&bikeFwd != 0}, {s.SegFrom[g1], o1, f1&bikeBack != 0}}
	enter := [2]end{{s.SegFrom[g2], o2, f2&bikeFwd != 0}, {s.SegTo[g2], l2 - o2, f2&bikeBack != 0}}
	best := math.Inf(1)
	for _, a := range leave {
		for _, b := range enter {
			if a.ok && b.ok {
				best = math.Min(best, a.d+d[a.n][b.n]+b.d)
			}
		}
	}
	if g1 == g2 && (o2 == o1 || (o2 > o1 && f1&bikeFwd != 0) || (o2 < o1 && f1&bikeBack != 0)) {
		best = math.Min(best, math.Abs(o2-o1))
	}
	return best + c1 + c2
}

func TestBikeSearcherMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	s := bikeGrid(t, rng, 8)
	d := bikePairs(s)
	var links graph.Links
	for len(links.Seg) < 50 {
		g := graph.SegIdx(rng.IntN(s.NumSegments()))
		if s.SegFlags[g]&bikeBoth == 0 {
			continue
		}
		links.Seg = append(links.Seg, g)
		links.Offset = append(links.Offset, float32(rng.Float64())*s.SegLength[g])
		links.Dist = append(links.Dist, float32(rng.Float64()*30))
	}
	targets := NewTargets(s, &links)
	q := NewBikeSearcher(s)
	if q.Mode() != Bike {
		t.Fatalf("mode %v", q.Mode())
	}
	finite, oneWay := 0, 0
	for src := range int32(links.Len()) {
		g1, o1, c1 := links.Seg[src], float64(links.Offset[src]), float64(links.Dist[src])
		for _, bound := range []float64{math.Inf(1), 500} {
			q.Reset()
			q.AddLink(g1, o1, c1)
			q.Run(bound)
			hits := map[int32]float64{}
			for _, h := range q.ReachTargets(targets, bound) {
				hits[h.Point] = h.Dist
			}
			for dst := range int32(links.Len()) {
				g2, o2, c2 := links.Seg[dst], float64(links.Offset[dst]), float64(links.Dist[dst])
				want := bruteBikeDist(s, d, g1, o1, c1, g2, o2, c2)
				if bound == math.Inf(1) {
					got := q.DistToLink(g2, o2, c2)
					if got != want && math.Abs(got-want) > 1e-6 {
						t.Fatalf("link %d → %d: DistToLink %v, want %v", src, dst, got, want)
					}
					if !math.IsInf(want, 1) {
						finite++
						back := bruteBikeDist(s, d, g2, o2, c2, g1, o1, c1)
						if math.Abs(back-want) > 1 {
							oneWay++
						}
					}
				}
				got, ok := hits[dst]
				if (!math.IsInf(want, 1) && want <= bound) != ok || (ok && math.Abs(got-want) > 1e-6) {
					t.Fatalf("link %d → %d, bound %v: ReachTargets %v (reached %v), want %v", src, dst, bound, got, ok, want)
				}
			}
		}
	}
	// The test must exercise one-way streets: many pairs differ by direction.
	if finite < 500 || oneWay < 100 {
		t.Errorf("%d connected pairs, %d differing by direction: the grid tests too little", finite, oneWay)
	}
}

// TestBikeOneWaySegment checks a point on a one-way segment: it may only
// ride on in the segment's direction, and be reached from behind.
func TestBikeOneWaySegment(t *testing.T) {
	lat := []float64{48.0, 48.0}
	lon := []float64{-1.0, -0.99}
	s := makeStreets(t, lat, lon, []tseg{{from: 0, to: 1, flags: walk | bikeFwd}})
	length := float64(s.SegLength[0])
	q := NewBikeSearcher(s)
	q.Reset()
	q.AddLink(0, 300, 5)
	q.Run(math.Inf(1))
	if d := q.Dist(1); math.Abs(d-(5+length-300)) > 1e-6 {
		t.Errorf("ahead: node 1 at %v, want %v", d, 5+length-300)
	}
	if d := q.Dist(0); !math.IsInf(d, 1) {
		t.Errorf("behind: node 0 at %v, want unreachable", d)
	}
	if d := q.DistToLink(0, 500, 0); math.Abs(d-205) > 1e-6 {
		t.Errorf("200 m further along: %v, want 205", d)
	}
	if d := q.DistToLink(0, 100, 0); !math.IsInf(d, 1) {
		t.Errorf("200 m back along the one-way: %v, want unreachable", d)
	}
	// Walking ignores the direction.
	w := NewSearcher(s)
	w.Reset()
	w.AddLink(0, 300, 5)
	w.Run(math.Inf(1))
	if d := w.DistToLink(0, 100, 0); math.Abs(d-205) > 1e-6 {
		t.Errorf("walking 200 m back: %v, want 205", d)
	}
}

// TestSnapBike checks that cyclists are linked to bikeable streets of the
// main cycling component only.
func TestSnapBike(t *testing.T) {
	// A–B walk only, B–C bike only, and a bikeable stub D–E joined to
	// nothing bikeable (its component is small), just north of A–B.
	lat := []float64{48.0, 48.0, 48.0, 48.0005, 48.0005}
	lon := []float64{-1.0, -0.99, -0.98, -0.998, -0.996}
	var segs []tseg
	segs = append(segs, tseg{from: 0, to: 1, flags: walk}, tseg{from: 1, to: 2, flags: bikeBoth})
	// A main component larger than the stub: a chain C–F1–F2–F3.
	for k := range 3 {
		lat = append(lat, 48.0)
		lon = append(lon, -0.97+float64(k)*0.01)
		from := int32(2)
		if k > 0 {
			from = int32(len(lat) - 2)
		}
		segs = append(segs, tseg{from: from, to: int32(len(lat) - 1), flags: walk | bikeFwd})
	}
	segs = append(segs, tseg{from: 3, to: 4, flags: walk | bikeBoth})
	s := makeStreets(t, lat, lon, segs)
	idx := NewIndex(s)
	// Near the stub and A–B: walking links to the stub (nearest), cycling
	// skips it and A–B and goes to B–C.
	sn, ok := idx.Snap(48.0004, -0.997, 5000)
	if !ok || sn.Seg != 5 {
		t.Errorf("walking snap: segment %d (%v), want the stub 5", sn.Seg, ok)
	}
	sb, ok := idx.SnapBike(48.0004, -0.997, 5000)
	if !ok || sb.Seg != 1 {
		t.Errorf("cycling snap: segment %d (%v), want B–C (1)", sb.Seg, ok)
	}
	links, rep, err := LinkBikePoints(s, idx, []float64{48.0004, 48.1}, []float64{-0.997, -1.0}, 1000)
	if err != nil || rep.Linked != 1 || links.Seg[0] != 1 || links.Seg[1] != -1 {
		t.Errorf("LinkBikePoints: %v, %+v, segments %v", err, rep, links.Seg)
	}
}

// TestBikeAccess checks access to points by bike: a one-way street is
// ridden one way only, and points off the streets are reached by straight
// lines.
func TestBikeAccess(t *testing.T) {
	lat := []float64{48.0, 48.0, 48.0}
	lon := []float64{-1.0, -0.99, -0.98}
	s := makeStreets(t, lat, lon, []tseg{
		{from: 0, to: 1, flags: walk | bikeBoth},
		{from: 1, to: 2, flags: walk | bikeFwd}, // one way eastwards
	})
	idx := NewIndex(s)
	// Points: east end, west end, and one 3 km north (off the streets).
	plat := []float64{48.0001, 48.0001, 48.03}
	plon := []float64{-0.98, -1.0, -0.99}
	bl, _, _ := LinkBikePoints(s, idx, plat, plon, 1000)
	a := NewBikeAccess(s, idx, &bl, plat, plon, 1000)
	if a.Mode() != Bike {
		t.Fatalf("mode %v", a.Mode())
	}
	sc := a.NewScratch()
	dist := func(lat, lon float64) map[int32]float64 {
		m := map[int32]float64{}
		for _, h := range a.FromPlace(sc, lat, lon, 10000) {
			m[h.Point] = h.Dist
		}
		return m
	}
	west := dist(48.0, -1.0)
	east := dist(48.0, -0.98)
	if _, ok := west[0]; !ok {
		t.Errorf("from the west end, the east end is not reached by bike: %v", west)
	}
	if d, ok := east[1]; ok {
		t.Errorf("from the east end, the west end is reached at %v m against the one-way", d)
	}
	// Walking reaches it.
	wl, _, _ := LinkPoints(s, idx, plat, plon, 1000)
	w := NewAccess(s, idx, &wl, plat, plon, 1000)
	found := false
	for _, h := range w.FromPlace(w.NewScratch(), 48.0, -0.98, 10000) {
		found = found || h.Point == 1
	}
	if !found {
		t.Error("walking from the east end does not reach the west end")
	}
	// Off the streets: a straight line × DetourFactor.
	off := dist(48.03, -0.99)
	if d, ok := off[2]; !ok || d != 0 {
		t.Errorf("from the point off the streets, itself at %v (%v)", d, ok)
	}
	if d, ok := off[0]; !ok || math.Abs(d-graph.Haversine(48.03, -0.99, 48.0001, -0.98)*DetourFactor) > 1e-6 {
		t.Errorf("from off the streets to the east end: %v (%v), want a straight line × %v", d, ok, DetourFactor)
	}
}
