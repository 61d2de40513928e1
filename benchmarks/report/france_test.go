package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestParseCopies(t *testing.T) {
	for in, want := range map[string][]int{
		"1,5,10,20,40": {1, 5, 10, 20, 40},
		"40, 5,5":      {1, 5, 40}, // sorted, deduplicated, copy 0 added
		"1":            {1},
		"":             nil,
		"none":         nil,
	} {
		got, err := parseCopies(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("parseCopies(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"0", "x", "5,,10", "-3"} {
		if _, err := parseCopies(bad); err == nil {
			t.Errorf("parseCopies(%q): no error", bad)
		}
	}
}

func TestTrimManifest(t *testing.T) {
	in := `{"name": "Synthetic France: 40 copies of star", "date": "2012-05-22",
	  "gtfs": [{"name": "star", "path": "/data/rennes/star.zip"}, {"name": "ter", "path": "/data/ter.zip"},
	    {"name": "c01-star", "path": "copy-01/star.zip"}, {"name": "c02-star", "path": "copy-02/star.zip"},
	    {"name": "c10-star", "path": "copy-10/star.zip"}],
	  "osm": ["/data/rennes/streets.osm.pbf", "copy-01/star.osm.pbf", "copy-02/star.osm.pbf"],
	  "schools": ["/data/annuaire.csv", "copy-02/annuaire.csv"],
	  "offers": ["/data/offers.csv", "copy-01/offers.csv", "copy-02/offers.csv"],
	  "transfers": "both"}`
	out, err := trimManifest([]byte(in), 2)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Name      string
		GTFS      []struct{ Name, Path string }
		OSM       []string
		Schools   []string
		Offers    []string
		Transfers string
	}
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	var feeds []string
	for _, f := range m.GTFS {
		feeds = append(feeds, f.Name)
	}
	if !slices.Equal(feeds, []string{"star", "ter", "c01-star"}) || len(m.OSM) != 2 || len(m.Schools) != 1 ||
		len(m.Offers) != 2 || m.Transfers != "both" || m.Name != "Synthetic France: 2 copies of star" {
		t.Errorf("trimmed manifest:\n%s", out)
	}
	if _, err := trimManifest([]byte("not json"), 2); err == nil {
		t.Error("bad manifest: no error")
	}
}

// fakeFrance is a France part whose national graph misses the load and
// CPU targets: its Rennes origins scan 4 times the stop times at the same
// cost per stop time.
func fakeFrance() *franceResult {
	one := func(v float64) figure { return figure{Median: v, Runs: 1} }
	point := func(copies int, scale float64) franceStats {
		return franceStats{Copies: copies,
			Build: franceBuildRun{Seconds: 8 * scale, CPUS: 9 * scale, MaxRSSMB: 70 * scale, FileBytes: int64(9e6 * scale)},
			Facts: franceLoadRun{Feeds: 2 + 8*(copies-1), Stops: 10000 * copies, StopTimes: 180000 * copies, StreetNodes: 13000 * copies},
			ReadS: one(0.25 * scale), ValidateS: one(0.01 * scale), NewS: one(0.1 * scale), FootpathsS: one(0.05 * scale),
			LoadS: one(0.41 * scale), ReadAgainS: one(0.1 * scale), ReadFaults: one(1e4 * scale), AgainFaults: one(100),
			HeapMB: one(35 * scale), HeapInuseMB: one(40 * scale), LoadRSSMB: one(80 * scale), QueryRSSMB: one(120 * scale),
			Sets: []originSetStat{{Name: "rennes", Queries: 100, P50: one(6 * scale / 36), P95: one(9), CPUP50: one(6), Scanned: one(1.7e5), Reached: one(15)},
				{Name: "rural", Queries: 100, P50: one(0.2), P95: one(0.8), CPUP50: one(0.2), Scanned: one(7000), Reached: one(0)}},
			BatchCPUMS: one(6), BatchScan: one(1.76e5), BatchNs: one(34), PrecompMS: one(7), PrecompN: 200, RuralStations: 300,
			CLI: &franceCLIBatch{Origins: 300, ProcessCPU: 2, Seconds: 2.1, MSPerOrig: 6.2}}
	}
	f := &franceResult{Config: franceConfig{Copies: []int{1, 40}, Loads: 3, Runs: 1, Queries: 100, Origins: 300, Cells: 200},
		GenSeconds: 240, Minutes: 20, Points: []franceStats{point(1, 1), point(40, 36)}}
	top := &f.Points[1]
	top.BatchCPUMS, top.BatchScan, top.BatchNs = one(24), one(7.04e5), one(34)
	top.AllCells = 1000000
	top.AllCellsS = 30
	return f
}

func TestFranceMarkdown(t *testing.T) {
	r := fakeResults(1)
	r.France = fakeFrance()
	var b bytes.Buffer
	r.writeMarkdown(&b, nil)
	md := b.String()
	for _, want := range []string{
		"## France (synthetic)", "### Targets", "generated in 4.0 min in this run",
		"| national build time (40 copies) | 4.8 min | ≤ 15 min | met |",
		"| graph file load (as `reach serve`) | 14.8 s | ≤ 10 s | **missed** (×1.48) |",
		"| CPU per Rennes origin, 40 copies / copy 0 | 4.00× (24.0 / 6.00 ms) | ≤ 1.3× | **missed** (×3.08) |",
		"| Rennes reach-90 p50 (regional graph, one query at a time) | 10.0 ±5% ms | ≤ 3 ms | **missed** (×3.33) |",
		"the national graph is not dearer per stop time", // scanned ×4, ns ×1
		"second one in the same process 3.60 s",          // first touch
		"| ratio | 4.00× | 4.00× | 1.00× |  |  |",
		"between 1 and 40 copies (176,000 → 704,000 stop times scanned)",
		"**Extrapolated, not run here:**", "1,000,000 cells",
		"### Scaling over the copy counts", "plots/france-memory.svg",
		"### Extrapolation to France (estimated, not measured)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// Without France figures the section is absent.
	b.Reset()
	fakeResults(1).writeMarkdown(&b, nil)
	if strings.Contains(b.String(), "France (synthetic)") {
		t.Error("France section without France figures")
	}
	// The scaling curves: one line per quantity, a point per copy count.
	charts := r.charts()
	for _, name := range []string{"france-time.svg", "france-memory.svg", "france-rennes.svg"} {
		ch, ok := charts[name]
		if !ok || len(ch.Series) != 3 || len(ch.Series[0].Points) != 2 {
			t.Errorf("%s: %+v", name, ch)
		}
	}
	// The reproduction compares the France figures too.
	b.Reset()
	r.writeMarkdown(&b, r)
	if !strings.Contains(b.String(), "France 40 copies load s") {
		t.Error("France figures not compared with the previous run")
	}
}
