package batch

import (
	"bytes"
	"context"
	"encoding/json"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"reach/engine"
	"reach/graph"
	"reach/ingest"
	"reach/ingest/synth"
)

// synthVariant builds the synthetic region for a date after letting edit
// change its source files.
func synthVariant(t *testing.T, date string, edit func(dir string)) *engine.Engine {
	t.Helper()
	dir := t.TempDir()
	if _, err := synth.Generate(dir, synth.Options{}); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(dir)
	}
	m, err := ingest.ReadManifest(filepath.Join(dir, synth.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	src, err := m.Sources()
	if err != nil {
		t.Fatal(err)
	}
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		t.Fatal(err)
	}
	g, err := ingest.Build(src, ingest.Options{Date: d})
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(g)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// reachedOffers lists the offers reachable within the last cut-off from a
// place, as "UAI voie code" strings (one per offer, repeated when a school
// lists the same training twice), straight from the engine.
func reachedOffers(t *testing.T, e *engine.Engine, p engine.Params, o Origin, last int) []string {
	t.Helper()
	p.Lat, p.Lon = o.Lat, o.Lon
	r, err := e.Reach(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	pl := &e.Graph().Places
	var out []string
	for k, s := range r.Reached {
		trip := r.Trips[k]
		if !trip.Found || trip.Duration > int32(last)*60 {
			continue
		}
		a, b := pl.OffersOf(s)
		for k := a; k < b; k++ {
			out = append(out, pl.SchoolID[s]+" "+pl.OfferVoie[k].String()+" "+pl.OfferCode[k]+" "+pl.OfferLabel[k])
		}
	}
	return out
}

// minus counts the elements of a not matched in b (multisets).
func minus(a, b []string) int32 {
	left := map[string]int{}
	for _, x := range b {
		left[x]++
	}
	var n int32
	for _, x := range a {
		if left[x] > 0 {
			left[x]--
		} else {
			n++
		}
	}
	return n
}

// TestDiffAgainstTheEngine compares the region's Tuesday with its
// Saturday (no school bus, fewer buses) and with a graph without the town's
// buses: every origin's offers lost and gained equal those recounted from
// the engine's own answers, the net change is what the two tables say, and
// the summary adds up.
func TestDiffAgainstTheEngine(t *testing.T) {
	tue := synthEngine(t)
	t.Run("saturday", func(t *testing.T) { checkDiff(t, tue, synthVariant(t, "2026-03-14", nil)) })
	noBus := synthVariant(t, synth.Date, withoutBuses(t))
	t.Run("without-buses", func(t *testing.T) { checkDiff(t, tue, noBus) })
	t.Run("buses-back", func(t *testing.T) { checkDiff(t, noBus, tue) })
}

// checkDiff compares a diff of two engines with their answers.
func checkDiff(t *testing.T, tue, sat *engine.Engine) {
	origins, err := CellOrigins(tue.Graph(), 8, nil)
	if err != nil {
		t.Fatal(err)
	}
	schools, err := SchoolOrigins(tue.Graph(), "all")
	if err != nil {
		t.Fatal(err)
	}
	origins = append(origins, schools...)
	p := engine.DefaultParams(0, 0)
	d, err := Compare(t.Context(), tue, sat, origins, Options{Params: p})
	if err != nil {
		t.Fatal(err)
	}
	last := d.Old.Cutoffs[len(d.Old.Cutoffs)-1]
	oldR := reachable(d.Old.Offers, len(d.Old.Cutoffs), len(origins))
	newR := reachable(d.New.Offers, len(d.New.Cutoffs), len(origins))
	losing := 0
	for o, org := range origins {
		a := reachedOffers(t, tue, p, org, last)
		b := reachedOffers(t, sat, p, org, last)
		if lost, gained := minus(a, b), minus(b, a); d.OffersLost[o] != lost || d.OffersGained[o] != gained {
			t.Errorf("origin %s: lost %d, gained %d; the engine's answers say %d, %d", org.ID, d.OffersLost[o], d.OffersGained[o], lost, gained)
		}
		if int32(len(a)) != oldR[o] || int32(len(b)) != newR[o] || d.OffersGained[o]-d.OffersLost[o] != newR[o]-oldR[o] {
			t.Errorf("origin %s: %d → %d reachable offers (engine %d → %d), lost %d, gained %d",
				org.ID, oldR[o], newR[o], len(a), len(b), d.OffersLost[o], d.OffersGained[o])
		}
		if d.OffersLost[o] > 0 {
			losing++
		}
	}
	s := d.Summary(5)
	t.Logf("%d origins: %d lose an offer, %d gain one, median change %g", s.Origins, s.Losing, s.Gaining, s.MedianChange)
	gaining := 0
	for o := range origins {
		if d.OffersGained[o] > 0 {
			gaining++
		}
	}
	if s.Losing != losing || s.Gaining != gaining || losing+gaining == 0 || s.Losing+s.Unchanged > s.Origins {
		t.Errorf("summary %+v; %d origins lose an offer, %d gain one", s, losing, gaining)
	}
	if len(s.Losers) != min(5, losing) {
		t.Fatalf("%d losers named, want %d", len(s.Losers), min(5, losing))
	}
	for i, l := range s.Losers {
		if i > 0 && l.Lost > s.Losers[i-1].Lost {
			t.Errorf("losers not sorted: %+v", s.Losers)
		}
		if l.Lost <= 0 || l.OffersOld-l.OffersNew > l.Lost {
			t.Errorf("loser %+v", l)
		}
	}
	var buf bytes.Buffer
	if err := WriteDiffCSV(&buf, d); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, buf.Bytes())
	head := strings.Join(rows[0], ",")
	for _, want := range []string{"id,name,commune,lat,lon,coverage_old,coverage_new,access_stops_old,access_stops_new,schools_0_15_old,schools_0_15_new,schools_0_15_change,",
		",offers_reachable_old,offers_reachable_new,offers_reachable_change,schools_lost,schools_gained,offers_lost,offers_gained"} {
		if !strings.Contains(head, want) {
			t.Errorf("header %s lacks %s", head, want)
		}
	}
	col := slices.Index(rows[0], "offers_reachable_change")
	for o := range origins {
		if got, _ := strconv.Atoi(rows[o+1][col]); int32(got) != newR[o]-oldR[o] || rows[o+1][0] != origins[o].ID {
			t.Errorf("row %d: %s change %s, want %s %d", o+1, rows[o+1][0], rows[o+1][col], origins[o].ID, newR[o]-oldR[o])
		}
	}
	if !slices.Equal(rows[0], d.Columns()) || len(rows) != len(origins)+1 {
		t.Errorf("%d rows; header differs from Columns()", len(rows))
	}
}

// TestDiffOfAGraphWithItself: nothing lost, nothing gained.
func TestDiffOfAGraphWithItself(t *testing.T) {
	e := synthEngine(t)
	origins, err := SchoolOrigins(e.Graph(), "all")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Compare(t.Context(), e, e, origins, Options{Params: engine.DefaultParams(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	s := d.Summary(10)
	if s.Losing != 0 || s.Gaining != 0 || s.Unchanged != len(origins) || s.MedianChange != 0 || len(s.Losers) != 0 || s.LosingPercent != 0 {
		t.Errorf("summary %+v", s)
	}
	changes, err := d.Changes(45)
	if err != nil {
		t.Fatal(err)
	}
	for o, c := range changes {
		if c != 0 || d.OffersLost[o] != 0 || d.OffersGained[o] != 0 || d.SchoolsLost[o] != 0 {
			t.Errorf("origin %s changes", origins[o].ID)
		}
	}
}

// TestDiffCountsAWithdrawnOffer removes one training of one school: the
// origins that reach that school in both graphs lose exactly that offer,
// and no school.
func TestDiffCountsAWithdrawnOffer(t *testing.T) {
	old := synthEngine(t)
	var removed string // its school
	newE := synthVariant(t, synth.Date, func(dir string) {
		path := filepath.Join(dir, synth.OffersFile)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(string(b), "\n")
		removed, _, _ = strings.Cut(lines[1], ",")
		if err := os.WriteFile(path, []byte(lines[0]+strings.Join(lines[2:], "")), 0o644); err != nil {
			t.Fatal(err)
		}
	})
	origins, err := CellOrigins(old.Graph(), 8, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Compare(t.Context(), old, newE, origins, Options{Params: engine.DefaultParams(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := old.Graph().Places.SchoolByUAI(removed)
	reaching := 0
	for o := range origins {
		m := d.Old.Matrix
		reaches := false
		for k := m.Start[o]; k < m.Start[o+1]; k++ {
			reaches = reaches || (graph.SchoolIdx(m.School[k]) == s && m.Duration[k] <= 90*60)
		}
		want := int32(0)
		if reaches {
			want = 1
			reaching++
		}
		if d.OffersLost[o] != want || d.OffersGained[o] != 0 || d.SchoolsLost[o] != 0 || d.SchoolsGained[o] != 0 {
			t.Errorf("origin %s (reaches %s: %v): offers lost %d gained %d, schools lost %d gained %d",
				origins[o].ID, removed, reaches, d.OffersLost[o], d.OffersGained[o], d.SchoolsLost[o], d.SchoolsGained[o])
		}
	}
	if reaching == 0 {
		t.Fatalf("no origin reaches %s", removed)
	}
	if got := d.Summary(0).Losing; got != reaching {
		t.Errorf("%d origins losing, want %d", got, reaching)
	}
}

// withoutBuses drops the town's bus and tram feed from the region's
// manifest, keeping the school buses.
func withoutBuses(t *testing.T) func(dir string) {
	return func(dir string) {
		path := filepath.Join(dir, synth.ManifestFile)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "gtfs")
		if b, err = json.Marshal(m); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDiffOutputs writes the table as CSV and Parquet with their metadata,
// and the map, whose cells show the diverging colour of their change.
func TestDiffOutputs(t *testing.T) {
	tue := synthEngine(t)
	sat := synthVariant(t, synth.Date, withoutBuses(t))
	box := BBox{1.96, 46.98, 2.04, 47.02}
	origins, err := CellOrigins(tue.Graph(), 9, &box)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Compare(t.Context(), tue, sat, origins, Options{Params: engine.DefaultParams(0, 0), Cutoffs: []int{15, 30, 45, 60, 90}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WriteDiffTable(filepath.Join(dir, "d.csv"), d); err != nil {
		t.Fatal(err)
	}
	if err := WriteDiffTable(filepath.Join(dir, "d.parquet"), d); err != nil {
		t.Fatal(err)
	}
	csvB, _ := os.ReadFile(filepath.Join(dir, "d.csv"))
	parB, _ := os.ReadFile(filepath.Join(dir, "d.parquet"))
	rows := readCSV(t, csvB)
	names, prows := readParquet(t, parB)
	if !slices.Equal(names, rows[0]) || len(prows) != len(rows)-1 || !slices.Equal(prows[3], rows[4]) {
		t.Errorf("the Parquet table differs from the CSV one")
	}
	meta, err := os.ReadFile(filepath.Join(dir, "d.meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"tool": "reach diff"`, `"feeds": [
      "scol"
    ]`, `"date": "2026-03-10"`, `"losing":`, `"biggest_losers"`} {
		if !bytes.Contains(meta, []byte(want)) {
			t.Errorf("d.meta.json lacks %s", want)
		}
	}

	opt := MapOptions{Width: 700}
	f, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	_, pr, err := buildDiffMap(d, opt, f)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := RenderDiffMap(&b, "png", d, opt); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	changes, _ := d.Changes(90)
	var maxAbs int32
	for _, v := range changes {
		maxAbs = max(maxAbs, v, -v)
	}
	sc := newDiverging(maxAbs)
	signs := map[int]bool{}
	for o, org := range origins {
		c := pr.at(org.Lat, org.Lon)
		got := color.NRGBAModel.Convert(img.At(int(c.x), int(c.y))).(color.NRGBA)
		want := sc.color(changes[o])
		if d.Old.Coverage[o] == CoverageOutside && d.New.Coverage[o] == CoverageOutside {
			want = outsideColor
		}
		if got != want {
			t.Fatalf("cell %s (change %d): pixel %v, want %v", org.ID, changes[o], got, want)
		}
		switch {
		case changes[o] < 0:
			signs[-1] = true
			if want.R <= want.B {
				t.Errorf("a loss drawn in %v, not red", want)
			}
		case changes[o] > 0:
			signs[1] = true
		default:
			signs[0] = true
		}
	}
	if !signs[-1] || !signs[0] {
		t.Errorf("the map shows changes of signs %v, want losses and no change at least", signs)
	}
	if err := RenderDiffMap(&b, "png", d, MapOptions{Minutes: 50}); err == nil {
		t.Error("50 minutes, not a cut-off: no error")
	}
}

// TestDivergingScale: symmetric classes, 0 neutral, losses red, gains
// blue, darker farther from 0.
func TestDivergingScale(t *testing.T) {
	d := newDiverging(37) // classes of 10: 1–10, 11–20, 21–30, 31–40
	if d.step != 10 || d.n != 4 {
		t.Fatalf("step %d, %d classes", d.step, d.n)
	}
	if d.color(0) != neutralColor || d.color(1) != d.color(10) || d.color(10) == d.color(11) || d.color(-1) == d.color(1) {
		t.Error("classes do not run 1–10, 11–20… on each side of a neutral 0")
	}
	lum := func(c color.NRGBA) int { return int(c.R) + int(c.G) + int(c.B) }
	for v := int32(1); v <= 31; v += 10 {
		if c := d.color(-v); c.R <= c.B {
			t.Errorf("loss %d drawn %v, not red", v, c)
		}
		if c := d.color(v); c.B <= c.R {
			t.Errorf("gain %d drawn %v, not blue", v, c)
		}
		if v > 1 && (lum(d.color(v)) >= lum(d.color(v-10)) || lum(d.color(-v)) >= lum(d.color(-v+10))) {
			t.Errorf("class of %d not darker than the one before", v)
		}
	}
	if got := d.legend(); len(got) != 9 || got[4].label != "0" || got[0].label != "−31…−40" || got[8].label != "+31…+40" {
		t.Errorf("legend %v", got)
	}
	if got := newDiverging(0).legend(); len(got) != 1 {
		t.Errorf("legend of no change: %v", got)
	}
}
