package server

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
