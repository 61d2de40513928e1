package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"reach/engine"
	"reach/graph"
	"reach/ingest"
	"reach/ingest/gtfs"
	"reach/ingest/synth"
	"reach/internal/realdata"
)

// region is a test graph with places to ask about.
type region struct {
	name      string
	eng       *engine.Engine
	lat, lon  float64 // an origin with reachable schools
	uai       string  // a school with offers
	otherDate string  // a well-formed date the graph does not hold
}

// buildSynth builds the synthetic region of a seed into a new graph.
func buildSynth(tb testing.TB, seed int64) *graph.Graph {
	tb.Helper()
	return buildSynthWith(tb, seed, nil)
}

// buildSynthWith builds the synthetic region of a seed from its sources
// as edit changes them (nil: all of them).
func buildSynthWith(tb testing.TB, seed int64, edit func(*ingest.Sources)) *graph.Graph {
	tb.Helper()
	dir := tb.TempDir()
	if _, err := synth.Generate(dir, synth.Options{Seed: seed}); err != nil {
		tb.Fatal(err)
	}
	m, err := ingest.ReadManifest(filepath.Join(dir, synth.ManifestFile))
	if err != nil {
		tb.Fatal(err)
	}
	src, err := m.Sources()
	if err != nil {
		tb.Fatal(err)
	}
	if edit != nil {
		edit(&src)
	}
	d, err := time.Parse("2006-01-02", m.Date)
	if err != nil {
		tb.Fatal(err)
	}
	g, err := ingest.Build(src, ingest.Options{Date: d})
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// writeSynth writes the synthetic graph of a seed to path and returns its
// build id.
func writeSynth(tb testing.TB, path string, seed int64) string {
	tb.Helper()
	g := buildSynth(tb, seed)
	if err := graph.Write(path, g); err != nil {
		tb.Fatal(err)
	}
	return g.Meta.BuildID
}

var (
	regionsMu sync.Mutex
	regions   = map[string]*region{}
)

// synthRegion returns the synthetic region, built once per test binary.
func synthRegion(tb testing.TB) *region {
	tb.Helper()
	regionsMu.Lock()
	defer regionsMu.Unlock()
	if r, ok := regions["synth"]; ok {
		return r
	}
	g := buildSynth(tb, 0)
	e, err := engine.New(g)
	if err != nil {
		tb.Fatal(err)
	}
	r := &region{name: "synth", eng: e, lat: synth.CentreLat, lon: synth.CentreLon, uai: "0189001L", otherDate: "2026-03-11"}
	regions["synth"] = r
	return r
}

// rennesRegion returns Rennes (STAR May 2012, city streets, schools of
// Ille-et-Vilaine), built once per test binary; it skips without the data.
func rennesRegion(tb testing.TB) *region {
	tb.Helper()
	p := func(rel string) string { return realdata.Path(tb, "rennes", rel) }
	regionsMu.Lock()
	defer regionsMu.Unlock()
	if r, ok := regions["rennes"]; ok {
		return r
	}
	feed, err := gtfs.ParseFeedArg("star="+p("star-gtfs-2012-05.zip"), false)
	if err != nil {
		tb.Fatal(err)
	}
	src := ingest.Sources{
		GTFS: []gtfs.FeedSource{feed}, OSM: []string{p("streets.osm.pbf")}, Schools: []string{p("fr-en-annuaire-education-35.csv")},
		Offers: []string{p("affelnet-offre-1re-pro.csv"), p("affelnet-offre-2nde.csv")},
	}
	g, err := ingest.Build(src, ingest.Options{Date: time.Date(2012, 5, 22, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		tb.Fatal(err)
	}
	e, err := engine.New(g)
	if err != nil {
		tb.Fatal(err)
	}
	// Place de la République; Lycée Charles Tillon offers vocational trainings.
	r := &region{name: "rennes", eng: e, lat: 48.1106, lon: -1.6799, uai: "0351054F", otherDate: "2012-07-10"}
	if _, ok := g.Places.SchoolByUAI(r.uai); !ok {
		tb.Fatalf("Rennes graph lacks school %s", r.uai)
	}
	regions["rennes"] = r
	return r
}

// newTestServer serves e (when not nil) behind an httptest server.
func newTestServer(tb testing.TB, cfg Config, e *engine.Engine) (*Server, *httptest.Server) {
	tb.Helper()
	s, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	if e != nil {
		s.Install(e, "test.graph")
	}
	ts := httptest.NewServer(s.Handler())
	tb.Cleanup(ts.Close)
	return s, ts
}

// reply is an HTTP answer read whole.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func do(tb testing.TB, method, url string, header map[string]string) reply {
	tb.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultTransport.RoundTrip(req) // no transparent decompression
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return reply{res.StatusCode, res.Header, body}
}

func get(tb testing.TB, url string) reply {
	tb.Helper()
	return do(tb, http.MethodGet, url, nil)
}

// decode unmarshals a JSON answer, failing the test on a bad body.
func (r reply) decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		tb.Fatalf("bad JSON (%v): %.300s", err, r.body)
	}
}

// problem decodes a problem answer and checks its form.
func (r reply) problem(tb testing.TB) Problem {
	tb.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		tb.Fatalf("status %d with Content-Type %q, want application/problem+json: %.300s", r.status, ct, r.body)
	}
	var p Problem
	r.decode(tb, &p)
	if p.Status != r.status || p.Type == "" || p.Title == "" || !strings.HasPrefix(p.Instance, "/") {
		tb.Fatalf("malformed problem for status %d: %+v", r.status, p)
	}
	return p
}
