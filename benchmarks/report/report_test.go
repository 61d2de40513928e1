package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"
)

func TestQuantileAndMedian(t *testing.T) {
	s := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for q, want := range map[float64]float64{0.5: 5, 0.95: 10, 0.99: 10, 0.1: 1, 0: 1, 0.11: 2} {
		if got := quantile(s, q); got != want {
			t.Errorf("quantile %v = %v, want %v", q, got, want)
		}
	}
	if !math.IsNaN(quantile(nil, 0.5)) || !math.IsNaN(median(nil)) {
		t.Error("empty sample: want NaN")
	}
	v := []float64{3, 1, 2, 10}
	if m := median(v); m != 2.5 {
		t.Errorf("median %v, want 2.5", m)
	}
	if v[0] != 3 {
		t.Error("median sorted its argument")
	}
	if m := median([]float64{5, 1, 9}); m != 5 {
		t.Errorf("median %v, want 5", m)
	}
}

func TestFigure(t *testing.T) {
	f := newFigure([]float64{9, 10, 12})
	if f.Median != 10 || math.Abs(f.Spread-0.3) > 1e-12 || f.Runs != 3 {
		t.Errorf("figure %+v, want median 10, spread 0.3, 3 runs", f)
	}
	if g := newFigure([]float64{7}); g.Spread != 0 || g.Median != 7 {
		t.Errorf("single run %+v", g)
	}
	old := figure{Median: 10, Spread: 0.2, Runs: 3} // 10 ± 1
	for _, c := range []struct {
		f    figure
		want bool
	}{
		{figure{Median: 11.9, Spread: 0.2, Runs: 3}, true},  // 11.9 ± 1.19 meets 10 ± 1
		{figure{Median: 12.5, Spread: 0.2, Runs: 3}, false}, // 12.5 ± 1.25 misses 11
		{figure{Median: 10, Spread: 0, Runs: 3}, true},      // same median
		{figure{Median: 8.9, Spread: 0.05, Runs: 3}, true},  // 8.9 ± 0.22 meets 9
		{figure{Median: 8.5, Spread: 0.05, Runs: 3}, false}, // 8.5 ± 0.21 misses 9
	} {
		if got := c.f.within(old); got != c.want {
			t.Errorf("%+v within %+v: %v, want %v", c.f, old, got, c.want)
		}
	}
	// Without spread, figures must agree to the printed precision (0.5 %).
	exact := figure{Median: 3.09, Runs: 3}
	if !exact.within(exact) || !(figure{Median: 3.1, Runs: 3}).within(exact) || (figure{Median: 3.2, Runs: 3}).within(exact) {
		t.Error("figures without spread: want agreement to 0.5 %")
	}
}

