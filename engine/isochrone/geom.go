package isochrone

import "math"

// EarthRadiusM is the authalic Earth radius in metres that h3 uses for its
// cell areas (h3.CellAreaM2), so that areas computed here compare with them.
const EarthRadiusM = 6371007.180918475

// Geometry is a GeoJSON (RFC 7946) geometry object of type MultiPolygon; it
// marshals with encoding/json to {"type":"MultiPolygon","coordinates":...}.
type Geometry struct {
	Type        string       `json:"type"`
	Coordinates MultiPolygon `json:"coordinates"`
}

// GeoJSONGeometry wraps m in a GeoJSON MultiPolygon geometry object. A nil m
// gives empty coordinates, not null.
func (m MultiPolygon) GeoJSONGeometry() Geometry {
	if m == nil {
		m = MultiPolygon{}
	}
	return Geometry{Type: "MultiPolygon", Coordinates: m}
}

// Area returns the signed area of r in square metres on the sphere of radius
// EarthRadiusM, its edges taken as great-circle arcs: positive when r is
// counter-clockwise, negative when clockwise. r must be closed and simple.
func (r Ring) Area() float64 {
	if len(r) < 4 {
		return 0
	}
	a := unitVector(r[0])
	b := unitVector(r[1])
	sum := 0.0
	for _, p := range r[2 : len(r)-1] {
		c := unitVector(p)
		// Signed spherical excess of triangle a, b, c (Van Oosterom and
		// Strackee): positive when a, b, c turn counter-clockwise. The
		// triple product a·(b×c) is computed as a·((b-a)×(c-a)), which
		// keeps its precision for small triangles.
		u := [3]float64{b[0] - a[0], b[1] - a[1], b[2] - a[2]}
		v := [3]float64{c[0] - a[0], c[1] - a[1], c[2] - a[2]}
		triple := a[0]*(u[1]*v[2]-u[2]*v[1]) + a[1]*(u[2]*v[0]-u[0]*v[2]) + a[2]*(u[0]*v[1]-u[1]*v[0])
		den := 1 + dot(a, b) + dot(b, c) + dot(c, a)
		sum += 2 * math.Atan2(triple, den)
		b = c
	}
	return sum * EarthRadiusM * EarthRadiusM
}

// Area returns the area of p in square metres: its exterior minus its holes,
// whatever their orientation.
func (p Polygon) Area() float64 {
	if len(p) == 0 {
		return 0
	}
	area := math.Abs(p[0].Area())
	for _, h := range p[1:] {
		area -= math.Abs(h.Area())
	}
	return area
}

// Area returns the total area of m's polygons in square metres.
func (m MultiPolygon) Area() float64 {
	area := 0.0
	for _, p := range m {
		area += p.Area()
	}
	return area
}

// Contains reports whether the position (lng, lat), in degrees, lies inside
// m, treating edges as straight in longitude/latitude as GeoJSON does.
// Positions on an edge may go either way.
func (m MultiPolygon) Contains(lng, lat float64) bool {
	inside := false
	for _, p := range m {
		for _, r := range p {
			if ringContains(r, [2]float64{lng, lat}) {
				inside = !inside
			}
		}
	}
	return inside
}

// ringContains reports whether pt lies inside the closed ring r (even-odd
// rule, straight edges in longitude/latitude).
func ringContains(r Ring, pt [2]float64) bool {
	inside := false
	x, y := pt[0], pt[1]
	for i := 1; i < len(r); i++ {
		a, b := r[i-1], r[i]
		if (a[1] > y) != (b[1] > y) {
			xCross := a[0] + (y-a[1])*(b[0]-a[0])/(b[1]-a[1])
			if x < xCross {
				inside = !inside
			}
		}
	}
	return inside
}

// planarArea returns the shoelace signed area of the closed ring r in square
// degrees, positive when counter-clockwise.
func planarArea(r Ring) float64 {
	if len(r) < 4 {
		return 0
	}
	x0, y0 := r[0][0], r[0][1]
	sum := 0.0
	for i := 1; i < len(r)-1; i++ {
		ax, ay := r[i][0]-x0, r[i][1]-y0
		bx, by := r[i+1][0]-x0, r[i+1][1]-y0
		sum += ax*by - bx*ay
	}
	return sum / 2
}

// bounds returns the bounding box of r as [minLng, minLat, maxLng, maxLat].
func bounds(r Ring) [4]float64 {
	b := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range r {
		b[0], b[1] = min(b[0], p[0]), min(b[1], p[1])
		b[2], b[3] = max(b[2], p[0]), max(b[3], p[1])
	}
	return b
}

func unitVector(p [2]float64) [3]float64 {
	lng, lat := p[0]*math.Pi/180, p[1]*math.Pi/180
	cosLat := math.Cos(lat)
	return [3]float64{cosLat * math.Cos(lng), cosLat * math.Sin(lng), math.Sin(lat)}
}

func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
