package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"reach/graph"
	"reach/ingest/synth"
	"reach/internal/realdata"
)

// reach runs the CLI in-process and returns its exit code and outputs.
func reach(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestBuildAndInspectAllFeeds(t *testing.T) {
	d := realdata.Path(t)
	out := filepath.Join(t.TempDir(), "all.graph")
	report := filepath.Join(t.TempDir(), "report.json")
	args := []string{"build", "--date", "2016-11-08", "--out", out, "--report", report}
	for _, f := range []string{"rennes/star-gtfs-2012-05.zip", "rennes/star-gtfs-2012-07.zip", "nantes/tan-gtfs-2014.zip",
		"rnv/rnv-gtfs-2016.zip", "ter/sncf-ter-gtfs-2017.zip", "bydgoszcz/bydgoszcz-gtfs-2020.zip",
		"quirks/ajaccio-subfolder-plus-coords.zip", "quirks/hart-single-digit-hours.zip",
		"quirks/extended-route-types.zip", "beatty/sample-feed"} {
		args = append(args, "--gtfs", filepath.Join(d, f))
	}
	code, stdout, stderr := reach(args...)
	if code != 0 {
		t.Fatalf("build exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "wrote "+out) {
		t.Errorf("stdout: %s", stdout)
	}
	code, stdout, stderr = reach("inspect", "--json", out)
	if code != 0 {
		t.Fatalf("inspect exit %d: %s", code, stderr)
	}
	var s graph.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Feeds) != 10 || s.Feeds[0].Read.StopTimes != 182666 || s.Feeds[4].Read.Routes != 1876 {
		t.Errorf("summary feeds: %+v", s.Feeds)
	}
	if s.Feeds[2].Kept.Trips != 8090 || s.Feeds[2].Drops[0].Reason != "no_stop_times" {
		t.Errorf("nantes: %+v", s.Feeds[2])
	}
	rb, err := os.ReadFile(report)
	if err != nil || !bytes.Contains(rb, []byte(`"build_id": "`+s.BuildID)) {
		t.Errorf("report %v: %.200s", err, rb)
	}
	code, stdout, _ = reach("inspect", out)
	if code != 0 || !strings.Contains(stdout, "SUBSTITUTED") || !strings.Contains(stdout, "no_stop_times") {
		t.Errorf("text inspect: %s", stdout)
	}
}

func TestFailedBuildLeavesGraphUntouched(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "good.graph")
	before := []byte("a good graph from yesterday")
	if err := os.WriteFile(out, before, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "broken.zip")
	if err := os.WriteFile(bad, []byte("PK\x03\x04 truncated"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := reach("build", "--gtfs", bad, "--date", "2024-01-09", "--out", out)
	if code == 0 || !strings.Contains(stderr, "broken.zip") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	after, err := os.ReadFile(out)
	if err != nil || !bytes.Equal(after, before) {
		t.Errorf("output changed: %q %v", after, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("stray files left: %v", entries)
	}
}

func TestEmptyTimetableNotWritten(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "good.graph")
	before := []byte("a good graph from yesterday")
	feed := filepath.Join(dir, "feed")
	files := map[string]string{
		"good.graph":          string(before),
		"feed/stops.txt":      "stop_id,stop_name,stop_lat,stop_lon\nA,A,48.1,-1.68\nB,B,48.11,-1.68\n",
		"feed/routes.txt":     "route_id,route_type\nL1,3\n",
		"feed/calendar.txt":   "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20240101,20240131\n",
		"feed/trips.txt":      "route_id,service_id,trip_id\nL1,WK,T1\n",
		"feed/stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n",
	}
	for name, body := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, _, stderr := reach("build", "--gtfs", feed, "--date", "2024-01-09", "--out", out)
	if code == 0 || !strings.Contains(stderr, "no trip runs on 2024-01-09") || !strings.Contains(stderr, "0 stop_times") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if after, err := os.ReadFile(out); err != nil || !bytes.Equal(after, before) {
		t.Errorf("output changed: %q %v", after, err)
	}
}

func TestInspectRefusesDamagedFiles(t *testing.T) {
	p := realdata.Path(t, "quirks", "extended-route-types.zip")
	out := filepath.Join(t.TempDir(), "g.graph")
	if code, _, stderr := reach("build", "--gtfs", p, "--date", "2009-03-03", "--out", out); code != 0 {
		t.Fatal(stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	trunc := filepath.Join(t.TempDir(), "trunc.graph")
	os.WriteFile(trunc, b[:len(b)/2], 0o644)
	if code, _, stderr := reach("inspect", trunc); code != 1 || !strings.Contains(stderr, "trunc.graph") || !strings.Contains(stderr, "truncated") {
		t.Errorf("truncated: %d %s", code, stderr)
	}
	bad := append([]byte(nil), b...)
	bad[len(bad)-5] ^= 0xff
	corrupt := filepath.Join(t.TempDir(), "corrupt.graph")
	os.WriteFile(corrupt, bad, 0o644)
	if code, _, stderr := reach("inspect", corrupt); code != 1 || !strings.Contains(stderr, "corrupt") {
		t.Errorf("corrupted: %d %s", code, stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"nope"}, "unknown command"},
		{[]string{"build", "--date", "2024-01-09"}, "--out is required"},
		{[]string{"build", "--out", "x", "--gtfs", "a.zip"}, "--date is required"},
		{[]string{"build", "--out", "x", "--gtfs", "a.zip", "--date", "09/01/2024"}, "want YYYY-MM-DD"},
		{[]string{"build", "--out", "x", "--date", "2024-01-09"}, "at least one --gtfs"},
		{[]string{"build", "--out", "x", "--date", "2024-01-09", "--gtfs", "a:b=x.zip"}, "must not contain"},
		{[]string{"inspect"}, "usage: reach inspect"},
		{[]string{"inspect", "/nonexistent.graph"}, "nonexistent.graph"},
	} {
		code, _, stderr := reach(c.args...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, stderr, c.want)
		}
	}
}

func TestQueryAndStopsOnRennes(t *testing.T) {
	realdata.Path(t, "rennes")
	out := filepath.Join(t.TempDir(), "rennes.graph")
	if code, _, stderr := reach("build", "--manifest", "../../regions/rennes.json", "--out", out); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr := reach("query", "--graph", out, "--lat", "48.1096", "--lon", "-1.6794", "--diplome", "CAP", "--per-page", "5")
	if code != 0 {
		t.Fatal(stderr)
	}
	var a struct {
		Summary struct {
			Reachable int `json:"reachable_offers"`
		} `json:"summary"`
		Results []struct {
			Offer struct {
				Diploma string `json:"diploma"`
			} `json:"offer"`
			DurationS int `json:"duration_s"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(stdout), &a); err != nil {
		t.Fatal(err)
	}
	if a.Summary.Reachable == 0 || len(a.Results) != 5 || a.Results[0].Offer.Diploma != "CAP" || a.Results[0].DurationS <= 0 {
		t.Errorf("answer %+v", a)
	}
	for _, c := range [][]string{
		{"query", "--graph", out, "--lat", "91", "--lon", "0"},
		{"query", "--graph", out, "--lat", "48.1", "--lon", "-1.6", "--modes", "bike,school"},
		{"query", "--graph", out, "--lat", "48.1", "--lon", "-1.6", "--date", "2013-01-01"},
		{"query", "--graph", out, "--lat", "48.1", "--lon", "-1.6", "--uai", "0000000A"},
	} {
		if code, _, stderr := reach(c...); code != 1 || stderr == "" {
			t.Errorf("%v: exit %d %q", c, code, stderr)
		}
	}
	code, stdout, stderr = reach("stops", "--graph", out, "--from", "star:1001", "--depart", "08:00:00", "--max-transfers", "0", "--transfers", "none")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 0 || lines[0] != "stop_id,arrival,transfers" || lines[1] != "star:1001,08:00:00,0" || len(lines) < 10 {
		t.Errorf("stops: %d %q %q", code, stderr, lines[:min(3, len(lines))])
	}
	for _, l := range lines[1:] {
		if !strings.HasSuffix(l, ",0") {
			t.Fatalf("--max-transfers 0 gave %q", l)
		}
	}
	if code, _, stderr := reach("stops", "--graph", out, "--from", "1001", "--depart", "08:00:00"); code != 1 || !strings.Contains(stderr, "NAME:ID") {
		t.Errorf("unknown stop: %q", stderr)
	}
}

// TestMain lets tests run the CLI as a separate process: the test binary
// re-executed with REACH_TEST_MAIN=1 behaves as the reach command (and
// with REACH_TEST_BIG_WRITER as a writer of a large file, see bigWrite).
func TestMain(m *testing.M) {
	if os.Getenv("REACH_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	if spec := os.Getenv(staleWriterEnv); spec != "" {
		os.Exit(bigWrite(spec))
	}
	os.Exit(m.Run())
}

// TestPrecomputeShardsAsJobProcesses runs the shards the way the
// Kubernetes Indexed Job does (one process each, JOB_COMPLETION_INDEX
// picking the shard), merges them and compares with a single-process run.
func TestPrecomputeShardsAsJobProcesses(t *testing.T) {
	realdata.Path(t, "rennes")
	dir := t.TempDir()
	g := filepath.Join(dir, "rennes.graph")
	if code, _, stderr := reach("build", "--manifest", "../../regions/rennes.json", "--out", g); code != 0 {
		t.Fatal(stderr)
	}
	common := []string{"precompute", "--graph", g, "--max-minutes", "45", "--cutoffs", "15,30,45", "--res", "9"}
	var shards []string
	for i := 0; i < 3; i++ {
		out := filepath.Join(dir, fmt.Sprintf("shard-%d.idx", i))
		cmd := exec.Command(os.Args[0], append(common, "--shard", "3", "--out", out)...)
		cmd.Env = append(os.Environ(), "REACH_TEST_MAIN=1", fmt.Sprintf("JOB_COMPLETION_INDEX=%d", i))
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("shard %d: %v\n%s", i, err, b)
		}
		shards = append(shards, out)
	}
	merged := filepath.Join(dir, "merged.idx")
	if code, _, stderr := reach(append([]string{"merge", "--out", merged, "--csv", merged + ".csv"}, shards...)...); code != 0 {
		t.Fatal(stderr)
	}
	single := filepath.Join(dir, "single.idx")
	if code, _, stderr := reach(append(common, "--out", single, "--csv", single+".csv")...); code != 0 {
		t.Fatal(stderr)
	}
	a, _ := os.ReadFile(merged + ".csv")
	b, _ := os.ReadFile(single + ".csv")
	if len(a) < 1000 || !bytes.Equal(a, b) {
		t.Fatalf("merged shards (%d bytes of CSV) differ from the single run (%d bytes)", len(a), len(b))
	}
	if code, _, stderr := reach("merge", "--out", merged, shards[0], shards[1]); code != 1 || !strings.Contains(stderr, "missing") {
		t.Errorf("merge with a missing shard: %q", stderr)
	}
	code, stdout, _ := reach("lookup", "--index", merged, "--lat", "48.1096", "--lon", "-1.6794")
	if code != 0 || !strings.Contains(stdout, `"covered": true`) || !strings.Contains(stdout, `"uai"`) {
		t.Errorf("lookup: %s", stdout)
	}
	if code, _, stderr := reach("precompute", "--graph", g, "--out", single, "--shard", "3"); code != 1 || !strings.Contains(stderr, "JOB_COMPLETION_INDEX") {
		t.Errorf("shard without index: %q", stderr)
	}
}

func TestFetchFromLocalServer(t *testing.T) {
	feed, err := os.ReadFile(realdata.Path(t, "quirks", "extended-route-types.zip"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/feed.zip" {
			http.NotFound(w, r)
			return
		}
		w.Write(feed)
	}))
	defer srv.Close()
	dir := t.TempDir()
	list := filepath.Join(dir, "sources.csv")
	os.WriteFile(list, []byte("\ufeffRégion;Type;Nom;URL GTFS\nBretagne;Transport;Petit réseau;"+srv.URL+"/feed.zip\nBretagne;Scolaire;Disparu;"+srv.URL+"/gone.zip\n"), 0o644)
	out := filepath.Join(dir, "data")
	code, stdout, stderr := reach("fetch", "--sources", list, "--dir", out, "--retries", "-1", "--report", filepath.Join(dir, "r.json"))
	if code != 1 || !strings.Contains(stderr, "1 of 2 sources failed") || !strings.Contains(stdout, "2007-01-01") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	entries, _ := os.ReadDir(out)
	found := false
	for _, e := range entries {
		found = found || strings.HasSuffix(e.Name(), ".zip")
	}
	if !found {
		t.Errorf("no feed downloaded: %v", entries)
	}
	if _, err := os.Stat(filepath.Join(dir, "r.json")); err != nil {
		t.Errorf("report: %v", err)
	}
}

func TestBuildWithRepeatedOSMAndSchools(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.Generate(dir, synth.Options{}); err != nil {
		t.Fatal(err)
	}
	// The same streets under two names (kept once) and two directories.
	streets := filepath.Join(dir, synth.StreetsFile)
	again := filepath.Join(dir, "again.osm")
	b, err := os.ReadFile(streets)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(again, b, 0o644)
	const header = "Identifiant_de_l_etablissement;Nom_etablissement;Type_etablissement;Code_departement;latitude;longitude\n"
	a := filepath.Join(dir, "a.csv")
	os.WriteFile(a, []byte(header+"0180901G;Lycée A;Lycée;018;47.0;2.0\n"), 0o644)
	c := filepath.Join(dir, "c.csv")
	os.WriteFile(c, []byte(header+"0180902H;Collège C;Collège;018;47.001;2.01\n0450901K;Lycée K;Lycée;045;47.002;2.0\n"), 0o644)
	out := filepath.Join(dir, "g.graph")
	code, _, stderr := reach("build", "--gtfs", "bus="+filepath.Join(dir, synth.FeedDir), "--date", synth.Date,
		"--osm", streets, "--osm", again, "--schools", a, "--schools", c, "--out", out)
	if code != 0 {
		t.Fatalf("build exit %d: %s", code, stderr)
	}
	code, stdout, stderr := reach("inspect", "--json", out)
	if code != 0 {
		t.Fatalf("inspect exit %d: %s", code, stderr)
	}
	var s graph.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatal(err)
	}
	if s.Streets == nil || s.Streets.Path != streets+", "+again || s.Places == nil || s.Places.Rows != 3 || s.Places.Schools != 3 {
		t.Errorf("streets %+v places %+v", s.Streets, s.Places)
	}
}

// TestIlleEtVilaineFromVitre: the default region of make run has trains:
// from Vitré, 35 km east of Rennes, Rennes lycées are reachable by TER.
func TestIlleEtVilaineFromVitre(t *testing.T) {
	realdata.Path(t, "ter")
	out := filepath.Join(t.TempDir(), "ille-et-vilaine.graph")
	if code, _, stderr := reach("build", "--manifest", "../../regions/ille-et-vilaine.json", "--out", out); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr := reach("query", "--graph", out, "--lat", "48.1242", "--lon", "-1.2075", "--group", "school", "--per-page", "100")
	if code != 0 {
		t.Fatal(stderr)
	}
	var a struct {
		Schools []struct {
			School struct {
				Commune string `json:"commune"`
			} `json:"school"`
			Best struct {
				Modality string `json:"modality"`
			} `json:"best"`
			Offers []json.RawMessage `json:"offers"`
		} `json:"schools"`
	}
	if err := json.Unmarshal([]byte(stdout), &a); err != nil {
		t.Fatal(err)
	}
	rennes := 0
	for _, s := range a.Schools {
		if s.School.Commune == "Rennes" && s.Best.Modality == "transit" && len(s.Offers) > 0 {
			rennes++
		}
	}
	if rennes == 0 {
		t.Errorf("from Vitré, no Rennes school with offers is reachable by transit (%d schools reached)", len(a.Schools))
	}
	t.Logf("from Vitré: %d schools reached, %d of them in Rennes by transit", len(a.Schools), rennes)
}

// TestHelp: every command answers -h and --help with status 0, its
// purpose, its flags and an example, on stdout.
func TestHelp(t *testing.T) {
	for name, c := range commands() {
		for _, h := range []string{"-h", "--help"} {
			code, stdout, stderr := reach(name, h)
			if code != 0 || !strings.Contains(stdout, "usage: reach "+name) || !strings.Contains(stdout, "example:\n  "+c.example) ||
				!strings.Contains(strings.ToLower(stdout), strings.ToLower(c.summary)) || stderr != "" {
				t.Errorf("reach %s %s: exit %d, stdout %q, stderr %q", name, h, code, stdout, stderr)
			}
		}
	}
	if code, stdout, _ := reach("help", "build"); code != 0 || !strings.Contains(stdout, "--manifest") {
		t.Errorf("reach help build: exit %d, %q", code, stdout)
	}
}
