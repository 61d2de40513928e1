package main

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// series is one set of points of a chart.
type series struct {
	Name   string
	Points [][2]float64
	Labels []string // per point, drawn beside it ("" for none)
	Line   bool     // join the points
}

// chart is a scatter or line chart written as SVG.
type chart struct {
	Title, XLabel, YLabel string
	LogX, LogY            bool
	Series                []series
}

// palette of the series (Okabe–Ito, readable by colour-blind people).
var palette = []string{"#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000"}

// axis maps values to pixels along one axis.
type axis struct {
	lo, hi   float64 // in axis units (log10 of values on log axes)
	log      bool
	from, to float64 // pixels
}

func (a axis) pos(v float64) float64 {
	if a.log {
		v = math.Log10(v)
	}
	if a.hi == a.lo {
		return (a.from + a.to) / 2
	}
	return a.from + (v-a.lo)/(a.hi-a.lo)*(a.to-a.from)
}

// ticks returns round tick values: decades on log axes, 1-2-5 steps on
// linear ones.
func (a axis) ticks() []float64 {
	var out []float64
	if a.log {
		for e := math.Floor(a.lo); e <= math.Ceil(a.hi); e++ {
			for _, m := range []float64{1, 2, 5} {
				if v := m * math.Pow(10, e); math.Log10(v) >= a.lo-1e-9 && math.Log10(v) <= a.hi+1e-9 {
					out = append(out, v)
				}
			}
		}
		return out
	}
	step := niceStep(a.hi-a.lo, 6)
	for v := math.Ceil(a.lo/step) * step; v <= a.hi+1e-9; v += step {
		out = append(out, v)
	}
	return out
}

// niceStep returns 1, 2 or 5 times a power of ten, at least span/n.
func niceStep(span float64, n int) float64 {
	if span <= 0 {
		return 1
	}
	raw := span / float64(n)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5} {
		if m*p >= raw*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// newAxis fits an axis to values, starting at zero on linear axes.
func newAxis(values []float64, log bool, from, to float64) axis {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if log {
			if v <= 0 {
				continue
			}
			v = math.Log10(v)
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if math.IsInf(lo, 0) {
		lo, hi = 0, 1
	}
	if log {
		lo, hi = math.Floor(lo*5)/5, math.Ceil(hi*5)/5 // a little room
		if lo == hi {
			lo, hi = lo-0.2, hi+0.2
		}
	} else {
		lo = math.Min(lo, 0)
		step := niceStep(hi-lo, 6)
		hi = math.Ceil(hi/step) * step
		if hi == lo {
			hi = lo + 1
		}
	}
	return axis{lo: lo, hi: hi, log: log, from: from, to: to}
}

// tickLabel formats a tick value compactly: 1500 → "1.5k", 2e6 → "2M".
func tickLabel(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return strconv.FormatFloat(v/1e6, 'g', 3, 64) + "M"
	case a >= 1e4:
		return strconv.FormatFloat(v/1e3, 'g', 3, 64) + "k"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// svg draws the chart, 640 × 400 pixels.
func (c chart) svg() []byte {
	const w, h = 640.0, 400.0
	const left, right, top, bottom = 70.0, 150.0, 40.0, 50.0
	var xs, ys []float64
	for _, s := range c.Series {
		for _, p := range s.Points {
			xs, ys = append(xs, p[0]), append(ys, p[1])
		}
	}
	ax := newAxis(xs, c.LogX, left, w-right)
	ay := newAxis(ys, c.LogY, h-bottom, top)
	var b bytes.Buffer
	f := func(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<rect width="%g" height="%g" fill="#ffffff"/>`+"\n", w, h)
	fmt.Fprintf(&b, `<text x="%g" y="22" font-size="15" font-weight="bold">%s</text>`+"\n", left, esc(c.Title))
	// Grid and ticks.
	for _, v := range ax.ticks() {
		x := ax.pos(v)
		fmt.Fprintf(&b, `<line x1="%s" y1="%g" x2="%s" y2="%g" stroke="#e0e0e0"/>`+"\n", f(x), top, f(x), h-bottom)
		fmt.Fprintf(&b, `<text x="%s" y="%g" text-anchor="middle" fill="#444">%s</text>`+"\n", f(x), h-bottom+16, tickLabel(v))
	}
	for _, v := range ay.ticks() {
		y := ay.pos(v)
		fmt.Fprintf(&b, `<line x1="%g" y1="%s" x2="%g" y2="%s" stroke="#e0e0e0"/>`+"\n", left, f(y), w-right, f(y))
		fmt.Fprintf(&b, `<text x="%g" y="%s" text-anchor="end" fill="#444">%s</text>`+"\n", left-6, f(y+4), tickLabel(v))
	}
	fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="#888"/>`+"\n", left, top, w-right-left, h-bottom-top)
	fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle">%s</text>`+"\n", (left+w-right)/2, h-12, esc(c.XLabel))
	fmt.Fprintf(&b, `<text x="16" y="%g" text-anchor="middle" transform="rotate(-90 16 %g)">%s</text>`+"\n", (top+h-bottom)/2, (top+h-bottom)/2, esc(c.YLabel))
	// Series and legend.
	for i, s := range c.Series {
		col := palette[i%len(palette)]
		var pts []string
		for _, p := range s.Points {
			if (c.LogX && p[0] <= 0) || (c.LogY && p[1] <= 0) {
				continue
			}
			pts = append(pts, f(ax.pos(p[0]))+","+f(ay.pos(p[1])))
		}
		if s.Line && len(pts) > 1 {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", strings.Join(pts, " "), col)
		}
		for k, p := range s.Points {
			if (c.LogX && p[0] <= 0) || (c.LogY && p[1] <= 0) {
				continue
			}
			x, y := ax.pos(p[0]), ay.pos(p[1])
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="4" fill="%s"/>`+"\n", f(x), f(y), col)
			if k < len(s.Labels) && s.Labels[k] != "" {
				fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="10" fill="#333">%s</text>`+"\n", f(x+6), f(y-6), esc(s.Labels[k]))
			}
		}
		ly := top + 10 + 18*float64(i)
		fmt.Fprintf(&b, `<circle cx="%g" cy="%g" r="4" fill="%s"/>`+"\n", w-right+14, ly-4, col)
		fmt.Fprintf(&b, `<text x="%g" y="%g">%s</text>`+"\n", w-right+24, ly, esc(s.Name))
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}
