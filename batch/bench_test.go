package batch

import (
	"io"
	"testing"

	"reach/engine"
)

// BenchmarkRun measures a batch over the synthetic region's H3 cells on all
// cores, per origin.
func BenchmarkRun(b *testing.B) {
	e := synthEngine(b)
	origins, err := CellOrigins(e.Graph(), 9, nil)
	if err != nil {
		b.Fatal(err)
	}
	opt := Options{Params: engine.DefaultParams(0, 0)}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Run(b.Context(), e, origins, opt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(origins))/1e6, "ms/origin")
}

// BenchmarkRenderMap measures drawing the synthetic region's map as PNG.
func BenchmarkRenderMap(b *testing.B) {
	e := synthEngine(b)
	g := e.Graph()
	origins, err := CellOrigins(g, 9, nil)
	if err != nil {
		b.Fatal(err)
	}
	res, err := Run(b.Context(), e, origins, Options{Params: engine.DefaultParams(0, 0)})
	if err != nil {
		b.Fatal(err)
	}
	opt := MapOptions{Title: "Sancerval", Streets: &g.Streets, Places: &g.Places}
	b.ResetTimer()
	for b.Loop() {
		if err := RenderMap(io.Discard, "png", res, opt); err != nil {
			b.Fatal(err)
		}
	}
}
