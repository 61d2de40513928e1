package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uber/h3-go/v4"

	"reach/batch"
	"reach/graph"
	"reach/ingest/synth"
	"reach/internal/realdata"
)

// synthGraphs builds the synthetic region, and the same region without its
// town buses (school buses only), into dir.
func synthGraphs(t *testing.T, dir string) (full, noBus string) {
	t.Helper()
	full, src := filepath.Join(dir, "synth.graph"), filepath.Join(dir, "synth")
	if code, _, stderr := reach("demo", "--dir", src, "--out", full); code != 0 {
		t.Fatal(stderr)
	}
	b, err := os.ReadFile(filepath.Join(src, synth.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "gtfs")
	b, _ = json.Marshal(m)
	man := filepath.Join(src, "no-bus.json")
	if err := os.WriteFile(man, b, 0o644); err != nil {
		t.Fatal(err)
	}
	noBus = filepath.Join(dir, "no-bus.graph")
	if code, _, stderr := reach("build", "--manifest", man, "--out", noBus); code != 0 {
		t.Fatal(stderr)
	}
	return full, noBus
}

// TestDiffGate: a graph against itself passes a 0 % gate; a graph that
// loses its buses trips a 5 % gate (exit 3) after writing the report;
// errors exit 1, usage errors 2.
func TestDiffGate(t *testing.T) {
	dir := t.TempDir()
	full, noBus := synthGraphs(t, dir)
	out := filepath.Join(dir, "same.csv")
	code, stdout, stderr := reach("diff", "--old", full, "--new", full, "--out", out, "--fail-if-loss", "0", "--origins-from-schools", "all")
	if code != 0 || !strings.Contains(stdout, "lose at least one offer reachable within 90 min: 0 of 15") || !strings.Contains(stdout, "gate passed") {
		t.Fatalf("graph against itself: exit %d\n%s\n%s", code, stdout, stderr)
	}

	out = filepath.Join(dir, "diff.csv")
	code, stdout, stderr = reach("diff", "--old", full, "--new", noBus, "--out", out, "--map", filepath.Join(dir, "diff.png"),
		"--cells", "8", "--fail-if-loss", "5", "--arrive-by", "08:30", "--cutoffs", "30,60,90")
	if code != exitGate || !strings.Contains(stderr, "gate: ") || !strings.Contains(stdout, "biggest losers") {
		t.Fatalf("without buses: exit %d, want %d\n%s\n%s", code, exitGate, stdout, stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) < 10 || !strings.Contains(strings.Join(rows[0], ","), "offers_30_60_old,offers_30_60_new,offers_30_60_change") {
		t.Fatalf("diff.csv: %v, %d rows, header %q", err, len(rows), rows[0])
	}
	var meta batch.DiffMetadata
	b, _ := os.ReadFile(filepath.Join(dir, "diff.meta.json"))
	if err := json.Unmarshal(b, &meta); err != nil || meta.Summary.Losing == 0 || meta.Old.Feeds[0] != "bus" || meta.New.Feeds[0] != "scol" {
		t.Errorf("diff.meta.json: %v %+v", err, meta)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "diff.png")); err != nil {
		t.Error(err)
	} else if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Errorf("diff.png: %v", err)
	}
	// No gate: the same diff exits 0.
	if code, _, stderr := reach("diff", "--old", full, "--new", noBus, "--out", out); code != 0 {
		t.Errorf("without a gate: exit %d: %s", code, stderr)
	}

	for _, c := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"--old", full, "--new", noBus, "--out", out, "--fail-if-loss", "150"}, 1, "--fail-if-loss 150"},
		{[]string{"--old", full, "--new", filepath.Join(dir, "absent.graph"), "--out", out}, 1, "--new: "},
		{[]string{"--old", full, "--new", noBus, "--out", filepath.Join(dir, "d.json")}, 1, "--out"},
		{[]string{"--old", full, "--new", noBus, "--out", out, "--cells", "8", "--origins-from-schools", "all"}, 1, "at most one of"},
		{[]string{"--old", full, "--new", noBus, "--out", out, "--map-minutes", "50"}, 1, "--map-minutes 50"},
		{[]string{"--old", full, "--new", noBus, "--out", out, "--max-walk", "-3"}, 1, "--max-walk"},
		{[]string{"--old", full, "--new", noBus, "--out", out, "--date", "2026-03-10"}, 2, "flag provided but not defined: -date"},
	} {
		code, _, stderr := reach(append([]string{"diff"}, c.args...)...)
		if code != c.code || !strings.Contains(stderr, c.err) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.err)
		}
	}
}

