package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"reach/ingest/synth"
)

// synthRegion writes the synthetic region's source files into a new
// temporary directory and returns it.
func synthRegion(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := synth.Generate(dir, synth.Options{}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBuildChecksInputsFirst gives a feed that cannot be read with one
// other unusable input: the build must name that input (its flag and
// path) without having read the feed.
func TestBuildChecksInputsFirst(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.zip")
	if err := os.WriteFile(broken, []byte("PK\x03\x04 truncated"), 0o644); err != nil {
		t.Fatal(err)
	}
	readable := filepath.Join(dir, "readable.csv")
	if err := os.WriteFile(readable, []byte("id,name,lat,lon\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	out := filepath.Join(dir, "g.graph")
	manifest := filepath.Join(dir, "region.json")
	if err := os.WriteFile(manifest, []byte(`{"gtfs": [{"path": "broken.zip"}], "osm": "missing.osm.pbf"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--osm", missing + ".osm.pbf"}, "--osm " + missing + ".osm.pbf: does not exist"},
		{[]string{"--osm", dir}, "--osm " + dir + ": is a folder, want a file"},
		{[]string{"--schools", missing + ".csv"}, "--schools " + missing + ".csv: does not exist"},
		{[]string{"--locations", missing + ".csv"}, "--locations " + missing + ".csv: does not exist"},
		{[]string{"--schools", readable, "--offers", missing + ".csv"}, "--offers " + missing + ".csv: does not exist"},
		{[]string{"--schools", readable, "--offers", readable, "--nomenclature", missing + ".csv"}, "--nomenclature " + missing + ".csv: does not exist"},
		{[]string{"--gtfs", "x=" + missing + ".zip"}, "--gtfs " + missing + ".zip: does not exist"},
		{[]string{"--school-gtfs", missing + ".zip"}, "--school-gtfs " + missing + ".zip: does not exist"},
		{[]string{"--out", filepath.Join(missing, "g.graph")}, "--out " + filepath.Join(missing, "g.graph") + ": folder " + missing + " does not exist"},
		{[]string{"--out", readable + "/g.graph"}, "--out " + readable + "/g.graph: " + readable + " is not a folder"},
		{[]string{"--out", dir}, "--out " + dir + ": is a folder, want a file"},
		{[]string{"--report", filepath.Join(missing, "r.json")}, "--report " + filepath.Join(missing, "r.json") + ": folder " + missing + " does not exist"},
		{[]string{"--manifest", missing + ".json"}, "--manifest " + missing + ".json: does not exist"},
		{[]string{"--manifest", manifest}, "--manifest " + manifest + ": osm " + filepath.Join(dir, "missing.osm.pbf") + ": does not exist"},
	} {
		args := append([]string{"build", "--gtfs", broken, "--date", "2024-01-09", "--out", out}, c.args...)
		code, _, stderr := reach(args...)
		if code != 1 || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "truncated") {
			t.Errorf("%v:\nexit %d, stderr %q\nwant exit 1 and %q, the feed not read", c.args, code, stderr, c.want)
		}
		if !strings.HasPrefix(stderr, "reach build: ") || strings.Count(stderr, "reach build:") != 1 || strings.Contains(stderr, "build: build:") {
			t.Errorf("%v: stderr %q: want one line starting with one \"reach build: \"", c.args, stderr)
		}
	}
	// Several unusable inputs are named together.
	code, _, stderr := reach("build", "--gtfs", broken, "--date", "2024-01-09", "--osm", missing+".osm.pbf",
		"--out", filepath.Join(missing, "g.graph"))
	if code != 1 || !strings.Contains(stderr, "--osm ") || !strings.Contains(stderr, "--out ") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("two bad inputs: exit %d, stderr %q", code, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("files left in %s: %v", dir, entries)
	}
}

// TestBuildErrorsHaveOnePrefix checks that errors found while reading
// the sources read "reach build: <what>: …", without a second "build:".
func TestBuildErrorsHaveOnePrefix(t *testing.T) {
	region := synthRegion(t)
	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.WriteFile(bad, []byte("neither OSM nor CSV\x00\x01\x02"), 0o644); err != nil {
		t.Fatal(err)
	}
	feed := "bus=" + filepath.Join(region, synth.FeedDir)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--osm", bad}, "reach build: osm: "},
		{[]string{"--schools", bad}, "reach build: school directory: "},
		{[]string{"--locations", bad}, "reach build: locations: "},
		{[]string{"--h3-res", "12"}, "reach build: --h3-res 12: want 8, 9 or 10"},
	} {
		args := append([]string{"build", "--gtfs", feed, "--date", synth.Date, "--out", filepath.Join(t.TempDir(), "g.graph")}, c.args...)
		code, _, stderr := reach(args...)
		if code != 1 || !strings.HasPrefix(stderr, c.want) || strings.Count(stderr, "build:") != 1 {
			t.Errorf("%v: exit %d, stderr %q, want it to start with %q and say \"build:\" once", c.args, code, stderr, c.want)
		}
	}
}
