package batch

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"reach/engine"
	"reach/graph"
	"reach/internal/testregion"
)

// answerCheck compares one origin's figures with the /v1/reachable answer
// (engine.Answer) for the same point: offers per band, distinct schools
// per band (from the listed results), access stops, and, per diploma
// level, the travel time of the first result of the answer filtered on
// that level.
func answerCheck(e *engine.Engine, res *Result, p engine.Params, o int) error {
	org := res.Origins[o]
	q := p
	q.Lat, q.Lon = org.Lat, org.Lon
	a, err := e.Answer(context.Background(), engine.Request{Params: q, Cutoffs: res.Cutoffs, PerPage: 500})
	if err != nil {
		return err
	}
	if a.Summary.Reachable > len(a.Results) {
		return fmt.Errorf("origin %s: %d reachable offers do not fit one page", org.ID, a.Summary.Reachable)
	}
	access, schools, offers, nearest := res.Row(o)
	if int(access) != a.Summary.AccessStop {
		return fmt.Errorf("origin %s: access stops %d, answer %d", org.ID, access, a.Summary.AccessStop)
	}
	perBand := make([]map[string]bool, len(res.Cutoffs))
	for b := range perBand {
		perBand[b] = map[string]bool{}
	}
	for _, r := range a.Results {
		if r.Reachable {
			perBand[r.BandIndex][r.School.UAI] = true
		}
	}
	var total int32
	for b := range res.Cutoffs {
		if int(offers[b]) != a.Summary.Bands[b].Offers {
			return fmt.Errorf("origin %s band %s: %d offers, answer %d", org.ID, a.Summary.Bands[b].Band, offers[b], a.Summary.Bands[b].Offers)
		}
		if int(schools[b]) != len(perBand[b]) {
			return fmt.Errorf("origin %s band %s: %d schools, answer %d", org.ID, a.Summary.Bands[b].Band, schools[b], len(perBand[b]))
		}
		total += schools[b]
	}
	if int(total) != a.Summary.Schools {
		return fmt.Errorf("origin %s: %d schools in all, answer %d", org.ID, total, a.Summary.Schools)
	}
	for l, level := range res.Levels {
		a, err := e.Answer(context.Background(), engine.Request{Params: q, Cutoffs: res.Cutoffs, PerPage: 1, Filter: engine.Filter{Levels: []string{level}}})
		if err != nil {
			return err
		}
		want := int32(-1)
		if len(a.Results) > 0 && a.Results[0].Reachable {
			want = a.Results[0].DurationS
		}
		if nearest[l] != want {
			return fmt.Errorf("origin %s: nearest %s %d s, answer %d s", org.ID, level, nearest[l], want)
		}
	}
	return nil
}

// checkAnswers runs answerCheck for every origin on all cores.
func checkAnswers(t *testing.T, e *engine.Engine, res *Result, p engine.Params) {
	t.Helper()
	errs := make([]error, len(res.Origins))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for o := range next {
				errs[o] = answerCheck(e, res, p, o)
			}
		}()
	}
	for o := range res.Origins {
		next <- o
	}
	close(next)
	wg.Wait()
	bad := 0
	for _, err := range errs {
		if err != nil {
			if bad++; bad <= 5 {
				t.Error(err)
			}
		}
	}
	if bad > 5 {
		t.Errorf("… %d origins disagree in all", bad)
	}
}

