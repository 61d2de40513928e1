package server

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"reach/engine"
	"reach/graph"
	"reach/ingest"
	"reach/ingest/gtfs"
	"reach/ingest/synth"
)

// corrupt writes to path a copy of src with one byte flipped in the
// middle (a checksum failure).
func corrupt(t *testing.T, src, path string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x5a
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// replace atomically puts the content of src at path.
func replace(t *testing.T, src, path string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func TestReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.graph"), filepath.Join(dir, "b.graph")
	idA, idB := writeSynth(t, a, 0), writeSynth(t, b, 7)
	if idA == idB {
		t.Fatal("two seeds gave the same graph")
	}
	bad, trunc, junk := filepath.Join(dir, "bad.graph"), filepath.Join(dir, "trunc.graph"), filepath.Join(dir, "junk.graph")
	corrupt(t, a, bad)
	whole, _ := os.ReadFile(a)
	os.WriteFile(trunc, whole[:len(whole)/3], 0o644)
	os.WriteFile(junk, []byte("this is not a graph file at all"), 0o644)
	served := filepath.Join(dir, "served.graph")
	replace(t, a, served)

	s, ts := newTestServer(t, Config{GraphPath: served, AdminToken: "s3cret"}, nil)
	origin := fmt.Sprintf("lat=%v&lon=%v", synth.CentreLat, synth.CentreLon)

	// Nothing loaded yet.
	if res := get(t, ts.URL+"/readyz"); res.status != 503 || res.problem(t).Type != typeNotReady || res.header.Get("Retry-After") == "" {
		t.Errorf("readyz before load: %d %s", res.status, res.body)
	}
	if res := get(t, ts.URL+"/v1/reachable?"+origin); res.status != 503 || res.problem(t).Type != typeNotReady {
		t.Errorf("reachable before load: %d %s", res.status, res.body)
	}
	if res := get(t, ts.URL+"/healthz"); res.status != 200 {
		t.Errorf("healthz before load: %d", res.status)
	}
	if _, err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	if res := get(t, ts.URL+"/readyz"); res.status != 200 || s.BuildID() != idA {
		t.Fatalf("readyz after load: %d %s (build %s)", res.status, res.body, s.BuildID())
	}

	reload := func(token string) reply {
		h := map[string]string{}
		if token != "" {
			h["Authorization"] = "Bearer " + token
		}
		return do(t, http.MethodPost, ts.URL+"/v1/admin/reload", h)
	}
	// Authentication.
	if res := reload(""); res.status != 401 || res.header.Get("WWW-Authenticate") == "" {
		t.Errorf("reload without token: %d", res.status)
	}
	if res := reload("wrong"); res.status != 401 || res.problem(t).Type != typeUnauthorized {
		t.Errorf("reload with a wrong token: %d", res.status)
	}

	// A new graph.
	replace(t, b, served)
	res := reload("s3cret")
	var rr ReloadResult
	res.decode(t, &rr)
	if res.status != 200 || rr.BuildID != idB || rr.Previous != idA || s.BuildID() != idB {
		t.Fatalf("reload to b: %d %+v", res.status, rr)
	}

	// Refused files: the old graph keeps serving.
	for _, c := range []struct {
		src    string
		status int
	}{{bad, 422}, {trunc, 422}, {junk, 422}, {"", 500}} {
		if c.src == "" {
			os.Remove(served)
		} else {
			replace(t, c.src, served)
		}
		res := reload("s3cret")
		if res.status != c.status || res.problem(t).Type != typeReload {
			t.Errorf("reload of %s: %d, want %d: %s", filepath.Base(c.src), res.status, c.status, res.body)
		}
		_, err := s.Reload()
		var re *ReloadError
		if !errors.As(err, &re) || re.Refused != (c.status == 422) {
			t.Errorf("Reload of %s: %v", filepath.Base(c.src), err)
		}
		if s.BuildID() != idB {
			t.Fatalf("after a refused reload the server serves %q, want %q", s.BuildID(), idB)
		}
		if res := get(t, ts.URL+"/v1/reachable?"+origin); res.status != 200 || res.header.Get("X-Graph-Build") != idB {
			t.Errorf("after a refused reload: %d, build %q", res.status, res.header.Get("X-Graph-Build"))
		}
	}
	var m []byte = get(t, ts.URL+"/metrics").body
	for _, want := range []string{`reach_graph_reloads_total{result="ok"} 2`, `reach_graph_reloads_total{result="refused"} 8`,
		fmt.Sprintf(`reach_graph_info{build_id="%s",date="%s"} 1`, idB, synth.Date)} {
		if !containsLine(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestReloadUnderLoad reloads good and corrupt files while clients ask
// questions: no request may fail, and each is answered by one of the
// good graphs.
func TestReloadUnderLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b, bad := filepath.Join(dir, "a.graph"), filepath.Join(dir, "b.graph"), filepath.Join(dir, "bad.graph")
	idA, idB := writeSynth(t, a, 0), writeSynth(t, b, 7)
	corrupt(t, b, bad)
	served := filepath.Join(dir, "served.graph")
	replace(t, a, served)
	s, ts := newTestServer(t, Config{GraphPath: served, MaxInflight: 4, MaxQueue: 1000, QueueWait: time.Minute}, nil)
	if _, err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	var ok, failed atomic.Int64
	for w := range 4 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				lat := synth.CentreLat + float64((i*7+w*13)%21-10)*0.001
				lon := synth.CentreLon + float64((i*11+w*5)%21-10)*0.001
				res, err := http.Get(fmt.Sprintf("%s/v1/reachable?lat=%v&lon=%v", ts.URL, lat, lon))
				if err != nil {
					failed.Add(1)
					t.Error(err)
					return
				}
				res.Body.Close()
				if id := res.Header.Get("X-Graph-Build"); res.StatusCode != 200 || (id != idA && id != idB) {
					failed.Add(1)
					t.Errorf("during reloads: status %d, build %q", res.StatusCode, id)
					return
				}
				ok.Add(1)
			}
		})
	}
	files := []string{b, bad, a, bad, b, a}
	for i := range 12 {
		replace(t, files[i%len(files)], served)
		_, err := s.Reload()
		if (files[i%len(files)] == bad) != (err != nil) {
			t.Errorf("reload %d of %s: %v", i, filepath.Base(files[i%len(files)]), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	if ok.Load() == 0 || failed.Load() != 0 {
		t.Errorf("%d requests answered, %d failed", ok.Load(), failed.Load())
	}
}

// TestAdminOff checks that the reload endpoint does not exist without a
// token.
func TestAdminOff(t *testing.T) {
	t.Parallel()
	_, ts := newTestServer(t, Config{}, synthRegion(t).eng)
	for _, m := range []string{http.MethodPost, http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete} {
		res := do(t, m, ts.URL+"/v1/admin/reload", map[string]string{"Authorization": "Bearer "})
		if res.status != 404 || (m != http.MethodHead && res.problem(t).Type != typeNoRoute) {
			t.Errorf("%s reload without a configured token: %d %s", m, res.status, res.body)
		}
	}
	// With a token, the endpoint exists and takes POST only.
	_, on := newTestServer(t, Config{AdminToken: "s3cret"}, synthRegion(t).eng)
	if res := get(t, on.URL+"/v1/admin/reload"); res.status != 405 || res.problem(t).Type != typeMethod || res.header.Get("Allow") != "POST" {
		t.Errorf("GET reload with a configured token: %d, Allow %q: %s", res.status, res.header.Get("Allow"), res.body)
	}
}

// TestReloadFreesOldGraph checks that a replaced graph is kept only while
// requests use it, and that a reload waits for the requests on the graph
// before last, so that at most two graphs are in memory.
func TestReloadFreesOldGraph(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a.graph"), filepath.Join(dir, "b.graph"), filepath.Join(dir, "c.graph")
	writeSynth(t, a, 0)
	idB := writeSynth(t, b, 7)
	idC := writeSynth(t, c, 8)
	served := filepath.Join(dir, "served.graph")
	replace(t, a, served)
	loads := make(chan string, 10)
	s, _ := newTestServer(t, Config{GraphPath: served, Timeout: 2 * time.Second, Load: func(path string) (*engine.Engine, error) {
		loads <- path
		return engine.Load(path)
	}}, nil)
	if _, err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	<-loads
	freed := watchFree(s)
	held := s.use() // a request in flight on graph a
	replace(t, b, served)
	if _, err := s.Reload(); err != nil || s.BuildID() != idB {
		t.Fatalf("reload to b: %v (serving %s)", err, s.BuildID())
	}
	<-loads
	freedB := watchFree(s)
	if collected(freed, 200*time.Millisecond) {
		t.Fatal("graph a was freed while a request used it")
	}
	// A third reload waits for the request on a before loading c.
	replace(t, c, served)
	done := make(chan error)
	go func() { _, err := s.Reload(); done <- err }()
	select {
	case <-loads:
		t.Fatal("c was loaded while a request still used a: three graphs in memory")
	case <-time.After(300 * time.Millisecond):
	}
	s.done(held)
	if err := <-done; err != nil || s.BuildID() != idC {
		t.Fatalf("reload to c: %v (serving %s)", err, s.BuildID())
	}
	<-loads
	if !collected(freed, 5*time.Second) {
		t.Fatal("graph a was not freed once its last request ended: a reference is kept")
	}
	if !collected(freedB, 5*time.Second) {
		t.Fatal("graph b, replaced and unused, was not freed: a reference is kept")
	}
}

// TestReloadWaitBounded holds a request on the graph before last for
// longer than any request may last: the reload waits for it no longer
// than the time limit and a second, then loads anyway and says so.
func TestReloadWaitBounded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.graph"), filepath.Join(dir, "b.graph")
	writeSynth(t, a, 0)
	writeSynth(t, b, 7)
	served := filepath.Join(dir, "served.graph")
	replace(t, a, served)
	var logs syncBuffer
	s, _ := newTestServer(t, Config{GraphPath: served, Timeout: 50 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))}, nil)
	if _, err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	held := s.use() // never ends during the test
	defer s.done(held)
	replace(t, b, served)
	if _, err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	replace(t, a, served)
	start := time.Now()
	if _, err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 50*time.Millisecond || took > 3*time.Second {
		t.Errorf("the reload waited %v for the request on the graph before last", took)
	}
	if !strings.Contains(logs.String(), "three graphs in memory") {
		t.Errorf("the reload did not say it loads a third graph:\n%s", logs.String())
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestReloadGuard replaces the served graph by graphs that lost their
// timetable, their streets or their offers: reloads refuse them (422 on
// the admin endpoint, the old graph serving) unless forced with
// ?force=true, which SIGHUP (Reload) never does.
func TestReloadGuard(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	full := filepath.Join(dir, "full.graph")
	idFull := writeSynth(t, full, 0)
	variants := []struct {
		name, figure string
		edit         func(*ingest.Sources)
	}{
		{"no-bus", "scheduled trips", func(s *ingest.Sources) {
			s.GTFS = slices.DeleteFunc(s.GTFS, func(f gtfs.FeedSource) bool { return !f.School })
		}},
		{"no-streets", "linked stops", func(s *ingest.Sources) { s.OSM = nil }},
		{"no-offers", "placed offers", func(s *ingest.Sources) { s.Offers = nil }},
	}
	served := filepath.Join(dir, "served.graph")
	replace(t, full, served)
	var logs syncBuffer
	s, ts := newTestServer(t, Config{GraphPath: served, AdminToken: "s3cret", Logger: slog.New(slog.NewTextHandler(&logs, nil))}, nil)
	if _, err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	admin := func(query string) reply {
		return do(t, http.MethodPost, ts.URL+"/v1/admin/reload"+query, map[string]string{"Authorization": "Bearer s3cret"})
	}
	for _, v := range variants {
		path := filepath.Join(dir, v.name+".graph")
		g := buildSynthWith(t, 0, v.edit)
		if err := graph.Write(path, g); err != nil {
			t.Fatal(err)
		}
		replace(t, path, served)
		res := admin("")
		if res.status != 422 {
			t.Fatalf("%s: reload %d, want 422: %s", v.name, res.status, res.body)
		}
		if p := res.problem(t); p.Type != typeReload || !strings.Contains(p.Detail, v.figure) || !strings.Contains(p.Detail, "force=true") {
			t.Errorf("%s: problem %+v does not name %q and force", v.name, p, v.figure)
		}
		_, err := s.Reload() // SIGHUP
		var re *ReloadError
		if !errors.As(err, &re) || !re.Refused || s.BuildID() != idFull {
			t.Errorf("%s: Reload gave %v, serving %s", v.name, err, s.BuildID())
		}
		if !strings.Contains(logs.String(), v.figure) {
			t.Errorf("%s: the refusal is not logged with %q", v.name, v.figure)
		}
		if res := admin("?force=true"); res.status != 200 || s.BuildID() != g.Meta.BuildID {
			t.Fatalf("%s: forced reload %d (serving %s): %s", v.name, res.status, s.BuildID(), res.body)
		} else {
			var rr ReloadResult
			res.decode(t, &rr)
			if !slices.ContainsFunc(rr.Shrank, func(f string) bool { return strings.Contains(f, v.figure) }) {
				t.Errorf("%s: forced reload does not say what fell: %+v", v.name, rr)
			}
		}
		// Back to the full graph: it grew, nothing to refuse.
		replace(t, full, served)
		if _, err := s.Reload(); err != nil || s.BuildID() != idFull {
			t.Fatalf("%s: back to the full graph: %v", v.name, err)
		}
	}
	for _, q := range []string{"?force=yes", "?forced=true", "?force=%zz"} {
		if res := admin(q); res.status != 400 {
			t.Errorf("reload%s: %d, want 400: %s", q, res.status, res.body)
		}
	}
}

// TestShrink checks the threshold of the guard: a fall of 30 % passes,
// more is named; figures absent from the old graph are not compared.
func TestShrink(t *testing.T) {
	linked := func(n int) *graph.Graph {
		return &graph.Graph{Meta: graph.Meta{Linking: &graph.LinkingReport{Stops: graph.LinkCounts{Linked: n}}}}
	}
	for _, c := range []struct {
		old, new *graph.Graph
		fell     int
	}{
		{linked(100), linked(70), 0},
		{linked(100), linked(69), 1},
		{linked(100), linked(200), 0},
		{linked(100), &graph.Graph{}, 1},
		{&graph.Graph{}, linked(5), 0},
		{&graph.Graph{}, &graph.Graph{}, 0},
	} {
		if got := shrink(c.old, c.new); len(got) != c.fell || (c.fell > 0 && !strings.Contains(got[0], "linked stops")) {
			t.Errorf("shrink %+v → %+v: %q", c.old.Meta.Linking, c.new.Meta.Linking, got)
		}
	}
}

// watchFree returns a channel closed when the graph being served is
// garbage collected.
func watchFree(s *Server) chan struct{} {
	ch := make(chan struct{})
	runtime.AddCleanup(s.cur.Load().eng.Graph(), func(c chan struct{}) { close(c) }, ch)
	return ch
}

// collected runs the garbage collector until ch is closed or d passed.
func collected(ch chan struct{}, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		runtime.GC()
		select {
		case <-ch:
			return true
		case <-time.After(10 * time.Millisecond):
		}
	}
	return false
}
