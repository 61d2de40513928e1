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
	// Minutes: cells are coloured by the number of training offers reachable
	// within this many minutes, which must be one of the result's cut-offs;
	// 0 means 45.
	Minutes  int
	Title    string
	Subtitle string
	Credits  string // a line of data credits at the bottom
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

var (
	noneColor   = color.NRGBA{0xdc, 0xdc, 0xdc, 0xff}
	inkColor    = color.NRGBA{0x20, 0x20, 0x20, 0xff}
	greyInk     = color.NRGBA{0x60, 0x60, 0x60, 0xff}
	white       = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	streetColor = color.NRGBA{0x20, 0x20, 0x20, 0x80}
	streetHalo  = color.NRGBA{0xff, 0xff, 0xff, 0x50}
	schoolColor = color.NRGBA{0xd7, 0x30, 0x1f, 0xff}
)

// classes is the colour scale of a map: values 1..step are class 0,
// step+1..2·step class 1, and so on; 0 is grey.
type classes struct {
	step int32
	n    int
}

// newClasses picks a round class width giving at most 10 classes up to maxV.
func newClasses(maxV int32) classes {
	step := max(int32(niceStep(float64(maxV), 10)), 1)
	return classes{step: step, n: max(int((maxV+step-1)/step), 1)}
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
	return rampAt(f)
}

