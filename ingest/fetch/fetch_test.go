package fetch

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fixtureServer serves the resources named by testdata/sources.csv, each
// with its own misbehaviour.
type fixtureServer struct {
	*httptest.Server
	rec *recorder

	mu       sync.Mutex
	clean    content
	flakyN   int
	busyN    int
	droppedN int
}

func newFixtureServer(t *testing.T) *fixtureServer {
	t.Helper()
	mod := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	nested := makeZip(t, "export/GTFS", gtfsFiles("20260301", "20260831"), map[string]string{
		"__MACOSX/export/GTFS/._stops.txt": "\x00\x05\x16\x07junk",
		"export/GTFS/.DS_Store":            "junk",
		"export/lisezmoi.pdf":              "%PDF",
	})
	flaky := makeZip(t, "", gtfsFiles("20251201", "20260415"), nil)
	busy := makeZip(t, "", gtfsFiles("20260110", "20260710"), nil)
	notGTFS := makeZip(t, "", map[string]string{"rapport.txt": "bilan", "agency.txt": "agency_id\nA\n"}, nil)
	bretagne := content{randomBytes(300_000, 1), mod}
	ille := content{randomBytes(50_000, 2), mod}

	fs := &fixtureServer{rec: newRecorder(), clean: content{makeZip(t, "", gtfsFiles("20260105", "20260630"), nil), mod}}
	mux := http.NewServeMux()
	mux.HandleFunc("/feeds/clean.zip", func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		c := fs.clean
		fs.mu.Unlock()
		serve(w, r, c)
	})
	mux.HandleFunc("/feeds/nested.zip", func(w http.ResponseWriter, r *http.Request) {
		serve(w, r, content{nested, mod})
	})
	mux.HandleFunc("/feeds/flaky.zip", func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		fs.flakyN++
		n := fs.flakyN
		fs.mu.Unlock()
		if n <= 2 {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		serve(w, r, content{flaky, mod})
	})
	mux.HandleFunc("/feeds/busy.zip", func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		fs.busyN++
		n := fs.busyN
		fs.mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		serve(w, r, content{busy, mod})
	})
	mux.HandleFunc("/feeds/notgtfs.zip", func(w http.ResponseWriter, r *http.Request) {
		serve(w, r, content{notGTFS, mod})
	})
	mux.HandleFunc("/feeds/missing.zip", http.NotFound)
	mux.HandleFunc("/osm/bretagne-latest.osm.pbf", func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		fs.droppedN++
		n := fs.droppedN
		fs.mu.Unlock()
		if n == 1 {
			writeHalfAndDrop(w, bretagne)
		}
		serve(w, r, bretagne)
	})
	mux.HandleFunc("/osm/ille-et-vilaine.osm.pbf", func(w http.ResponseWriter, r *http.Request) {
		serve(w, r, ille)
	})
	fs.Server = httptest.NewServer(fs.rec.wrap(mux))
	t.Cleanup(fs.Close)
	return fs
}

