package server

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// rgb is a colour with sRGB components in 0..255.
type rgb [3]float64

// paletteColours reads the "#rrggbb" colours of a constant of web/palette.js:
// one for a string constant, several for an array.
func paletteColours(t *testing.T, name string) []rgb {
	t.Helper()
	src, err := webFS.ReadFile("web/palette.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)export const ` + name + ` = (\[[^\]]*\]|"[^"]*")`).FindSubmatch(src)
	if m == nil {
		t.Fatalf("web/palette.js has no constant %s", name)
	}
	var out []rgb
	for _, h := range regexp.MustCompile(`#[0-9a-fA-F]{6}\b`).FindAll(m[1], -1) {
		var c rgb
		for i := range 3 {
			v, _ := strconv.ParseUint(string(h[1+2*i:3+2*i]), 16, 8)
			c[i] = float64(v)
		}
		out = append(out, c)
	}
	return out
}

func (c rgb) String() string { return fmt.Sprintf("#%02x%02x%02x", int(c[0]), int(c[1]), int(c[2])) }

// linear converts an sRGB component to linear light.
func linear(v float64) float64 {
	v /= 255
	if v <= 0.04045 {
		return v / 12.92
	}
	return math.Pow((v+0.055)/1.055, 2.4)
}

// encode converts linear light to an sRGB component, clamped.
func encode(v float64) float64 {
	v = min(max(v, 0), 1)
	if v <= 0.0031308 {
		return 255 * 12.92 * v
	}
	return 255 * (1.055*math.Pow(v, 1/2.4) - 0.055)
}

// luminance is the WCAG 2 relative luminance.
func (c rgb) luminance() float64 {
	return 0.2126*linear(c[0]) + 0.7152*linear(c[1]) + 0.0722*linear(c[2])
}

// contrast is the WCAG 2 contrast ratio of two colours.
func contrast(a, b rgb) float64 {
	la, lb := a.luminance(), b.luminance()
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// lab converts to CIELAB (D65).
func (c rgb) lab() [3]float64 {
	r, g, b := linear(c[0]), linear(c[1]), linear(c[2])
	x := (0.4124*r + 0.3576*g + 0.1805*b) / 0.95047
	y := 0.2126*r + 0.7152*g + 0.0722*b
	z := (0.0193*r + 0.1192*g + 0.9505*b) / 1.08883
	f := func(t float64) float64 {
		if t > 216.0/24389 {
			return math.Cbrt(t)
		}
		return (24389.0/27*t + 16) / 116
	}
	return [3]float64{116*f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))}
}

// deltaE2000 is the CIEDE2000 colour difference of two colours.
func deltaE2000(c1, c2 rgb) float64 { return deltaE2000Lab(c1.lab(), c2.lab()) }

// deltaE2000Lab is the CIEDE2000 difference of two CIELAB colours.
func deltaE2000Lab(p, q [3]float64) float64 {
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	deg := func(r float64) float64 { return r * 180 / math.Pi }
	cb := (math.Hypot(p[1], p[2]) + math.Hypot(q[1], q[2])) / 2
	g := 0.5 * (1 - math.Sqrt(math.Pow(cb, 7)/(math.Pow(cb, 7)+math.Pow(25, 7))))
	a1, a2 := (1+g)*p[1], (1+g)*q[1]
	c1p, c2p := math.Hypot(a1, p[2]), math.Hypot(a2, q[2])
	h1 := math.Mod(deg(math.Atan2(p[2], a1))+360, 360)
	h2 := math.Mod(deg(math.Atan2(q[2], a2))+360, 360)
	dl, dc := q[0]-p[0], c2p-c1p
	dh := 0.0
	if c1p*c2p != 0 {
		dh = h2 - h1
		if dh > 180 {
			dh -= 360
		} else if dh < -180 {
			dh += 360
		}
	}
	dH := 2 * math.Sqrt(c1p*c2p) * math.Sin(rad(dh/2))
	lb, cbp := (p[0]+q[0])/2, (c1p+c2p)/2
	hb := h1 + h2
	if c1p*c2p != 0 {
		switch {
		case math.Abs(h1-h2) <= 180:
			hb = (h1 + h2) / 2
		case h1+h2 < 360:
			hb = (h1 + h2 + 360) / 2
		default:
			hb = (h1 + h2 - 360) / 2
		}
	}
	tt := 1 - 0.17*math.Cos(rad(hb-30)) + 0.24*math.Cos(rad(2*hb)) + 0.32*math.Cos(rad(3*hb+6)) - 0.20*math.Cos(rad(4*hb-63))
	dth := 30 * math.Exp(-math.Pow((hb-275)/25, 2))
	rc := 2 * math.Sqrt(math.Pow(cbp, 7)/(math.Pow(cbp, 7)+math.Pow(25, 7)))
	sl := 1 + 0.015*math.Pow(lb-50, 2)/math.Sqrt(20+math.Pow(lb-50, 2))
	sc, sh := 1+0.045*cbp, 1+0.015*cbp*tt
	rt := -math.Sin(rad(2*dth)) * rc
	return math.Sqrt(math.Pow(dl/sl, 2) + math.Pow(dc/sc, 2) + math.Pow(dH/sh, 2) + rt*(dc/sc)*(dH/sh))
}

