// Package server is the HTTP service of reach: the JSON API over a loaded
// graph (/v1/reachable, /v1/isochrone, /v1/journey, /v1/schools,
// /v1/graph, /v1/streets), health and readiness probes, Prometheus metrics,
// the OpenAPI description and an offline web page.
//
// The graph is held behind an atomic pointer: a reload (SIGHUP, or
// POST /v1/admin/reload) loads and checks the new file beside the old one
// and swaps the pointer, so that requests in flight finish on the graph
// they started with and a refused file leaves the old graph serving. A
// reload refuses a graph that holds much less than the one served (see
// shrink) unless forced. At most two graphs are in memory: the server
// keeps no reference to a replaced graph, which is freed once its last
// request ends, and a reload first waits for the requests still running
// on the graph before last (at most the time limit and a second).
//
// Heavy routes run under a concurrency limit that sheds load with 503 and
// Retry-After when every slot is taken and the short wait queue is full,
// and under a time limit.
package server

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"runtime"
	rtmetrics "runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"

	"reach/engine"
	"reach/graph"
)

// Config configures a Server. Zero fields take the documented defaults.
type Config struct {
	// GraphPath is the graph file that Reload reads.
	GraphPath string
	// AdminToken enables POST /v1/admin/reload for requests carrying
	// "Authorization: Bearer <AdminToken>". Empty: the endpoint answers 404.
	AdminToken string
	// CORSOrigins are the origins allowed to call the API from a browser
	// ("*" for any). Empty: no CORS headers.
	CORSOrigins []string
	// Timeout bounds the computation of one request (default 30 s).
	Timeout time.Duration
	// MaxInflight is the number of heavy requests computed at once
	// (default 2 × GOMAXPROCS).
	MaxInflight int
	// MaxQueue is the number of heavy requests that may wait for a slot
	// (default 4 × MaxInflight; negative for none); beyond it requests
	// are shed at once.
	MaxQueue int
	// QueueWait is the longest a request waits for a slot before it is
	// shed (default 2 s).
	QueueWait time.Duration
	// MaxMinutes is the ceiling of the max_minutes parameter (default 180,
	// at most engine.MaxMaxMinutes).
	MaxMinutes int
	// MaxStreetSegments caps the street segments of one /v1/streets
	// answer (default 40000).
	MaxStreetSegments int
	// TileURL is a raster tile URL template ({z}/{x}/{y}) the web page
	// draws under the streets; empty: streets only.
	TileURL string
	// Logger receives access logs and reload reports (default: discard).
	Logger *slog.Logger
	// Load reads a graph file (default engine.Load).
	Load func(path string) (*engine.Engine, error)
}

func (c *Config) setDefaults() error {
	if c.Timeout == 0 {
		c.Timeout = 30 * time.Second
	}
	if c.MaxInflight == 0 {
		c.MaxInflight = 2 * runtime.GOMAXPROCS(0)
	}
	switch {
	case c.MaxQueue == 0:
		c.MaxQueue = 4 * c.MaxInflight
	case c.MaxQueue < 0:
		c.MaxQueue = 0
	}
	if c.QueueWait == 0 {
		c.QueueWait = 2 * time.Second
	}
	if c.MaxMinutes == 0 {
		c.MaxMinutes = 180
	}
	if c.MaxStreetSegments == 0 {
		c.MaxStreetSegments = 40000
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Load == nil {
		c.Load = engine.Load
	}
	switch {
	case c.Timeout < 0:
		return fmt.Errorf("timeout %v: want a positive duration", c.Timeout)
	case c.MaxInflight < 0 || c.QueueWait < 0:
		return fmt.Errorf("max-inflight %d, queue-wait %v: want positive values", c.MaxInflight, c.QueueWait)
	case c.MaxMinutes < 1 || c.MaxMinutes > engine.MaxMaxMinutes:
		return fmt.Errorf("max-minutes %d: want 1..%d", c.MaxMinutes, engine.MaxMaxMinutes)
	case c.MaxStreetSegments < 1:
		return fmt.Errorf("max street segments %d: want at least 1", c.MaxStreetSegments)
	}
	return nil
}

// Server serves one graph at a time over HTTP. Its methods are safe for
// concurrent use.
type Server struct {
	cfg      Config
	log      *slog.Logger
	cur      atomic.Pointer[state]
	reloadMu sync.Mutex // one reload at a time
	// retired counts the requests on the graph replaced last; only its
	// counter is kept, so that the graph itself can be freed.
	retired  *atomic.Int64 // guarded by reloadMu
	draining atomic.Bool
	limit    *limiter
	metrics  *metrics
	handler  http.Handler
	mux      *mux.Router // inside handler
	index    []byte      // rendered web page
}

// state is one loaded graph with what the handlers derive from it.
type state struct {
	eng      *engine.Engine
	path     string
	loadedAt time.Time
	loadTook time.Duration
	streets  *streetLayer
	// users counts the requests using this graph (see Server.use). It is
	// a separate allocation so that a reload can watch it without keeping
	// the graph alive.
	users *atomic.Int64
}

// use returns the graph being served (nil when none), counted as used
// until done is called.
func (s *Server) use() *state {
	for {
		st := s.cur.Load()
		if st == nil {
			return nil
		}
		st.users.Add(1)
		// A reload may have replaced st between the load and the count,
		// and seen no user: count on the graph now served instead.
		if s.cur.Load() == st {
			return st
		}
		st.users.Add(-1)
	}
}

// done ends a use of st.
func (s *Server) done(st *state) { st.users.Add(-1) }

// New returns a server without a graph: /readyz answers 503 and the API
// 503 until Reload or Install succeeds.
func New(cfg Config) (*Server, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger, limit: newLimiter(cfg.MaxInflight, cfg.MaxQueue, cfg.QueueWait)}
	m, err := newMetrics(s)
	if err != nil {
		return nil, err
	}
	s.metrics = m
	index, err := renderIndex(cfg.TileURL)
	if err != nil {
		return nil, err
	}
	s.index = index
	s.handler = s.routes()
	return s, nil
}

