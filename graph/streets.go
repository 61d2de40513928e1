package graph

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// EarthRadius is the mean Earth radius in metres (IUGG), used for every
// great-circle distance in the graph.
const EarthRadius = 6371008.8

// Haversine returns the great-circle distance in metres between two WGS84
// points given in degrees.
func Haversine(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	p1, p2 := lat1*rad, lat2*rad
	dp := p2 - p1
	dl := (lon2 - lon1) * rad
	s1, s2 := math.Sin(dp/2), math.Sin(dl/2)
	a := s1*s1 + math.Cos(p1)*math.Cos(p2)*s2*s2
	return 2 * EarthRadius * math.Asin(math.Sqrt(math.Min(1, a)))
}

// Street flags, stored per segment (SegFlags) and per directed edge
// (EdgeFlags).
const (
	// StreetWalk: pedestrians may use the segment or edge (always in both
	// directions: one-way rules do not apply to them).
	StreetWalk uint8 = 1 << iota
	// StreetBike: cyclists may ride the edge in its direction; on a
	// segment, from SegFrom to SegTo.
	StreetBike
	// StreetBikeBack: on a segment only, cyclists may ride it from SegTo
	// to SegFrom.
	StreetBikeBack
	// StreetReverse: on an edge only, the edge runs from SegTo to SegFrom
	// of its segment, against the order of the segment's shape.
	StreetReverse
)

// StreetClass is the OpenStreetMap highway class of a street, with the
// "_link" variants folded onto their main class. It lets a later bike or
// comfort model weigh streets differently.
type StreetClass uint8

// Street classes.
const (
	ClassOther StreetClass = iota // highway=road or any other accepted value
	ClassMotorway
	ClassTrunk
	ClassPrimary
	ClassSecondary
	ClassTertiary
	ClassUnclassified
	ClassResidential
	ClassLivingStreet
	ClassService
	ClassTrack
	ClassCycleway
	ClassPath
	ClassBridleway
	ClassFootway
	ClassPedestrian
	ClassSteps
	ClassCorridor
	ClassPlatform
	ClassElevator
)

var streetClassNames = [...]string{
	ClassOther: "road", ClassMotorway: "motorway", ClassTrunk: "trunk", ClassPrimary: "primary",
	ClassSecondary: "secondary", ClassTertiary: "tertiary", ClassUnclassified: "unclassified",
	ClassResidential: "residential", ClassLivingStreet: "living_street", ClassService: "service",
	ClassTrack: "track", ClassCycleway: "cycleway", ClassPath: "path", ClassBridleway: "bridleway",
	ClassFootway: "footway", ClassPedestrian: "pedestrian", ClassSteps: "steps",
	ClassCorridor: "corridor", ClassPlatform: "platform", ClassElevator: "elevator",
}

// String returns the OSM highway value of the class.
func (c StreetClass) String() string {
	if int(c) < len(streetClassNames) {
		return streetClassNames[c]
	}
	return "unknown"
}

// Streets is the street network: nodes at intersections and street ends,
// segments (the undirected street pieces between two nodes, with their
// geometry) and directed edges in CSR form over the source node.
//
// Every segment s gives exactly two directed edges, SegFrom→SegTo and
// SegTo→SegFrom, whose EdgeFlags say who may use them in that direction.
// Lengths are the true polyline lengths in metres (haversine sums over the
// segment's shape). Coordinates are WGS84 degrees as float64.
type Streets struct {
	// Nodes.
	NodeLat []float64
	NodeLon []float64
	NodeOSM []int64 // OpenStreetMap node id

	// Directed edges leaving node n: EdgeStart[n] .. EdgeStart[n+1]-1.
	EdgeStart  []int32   // len N+1
	EdgeTo     []int32   // destination node
	EdgeLength []float32 // metres
	EdgeFlags  []uint8   // StreetWalk | StreetBike | StreetReverse
	EdgeClass  []StreetClass
	EdgeSeg    []int32 // segment the edge runs along

	// Segments.
	SegFrom   []int32
	SegTo     []int32
	SegLength []float32 // metres, equal to the length of its two edges
	SegFlags  []uint8   // StreetWalk | StreetBike | StreetBikeBack
	SegWay    []int32   // index into WayOSM and WayName
	// Shape of segment s, from SegFrom to SegTo, both ends included:
	// ShapeLat/ShapeLon[SegShapeStart[s] : SegShapeStart[s+1]].
	SegShapeStart []int32 // len S+1
	ShapeLat      []float64
	ShapeLon      []float64

	// Ways the segments come from.
	WayOSM  []int64  // OpenStreetMap way id
	WayName []string // name tag, "" when unnamed
}

