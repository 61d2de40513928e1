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

// apiFunc computes the answer of an API route over one graph.
type apiFunc func(st *state, q *query) (any, error)

// apiRoute is a GET route of the JSON API.
type apiRoute struct {
	name   string // route name in metrics and logs
	path   string
	params []queryParam
	heavy  bool // runs under the concurrency limit
	fn     apiFunc
}

func (s *Server) apiRoutes() []apiRoute {
	return []apiRoute{
		{"reachable", "/v1/reachable", reachableParams, true, s.reachable},
		{"isochrone", "/v1/isochrone", isochroneParams, true, s.isochrone},
		{"journey", "/v1/journey", journeyParams, true, s.journey},
		{"schools", "/v1/schools", schoolsParams, true, s.schools},
		{"streets", "/v1/streets", streetsParams, true, s.streets},
		{"graph", "/v1/graph", nil, false, s.graphDoc},
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
func (s *Server) api(rt apiRoute) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st := s.cur.Load()
		if st == nil {
			writeProblem(w, r, notReady())
			return
		}
		v, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			writeProblem(w, r, &Problem{Type: typeInvalidParam, Title: "Malformed query string", Status: http.StatusBadRequest, Detail: err.Error()})
			return
		}
		q, err := parseQuery(v, rt.params)
		if err != nil {
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
		go func() {
			if rt.heavy {
				defer s.limit.release()
			}
			defer func() {
				if p := recover(); p != nil {
					done <- result{err: fmt.Errorf("panic in %s: %v\n%s", rt.name, p, debug.Stack())}
				}
			}()
			v, err := rt.fn(st, q)
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

func (s *Server) reachable(st *state, q *query) (any, error) {
	cut, err := cutoffs(q)
	if err != nil {
		return nil, err
	}
	p, date, err := s.routing(q, st, cut)
	if err != nil {
		return nil, err
	}
	if cut == nil {
		cut = defaultCutoffs(p.MaxMinutes)
	}
	req := engine.Request{Params: p, Date: date, Cutoffs: cut}
	req.Filter = engine.Filter{Levels: q.list("diplome"), Voie: q.str("voie"), UAIs: q.list("uai"), Text: q.str("q")}
	if q.has("bbox") {
		b, err := q.bbox("bbox")
		if err != nil {
			return nil, err
		}
		req.Filter.BBox = &[4]float64{b[1], b[0], b[3], b[2]}
	}
	if err := req.Filter.Check(); err != nil {
		return nil, err
	}
	if req.Page, err = q.int("page", 1); err != nil {
		return nil, err
	}
	if req.PerPage, err = q.int("per_page", 20); err != nil {
		return nil, err
	}
	if req.Page < 1 {
		return nil, paramProblem("page", fmt.Sprintf("%d: pages count from 1", req.Page))
	}
	if req.PerPage < 1 {
		return nil, paramProblem("per_page", fmt.Sprintf("%d: want 1..500", req.PerPage))
	}
	if req.IncludeUnreachable, err = q.bool("include_unreachable", false); err != nil {
		return nil, err
	}
	return st.eng.Answer(req)
}

func (s *Server) isochrone(st *state, q *query) (any, error) {
	cut, err := cutoffs(q)
	if err != nil {
		return nil, err
	}
	p, date, err := s.routing(q, st, cut)
	if err != nil {
		return nil, err
	}
	if cut == nil {
		cut = defaultCutoffs(p.MaxMinutes)
	}
	req := engine.IsochroneRequest{Params: p, Date: date, Cutoffs: cut, Format: q.str("format")}
	switch req.Format {
	case "", "geojson", "h3":
	default:
		return nil, paramProblem("format", fmt.Sprintf("%q: want geojson or h3", req.Format))
	}
	if req.Rings, err = q.bool("rings", false); err != nil {
		return nil, err
	}
	if st.eng.Graph().Cells.NumCells() == 0 {
		return nil, &Problem{Type: typeNoCells, Title: "No isochrones for this graph", Status: http.StatusNotFound,
			Detail: "this graph has no H3 cells (it was built without streets): isochrones need a graph built with --osm"}
	}
	a, err := st.eng.Isochrone(req)
	if err != nil {
		return nil, err
	}
	if req.Format == "h3" {
		return a, nil
	}
	return geoDoc{a}, nil
}

// JourneyDoc is the /v1/journey answer: the school and the legs of the
// arrive-by journey to it.
type JourneyDoc struct {
	SchoolDoc engine.SchoolDoc `json:"school"`
	*engine.Journey
}

func (s *Server) journey(st *state, q *query) (any, error) {
	p, _, err := s.routing(q, st, nil)
	if err != nil {
		return nil, err
	}
	uai := q.str("uai")
	sc, ok := st.eng.Graph().Places.SchoolByUAI(uai)
	if !ok {
		return nil, &engine.NotFoundError{Param: "uai", Value: uai}
	}
	r, err := st.eng.Reach(p)
	if err != nil {
		return nil, err
	}
	j, err := st.eng.Journey(p, sc, r.Schools[sc])
	if err != nil {
		return nil, err
	}
	return JourneyDoc{SchoolDoc: st.eng.SchoolDoc(sc), Journey: j}, nil
}

// SchoolsDoc is the /v1/schools answer.
type SchoolsDoc struct {
	BBox      [4]float64   `json:"bbox"`  // minLon, minLat, maxLon, maxLat
	Count     int          `json:"count"` // schools in the box
	Truncated bool         `json:"truncated"`
	Schools   []SchoolItem `json:"schools"`
}

// SchoolItem is a school with its training offers.
type SchoolItem struct {
	engine.SchoolDoc
	Vocational bool              `json:"vocational"`
	Offers     []engine.OfferDoc `json:"offers"`
}

func (s *Server) schools(st *state, q *query) (any, error) {
	b, err := q.bbox("bbox")
	if err != nil {
		return nil, err
	}
	limit, err := q.int("limit", 500)
	if err != nil {
		return nil, err
	}
	if limit < 1 || limit > 5000 {
		return nil, paramProblem("limit", fmt.Sprintf("%d out of range 1..5000", limit))
	}
	ids := st.eng.Schools().InBBox(b[1], b[0], b[3], b[2])
	doc := &SchoolsDoc{BBox: b, Count: len(ids), Truncated: len(ids) > limit, Schools: []SchoolItem{}}
	p := &st.eng.Graph().Places
	for _, sc := range ids[:min(len(ids), limit)] {
		it := SchoolItem{SchoolDoc: st.eng.SchoolDoc(sc), Vocational: p.SchoolVocational[sc], Offers: []engine.OfferDoc{}}
		first, end := p.OffersOf(sc)
		for o := first; o < end; o++ {
			it.Offers = append(it.Offers, engine.OfferDoc{Label: p.OfferLabel[o], Level: p.OfferLevel[o], Voie: p.OfferVoie[o].String(),
				Code: p.OfferCode[o], Capacity: max(p.OfferCapacity[o], 0), Source: p.OfferSource[o].String()})
		}
		doc.Schools = append(doc.Schools, it)
	}
	return doc, nil
}

func (s *Server) streets(st *state, q *query) (any, error) {
	b := st.bounds
	if q.has("bbox") {
		var err error
		if b, err = q.bbox("bbox"); err != nil {
			return nil, err
		}
	}
	return geoDoc{st.streets.query(b, s.cfg.MaxStreetSegments)}, nil
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
}

func (s *Server) graphDoc(st *state, _ *query) (any, error) {
	g := st.eng.Graph()
	d := GraphDoc{
		Summary: g.Summarize(), File: filepath.Base(st.path), LoadedAt: st.loadedAt.UTC().Format(time.RFC3339),
		LoadMS: float64(st.loadTook.Microseconds()) / 1000, BBox: st.bounds, Cells: g.Cells.NumCells(),
		Schools: g.Places.NumSchools(), Offers: g.Places.NumOffers(), HasSchoolBuses: st.eng.HasSchoolBuses(),
		Defaults: GraphLimits{ArriveBy: engine.Clock(engine.DefaultArriveBy), MaxMinutes: engine.DefaultMaxMinutes,
			MaxMinutesCeiling: s.cfg.MaxMinutes, Cutoffs: engine.DefaultCutoffs, Modes: engine.AllModes.String(), WalkSpeed: engine.DefaultWalkSpeed},
	}
	d.MapBBox = d.BBox
	if minLat, minLon, maxLat, maxLon, ok := g.Streets.Bounds(); ok {
		d.MapBBox = [4]float64{minLon, minLat, maxLon, maxLat}
	}
	if d.Cells > 0 {
		d.H3Resolution = int(g.Cells.Resolution)
	}
	return d, nil
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
	res, err := s.Reload()
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

func noRoute() *Problem {
	return &Problem{Type: typeNoRoute, Title: "Not found", Status: http.StatusNotFound, Detail: "no such route; see /openapi.json"}
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(s.index)
}