// Handler returns the HTTP handler of the server.
func (s *Server) Handler() http.Handler { return s.handler }

// Ready reports whether a graph is loaded and the server is not draining.
func (s *Server) Ready() bool { return s.cur.Load() != nil && !s.draining.Load() }

// Drain makes /readyz answer 503 so that load balancers stop sending
// requests, ahead of a shutdown. Requests are still served.
func (s *Server) Drain() { s.draining.Store(true) }

// BuildID returns the build id of the graph being served ("" when none).
func (s *Server) BuildID() string {
	if st := s.cur.Load(); st != nil {
		return st.eng.Graph().Meta.BuildID
	}
	return ""
}

// ReloadResult says what a successful reload installed.
type ReloadResult struct {
	Path     string  `json:"path"`
	BuildID  string  `json:"build_id"`
	Previous string  `json:"previous_build_id,omitempty"`
	LoadMS   float64 `json:"load_ms"`
	// Shrank lists, for a forced reload, the figures that fell by more
	// than the guard allows.
	Shrank []string `json:"shrank,omitempty"`
}

// ReloadError is a refused reload. The graph served before stays.
type ReloadError struct {
	Path string
	// Refused is true when the file itself is at fault (corrupt, of
	// another format version or layout, inconsistent), false when it
	// could not be read (missing, permissions).
	Refused bool
	Err     error
}

func (e *ReloadError) Error() string { return fmt.Sprintf("reload %s: %v", e.Path, e.Err) }

func (e *ReloadError) Unwrap() error { return e.Err }

// ShrinkError is a graph refused because it holds much less than the one
// served (see shrink): most often a build that lost a feed, the streets or
// the offer lists.
type ShrinkError struct {
	Fell []string // the figures that fell, readable
}

func (e *ShrinkError) Error() string {
	return "the new graph holds much less than the one served: " + strings.Join(e.Fell, "; ") +
		" (POST /v1/admin/reload?force=true serves it anyway)"
}

// retireGrace is how much longer than the time limit a reload waits for
// the requests on the graph before last.
const retireGrace = time.Second

// Reload loads Config.GraphPath beside the graph being served, checks it,
// and swaps it in. A graph whose scheduled trips, linked stops or placed
// offers fell by more than 30 % against the one served is refused (a
// *ShrinkError inside the *ReloadError). On error the old graph keeps
// serving and the error is a *ReloadError. Reloads are serialised. The
// heap is measured (after a garbage collection) before and after, and
// logged.
func (s *Server) Reload() (*ReloadResult, error) { return s.reload(false) }

