package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"reach/engine"
)

// benchRoute measures one route through the whole handler (parameters,
// limit, JSON) against a direct engine call in BenchmarkEngineAnswer.
func benchRoute(b *testing.B, r *region, url string) {
	s, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	s.Install(r.eng, r.name)
	h := s.Handler()
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
		if rec.Code != 200 {
			b.Fatalf("%s: %d %s", url, rec.Code, rec.Body)
		}
	}
}

func BenchmarkReachableSynth(b *testing.B) {
	r := synthRegion(b)
	benchRoute(b, r, fmt.Sprintf("/v1/reachable?lat=%v&lon=%v", r.lat, r.lon))
}

func BenchmarkReachableRennes(b *testing.B) {
	r := rennesRegion(b)
	benchRoute(b, r, fmt.Sprintf("/v1/reachable?lat=%v&lon=%v", r.lat, r.lon))
}

func BenchmarkIsochroneRennes(b *testing.B) {
	r := rennesRegion(b)
	benchRoute(b, r, fmt.Sprintf("/v1/isochrone?lat=%v&lon=%v", r.lat, r.lon))
}

func BenchmarkStreetsRennes(b *testing.B) {
	benchRoute(b, rennesRegion(b), "/v1/streets")
}

// BenchmarkEngineAnswer is the engine's share of /v1/reachable.
func BenchmarkEngineAnswer(b *testing.B) {
	r := rennesRegion(b)
	for b.Loop() {
		if _, err := r.eng.Answer(context.Background(), engine.Request{Params: engine.DefaultParams(r.lat, r.lon)}); err != nil {
			b.Fatal(err)
		}
	}
}
