package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"reach/engine"
	"reach/ingest/synth"
)

func containsLine(b []byte, line string) bool {
	for _, l := range strings.Split(string(b), "\n") {
		if l == line {
			return true
		}
	}
	return false
}

func TestCompression(t *testing.T) {
	t.Parallel()
	_, ts := newTestServer(t, Config{}, synthRegion(t).eng)
	url := ts.URL + "/v1/streets"
	plain := get(t, url)
	if plain.status != 200 || plain.header.Get("Content-Encoding") != "" {
		t.Fatalf("plain: %d, encoding %q", plain.status, plain.header.Get("Content-Encoding"))
	}
	for _, enc := range []string{"gzip", "zstd"} {
		res := do(t, http.MethodGet, url, map[string]string{"Accept-Encoding": enc})
		if res.header.Get("Content-Encoding") != enc || len(res.body) >= len(plain.body) {
			t.Errorf("%s: encoding %q, %d bytes (plain %d)", enc, res.header.Get("Content-Encoding"), len(res.body), len(plain.body))
			continue
		}
		var r io.Reader
		var err error
		if enc == "gzip" {
			r, err = gzip.NewReader(bytes.NewReader(res.body))
		} else {
			var d *zstd.Decoder
			d, err = zstd.NewReader(bytes.NewReader(res.body))
			r = d
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(b, plain.body) {
			t.Errorf("%s: decoded body differs (%v)", enc, err)
		}
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	e := synthRegion(t).eng
	_, ts := newTestServer(t, Config{CORSOrigins: []string{"https://app.example"}}, e)
	url := ts.URL + "/v1/graph"
	if res := do(t, http.MethodGet, url, map[string]string{"Origin": "https://app.example"}); res.header.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("allowed origin: headers %v", res.header)
	}
	if res := do(t, http.MethodGet, url, map[string]string{"Origin": "https://evil.example"}); res.header.Get("Access-Control-Allow-Origin") != "" || res.status != 200 {
		t.Errorf("other origin: %d, headers %v", res.status, res.header)
	}
	res := do(t, http.MethodOptions, url, map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "GET"})
	if res.status != 204 || !strings.Contains(res.header.Get("Access-Control-Allow-Methods"), "GET") {
		t.Errorf("preflight: %d, headers %v", res.status, res.header)
	}
	_, any := newTestServer(t, Config{CORSOrigins: []string{"*"}}, e)
	if res := do(t, http.MethodGet, any.URL+"/v1/graph", map[string]string{"Origin": "https://x.example"}); res.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("any origin: headers %v", res.header)
	}
	_, off := newTestServer(t, Config{}, e)
	if res := do(t, http.MethodGet, off.URL+"/v1/graph", map[string]string{"Origin": "https://app.example"}); res.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS off: headers %v", res.header)
	}
}

// TestShedding fills every slot and the queue: heavy requests get 503
// with Retry-After at once, probes still answer.
func TestShedding(t *testing.T) {
	t.Parallel()
	s, ts := newTestServer(t, Config{MaxInflight: 2, MaxQueue: -1}, synthRegion(t).eng)
	url := fmt.Sprintf("%s/v1/reachable?lat=%v&lon=%v", ts.URL, synth.CentreLat, synth.CentreLon)
	for range 2 {
		if !s.limit.acquire(context.Background()) {
			t.Fatal("cannot take a free slot")
		}
	}
	res := get(t, url)
	if res.status != 503 || res.header.Get("Retry-After") != "1" || res.problem(t).Type != typeOverloaded {
		t.Errorf("full: %d, Retry-After %q: %s", res.status, res.header.Get("Retry-After"), res.body)
	}
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/v1/graph"} {
		if res := get(t, ts.URL+p); res.status != 200 {
			t.Errorf("%s while full: %d", p, res.status)
		}
	}
	if !containsLine(get(t, ts.URL+"/metrics").body, "reach_http_shed_total 1") {
		t.Error("metrics do not count the shed request")
	}
	s.limit.release()
	if res := get(t, url); res.status != 200 {
		t.Errorf("after a release: %d", res.status)
	}
	s.limit.release()

	// With a queue, a request waits for a slot.
	q := newLimiter(1, 1, time.Minute)
	q.acquire(context.Background())
	got := make(chan bool)
	go func() { got <- q.acquire(context.Background()) }()
	for q.waiting.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	if q.acquire(context.Background()) {
		t.Error("a second waiter got in beyond the queue")
	}
	q.release()
	if !<-got {
		t.Error("the queued request was shed")
	}
	// And gives up after the wait.
	short := newLimiter(1, 1, 10*time.Millisecond)
	short.acquire(context.Background())
	if short.acquire(context.Background()) || short.shed.Load() != 1 {
		t.Error("a request waited past the queue wait")
	}
}

