package batch

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/uber/h3-go/v4"

	"reach/graph"
)

// MapOptions describe an accessibility map.
type MapOptions struct {
	// Minutes: origins are coloured by the number of training offers
	// reachable within this many minutes, which must be one of the
	// result's cut-offs; 0 means 45 (for a diff map: the last cut-off).
	Minutes  int
	Title    string
	Subtitle string
	Credits  string // a line of data credits at the bottom
	// Caption is said under the legend, before what the map always says
	// there (the stops and schools linked by straight lines; for point
	// origins, their coverage).
	Caption string
	// Width of the image in pixels; 0 means 900. The height follows from
	// the area's shape.
	Width int
	// Streets, when set, are drawn over the cells as thin lines, for
	// orientation; Places, when set, adds the schools with training offers.
	Streets *graph.Streets
	Places  *graph.Places
}

// ramp is the colour scale of the cells, light to dark (ColorBrewer YlGnBu,
// sequential and readable by colour-blind people); cells from which no
// offer is reachable are grey.
var ramp = []color.NRGBA{
	{0xff, 0xff, 0xd9, 0xff}, {0xed, 0xf8, 0xb1, 0xff}, {0xc7, 0xe9, 0xb4, 0xff},
	{0x7f, 0xcd, 0xbb, 0xff}, {0x41, 0xb6, 0xc4, 0xff}, {0x1d, 0x91, 0xc0, 0xff},
	{0x22, 0x5e, 0xa8, 0xff}, {0x25, 0x34, 0x94, 0xff}, {0x08, 0x1d, 0x58, 0xff},
}

// lossRamp and gainRamp are the two arms of the diverging scale of diff
// maps, light to dark (ColorBrewer RdBu, readable by colour-blind people):
// red for losses, blue for gains, around a neutral light grey for no
// change.
var (
	lossRamp = []color.NRGBA{
		{0xfd, 0xdb, 0xc7, 0xff}, {0xf4, 0xa5, 0x82, 0xff}, {0xd6, 0x60, 0x4d, 0xff},
		{0xb2, 0x18, 0x2b, 0xff}, {0x67, 0x00, 0x1f, 0xff},
	}
	gainRamp = []color.NRGBA{
		{0xd1, 0xe5, 0xf0, 0xff}, {0x92, 0xc5, 0xde, 0xff}, {0x43, 0x93, 0xc3, 0xff},
		{0x21, 0x66, 0xac, 0xff}, {0x05, 0x30, 0x61, 0xff},
	}
	neutralColor = color.NRGBA{0xf7, 0xf7, 0xf7, 0xff}
)

var (
	noneColor    = color.NRGBA{0xdc, 0xdc, 0xdc, 0xff}
	outsideColor = color.NRGBA{0xff, 0xff, 0xff, 0xff} // no data: blank, outlined
	inkColor     = color.NRGBA{0x20, 0x20, 0x20, 0xff}
	greyInk      = color.NRGBA{0x60, 0x60, 0x60, 0xff}
	lightInk     = color.NRGBA{0xa0, 0xa0, 0xa0, 0xff}
	white        = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	streetColor  = color.NRGBA{0x20, 0x20, 0x20, 0x80}
	streetHalo   = color.NRGBA{0xff, 0xff, 0xff, 0x50}
	schoolColor  = color.NRGBA{0xd7, 0x30, 0x1f, 0xff}
)

// legendBox is one colour of a map's legend.
type legendBox struct {
	label string
	c     color.NRGBA
}

// scale colours a map's values and lists its legend.
type scale interface {
	color(v int32) color.NRGBA
	legend() []legendBox
}

// classes is the sequential colour scale of a map: values 1..step are
// class 0, step+1..2·step class 1, and so on; 0 is grey.
type classes struct {
	step int32
	n    int
	max  int32 // the largest value shown
}

// newClasses picks a round class width giving at most 10 classes up to maxV.
func newClasses(maxV int32) classes {
	step := max(int32(niceStep(float64(maxV), 10)), 1)
	return classes{step: step, n: max(int((maxV+step-1)/step), 1), max: maxV}
}

// color returns the colour of a value, sampling the ramp evenly over the
// classes.
func (c classes) color(v int32) color.NRGBA {
	if v <= 0 {
		return noneColor
	}
	k := min(int((v-1)/c.step), c.n-1)
	f := 0.5
	if c.n > 1 {
		f = float64(k) / float64(c.n-1)
	}
	return rampAt(ramp, f)
}

