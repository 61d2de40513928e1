package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math/rand"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"reach/graph"
	"reach/server"
)

// The attack mode compares normal users' latencies and the server's
// memory in a quiet run and in a run where an attacker sends maximal
// requests and goes away before the answers. The server runs in a child
// process (this program re-executed with childEnv set), a fresh one for
// each run, so that its resident memory is its own.

// childEnv, set to 1, makes this program the server under test.
const childEnv = "REACH_LOADTEST_SERVER"

// AttackConfig is one adversarial comparison.
type AttackConfig struct {
	Graph    string        // graph file served
	Duration time.Duration // length of each run
	Rounds   int           // quiet and attack runs, back to back, this many times
	Workers  int           // normal users (closed loop)
	Seed     int64
	// Server settings (0: the defaults of reach serve).
	Timeout     time.Duration
	MaxInflight int
	MaxQueue    int
	// The attacker: Rate requests per second, each dropped after Hold;
	// Kinds among "ceiling" (isochrones at the max_minutes ceiling, every
	// limit at its maximum), "lists" (/v1/reachable with 100 UAIs and 100
	// diplomas, 500 per page), "bigurl" (a 1 MB URL: 100 diploma values
	// of 10 kB) and "speeds" (random walking speeds, each a footpath
	// table to build).
	Rate  float64
	Hold  time.Duration
	Kinds []string
}

// attackKinds are the attacker's kinds of requests.
var attackKinds = []string{"ceiling", "lists", "bigurl", "speeds"}

// Phase is what one run measured.
type Phase struct {
	Attack     bool
	Duration   time.Duration
	OK         int64 // normal users' 200 answers
	Shed       int64 // normal users' 503 overloaded
	Failed     int64 // normal users' other outcomes
	Throughput float64
	P50, P95   time.Duration
	P99, Max   time.Duration
	LoadedRSS  uint64 // server's resident memory once the graph is loaded, bytes
	PeakRSS    uint64 // its peak during the run, bytes
	// The attacker's requests: sent, dropped by the attacker after Hold,
	// answered before by status, and transport errors.
	AttackSent    int64
	AttackDropped int64
	AttackStatus  map[int]int64 `json:",omitempty"`
	AttackErrors  int64
	FailSamples   []string `json:",omitempty"`
}

// AttackReport is an adversarial comparison: every run, and the medians
// over rounds of the quiet and attack figures.
type AttackReport struct {
	Rounds                    [][2]*Phase // quiet, attack
	QuietP50, QuietP95        time.Duration
	AttackP50, AttackP95      time.Duration
	QuietRSS, AttackRSS       uint64 // peak, bytes
	P95Ratio, RSSRatio        float64
	QuietShed, AttackShed     int64 // medians of normal users' shed requests
	QuietFailed, AttackFailed int64 // medians of normal users' failed requests
	Met                       bool  // p95 and peak RSS within 2× the quiet run's
}