// waitIdle waits until no slot of the limiter is taken, failing the test
// after d.
func waitIdle(t *testing.T, s *Server, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for s.limit.inflight() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d slots still taken %v after the answers", s.limit.inflight(), d)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestTimeoutAndPanic runs routes that time out, that block and that
// panic.
func TestTimeoutAndPanic(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, Config{Timeout: 30 * time.Millisecond, MaxInflight: 2}, synthRegion(t).eng)
	call := func(h http.HandlerFunc, ctx context.Context) reply {
		rec := httptest.NewRecorder()
		h(rec, httptest.NewRequest(http.MethodGet, "/x", nil).WithContext(ctx))
		return reply{rec.Code, rec.Header(), rec.Body.Bytes()}
	}
	// A computation that honours its context (as the engine's do) stops
	// at the time limit and gives its slot back at once.
	stopped := make(chan struct{}, 1)
	polite := s.api(apiRoute{name: "polite", heavy: true, parse: func(url.Values) (compute, error) {
		return func(ctx context.Context, _ *state) (any, error) {
			<-ctx.Done()
			stopped <- struct{}{}
			return nil, ctx.Err()
		}, nil
	}})
	if res := call(polite, context.Background()); res.status != 503 || res.problem(t).Type != typeTimeout {
		t.Errorf("timed-out route: %d %s", res.status, res.body)
	}
	<-stopped
	waitIdle(t, s, time.Second)

	// A computation that ignores its context is the only one that keeps
	// its slot past the answer: until it returns, since nothing can stop
	// a goroutine from outside.
	unblock := make(chan struct{})
	deaf := s.api(apiRoute{name: "deaf", heavy: true, parse: func(url.Values) (compute, error) {
		return func(context.Context, *state) (any, error) {
			<-unblock
			return "late", nil
		}, nil
	}})
	if res := call(deaf, context.Background()); res.status != 503 || res.problem(t).Type != typeTimeout {
		t.Errorf("blocking route: %d %s", res.status, res.body)
	}
	if s.limit.inflight() != 1 {
		t.Errorf("the blocked computation holds %d slots, want 1 until it returns", s.limit.inflight())
	}
	// A client gone before the answer gets nothing written.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	deaf(rec, httptest.NewRequest(http.MethodGet, "/deaf", nil).WithContext(ctx))
	if rec.Body.Len() != 0 || len(rec.Header()) != 0 {
		t.Errorf("answer written to a gone client: %d %s", rec.Code, rec.Body)
	}
	close(unblock)
	waitIdle(t, s, 5*time.Second)

	boom := s.api(apiRoute{name: "boom", heavy: true, parse: func(url.Values) (compute, error) {
		return func(context.Context, *state) (any, error) {
			var a []int
			return a[3], nil
		}, nil
	}})
	res := call(boom, context.Background())
	if res.status != 500 || res.problem(t).Type != typeInternal || s.limit.inflight() != 0 {
		t.Errorf("panicking route: %d %s, %d in flight", res.status, res.body, s.limit.inflight())
	}
}

// heavyURLs are maximal isochrone requests from origins around the
// centre of the synthetic region (each takes about 10 ms alone).
func heavyURLs(base string, r *region, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s/v1/isochrone?lat=%.5f&lon=%.5f&max_minutes=180&max_walk=5000&max_transfers=16",
			base, r.lat+float64(i%5-2)*0.002, r.lon+float64(i/5%5-2)*0.002)
	}
	return out
}

// TestTimeoutFreesSlots sends real heavy requests, more than one slot
// computes within the time limit (which counts the wait for a slot): those
// in flight at the limit get 503 timeouts, those still waiting are shed,
// the slots come back promptly, and a request right after is served.
func TestTimeoutFreesSlots(t *testing.T) {
	t.Parallel()
	r := synthRegion(t)
	s, ts := newTestServer(t, Config{Timeout: 20 * time.Millisecond, MaxInflight: 1, MaxQueue: 100, QueueWait: time.Minute}, r.eng)
	var wg sync.WaitGroup
	var timeouts atomic.Int64
	for _, u := range heavyURLs(ts.URL, r, 40) {
		wg.Go(func() {
			res := get(t, u)
			switch {
			case res.status == 200:
			case res.status == 503 && res.problem(t).Type == typeTimeout:
				timeouts.Add(1)
			case res.status == 503 && res.problem(t).Type == typeOverloaded:
			default:
				t.Errorf("heavy request: %d %s", res.status, res.body)
			}
		})
	}
	wg.Wait()
	if timeouts.Load() == 0 {
		t.Fatal("no heavy request timed out")
	}
	waitIdle(t, s, 2*time.Second)
	// A light request on a heavy route: it needs the free slot.
	normal := fmt.Sprintf("%s/v1/schools?bbox=%v,%v,%v,%v", ts.URL, r.lon-0.01, r.lat-0.01, r.lon+0.01, r.lat+0.01)
	if res := get(t, normal); res.status != 200 {
		t.Errorf("request after the timeouts: %d %s", res.status, res.body)
	}
}