func TestFetch(t *testing.T) {
	srv := newFixtureServer(t)
	tmp := t.TempDir()
	csvPath := writeSourcesCSV(t, tmp, srv.URL)
	dir := filepath.Join(tmp, "data")

	var progMu sync.Mutex
	var lastDone, lastTotal int64
	calls := 0
	opt := testOptions(t)
	opt.Progress = func(done, total int64) {
		progMu.Lock()
		defer progMu.Unlock()
		lastDone, lastTotal = done, total
		calls++
	}
	res, err := Fetch(context.Background(), csvPath, dir, opt)
	if res == nil {
		t.Fatalf("Fetch: %v", err)
	}

	// The error names the two failures, and only them.
	if err == nil {
		t.Fatal("Fetch reported no error although two sources fail")
	}
	msg := err.Error()
	if !strings.Contains(msg, "2 of 8 sources failed") || !strings.Contains(msg, "ligne-fermee.zip") ||
		!strings.Contains(msg, "rapport-d-activite.zip") {
		t.Errorf("error %q should name the 2 failed sources of 8", msg)
	}
	for _, ok := range []string{"reseau-star-rennes", "busy", "flaky", "bretagne"} {
		if strings.Contains(msg, ok) {
			t.Errorf("error %q names %s, which succeeded", msg, ok)
		}
	}

	clean := bySource(t, res, "reseau-star-rennes.zip")
	if clean.Status != StatusDownloaded || clean.Repaired || clean.Attempts != 1 {
		t.Errorf("clean feed: %+v", clean)
	}
	if got, want := clean.SHA256, sha(srv.clean.body); got != want {
		t.Errorf("clean feed sha256 %s, want the served one %s", got, want)
	}

	// Sub-folder + __MACOSX + dot-file: rewritten with the .txt at the root.
	nested := bySource(t, res, "cars-scolaires-d-ille-et-vilaine.zip")
	if nested.Status != StatusDownloaded || !nested.Repaired || nested.Type != "Scolaire" {
		t.Errorf("nested feed: %+v", nested)
	}
	names := zipNames(t, filepath.Join(dir, nested.File))
	if strings.Join(names, " ") != "agency.txt calendar.txt routes.txt stop_times.txt stops.txt trips.txt" {
		t.Errorf("repaired zip holds %q, want the six .txt files at the root", names)
	}
	if nested.SHA256 != fileSHA(t, filepath.Join(dir, nested.File)) {
		t.Error("nested feed: recorded sha256 is not the one of the repaired file")
	}

	flaky := bySource(t, res, "reseau-mat-saint-malo.zip")
	if flaky.Status != StatusDownloaded || flaky.Attempts != 3 {
		t.Errorf("flaky feed (503, 503, 200): status %s after %d attempts, want downloaded after 3", flaky.Status, flaky.Attempts)
	}

	busy := bySource(t, res, "vitre-communaute.zip")
	if busy.Status != StatusDownloaded || busy.Attempts != 2 {
		t.Errorf("busy feed (429 then 200): status %s after %d attempts", busy.Status, busy.Attempts)
	}
	if times := srv.rec.times["/feeds/busy.zip"]; len(times) < 2 || times[1].Sub(times[0]) < 900*time.Millisecond {
		t.Errorf("the retry after 429 with Retry-After: 1 came too early: %v (backoff alone is 1ms)", times)
	}

	missing := bySource(t, res, "ligne-fermee.zip")
	if missing.Status != StatusFailed || missing.Attempts != 1 || !strings.Contains(missing.Error, "404") {
		t.Errorf("missing feed: %+v; want failed after one attempt with HTTP 404", missing)
	}
	if _, err := os.Stat(filepath.Join(dir, missing.File)); err == nil {
		t.Error("a file exists for the missing feed")
	}

	notGTFS := bySource(t, res, "rapport-d-activite.zip")
	if notGTFS.Status != StatusFailed || !strings.Contains(notGTFS.Error, "not a GTFS feed") {
		t.Errorf("not-GTFS zip: %+v", notGTFS)
	}
	if _, err := os.Stat(filepath.Join(dir, notGTFS.File)); err == nil {
		t.Error("the not-GTFS zip was installed")
	}
	if _, err := os.Stat(filepath.Join(dir, notGTFS.File+".rejected")); err != nil {
		t.Errorf("the not-GTFS zip is not kept for inspection: %v", err)
	}

	// Dropped mid-body, then resumed with a Range request.
	osm := bySource(t, res, "bretagne-extrait-osm.osm.pbf")
	if osm.Kind != KindOSM || osm.Status != StatusResumed {
		t.Errorf("dropped OSM extract: kind %s status %s, want osm resumed", osm.Kind, osm.Status)
	}
	if got, want := srv.rec.header("/osm/bretagne-latest.osm.pbf", 1, "Range"), "bytes=150000-"; got != want {
		t.Errorf("second request Range %q, want %q", got, want)
	}
	if srv.rec.header("/osm/bretagne-latest.osm.pbf", 1, "If-Range") == "" {
		t.Error("resume request carries no If-Range")
	}
	if got, want := fileSHA(t, filepath.Join(dir, osm.File)), sha(randomBytes(300_000, 1)); got != want || osm.SHA256 != want {
		t.Errorf("resumed file sha256 %s (recorded %s), want %s", got, osm.SHA256, want)
	}
	if osm.Received != 300_000 {
		t.Errorf("resumed download received %d bytes, want 300000 (half, then the other half)", osm.Received)
	}
	if _, err := os.Stat(filepath.Join(dir, osm.File+".part")); err == nil {
		t.Error("the .part file is left after completion")
	}
	ille := bySource(t, res, "ille-et-vilaine.osm.pbf")
	if ille.Kind != KindOSM || ille.Status != StatusDownloaded || ille.Size != 50_000 {
		t.Errorf("URL OSM column: %+v", ille)
	}

	if len(res.Skipped) != 1 || res.Skipped[0].Name != "Réseau sans données" {
		t.Errorf("skipped %+v, want the row without URL", res.Skipped)
	}

	// Validity of the four GTFS feeds and their intersection.
	for _, s := range []SourceResult{clean, nested, flaky, busy} {
		if s.Validity == nil {
			t.Errorf("%s: no validity", s.File)
		}
	}
	if got := res.Overlap.Common.String(); got != "2026-03-01..2026-04-15" {
		t.Errorf("common range %s, want 2026-03-01..2026-04-15", got)
	}
	if got := res.BuildDate.Date.Format(time.DateOnly); got != "2026-03-24" {
		t.Errorf("build date %s (%s), want the school-term Tuesday 2026-03-24", got, res.BuildDate.Note)
	}

	// Manifest: every installed file with its sha256, size, URL and ETag.
	man, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(man.Files) != 6 {
		t.Errorf("manifest has %d entries, want the 6 installed files", len(man.Files))
	}
	for name, e := range man.Files {
		if e.SHA256 != fileSHA(t, filepath.Join(dir, name)) || e.Size == 0 || e.URL == "" || e.ETag == "" || e.FetchedAt.IsZero() {
			t.Errorf("manifest entry %s: %+v", name, e)
		}
		if e.PartURL != "" {
			t.Errorf("manifest entry %s still names a partial download", name)
		}
	}

	progMu.Lock()
	if calls == 0 || lastDone != lastTotal || lastTotal < 350_000 {
		t.Errorf("progress: %d calls, last %d/%d", calls, lastDone, lastTotal)
	}
	progMu.Unlock()

	var report bytes.Buffer
	if err := res.Report(&report); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"8 sources (6 GTFS, 2 OSM)", "2 failed", "Dates common to all feeds: 2026-03-01..2026-04-15",
		"Suggested build date: Tuesday 2026-03-24", "repaired: moved the files of export/GTFS/ to the root", "HTTP 404"} {
		if !strings.Contains(report.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, report.String())
		}
	}

	js, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(js, &back); err != nil || back.Overlap.Common != res.Overlap.Common ||
		len(back.Sources) != 8 || back.Sources[6].Status != StatusResumed || back.BuildDate != res.BuildDate {
		t.Errorf("JSON round trip: %v\n%s", err, js)
	}

	// Second run: everything present and unchanged is revalidated (304),
	// no body is downloaded again.
	before := srv.rec.bodyCount()
	res2, err := Fetch(context.Background(), csvPath, dir, testOptions(t))
	if err == nil || res2 == nil {
		t.Fatalf("second run: %v", err)
	}
	after := srv.rec.bodyCount()
	for _, s := range res2.Sources {
		if s.Status == StatusFailed {
			continue
		}
		if s.Status != StatusUnchanged || s.Received != 0 {
			t.Errorf("second run: %s %s, %d bytes received; want unchanged, 0", s.File, s.Status, s.Received)
		}
		p := strings.TrimPrefix(s.URL, srv.URL)
		if after[p] != before[p] {
			t.Errorf("second run downloaded %s again", p)
		}
		if srv.rec.header(p, srv.rec.hits(p)-1, "If-None-Match") == "" {
			t.Errorf("second run: request for %s has no If-None-Match", p)
		}
	}
	if len(res2.Failed()) != 2 || res2.Overlap.Common != res.Overlap.Common {
		t.Errorf("second run: %d failures, common %s", len(res2.Failed()), res2.Overlap.Common)
	}

	// Third run after the clean feed changed: it alone is downloaded again.
	srv.mu.Lock()
	srv.clean = content{makeZip(t, "", gtfsFiles("20260105", "20260331"), nil), srv.clean.modTime.Add(time.Hour)}
	srv.mu.Unlock()
	res3, _ := Fetch(context.Background(), csvPath, dir, testOptions(t))
	if res3 == nil {
		t.Fatal("third run: no result")
	}
	if s := bySource(t, res3, "reseau-star-rennes.zip"); s.Status != StatusDownloaded || s.SHA256 != sha(srv.clean.body) {
		t.Errorf("changed feed: %s sha %s", s.Status, s.SHA256)
	}
	if s := bySource(t, res3, "vitre-communaute.zip"); s.Status != StatusUnchanged {
		t.Errorf("third run: unchanged feed is %s", s.Status)
	}
	if got := res3.Overlap.Common.String(); got != "2026-03-01..2026-03-31" {
		t.Errorf("third run: common range %s, want 2026-03-01..2026-03-31", got)
	}
}

