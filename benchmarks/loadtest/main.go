// Command loadtest measures the HTTP service under load on loopback: it
// serves a graph with the server package, asks /v1/reachable from random
// addresses of the graph's streets as fast as a pool of clients can, and
// reloads the graph at a fixed interval, every few reloads with a corrupt
// file that must be refused while the old graph keeps serving.
//
// It counts every failed request (transport error, 5xx, or any status but
// 200 other than the deliberate 503 of load shedding), checks that every
// answer comes from one of the good graphs, and prints throughput and
// latency percentiles.
//
// With -attack it compares instead, for -rounds rounds, a quiet run of
// normal users with a run of the same length where an attacker sends
// maximal requests (-attack-kinds: isochrones with every limit at its
// ceiling, /v1/reachable with 100-value lists, 1 MB URLs, random walking
// speeds) at -attack-rate per second and drops each after -attack-hold.
// The server then runs in a child process, a new one for each run, and
// the report gives normal users' latencies and the server's peak
// resident memory in both, with their medians; the target is a p95 and a
// peak within twice the quiet run's.
//
// Usage:
//
//	go run ./benchmarks/loadtest [-graph FILE] [-duration 60s] [-workers 8] [-reload-every 5s] [-corrupt-every 2]
//	go run ./benchmarks/loadtest -attack [-graph FILE] [-duration 60s] [-rounds 2] [-attack-rate 4] [-attack-hold 300ms]
//
// Without -graph it builds the Rennes graph from the shared real data.
// It exits with status 1 when a request failed or a reload went wrong, and
// in the attack mode when a normal request failed or the target is missed.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"reach/graph"
	"reach/ingest"
	"reach/ingest/gtfs"
	"reach/internal/realdata"
	"reach/server"
)

// Config is one load test.
type Config struct {
	GraphA, GraphB string        // two good graph files (different build ids)
	Duration       time.Duration // length of the test
	Workers        int           // concurrent clients, each with one request in flight
	ReloadEvery    time.Duration // interval between reloads (0: none)
	CorruptEvery   int           // every n-th reload uses a corrupt file (0: never)
	MaxInflight    int           // server's concurrency limit (0: its default)
	MaxQueue       int           // server's wait queue (0: its default)
	Seed           int64
}

// Result is what a load test measured.
type Result struct {
	Duration     time.Duration
	Requests     int64   // answered or failed
	OK           int64   // 200
	Shed         int64   // deliberate 503 (overloaded)
	Failed       int64   // anything else
	Throughput   float64 // 200 answers per second
	P50, P95     time.Duration
	P99, Max     time.Duration // of the 200 answers
	Reloads      int           // accepted reloads
	Refused      int           // refused reloads (corrupt files)
	ReloadErrors int           // reloads whose outcome was not the expected one
	FailSamples  []string      `json:",omitempty"`
}