// TestDisconnectFreesSlots sends real heavy requests whose clients go
// away after 2 ms: the computations stop, their slots come back
// promptly, and a normal request right after them is served.
func TestDisconnectFreesSlots(t *testing.T) {
	t.Parallel()
	r := synthRegion(t)
	s, ts := newTestServer(t, Config{MaxInflight: 2, MaxQueue: -1}, r.eng)
	var wg sync.WaitGroup
	for _, u := range heavyURLs(ts.URL, r, 12) {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			if res, err := http.DefaultClient.Do(req); err == nil {
				res.Body.Close()
			}
		})
	}
	wg.Wait()
	waitIdle(t, s, 2*time.Second)
	if res := get(t, fmt.Sprintf("%s/v1/reachable?lat=%v&lon=%v", ts.URL, r.lat, r.lon)); res.status != 200 {
		t.Errorf("request after the disconnections: %d %s", res.status, res.body)
	}
}

func TestProbesPagesMetrics(t *testing.T) {
	t.Parallel()
	s, ts := newTestServer(t, Config{TileURL: "https://tiles.example/{z}/{x}/{y}.png"}, synthRegion(t).eng)
	for _, c := range []struct{ path, ct, contains string }{
		{"/healthz", "application/json", `"ok"`},
		{"/readyz", "application/json", s.BuildID()},
		{"/", "text/html; charset=utf-8", `data-tiles="https://tiles.example/{z}/{x}/{y}.png"`},
		{"/web/app.js", "text/javascript; charset=utf-8", "/v1/isochrone"},
		{"/web/app.css", "text/css; charset=utf-8", "#map"},
		{"/openapi.json", "application/json", `"openapi"`},
	} {
		res := get(t, ts.URL+c.path)
		if res.status != 200 || res.header.Get("Content-Type") != c.ct || !bytes.Contains(res.body, []byte(c.contains)) {
			t.Errorf("%s: %d %q, body contains %q: %v", c.path, res.status, res.header.Get("Content-Type"), c.contains, bytes.Contains(res.body, []byte(c.contains)))
		}
	}
	for _, p := range []string{"/web/nothing.js", "/web/", "/web/nothing/", "/web/app.js/x"} {
		if res := get(t, ts.URL+p); res.status != 404 || res.problem(t).Type != typeNoRoute {
			t.Errorf("missing asset %s: %d %s", p, res.status, res.body)
		}
	}
	s.Drain()
	if res := get(t, ts.URL+"/readyz"); res.status != 503 {
		t.Errorf("readyz while draining: %d", res.status)
	}
	get(t, ts.URL+"/v1/reachable?lat=1")
	get(t, ts.URL+"/nope")
	m := get(t, ts.URL+"/metrics")
	if ct := m.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4; charset=utf-8") {
		t.Errorf("metrics Content-Type %q", ct)
	}
	for _, want := range []string{
		"# TYPE reach_http_request_duration_seconds histogram",
		`reach_http_request_duration_seconds_count{method="GET",route="healthz",status="200"} 1`,
		`reach_http_request_duration_seconds_count{method="GET",route="readyz",status="503"} 1`,
		`reach_http_request_duration_seconds_count{method="GET",route="reachable",status="400"} 1`,
		`reach_http_request_duration_seconds_bucket{method="GET",route="reachable",status="400",le="+Inf"} 1`,
		`reach_http_request_duration_seconds_bucket{method="GET",route="reachable",status="400",le="30"} 1`,
		`reach_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1`,
		"# TYPE reach_http_inflight_requests gauge",
		"reach_http_inflight_requests 0",
		"reach_http_queued_requests 0",
		"# TYPE reach_http_shed_total counter",
		"reach_http_shed_total 0",
		`reach_graph_reloads_total{result="ok"} 1`,
		`reach_graph_reloads_total{result="refused"} 0`,
		fmt.Sprintf(`reach_graph_info{build_id="%s",date="%s"} 1`, s.BuildID(), synth.Date),
		"# TYPE reach_graph_loaded_timestamp_seconds gauge",
	} {
		if !containsLine(m.body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// The Go runtime's and the process's metrics.
	for _, prefix := range []string{"go_goroutines ", "go_memstats_heap_alloc_bytes ", "go_gc_duration_seconds_count ",
		"process_resident_memory_bytes ", "process_cpu_seconds_total ", "process_open_fds ", "process_start_time_seconds "} {
		if !bytes.Contains(m.body, []byte("\n"+prefix)) {
			t.Errorf("metrics lack %s", prefix)
		}
	}
	// Every server counts its own requests.
	_, other := newTestServer(t, Config{}, nil)
	if o := get(t, other.URL+"/metrics"); bytes.Contains(o.body, []byte(`route="healthz"`)) || !bytes.Contains(o.body, []byte("\ngo_goroutines ")) {
		t.Errorf("a second server's metrics:\n%s", o.body)
	}
}

// FuzzQuery sends arbitrary query strings: the answer is never a 5xx, and
// every error is a problem document.
func FuzzQuery(f *testing.F) {
	for _, q := range []string{"lat=47&lon=2", "lat=47&lon=2&max_minutes=30&modes=walk", "lat=1e308&lon=-1e308", "lat=47&lon=2&cutoffs=1,2,3,4,5,6,7,8,9,10,11,12,13",
		"lat=47&lon=2&arrive_by=99:99:99", "lat=47.0&lon=2.0&uai=%00", "lat=47&lon=2&bbox=,,,", "lat=47&lon=2&page=99999999999999999999",
		"lat=0x10&lon=2", "lat=47&lon=2&walk_speed=1e-300", "lat=47&lon=2&percentile=-0", "lat=47&lon=2&q=%C3%A9l%C3%A8ve"} {
		f.Add("/v1/reachable", q)
		f.Add("/v1/isochrone", q)
		f.Add("/v1/journey", q+"&uai=0189001L")
	}
	f.Add("/v1/schools", "bbox=1,2,3,4e400")
	f.Add("/v1/streets", "bbox=-180,-90,180,90")
	s, err := New(Config{Timeout: time.Minute})
	if err != nil {
		f.Fatal(err)
	}
	s.Install(synthRegion(f).eng, "synth")
	h := s.Handler()
	f.Fuzz(func(t *testing.T, path, query string) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.Path, req.URL.RawQuery = path, query
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s?%s: %d %s", path, query, rec.Code, rec.Body)
		}
		if rec.Code >= 400 && rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%s?%s: %d without a problem: %s", path, query, rec.Code, rec.Body)
		}
	})
}

