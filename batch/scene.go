package batch

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// pt is a point in image coordinates (pixels, y down).
type pt struct{ x, y float64 }

// shapeKind is what a scene item draws.
type shapeKind uint8

const (
	shapePolygon shapeKind = iota // closed, filled, optionally outlined
	shapeLines                    // open polylines, stroked
	shapeText                     // one line of text
)

// item is one drawing primitive of a scene.
type item struct {
	kind   shapeKind
	rings  [][]pt // polygon rings or polylines
	fill   color.NRGBA
	stroke color.NRGBA // alpha 0: no outline
	width  float64     // stroke width, pixels
	// shared names the geometry of lines drawn more than once (a halo under
	// a line): SVG writes it once and uses it again.
	shared string
	// Text: anchored at at (baseline), "start", "middle" or "end".
	text   string
	at     pt
	size   float64
	bold   bool
	anchor string
}

// scene is a picture built once and drawn as SVG or PNG, so that both
// formats show the same thing.
type scene struct {
	w, h  int
	bg    color.NRGBA
	items []item
}

func (s *scene) polygon(ring []pt, fill, stroke color.NRGBA, width float64) {
	s.items = append(s.items, item{kind: shapePolygon, rings: [][]pt{ring}, fill: fill, stroke: stroke, width: width})
}

// sharedLines adds lines whose geometry, named id, may be drawn again.
func (s *scene) sharedLines(id string, lines [][]pt, stroke color.NRGBA, width float64) {
	if len(lines) > 0 {
		s.items = append(s.items, item{kind: shapeLines, rings: lines, stroke: stroke, width: width, shared: id})
	}
}

func (s *scene) text(at pt, size float64, bold bool, anchor string, c color.NRGBA, text string) {
	s.items = append(s.items, item{kind: shapeText, at: at, size: size, bold: bold, anchor: anchor, fill: c, text: text})
}

func (s *scene) rect(x, y, w, h float64, fill, stroke color.NRGBA, width float64) {
	s.polygon([]pt{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}}, fill, stroke, width)
}

// circle adds a disc as a 16-sided polygon.
func (s *scene) circle(c pt, r float64, fill, stroke color.NRGBA, width float64) {
	ring := make([]pt, 16)
	for i := range ring {
		a := 2 * math.Pi * float64(i) / 16
		ring[i] = pt{c.x + r*math.Cos(a), c.y + r*math.Sin(a)}
	}
	s.polygon(ring, fill, stroke, width)
}

// fonts are the faces used to draw and measure text (the Go fonts, so that
// PNG output does not depend on the fonts installed).
type fonts struct {
	regular, bold *opentype.Font
	faces         map[[2]int]font.Face
}

func loadFonts() (*fonts, error) {
	r, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	b, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	return &fonts{regular: r, bold: b, faces: map[[2]int]font.Face{}}, nil
}