// NumNodes returns the number of nodes.
func (s *Streets) NumNodes() int { return len(s.NodeLat) }

// NumEdges returns the number of directed edges.
func (s *Streets) NumEdges() int { return len(s.EdgeTo) }

// NumSegments returns the number of segments.
func (s *Streets) NumSegments() int { return len(s.SegFrom) }

// EdgesFrom returns the range [first, end) of the edges leaving node n.
func (s *Streets) EdgesFrom(n int32) (first, end int32) {
	return s.EdgeStart[n], s.EdgeStart[n+1]
}

// Shape returns the polyline of segment g from SegFrom to SegTo.
func (s *Streets) Shape(g int32) (lats, lons []float64) {
	a, b := s.SegShapeStart[g], s.SegShapeStart[g+1]
	return s.ShapeLat[a:b], s.ShapeLon[a:b]
}

// SegName returns the street name of segment g ("" when unnamed).
func (s *Streets) SegName(g int32) string { return s.WayName[s.SegWay[g]] }

// PointAlong returns the point at offset metres from SegFrom along segment
// g. Offsets are clamped to the segment.
func (s *Streets) PointAlong(g int32, offset float64) (lat, lon float64) {
	lats, lons := s.Shape(g)
	for i := 1; i < len(lats); i++ {
		d := Haversine(lats[i-1], lons[i-1], lats[i], lons[i])
		if offset <= d || i == len(lats)-1 {
			t := 0.0
			if d > 0 {
				t = math.Max(0, math.Min(1, offset/d))
			}
			return lats[i-1] + t*(lats[i]-lats[i-1]), lons[i-1] + t*(lons[i]-lons[i-1])
		}
		offset -= d
	}
	return lats[0], lons[0]
}

// Bounds returns the bounding box of the nodes and shapes; ok is false
// when the network is empty.
func (s *Streets) Bounds() (minLat, minLon, maxLat, maxLon float64, ok bool) {
	if len(s.ShapeLat) == 0 {
		return 0, 0, 0, 0, false
	}
	minLat, minLon = math.Inf(1), math.Inf(1)
	maxLat, maxLon = math.Inf(-1), math.Inf(-1)
	for i, la := range s.ShapeLat {
		lo := s.ShapeLon[i]
		minLat, maxLat = math.Min(minLat, la), math.Max(maxLat, la)
		minLon, maxLon = math.Min(minLon, lo), math.Max(maxLon, lo)
	}
	return minLat, minLon, maxLat, maxLon, true
}