// TestSimplify checks Douglas-Peucker against its definition: the ends
// are kept and every dropped point lies within the tolerance of the
// simplified line.
func TestSimplify(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for it := range 500 {
		n := 2 + rng.Intn(30)
		lats, lons := make([]float64, n), make([]float64, n)
		for i := range n {
			lats[i] = 47 + float64(i)*1e-4 + rng.NormFloat64()*3e-5
			lons[i] = 2 + rng.NormFloat64()*5e-5
		}
		tol := []float64{0, 1e-6, 2e-5, 1e-3}[it%4]
		keep := simplify(lats, lons, tol)
		if keep[0] != 0 || keep[len(keep)-1] != n-1 {
			t.Fatalf("ends not kept: %v", keep)
		}
		k := math.Cos(lats[0] * math.Pi / 180)
		for j := 1; j < len(keep); j++ {
			a, b := keep[j-1], keep[j]
			if a >= b {
				t.Fatalf("indexes not increasing: %v", keep)
			}
			for i := a + 1; i < b; i++ {
				if d := segDist(lons[i]*k, lats[i], lons[a]*k, lats[a], lons[b]*k, lats[b]); d > tol {
					t.Fatalf("point %d dropped at %g from the line, tolerance %g", i, d, tol)
				}
			}
		}
		if tol == 0 && len(keep) != n {
			// Random points are never exactly on a line.
			t.Fatalf("tolerance 0 dropped points: %d of %d kept", len(keep), n)
		}
	}
}

func segDist(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, ((px-ax)*dx+(py-ay)*dy)/l))
	}
	return math.Hypot(px-ax-t*dx, py-ay-t*dy)
}

// TestMetricsBadLabel serves a graph whose date is not UTF-8 (a label
// value Prometheus refuses): /metrics leaves that metric out and answers
// the others instead of failing or crashing.
func TestMetricsBadLabel(t *testing.T) {
	t.Parallel()
	g := buildSynth(t, 0)
	g.Meta.Date = "2026-03-10\xff"
	e, err := engine.New(g)
	if err != nil {
		t.Fatal(err)
	}
	_, ts := newTestServer(t, Config{}, e)
	m := get(t, ts.URL+"/metrics")
	if m.status != 200 || !bytes.Contains(m.body, []byte("\nreach_graph_loaded_timestamp_seconds ")) || bytes.Contains(m.body, []byte("\nreach_graph_info{")) {
		t.Errorf("metrics: %d\n%s", m.status, m.body)
	}
}
