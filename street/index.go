// Package street links points (stops, schools, addresses) to the walking
// network of a graph.Streets and searches it: bounded Dijkstra searches
// from a linked point, distances to other linked points, and the walking
// transfers between stops.
//
// Distances are metres everywhere; callers turn them into times with a
// walking speed.
package street

import (
	"math"

	"github.com/tidwall/rtree"

	"reach/graph"
)

const rad = math.Pi / 180

// Index finds the walkable street nearest to a point. It indexes every
// straight piece of the shapes of the walkable segments in an R-tree. It is
// read-only once built and safe for concurrent use.
type Index struct {
	s        *graph.Streets
	tree     rtree.RTreeG[int32] // item k: the piece from shape point k to k+1
	pointSeg []int32             // segment of each shape point
	cum      []float64           // metres from the segment start to each shape point
}

// NewIndex indexes the walkable segments of s.
func NewIndex(s *graph.Streets) *Index {
	x := &Index{
		s:        s,
		pointSeg: make([]int32, len(s.ShapeLat)),
		cum:      make([]float64, len(s.ShapeLat)),
	}
	for g := int32(0); int(g) < s.NumSegments(); g++ {
		a, b := s.SegShapeStart[g], s.SegShapeStart[g+1]
		walk := s.SegFlags[g]&graph.StreetWalk != 0
		for k := a; k < b; k++ {
			x.pointSeg[k] = g
			if k == a {
				continue
			}
			la0, lo0, la1, lo1 := s.ShapeLat[k-1], s.ShapeLon[k-1], s.ShapeLat[k], s.ShapeLon[k]
			x.cum[k] = x.cum[k-1] + graph.Haversine(la0, lo0, la1, lo1)
			if walk {
				x.tree.Insert([2]float64{math.Min(lo0, lo1), math.Min(la0, la1)},
					[2]float64{math.Max(lo0, lo1), math.Max(la0, la1)}, k-1)
			}
		}
	}
	return x
}

// Snap is a point projected onto the nearest walkable street.
type Snap struct {
	Seg      int32   // segment
	Offset   float64 // metres from SegFrom along the segment to the projected point
	Fraction float64 // Offset as a fraction of the segment's length (0 on an empty segment)
	Lat, Lon float64 // the projected point
	Dist     float64 // connector: metres from the query point to the projected point
}

// Snap returns the point of the walkable streets nearest to (lat, lon),
// if one lies within maxDist metres. Distances to street pieces are
// measured in a local equirectangular projection centred on the query
// point (exact to well under a millimetre at linking distances); the
// reported connector is the haversine distance.
func (x *Index) Snap(lat, lon, maxDist float64) (Snap, bool) {
	if math.IsNaN(lat) || math.IsNaN(lon) || !(maxDist >= 0) {
		return Snap{}, false
	}
	ky := graph.EarthRadius * rad
	kx := ky * math.Cos(lat*rad)
	limit := maxDist * maxDist
	best, bestK, bestT := math.Inf(1), int32(-1), 0.0
	x.tree.Nearby(
		func(min, max [2]float64, k int32, item bool) float64 {
			if !item {
				dx := gap(lon, min[0], max[0]) * kx
				dy := gap(lat, min[1], max[1]) * ky
				return dx*dx + dy*dy
			}
			ax, ay := (x.s.ShapeLon[k]-lon)*kx, (x.s.ShapeLat[k]-lat)*ky
			bx, by := (x.s.ShapeLon[k+1]-lon)*kx, (x.s.ShapeLat[k+1]-lat)*ky
			d, _ := pieceDist(ax, ay, bx, by)
			return d
		},
		func(min, max [2]float64, k int32, d float64) bool {
			if d > limit {
				return false
			}
			ax, ay := (x.s.ShapeLon[k]-lon)*kx, (x.s.ShapeLat[k]-lat)*ky
			bx, by := (x.s.ShapeLon[k+1]-lon)*kx, (x.s.ShapeLat[k+1]-lat)*ky
			best, bestK = d, k
			_, bestT = pieceDist(ax, ay, bx, by)
			return false
		},
	)
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