// Validate checks the structural invariants the street searches rely on:
// array lengths, CSR offsets, indexes in range, finite non-negative lengths,
// and that every segment has its two edges with consistent flags.
func (s *Streets) Validate() error {
	nn, ne, ns := len(s.NodeLat), len(s.EdgeTo), len(s.SegFrom)
	if len(s.NodeLon) != nn || len(s.NodeOSM) != nn {
		return fmt.Errorf("streets: node arrays of unequal lengths (%d lat, %d lon, %d ids)", nn, len(s.NodeLon), len(s.NodeOSM))
	}
	if len(s.EdgeLength) != ne || len(s.EdgeFlags) != ne || len(s.EdgeClass) != ne || len(s.EdgeSeg) != ne {
		return fmt.Errorf("streets: edge arrays of unequal lengths")
	}
	if len(s.SegTo) != ns || len(s.SegLength) != ns || len(s.SegFlags) != ns || len(s.SegWay) != ns {
		return fmt.Errorf("streets: segment arrays of unequal lengths")
	}
	if ne != 2*ns {
		return fmt.Errorf("streets: %d edges for %d segments, want two per segment", ne, ns)
	}
	if len(s.WayName) != len(s.WayOSM) || len(s.ShapeLon) != len(s.ShapeLat) {
		return fmt.Errorf("streets: way or shape arrays of unequal lengths")
	}
	if err := checkStreetOffsets("EdgeStart", s.EdgeStart, nn, ne); err != nil {
		return err
	}
	if err := checkStreetOffsets("SegShapeStart", s.SegShapeStart, ns, len(s.ShapeLat)); err != nil {
		return err
	}
	for g := 0; g < ns; g++ {
		f, t := s.SegFrom[g], s.SegTo[g]
		if f < 0 || int(f) >= nn || t < 0 || int(t) >= nn {
			return fmt.Errorf("streets: segment %d joins nodes %d and %d, out of range", g, f, t)
		}
		if w := s.SegWay[g]; w < 0 || int(w) >= len(s.WayOSM) {
			return fmt.Errorf("streets: segment %d has way %d out of range", g, w)
		}
		if s.SegShapeStart[g+1]-s.SegShapeStart[g] < 2 {
			return fmt.Errorf("streets: segment %d has fewer than two shape points", g)
		}
		if l := float64(s.SegLength[g]); !(l >= 0) || math.IsInf(l, 0) {
			return fmt.Errorf("streets: segment %d has length %v", g, l)
		}
	}
	seen := make([]uint8, ns) // bit 0: forward edge seen, bit 1: backward
	for n := int32(0); int(n) < nn; n++ {
		for e := s.EdgeStart[n]; e < s.EdgeStart[n+1]; e++ {
			g := s.EdgeSeg[e]
			if g < 0 || int(g) >= ns {
				return fmt.Errorf("streets: edge %d has segment %d out of range", e, g)
			}
			from, to := s.SegFrom[g], s.SegTo[g]
			bit, walk, bike := uint8(1), s.SegFlags[g]&StreetWalk, s.SegFlags[g]&StreetBike
			if s.EdgeFlags[e]&StreetReverse != 0 {
				from, to, bit = to, from, 2
				if s.SegFlags[g]&StreetBikeBack != 0 {
					bike = StreetBike
				} else {
					bike = 0
				}
			}
			if from != n || to != s.EdgeTo[e] {
				return fmt.Errorf("streets: edge %d (%d→%d) does not follow segment %d", e, n, s.EdgeTo[e], g)
			}
			if seen[g]&bit != 0 {
				return fmt.Errorf("streets: segment %d has two edges in the same direction", g)
			}
			seen[g] |= bit
			if s.EdgeFlags[e]&^StreetReverse != walk|bike {
				return fmt.Errorf("streets: edge %d flags %#x disagree with segment %d flags %#x", e, s.EdgeFlags[e], g, s.SegFlags[g])
			}
			if s.EdgeLength[e] != s.SegLength[g] {
				return fmt.Errorf("streets: edge %d length %v differs from segment %d length %v", e, s.EdgeLength[e], g, s.SegLength[g])
			}
		}
	}
	return nil
}

// checkStreetOffsets checks that a CSR offset array has n+1 entries,
// starts at 0, never decreases and ends at total.
func checkStreetOffsets(name string, off []int32, n, total int) error {
	if len(off) != n+1 || off[0] != 0 || int(off[n]) != total {
		return fmt.Errorf("streets: %s offsets do not span 0..%d over %d entries", name, total, n)
	}
	for i := 1; i < len(off); i++ {
		if off[i] < off[i-1] {
			return fmt.Errorf("streets: %s offsets decrease at %d", name, i)
		}
	}
	return nil
}