func zipNames(t testing.TB, p string) []string {
	t.Helper()
	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	slices.Sort(names)
	return names
}

// singleSourceCSV writes a sources CSV naming one OSM extract at url.
func singleSourceCSV(t testing.TB, dir, url string) string {
	t.Helper()
	p := filepath.Join(dir, "sources.csv")
	if err := os.WriteFile(p, []byte("Nom,Type,URL\nExtrait,OSM,"+url+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A run interrupted mid-body keeps the partial file; the next run resumes
// it with Range and If-Range and downloads only the missing bytes.
func TestResumeAfterInterruptedRun(t *testing.T) {
	body := content{randomBytes(200_000, 3), time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	var mu sync.Mutex
	n := 0
	rec := newRecorder()
	srv := httptest.NewServer(rec.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		if first {
			w.Header().Set("ETag", `"`+sha(body.body)[:16]+`"`)
			w.Header().Set("Content-Length", "200000")
			w.Write(body.body[:80_000])
			w.(http.Flusher).Flush()
			<-r.Context().Done() // hang until the client gives up
			return
		}
		serve(w, r, body)
	})))
	defer srv.Close()
	tmp := t.TempDir()
	csvPath := singleSourceCSV(t, tmp, srv.URL+"/extrait.osm.pbf")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opt := testOptions(t)
	opt.Progress = func(done, total int64) {
		if done >= 80_000 {
			cancel()
		}
	}
	res, err := Fetch(ctx, csvPath, tmp, opt)
	if !errors.Is(err, context.Canceled) || res == nil {
		t.Fatalf("interrupted run: %v, want context.Canceled", err)
	}
	part := filepath.Join(tmp, "extrait.osm.pbf.part")
	if got := fileSize(part); got != 80_000 {
		t.Fatalf("partial file has %d bytes, want 80000", got)
	}

	res, err = Fetch(context.Background(), csvPath, tmp, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	s := res.Sources[0]
	if s.Status != StatusResumed || s.Received != 120_000 {
		t.Errorf("second run: %s, received %d; want resumed, 120000", s.Status, s.Received)
	}
	if rec.header("/extrait.osm.pbf", 1, "Range") != "bytes=80000-" || rec.header("/extrait.osm.pbf", 1, "If-Range") == "" {
		t.Errorf("resume request headers: Range %q If-Range %q", rec.header("/extrait.osm.pbf", 1, "Range"), rec.header("/extrait.osm.pbf", 1, "If-Range"))
	}
	if got := fileSHA(t, filepath.Join(tmp, "extrait.osm.pbf")); got != sha(body.body) {
		t.Errorf("sha256 %s, want %s", got, sha(body.body))
	}
}

// A server that ignores Range gets the download restarted from zero.
func TestRestartWithoutRangeSupport(t *testing.T) {
	body := randomBytes(100_000, 4)
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		w.Header().Set("Content-Length", "100000")
		if first {
			w.Write(body[:30_000])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}
		w.Write(body) // 200 with the whole body, Range or not
	}))
	defer srv.Close()
	tmp := t.TempDir()
	res, err := Fetch(context.Background(), singleSourceCSV(t, tmp, srv.URL+"/x.osm.pbf"), tmp, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	s := res.Sources[0]
	if s.Status != StatusDownloaded || s.Attempts != 2 || s.Received != 130_000 {
		t.Errorf("%s after %d attempts, %d bytes received; want downloaded, 2, 130000", s.Status, s.Attempts, s.Received)
	}
	if got := fileSHA(t, filepath.Join(tmp, "extrait.osm.pbf")); got != sha(body) {
		t.Error("restarted download has the wrong content")
	}
}