func main() {
	if os.Getenv(childEnv) == "1" {
		if err := serveChild(os.Args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest server:", err)
			os.Exit(1)
		}
		return
	}
	var c Config
	graphPath := flag.String("graph", "", "graph `FILE` to serve (default: build Rennes from the shared data)")
	flag.DurationVar(&c.Duration, "duration", 60*time.Second, "length of the test")
	flag.IntVar(&c.Workers, "workers", 4*runtime.GOMAXPROCS(0), "concurrent clients (closed loop)")
	flag.DurationVar(&c.ReloadEvery, "reload-every", 5*time.Second, "interval between graph reloads (0: none)")
	flag.IntVar(&c.CorruptEvery, "corrupt-every", 2, "every n-th reload uses a corrupt file (0: never)")
	flag.IntVar(&c.MaxInflight, "max-inflight", 0, "server's concurrency limit (default 2 × GOMAXPROCS)")
	flag.IntVar(&c.MaxQueue, "max-queue", 0, "server's wait queue (default 4 × max-inflight; -1 for none)")
	flag.Int64Var(&c.Seed, "seed", 1, "seed of the random addresses")
	asJSON := flag.Bool("json", false, "print the result as JSON")
	attack := flag.Bool("attack", false, "adversarial mode: quiet runs against runs under attack, the server in a child process (no reloads)")
	rounds := flag.Int("rounds", 2, "attack mode: quiet and attack runs back to back, this many times (medians reported)")
	rate := flag.Float64("attack-rate", 4, "attack mode: the attacker's requests per second")
	hold := flag.Duration("attack-hold", 300*time.Millisecond, "attack mode: the attacker drops each request after this")
	kinds := flag.String("attack-kinds", "ceiling,lists,bigurl", "attack mode: the attacker's requests, among "+strings.Join(attackKinds, ", "))
	timeout := flag.Duration("timeout", 30*time.Second, "attack mode: the server's request time limit")
	flag.Parse()
	if *attack {
		ac := AttackConfig{Duration: c.Duration, Rounds: *rounds, Workers: c.Workers, Seed: c.Seed, Timeout: *timeout,
			MaxInflight: c.MaxInflight, MaxQueue: c.MaxQueue, Rate: *rate, Hold: *hold, Kinds: strings.Split(*kinds, ",")}
		if err := attackMain(ac, *graphPath, *asJSON); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		return
	}
	if err := mainErr(c, *graphPath, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func mainErr(c Config, graphPath string, asJSON bool) error {
	dir, err := os.MkdirTemp("", "reach-loadtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	c.GraphA, c.GraphB = filepath.Join(dir, "a.graph"), filepath.Join(dir, "b.graph")
	if err := prepareGraphs(graphPath, c.GraphA, c.GraphB); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "loadtest: %d workers for %v, reload every %v (every %d-th corrupt), GOMAXPROCS %d\n",
		c.Workers, c.Duration, c.ReloadEvery, c.CorruptEvery, runtime.GOMAXPROCS(0))
	res, err := Run(c)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(res)
	} else {
		res.Print(os.Stdout)
	}
	if res.Failed > 0 || res.ReloadErrors > 0 {
		return fmt.Errorf("%d failed requests, %d wrong reload outcomes", res.Failed, res.ReloadErrors)
	}
	return nil
}

func attackMain(c AttackConfig, graphPath string, asJSON bool) error {
	c.Graph = graphPath
	if graphPath == "" {
		dir, err := os.MkdirTemp("", "reach-loadtest-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		c.Graph = filepath.Join(dir, "a.graph")
		if err := prepareGraphs("", c.Graph, filepath.Join(dir, "b.graph")); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "loadtest: %d rounds of %v quiet then %v under attack (%g requests/s of %s, dropped after %v), %d normal users, GOMAXPROCS %d\n",
		c.Rounds, c.Duration, c.Duration, c.Rate, strings.Join(c.Kinds, ","), c.Hold, c.Workers, runtime.GOMAXPROCS(0))
	rep, err := RunAttack(c)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	} else {
		rep.Print(os.Stdout)
	}
	var failed int64
	for _, r := range rep.Rounds {
		failed += r[0].Failed + r[1].Failed
	}
	switch {
	case failed > 0:
		return fmt.Errorf("%d normal requests failed", failed)
	case !rep.Met:
		return fmt.Errorf("target missed: p95 ×%.2f, peak RSS ×%.2f against the quiet runs (at most ×2)", rep.P95Ratio, rep.RSSRatio)
	}
	return nil
}

// prepareGraphs writes two good graphs with different build ids: src
// twice with different build times, or, without src, two builds of
// Rennes with different egress limits.
func prepareGraphs(src, a, b string) error {
	if src != "" {
		g, err := graph.Read(src)
		if err != nil {
			return err
		}
		if err := graph.Write(a, g); err != nil {
			return err
		}
		// Another build id for the same content: a later build time.
		g.Meta.BuiltAt = g.Meta.BuiltAt.Add(time.Second)
		return graph.Write(b, g)
	}
	d := realdata.Dir()
	if d == "" {
		return errors.New("no -graph given and the shared data directory (../shared/data) is absent")
	}
	p := func(rel string) string { return filepath.Join(d, "rennes", rel) }
	feed, err := gtfs.ParseFeedArg("star="+p("star-gtfs-2012-05.zip"), false)
	if err != nil {
		return err
	}
	srcs := ingest.Sources{GTFS: []gtfs.FeedSource{feed}, OSM: []string{p("streets.osm.pbf")}, Schools: []string{p("fr-en-annuaire-education-35.csv")},
		Offers: []string{p("affelnet-offre-1re-pro.csv"), p("affelnet-offre-2nde.csv")}}
	for i, out := range []string{a, b} {
		// The second build walks a little less from stops to schools, so
		// that the two graphs differ.
		g, err := ingest.Build(srcs, ingest.Options{Date: time.Date(2012, 5, 22, 0, 0, 0, 0, time.UTC), EgressLimit: 1500 - 100*float64(i)})
		if err != nil {
			return fmt.Errorf("build Rennes: %w", err)
		}
		if err := graph.Write(out, g); err != nil {
			return err
		}
	}
	return nil
}

// Run serves GraphA, loads it for c.Duration and returns the figures.
func Run(c Config) (*Result, error) {
	dir, err := os.MkdirTemp("", "reach-loadtest-run-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	served, bad := filepath.Join(dir, "served.graph"), filepath.Join(dir, "corrupt.graph")
	if err := copyFile(c.GraphA, served); err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(c.GraphB)
	if err != nil {
		return nil, err
	}
	raw[len(raw)/2] ^= 0xff
	if err := os.WriteFile(bad, raw, 0o644); err != nil {
		return nil, err
	}
	g, err := graph.Read(c.GraphA)
	if err != nil {
		return nil, err
	}
	gb, err := graph.Read(c.GraphB)
	if err != nil {
		return nil, err
	}
	good := map[string]bool{g.Meta.BuildID: true, gb.Meta.BuildID: true}
	if len(good) != 2 {
		return nil, errors.New("the two graphs have the same build id")
	}
	if g.Streets.NumNodes() == 0 {
		return nil, errors.New("the graph has no streets to draw addresses from")
	}

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.New(server.Config{GraphPath: served, MaxInflight: c.MaxInflight, MaxQueue: c.MaxQueue, Logger: log})
	if err != nil {
		return nil, err
	}
	if _, err := srv.Reload(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String()

	res := &Result{}
	var mu sync.Mutex // guards res.FailSamples
	fail := func(msg string) {
		mu.Lock()
		if len(res.FailSamples) < 10 {
			res.FailSamples = append(res.FailSamples, msg)
		}
		mu.Unlock()
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.Duration)
	defer cancel()
	start := time.Now()

	// Reloads.
	var reloads sync.WaitGroup
	if c.ReloadEvery > 0 {
		reloads.Go(func() {
			t := time.NewTicker(c.ReloadEvery)
			defer t.Stop()
			files := []string{c.GraphB, c.GraphA}
			n := 0
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
				n++
				corrupt := c.CorruptEvery > 0 && n%c.CorruptEvery == 0
				src := files[n%2]
				if corrupt {
					src = bad
				}
				if err := replace(src, served); err != nil {
					fail("replace graph file: " + err.Error())
					res.ReloadErrors++
					continue
				}
				_, err := srv.Reload()
				var re *server.ReloadError
				switch {
				case corrupt && errors.As(err, &re) && re.Refused:
					res.Refused++
				case !corrupt && err == nil:
					res.Reloads++
				default:
					res.ReloadErrors++
					fail(fmt.Sprintf("reload %d (corrupt %v): %v", n, corrupt, err))
				}
			}
		})
	}

	// Clients.
	all, ok, shed, failed := runUsers(ctx, base, g, func(id string) bool { return good[id] }, c.Workers, c.Seed, fail)
	reloads.Wait()
	res.Duration = time.Since(start)
	res.OK, res.Shed, res.Failed = ok, shed, failed
	res.Requests = res.OK + res.Shed + res.Failed
	res.Throughput = float64(res.OK) / res.Duration.Seconds()
	res.P50, res.P95, res.P99, res.Max = percentiles(all)
	return res, nil
}

// runUsers runs workers closed-loop clients, each asking /v1/reachable
// from random addresses of g's streets until ctx ends. It returns the
// sorted latencies of the 200 answers from a good graph, and the counts of
// those, of deliberate 503s (overloaded) and of anything else, which it
// passes to fail.
func runUsers(ctx context.Context, base string, g *graph.Graph, good func(buildID string) bool, workers int, seed int64,
	fail func(string)) (lat []time.Duration, ok, shed, failed int64) {
	lats := make([][]time.Duration, workers)
	var nOK, nShed, nFailed atomic.Int64
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}, Timeout: time.Minute}
	defer client.CloseIdleConnections()
	for w := range workers {
		rng := rand.New(rand.NewSource(seed + int64(w)))
		wg.Go(func() {
			for ctx.Err() == nil {
				v := rng.Intn(g.Streets.NumNodes())
				url := fmt.Sprintf("%s/v1/reachable?lat=%.6f&lon=%.6f", base,
					g.Streets.NodeLat[v]+(rng.Float64()-0.5)*2e-4, g.Streets.NodeLon[v]+(rng.Float64()-0.5)*2e-4)
				t0 := time.Now()
				r, err := client.Get(url)
				if err != nil {
					if ctx.Err() == nil {
						nFailed.Add(1)
						fail(err.Error())
					}
					continue
				}
				var p server.Problem
				body, _ := io.ReadAll(r.Body)
				r.Body.Close()
				d := time.Since(t0)
				switch {
				case r.StatusCode == 200 && good(r.Header.Get("X-Graph-Build")):
					nOK.Add(1)
					lats[w] = append(lats[w], d)
				case r.StatusCode == 503 && json.Unmarshal(body, &p) == nil && p.Type == "urn:reach:problem:overloaded":
					nShed.Add(1)
				default:
					nFailed.Add(1)
					fail(fmt.Sprintf("%s: %d build %q: %.200s", url, r.StatusCode, r.Header.Get("X-Graph-Build"), body))
				}
			}
		})
	}
	wg.Wait()
	lat = slices.Concat(lats...)
	slices.Sort(lat)
	return lat, nOK.Load(), nShed.Load(), nFailed.Load()
}

