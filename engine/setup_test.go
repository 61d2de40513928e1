package engine

import (
	"math/rand"
	"sync"
	"testing"
	"time"

	"reach/graph"
	"reach/ingest"
	"reach/ingest/gtfs"
	"reach/internal/realdata"
)

// region is a real dataset built once per test binary.
type region struct {
	name    string
	date    string
	feed    string
	osm     string
	schools string
	offers  []string
	res     int // H3 resolution, 0 = default
}

var regions = map[string]region{
	"rennes": {name: "rennes", date: "2012-05-22", feed: "rennes/star-gtfs-2012-05.zip", osm: "rennes/streets.osm.pbf",
		schools: "rennes/fr-en-annuaire-education-35.csv",
		offers:  []string{"rennes/affelnet-offre-1re-pro.csv", "rennes/affelnet-offre-2nde.csv"}},
	"rnv": {name: "rnv", date: "2016-11-08", feed: "rnv/rnv-gtfs-2016.zip", osm: "rnv/rnv.osm.pbf"},
}

var (
	builtMu sync.Mutex
	built   = map[string]*Engine{}
)

// loadRegion builds (once) and returns the engine of a real region.
func loadRegion(tb testing.TB, name string) *Engine {
	tb.Helper()
	r := regions[name]
	p := func(rel string) string { return realdata.Path(tb, rel) }
	builtMu.Lock()
	defer builtMu.Unlock()
	if e, ok := built[name]; ok {
		return e
	}
	fs, err := gtfs.ParseFeedArg(p(r.feed), false)
	if err != nil {
		tb.Fatal(err)
	}
	src := ingest.Sources{GTFS: []gtfs.FeedSource{fs}, OSM: []string{p(r.osm)}}
	if r.schools != "" {
		src.Schools = []string{p(r.schools)}
		for _, o := range r.offers {
			src.Offers = append(src.Offers, p(o))
		}
	}
	d, _ := time.Parse("2006-01-02", r.date)
	g, err := ingest.Build(src, ingest.Options{Date: d, H3Resolution: r.res})
	if err != nil {
		tb.Fatal(err)
	}
	e, err := New(g)
	if err != nil {
		tb.Fatal(err)
	}
	built[name] = e
	return e
}

// randomAddresses returns n points on the streets of the graph: street
// nodes moved a few metres, so that they are linked like addresses.
func randomAddresses(g *graph.Graph, n int, seed int64) [][2]float64 {
	rng := rand.New(rand.NewSource(seed))
	out := make([][2]float64, n)
	for i := range out {
		v := rng.Intn(g.Streets.NumNodes())
		out[i] = [2]float64{g.Streets.NodeLat[v] + (rng.Float64()-0.5)*2e-4, g.Streets.NodeLon[v] + (rng.Float64()-0.5)*2e-4}
	}
	return out
}