// A transfer that stalls is abandoned after IdleTimeout and resumed.
func TestIdleTimeout(t *testing.T) {
	body := content{randomBytes(64_000, 5), time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		if first {
			w.Header().Set("Last-Modified", body.modTime.Format(http.TimeFormat))
			w.Header().Set("Content-Length", "64000")
			w.Write(body.body[:10_000])
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return
		}
		http.ServeContent(w, r, "", body.modTime, bytes.NewReader(body.body))
	}))
	defer srv.Close()
	tmp := t.TempDir()
	opt := testOptions(t)
	opt.IdleTimeout = 200 * time.Millisecond
	res, err := Fetch(context.Background(), singleSourceCSV(t, tmp, srv.URL+"/x.osm.pbf"), tmp, opt)
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Sources[0]; s.Status != StatusResumed || s.SHA256 != sha(body.body) {
		t.Errorf("stalled download: %s, sha %s", s.Status, s.SHA256)
	}
}

// A partial file whose version is no longer served (If-Range fails) is
// replaced by the new version in full.
func TestPartOfOldVersion(t *testing.T) {
	newBody := content{randomBytes(40_000, 6), time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)}
	rec := newRecorder()
	srv := httptest.NewServer(rec.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { serve(w, r, newBody) })))
	defer srv.Close()
	tmp := t.TempDir()
	url := srv.URL + "/x.osm.pbf"
	csvPath := singleSourceCSV(t, tmp, url)
	if err := os.WriteFile(filepath.Join(tmp, "extrait.osm.pbf.part"), randomBytes(10_000, 7), 0o644); err != nil {
		t.Fatal(err)
	}
	store := &manifestStore{dir: tmp, m: &Manifest{Version: 1, Files: map[string]*ManifestEntry{}}}
	if err := store.update("extrait.osm.pbf", func(e *ManifestEntry) { e.PartURL, e.PartETag = url, `"old-version"` }); err != nil {
		t.Fatal(err)
	}
	res, err := Fetch(context.Background(), csvPath, tmp, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.header("/x.osm.pbf", 0, "If-Range"); got != `"old-version"` {
		t.Errorf("If-Range %q, want the partial file's ETag", got)
	}
	if s := res.Sources[0]; s.Status != StatusDownloaded || s.SHA256 != sha(newBody.body) || s.Received != 40_000 {
		t.Errorf("%s sha %s received %d; want the new version downloaded in full", s.Status, s.SHA256, s.Received)
	}
}