// visions simulate colour-vision deficiencies: the matrices of Machado,
// Oliveira and Fernandes (2009) at severity 1, on linear RGB.
var visions = []struct {
	name string
	m    [3][3]float64
}{
	{"normal vision", [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}},
	{"protanopia", [3][3]float64{{0.152286, 1.052583, -0.204868}, {0.114503, 0.786281, 0.099216}, {-0.003882, -0.048116, 1.051998}}},
	{"deuteranopia", [3][3]float64{{0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413}, {-0.011820, 0.042940, 0.968881}}},
	{"tritanopia", [3][3]float64{{1.255528, -0.076749, -0.178779}, {-0.078411, 0.930809, 0.147602}, {0.004733, 0.691367, 0.303900}}},
}

func simulate(c rgb, m [3][3]float64) rgb {
	l := [3]float64{linear(c[0]), linear(c[1]), linear(c[2])}
	var out rgb
	for i := range 3 {
		out[i] = encode(m[i][0]*l[0] + m[i][1]*l[1] + m[i][2]*l[2])
	}
	return out
}

// TestPalette checks the bands' colours of the web page against its map
// background: each band is visible (WCAG contrast at least 3:1), the
// palette is sequential (CIELAB lightness rises band after band), and
// neighbouring bands stay apart for readers with each kind of
// colour-vision deficiency (CIEDE2000 at least 5).
func TestPalette(t *testing.T) {
	t.Parallel()
	bg := paletteColours(t, "MAP_BACKGROUND")
	bands := paletteColours(t, "BAND_COLOURS")
	if len(bg) != 1 || len(bands) < 6 {
		t.Fatalf("palette.js: %d background colours, %d band colours; want 1 and at least 6 (bands up to 120 minutes)", len(bg), len(bands))
	}
	var figures []string
	for i, c := range bands {
		r := contrast(c, bg[0])
		figures = append(figures, fmt.Sprintf("%s %.2f:1 L*%.1f", c, r, c.lab()[0]))
		if r < 3 {
			t.Errorf("band %d (%s): contrast %.2f:1 with the background %s, want at least 3:1", i, c, r, bg[0])
		}
		if i > 0 && c.lab()[0] <= bands[i-1].lab()[0] {
			t.Errorf("band %d (%s) is not lighter than band %d (%s): not sequential", i, c, i-1, bands[i-1])
		}
	}
	t.Logf("bands against %s: %s", bg[0], strings.Join(figures, ", "))
	for _, v := range visions {
		worst := math.Inf(1)
		for i := 1; i < len(bands); i++ {
			d := deltaE2000(simulate(bands[i-1], v.m), simulate(bands[i], v.m))
			worst = min(worst, d)
			if d < 5 {
				t.Errorf("%s: bands %d and %d (%s, %s) differ by ΔE2000 %.1f, want at least 5", v.name, i-1, i, bands[i-1], bands[i], d)
			}
		}
		t.Logf("%s: neighbouring bands differ by ΔE2000 %.1f at least", v.name, worst)
	}
}

// TestPaletteMeasures checks the colour measures on known values.
func TestPaletteMeasures(t *testing.T) {
	t.Parallel()
	black, white := rgb{0, 0, 0}, rgb{255, 255, 255}
	if r := contrast(black, white); math.Abs(r-21) > 0.01 {
		t.Errorf("black on white: %.3f:1, want 21:1", r)
	}
	// #777777 on white is the classic 4.48:1.
	if r := contrast(rgb{0x77, 0x77, 0x77}, white); math.Abs(r-4.48) > 0.01 {
		t.Errorf("#777777 on white: %.3f:1, want 4.48:1", r)
	}
	// Test pairs of Sharma, Wu and Dalal (2005).
	for _, c := range []struct {
		p, q [3]float64
		want float64
	}{
		{[3]float64{50, 2.6772, -79.7751}, [3]float64{50, 0, -82.7485}, 2.0425},
		{[3]float64{50, 2.5, 0}, [3]float64{73, 25, -18}, 27.1492},
		{[3]float64{60.2574, -34.0099, 36.2677}, [3]float64{60.4626, -34.1751, 39.4387}, 1.2644},
	} {
		if d := deltaE2000Lab(c.p, c.q); math.Abs(d-c.want) > 0.0001 {
			t.Errorf("ΔE2000 %v %v = %.4f, want %.4f", c.p, c.q, d, c.want)
		}
	}
	if d := deltaE2000(black, white); math.Abs(d-100) > 0.01 {
		t.Errorf("ΔE2000 black–white: %.3f, want 100", d)
	}
	// Full dichromacy maps red and green to similar colours.
	red, green := rgb{200, 30, 30}, rgb{30, 130, 30}
	if n, d := deltaE2000(red, green), deltaE2000(simulate(red, visions[2].m), simulate(green, visions[2].m)); d > n/2 {
		t.Errorf("deuteranopia: red–green ΔE2000 %.1f, normal %.1f: the simulation does not confuse them", d, n)
	}
}