// percentiles returns the 50th, 95th and 99th percentiles and the
// maximum of sorted durations (zeros when there are none).
func percentiles(sorted []time.Duration) (p50, p95, p99, maxd time.Duration) {
	n := len(sorted)
	if n == 0 {
		return 0, 0, 0, 0
	}
	q := func(p float64) time.Duration { return sorted[min(n-1, int(p*float64(n)))] }
	return q(0.50), q(0.95), q(0.99), sorted[n-1]
}

// Print writes the result for a person.
func (r *Result) Print(w io.Writer) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	fmt.Fprintf(w, "duration     %.1f s\n", r.Duration.Seconds())
	fmt.Fprintf(w, "requests     %d: %d ok, %d shed (503 overloaded), %d failed\n", r.Requests, r.OK, r.Shed, r.Failed)
	fmt.Fprintf(w, "throughput   %.1f answers/s\n", r.Throughput)
	fmt.Fprintf(w, "latency      p50 %s, p95 %s, p99 %s, max %s\n", ms(r.P50), ms(r.P95), ms(r.P99), ms(r.Max))
	fmt.Fprintf(w, "reloads      %d accepted, %d corrupt refused, %d wrong outcomes\n", r.Reloads, r.Refused, r.ReloadErrors)
	for _, s := range r.FailSamples {
		fmt.Fprintln(w, "failure:", s)
	}
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

// replace puts a copy of src at dst atomically (write beside, rename).
func replace(src, dst string) error {
	tmp := dst + ".new"
	if err := copyFile(src, tmp); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}
