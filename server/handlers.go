package server

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"reach/engine"
	"reach/graph"
)

// compute answers one parsed request over one loaded graph.
type compute func(ctx context.Context, st *state) (any, error)

// apiRoute is a GET route of the JSON API.
type apiRoute struct {
	name   string // route name in metrics and logs
	path   string
	params []engine.Param // the query parameters it accepts
	heavy  bool           // runs under the concurrency limit
	// parse checks the query parameters and returns the computation.
	parse func(v url.Values) (compute, error)
}

func (s *Server) apiRoutes() []apiRoute {
	return []apiRoute{
		{"reachable", "/v1/reachable", engine.ReachableParams(), true, s.reachable},
		{"isochrone", "/v1/isochrone", engine.IsochroneParams(), true, s.isochrone},
		{"journey", "/v1/journey", engine.JourneyParams(), true, s.journey},
		{"schools", "/v1/schools", engine.SchoolsParams(), true, s.schools},
		{"streets", "/v1/streets", engine.StreetsParams(), true, s.streets},
		{"graph", "/v1/graph", nil, false, s.graphDoc},
		// Address search: microseconds, never queued behind routing.
		{"geocode", "/v1/geocode", engine.GeocodeParams(), false, s.geocode},
	}
}

// geoDoc marks an answer sent as application/geo+json.
type geoDoc struct{ doc any }

type result struct {
	v   any
	err error
}

// api runs an API route: parameter checks, concurrency limit, time limit,
// and the answer as JSON or problem JSON.
//
// The computation runs in its own goroutine under a context that ends at
// the time limit or when the client goes away; the handler answers (or,
// for a gone client, returns) at once, and the computation gives its slot
// back when it returns. The engine's searches stop between two departures
// once their context is done, so a timed-out or abandoned request frees
// its slot promptly; only a computation that ignored its context would
// hold the slot until it ends.
func (s *Server) api(rt apiRoute) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st := s.use()
		if st == nil {
			writeProblem(w, r, notReady())
			return
		}
		// The graph is in use until the computation ends, which may be
		// after the handler has answered a timeout.
		inUse := true
		defer func() {
			if inUse {
				s.done(st)
			}
		}()
		v, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			writeProblem(w, r, malformedQuery(err))
			return
		}
		run, err := rt.parse(v)
		if err != nil {
			if _, ok := asParamError(err); ok {
				writeProblem(w, r, requestProblem(err, rt.params))
				return
			}
			writeError(w, r, s.log, err)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
		defer cancel()
		if rt.heavy && !s.limit.acquire(ctx) {
			writeProblem(w, r, &Problem{Type: typeOverloaded, Title: "Overloaded", Status: http.StatusServiceUnavailable,
				Detail: "every worker is busy and the wait queue is full; retry later", RetryAfter: 1})
			return
		}
		done := make(chan result, 1)
		inUse = false // the computation's from here
		go func() {
			defer s.done(st)
			if rt.heavy {
				defer s.limit.release()
			}
			defer func() {
				if p := recover(); p != nil {
					done <- result{err: fmt.Errorf("panic in %s: %v\n%s", rt.name, p, debug.Stack())}
				}
			}()
			v, err := run(ctx, st)
			done <- result{v, err}
		}()
		select {
		case res := <-done:
			if res.err != nil {
				writeError(w, r, s.log, res.err)
				return
			}
			writeJSON(w, r, st, res.v)
		case <-ctx.Done():
			if r.Context().Err() != nil {
				return // the client went away: nobody to answer
			}
			writeError(w, r, s.log, context.DeadlineExceeded)
		}
	}
}

// malformedQuery is the problem of a query string that does not parse.
func malformedQuery(err error) *Problem {
	return &Problem{Type: typeInvalidParam, Title: "Malformed query string", Status: http.StatusBadRequest, Detail: clipEcho(err.Error())}
}

