// Package street links points (stops, schools, addresses) to the walking
// and cycling networks of a graph.Streets and searches them: bounded
// Dijkstra searches from a linked point, distances to other linked points,
// and the walking transfers between stops.
//
// Walking (Mode Walk) uses the walkable segments in both directions.
// Cycling (Mode Bike) uses the bikeable edges in the directions cyclists
// may ride them (one-way rules, see ingest/osm), and places are linked to
// the nearest segment of the main cycling components: a segment of a
// small cycling component (fewer than MinBikeComponent nodes, not the
// largest) is never a link, so that a ride does not start or end on a
// stub the cycling network does not join (a service road among
// footways). A place is linked to each network on its own: its walking
// link may be a footway and its cycling link the street beside it.
//
// Distances are metres everywhere; callers turn them into times with a
// walking or cycling speed.
package street

import (
	"math"
	"runtime"
	"sync"

	"github.com/tidwall/rtree"

	"reach/graph"
)

const rad = math.Pi / 180

// Index finds the walkable (Snap) or bikeable (SnapBike) street nearest to
// a point. It indexes the bounding boxes of the segments in R-trees
// (several, built side by side, on a large network), one set per mode
// sharing the shape tables. It is read-only once built and safe for
// concurrent use.
type Index struct {
	s         *graph.Streets
	trees     []rtree.RTreeG[graph.SegIdx] // item: a walkable segment
	bikeTrees []rtree.RTreeG[graph.SegIdx] // item: a bikeable segment of a main cycling component
	pointSeg  []graph.SegIdx               // segment of each shape point
	cum       []float64                    // metres from the segment start to each shape point
}

// MinBikeComponent is the size, in nodes, from which a cycling component
// (bikeable segments joined at nodes, directions ignored) holds links:
// places are linked to the segments of the largest component and of those
// with at least this many nodes.
const MinBikeComponent = 50

// parallelIndexMin is the number of segments from which the R-trees are
// built on several cores.
const parallelIndexMin = 100000

// NewIndex indexes the walkable segments of s, and the bikeable segments
// of its main cycling components (see MinBikeComponent).
func NewIndex(s *graph.Streets) *Index {
	x := &Index{
		s:        s,
		pointSeg: make([]graph.SegIdx, len(s.ShapeLat)),
		cum:      make([]float64, len(s.ShapeLat)),
	}
	// Segments are in the order of the ways read, so that ranges of them
	// are compact areas: one tree per range and mode, built concurrently,
	// as are the ranges' shape tables.
	parts := 1
	if n := s.NumSegments(); n >= parallelIndexMin {
		parts = min(runtime.GOMAXPROCS(0), 4)
	}
	bounds := func(p int) (graph.SegIdx, graph.SegIdx) {
		return graph.SegIdx(s.NumSegments() * p / parts), graph.SegIdx(s.NumSegments() * (p + 1) / parts)
	}
	var wg sync.WaitGroup
	for p := range parts {
		wg.Go(func() {
			lo, hi := bounds(p)
			for g := lo; g < hi; g++ {
				a, b := s.SegShapeStart[g], s.SegShapeStart[g+1]
				for k := a; k < b; k++ {
					x.pointSeg[k] = g
					if k > a {
						x.cum[k] = x.cum[k-1] + graph.Haversine(s.ShapeLat[k-1], s.ShapeLon[k-1], s.ShapeLat[k], s.ShapeLon[k])
					}
				}
			}
		})
	}
	bikeMain := mainBikeSegments(s)
	wg.Wait()
	x.trees = make([]rtree.RTreeG[graph.SegIdx], parts)
	x.bikeTrees = make([]rtree.RTreeG[graph.SegIdx], parts)
	for p := range parts {
		lo, hi := bounds(p)
		wg.Go(func() {
			for g := lo; g < hi; g++ {
				if s.SegFlags[g]&graph.StreetWalk != 0 {
					min, max := x.segBox(g)
					x.trees[p].Insert(min, max, g)
				}
			}
		})
		wg.Go(func() {
			for g := lo; g < hi; g++ {
				if bikeMain[g] {
					min, max := x.segBox(g)
					x.bikeTrees[p].Insert(min, max, g)
				}
			}
		})
	}
	wg.Wait()
	return x
}