// RunAttack runs c.Rounds quiet and attack runs back to back and reports
// them with their medians.
func RunAttack(c AttackConfig) (*AttackReport, error) {
	g, err := graph.Read(c.Graph)
	if err != nil {
		return nil, err
	}
	if g.Streets.NumNodes() == 0 {
		return nil, errors.New("the graph has no streets to draw addresses from")
	}
	for _, k := range c.Kinds {
		if !slices.Contains(attackKinds, k) {
			return nil, fmt.Errorf("attack kind %q: want among %s", k, strings.Join(attackKinds, ", "))
		}
	}
	rep := &AttackReport{}
	for i := range c.Rounds {
		var round [2]*Phase
		for j, attack := range []bool{false, true} {
			p, err := runPhase(c, g, attack, c.Seed+int64(1000*i))
			if err != nil {
				return nil, err
			}
			round[j] = p
		}
		rep.Rounds = append(rep.Rounds, round)
	}
	med := func(f func(*Phase) float64, j int) float64 {
		var xs []float64
		for _, r := range rep.Rounds {
			xs = append(xs, f(r[j]))
		}
		slices.Sort(xs)
		n := len(xs)
		return (xs[(n-1)/2] + xs[n/2]) / 2
	}
	p50 := func(p *Phase) float64 { return float64(p.P50) }
	p95 := func(p *Phase) float64 { return float64(p.P95) }
	rss := func(p *Phase) float64 { return float64(p.PeakRSS) }
	rep.QuietP50, rep.AttackP50 = time.Duration(med(p50, 0)), time.Duration(med(p50, 1))
	rep.QuietP95, rep.AttackP95 = time.Duration(med(p95, 0)), time.Duration(med(p95, 1))
	rep.QuietRSS, rep.AttackRSS = uint64(med(rss, 0)), uint64(med(rss, 1))
	rep.QuietShed = int64(med(func(p *Phase) float64 { return float64(p.Shed) }, 0))
	rep.AttackShed = int64(med(func(p *Phase) float64 { return float64(p.Shed) }, 1))
	rep.QuietFailed = int64(med(func(p *Phase) float64 { return float64(p.Failed) }, 0))
	rep.AttackFailed = int64(med(func(p *Phase) float64 { return float64(p.Failed) }, 1))
	if rep.QuietP95 > 0 && rep.QuietRSS > 0 {
		rep.P95Ratio = float64(rep.AttackP95) / float64(rep.QuietP95)
		rep.RSSRatio = float64(rep.AttackRSS) / float64(rep.QuietRSS)
	}
	rep.Met = rep.P95Ratio > 0 && rep.P95Ratio <= 2 && rep.RSSRatio > 0 && rep.RSSRatio <= 2
	return rep, nil
}

// runPhase starts a server, runs the normal users (and the attacker) for
// c.Duration, and stops the server.
func runPhase(c AttackConfig, g *graph.Graph, attack bool, seed int64) (*Phase, error) {
	srv, err := startChild(c)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	ph := &Phase{Attack: attack, AttackStatus: map[int]int64{}}
	ph.LoadedRSS = srv.rss("VmRSS")
	srv.resetPeak()
	var mu sync.Mutex
	fail := func(msg string) {
		mu.Lock()
		if len(ph.FailSamples) < 10 {
			ph.FailSamples = append(ph.FailSamples, msg)
		}
		mu.Unlock()
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.Duration)
	defer cancel()
	start := time.Now()
	var attacker sync.WaitGroup
	if attack {
		a, err := newAttacker(c, g, srv.base, seed)
		if err != nil {
			return nil, err
		}
		attacker.Go(func() { a.run(ctx, c.Rate, ph) })
	}
	all, ok, shed, failed := runUsers(ctx, srv.base, g, func(id string) bool { return id != "" }, c.Workers, seed, fail)
	attacker.Wait()
	ph.Duration = time.Since(start)
	ph.PeakRSS = srv.rss("VmHWM")
	ph.OK, ph.Shed, ph.Failed = ok, shed, failed
	ph.Throughput = float64(ok) / ph.Duration.Seconds()
	ph.P50, ph.P95, ph.P99, ph.Max = percentiles(all)
	if err := srv.stop(); err != nil {
		return nil, err
	}
	return ph, nil
}

// attacker sends maximal requests and drops them after hold.
type attacker struct {
	base    string
	kinds   []string
	hold    time.Duration
	ceiling int
	g       *graph.Graph
	rng     *rand.Rand
	uais    string // 100 UAIs of the graph
	levels  string // 100 diploma values
	big     string // 100 diploma values of 10 kB: a 1 MB URL
	client  *http.Client
}

func newAttacker(c AttackConfig, g *graph.Graph, base string, seed int64) (*attacker, error) {
	a := &attacker{base: base, kinds: c.Kinds, hold: c.Hold, g: g, rng: rand.New(rand.NewSource(seed)),
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: c.Hold}}
	// The ceiling of max_minutes, as the server says it.
	res, err := http.Get(base + "/v1/graph")
	if err != nil {
		return nil, err
	}
	var doc server.GraphDoc
	err = json.NewDecoder(res.Body).Decode(&doc)
	res.Body.Close()
	if err != nil || doc.Defaults.MaxMinutesCeiling < 1 {
		return nil, fmt.Errorf("reading the server's limits: %v", err)
	}
	a.ceiling = doc.Defaults.MaxMinutesCeiling
	pl := &g.Places
	var uais, levels, big []string
	for i := range 100 {
		if pl.NumSchools() > 0 {
			uais = append(uais, pl.SchoolID[i%pl.NumSchools()])
		}
		levels = append(levels, fmt.Sprintf("Bac Pro %03d", i))
		big = append(big, fmt.Sprintf("%03d", i)+strings.Repeat("x", 9_997))
	}
	a.uais, a.levels, a.big = strings.Join(uais, ","), strings.Join(levels, ","), strings.Join(big, ",")
	return a, nil
}

