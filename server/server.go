// Package server is the HTTP service of reach: the JSON API over a loaded
// graph (/v1/reachable, /v1/isochrone, /v1/journey, /v1/schools,
// /v1/graph, /v1/streets), health and readiness probes, Prometheus metrics,
// the OpenAPI description and an offline web page.
//
// The graph is held behind an atomic pointer: a reload (SIGHUP, or
// POST /v1/admin/reload) loads and checks the new file beside the old one
// and swaps the pointer, so that requests in flight finish on the graph
// they started with and a refused file leaves the old graph serving.
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
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"

	"reach/engine"
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
}

// New returns a server without a graph: /readyz answers 503 and the API
// 503 until Reload or Install succeeds.
func New(cfg Config) (*Server, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger, limit: newLimiter(cfg.MaxInflight, cfg.MaxQueue, cfg.QueueWait)}
	s.metrics = newMetrics(s)
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

// Reload loads Config.GraphPath beside the graph being served, checks it,
// and swaps it in. On error the old graph keeps serving and the error is a
// *ReloadError. Reloads are serialised.
func (s *Server) Reload() (*ReloadResult, error) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	path := s.cfg.GraphPath
	start := time.Now()
	e, err := s.cfg.Load(path)
	if err == nil {
		// Build the default footpaths now rather than in the first
		// requests after the swap, which would wait for them.
		_, err = e.Transfers("", engine.DefaultWalkSpeed, engine.DefaultMaxWalk)
	}
	if err != nil {
		re := &ReloadError{Path: path, Err: err, Refused: !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission)}
		s.metrics.reloads(false)
		if serving := s.BuildID(); serving != "" {
			s.log.Error("graph reload refused; the previous graph keeps serving", "path", path, "build_id", serving, "err", err)
		} else {
			s.log.Error("graph refused; no graph is served", "path", path, "err", err)
		}
		return nil, re
	}
	return s.install(e, path, time.Since(start)), nil
}

// Install serves an engine built in memory (path only names it in /v1/graph).
func (s *Server) Install(e *engine.Engine, path string) *ReloadResult {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	return s.install(e, path, 0)
}

func (s *Server) install(e *engine.Engine, path string, took time.Duration) *ReloadResult {
	st := &state{eng: e, path: path, loadedAt: time.Now(), loadTook: took}
	st.streets = newStreetLayer(&e.Graph().Streets)
	prev := s.cur.Swap(st)
	res := &ReloadResult{Path: path, BuildID: e.Graph().Meta.BuildID, LoadMS: math.Round(float64(took.Microseconds())/100) / 10}
	if prev != nil {
		res.Previous = prev.eng.Graph().Meta.BuildID
	}
	s.metrics.reloads(true)
	s.log.Info("graph loaded", "path", path, "build_id", res.BuildID, "previous_build_id", res.Previous,
		"date", e.Graph().Meta.Date, "load_ms", res.LoadMS)
	return res
}

// limits are the bounds the server sets on requests.
func (s *Server) limits() engine.Limits { return engine.Limits{MaxMinutes: s.cfg.MaxMinutes} }