// TestRennesCollegesAgreeWithAnswer is the acceptance test: the
// collèges of Ille-et-Vilaine from the school directory, as origins on the
// Rennes graph, give the per-band counts of /v1/reachable for the same
// points. The directory has 117 collège rows, of which 3 UAIs appear twice
// (merged by the build), hence 116 distinct collèges.
func TestRennesCollegesAgreeWithAnswer(t *testing.T) {
	e := rennesEngine(t)
	origins, err := SchoolOrigins(e.Graph(), "college")
	if err != nil {
		t.Fatal(err)
	}
	if len(origins) != 116 {
		t.Fatalf("%d collèges, want 116 (117 directory rows, duplicates merged)", len(origins))
	}
	p := engine.DefaultParams(0, 0)
	res, err := Run(t.Context(), e, origins, Options{Params: p})
	if err != nil {
		t.Fatal(err)
	}
	reaching := 0
	for o := range origins {
		_, _, offers, _ := res.Row(o)
		if offers[0]+offers[1]+offers[2] > 0 {
			reaching++
		}
	}
	// Collèges in and around the city reach lycées within 45 minutes; those
	// far out in the département have no bus of the city network.
	if reaching < 10 || reaching > 100 {
		t.Errorf("%d of 116 collèges reach an offer within 45 min: want between 10 and 100", reaching)
	}
	if len(res.Levels) < 2 {
		t.Errorf("diploma levels %q: want CAP and Bac Pro at least", res.Levels)
	}
	checkAnswers(t, e, res, p)
}

// TestSynthAgreesWithAnswer checks the same agreement on the synthetic
// region (always available), for its collèges and cell origins, with other
// cut-offs, modes and a shorter ceiling.
func TestSynthAgreesWithAnswer(t *testing.T) {
	e := synthEngine(t)
	g := e.Graph()
	colleges, err := SchoolOrigins(g, "college")
	if err != nil {
		t.Fatal(err)
	}
	cells, err := CellOrigins(g, 8, nil)
	if err != nil {
		t.Fatal(err)
	}
	origins := append(colleges, cells...)
	for _, c := range []struct {
		cut   []int
		modes graph.TravelModes
		max   int
	}{
		{nil, graph.DefaultTravelModes, 90},
		{[]int{10, 20, 40}, graph.TravelModes{Walk: true, Transit: true}, 60},
		{[]int{20}, graph.TravelModes{Walk: true}, 30},
	} {
		p := engine.DefaultParams(0, 0)
		p.Modes, p.MaxMinutes = c.modes, c.max
		res, err := Run(t.Context(), e, origins, Options{Params: p, Cutoffs: c.cut})
		if err != nil {
			t.Fatal(err)
		}
		var reached int32
		for _, v := range res.Offers {
			reached += v
		}
		if reached == 0 {
			t.Fatalf("modes %v: no origin reaches any offer", c.modes)
		}
		checkAnswers(t, e, res, p)
	}
}

// TestMatrixMatchesReach checks the matrix rows against Reach.
func TestMatrixMatchesReach(t *testing.T) {
	e := synthEngine(t)
	origins, err := CellOrigins(e.Graph(), 8, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := engine.DefaultParams(0, 0)
	p.MaxMinutes = 60
	res, err := Run(t.Context(), e, origins, Options{Params: p, Cutoffs: []int{30, 60}, Matrix: true})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Matrix
	for o, org := range origins {
		q := p
		q.Lat, q.Lon = org.Lat, org.Lon
		r, err := e.Reach(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		k := m.Start[o]
		for j, s := range r.Reached {
			trip := r.Trips[j]
			if !trip.Found || trip.Duration > 3600 {
				continue
			}
			if k >= m.Start[o+1] || m.School[k] != int32(s) {
				t.Fatalf("origin %s: school %d reachable in %d s is missing from the matrix", org.ID, s, trip.Duration)
			}
			if m.Duration[k] != trip.Duration || m.Modality[k] != trip.Modality || m.Vehicles[k] != int32(trip.Trips) {
				t.Fatalf("origin %s school %d: matrix %d s %v %d vehicles, reach %+v", org.ID, s, m.Duration[k], m.Modality[k], m.Vehicles[k], trip)
			}
			k++
		}
		if k != m.Start[o+1] {
			t.Fatalf("origin %s: %d matrix entries, %d reachable schools", org.ID, m.Start[o+1]-m.Start[o], k-m.Start[o])
		}
	}
	if len(m.School) == 0 {
		t.Fatal("empty matrix")
	}
}

// outputs renders every output of a result into memory.
func outputs(t *testing.T, res *Result) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for name, write := range map[string]func(*bytes.Buffer) error{
		"table.csv":      func(b *bytes.Buffer) error { return WriteCSV(b, res) },
		"table.parquet":  func(b *bytes.Buffer) error { return WriteParquet(b, res) },
		"matrix.csv":     func(b *bytes.Buffer) error { return WriteMatrixCSV(b, res) },
		"matrix.parquet": func(b *bytes.Buffer) error { return WriteMatrixParquet(b, res) },
		"cells.geojson":  func(b *bytes.Buffer) error { return WriteGeoJSON(b, res) },
		"map.png":        func(b *bytes.Buffer) error { return RenderMap(b, "png", res, MapOptions{Width: 400, Title: "t"}) },
		"map.svg":        func(b *bytes.Buffer) error { return RenderMap(b, "svg", res, MapOptions{Width: 400, Title: "t"}) },
	} {
		if strings.HasPrefix(name, "map.") && res.Origins[0].Cell == 0 {
			continue // maps are of cells only
		}
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = b.Bytes()
	}
	return out
}

func sameOutputs(t *testing.T, what string, a, b map[string][]byte) {
	t.Helper()
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s: %s differs (%d and %d bytes)", what, name, len(a[name]), len(b[name]))
		}
	}
}