// legend lists "none" and the classes (only "none" when every value is 0).
func (c classes) legend() []legendBox {
	out := []legendBox{{"none", noneColor}}
	if c.max <= 0 {
		return out
	}
	for k := 0; k < c.n; k++ {
		lo, hi := int32(k)*c.step+1, int32(k+1)*c.step
		text := fmt.Sprintf("%d–%d", lo, hi)
		if lo == hi {
			text = strconv.Itoa(int(lo))
		}
		out = append(out, legendBox{text, c.color(lo)})
	}
	return out
}

// diverging is the colour scale of changes: as many classes of width step
// on each side of 0 (at most 5), losses red and gains blue, 0 neutral.
type diverging struct {
	step int32
	n    int
	max  int32 // the largest absolute value shown
}

// newDiverging picks a round class width giving at most 5 classes on each
// side up to maxAbs.
func newDiverging(maxAbs int32) diverging {
	step := max(int32(niceStep(float64(maxAbs), len(lossRamp))), 1)
	return diverging{step: step, n: max(int((maxAbs+step-1)/step), 1), max: maxAbs}
}

func (d diverging) color(v int32) color.NRGBA {
	if v == 0 {
		return neutralColor
	}
	arm := gainRamp
	if v < 0 {
		arm, v = lossRamp, -v
	}
	k := min(int((v-1)/d.step), d.n-1)
	f := 1.0
	if d.n > 1 {
		f = float64(k) / float64(d.n-1)
	}
	// The lightest class keeps a visible difference from the neutral
	// colour: sample the arm from its second quarter up.
	return rampAt(arm, 0.25+0.75*f)
}

// legend lists the losses (largest first), no change, and the gains.
func (d diverging) legend() []legendBox {
	class := func(k int, sign string) string {
		lo, hi := int32(k)*d.step+1, int32(k+1)*d.step
		if lo == hi {
			return sign + strconv.Itoa(int(lo))
		}
		return fmt.Sprintf("%s%d…%s%d", sign, lo, sign, hi)
	}
	var out []legendBox
	if d.max > 0 {
		for k := d.n - 1; k >= 0; k-- {
			out = append(out, legendBox{class(k, "−"), d.color(-(int32(k)*d.step + 1))})
		}
	}
	out = append(out, legendBox{"0", neutralColor})
	if d.max > 0 {
		for k := 0; k < d.n; k++ {
			out = append(out, legendBox{class(k, "+"), d.color(int32(k)*d.step + 1)})
		}
	}
	return out
}

// rampAt interpolates a ramp at f in [0, 1].
func rampAt(ramp []color.NRGBA, f float64) color.NRGBA {
	x := f * float64(len(ramp)-1)
	i := min(int(x), len(ramp)-2)
	t := x - float64(i)
	a, b := ramp[i], ramp[i+1]
	mix := func(p, q uint8) uint8 { return uint8(math.Round(float64(p) + (float64(q)-float64(p))*t)) }
	return color.NRGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}