// reload is Reload; force serves a graph that shrank.
func (s *Server) reload(force bool) (*ReloadResult, error) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	s.awaitRetired()
	path := s.cfg.GraphPath
	heapBefore := liveHeap()
	start := time.Now()
	e, err := s.cfg.Load(path)
	if err == nil {
		// Build the default footpaths now rather than in the first
		// requests after the swap, which would wait for them.
		_, err = e.Transfers("")
	}
	var fell []string
	if cur := s.cur.Load(); err == nil && cur != nil {
		if fell = shrink(cur.eng.Graph(), e.Graph()); len(fell) > 0 && !force {
			err = &ShrinkError{Fell: fell}
		}
	}
	if err != nil {
		// The refused engine is garbage from here: heap_after_mb leaves it out.
		re := &ReloadError{Path: path, Err: err, Refused: !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission)}
		s.metrics.reloads(false)
		heap := []any{"heap_before_mb", mb(heapBefore), "heap_after_mb", mb(liveHeap())}
		if serving := s.BuildID(); serving != "" {
			s.log.Error("graph reload refused; the previous graph keeps serving",
				append([]any{"path", path, "build_id", serving, "err", err}, heap...)...)
		} else {
			s.log.Error("graph refused; no graph is served", append([]any{"path", path, "err", err}, heap...)...)
		}
		return nil, re
	}
	res := s.install(e, path, time.Since(start))
	res.Shrank = fell
	// The replaced graph is freed here unless requests still use it.
	s.log.Info("graph loaded", "path", path, "build_id", res.BuildID, "previous_build_id", res.Previous,
		"date", e.Graph().Meta.Date, "load_ms", res.LoadMS, "forced_past", fell,
		"heap_before_mb", mb(heapBefore), "heap_after_mb", mb(liveHeap()), "previous_in_use", s.retiredUsers())
	return res, nil
}

// awaitRetired waits until no request uses the graph replaced last, so
// that loading another one keeps at most two in memory. Requests end
// within the time limit (the engine stops at it), so the wait is bounded
// by it and retireGrace; past that the reload goes on and says so.
func (s *Server) awaitRetired() {
	if s.retired == nil {
		return
	}
	deadline := time.Now().Add(s.cfg.Timeout + retireGrace)
	for s.retired.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := s.retired.Load(); n > 0 {
		s.log.Warn("requests still use the graph before last: three graphs in memory during this reload", "requests", n)
	}
	s.retired = nil
}

// retiredUsers is the number of requests still on the graph replaced last.
func (s *Server) retiredUsers() int64 {
	if s.retired == nil {
		return 0
	}
	return s.retired.Load()
}

// liveHeap runs a garbage collection and returns the bytes of live heap
// objects. Reloads call it: a collection costs little next to a load.
func liveHeap() uint64 {
	runtime.GC()
	sample := []rtmetrics.Sample{{Name: "/gc/heap/live:bytes"}}
	rtmetrics.Read(sample)
	if sample[0].Value.Kind() != rtmetrics.KindUint64 {
		return 0
	}
	return sample[0].Value.Uint64()
}

// mb is bytes in megabytes, to one decimal.
func mb(b uint64) float64 { return math.Round(float64(b)/1e5) / 10 }

// shrink names the figures of new (scheduled trips, linked stops, placed
// offers) that fell by more than graph.DefaultMaxShrink against old: the
// release gate builds use too (graph.CompareShrink).
func shrink(old, new *graph.Graph) []string {
	var fell []string
	for _, f := range graph.CompareShrink(&old.Meta, &new.Meta, graph.DefaultMaxShrink) {
		fell = append(fell, f.String())
	}
	return fell
}

// Install serves an engine built in memory (path only names it in
// /v1/graph), without the checks of Reload.
func (s *Server) Install(e *engine.Engine, path string) *ReloadResult {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	s.awaitRetired()
	res := s.install(e, path, 0)
	s.log.Info("graph loaded", "path", path, "build_id", res.BuildID, "previous_build_id", res.Previous, "date", e.Graph().Meta.Date)
	return res
}

// install swaps e in; the caller holds reloadMu. It keeps only the
// replaced graph's request counter.
func (s *Server) install(e *engine.Engine, path string, took time.Duration) *ReloadResult {
	st := &state{eng: e, path: path, loadedAt: time.Now(), loadTook: took, users: new(atomic.Int64)}
	st.streets = newStreetLayer(&e.Graph().Streets)
	prev := s.cur.Swap(st)
	res := &ReloadResult{Path: path, BuildID: e.Graph().Meta.BuildID, LoadMS: math.Round(float64(took.Microseconds())/100) / 10}
	if prev != nil {
		res.Previous = prev.eng.Graph().Meta.BuildID
		s.retired = prev.users
	}
	s.metrics.reloads(true)
	return res
}

// HTTPServer returns the net/http server of reach serve for this server's
// handler: time limits on reading a request's headers and body, on writing
// the answer (the request time limit and 30 s more) and on idle
// connections, and errors of the HTTP layer logged as warnings.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      s.cfg.Timeout + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// limits are the bounds the server sets on requests.
func (s *Server) limits() engine.Limits { return engine.Limits{MaxMinutes: s.cfg.MaxMinutes} }