func (f *fonts) face(size float64, bold bool) (font.Face, error) {
	key := [2]int{int(size * 10), 0}
	ft := f.regular
	if bold {
		key[1], ft = 1, f.bold
	}
	if fc, ok := f.faces[key]; ok {
		return fc, nil
	}
	fc, err := opentype.NewFace(ft, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	f.faces[key] = fc
	return fc, nil
}

// width measures text in pixels.
func (f *fonts) width(text string, size float64, bold bool) float64 {
	fc, err := f.face(size, bold)
	if err != nil {
		return float64(len(text)) * size * 0.55
	}
	return float64(font.MeasureString(fc, text)) / 64
}

// svgColor writes a colour as SVG attributes name="#rrggbb" and its opacity.
func svgColor(name string, c color.NRGBA) string {
	s := fmt.Sprintf(` %s="#%02x%02x%02x"`, name, c.R, c.G, c.B)
	if c.A != 255 {
		s += fmt.Sprintf(` %s-opacity="%s"`, name, strconv.FormatFloat(float64(c.A)/255, 'f', 3, 64))
	}
	return s
}

// num formats a coordinate with one decimal, which is finer than a pixel.
func num(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

func svgPath(b *strings.Builder, rings [][]pt, closed bool) {
	for _, r := range rings {
		for i, p := range r {
			if i == 0 {
				b.WriteString("M")
			} else {
				b.WriteString("L")
			}
			b.WriteString(num(p.x))
			b.WriteByte(' ')
			b.WriteString(num(p.y))
		}
		if closed {
			b.WriteString("Z")
		}
	}
}

// writeSVG draws the scene as an SVG document.
func (s *scene) writeSVG(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Go, DejaVu Sans, Arial, sans-serif">`+"\n", s.w, s.h, s.w, s.h)
	fmt.Fprintf(bw, `<rect width="%d" height="%d"%s/>`+"\n", s.w, s.h, svgColor("fill", s.bg))
	var b strings.Builder
	defined := map[string]bool{}
	for _, it := range s.items {
		b.Reset()
		if it.kind == shapeLines && it.shared != "" {
			if !defined[it.shared] {
				defined[it.shared] = true
				fmt.Fprintf(&b, `<defs><path id="%s" d="`, it.shared)
				svgPath(&b, it.rings, false)
				b.WriteString(`"/></defs>` + "\n")
			}
			fmt.Fprintf(&b, `<use href="#%s" fill="none" stroke-linecap="round" stroke-linejoin="round"%s stroke-width="%s"/>`+"\n",
				it.shared, svgColor("stroke", it.stroke), num(it.width))
			bw.WriteString(b.String())
			continue
		}
		switch it.kind {
		case shapePolygon:
			b.WriteString(`<path d="`)
			svgPath(&b, it.rings, true)
			b.WriteString(`"`)
			b.WriteString(svgColor("fill", it.fill))
			if it.stroke.A > 0 {
				b.WriteString(svgColor("stroke", it.stroke))
				fmt.Fprintf(&b, ` stroke-width="%s"`, num(it.width))
			}
			b.WriteString("/>\n")
		case shapeLines:
			b.WriteString(`<path fill="none" stroke-linecap="round" d="`)
			svgPath(&b, it.rings, false)
			b.WriteString(`"`)
			b.WriteString(svgColor("stroke", it.stroke))
			fmt.Fprintf(&b, ` stroke-width="%s"/>`+"\n", num(it.width))
		case shapeText:
			fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="%s"`, num(it.at.x), num(it.at.y), num(it.size))
			if it.bold {
				b.WriteString(` font-weight="bold"`)
			}
			if it.anchor != "start" {
				fmt.Fprintf(&b, ` text-anchor="%s"`, it.anchor)
			}
			b.WriteString(svgColor("fill", it.fill))
			b.WriteString(">")
			escapeXML(&b, it.text)
			b.WriteString("</text>\n")
		}
		bw.WriteString(b.String())
	}
	bw.WriteString("</svg>\n")
	return bw.Flush()
}

func escapeXML(b *strings.Builder, s string) {
	for _, c := range s {
		switch c {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(c)
		}
	}
}

// writePNG rasterizes the scene, anti-aliased, with the Go fonts. Every
// shape is rasterized within its own bounding box, so that the cost follows
// the drawn area rather than the image's.
func (s *scene) writePNG(w io.Writer, f *fonts) error {
	img := image.NewNRGBA(image.Rect(0, 0, s.w, s.h))
	draw.Draw(img, img.Bounds(), image.NewUniform(s.bg), image.Point{}, draw.Src)
	z := vector.NewRasterizer(0, 0)
	for _, it := range s.items {
		if it.kind == shapeText {
			fc, err := f.face(it.size, it.bold)
			if err != nil {
				return err
			}
			d := font.Drawer{Dst: img, Src: image.NewUniform(it.fill), Face: fc}
			x := it.at.x
			switch it.anchor {
			case "middle":
				x -= float64(d.MeasureString(it.text)) / 128
			case "end":
				x -= float64(d.MeasureString(it.text)) / 64
			}
			d.Dot = fixed.Point26_6{X: fixed.Int26_6(x * 64), Y: fixed.Int26_6(it.at.y * 64)}
			d.DrawString(it.text)
			continue
		}
		// Bounding box of the shape and its outline, in whole pixels.
		minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for _, r := range it.rings {
			for _, p := range r {
				minX, minY = math.Min(minX, p.x), math.Min(minY, p.y)
				maxX, maxY = math.Max(maxX, p.x), math.Max(maxY, p.y)
			}
		}
		pad := it.width + 1
		box := image.Rect(int(math.Floor(minX-pad)), int(math.Floor(minY-pad)), int(math.Ceil(maxX+pad)), int(math.Ceil(maxY+pad))).Intersect(img.Bounds())
		if box.Empty() {
			continue
		}
		ox, oy := float64(box.Min.X), float64(box.Min.Y)
		fill := func(c color.NRGBA) {
			z.Draw(img, box, image.NewUniform(c), image.Point{})
		}
		if it.kind == shapePolygon {
			z.Reset(box.Dx(), box.Dy())
			for _, r := range it.rings {
				for i, p := range r {
					if i == 0 {
						z.MoveTo(float32(p.x-ox), float32(p.y-oy))
					} else {
						z.LineTo(float32(p.x-ox), float32(p.y-oy))
					}
				}
				z.ClosePath()
			}
			fill(it.fill)
		}
		if it.stroke.A > 0 {
			z.Reset(box.Dx(), box.Dy())
			for _, r := range it.rings {
				strokeRing(z, r, ox, oy, it.width, it.kind == shapePolygon)
			}
			fill(it.stroke)
		}
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	return enc.Encode(w, toPaletted(img))
}

// toPaletted converts the image to 256 colours, a quarter of the size: the
// most frequent colours (the fills, the text, the lines) are kept exactly
// and the rare ones (anti-aliased edges) take the nearest kept colour.
func toPaletted(img *image.NRGBA) *image.Paletted {
	key := func(i int) uint32 {
		p := img.Pix[i : i+4 : i+4]
		return uint32(p[0])<<24 | uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3])
	}
	count := map[uint32]int{}
	for i := 0; i < len(img.Pix); i += 4 {
		count[key(i)]++
	}
	colors := make([]uint32, 0, len(count))
	for c := range count {
		colors = append(colors, c)
	}
	sort.Slice(colors, func(i, j int) bool {
		if a, b := count[colors[i]], count[colors[j]]; a != b {
			return a > b
		}
		return colors[i] < colors[j]
	})
	kept := colors[:min(len(colors), 256)]
	pal := make(color.Palette, len(kept))
	index := make(map[uint32]uint8, len(colors))
	for i, c := range kept {
		pal[i] = color.NRGBA{uint8(c >> 24), uint8(c >> 16), uint8(c >> 8), uint8(c)}
		index[c] = uint8(i)
	}
	for _, c := range colors[len(kept):] {
		best, bestD := 0, math.MaxInt
		for i, k := range kept {
			d := 0
			for sh := 8; sh <= 32; sh += 8 {
				x := int(c>>(32-sh)&0xff) - int(k>>(32-sh)&0xff)
				d += x * x
			}
			if d < bestD {
				best, bestD = i, d
			}
		}
		index[c] = uint8(best)
	}
	out := image.NewPaletted(img.Rect, pal)
	for i, j := 0, 0; i < len(img.Pix); i, j = i+4, j+1 {
		out.Pix[j] = index[key(i)]
	}
	return out
}

// strokeRing adds a line's outline as one quadrilateral per segment (the
// non-zero winding rule of the rasterizer merges their overlaps).
func strokeRing(z *vector.Rasterizer, r []pt, ox, oy, width float64, closed bool) {
	n := len(r)
	if !closed {
		n--
	}
	h := width / 2
	for i := 0; i < n; i++ {
		a, b := r[i], r[(i+1)%len(r)]
		a.x, a.y, b.x, b.y = a.x-ox, a.y-oy, b.x-ox, b.y-oy
		dx, dy := b.x-a.x, b.y-a.y
		l := math.Hypot(dx, dy)
		if l == 0 {
			continue
		}
		// Normal, and a half-width extension along the segment so that
		// consecutive segments join without notches.
		nx, ny := -dy/l*h, dx/l*h
		ex, ey := dx/l*h, dy/l*h
		z.MoveTo(float32(a.x-ex+nx), float32(a.y-ey+ny))
		z.LineTo(float32(b.x+ex+nx), float32(b.y+ey+ny))
		z.LineTo(float32(b.x+ex-nx), float32(b.y+ey-ny))
		z.LineTo(float32(a.x-ex-nx), float32(a.y-ey-ny))
		z.ClosePath()
	}
}
