// Package testregion builds the graphs that tests and benchmarks run on,
// once per test binary: the synthetic region of ingest/synth, always
// available, and the real regions of ../shared/data (the test skips, saying
// why, when that directory is absent). Graphs are shared: callers must not
// modify them.
package testregion

import (
	"math/rand"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"reach/graph"
	"reach/ingest"
	"reach/ingest/gtfs"
	"reach/ingest/synth"
	"reach/internal/realdata"
)

var (
	mu    sync.Mutex
	built = map[string]*graph.Graph{}
)

// cached returns the graph built under key, building it once.
func cached(tb testing.TB, key string, build func() (*graph.Graph, error)) *graph.Graph {
	tb.Helper()
	mu.Lock()
	defer mu.Unlock()
	if g, ok := built[key]; ok {
		return g
	}
	g, err := build()
	if err != nil {
		tb.Fatalf("building the %s test region: %v", key, err)
	}
	built[key] = g
	return g
}

// Synth returns the synthetic region of the default seed (town of
// Sancerval, see ingest/synth).
func Synth(tb testing.TB) *graph.Graph {
	tb.Helper()
	return cached(tb, "synth", func() (*graph.Graph, error) { return BuildSynth(tb, 0) })
}

// BuildSynth generates the synthetic region of a seed in a temporary
// directory and builds a new graph of it (not cached).
func BuildSynth(tb testing.TB, seed int64) (*graph.Graph, error) {
	tb.Helper()
	return buildSynth(tb, seed, true)
}

// buildSynth is BuildSynth, with or without the region's offer lists.
func buildSynth(tb testing.TB, seed int64, offers bool) (*graph.Graph, error) {
	dir := tb.TempDir()
	if _, err := synth.Generate(dir, synth.Options{Seed: seed}); err != nil {
		return nil, err
	}
	m, err := ingest.ReadManifest(filepath.Join(dir, synth.ManifestFile))
	if err != nil {
		return nil, err
	}
	src, err := m.Sources()
	if err != nil {
		return nil, err
	}
	if !offers {
		src.Offers = nil
	}
	d, err := time.Parse("2006-01-02", m.Date)
	if err != nil {
		return nil, err
	}
	return ingest.Build(src, ingest.Options{Date: d})
}

// Rennes returns Rennes: STAR May 2012, the city's streets, the school
// directory of Ille-et-Vilaine and both Affelnet offer lists, for
// 2012-05-22. It skips without the real data.
func Rennes(tb testing.TB) *graph.Graph {
	tb.Helper()
	p := func(rel string) string { return realdata.Path(tb, "rennes", rel) }
	star, osm, dir := p("star-gtfs-2012-05.zip"), p("streets.osm.pbf"), p("fr-en-annuaire-education-35.csv")
	offers := []string{p("affelnet-offre-1re-pro.csv"), p("affelnet-offre-2nde.csv")}
	return cached(tb, "rennes", func() (*graph.Graph, error) {
		feed, err := gtfs.ParseFeedArg("star="+star, false)
		if err != nil {
			return nil, err
		}
		src := ingest.Sources{GTFS: []gtfs.FeedSource{feed}, OSM: []string{osm}, Schools: []string{dir}, Offers: offers}
		return ingest.Build(src, ingest.Options{Date: time.Date(2012, 5, 22, 0, 0, 0, 0, time.UTC)})
	})
}

// RNV returns RNV (Mannheim, Heidelberg): timetable and roads, no schools,
// for 2016-11-08. It skips without the real data.
func RNV(tb testing.TB) *graph.Graph {
	tb.Helper()
	feedPath, osm := realdata.Path(tb, "rnv", "rnv-gtfs-2016.zip"), realdata.Path(tb, "rnv", "rnv.osm.pbf")
	return cached(tb, "rnv", func() (*graph.Graph, error) {
		feed, err := gtfs.ParseFeedArg(feedPath, false)
		if err != nil {
			return nil, err
		}
		src := ingest.Sources{GTFS: []gtfs.FeedSource{feed}, OSM: []string{osm}}
		return ingest.Build(src, ingest.Options{Date: time.Date(2016, 11, 8, 0, 0, 0, 0, time.UTC)})
	})
}

// Nantes returns central Nantes: TAN 2014 and the full OpenStreetMap data
// of the city centre (footways, buildings, about 7,900 house numbers), no
// schools, for 2014-04-08. It skips without the real data.
func Nantes(tb testing.TB) *graph.Graph {
	tb.Helper()
	feedPath, osm := realdata.Path(tb, "nantes", "tan-gtfs-2014.zip"), realdata.Path(tb, "nantes", "centre.osm.pbf")
	return cached(tb, "nantes", func() (*graph.Graph, error) {
		feed, err := gtfs.ParseFeedArg("tan="+feedPath, false)
		if err != nil {
			return nil, err
		}
		src := ingest.Sources{GTFS: []gtfs.FeedSource{feed}, OSM: []string{osm}}
		return ingest.Build(src, ingest.Options{Date: time.Date(2014, 4, 8, 0, 0, 0, 0, time.UTC)})
	})
}

// Addresses returns n points on the streets of g, as addresses are: street
// nodes moved a few metres, drawn from seed.
func Addresses(g *graph.Graph, n int, seed int64) [][2]float64 {
	rng := rand.New(rand.NewSource(seed))
	out := make([][2]float64, n)
	for i := range out {
		v := rng.Intn(g.Streets.NumNodes())
		out[i] = [2]float64{g.Streets.NodeLat[v] + (rng.Float64()-0.5)*2e-4, g.Streets.NodeLon[v] + (rng.Float64()-0.5)*2e-4}
	}
	return out
}

// SynthWithoutOffers returns the synthetic region built from its places
// alone, without training offers: a graph of plain locations, as a foreign
// city's would be.
func SynthWithoutOffers(tb testing.TB) *graph.Graph {
	tb.Helper()
	return cached(tb, "synth-locations", func() (*graph.Graph, error) { return buildSynth(tb, 0, false) })
}
