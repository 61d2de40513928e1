package main

import (
	"fmt"
	"path/filepath"
	"time"

	"reach/graph"
	"reach/ingest"
	"reach/ingest/gtfs"
)

// dataset is one graph of the report, built from the shared data.
type dataset struct {
	Name    string
	About   string
	Date    string
	Feeds   []string // under the data directory
	OSM     string
	Schools string
	Offers  []string
	// What to measure on it besides the common query benchmarks.
	Windows    bool // latency against the window length
	Precompute bool // per-cell cost of engine.Precompute
	// Origins: random street addresses when the graph has streets, else
	// random stops; OriginsBox restricts them to an area (minLon, minLat,
	// maxLon, maxLat), OriginsFrom takes those another dataset wrote.
	OriginsFrom string
	Scaling     bool // part of the scaling comparison only
}

// allFeeds is every GTFS feed of the shared data (about 2.3 M stop_times).
var allFeeds = []string{
	"rennes/star-gtfs-2012-05.zip", "rennes/star-gtfs-2012-07.zip", "nantes/tan-gtfs-2014.zip",
	"rnv/rnv-gtfs-2016.zip", "ter/sncf-ter-gtfs-2017.zip", "bydgoszcz/bydgoszcz-gtfs-2020.zip",
	"quirks/ajaccio-subfolder-plus-coords.zip", "quirks/hart-single-digit-hours.zip",
	"quirks/extended-route-types.zip", "beatty/sample-feed",
}

// datasets are the report's graphs, in the order of its tables.
var datasets = []dataset{
	{Name: "rennes", About: "STAR bus 2012 + Rennes streets + Ille-et-Vilaine schools and Affelnet offers", Date: "2012-05-22",
		Feeds: []string{"rennes/star-gtfs-2012-05.zip"}, OSM: "rennes/streets.osm.pbf",
		Schools: "rennes/fr-en-annuaire-education-35.csv",
		Offers:  []string{"rennes/affelnet-offre-1re-pro.csv", "rennes/affelnet-offre-2nde.csv"},
		Windows: true, Precompute: true},
	{Name: "nantes", About: "TAN tram + bus 2014 + central Nantes streets (all paths)", Date: "2014-04-08",
		Feeds: []string{"nantes/tan-gtfs-2014.zip"}, OSM: "nantes/centre.osm.pbf"},
	{Name: "rnv", About: "RNV trams + buses 2016 + Rhine-Neckar roads", Date: "2016-11-08",
		Feeds: []string{"rnv/rnv-gtfs-2016.zip"}, OSM: "rnv/rnv.osm.pbf", Windows: true, Precompute: true},
	{Name: "ter", About: "SNCF TER trains and coaches of all of France, 2017 (timetable only)", Date: "2017-11-14",
		Feeds: []string{"ter/sncf-ter-gtfs-2017.zip"}},
	{Name: "bydgoszcz", About: "Bydgoszcz city network 2020, the largest feed (timetable only)", Date: "2020-05-12",
		Feeds: []string{"bydgoszcz/bydgoszcz-gtfs-2020.zip"}, Windows: true},
	{Name: "rnv-gtfs", About: "RNV timetable only (scaling: the same area alone)", Date: "2016-11-08",
		Feeds: []string{"rnv/rnv-gtfs-2016.zip"}, Scaling: true},
	{Name: "all", About: "every feed of the shared data at once (timetables only)", Date: "2016-11-08",
		Feeds: allFeeds, Windows: true},
	{Name: "all@rnv", About: "the all-feeds graph, queried from the rnv-gtfs origins", Date: "2016-11-08",
		Feeds: allFeeds, OriginsFrom: "rnv-gtfs", Scaling: true},
}

func findDataset(name string) (dataset, error) {
	for _, d := range datasets {
		if d.Name == name {
			return d, nil
		}
	}
	return dataset{}, fmt.Errorf("unknown dataset %q", name)
}

// graphName is the graph file a dataset is built into (all@rnv reuses all).
func (d dataset) graphName() string {
	if d.Name == "all@rnv" {
		return "all"
	}
	return d.Name
}

// sources resolves the dataset's files under the data directory.
func (d dataset) sources(dataDir string) (ingest.Sources, error) {
	var src ingest.Sources
	p := func(rel string) string { return filepath.Join(dataDir, filepath.FromSlash(rel)) }
	for _, f := range d.Feeds {
		fs, err := gtfs.ParseFeedArg(p(f), false)
		if err != nil {
			return src, err
		}
		src.GTFS = append(src.GTFS, fs)
	}
	if d.OSM != "" {
		src.OSM = []string{p(d.OSM)}
	}
	if d.Schools != "" {
		src.Schools = []string{p(d.Schools)}
	}
	for _, o := range d.Offers {
		src.Offers = append(src.Offers, p(o))
	}
	return src, nil
}

// build builds the dataset's graph.
func (d dataset) build(dataDir string) (*graph.Graph, error) {
	src, err := d.sources(dataDir)
	if err != nil {
		return nil, err
	}
	date, err := time.Parse("2006-01-02", d.Date)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", d.Name, err)
	}
	g, err := ingest.Build(src, ingest.Options{Date: date})
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", d.Name, err)
	}
	return g, nil
}
