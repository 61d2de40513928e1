package server

import (
	"math"

	"reach/graph"
)

// streetLayer answers /v1/streets: the walking network as GeoJSON lines
// for the web page's map, which then needs no tile server.
type streetLayer struct {
	st    *graph.Streets
	box   []float32 // per segment: minLon, minLat, maxLon, maxLat
	class []graph.StreetClass
}

// classRank orders street classes from the most to the least important
// to draw: an answer over the cap drops the least important classes.
var classRank = func() [256]int {
	order := []graph.StreetClass{
		graph.ClassMotorway, graph.ClassTrunk, graph.ClassPrimary, graph.ClassSecondary, graph.ClassTertiary,
		graph.ClassUnclassified, graph.ClassResidential, graph.ClassLivingStreet, graph.ClassPedestrian,
		graph.ClassOther, graph.ClassService, graph.ClassTrack, graph.ClassCycleway, graph.ClassFootway,
		graph.ClassPath, graph.ClassBridleway, graph.ClassSteps, graph.ClassCorridor, graph.ClassPlatform, graph.ClassElevator,
	}
	var r [256]int
	for i := range r {
		r[i] = len(order)
	}
	for i, c := range order {
		r[c] = i
	}
	return r
}()

func newStreetLayer(st *graph.Streets) *streetLayer {
	n := st.NumSegments()
	l := &streetLayer{st: st, box: make([]float32, 4*n), class: make([]graph.StreetClass, n)}
	for e, g := range st.EdgeSeg {
		l.class[g] = st.EdgeClass[e]
	}
	for g := range n {
		lats, lons := st.Shape(graph.SegIdx(g))
		b := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
		for i := range lats {
			b[0], b[1] = min(b[0], lons[i]), min(b[1], lats[i])
			b[2], b[3] = max(b[2], lons[i]), max(b[3], lats[i])
		}
		for k := range b {
			l.box[4*g+k] = float32(b[k])
		}
	}
	return l
}

// StreetsDoc is the /v1/streets answer: a GeoJSON FeatureCollection with
// one MultiLineString feature per street class, plus foreign members
// saying whether minor classes were left out.
type StreetsDoc struct {
	Type      string          `json:"type"` // FeatureCollection
	BBox      [4]float64      `json:"bbox"`
	Features  []StreetFeature `json:"features"`
	Segments  int             `json:"segments"`  // segments drawn
	Truncated bool            `json:"truncated"` // minor classes left out to stay under the cap
}

// StreetFeature is the segments of one street class.
type StreetFeature struct {
	Type       string `json:"type"` // Feature
	Properties struct {
		Class    string `json:"class"` // OSM highway value
		Segments int    `json:"segments"`
	} `json:"properties"`
	Geometry struct {
		Type        string         `json:"type"` // MultiLineString
		Coordinates [][][2]float64 `json:"coordinates"`
	} `json:"geometry"`
}

// query returns the segments meeting bbox (minLon, minLat, maxLon, maxLat),
// simplified for a map of about 2000 pixels across the box, keeping the
// most important classes when more than limit segments meet it.
func (l *streetLayer) query(bbox [4]float64, limit int) *StreetsDoc {
	doc := &StreetsDoc{Type: "FeatureCollection", BBox: bbox, Features: []StreetFeature{}}
	var hit []graph.SegIdx
	var perRank [32]int
	for g := range l.class {
		b := l.box[4*g : 4*g+4]
		if float64(b[0]) > bbox[2] || float64(b[2]) < bbox[0] || float64(b[1]) > bbox[3] || float64(b[3]) < bbox[1] {
			continue
		}
		hit = append(hit, graph.SegIdx(g))
		perRank[classRank[l.class[g]]]++
	}
	maxRank, total := len(perRank), 0
	for r, n := range perRank {
		if total+n > limit {
			maxRank, doc.Truncated = r, true
			break
		}
		total += n
	}
	tol := max(bbox[2]-bbox[0], bbox[3]-bbox[1]) / 2000
	scale := math.Pow(10, math.Min(6, math.Max(4, math.Ceil(-math.Log10(tol+1e-12))+1)))
	round := func(x float64) float64 { return math.Round(x*scale) / scale }
	byClass := map[graph.StreetClass]int{}
	for _, g := range hit {
		c := l.class[g]
		if classRank[c] >= maxRank {
			continue
		}
		i, ok := byClass[c]
		if !ok {
			i = len(doc.Features)
			byClass[c] = i
			f := StreetFeature{Type: "Feature"}
			f.Properties.Class = c.String()
			f.Geometry.Type = "MultiLineString"
			f.Geometry.Coordinates = [][][2]float64{}
			doc.Features = append(doc.Features, f)
		}
		lats, lons := l.st.Shape(g)
		keep := simplify(lats, lons, tol)
		line := make([][2]float64, 0, len(keep))
		for _, k := range keep {
			line = append(line, [2]float64{round(lons[k]), round(lats[k])})
		}
		f := &doc.Features[i]
		f.Geometry.Coordinates = append(f.Geometry.Coordinates, line)
		f.Properties.Segments++
		doc.Segments++
	}
	return doc
}

// simplify returns the indexes of the points of a polyline kept by the
// Douglas-Peucker algorithm at tolerance tol (degrees, longitudes scaled
// by the cosine of the latitude). Both ends are always kept.
func simplify(lats, lons []float64, tol float64) []int {
	n := len(lats)
	if n <= 2 {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	k := math.Cos(lats[0] * math.Pi / 180)
	keep := make([]bool, n)
	keep[0], keep[n-1] = true, true
	type span struct{ a, b int }
	stack := []span{{0, n - 1}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		ax, ay := lons[s.a]*k, lats[s.a]
		bx, by := lons[s.b]*k, lats[s.b]
		dx, dy := bx-ax, by-ay
		l2 := dx*dx + dy*dy
		far, farD := -1, tol
		for i := s.a + 1; i < s.b; i++ {
			px, py := lons[i]*k-ax, lats[i]-ay
			var d float64
			if l2 == 0 {
				d = math.Hypot(px, py)
			} else {
				t := min(max((px*dx+py*dy)/l2, 0), 1)
				d = math.Hypot(px-t*dx, py-t*dy)
			}
			if d > farD {
				far, farD = i, d
			}
		}
		if far >= 0 {
			keep[far] = true
			stack = append(stack, span{s.a, far}, span{far, s.b})
		}
	}
	var out []int
	for i, ok := range keep {
		if ok {
			out = append(out, i)
		}
	}
	return out
}