// niceStep returns a round step (1, 2 or 5 times a power of ten) of at
// least span/maxTicks.
func niceStep(span float64, maxTicks int) float64 {
	if span <= 0 {
		return 1
	}
	raw := span / float64(maxTicks)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// projection maps WGS84 to image pixels: equirectangular around the
// area's middle latitude, which keeps shapes and distances true at a city's
// scale.
type projection struct {
	minLon, maxLat, k, cos float64
	x0, y0                 float64
}

func (p *projection) at(lat, lon float64) pt {
	return pt{p.x0 + (lon-p.minLon)*p.cos*p.k, p.y0 + (p.maxLat-lat)*p.k}
}

// metresPerPixel is the map's scale.
func (p *projection) metresPerPixel() float64 { return graph.EarthRadius * math.Pi / 180 / p.k }

// layer is what a map shows: a value per origin and its colour scale.
type layer struct {
	origins []Origin // all cells, or all points
	values  []int32
	scale   scale
	label   string // the legend's title
	empty   string // said in the legend when the scale has a single box
	// outside marks the origins with no data around them (see
	// CoverageOutside), drawn blank; nil when none.
	outside []bool
	// squares draws the schools as dark squares instead of red discs (on
	// point origins, and on the red of a diff map).
	squares bool
	caption []string // sentences under the legend, before the credits
}

// mapBounds returns the area a layer's origins span, in degrees: the
// cells' outlines, or the points with a margin, widened so that the map is
// neither a sliver nor a tower.
func mapBounds(ly *layer) (minLat, minLon, maxLat, maxLon float64) {
	minLat, minLon, maxLat, maxLon = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	add := func(lat, lon float64) {
		minLat, maxLat = math.Min(minLat, lat), math.Max(maxLat, lat)
		minLon, maxLon = math.Min(minLon, lon), math.Max(maxLon, lon)
	}
	points := ly.origins[0].Cell == 0
	for _, o := range ly.origins {
		if points {
			add(o.Lat, o.Lon)
			continue
		}
		for _, ll := range h3.CellToBoundary(h3.Cell(o.Cell)) {
			add(ll.Lat, ll.Lng)
		}
	}
	if !points {
		return
	}
	// Points: a margin of 4 % of the span, at least 300 m, so that the
	// outer discs are whole; then at least a quarter as high as wide and
	// as wide as a third of the height.
	cos := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	const m = 1 / 111195.0 // degrees of latitude per metre
	hm := math.Max((maxLat-minLat)/m, 600)
	wm := math.Max((maxLon-minLon)*cos/m, 600)
	pad := math.Max(0.04*math.Max(hm, wm), 300)
	hm, wm = hm+2*pad, wm+2*pad
	hm, wm = math.Max(hm, wm/4), math.Max(wm, hm/3)
	cLat, cLon := (minLat+maxLat)/2, (minLon+maxLon)/2
	return cLat - hm/2*m, cLon - wm/2*m/cos, cLat + hm/2*m, cLon + wm/2*m/cos
}

// pointRadius is the radius of point origins on a map of a given width.
func pointRadius(width float64) float64 { return math.Min(math.Max(width/160, 4), 9) }

// drawMap lays out a map of a layer.
func drawMap(ly *layer, opt MapOptions, f *fonts) (*scene, *projection, error) {
	if opt.Width == 0 {
		opt.Width = 900
	}
	if opt.Width < 300 || opt.Width > 8000 {
		return nil, nil, fmt.Errorf("map width %d: want 300..8000 pixels", opt.Width)
	}
	if len(ly.origins) == 0 {
		return nil, nil, errors.New("a map needs origins")
	}
	points := ly.origins[0].Cell == 0
	for _, o := range ly.origins {
		if (o.Cell == 0) != points {
			return nil, nil, errors.New("a map needs origins all cells or all points")
		}
	}
	minLat, minLon, maxLat, maxLon := mapBounds(ly)

	const margin = 16.0
	W := float64(opt.Width)
	subtitle := wrap(opt.Subtitle, W-2*margin, 13, f)
	top := 70.0 + 17*float64(max(len(subtitle)-1, 0))
	mapW := W - 2*margin
	cos := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	k := mapW / ((maxLon - minLon) * cos)
	mapH := (maxLat - minLat) * k
	if mapH > 3*mapW {
		return nil, nil, fmt.Errorf("the area is too narrow for a map (%.0f × %.0f pixels)", mapW, mapH)
	}
	// The bottom: legend title, boxes and their labels, the row of markers
	// and the scale bar (the scale bar on its own row when they do not fit
	// side by side), caption, credits.
	var caption []string
	for _, c := range append([]string{opt.Caption}, ly.caption...) {
		caption = append(caption, wrap(c, W-2*margin, 10, f)...)
	}
	credits := wrap(opt.Credits, W-2*margin, 10, f)
	pr := &projection{minLon: minLon, maxLat: maxLat, k: k, cos: cos, x0: margin, y0: top}
	mpp := pr.metresPerPixel()
	length := niceStep(mapW/6*mpp, 1) // a round length about a sixth of the width
	px := length / mpp
	const schoolLabel, outsideLabel = "school with trainings", "no data: off the streets, no stop within walking distance"
	markersW := 9 + f.width(schoolLabel, 11, false) + 24 + 10 + f.width(outsideLabel, 11, false)
	scaleRow := 0.0 // extra height when the scale bar needs its own row
	if margin+6+markersW+30 > W-margin-px {
		scaleRow = 30
	}
	legendH := 62.0 // title, boxes and labels
	rowH := 30.0    // markers
	bottom := 16 + legendH + rowH + scaleRow + 13*float64(len(caption)) + 8 + 13*float64(len(credits)) + 8
	sc := &scene{w: opt.Width, h: int(math.Ceil(top + mapH + bottom)), bg: white}

	// Title, and the subtitle on as many lines as it needs.
	sc.text(pt{margin, 30}, 20, true, "start", inkColor, opt.Title)
	for i, line := range subtitle {
		sc.text(pt{margin, 52 + 17*float64(i)}, 13, false, "start", greyInk, line)
	}

	// Cells, outlined in their own colour so that no seam shows between
	// them; blank and outlined in grey when outside.
	isOutside := func(o int) bool { return ly.outside != nil && ly.outside[o] }
	anyOutside := false
	if !points {
		for o, org := range ly.origins {
			bd := h3.CellToBoundary(h3.Cell(org.Cell))
			ring := make([]pt, len(bd))
			for i, ll := range bd {
				ring[i] = pr.at(ll.Lat, ll.Lng)
			}
			if isOutside(o) {
				anyOutside = true
				sc.polygon(ring, outsideColor, lightInk, 0.5)
				continue
			}
			c := ly.scale.color(ly.values[o])
			sc.polygon(ring, c, c, 0.6)
		}
	}

	// Streets, clipped to the map frame.
	frame := [4]float64{margin, top, margin + mapW, top + mapH}
	if s := opt.Streets; s != nil {
		var lines [][]pt
		for seg := 0; seg+1 < len(s.SegShapeStart); seg++ {
			var line []pt
			for i := s.SegShapeStart[seg]; i < s.SegShapeStart[seg+1]; i++ {
				line = append(line, pr.at(s.ShapeLat[i], s.ShapeLon[i]))
			}
			for _, piece := range clipLine(line, frame) {
				if piece = simplify(piece, 0.4); len(piece) > 1 {
					lines = append(lines, piece)
				}
			}
		}
		sc.sharedLines("streets", lines, streetHalo, 1.8)
		sc.sharedLines("streets", lines, streetColor, 0.6)
	}
	inFrame := func(q pt) bool { return q.x >= frame[0] && q.x <= frame[2] && q.y >= frame[1] && q.y <= frame[3] }
	school := func(q pt) {
		if ly.squares {
			sc.rect(q.x-2.6, q.y-2.6, 5.2, 5.2, inkColor, white, 1)
		} else {
			sc.circle(q, 3.5, schoolColor, white, 1.2)
		}
	}
	schools := 0
	if p := opt.Places; p != nil {
		for s := graph.SchoolIdx(0); int(s) < p.NumSchools(); s++ {
			if a, b := p.OffersOf(s); b == a {
				continue
			}
			if q := pr.at(p.SchoolLat[s], p.SchoolLon[s]); inFrame(q) {
				school(q)
				schools++
			}
		}
	}
	// Points over the streets and schools, outlined.
	rp := pointRadius(W)
	if points {
		for o, org := range ly.origins {
			q := pr.at(org.Lat, org.Lon)
			if isOutside(o) {
				anyOutside = true
				sc.circle(q, 0.6*rp, outsideColor, lightInk, 1)
				continue
			}
			sc.circle(q, rp, ly.scale.color(ly.values[o]), inkColor, 0.8)
		}
	}
	sc.rect(margin, top, mapW, mapH, color.NRGBA{}, greyInk, 0.8)

	// Legend: one box per class.
	y := top + mapH + 26
	sc.text(pt{margin, y}, 13, true, "start", inkColor, ly.label)
	boxes := ly.scale.legend()
	boxW := 48.0
	for _, b := range boxes {
		boxW = math.Max(boxW, f.width(b.label, 11, false)+8)
	}
	boxY, boxH := y+10, 14.0
	x := margin
	for _, b := range boxes {
		sc.rect(x, boxY, boxW, boxH, b.c, greyInk, 0.6)
		sc.text(pt{x + boxW/2, boxY + boxH + 15}, 11, false, "middle", greyInk, b.label)
		x += boxW
	}
	if len(boxes) == 1 && ly.empty != "" {
		sc.text(pt{x + 8, boxY + boxH - 3}, 11, false, "start", greyInk, ly.empty)
	}

	// Markers: what the schools and the blank origins are.
	my := boxY + boxH + 34
	mx := margin + 6
	if schools > 0 {
		school(pt{mx, my - 4})
		sc.text(pt{mx + 9, my}, 11, false, "start", inkColor, schoolLabel)
		mx += 9 + f.width(schoolLabel, 11, false) + 24
	}
	if anyOutside {
		if points {
			sc.circle(pt{mx, my - 4}, 0.6*rp, outsideColor, lightInk, 1)
		} else {
			sc.rect(mx-6, my-10, 12, 12, outsideColor, lightInk, 0.6)
		}
		sc.text(pt{mx + 10, my}, 11, false, "start", inkColor, outsideLabel)
	}

	// Scale bar, at the right of the markers' row or below it.
	sx, sy := W-margin-px, my+scaleRow
	sc.rect(sx, sy-5, px/2, 5, inkColor, inkColor, 0.6)
	sc.rect(sx+px/2, sy-5, px/2, 5, white, inkColor, 0.6)
	unit := fmt.Sprintf("%g m", length)
	if length >= 1000 {
		unit = fmt.Sprintf("%g km", length/1000)
	}
	sc.text(pt{sx, sy + 13}, 11, false, "middle", greyInk, "0")
	sc.text(pt{sx + px, sy + 13}, 11, false, "middle", greyInk, unit)
	sc.text(pt{sx - 10, sy}, 11, false, "end", greyInk, "N ↑")

	cy := top + mapH + 16 + legendH + rowH + scaleRow
	for _, line := range caption {
		sc.text(pt{margin, cy}, 10, false, "start", inkColor, line)
		cy += 13
	}
	for i, line := range credits {
		sc.text(pt{margin, float64(sc.h) - 12 - 13*float64(len(credits)-1-i)}, 10, false, "start", greyInk, line)
	}
	return sc, pr, nil
}

// accessLayer is the layer of an accessibility map: the offers reachable
// within minutes of each origin.
func accessLayer(r *Result, minutes int) (*layer, error) {
	values, err := r.OffersWithin(minutes)
	if err != nil {
		return nil, err
	}
	var maxV int32
	for _, v := range values {
		maxV = max(maxV, v)
	}
	ly := &layer{origins: r.Origins, values: values, scale: newClasses(maxV),
		label: fmt.Sprintf("Training offers reachable within %d min", minutes),
		empty: "no offer is reachable from any origin"}
	if len(r.Origins) > 0 {
		ly.squares = r.Origins[0].Cell == 0
	}
	ly.outside = outsideOf(r.Coverage)
	ly.caption = append(ly.caption, "Stops and schools "+graphInfo(r.Meta).StraightLines.Sentence()+".")
	if ly.squares {
		n := r.CoverageCounts()
		ly.caption = append(ly.caption, fmt.Sprintf("Origins: %s with a stop within %s m on foot, %s on the streets without one, %s without data (blank).",
			thousands(n["network"]), thousands(int(r.Params.MaxWalk)), thousands(n["walk_only"]), thousands(n["outside"])))
	}
	return ly, nil
}

// outsideOf marks the origins of coverage outside (nil when none is).
func outsideOf(cov []Coverage) []bool {
	var out []bool
	for o, c := range cov {
		if c == CoverageOutside {
			if out == nil {
				out = make([]bool, len(cov))
			}
			out[o] = true
		}
	}
	return out
}

// buildMap lays out the accessibility map of a result.
func buildMap(r *Result, opt MapOptions, f *fonts) (*scene, *projection, error) {
	if opt.Minutes == 0 {
		opt.Minutes = 45
	}
	ly, err := accessLayer(r, opt.Minutes)
	if err != nil {
		return nil, nil, err
	}
	return drawMap(ly, opt, f)
}

// wrap breaks text into lines that fit a width, after "; " or spaces.
func wrap(text string, width, size float64, f *fonts) []string {
	if text == "" {
		return nil
	}
	var lines []string
	line := ""
	for _, w := range strings.SplitAfter(text, " ") {
		if line != "" && f.width(strings.TrimSpace(line+w), size, false) > width {
			lines = append(lines, strings.TrimSpace(line))
			line = ""
		}
		line += w
	}
	return append(lines, strings.TrimSpace(line))
}

// simplify drops the points of a polyline that lie within tol pixels of
// the line through their neighbours kept (Douglas–Peucker).
func simplify(line []pt, tol float64) []pt {
	if len(line) < 3 {
		return line
	}
	keep := make([]bool, len(line))
	keep[0], keep[len(line)-1] = true, true
	var rec func(i, j int)
	rec = func(i, j int) {
		a, b := line[i], line[j]
		dx, dy := b.x-a.x, b.y-a.y
		l := math.Hypot(dx, dy)
		far, at := 0.0, -1
		for k := i + 1; k < j; k++ {
			p := line[k]
			var d float64
			if l == 0 {
				d = math.Hypot(p.x-a.x, p.y-a.y)
			} else {
				d = math.Abs(dy*(p.x-a.x)-dx*(p.y-a.y)) / l
			}
			if d > far {
				far, at = d, k
			}
		}
		if at >= 0 && far > tol {
			keep[at] = true
			rec(i, at)
			rec(at, j)
		}
	}
	rec(0, len(line)-1)
	out := line[:0:0]
	for k, p := range line {
		if keep[k] {
			out = append(out, p)
		}
	}
	if len(out) == 2 && math.Hypot(out[1].x-out[0].x, out[1].y-out[0].y) < tol {
		return nil
	}
	return out
}

// clipLine cuts a polyline to a rectangle (minX, minY, maxX, maxY),
// segment by segment (Liang–Barsky), returning the visible pieces.
func clipLine(line []pt, r [4]float64) [][]pt {
	var out [][]pt
	var cur []pt
	for i := 0; i+1 < len(line); i++ {
		a, b := line[i], line[i+1]
		t0, t1 := 0.0, 1.0
		dx, dy := b.x-a.x, b.y-a.y
		ok := true
		for _, c := range [4][2]float64{{-dx, a.x - r[0]}, {dx, r[2] - a.x}, {-dy, a.y - r[1]}, {dy, r[3] - a.y}} {
			p, q := c[0], c[1]
			if p == 0 {
				if q < 0 {
					ok = false
				}
				continue
			}
			t := q / p
			if p < 0 {
				t0 = math.Max(t0, t)
			} else {
				t1 = math.Min(t1, t)
			}
		}
		if !ok || t0 > t1 {
			if len(cur) > 1 {
				out = append(out, cur)
			}
			cur = nil
			continue
		}
		p0 := pt{a.x + t0*dx, a.y + t0*dy}
		p1 := pt{a.x + t1*dx, a.y + t1*dy}
		if len(cur) == 0 || t0 > 0 {
			if len(cur) > 1 {
				out = append(out, cur)
			}
			cur = []pt{p0}
		}
		cur = append(cur, p1)
		if t1 < 1 {
			out = append(out, cur)
			cur = nil
		}
	}
	if len(cur) > 1 {
		out = append(out, cur)
	}
	return out
}

// RenderMap draws the accessibility map of a result, as "png" or "svg":
// cells are drawn as hexagons, points (schools, an origins file) as discs,
// coloured by the offers reachable within opt.Minutes; origins without data
// around them (coverage outside) are left blank.
func RenderMap(w io.Writer, format string, r *Result, opt MapOptions) error {
	if format != "png" && format != "svg" {
		return fmt.Errorf("map format %q: want png or svg", format)
	}
	f, err := loadFonts()
	if err != nil {
		return err
	}
	sc, _, err := buildMap(r, opt, f)
	if err != nil {
		return err
	}
	return renderScene(w, format, sc, f)
}

// renderScene writes a scene as "png" or "svg".
func renderScene(w io.Writer, format string, sc *scene, f *fonts) error {
	switch format {
	case "png":
		return sc.writePNG(w, f)
	case "svg":
		return sc.writeSVG(w)
	}
	return fmt.Errorf("map format %q: want png or svg", format)
}

// WriteMap writes the map to path, as PNG or SVG by its extension.
func WriteMap(path string, r *Result, opt MapOptions) error {
	format, err := MapFormat(path)
	if err != nil {
		return err
	}
	return WriteFile(path, func(w io.Writer) error { return RenderMap(w, format, r, opt) })
}

// MapFormat returns the format of a map file, "png" or "svg", from its
// extension.
func MapFormat(path string) (string, error) {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format != "png" && format != "svg" {
		return "", fmt.Errorf("%s: want a .png or .svg file name", path)
	}
	return format, nil
}