// url returns the next request of a kind.
func (a *attacker) url(kind string) string {
	v := a.rng.Intn(a.g.Streets.NumNodes())
	lat, lon := a.g.Streets.NodeLat[v], a.g.Streets.NodeLon[v]
	q := url.Values{}
	q.Set("lat", strconv.FormatFloat(lat, 'f', 6, 64))
	q.Set("lon", strconv.FormatFloat(lon, 'f', 6, 64))
	q.Set("max_minutes", strconv.Itoa(a.ceiling))
	q.Set("max_walk", "5000")
	q.Set("max_transfers", "16")
	q.Set("max_direct_walk", strconv.Itoa(a.ceiling))
	q.Set("arrive_by", fmt.Sprintf("%02d:%02d", 7+a.rng.Intn(12), a.rng.Intn(60)))
	path := "/v1/reachable"
	switch kind {
	case "ceiling":
		path = "/v1/isochrone"
	case "lists":
		q.Set("uai", a.uais)
		q.Set("diplome", a.levels)
		q.Set("per_page", "500")
		q.Set("include_unreachable", "true")
	case "bigurl":
		q.Set("diplome", a.big)
	case "speeds":
		q.Set("walk_speed", strconv.FormatFloat(0.3+2.7*a.rng.Float64(), 'f', 4, 64))
	}
	return a.base + path + "?" + q.Encode()
}

// run sends rate requests per second until ctx ends, each in its own
// goroutine, dropped after a.hold; at most a bounded number are under way.
func (a *attacker) run(ctx context.Context, rate float64, ph *Phase) {
	if rate <= 0 || len(a.kinds) == 0 {
		return
	}
	var sent, dropped, errs atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, max(8, int(2*rate*a.hold.Seconds())+1))
	t := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			wg.Wait()
			a.client.CloseIdleConnections()
			ph.AttackSent, ph.AttackDropped, ph.AttackErrors = sent.Load(), dropped.Load(), errs.Load()
			return
		case <-t.C:
		}
		select {
		case slots <- struct{}{}:
		default:
			continue // as many under way as the bound allows
		}
		u := a.url(a.kinds[i%len(a.kinds)])
		wg.Go(func() {
			defer func() { <-slots }()
			sent.Add(1)
			res, err := a.client.Get(u)
			if err != nil {
				if errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err) {
					dropped.Add(1)
				} else {
					errs.Add(1)
				}
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			mu.Lock()
			ph.AttackStatus[res.StatusCode]++
			mu.Unlock()
		})
	}
}

// child is a server process under test.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	base  string
	once  sync.Once
	err   error
}

// startChild starts this program as a server of c.Graph and waits until it
// listens.
func startChild(c AttackConfig) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "-graph", c.Graph, "-timeout", c.Timeout.String(),
		"-max-inflight", strconv.Itoa(c.MaxInflight), "-max-queue", strconv.Itoa(c.MaxQueue))
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ch := &child{cmd: cmd, stdin: stdin}
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			line <- sc.Text()
		}
		close(line)
		io.Copy(io.Discard, stdout)
	}()
	select {
	case l, ok := <-line:
		addr, found := strings.CutPrefix(l, "listening ")
		if !ok || !found {
			ch.stop()
			return nil, fmt.Errorf("the server process did not start (%q)", l)
		}
		ch.base = "http://" + addr
	case <-time.After(5 * time.Minute):
		ch.stop()
		return nil, errors.New("the server process did not listen within 5 minutes")
	}
	return ch, nil
}

