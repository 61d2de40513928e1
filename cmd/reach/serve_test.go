package main

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"reach/graph"
	"reach/ingest"
	"reach/ingest/synth"
)

// serveWriteSynth writes the synthetic region of a seed as a graph file and
// returns its build id.
func serveWriteSynth(t *testing.T, path string, seed int64) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := synth.Generate(dir, synth.Options{Seed: seed}); err != nil {
		t.Fatal(err)
	}
	m, err := ingest.ReadManifest(filepath.Join(dir, synth.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	src, err := m.Sources()
	if err != nil {
		t.Fatal(err)
	}
	d, _ := time.Parse("2006-01-02", m.Date)
	g, err := ingest.Build(src, ingest.Options{Date: d})
	if err != nil {
		t.Fatal(err)
	}
	if err := graph.Write(path, g); err != nil {
		t.Fatal(err)
	}
	return g.Meta.BuildID
}

// TestServeSignals runs `reach serve` as a process: it becomes ready,
// reloads on SIGHUP, refuses a corrupt file while serving the old graph,
// and stops cleanly on SIGTERM.
func TestServeSignals(t *testing.T) {
	dir := t.TempDir()
	served, next := filepath.Join(dir, "region.graph"), filepath.Join(dir, "next.graph")
	idA := serveWriteSynth(t, served, 0)
	idB := serveWriteSynth(t, next, 7)

	cmd := exec.Command(os.Args[0], "serve", "--graph", served, "--addr", "127.0.0.1:8080", "--log-format", "json")
	cmd.Env = append(os.Environ(), "REACH_TEST_MAIN=1", "PORT=0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	logs := make(chan map[string]any, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) != nil {
				m = map[string]any{"msg": "not JSON", "line": sc.Text()}
			}
			logs <- m
		}
		close(logs)
	}()
	waitLog := func(msg string) map[string]any {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for {
			select {
			case m, ok := <-logs:
				if !ok {
					t.Fatalf("reach serve ended before logging %q", msg)
				}
				if m["msg"] == "not JSON" {
					t.Fatalf("log line is not JSON: %s", m["line"])
				}
				if m["msg"] == msg {
					return m
				}
			case <-timeout:
				t.Fatalf("no %q in the log", msg)
			}
		}
	}
	// The graph is loaded before the server listens.
	firstID := waitLog("graph loaded")["build_id"]
	addr, _ := waitLog("listening")["addr"].(string)
	if !strings.HasPrefix(addr, "127.0.0.1:") || addr == "127.0.0.1:8080" {
		t.Fatalf("listening on %q: PORT=0 should give a free port", addr)
	}
	build := func() string {
		t.Helper()
		res, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var doc struct {
			BuildID string `json:"build_id"`
		}
		json.NewDecoder(res.Body).Decode(&doc)
		return doc.BuildID
	}
	if firstID != idA || build() != idA {
		t.Fatalf("first load: build %v, want %s", firstID, idA)
	}
	waitLog("request") // the /readyz above

	if err := os.Rename(next, served); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGHUP)
	if got := waitLog("graph loaded")["build_id"]; got != idB || build() != idB {
		t.Fatalf("after SIGHUP: build %v, want %s", got, idB)
	}

	if err := os.WriteFile(served, []byte("not a graph"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGHUP)
	waitLog("graph reload refused; the previous graph keeps serving")
	if got := build(); got != idB {
		t.Fatalf("after a refused reload: build %s, want %s", got, idB)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	waitLog("stopped")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("reach serve exited with %v after SIGTERM", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("reach serve did not stop after SIGTERM")
	}
}

func TestServeUsage(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve"}, "--graph is required"},
		{[]string{"serve", "--graph", filepath.Join(dir, "missing.graph"), "--addr", "127.0.0.1:0"}, "missing.graph"},
		{[]string{"serve", "--graph", "x", "--addr", "nocolon"}, "want HOST:PORT"},
		{[]string{"serve", "--graph", "x", "--log-format", "xml"}, "--log-format"},
		{[]string{"serve", "--graph", "x", "--max-minutes", "1000", "--addr", "127.0.0.1:0"}, "max-minutes"},
	} {
		code, _, stderr := reach(c.args...)
		if code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("reach %v: exit %d, stderr %q, want %q", c.args, code, stderr, c.want)
		}
	}
	for _, c := range []struct{ addr, port, want string }{
		{"127.0.0.1:8080", "", "127.0.0.1:8080"},
		{"127.0.0.1:8080", "9000", "127.0.0.1:9000"},
		{"0.0.0.0:1", "80", "0.0.0.0:80"},
		{"[::1]:8080", "81", "[::1]:81"},
	} {
		if got, err := listenAddr(c.addr, c.port); err != nil || got != c.want {
			t.Errorf("listenAddr(%q, %q) = %q, %v; want %q", c.addr, c.port, got, err, c.want)
		}
	}
	if _, err := listenAddr("127.0.0.1:8080", "http"); err == nil {
		t.Error("PORT=http accepted")
	}
}

