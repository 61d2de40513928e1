package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"reach/internal/realdata"
)

// queryAnswer is what the bike tests read of reach query's JSON.
type queryAnswer struct {
	Summary struct {
		Modes string `json:"modes"`
	} `json:"summary"`
	Results []struct {
		School struct {
			UAI string `json:"uai"`
		} `json:"school"`
		Modality  string  `json:"modality"`
		DurationS int32   `json:"duration_s"`
		BikeM     float64 `json:"bike_m"`
		DistanceM float64 `json:"distance_m"`
	} `json:"results"`
}

func query(t *testing.T, args ...string) queryAnswer {
	t.Helper()
	code, stdout, stderr := reach(append([]string{"query"}, args...)...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, stderr)
	}
	var a queryAnswer
	if err := json.Unmarshal([]byte(stdout), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestBikeOnRennes: the acceptance query. From (48.1720, −1.7300), north
// of Rennes, `reach query --modes bike` answers with modality bike, quicker
// than walking to a far school; bike,transit has bike+transit answers; a
// graph built with another --bike-limit says so; the precomputed index and
// batch runs accept the bike modes.
func TestBikeOnRennes(t *testing.T) {
	realdata.Path(t, "rennes")
	dir := t.TempDir()
	g := filepath.Join(dir, "rennes.graph")
	if code, _, stderr := reach("build", "--manifest", "../../regions/rennes.json", "--out", g); code != 0 {
		t.Fatal(stderr)
	}
	origin := []string{"--graph", g, "--lat", "48.1720", "--lon", "-1.7300", "--per-page", "500"}
	ride := query(t, append(origin, "--modes", "bike")...)
	walk := query(t, append(origin, "--modes", "walk", "--max-direct-walk", "240", "--max-minutes", "240")...)
	both := query(t, append(origin, "--modes", "bike,transit")...)
	walked := map[string]int32{}
	for _, r := range walk.Results {
		walked[r.School.UAI] = r.DurationS
	}
	far := 0
	for _, r := range ride.Results {
		if r.Modality != "bike" || r.BikeM <= 0 {
			t.Fatalf("--modes bike answered %+v", r)
		}
		if w, ok := walked[r.School.UAI]; r.DistanceM > 2000 && (!ok || r.DurationS < w) {
			far++
		}
	}
	bt := 0
	for _, r := range both.Results {
		if r.Modality == "bike+transit" {
			bt++
		}
	}
	if ride.Summary.Modes != "bike" || len(ride.Results) == 0 || far == 0 || bt == 0 {
		t.Errorf("bike: %d results, %d far ones quicker than walking; bike,transit: %d bike+transit results", len(ride.Results), far, bt)
	}

	// --bike-limit: recorded in the graph, bounded.
	short := filepath.Join(dir, "short.graph")
	if code, _, stderr := reach("build", "--manifest", "../../regions/rennes.json", "--bike-limit", "1000", "--out", short); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, _ := reach("inspect", "--json", short)
	if code != 0 || !strings.Contains(stdout, `"bike_limit": 1000`) {
		t.Errorf("inspect of a graph built with --bike-limit 1000: %.300s", stdout)
	}
	if r := query(t, "--graph", short, "--lat", "48.1720", "--lon", "-1.7300", "--modes", "bike"); len(r.Results) != 0 {
		t.Errorf("with a 1 km bike limit, %d schools 3 km away are ridden to", len(r.Results))
	}
	if code, _, stderr := reach("build", "--manifest", "../../regions/rennes.json", "--bike-limit", "40000", "--out", short); code != 1 || !strings.Contains(stderr, "--bike-limit") {
		t.Errorf("--bike-limit 40000: exit %d, %q", code, stderr)
	}

	// The precomputed index and batch tables with the bike modes.
	idx := filepath.Join(dir, "bike.idx")
	if code, _, stderr := reach("precompute", "--graph", g, "--out", idx, "--csv", idx+".csv", "--modes", "bike,transit",
		"--max-minutes", "30", "--cutoffs", "15,30", "--res", "8"); code != 0 {
		t.Fatal(stderr)
	}
	modalities := csvColumn(t, idx+".csv", "modality")
	if modalities["bike"] == 0 || modalities["bike+transit"] == 0 {
		t.Errorf("index modalities %v", modalities)
	}
	code, stdout, stderr := reach("lookup", "--index", idx, "--lat", "48.1096", "--lon", "-1.6794")
	if code != 0 || !strings.Contains(stdout, `"modality": "bike`) {
		t.Errorf("lookup: exit %d %s %.300s", code, stderr, stdout)
	}
	tab, mat := filepath.Join(dir, "colleges.csv"), filepath.Join(dir, "matrix.csv")
	if code, _, stderr := reach("batch", "--graph", g, "--origins-from-schools", "college", "--modes", "walk,bike",
		"--max-minutes", "30", "--out", tab, "--matrix", mat); code != 0 {
		t.Fatal(stderr)
	}
	// Riding beats walking but where both take no time (the walk wins a
	// tie), so walking rows may be few or none; no vehicle is taken.
	if m := csvColumn(t, mat, "modality"); m["bike"] == 0 || len(m) > 2 || (len(m) == 2 && m["walk"] == 0) {
		t.Errorf("batch matrix modalities %v", m)
	}
}

// csvColumn counts the values of a column of a CSV file.
func csvColumn(t *testing.T, path, column string) map[string]int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("%s: %v", path, err)
	}
	col := -1
	for i, h := range rows[0] {
		if h == column {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("%s: no column %s in %v", path, column, rows[0])
	}
	out := map[string]int{}
	for _, r := range rows[1:] {
		out[r[col]]++
	}
	return out
}