// rss returns a memory figure of the process from /proc (VmRSS: resident
// now; VmHWM: peak resident since start or resetPeak), in bytes, or 0.
func (c *child) rss(field string) uint64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, field+":"); ok {
			f := strings.Fields(rest) // "123456 kB"
			if len(f) == 2 && f[1] == "kB" {
				n, _ := strconv.ParseUint(f[0], 10, 64)
				return n * 1024
			}
		}
	}
	return 0
}

// resetPeak makes VmHWM start again from the current resident memory, so
// that the peak of a run leaves out the graph's loading.
func (c *child) resetPeak() {
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", c.cmd.Process.Pid), []byte("5"), 0); err != nil {
		fmt.Fprintf(os.Stderr, "loadtest: cannot reset the peak memory of the server (%v): it includes the graph's loading\n", err)
	}
}

// stop ends the server process: stdin closed, then killed if it has not
// exited within 10 s.
func (c *child) stop() error {
	c.once.Do(func() {
		c.stdin.Close()
		done := make(chan error, 1)
		go func() { done <- c.cmd.Wait() }()
		select {
		case c.err = <-done:
		case <-time.After(10 * time.Second):
			c.cmd.Process.Kill()
			c.err = fmt.Errorf("the server process did not stop: %v", <-done)
		}
	})
	return c.err
}

// serveChild is the server process: it serves the graph of args on a free
// loopback port with the settings of reach serve, prints "listening ADDR"
// and serves until its standard input closes.
func serveChild(args []string) error {
	fs := flag.NewFlagSet("loadtest server", flag.ContinueOnError)
	graphPath := fs.String("graph", "", "graph file")
	timeout := fs.Duration("timeout", 0, "request time limit")
	inflight := fs.Int("max-inflight", 0, "concurrency limit")
	queue := fs.Int("max-queue", 0, "wait queue")
	if err := fs.Parse(args); err != nil {
		return err
	}
	srv, err := server.New(server.Config{GraphPath: *graphPath, Timeout: *timeout, MaxInflight: *inflight, MaxQueue: *queue})
	if err != nil {
		return err
	}
	if _, err := srv.Reload(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := srv.HTTPServer()
	go hs.Serve(ln)
	fmt.Printf("listening %s\n", ln.Addr())
	io.Copy(io.Discard, os.Stdin)
	return hs.Close()
}

// Print writes the report for a person.
func (r *AttackReport) Print(w io.Writer) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	mib := func(b uint64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
	for i, round := range r.Rounds {
		for _, p := range round {
			name := "quiet "
			if p.Attack {
				name = "attack"
			}
			fmt.Fprintf(w, "round %d %s  %6.1f answers/s, p50 %s, p95 %s, p99 %s, max %s; normal requests %d ok, %d shed, %d failed; server RSS %s loaded, peak %s\n",
				i+1, name, p.Throughput, ms(p.P50), ms(p.P95), ms(p.P99), ms(p.Max), p.OK, p.Shed, p.Failed, mib(p.LoadedRSS), mib(p.PeakRSS))
			if p.Attack {
				var st []string
				for _, code := range slices.Sorted(maps.Keys(p.AttackStatus)) {
					st = append(st, fmt.Sprintf("%d: %d", code, p.AttackStatus[code]))
				}
				fmt.Fprintf(w, "               attacker: %d sent, %d dropped after the hold, answered before it {%s}, %d transport errors\n",
					p.AttackSent, p.AttackDropped, strings.Join(st, ", "), p.AttackErrors)
			}
			for _, s := range p.FailSamples {
				fmt.Fprintln(w, "               failure:", s)
			}
		}
	}
	verdict := "met"
	if !r.Met {
		verdict = "MISSED"
	}
	fmt.Fprintf(w, "medians      quiet p50 %s p95 %s RSS %s; attack p50 %s p95 %s RSS %s\n",
		ms(r.QuietP50), ms(r.QuietP95), mib(r.QuietRSS), ms(r.AttackP50), ms(r.AttackP95), mib(r.AttackRSS))
	fmt.Fprintf(w, "target       p95 ×%.2f, peak RSS ×%.2f (at most ×2 each): %s; normal requests shed %d quiet, %d under attack\n",
		r.P95Ratio, r.RSSRatio, verdict, r.QuietShed, r.AttackShed)
}