// TestServeBadGraph starts `reach serve` on a graph it cannot serve: it
// exits 1 naming the file, without listening (the address it is given is
// taken, so listening first would fail on that instead) and without
// speaking of a previous graph.
func TestServeBadGraph(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.graph")
	serveWriteSynth(t, good, 0)
	whole, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	corrupt := append([]byte(nil), whole...)
	corrupt[len(corrupt)/2] ^= 0x5a
	files := map[string][]byte{"corrupt.graph": corrupt, "truncated.graph": whole[:len(whole)/3], "junk.graph": []byte("not a graph")}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for _, name := range []string{"missing.graph", "corrupt.graph", "truncated.graph", "junk.graph", "."} {
		path := filepath.Join(dir, name)
		for _, addr := range []string{taken.Addr().String(), "127.0.0.1:0"} {
			code, _, stderr := reach("serve", "--graph", path, "--addr", addr, "--log-format", "text")
			if code != 1 || !strings.Contains(stderr, "reach serve: graph "+path) || strings.Contains(stderr, "listening") ||
				strings.Contains(stderr, "address already in use") || strings.Contains(stderr, "previous graph") {
				t.Errorf("serve %s on %s: exit %d, stderr:\n%s", name, addr, code, stderr)
			}
		}
	}
}

// TestServePrintsPageLink runs `reach demo --serve` (what `make run` runs
// without data) and `reach serve`: each prints a link to the web page
// opened on an example place, the link answers, and trainings are within
// reach of its place.
func TestServePrintsPageLink(t *testing.T) {
	dir := t.TempDir()
	graphFile := filepath.Join(dir, "region.graph")
	serveWriteSynth(t, graphFile, 0)
	for _, c := range []struct {
		name string
		args []string
		from string // the place named in the line
	}{
		{"demo", []string{"demo", "--serve", "--dir", filepath.Join(dir, "demo"), "--out", filepath.Join(dir, "demo.graph")}, "Sancerval, centre-ville"},
		{"serve", []string{"serve", "--graph", graphFile, "--log-format", "json"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], append(c.args, "--addr", "127.0.0.1:0")...)
			cmd.Env = append(os.Environ(), "REACH_TEST_MAIN=1")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				cmd.Process.Signal(syscall.SIGTERM)
				cmd.Wait()
			}()
			lines := make(chan string, 10)
			go func() {
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
			var line string
			timeout := time.After(60 * time.Second)
			for !strings.HasPrefix(line, "web page") {
				select {
				case l, ok := <-lines:
					if !ok {
						cmd.Wait()
						t.Fatalf("reach %s ended without printing the page's link: %s", c.name, stderr.String())
					}
					line = l
				case <-timeout:
					t.Fatalf("reach %s printed no link to the page", c.name)
				}
			}
			_, link, ok := strings.Cut(line, ": http")
			link = "http" + link
			u, err := url.Parse(link)
			if !ok || err != nil || u.Path != "/" || !u.Query().Has("lat") || !u.Query().Has("lon") ||
				(c.from != "" && !strings.Contains(line, "from "+c.from+":")) {
				t.Fatalf("reach %s printed %q", c.name, line)
			}
			res, err := http.Get(link)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				t.Errorf("%s: %d %s", link, res.StatusCode, res.Header.Get("Content-Type"))
			}
			q := url.Values{"lat": {u.Query().Get("lat")}, "lon": {u.Query().Get("lon")}}
			res, err = http.Get("http://" + u.Host + "/v1/reachable?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var a struct {
				Summary struct {
					Reachable int `json:"reachable_offers"`
				} `json:"summary"`
			}
			if err := json.NewDecoder(res.Body).Decode(&a); err != nil || res.StatusCode != 200 || a.Summary.Reachable == 0 {
				t.Errorf("reachable from the link's place %v: status %d, %d offers, %v", q, res.StatusCode, a.Summary.Reachable, err)
			}
			t.Logf("%s (%d offers within reach)", line, a.Summary.Reachable)
		})
	}
}
