package batch

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"reach/engine"
	"reach/ingest"
	"reach/ingest/gtfs"
	"reach/ingest/synth"
	"reach/internal/realdata"
)

var (
	enginesMu sync.Mutex
	engines   = map[string]*engine.Engine{}
)

// synthEngine returns the engine of the synthetic region (always available),
// built once per test binary.
func synthEngine(tb testing.TB) *engine.Engine {
	tb.Helper()
	enginesMu.Lock()
	defer enginesMu.Unlock()
	if e, ok := engines["synth"]; ok {
		return e
	}
	dir := tb.TempDir()
	if _, err := synth.Generate(dir, synth.Options{}); err != nil {
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
	d, err := time.Parse("2006-01-02", m.Date)
	if err != nil {
		tb.Fatal(err)
	}
	g, err := ingest.Build(src, ingest.Options{Date: d})
	if err != nil {
		tb.Fatal(err)
	}
	e, err := engine.New(g)
	if err != nil {
		tb.Fatal(err)
	}
	engines["synth"] = e
	return e
}

// rennesEngine returns Rennes (STAR May 2012, city streets, the school
// directory of Ille-et-Vilaine and the Affelnet offers), built once per test
// binary; it skips without the real data.
func rennesEngine(tb testing.TB) *engine.Engine {
	tb.Helper()
	p := func(rel string) string { return realdata.Path(tb, "rennes", rel) }
	enginesMu.Lock()
	defer enginesMu.Unlock()
	if e, ok := engines["rennes"]; ok {
		return e
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
	engines["rennes"] = e
	return e
}