// TestDiffRennesTermAgainstSummer is the acceptance test: the
// collèges of Ille-et-Vilaine from the school-term graph (2012-05) to the
// summer one (2012-07). About a third of them lose an offer: the 5 % gate
// trips (exit 3) after the CSV and the map are written; the term graph
// against itself passes a 0 % gate.
func TestDiffRennesTermAgainstSummer(t *testing.T) {
	d := realdata.Path(t, "rennes")
	dir := t.TempDir()
	term, summer := filepath.Join(dir, "term.graph"), filepath.Join(dir, "summer.graph")
	common := []string{"--osm", filepath.Join(d, "streets.osm.pbf"), "--schools", filepath.Join(d, "fr-en-annuaire-education-35.csv"),
		"--offers", filepath.Join(d, "affelnet-offre-1re-pro.csv"), "--offers", filepath.Join(d, "affelnet-offre-2nde.csv")}
	for _, b := range []struct{ feed, date, out string }{
		{"star-gtfs-2012-05.zip", "2012-05-22", term}, {"star-gtfs-2012-07.zip", "2012-07-10", summer},
	} {
		args := append([]string{"build", "--gtfs", "star=" + filepath.Join(d, b.feed), "--date", b.date, "--out", b.out}, common...)
		if code, _, stderr := reach(args...); code != 0 {
			t.Fatal(stderr)
		}
	}
	out, png := filepath.Join(dir, "diff.csv"), filepath.Join(dir, "diff.png")
	code, stdout, stderr := reach("diff", "--old", term, "--new", summer, "--out", out, "--map", png, "--fail-if-loss", "5")
	t.Log(stdout)
	if code != exitGate {
		t.Fatalf("exit %d, want %d: %s", code, exitGate, stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows)-1 < 50 {
		t.Fatalf("diff.csv: %v, %d origins, want at least 50", err, len(rows)-1)
	}
	var meta batch.DiffMetadata
	b, _ := os.ReadFile(batch.MetaPath(out))
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	s := meta.Summary
	if s.Origins != 116 || s.Losing < 116/4 || s.Losing > 116/2 || len(s.Losers) != 10 || s.Losers[0].Name == "" {
		t.Errorf("summary: %d origins, %d losing (want about a third), losers %+v", s.Origins, s.Losing, s.Losers)
	}
	if st, err := os.Stat(png); err != nil || st.Size() < 10000 {
		t.Errorf("map: %v", err)
	}
	code, stdout, stderr = reach("diff", "--old", term, "--new", term, "--out", filepath.Join(dir, "same.parquet"), "--fail-if-loss", "0")
	if code != 0 || !strings.Contains(stdout, "0 of 116 (0.0 %)") {
		t.Errorf("term against itself: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestBatchMapOfColleges draws the synthetic region's schools as points,
// with the figures' metadata beside the CSV table.
func TestBatchMapOfColleges(t *testing.T) {
	dir := t.TempDir()
	full, _ := synthGraphs(t, dir)
	out, m := filepath.Join(dir, "schools.csv"), filepath.Join(dir, "schools.svg")
	code, _, stderr := reach("batch", "--graph", full, "--origins-from-schools", "all", "--out", out, "--map", m)
	if code != 0 {
		t.Fatal(stderr)
	}
	svg, err := os.ReadFile(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"From each of 15 schools (all)", "of 15 schools.", "school with trainings"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("the map does not say %q", want)
		}
	}
	meta, err := os.ReadFile(filepath.Join(dir, "schools.meta.json"))
	if err != nil || !bytes.Contains(meta, []byte(`"straight_lines"`)) || !bytes.Contains(meta, []byte(`"walk_only"`)) {
		t.Errorf("schools.meta.json: %v\n%s", err, meta)
	}
}

// TestPrecomputeAllLocationsAndLookup: reach precompute keeps the schools
// with offers unless --all-locations; reach lookup answers an address in
// a cell next to a covered one from it, saying so.
func TestPrecomputeAllLocationsAndLookup(t *testing.T) {
	dir := t.TempDir()
	full, _ := synthGraphs(t, dir)
	entries := map[bool]int{}
	for _, all := range []bool{false, true} {
		out := filepath.Join(dir, fmt.Sprintf("all-%v.idx", all))
		args := []string{"precompute", "--graph", full, "--out", out, "--res", "10"}
		if all {
			args = append(args, "--all-locations")
		}
		code, stdout, stderr := reach(args...)
		want := map[bool]string{false: "(schools with training offers)", true: "(all schools)"}[all]
		if code != 0 || !strings.Contains(stdout, want) {
			t.Fatalf("%q: exit %d\n%s\n%s", args, code, stdout, stderr)
		}
		ix, err := graph.ReadIndex(out)
		if err != nil {
			t.Fatal(err)
		}
		if ix.AllLocations != all {
			t.Errorf("%s: AllLocations %v", out, ix.AllLocations)
		}
		entries[all] = len(ix.School)
	}
	if entries[true] <= entries[false] {
		t.Errorf("%d entries with all locations, %d without", entries[true], entries[false])
	}

	idx := filepath.Join(dir, "all-false.idx")
	ix, err := graph.ReadIndex(idx)
	if err != nil {
		t.Fatal(err)
	}
	// A point of a cell next to a covered one, not covered itself, 70 % of
	// the way from the covered cell's centre to its own (about 90 m from the
	// covered centre at resolution 10).
	var empty h3.Cell
	var ll h3.LatLng
	for _, c := range ix.Cell {
		a := h3.CellToLatLng(h3.Cell(c))
		for _, n := range h3.GridDisk(h3.Cell(c), 1) {
			if _, ok := slices.BinarySearch(ix.Cell, uint64(n)); ok || empty != 0 {
				continue
			}
			b := h3.CellToLatLng(n)
			p := h3.LatLng{Lat: a.Lat + 0.7*(b.Lat-a.Lat), Lng: a.Lng + 0.7*(b.Lng-a.Lng)}
			if h3.LatLngToCell(p, ix.Resolution) == n && graph.Haversine(p.Lat, p.Lng, a.Lat, a.Lng) <= graph.LookupRadius {
				empty, ll = n, p
			}
		}
	}
	if empty == 0 {
		t.Fatal("no uncovered cell within 100 m of a covered one")
	}
	code, stdout, stderr := reach("lookup", "--index", idx, "--lat", fmt.Sprint(ll.Lat), "--lon", fmt.Sprint(ll.Lng))
	var doc struct {
		Cell, NearestCell string
		Covered           bool
		DistanceM         *float64 `json:"distance_m"`
		Schools           []graph.IndexEntry
	}
	if code != 0 {
		t.Fatal(stderr)
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Covered || doc.Cell != empty.String() || doc.DistanceM == nil || *doc.DistanceM > 100 || !strings.Contains(stdout, `"nearest_cell": "`) {
		t.Errorf("lookup in an empty cell next to a covered one: %s", stdout)
	}
	// Far from every cell: not covered, nothing answered.
	code, stdout, _ = reach("lookup", "--index", idx, "--lat", "47.5", "--lon", "2.5")
	if code != 0 || !strings.Contains(stdout, `"covered": false`) || strings.Contains(stdout, "nearest_cell") || !strings.Contains(stdout, `"schools": []`) {
		t.Errorf("lookup far away: %s", stdout)
	}
}
