package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"reach/graph"
	"reach/ingest/synth"
	"reach/internal/realdata"
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

// TestBuildShrinkGate replaces a graph by builds that lose trips, linked
// stops or offers: refused with status 3 and the old file untouched,
// unless --accept-shrink; growth and unreadable old files pass.
func TestBuildShrinkGate(t *testing.T) {
	region := synthRegion(t)
	manifest := filepath.Join(region, synth.ManifestFile)
	dir := t.TempDir()
	out := filepath.Join(dir, "g.graph")
	if code, _, stderr := reach("build", "--manifest", manifest, "--out", out); code != 0 {
		t.Fatalf("first build: exit %d: %s", code, stderr)
	}
	before, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	unchanged := func(what string) {
		t.Helper()
		if after, err := os.ReadFile(out); err != nil || !bytes.Equal(after, before) {
			t.Errorf("%s: the old graph changed (%v)", what, err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("%s: files left beside the graph: %v", what, entries)
		}
	}
	timetableOnly := []string{"build", "--gtfs", "bus=" + filepath.Join(region, synth.FeedDir),
		"--school-gtfs", "scol=" + filepath.Join(region, synth.SchoolFeedDir), "--date", synth.Date, "--out", out}
	for _, c := range []struct {
		name     string
		args     []string
		want     []string
		mustNot  []string
		exitCode int
	}{
		// A Sunday: 18 trips instead of 806.
		{"sunday", []string{"build", "--manifest", manifest, "--date", "2026-03-08", "--out", out},
			[]string{"scheduled trips 806 → 18 (-97.8 %)", "--max-shrink 30 %", "--accept-shrink", out},
			[]string{"linked stops", "placed offers"}, 3},
		{"no streets, no schools", timetableOnly,
			[]string{"linked stops 71 → 0 (-100.0 %)", "placed offers 50 → 0 (-100.0 %)"},
			[]string{"scheduled trips"}, 3},
		{"sunday within a larger tolerance", []string{"build", "--manifest", manifest, "--date", "2026-03-08", "--out", out, "--max-shrink", "97.7"},
			[]string{"scheduled trips 806 → 18"}, nil, 3},
	} {
		code, stdout, stderr := reach(c.args...)
		if code != c.exitCode {
			t.Errorf("%s: exit %d, want %d; stdout %q, stderr %q", c.name, code, c.exitCode, stdout, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%s: stderr %q lacks %q", c.name, stderr, w)
			}
		}
		for _, w := range c.mustNot {
			if strings.Contains(stderr, w) {
				t.Errorf("%s: stderr %q names %q, which did not fall", c.name, stderr, w)
			}
		}
		if !strings.HasPrefix(stderr, "reach build: ") {
			t.Errorf("%s: stderr %q", c.name, stderr)
		}
		unchanged(c.name)
	}
	if code, _, stderr := reach("build", "--manifest", manifest, "--date", "2026-03-08", "--out", out, "--max-shrink", "97.8"); code != 0 {
		t.Errorf("a fall of 97.8 %% within --max-shrink 97.8: exit %d: %s", code, stderr)
	}
	// Growth back to the weekday passes.
	if code, _, stderr := reach("build", "--manifest", manifest, "--out", out); code != 0 {
		t.Fatalf("growth: exit %d: %s", code, stderr)
	}
	if g, err := graph.Read(out); err != nil || g.Meta.Date != synth.Date {
		t.Errorf("growth: the weekday graph was not written (%v)", err)
	}
	code, _, stderr := reach(append(timetableOnly, "--accept-shrink")...)
	if code != 0 || !strings.Contains(stderr, "warning: ") || !strings.Contains(stderr, "linked stops 71 → 0") {
		t.Fatalf("--accept-shrink: exit %d, stderr %q", code, stderr)
	}
	if g, err := graph.Read(out); err != nil || g.Meta.Streets != nil {
		t.Errorf("--accept-shrink did not replace the graph: %v", err)
	}
	// An old file that is not a readable graph is replaced, and said.
	for _, bad := range [][]byte{[]byte("yesterday's notes"), before[:len(before)/2]} {
		if err := os.WriteFile(out, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr = reach("build", "--manifest", manifest, "--out", out)
		if code != 0 || !strings.HasPrefix(stderr, "warning: ") || !strings.Contains(stderr, "not compared") {
			t.Errorf("unreadable old graph: exit %d, stderr %q", code, stderr)
		}
		if _, err := graph.Read(out); err != nil {
			t.Errorf("unreadable old graph not replaced: %v", err)
		}
	}
	for _, v := range []string{"-1", "101", "x"} {
		if code, _, _ := reach("build", "--manifest", manifest, "--out", out, "--max-shrink", v); code == 0 {
			t.Errorf("--max-shrink %s accepted", v)
		}
	}
}

// TestBuildWarnsOfFarDates builds the synthetic region (school year
// 2025–2026) for a date years away: the build says so on its output
// lines, in the report and in inspect; --strict-dates refuses.
func TestBuildWarnsOfFarDates(t *testing.T) {
	manifest := filepath.Join(synthRegion(t), synth.ManifestFile)
	dir := t.TempDir()
	out, report := filepath.Join(dir, "g.graph"), filepath.Join(dir, "report.json")
	const want = "warning: 2030-01-08 is more than a year from the validity of every feed (bus 2025-09-01 to 2026-07-03, scol 2025-09-01 to 2026-07-03)"
	code, stdout, stderr := reach("build", "--manifest", manifest, "--date", "2030-01-08", "--out", out, "--report", report)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for name, text := range map[string]string{"stdout": stdout, "stderr": stderr} {
		if !strings.Contains("\n"+text, "\n"+want) {
			t.Errorf("%s %q lacks a line starting %q", name, text, want)
		}
	}
	var s graph.Summary
	if b, err := os.ReadFile(report); err != nil || json.Unmarshal(b, &s) != nil || len(s.Warnings) != 1 ||
		!strings.HasPrefix("warning: "+s.Warnings[0], want) {
		t.Errorf("report warnings %q (%v)", s.Warnings, err)
	}
	if _, stdout, _ := reach("inspect", out); !strings.Contains(stdout, want) {
		t.Errorf("inspect: %s", stdout)
	}
	code, _, stderr = reach("build", "--manifest", manifest, "--date", "2030-01-08", "--out", out, "--strict-dates")
	if code != 1 || !strings.Contains(stderr, "--strict-dates") {
		t.Errorf("--strict-dates: exit %d, %q", code, stderr)
	}
	// Inside the validity, or less than a year from it: no warning.
	for _, date := range []string{synth.Date, "2027-06-29"} {
		code, stdout, stderr = reach("build", "--manifest", manifest, "--date", date, "--out", out, "--accept-shrink")
		if code != 0 || strings.Contains(stdout+stderr, "warning: ") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", date, code, stdout, stderr)
		}
	}
}

// TestStationPlatformsJoinedOnRNV reproduces the issue on RNV, whose
// streets are roads only: from rnv:248108, a platform of Neckarau Bahnhof
// 66 m from its siblings but without a street path to them, a Sunday
// 10:54 departure reached 5 stops, against 1,965 from its sibling.
func TestStationPlatformsJoinedOnRNV(t *testing.T) {
	feed, osm := realdata.Path(t, "rnv", "rnv-gtfs-2016.zip"), realdata.Path(t, "rnv", "rnv.osm.pbf")
	out := filepath.Join(t.TempDir(), "rnv.graph")
	if code, _, stderr := reach("build", "--gtfs", "rnv="+feed, "--osm", osm, "--date", "2016-11-27", "--out", out); code != 0 {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	g, err := graph.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if n := g.Meta.Linking.StationTransfers; n < 100 {
		t.Errorf("%d station transfers on RNV, want more than 100", n)
	}
	reached := func(from string) int {
		t.Helper()
		code, stdout, stderr := reach("stops", "--graph", out, "--from", from, "--depart", "10:54:00")
		if code != 0 {
			t.Fatalf("stops --from %s: exit %d: %s", from, code, stderr)
		}
		return strings.Count(stdout, "\n") - 1
	}
	platform, sibling := reached("rnv:248108"), reached("rnv:248101")
	if platform < 1000 || platform < sibling-10 {
		t.Errorf("from rnv:248108 %d stops reached, from its sibling rnv:248101 %d", platform, sibling)
	}
}