// mainBikeSegments returns, per segment, whether it is bikeable (in one
// direction at least) and belongs to a main cycling component: the
// largest, or one of at least MinBikeComponent nodes.
func mainBikeSegments(s *graph.Streets) []bool {
	const bike = graph.StreetBike | graph.StreetBikeBack
	parent := make([]graph.NodeIdx, s.NumNodes())
	for i := range parent {
		parent[i] = graph.NodeIdx(i)
	}
	find := func(x graph.NodeIdx) graph.NodeIdx {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	on := make([]bool, s.NumNodes())
	for g := range s.SegFrom {
		if s.SegFlags[g]&bike == 0 {
			continue
		}
		a, b := s.SegFrom[g], s.SegTo[g]
		on[a], on[b] = true, true
		if ra, rb := find(a), find(b); ra != rb {
			parent[ra] = rb
		}
	}
	size := make([]int32, s.NumNodes())
	largest := graph.NodeIdx(-1)
	for n := range size {
		if on[n] {
			r := find(graph.NodeIdx(n))
			size[r]++
			if largest < 0 || size[r] > size[largest] {
				largest = r
			}
		}
	}
	out := make([]bool, s.NumSegments())
	for g := range out {
		if s.SegFlags[g]&bike != 0 {
			r := find(s.SegFrom[g])
			out[g] = r == largest || size[r] >= MinBikeComponent
		}
	}
	return out
}

// segBox returns the bounding box of segment g's shape, {lon, lat} corners.
func (x *Index) segBox(g graph.SegIdx) (min, max [2]float64) {
	s := x.s
	a, b := s.SegShapeStart[g], s.SegShapeStart[g+1]
	min = [2]float64{math.Inf(1), math.Inf(1)}
	max = [2]float64{math.Inf(-1), math.Inf(-1)}
	for k := a; k < b; k++ {
		min[0], min[1] = math.Min(min[0], s.ShapeLon[k]), math.Min(min[1], s.ShapeLat[k])
		max[0], max[1] = math.Max(max[0], s.ShapeLon[k]), math.Max(max[1], s.ShapeLat[k])
	}
	return min, max
}

// Snap is a point projected onto the nearest street of a mode.
type Snap struct {
	Seg      graph.SegIdx // segment
	Offset   float64      // metres from SegFrom along the segment to the projected point
	Fraction float64      // Offset as a fraction of the segment's length (0 on an empty segment)
	Lat, Lon float64      // the projected point
	Dist     float64      // connector: metres from the query point to the projected point
}

// Snap returns the point of the walkable streets nearest to (lat, lon),
// if one lies within maxDist metres. Distances to street pieces are
// measured in a local equirectangular projection centred on the query
// point (exact to well under a millimetre at linking distances); the
// reported connector is the haversine distance.
func (x *Index) Snap(lat, lon, maxDist float64) (Snap, bool) {
	return x.snap(x.trees, lat, lon, maxDist)
}

// SnapBike is Snap on the bikeable streets of the main cycling components
// (see MinBikeComponent).
func (x *Index) SnapBike(lat, lon, maxDist float64) (Snap, bool) {
	return x.snap(x.bikeTrees, lat, lon, maxDist)
}

// snapMode is Snap for mode m.
func (x *Index) snapMode(m Mode, lat, lon, maxDist float64) (Snap, bool) {
	if m == Bike {
		return x.SnapBike(lat, lon, maxDist)
	}
	return x.Snap(lat, lon, maxDist)
}

// snap returns the point of the segments of trees nearest to (lat, lon).
func (x *Index) snap(trees []rtree.RTreeG[graph.SegIdx], lat, lon, maxDist float64) (Snap, bool) {
	if math.IsNaN(lat) || math.IsNaN(lon) || !(maxDist >= 0) {
		return Snap{}, false
	}
	ky := graph.EarthRadius * rad
	kx := ky * math.Cos(lat*rad)
	limit := maxDist * maxDist
	best, bestK, bestT := math.Inf(1), int32(-1), 0.0
	// nearest returns the squared distance to segment g and its nearest
	// piece and fraction.
	nearest := func(g graph.SegIdx) (d2 float64, k int32, t float64) {
		s := x.s
		d2, k = math.Inf(1), -1
		a, b := s.SegShapeStart[g], s.SegShapeStart[g+1]
		for i := a; i+1 < b; i++ {
			ax, ay := (s.ShapeLon[i]-lon)*kx, (s.ShapeLat[i]-lat)*ky
			bx, by := (s.ShapeLon[i+1]-lon)*kx, (s.ShapeLat[i+1]-lat)*ky
			if d, ti := pieceDist(ax, ay, bx, by); d < d2 {
				d2, k, t = d, i, ti
			}
		}
		return d2, k, t
	}
	for i := range trees {
		trees[i].Nearby(
			func(min, max [2]float64, g graph.SegIdx, item bool) float64 {
				if !item {
					dx := gap(lon, min[0], max[0]) * kx
					dy := gap(lat, min[1], max[1]) * ky
					return dx*dx + dy*dy
				}
				d, _, _ := nearest(g)
				return d
			},
			func(min, max [2]float64, g graph.SegIdx, d float64) bool {
				if d > limit || d >= best {
					return false
				}
				var k int32
				best, k, bestT = nearest(g)
				bestK = k
				return false
			},
		)
	}
	if bestK < 0 || best > limit {
		return Snap{}, false
	}
	return x.snapAt(bestK, bestT, lat, lon), true
}

// snapAt builds the Snap for the point at fraction t of piece k.
func (x *Index) snapAt(k int32, t, lat, lon float64) Snap {
	s := x.s
	g := x.pointSeg[k]
	sn := Snap{
		Seg: g,
		Lat: s.ShapeLat[k] + t*(s.ShapeLat[k+1]-s.ShapeLat[k]),
		Lon: s.ShapeLon[k] + t*(s.ShapeLon[k+1]-s.ShapeLon[k]),
	}
	length := float64(s.SegLength[g])
	sn.Offset = math.Max(0, math.Min(length, x.cum[k]+t*(x.cum[k+1]-x.cum[k])))
	if length > 0 {
		sn.Fraction = sn.Offset / length
	}
	sn.Dist = graph.Haversine(lat, lon, sn.Lat, sn.Lon)
	return sn
}

// gap returns how far v lies outside [lo, hi] (0 inside).
func gap(v, lo, hi float64) float64 {
	switch {
	case v < lo:
		return lo - v
	case v > hi:
		return v - hi
	}
	return 0
}

// pieceDist returns the squared distance from the origin to the segment
// a–b of the plane, and the fraction t of a–b where the nearest point is.
func pieceDist(ax, ay, bx, by float64) (d2, t float64) {
	vx, vy := bx-ax, by-ay
	if l2 := vx*vx + vy*vy; l2 > 0 {
		t = math.Max(0, math.Min(1, -(ax*vx+ay*vy)/l2))
	}
	px, py := ax+t*vx, ay+t*vy
	return px*px + py*py, t
}
