package fetch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"reach/ingest"
	"reach/ingest/synth"
)

func TestNewBuildManifest(t *testing.T) {
	valid := &DateRange{From: date(2026, 1, 5), To: date(2026, 6, 30)}
	ok := func(line int, typ string, kind Kind, file, sum string) SourceResult {
		return SourceResult{Source: Source{Line: line, Name: "row " + file, Type: typ, Kind: kind,
			Slug: strings.Split(file, ".")[0], File: file}, Status: StatusDownloaded, SHA256: sum, Validity: valid}
	}
	res := &Result{
		Dir: filepath.Join("tmp", "data"),
		Sources: []SourceResult{
			ok(2, "Transport", KindGTFS, "a.zip", "sa"),
			ok(3, "Scolaire", KindGTFS, "b.zip", "sb"),
			ok(4, "Mixte", KindGTFS, "c.zip", "sc"),
			{Source: Source{Line: 5, Name: "row d.zip", Type: "Transport", Kind: KindGTFS, File: "d.zip"}, Status: StatusFailed, Error: "HTTP 404"},
			{Source: Source{Line: 6, Name: "row e.zip", Type: "Transport", Kind: KindGTFS, File: "e.zip"}, Status: StatusDownloaded, SHA256: "se",
				ValidityError: "gtfs: e.zip: no service dates in its calendar files"},
			ok(7, "Transport", KindGTFS, "f.zip", "sa"),
			ok(8, "OSM", KindOSM, "g.osm.pbf", "sg"),
			ok(9, "OSM", KindOSM, "h.osm", "sh"),
			ok(10, "OSM", KindOSM, "i.osm.bz2", "si"),
			ok(11, "SCOLAIRE ", KindGTFS, "j.zip", "sj"),
		},
		BuildDate: BuildDate{Date: date(2026, 3, 24)},
	}
	m, left, err := res.NewBuildManifest(filepath.Join("tmp", "region.json"), "Bretagne")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"Bretagne","date":"2026-03-24",` +
		`"gtfs":[{"name":"a","path":"data/a.zip"},{"name":"c","path":"data/c.zip"}],` +
		`"school_gtfs":[{"name":"b","path":"data/b.zip"},{"name":"j","path":"data/j.zip"}],` +
		`"osm":["data/g.osm.pbf","data/h.osm"]}`
	if string(b) != want {
		t.Errorf("manifest\n%s\nwant\n%s", b, want)
	}
	var reasons []string
	for _, l := range left {
		reasons = append(reasons, l.File+": "+l.Reason)
	}
	wantLeft := []string{
		"d.zip: failed: HTTP 404",
		"e.zip: invalid: no validity range: gtfs: e.zip: no service dates in its calendar files",
		"f.zip: same file as a.zip (line 2)",
		"i.osm.bz2: compressed OSM XML (.osm.bz2): the builder reads .osm.pbf and .osm; decompress it first",
	}
	if !slices.Equal(reasons, wantLeft) {
		t.Errorf("left out:\n%s\nwant\n%s", strings.Join(reasons, "\n"), strings.Join(wantLeft, "\n"))
	}

	// One OSM extract is written as a string; paths are relative to the
	// manifest wherever it is.
	res.Sources = res.Sources[:7] // one OSM extract, g
	m, _, err = res.NewBuildManifest(filepath.Join("tmp", "data", "region.json"), "x")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(m.OSM); string(b) != `"g.osm.pbf"` || m.GTFS[0].Path != "a.zip" {
		t.Errorf("osm %s, gtfs %+v", b, m.GTFS)
	}
	m, _, _ = res.NewBuildManifest(filepath.Join("tmp", "out", "m.json"), "x")
	if m.GTFS[0].Path != "../data/a.zip" {
		t.Errorf("manifest outside the directory: path %q", m.GTFS[0].Path)
	}
	var back BuildManifest
	if b, err := json.Marshal(m); err != nil || json.Unmarshal(b, &back) != nil || !slices.Equal(back.OSM, m.OSM) {
		t.Errorf("round trip of %s: %+v", b, back)
	}
}

func TestWriteBuildManifestRefusals(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "data")
	res := &Result{Dir: dir, Sources: []SourceResult{
		{Source: Source{Line: 2, Name: "A", Kind: KindGTFS, File: "a.zip"}, Status: StatusFailed, Error: "HTTP 500"},
	}}
	out := filepath.Join(tmp, "region.json")
	left, err := res.WriteBuildManifest(out, "x")
	if !errors.Is(err, errNoFeed) || len(left) != 1 {
		t.Errorf("no feed: %v, left out %+v", err, left)
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a manifest without feeds was written: %v", err)
	}
	res.Sources[0] = SourceResult{Source: Source{Line: 2, Name: "A", Kind: KindGTFS, Slug: "a", File: "a.zip"},
		Status: StatusDownloaded, SHA256: "s", Validity: &DateRange{From: date(2026, 1, 5), To: date(2026, 6, 30)}}
	if _, err := res.WriteBuildManifest(filepath.Join(dir, ManifestName), "x"); err == nil {
		t.Error("the download directory's own manifest was overwritten")
	}
	out = filepath.Join(tmp, "new", "dir", "region.json")
	if _, err := res.WriteBuildManifest(out, "x"); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(out); err != nil || !bytes.Contains(b, []byte(`"path": "../../data/a.zip"`)) {
		t.Errorf("written manifest: %v\n%s", err, b)
	}
}

// zipDir returns a zip of the files of dir, at its root.
func zipDir(t testing.TB, dir string) []byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(b)
	}
	return makeZip(t, "", files, nil)
}

// regionServer serves the feeds named by testdata/transports.csv: the
// synthetic region's town and school-bus feeds and streets, small feeds
// for the other rows (the Mixte one with a route_type 712 route), a 404
// and a zip that is not a feed. It records the paths asked for.
type regionServer struct {
	*httptest.Server
	mu    sync.Mutex
	paths []string
}

func newRegionServer(t *testing.T) *regionServer {
	t.Helper()
	src := t.TempDir()
	if _, err := synth.Generate(src, synth.Options{}); err != nil {
		t.Fatal(err)
	}
	streets, err := os.ReadFile(filepath.Join(src, synth.StreetsFile))
	if err != nil {
		t.Fatal(err)
	}
	mixte := gtfsFiles("20260105", "20260630")
	mixte["routes.txt"] = "route_id,agency_id,route_short_name,route_type\nR1,A,S1,712\n"
	bodies := map[string][]byte{
		"/feeds/urbain.zip":    zipDir(t, filepath.Join(src, synth.FeedDir)),
		"/feeds/scolaire.zip":  zipDir(t, filepath.Join(src, synth.SchoolFeedDir)),
		"/feeds/mixte.zip":     makeZip(t, "", mixte, nil),
		"/feeds/notgtfs.zip":   makeZip(t, "", map[string]string{"rapport.txt": "bilan"}, nil),
		"/osm/streets.osm":     streets,
		"/feeds/mobigo-58.zip": makeZip(t, "", shifted(gtfsFiles("20260112", "20260630"), "08"), nil),
		"/feeds/mobigo-89.zip": makeZip(t, "", shifted(gtfsFiles("20260119", "20260630"), "09"), nil),
		"/feeds/idfm.zip":      makeZip(t, "", shifted(gtfsFiles("20260126", "20260630"), "10"), nil),
	}
	rs := &regionServer{}
	mod := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	rs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs.mu.Lock()
		rs.paths = append(rs.paths, r.URL.Path)
		rs.mu.Unlock()
		b, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		serve(w, r, content{b, mod})
	}))
	t.Cleanup(rs.Close)
	return rs
}

func (rs *regionServer) requested() []string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	out := slices.Clone(rs.paths)
	slices.Sort(out)
	return slices.Compact(out)
}

// The whole pipeline on a list in the service's format with the three
// malformed rows: they are skipped as bad_url without a request, the
// other rows are downloaded, and the build manifest written names the
// feeds that arrived, which ingest builds into a graph.
func TestFetchWritesBuildManifest(t *testing.T) {
	srv := newRegionServer(t)
	tmp := t.TempDir()
	csvPath := writeFixtureCSV(t, tmp, "transports.csv", srv.URL)
	dir := filepath.Join(tmp, "data")
	manPath := filepath.Join(dir, BuildManifestName)
	opt := testOptions(t)
	opt.Retries = -1
	opt.BuildManifest = manPath
	res, err := Fetch(context.Background(), csvPath, dir, opt)
	if res == nil {
		t.Fatal(err)
	}
	if err == nil || !strings.Contains(err.Error(), "2 of 9 sources failed") {
		t.Errorf("error %v, want the 2 failures of 9 sources", err)
	}
	checkBadURLRows(t, res.Skipped)
	wantPaths := []string{"/feeds/idfm.zip", "/feeds/missing.zip", "/feeds/mixte.zip", "/feeds/mobigo-58.zip",
		"/feeds/mobigo-89.zip", "/feeds/notgtfs.zip", "/feeds/scolaire.zip", "/feeds/urbain.zip", "/osm/streets.osm"}
	if got := srv.requested(); !slices.Equal(got, wantPaths) {
		t.Errorf("requested %q\nwant %q", got, wantPaths)
	}

	var report bytes.Buffer
	if err := res.Report(&report); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`skipped    bad_url: ` + csvPath + `:2: "Fichier nécessitant une connexion" (URL GTFS of Réseau scolaire Exemple)`,
		`skipped    bad_url: ` + csvPath + `:4: "Fichier invalide après traitement`,
		"Build manifest " + manPath + ": 5 GTFS feeds, 1 school feeds, 1 OSM extracts, date " + res.BuildDate.Date.Format(time.DateOnly),
		"left out   Réseau urbain fermé (line 8, reseau-urbain-ferme.zip): failed: HTTP 404",
		"left out   Rapport d'activité (line 9, rapport-d-activite.zip): failed: ",
	} {
		if !strings.Contains(report.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, report.String())
		}
	}
	if res.BuildManifest != manPath || len(res.LeftOut) != 2 {
		t.Errorf("result: manifest %q, left out %+v", res.BuildManifest, res.LeftOut)
	}

	raw, err := os.ReadFile(manPath)
	if err != nil {
		t.Fatal(err)
	}
	var bm BuildManifest
	if err := json.Unmarshal(raw, &bm); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range bm.GTFS {
		names = append(names, f.Name+"="+f.Path)
	}
	wantNames := []string{"reseau-urbain-korrigo=reseau-urbain-korrigo.zip",
		"reseau-urbain-et-scolaire-guingamp=reseau-urbain-et-scolaire-guingamp.zip",
		"reseau-interurbain-mobigo-nievre=reseau-interurbain-mobigo-nievre.zip",
		"reseau-interurbain-mobigo-yonne=reseau-interurbain-mobigo-yonne.zip",
		"reseau-ile-de-france-mobilites=reseau-ile-de-france-mobilites.zip"}
	if !slices.Equal(names, wantNames) || len(bm.SchoolGTFS) != 1 || bm.SchoolGTFS[0].Name != "reseau-scolaire-de-la-vauvre" ||
		bm.Name != "transports" || bm.Date != res.BuildDate.Date.Format(time.DateOnly) || bm.Date == "" {
		t.Errorf("manifest:\n%s", raw)
	}
	if !bytes.Contains(raw, []byte(`"osm": "extrait-osm-de-la-vauvre.osm"`)) {
		t.Errorf("one OSM extract should be written as a string:\n%s", raw)
	}

	m, err := ingest.ReadManifest(manPath)
	if err != nil {
		t.Fatal(err)
	}
	src, err := m.Sources()
	if err != nil {
		t.Fatal(err)
	}
	day, err := time.Parse(time.DateOnly, m.Date)
	if err != nil {
		t.Fatal(err)
	}
	g, err := ingest.Build(src, ingest.Options{Date: day})
	if err != nil {
		t.Fatal(err)
	}
	s := g.Summarize()
	if len(s.Feeds) != 6 || s.Streets == nil || s.Streets.WaysKept == 0 || s.Timetable.Trips == 0 {
		t.Fatalf("graph: %d feeds, streets %+v, %d trips", len(s.Feeds), s.Streets, s.Timetable.Trips)
	}
	school := map[string]bool{}
	for _, f := range s.Feeds {
		school[f.Name] = f.School
		if f.Scheduled.Trips == 0 {
			t.Errorf("feed %s: no trip on %s (service date %s)", f.Name, m.Date, f.ServiceDate)
		}
	}
	if !school["reseau-scolaire-de-la-vauvre"] || school["reseau-urbain-et-scolaire-guingamp"] || len(school) != 6 {
		t.Errorf("school feeds %v: want only the Scolaire one declared", school)
	}
	// Two school-bus lines in the Scolaire feed, one route_type 712 line
	// in the Mixte feed.
	if s.Timetable.School != 3 {
		t.Errorf("%d school lines, want 3", s.Timetable.School)
	}
}