// TestDeterministic checks that the same inputs give byte-identical files,
// whatever the number of workers.
func TestDeterministic(t *testing.T) {
	e := synthEngine(t)
	origins, err := CellOrigins(e.Graph(), 9, nil)
	if err != nil {
		t.Fatal(err)
	}
	origins = origins[:min(len(origins), 150)]
	opt := Options{Params: engine.DefaultParams(0, 0), Matrix: true, Workers: 1}
	one, err := Run(t.Context(), e, origins, opt)
	if err != nil {
		t.Fatal(err)
	}
	opt.Workers = 4
	four, err := Run(t.Context(), e, origins, opt)
	if err != nil {
		t.Fatal(err)
	}
	first := outputs(t, one)
	sameOutputs(t, "1 vs 4 workers", first, outputs(t, four))
	sameOutputs(t, "same result written twice", first, outputs(t, one))
}

// TestResume interrupts a run after a few origins, damages the last line
// of its checkpoint as a killed process would, and resumes: the output is
// that of an uninterrupted run.
func TestResume(t *testing.T) {
	e := synthEngine(t)
	origins, err := CellOrigins(e.Graph(), 9, nil)
	if err != nil {
		t.Fatal(err)
	}
	origins = origins[:min(len(origins), 120)]
	base := Options{Params: engine.DefaultParams(0, 0), Matrix: true, Workers: 2}
	full, err := Run(t.Context(), e, origins, base)
	if err != nil {
		t.Fatal(err)
	}
	want := outputs(t, full)

	ck := CheckpointPath(t.TempDir() + "/out.csv")
	opt := base
	opt.Checkpoint = ck
	for _, stopAt := range []int{10, 50} {
		ctx, cancel := context.WithCancel(t.Context())
		opt.Progress = func(done, total int) {
			if done >= stopAt {
				cancel()
			}
		}
		_, err := Run(ctx, e, origins, opt)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted run: error %v, want context.Canceled", err)
		}
		if !strings.Contains(err.Error(), ck) {
			t.Errorf("error %q does not name the checkpoint", err)
		}
	}
	data, err := os.ReadFile(ck)
	if err != nil {
		t.Fatal(err)
	}
	kept := bytes.Count(data, []byte("\n")) - 1
	if kept < 50 || kept >= len(origins) {
		t.Fatalf("checkpoint keeps %d origins, want 50..%d", kept, len(origins)-1)
	}
	// A torn last record, as left by a kill during a write.
	if err := os.WriteFile(ck, append(data, `{"i":7,"a":3,"s":[0,`...), 0o644); err != nil {
		t.Fatal(err)
	}
	opt.Progress = nil
	res, err := Run(t.Context(), e, origins, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Resumed != kept {
		t.Errorf("resumed %d origins, the checkpoint kept %d", res.Resumed, kept)
	}
	sameOutputs(t, "resumed vs uninterrupted", want, outputs(t, res))

	// The checkpoint belongs to these inputs only.
	other := opt
	other.Cutoffs = []int{30, 60}
	if _, err := Run(t.Context(), e, origins, other); err == nil || !strings.Contains(err.Error(), "other inputs") {
		t.Errorf("checkpoint of other cut-offs: error %v, want one about other inputs", err)
	}
	if _, err := Run(t.Context(), e, origins[1:], opt); err == nil || !strings.Contains(err.Error(), "other inputs") {
		t.Errorf("checkpoint of other origins: error %v, want one about other inputs", err)
	}
	// A record in the middle that is not JSON is corruption, not a tear.
	lines := strings.SplitAfter(string(data), "\n")
	lines[2] = "garbage\n"
	if err := os.WriteFile(ck, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(t.Context(), e, origins, opt); err == nil || !strings.Contains(err.Error(), ":3:") {
		t.Errorf("corrupt checkpoint: error %v, want one naming line 3", err)
	}
}

// TestRunRefusesBadOptions checks parameter errors.
func TestRunRefusesBadOptions(t *testing.T) {
	e := synthEngine(t)
	o := []Origin{{ID: "a", Lat: 47, Lon: 2}}
	p := engine.DefaultParams(0, 0)
	if _, err := Run(t.Context(), e, nil, Options{Params: p}); err == nil {
		t.Error("no origins: no error")
	}
	if _, err := Run(t.Context(), e, o, Options{Params: p, Cutoffs: []int{30, 120}}); err == nil {
		t.Error("cut-off beyond max_minutes: no error")
	}
	bad := p
	bad.WalkSpeed = 10
	if _, err := Run(t.Context(), e, o, Options{Params: bad}); err == nil || !strings.Contains(err.Error(), "walking speed") {
		t.Errorf("walk speed 10 m/s: error %v", err)
	}
	if _, err := Run(t.Context(), e, []Origin{{ID: "x", Lat: 95, Lon: 2}}, Options{Params: p}); err == nil {
		t.Error("latitude 95: no error")
	}
}

// TestCSVColumns checks the table's header and that every row has every
// column.
func TestCSVColumns(t *testing.T) {
	e := synthEngine(t)
	origins, err := SchoolOrigins(e.Graph(), "all")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(t.Context(), e, origins, Options{Params: engine.DefaultParams(0, 0), Cutoffs: []int{15, 45}})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, res); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := strings.Join(rows[0], ",")
	prefix := "id,name,commune,lat,lon,coverage,access_stops,schools_0_15,schools_15_45,offers_0_15,offers_15_45,schools_reachable,offers_reachable,nearest_"
	if !strings.HasPrefix(head, prefix) {
		t.Errorf("header %s, want it to start with %s", head, prefix)
	}
	if len(rows) != len(origins)+1 {
		t.Fatalf("%d rows, want %d", len(rows)-1, len(origins))
	}
	for i, r := range rows[1:] {
		if r[0] != origins[i].ID || r[1] != origins[i].Name || r[2] != origins[i].Commune || r[5] != res.Coverage[i].String() {
			t.Fatalf("row %d is %q, want origin %+v (origin order) and coverage %s", i+1, r[:6], origins[i], res.Coverage[i])
		}
	}
}

// TestLocationsWithoutOffersCounted: on a graph of plain locations, the
// table counts the locations reached (they are the destinations), as the
// matrix and journeys find them.
func TestLocationsWithoutOffersCounted(t *testing.T) {
	e := engineOf(t, testregion.SynthWithoutOffers(t))
	origins := []Origin{{ID: "centre", Lat: 47, Lon: 2}}
	res, err := Run(t.Context(), e, origins, Options{Params: engine.DefaultParams(0, 0), Matrix: true})
	if err != nil {
		t.Fatal(err)
	}
	_, schools, offers, _ := res.Row(0)
	total := int32(0)
	for _, n := range schools {
		total += n
	}
	for _, n := range offers {
		if n != 0 {
			t.Errorf("offers counted on a graph without offers: %v", offers)
		}
	}
	if total == 0 || int(total) != int(res.Matrix.Start[1]-res.Matrix.Start[0]) {
		t.Errorf("%d locations counted in the bands, %d in the matrix", total, res.Matrix.Start[1]-res.Matrix.Start[0])
	}
}
