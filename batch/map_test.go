package batch

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/color"
	"image/png"
	"io"
	"math"
	"strings"
	"testing"

	"reach/engine"
)

// TestMapColours renders the synthetic region's map and reads back, at the
// centre of every cell, the colour of its class: the picture says what the
// figures say.
func TestMapColours(t *testing.T) {
	e := synthEngine(t)
	g := e.Graph()
	box := BBox{1.96, 46.98, 2.04, 47.02}
	origins, err := CellOrigins(g, 9, &box)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(t.Context(), e, origins, Options{Params: engine.DefaultParams(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	opt := MapOptions{Minutes: 30, Width: 700, Title: "Sancerval", Subtitle: "test", Credits: strings.Repeat("credits ", 30)}
	f, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	_, pr, err := buildMap(res, opt, f)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := RenderMap(&b, "png", res, opt); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 700 {
		t.Errorf("width %d, want 700", img.Bounds().Dx())
	}
	values, err := res.OffersWithin(30)
	if err != nil {
		t.Fatal(err)
	}
	var maxV int32
	seen := map[int]bool{}
	for _, v := range values {
		maxV = max(maxV, v)
	}
	cls := newClasses(maxV)
	for o, org := range origins {
		c := pr.at(org.Lat, org.Lon)
		got := color.NRGBAModel.Convert(img.At(int(c.x), int(c.y))).(color.NRGBA)
		want := cls.color(values[o])
		if res.Coverage[o] == CoverageOutside {
			want = outsideColor
		}
		if got != want {
			t.Fatalf("cell %s (%d offers): pixel %v at %v, want %v", org.ID, values[o], got, c, want)
		}
		k := -1
		if values[o] > 0 {
			k = int((values[o] - 1) / cls.step)
		}
		seen[k] = true
	}
	if len(seen) < 3 {
		t.Errorf("the map shows %d colour classes, want at least 3 (none and two others)", len(seen))
	}

	b.Reset()
	if err := RenderMap(&b, "svg", res, opt); err != nil {
		t.Fatal(err)
	}
	paths, texts := 0, 0
	d := xml.NewDecoder(&b)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG: %v", err)
		}
		if el, ok := tok.(xml.StartElement); ok {
			switch el.Name.Local {
			case "path":
				paths++
			case "text":
				texts++
			}
		}
	}
	if paths < len(origins) || texts < 5 {
		t.Errorf("SVG has %d paths and %d texts, want at least %d paths (one per cell) and 5 texts", paths, texts, len(origins))
	}

	if err := RenderMap(io.Discard, "gif", res, opt); err == nil {
		t.Error("format gif: no error")
	}
	opt.Minutes = 50
	if err := RenderMap(io.Discard, "png", res, opt); err == nil {
		t.Error("50 minutes, not a cut-off: no error")
	}
	if err := RenderMap(io.Discard, "png", &Result{Origins: []Origin{origins[0], {ID: "p", Lat: 47, Lon: 2}}, Cutoffs: res.Cutoffs,
		Offers: make([]int32, 2*len(res.Cutoffs)), Coverage: make([]Coverage, 2)}, MapOptions{}); err == nil {
		t.Error("a map of cells and points: no error")
	}
}

// TestMapOfPoints draws the collèges of the synthetic region as discs and
// reads back, at the centre of each, the colour of its figure (blank when
// it has no data around it); the caption says how many stops and schools
// are linked by straight lines.
func TestMapOfPoints(t *testing.T) {
	e := synthEngine(t)
	g := e.Graph()
	origins, err := SchoolOrigins(g, "all")
	if err != nil {
		t.Fatal(err)
	}
	// And a point without data: 3 km south of the streets.
	minLat, _, _, _, _ := g.Streets.Bounds()
	origins = append(origins, Origin{ID: "far", Lat: minLat - 0.03, Lon: 2})
	res, err := Run(t.Context(), e, origins, Options{Params: engine.DefaultParams(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Coverage[len(origins)-1] != CoverageOutside {
		t.Fatalf("the point 3 km south of the streets is %s", res.Coverage[len(origins)-1])
	}
	opt := MapOptions{Minutes: 45, Width: 800, Streets: &g.Streets, Places: &g.Places}
	f, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	sc, pr, err := buildMap(res, opt, f)
	if err != nil {
		t.Fatal(err)
	}
	caption := ""
	for _, it := range sc.items {
		caption += it.text + "\n"
	}
	sl := graphInfo(&g.Meta).StraightLines
	for _, want := range []string{
		fmt.Sprintf("%d of %d stops, %d of %d schools", sl.Stops, sl.StopsTotal, sl.Schools, sl.SchoolsTotal),
		"1 without data", "school with trainings", "no data:",
	} {
		if !strings.Contains(caption, want) {
			t.Errorf("the map does not say %q:\n%s", want, caption)
		}
	}
	var b bytes.Buffer
	if err := RenderMap(&b, "png", res, opt); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	values, _ := res.OffersWithin(45)
	var maxV int32
	for _, v := range values {
		maxV = max(maxV, v)
	}
	cls := newClasses(maxV)
	kinds := map[color.NRGBA]bool{}
	for o, org := range origins {
		c := pr.at(org.Lat, org.Lon)
		if c.x < 16 || c.x > 784 || c.y < 70 {
			t.Fatalf("origin %s at %v: outside the map frame", org.ID, c)
		}
		covered := false // a later disc over this one's centre
		for _, later := range origins[o+1:] {
			q := pr.at(later.Lat, later.Lon)
			covered = covered || math.Hypot(q.x-c.x, q.y-c.y) < pointRadius(800)+1
		}
		if covered {
			continue
		}
		want := cls.color(values[o])
		if res.Coverage[o] == CoverageOutside {
			want = outsideColor
		}
		got := color.NRGBAModel.Convert(img.At(int(math.Round(c.x)), int(math.Round(c.y)))).(color.NRGBA)
		if got != want {
			t.Errorf("origin %s (%d offers, %s): pixel %v, want %v", org.ID, values[o], res.Coverage[o], got, want)
		}
		kinds[want] = true
	}
	if len(kinds) < 3 {
		t.Errorf("%d colours among the points, want at least 3", len(kinds))
	}
}

func TestClasses(t *testing.T) {
	for _, c := range []struct {
		max, step int32
		n         int
	}{{0, 1, 1}, {1, 1, 1}, {7, 1, 7}, {10, 1, 10}, {11, 2, 6}, {95, 10, 10}, {101, 20, 6}, {980, 100, 10}} {
		cl := newClasses(c.max)
		if cl.step != c.step || cl.n != c.n {
			t.Errorf("max %d: step %d, %d classes; want %d, %d", c.max, cl.step, cl.n, c.step, c.n)
		}
		if c.max > 0 && (cl.color(c.max) != cl.color(int32(cl.n)*cl.step) || cl.color(1) != ramp[0] && cl.n > 1) {
			t.Errorf("max %d: ends of the scale are not the ramp's", c.max)
		}
	}
	cl := newClasses(95) // classes 1–10, 11–20, …, 91–100
	if cl.color(0) != noneColor || cl.color(1) == noneColor {
		t.Error("0 is not grey, or 1 is")
	}
	if cl.color(1) != cl.color(10) || cl.color(10) == cl.color(11) || cl.color(91) != cl.color(95) || cl.color(90) == cl.color(91) {
		t.Error("classes do not run 1–10, 11–20, …")
	}
	if cl.color(95) != ramp[len(ramp)-1] || cl.color(1) != ramp[0] {
		t.Error("the classes do not span the ramp")
	}
}

func TestClipLine(t *testing.T) {
	r := [4]float64{0, 0, 10, 10}
	for _, c := range []struct {
		in   []pt
		want [][]pt
	}{
		{[]pt{{1, 1}, {5, 5}, {9, 1}}, [][]pt{{{1, 1}, {5, 5}, {9, 1}}}},
		{[]pt{{-5, 5}, {5, 5}, {15, 5}}, [][]pt{{{0, 5}, {5, 5}, {10, 5}}}},
		{[]pt{{5, 5}, {5, 15}, {6, 15}, {6, 5}}, [][]pt{{{5, 5}, {5, 10}}, {{6, 10}, {6, 5}}}},
		{[]pt{{-1, -1}, {-5, 20}}, nil},
	} {
		got := clipLine(c.in, r)
		if len(got) != len(c.want) {
			t.Errorf("%v: %v, want %v", c.in, got, c.want)
			continue
		}
		for i := range got {
			if len(got[i]) != len(c.want[i]) {
				t.Errorf("%v: %v, want %v", c.in, got, c.want)
				break
			}
			for j := range got[i] {
				if math.Abs(got[i][j].x-c.want[i][j].x) > 1e-9 || math.Abs(got[i][j].y-c.want[i][j].y) > 1e-9 {
					t.Errorf("%v: %v, want %v", c.in, got, c.want)
				}
			}
		}
	}
}

func TestSimplify(t *testing.T) {
	line := []pt{{0, 0}, {1, 0.1}, {2, -0.1}, {3, 0}, {3, 5}}
	got := simplify(line, 0.4)
	want := []pt{{0, 0}, {3, 0}, {3, 5}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if s := simplify([]pt{{0, 0}, {0.1, 0.1}, {0.2, 0}}, 0.4); s != nil {
		t.Errorf("sub-pixel line kept: %v", s)
	}
}