func TestFormatting(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 2285127: "2,285,127", -1234: "-1,234"} {
		if got := thousands(in); got != want {
			t.Errorf("thousands(%d) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[float64]string{1234.4: "1,234", 12.34: "12.3", 1.234: "1.23", 0.01234: "0.012", 0: "0"} {
		if got := num(in); got != want {
			t.Errorf("num(%v) = %q, want %q", in, got, want)
		}
	}
	if got := fig(figure{Median: 10, Spread: 0.2, Runs: 3}); got != "10.0 ±10%" {
		t.Errorf("fig = %q", got)
	}
	for in, want := range map[float64]string{100: "4.2 days", 3.25: "3.2 h", 0.5: "30 min", 0.01: "36 s"} {
		if got := hours(in); got != want {
			t.Errorf("hours(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestAxis(t *testing.T) {
	for span, want := range map[float64]float64{10: 2, 1: 0.2, 7: 2, 100: 20, 0.3: 0.05, 6: 1} {
		if got := niceStep(span, 6); math.Abs(got-want) > 1e-12 {
			t.Errorf("niceStep(%v) = %v, want %v", span, got, want)
		}
	}
	a := newAxis([]float64{3, 47}, false, 0, 100)
	if a.lo != 0 || a.hi != 50 || a.pos(25) != 50 {
		t.Errorf("linear axis %+v, pos(25) = %v", a, a.pos(25))
	}
	l := newAxis([]float64{2e4, 7e5}, true, 0, 100)
	ticks := l.ticks()
	if len(ticks) == 0 || ticks[0] < 1e4 || ticks[len(ticks)-1] > 1e6 {
		t.Errorf("log ticks %v for 2e4..7e5", ticks)
	}
	if p := l.pos(1e5); !(p > 0 && p < 100) {
		t.Errorf("log pos(1e5) = %v", p)
	}
}

// TestChartSVG checks the plot is well-formed XML with one marker per point.
func TestChartSVG(t *testing.T) {
	c := chart{Title: "A & B", XLabel: "x", YLabel: "y", LogX: true, Series: []series{
		{Name: "one", Points: [][2]float64{{1e3, 2}, {1e4, 3}, {1e5, 5}}, Labels: []string{"a", "", "c"}, Line: true},
		{Name: "two", Points: [][2]float64{{2e3, 1}, {0, 4}}}, // 0 cannot be drawn on a log axis
	}}
	d := xml.NewDecoder(bytes.NewReader(c.svg()))
	circles := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "circle" {
			circles++
		}
	}
	if want := 4 + 2; circles != want { // points drawn + legend markers
		t.Errorf("%d circles, want %d", circles, want)
	}
}

// fakeResults is a small set of figures with the datasets the scaling
// section needs.
func fakeResults(scale float64) *results {
	fg := func(v float64) figure { return figure{Median: v * scale, Spread: 0.1, Runs: 3} }
	q := func(reach, rng float64) *queryStats {
		return &queryStats{HeapMB: fg(10), LoadSeconds: fg(0.1), RSSLoadedMB: fg(30), MaxRSSMB: fg(40), Types: []typeStats{
			{Name: "raptor", P50: fg(1)}, {Name: "range-90", P50: fg(rng), Scanned: fg(1e5), NsPerScan: fg(20)},
			{Name: "reach-90", P50: fg(reach), Throughput: fg(300)},
		}}
	}
	b := func(st int, km float64, file int64, schools int) *buildStats {
		return &buildStats{Seconds: fg(1), PeakHeapMB: fg(50), MaxRSSMB: fg(60), FileMB: figure{Median: float64(file) / 1e6, Runs: 3}, Facts: buildRun{StopTimesRead: 2 * st,
			StopTimes: st, Stops: 1000, StreetKm: km, FileBytes: file, Schools: schools, FeedReads: []int{st, st}}}
	}
	r := &results{Config: config{BuildRuns: 3, QueryRuns: 3, Queries: 100}, Started: "now"}
	rennes := datasetResult{Name: "rennes", Build: b(100000, 500, 1e6, 1000), Query: q(10, 4)}
	rennes.Query.Precompute = &precompFig{CellMS: fg(9), Cells: 100, IndexCells: 10000, Resolution: 11}
	r.Datasets = []datasetResult{
		rennes,
		{Name: "rnv", Build: b(150000, 4000, 5e6, 0), Query: q(3, 3)},
		{Name: "rnv-gtfs", Scaling: true, Build: b(150000, 0, 1e6, 0), Query: q(2, 2)},
		{Name: "all", Build: b(700000, 0, 3e6, 0), Query: q(5, 5)},
		{Name: "all@rnv", Scaling: true, Query: q(2.2, 2.2)},
	}
	return r
}

func TestMarkdown(t *testing.T) {
	r := fakeResults(1)
	var b bytes.Buffer
	r.writeMarkdown(&b, nil)
	md := b.String()
	for _, want := range []string{"## Machine", "## Datasets and builds", "## Query latency", "## Scaling toward national scale",
		"### Extrapolation to France", "No previous run", "plots/latency-vs-size.svg", "| rennes | reach-90 | 10.0 ±5% |"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// Scaling figures follow from the fake measurements: rennes has 10,000
	// index cells for 500 km of streets, 20 per km.
	if !strings.Contains(md, "20 cells per street km") {
		t.Error("cells per street km not derived from the measurements")
	}

	// A run within the noise of the previous one is reproduced; one 50 %
	// slower is not.
	b.Reset()
	fakeResults(1.02).writeMarkdown(&b, r)
	if s := b.String(); !strings.Contains(s, "figures are reproduced") || strings.Contains(s, "**no**") {
		t.Errorf("2%% change not reproduced within 10%% noise:\n%s", s[strings.Index(s, "## Reproduction"):])
	}
	b.Reset()
	fakeResults(1.5).writeMarkdown(&b, r)
	s := b.String()
	if !strings.Contains(s, "**no**") {
		t.Error("50% change reproduced")
	}
	if !strings.Contains(s, "graph file MB | 1.00 ±0% | 1.00 ±0% | +0% | yes") {
		t.Error("equal file sizes not reproduced")
	}
}