// Links attach points (stops, schools) to the street network, one entry
// per point. A point linked to segment Seg stands at Offset metres from
// SegFrom along it, Dist metres (the connector, a straight line) from its
// true position. Points with Seg -1 found no walkable street within the
// linking limit: they are reached by straight-line walking only.
type Links struct {
	Seg    []int32   // segment, or -1 when not linked
	Offset []float32 // metres from SegFrom along Seg (0 when not linked)
	Dist   []float32 // connector length in metres (0 when not linked)
}

// Len returns the number of points.
func (l *Links) Len() int { return len(l.Seg) }

// Linked reports whether point i is linked to a street.
func (l *Links) Linked(i int32) bool { return l.Seg[i] >= 0 }

// Validate checks the links against the network they point into.
func (l *Links) Validate(s *Streets) error {
	n := len(l.Seg)
	if len(l.Offset) != n || len(l.Dist) != n {
		return fmt.Errorf("links: arrays of unequal lengths (%d, %d, %d)", n, len(l.Offset), len(l.Dist))
	}
	for i, g := range l.Seg {
		if g < -1 || int(g) >= s.NumSegments() {
			return fmt.Errorf("links: point %d linked to segment %d, out of range", i, g)
		}
		if g >= 0 && (!(l.Offset[i] >= 0) || l.Offset[i] > s.SegLength[g] || !(l.Dist[i] >= 0)) {
			return fmt.Errorf("links: point %d has offset %v on a %v m segment and connector %v",
				i, l.Offset[i], s.SegLength[g], l.Dist[i])
		}
	}
	return nil
}

// ValidateBike is Validate for links to the cycling network: every linked
// segment must be bikeable in one direction at least.
func (l *Links) ValidateBike(s *Streets) error {
	if err := l.Validate(s); err != nil {
		return err
	}
	for i, g := range l.Seg {
		if g >= 0 && s.SegFlags[g]&(StreetBike|StreetBikeBack) == 0 {
			return fmt.Errorf("links: point %d linked to segment %d, which cyclists may not ride", i, g)
		}
	}
	return nil
}

// Footpaths are walking transfers between points (stops), in CSR form over
// the origin: the transfers leaving point i are To[Start[i]:Start[i+1]],
// with walking distances Dist in metres. The builds sort each origin's
// transfers by destination (SortByDestination), so that a router can use
// them without copying; files written before did so by distance, and
// readers accept either order.
type Footpaths struct {
	Start []int32 // len P+1
	To    []int32
	Dist  []float32 // metres
}

// SortByDestination orders each origin's transfers by destination, then
// distance.
func (f *Footpaths) SortByDestination() {
	type path struct {
		to   int32
		dist float32
	}
	var buf []path
	for i := 0; i+1 < len(f.Start); i++ {
		a, b := f.Start[i], f.Start[i+1]
		buf = buf[:0]
		for k := a; k < b; k++ {
			buf = append(buf, path{f.To[k], f.Dist[k]})
		}
		slices.SortFunc(buf, func(x, y path) int {
			if x.to != y.to {
				return cmp.Compare(x.to, y.to)
			}
			return cmp.Compare(x.dist, y.dist)
		})
		for k, p := range buf {
			f.To[int(a)+k], f.Dist[int(a)+k] = p.to, p.dist
		}
	}
}

// From returns the destinations and distances of the footpaths leaving i.
func (f *Footpaths) From(i int32) (to []int32, dist []float32) {
	a, b := f.Start[i], f.Start[i+1]
	return f.To[a:b], f.Dist[a:b]
}

// Len returns the number of footpaths.
func (f *Footpaths) Len() int { return len(f.To) }

// Validate checks the footpaths of n points.
func (f *Footpaths) Validate(n int) error {
	if len(f.Dist) != len(f.To) {
		return fmt.Errorf("footpaths: %d destinations for %d distances", len(f.To), len(f.Dist))
	}
	if err := checkStreetOffsets("footpath Start", f.Start, n, len(f.To)); err != nil {
		return err
	}
	for i, t := range f.To {
		if t < 0 || int(t) >= n || !(f.Dist[i] >= 0) {
			return fmt.Errorf("footpaths: entry %d to %d (%v m) out of range", i, t, f.Dist[i])
		}
	}
	return nil
}