// Retries stop after Options.Retries, and the error says so.
func TestGiveUp(t *testing.T) {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		mu.Unlock()
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer srv.Close()
	tmp := t.TempDir()
	opt := testOptions(t)
	opt.Retries = 2
	res, err := Fetch(context.Background(), singleSourceCSV(t, tmp, srv.URL+"/x.osm.pbf"), tmp, opt)
	if err == nil || !strings.Contains(err.Error(), "502") {
		t.Fatalf("error %v, want one naming HTTP 502", err)
	}
	if s := res.Sources[0]; s.Attempts != 3 || n != 3 {
		t.Errorf("%d attempts, %d requests; want 3 (1 + 2 retries)", s.Attempts, n)
	}
}

// A URL that is not http(s) is skipped when the list is read: no source,
// no request, and the report names the line and the value.
func TestInvalidURL(t *testing.T) {
	tmp := t.TempDir()
	csvPath := singleSourceCSV(t, tmp, "ftp://example.org/x.osm.pbf")
	res, err := Fetch(context.Background(), csvPath, tmp, testOptions(t))
	if err != nil || res == nil {
		t.Fatalf("ftp URL: %v", err)
	}
	if len(res.Sources) != 0 || len(res.Skipped) != 1 || res.Skipped[0].Reason != SkipBadURL {
		t.Fatalf("ftp URL: sources %+v, skipped %+v; want only a bad_url skip", res.Sources, res.Skipped)
	}
	var report bytes.Buffer
	if err := res.Report(&report); err != nil {
		t.Fatal(err)
	}
	if want := `bad_url: ` + csvPath + `:2: "ftp://example.org/x.osm.pbf" (URL of Extrait)`; !strings.Contains(report.String(), want) {
		t.Errorf("report lacks %q:\n%s", want, report.String())
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"3", 3 * time.Second},
		{"0", 0},
		{"-5", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	} {
		if got := retryAfter(c.in, now); got != c.want {
			t.Errorf("retryAfter(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}
