package street

import (
	"fmt"
	"math"
	"slices"

	"github.com/tidwall/rtree"

	"reach/graph"
)

// DefaultLinkDist is the default linking limit in metres: points farther
// than this from every walkable street are not linked and fall back to
// straight-line walking.
const DefaultLinkDist = 1600.0

// LinkReport counts how points were linked.
type LinkReport struct {
	Points   int
	Linked   int
	Fallback int     // farther than the limit (or without valid coordinates)
	MeanDist float64 // mean connector length of the linked points, metres
	MaxDist  float64 // longest connector, metres
}

// String summarises the report.
func (r LinkReport) String() string {
	return fmt.Sprintf("%d points: %d linked (connector mean %.1f m, max %.1f m), %d straight-line fallback",
		r.Points, r.Linked, r.MeanDist, r.MaxDist, r.Fallback)
}

// LinkPoints links every point (lats[i], lons[i]) to the nearest walkable
// street within maxDist metres (DefaultLinkDist when maxDist <= 0). Points
// farther away get Seg -1.
func LinkPoints(s *graph.Streets, idx *Index, lats, lons []float64, maxDist float64) (graph.Links, LinkReport, error) {
	return linkPoints(Walk, s, idx, lats, lons, maxDist)
}

// LinkBikePoints links every point to the nearest bikeable street of the
// main cycling components (see Index.SnapBike), as LinkPoints does to the
// walkable ones.
func LinkBikePoints(s *graph.Streets, idx *Index, lats, lons []float64, maxDist float64) (graph.Links, LinkReport, error) {
	return linkPoints(Bike, s, idx, lats, lons, maxDist)
}

// linkPoints links every point to the nearest street of mode m.
func linkPoints(m Mode, s *graph.Streets, idx *Index, lats, lons []float64, maxDist float64) (graph.Links, LinkReport, error) {
	if len(lats) != len(lons) {
		return graph.Links{}, LinkReport{}, fmt.Errorf("street: link points: %d latitudes for %d longitudes", len(lats), len(lons))
	}
	if maxDist <= 0 {
		maxDist = DefaultLinkDist
	}
	n := len(lats)
	l := graph.Links{Seg: make([]graph.SegIdx, n), Offset: make([]float32, n), Dist: make([]float32, n)}
	rep := LinkReport{Points: n}
	sum := 0.0
	for i := range n {
		sn, ok := idx.snapMode(m, lats[i], lons[i], maxDist)
		if !ok {
			l.Seg[i] = -1
			rep.Fallback++
			continue
		}
		off := float32(sn.Offset)
		if segLen := s.SegLength[sn.Seg]; off > segLen { // float32 rounding
			off = segLen
		}
		l.Seg[i], l.Offset[i], l.Dist[i] = sn.Seg, off, float32(sn.Dist)
		rep.Linked++
		sum += sn.Dist
		rep.MaxDist = math.Max(rep.MaxDist, sn.Dist)
	}
	if rep.Linked > 0 {
		rep.MeanDist = sum / float64(rep.Linked)
	}
	return l, rep, nil
}

// PointIndex finds the points within a straight-line radius of a place. It
// is read-only once built and safe for concurrent use.
type PointIndex struct {
	tree     rtree.RTreeG[int32]
	lat, lon []float64
}

// NewPointIndex indexes the points (lats[i], lons[i]); points with NaN
// coordinates are left out. The slices are kept, not copied.
func NewPointIndex(lats, lons []float64) *PointIndex {
	p := &PointIndex{lat: lats, lon: lons}
	for i := range min(len(lats), len(lons)) {
		if math.IsNaN(lats[i]) || math.IsNaN(lons[i]) {
			continue
		}
		pt := [2]float64{lons[i], lats[i]}
		p.tree.Insert(pt, pt, int32(i))
	}
	return p
}

// Neighbour is a point and its straight-line distance in metres.
type Neighbour struct {
	Point int32
	Dist  float64
}

// Within appends to dst the points within radius metres (haversine) of
// (lat, lon), nearest first, and returns the extended slice.
func (p *PointIndex) Within(lat, lon, radius float64, dst []Neighbour) []Neighbour {
	if math.IsNaN(lat) || math.IsNaN(lon) || !(radius >= 0) {
		return dst
	}
	dLat := radius / (graph.EarthRadius * rad)
	dLon := 180.0
	if c := math.Cos(math.Min(89.9, math.Abs(lat)+dLat) * rad); c > 0 {
		dLon = math.Min(180, dLat/c)
	}
	start := len(dst)
	p.tree.Search([2]float64{lon - dLon, lat - dLat}, [2]float64{lon + dLon, lat + dLat},
		func(_, _ [2]float64, i int32) bool {
			if d := graph.Haversine(lat, lon, p.lat[i], p.lon[i]); d <= radius {
				dst = append(dst, Neighbour{Point: i, Dist: d})
			}
			return true
		})
	slices.SortFunc(dst[start:], func(a, b Neighbour) int {
		if a.Dist != b.Dist {
			if a.Dist < b.Dist {
				return -1
			}
			return 1
		}
		return int(a.Point - b.Point)
	})
	return dst
}