func notReady() *Problem {
	return &Problem{Type: typeNotReady, Title: "Not ready", Status: http.StatusServiceUnavailable,
		Detail: "no graph is loaded yet", RetryAfter: 1}
}

// writeJSON sends v as JSON (GeoJSON for a geoDoc).
func writeJSON(w http.ResponseWriter, r *http.Request, st *state, v any) {
	ct := "application/json"
	if g, ok := v.(geoDoc); ok {
		ct, v = "application/geo+json", g.doc
	}
	body, err := json.Marshal(v)
	if err != nil {
		writeProblem(w, r, problemOf(err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	if st != nil {
		h.Set("X-Graph-Build", st.eng.Graph().Meta.BuildID)
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(append(body, '\n'))
	}
}

func (s *Server) reachable(v url.Values) (compute, error) {
	req, err := engine.ParseReachable(v, s.limits())
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, st *state) (any, error) { return st.eng.Answer(ctx, req) }, nil
}

func (s *Server) isochrone(v url.Values) (compute, error) {
	req, err := engine.ParseIsochrone(v, s.limits())
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, st *state) (any, error) {
		a, err := st.eng.Isochrone(ctx, req)
		if err != nil || req.Format == "h3" {
			return a, err
		}
		return geoDoc{a}, nil
	}, nil
}

// JourneyDoc is the /v1/journey answer: the school and the legs of the
// arrive-by journey to it.
type JourneyDoc struct {
	SchoolDoc engine.SchoolDoc `json:"school"`
	*engine.Journey
}

func (s *Server) journey(v url.Values) (compute, error) {
	req, err := engine.ParseJourney(v, s.limits())
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, st *state) (any, error) {
		j, school, err := st.eng.JourneyTo(ctx, req)
		if err != nil {
			return nil, err
		}
		return JourneyDoc{SchoolDoc: st.eng.SchoolDoc(school), Journey: j}, nil
	}, nil
}

func (s *Server) schools(v url.Values) (compute, error) {
	req, err := engine.ParseSchools(v)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, st *state) (any, error) { return st.eng.Schools(req), nil }, nil
}

func (s *Server) streets(v url.Values) (compute, error) {
	box, ok, err := engine.ParseStreets(v)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, st *state) (any, error) {
		b := st.eng.Bounds()
		if ok {
			b = box
		}
		return geoDoc{st.streets.query(b, s.cfg.MaxStreetSegments)}, nil
	}, nil
}

// GraphDoc is the /v1/graph answer: what the loaded graph holds and the
// service's defaults.
type GraphDoc struct {
	graph.Summary
	File           string      `json:"file"` // base name of the graph file
	LoadedAt       string      `json:"loaded_at"`
	LoadMS         float64     `json:"load_ms"`
	BBox           [4]float64  `json:"bbox"`     // minLon, minLat, maxLon, maxLat of streets, stops and schools
	MapBBox        [4]float64  `json:"map_bbox"` // the streets' box (bbox when there are none): where the web page opens
	H3Resolution   int         `json:"h3_resolution,omitempty"`
	Cells          int         `json:"cells"`
	Schools        int         `json:"schools"`
	Offers         int         `json:"offers"`
	HasSchoolBuses bool        `json:"has_school_buses"`
	Defaults       GraphLimits `json:"defaults"`
}

// GraphLimits are the defaults and ceilings of requests.
type GraphLimits struct {
	ArriveBy          string  `json:"arrive_by"`
	MaxMinutes        int     `json:"max_minutes"`
	MaxMinutesCeiling int     `json:"max_minutes_ceiling"`
	Cutoffs           []int   `json:"cutoffs"`
	Modes             string  `json:"modes"`
	WalkSpeed         float64 `json:"walk_speed"`
	BikeSpeed         float64 `json:"bike_speed"`
}

func (s *Server) graphDoc(v url.Values) (compute, error) {
	if err := engine.CheckParams(v, nil); err != nil {
		return nil, err
	}
	return func(ctx context.Context, st *state) (any, error) { return s.describe(st), nil }, nil
}