// rampAt interpolates the ramp at f in [0, 1].
func rampAt(f float64) color.NRGBA {
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

// buildMap lays out the accessibility map of a result's cell origins.
func buildMap(r *Result, opt MapOptions, f *fonts) (*scene, *projection, error) {
	if opt.Minutes == 0 {
		opt.Minutes = 45
	}
	if opt.Width == 0 {
		opt.Width = 900
	}
	if opt.Width < 300 || opt.Width > 8000 {
		return nil, nil, fmt.Errorf("map width %d: want 300..8000 pixels", opt.Width)
	}
	values, err := r.OffersWithin(opt.Minutes)
	if err != nil {
		return nil, nil, err
	}
	var maxV int32
	minLat, minLon, maxLat, maxLon := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	bounds := make([]h3.CellBoundary, len(r.Origins))
	for o, org := range r.Origins {
		if org.Cell == 0 {
			return nil, nil, errors.New("a map needs H3 cell origins (--cells)")
		}
		bounds[o] = h3.CellToBoundary(h3.Cell(org.Cell))
		for _, ll := range bounds[o] {
			minLat, maxLat = math.Min(minLat, ll.Lat), math.Max(maxLat, ll.Lat)
			minLon, maxLon = math.Min(minLon, ll.Lng), math.Max(maxLon, ll.Lng)
		}
		maxV = max(maxV, values[o])
	}

	const margin, top = 16.0, 70.0
	bottom := 100.0 + 13*float64(len(wrap(opt.Credits, float64(opt.Width)-2*margin, 10, f)))
	W := float64(opt.Width)
	mapW := W - 2*margin
	cos := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	k := mapW / ((maxLon - minLon) * cos)
	mapH := (maxLat - minLat) * k
	if mapH > 3*mapW {
		return nil, nil, fmt.Errorf("the area is too narrow for a map (%.0f × %.0f pixels)", mapW, mapH)
	}
	cls := newClasses(maxV)
	pr := &projection{minLon: minLon, maxLat: maxLat, k: k, cos: cos, x0: margin, y0: top}
	sc := &scene{w: opt.Width, h: int(math.Ceil(top + mapH + bottom)), bg: white}

	// Title.
	sc.text(pt{margin, 30}, 20, true, "start", inkColor, opt.Title)
	sc.text(pt{margin, 52}, 13, false, "start", greyInk, opt.Subtitle)

	// Cells, outlined in their own colour so that no seam shows between them.
	for o := range r.Origins {
		ring := make([]pt, len(bounds[o]))
		for i, ll := range bounds[o] {
			ring[i] = pr.at(ll.Lat, ll.Lng)
		}
		c := cls.color(values[o])
		sc.polygon(ring, c, c, 0.6)
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
	schools := 0
	if p := opt.Places; p != nil {
		for s := int32(0); s < int32(p.NumSchools()); s++ {
			if a, b := p.OffersOf(s); b == a {
				continue
			}
			q := pr.at(p.SchoolLat[s], p.SchoolLon[s])
			if q.x < frame[0] || q.x > frame[2] || q.y < frame[1] || q.y > frame[3] {
				continue
			}
			sc.circle(q, 3.5, schoolColor, white, 1.2)
			schools++
		}
	}
	sc.rect(margin, top, mapW, mapH, color.NRGBA{}, greyInk, 0.8)

	// Legend: one box per class, the grey "none" box first.
	y := top + mapH + 26
	label := fmt.Sprintf("Training offers reachable within %d min", opt.Minutes)
	sc.text(pt{margin, y}, 13, true, "start", inkColor, label)
	boxW, boxY, boxH := 48.0, y+10, 14.0
	sc.rect(margin, boxY, boxW, boxH, noneColor, greyInk, 0.6)
	sc.text(pt{margin + boxW/2, boxY + boxH + 15}, 11, false, "middle", greyInk, "none")
	x := margin + boxW + 6
	if maxV > 0 {
		for k := 0; k < cls.n; k++ {
			lo, hi := int32(k)*cls.step+1, int32(k+1)*cls.step
			text := fmt.Sprintf("%d–%d", lo, hi)
			if lo == hi {
				text = strconv.Itoa(int(lo))
			}
			sc.rect(x, boxY, boxW, boxH, cls.color(lo), greyInk, 0.6)
			sc.text(pt{x + boxW/2, boxY + boxH + 15}, 11, false, "middle", greyInk, text)
			x += boxW
		}
	} else {
		sc.text(pt{x, boxY + boxH - 3}, 11, false, "start", greyInk, "no offer is reachable from any cell")
		x += 200
	}
	barY, barH := boxY, boxH
	if schools > 0 {
		sx := x + 30
		sc.circle(pt{sx, barY + barH/2}, 3.5, schoolColor, white, 1.2)
		sc.text(pt{sx + 9, barY + barH/2 + 4}, 11, false, "start", inkColor, "school with trainings")
	}

	// Scale bar, bottom right: a round length about a sixth of the width.
	mpp := pr.metresPerPixel()
	length := niceStep(mapW/6*mpp, 1)
	px := length / mpp
	sx, sy := W-margin-px, barY+barH
	sc.rect(sx, sy-5, px/2, 5, inkColor, inkColor, 0.6)
	sc.rect(sx+px/2, sy-5, px/2, 5, white, inkColor, 0.6)
	unit := fmt.Sprintf("%g m", length)
	if length >= 1000 {
		unit = fmt.Sprintf("%g km", length/1000)
	}
	sc.text(pt{sx, sy + 15}, 11, false, "middle", greyInk, "0")
	sc.text(pt{sx + px, sy + 15}, 11, false, "middle", greyInk, unit)
	sc.text(pt{W - margin, sy - 12}, 11, false, "end", greyInk, "N ↑")

	credits := wrap(opt.Credits, W-2*margin, 10, f)
	for i, line := range credits {
		sc.text(pt{margin, float64(sc.h) - 12 - 13*float64(len(credits)-1-i)}, 10, false, "start", greyInk, line)
	}
	return sc, pr, nil
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

// RenderMap draws the accessibility map of a result whose origins are H3
// cells, as "png" or "svg".
func RenderMap(w io.Writer, format string, r *Result, opt MapOptions) error {
	f, err := loadFonts()
	if err != nil {
		return err
	}
	sc, _, err := buildMap(r, opt, f)
	if err != nil {
		return err
	}
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
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format != "png" && format != "svg" {
		return fmt.Errorf("%s: want a .png or .svg file name", path)
	}
	return WriteFile(path, func(w io.Writer) error { return RenderMap(w, format, r, opt) })
}