// A run with a region writes a manifest of that region's feeds only,
// named after it.
func TestFetchRegionBuildManifest(t *testing.T) {
	srv := newRegionServer(t)
	tmp := t.TempDir()
	csvPath := writeFixtureCSV(t, tmp, "transports.csv", srv.URL)
	opt := testOptions(t)
	opt.Region = "BOURGOGNE-FRANCHE-COMTE"
	opt.BuildManifest = filepath.Join(tmp, "out", "bfc.json")
	res, err := Fetch(context.Background(), csvPath, filepath.Join(tmp, "data"), opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.LeftOut) != 0 || len(res.Skipped) != 0 {
		t.Errorf("left out %+v, skipped %+v", res.LeftOut, res.Skipped)
	}
	raw, err := os.ReadFile(opt.BuildManifest)
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "name": "Bourgogne-Franche-Comté",
  "date": "` + res.BuildDate.Date.Format(time.DateOnly) + `",
  "gtfs": [
    {
      "name": "reseau-interurbain-mobigo-nievre",
      "path": "../data/reseau-interurbain-mobigo-nievre.zip"
    },
    {
      "name": "reseau-interurbain-mobigo-yonne",
      "path": "../data/reseau-interurbain-mobigo-yonne.zip"
    }
  ]
}
`
	if string(raw) != want {
		t.Errorf("manifest\n%s\nwant\n%s", raw, want)
	}
	if _, err := ingest.ReadManifest(opt.BuildManifest); err != nil {
		t.Error(err)
	}
}

// shifted moves the trip of a small feed to another hour, so that feeds
// built from the same files are not the same trip published twice (which
// the builder keeps once).
func shifted(files map[string]string, hour string) map[string]string {
	files["stop_times.txt"] = strings.ReplaceAll(files["stop_times.txt"], "07:", hour+":")
	return files
}