// describe is the /v1/graph document of a loaded graph.
func (s *Server) describe(st *state) GraphDoc {
	g := st.eng.Graph()
	d := GraphDoc{
		Summary: g.Summarize(), File: filepath.Base(st.path), LoadedAt: st.loadedAt.UTC().Format(time.RFC3339),
		LoadMS: float64(st.loadTook.Microseconds()) / 1000, BBox: st.eng.Bounds(), Cells: g.Cells.NumCells(),
		Schools: g.Places.NumSchools(), Offers: g.Places.NumOffers(), HasSchoolBuses: st.eng.HasSchoolBuses(),
		Defaults: GraphLimits{ArriveBy: graph.FormatClock(engine.DefaultArriveBy), MaxMinutes: engine.DefaultMaxMinutes,
			MaxMinutesCeiling: s.cfg.MaxMinutes, Cutoffs: engine.DefaultCutoffs, Modes: graph.DefaultTravelModes.String(), WalkSpeed: engine.DefaultWalkSpeed,
			BikeSpeed: engine.DefaultBikeSpeed},
	}
	d.MapBBox = d.BBox
	if minLat, minLon, maxLat, maxLon, ok := g.Streets.Bounds(); ok {
		d.MapBBox = [4]float64{minLon, minLat, maxLon, maxLat}
	}
	if d.Cells > 0 {
		d.H3Resolution = int(g.Cells.Resolution)
	}
	return d
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, r, nil, map[string]string{"status": "ok"})
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	st := s.cur.Load()
	switch {
	case st == nil:
		writeProblem(w, r, notReady())
	case s.draining.Load():
		writeProblem(w, r, &Problem{Type: typeNotReady, Title: "Draining", Status: http.StatusServiceUnavailable,
			Detail: "the server is shutting down", RetryAfter: 1})
	default:
		writeJSON(w, r, st, map[string]string{"status": "ready", "build_id": st.eng.Graph().Meta.BuildID})
	}
}

func (s *Server) handleReload(w http.ResponseWriter, r *http.Request) {
	if s.cfg.AdminToken == "" {
		writeProblem(w, r, noRoute())
		return
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.AdminToken)) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="reach admin"`)
		writeProblem(w, r, &Problem{Type: typeUnauthorized, Title: "Unauthorized", Status: http.StatusUnauthorized,
			Detail: "send Authorization: Bearer <token> (the REACH_ADMIN_TOKEN of the server)"})
		return
	}
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeProblem(w, r, malformedQuery(err))
		return
	}
	if err := engine.CheckParams(v, reloadParams()); err != nil {
		writeProblem(w, r, requestProblem(err, reloadParams()))
		return
	}
	var force bool
	switch f := v.Get("force"); f {
	case "", "false":
	case "true":
		force = true
	default:
		writeProblem(w, r, paramProblem("force", fmt.Sprintf("%q: want true or false", clipEcho(f))))
		return
	}
	res, err := s.reload(force)
	if err != nil {
		status := http.StatusInternalServerError
		var re *ReloadError
		if errors.As(err, &re) && re.Refused {
			status = http.StatusUnprocessableEntity
		}
		writeProblem(w, r, &Problem{Type: typeReload, Title: "Reload refused; the previous graph keeps serving", Status: status, Detail: err.Error()})
		return
	}
	writeJSON(w, r, s.cur.Load(), res)
}

// reloadParams are the query parameters of POST /v1/admin/reload.
func reloadParams() []engine.Param {
	return []engine.Param{{Name: "force", Type: "boolean", Default: "false",
		Doc: "serve the graph even if its scheduled trips, linked stops or placed offers fell by more than 30 %"}}
}

func noRoute() *Problem {
	return &Problem{Type: typeNoRoute, Title: "Not found", Status: http.StatusNotFound, Detail: "no such route; see /openapi.json"}
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(s.index)
}
