package server

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"reach/engine"
	"reach/graph"
	"reach/ingest/gtfs"
)

// queryParam is a query parameter a route accepts.
type queryParam struct {
	name     string
	required bool
}

// Parameter lists of the routes. Handlers read nothing else: any other
// parameter is refused, and the OpenAPI test checks these lists against
// the document.
var (
	routingParams = []queryParam{
		{"lat", true}, {"lon", true}, {"date", false}, {"arrive_by", false}, {"max_minutes", false},
		{"modes", false}, {"walk_speed", false}, {"max_walk", false}, {"max_direct_walk", false},
		{"max_transfers", false}, {"transfers", false}, {"percentile", false},
	}
	reachableParams = concat(routingParams, []queryParam{
		{"cutoffs", false}, {"diplome", false}, {"voie", false}, {"uai", false}, {"q", false}, {"bbox", false},
		{"page", false}, {"per_page", false}, {"include_unreachable", false},
	})
	isochroneParams = concat(routingParams, []queryParam{{"cutoffs", false}, {"format", false}, {"rings", false}})
	journeyParams   = concat(routingParams, []queryParam{{"uai", true}})
	schoolsParams   = []queryParam{{"bbox", true}, {"limit", false}}
	streetsParams   = []queryParam{{"bbox", false}}
)

func concat(a, b []queryParam) []queryParam { return append(slices.Clip(a), b...) }

// query holds the parameters of one request, checked against a route's list.
type query struct {
	v url.Values
}

// parseQuery refuses unknown, repeated and missing required parameters.
func parseQuery(v url.Values, allowed []queryParam) (*query, error) {
	var unknown []string
	for k := range v {
		if !slices.ContainsFunc(allowed, func(p queryParam) bool { return p.name == k }) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		names := make([]string, len(allowed))
		for i, p := range allowed {
			names[i] = p.name
		}
		p := &Problem{Type: typeUnknownParam, Title: "Unknown parameter", Status: 400, Param: unknown[0],
			Detail: fmt.Sprintf("unknown parameter %s (this route accepts %s)", strings.Join(unknown, ", "), strings.Join(names, ", "))}
		for _, u := range unknown {
			p.InvalidParams = append(p.InvalidParams, InvalidParam{u, "unknown parameter"})
		}
		return nil, p
	}
	for _, p := range allowed {
		switch vals, ok := v[p.name]; {
		case len(vals) > 1:
			return nil, paramProblem(p.name, "given more than once")
		case ok && strings.TrimSpace(vals[0]) == "":
			return nil, paramProblem(p.name, "empty value")
		case !ok && p.required:
			return nil, paramProblem(p.name, "required")
		}
	}
	return &query{v: v}, nil
}

func (q *query) has(name string) bool { return q.v.Has(name) }

func (q *query) str(name string) string { return strings.TrimSpace(q.v.Get(name)) }

// float reads a finite number, or def when absent.
func (q *query) float(name string, def float64) (float64, error) {
	if !q.has(name) {
		return def, nil
	}
	f, err := strconv.ParseFloat(q.str(name), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, paramProblem(name, fmt.Sprintf("%q is not a number", q.str(name)))
	}
	return f, nil
}

// int reads an integer, or def when absent.
func (q *query) int(name string, def int) (int, error) {
	if !q.has(name) {
		return def, nil
	}
	n, err := strconv.Atoi(q.str(name))
	if err != nil {
		return 0, paramProblem(name, fmt.Sprintf("%q is not an integer", q.str(name)))
	}
	return n, nil
}

// bool reads true/false (or 1/0), or def when absent.
func (q *query) bool(name string, def bool) (bool, error) {
	if !q.has(name) {
		return def, nil
	}
	switch q.str(name) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, paramProblem(name, fmt.Sprintf("%q: want true or false", q.str(name)))
}

// list reads a comma-separated list, dropping empty items.
func (q *query) list(name string) []string {
	var out []string
	for _, s := range strings.Split(q.str(name), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// bbox reads minLon,minLat,maxLon,maxLat (the GeoJSON order) and returns
// it in that order.
func (q *query) bbox(name string) ([4]float64, error) {
	var b [4]float64
	parts := strings.Split(q.str(name), ",")
	if len(parts) != 4 {
		return b, paramProblem(name, fmt.Sprintf("%q: want minLon,minLat,maxLon,maxLat", q.str(name)))
	}
	for i, s := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return b, paramProblem(name, fmt.Sprintf("%q is not a number (want minLon,minLat,maxLon,maxLat)", s))
		}
		b[i] = f
	}
	switch {
	case b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90:
		return b, paramProblem(name, "outside WGS84 ranges (want minLon,minLat,maxLon,maxLat, longitudes -180..180, latitudes -90..90)")
	case b[0] > b[2] || b[1] > b[3]:
		return b, paramProblem(name, "minimum above maximum (want minLon,minLat,maxLon,maxLat)")
	}
	return b, nil
}

// routing reads the routing parameters shared by /v1/reachable,
// /v1/isochrone and /v1/journey. cutoffs, when given, set the default of
// max_minutes to the last cut-off.
func (s *Server) routing(q *query, st *state, cutoffs []int) (engine.Params, string, error) {
	lat, err := q.float("lat", 0)
	if err != nil {
		return engine.Params{}, "", err
	}
	lon, err := q.float("lon", 0)
	if err != nil {
		return engine.Params{}, "", err
	}
	if !(lat >= -90 && lat <= 90) {
		return engine.Params{}, "", paramProblem("lat", fmt.Sprintf("latitude %v out of range -90..90", lat))
	}
	if !(lon >= -180 && lon <= 180) {
		return engine.Params{}, "", paramProblem("lon", fmt.Sprintf("longitude %v out of range -180..180", lon))
	}
	if err := st.covers(lat, lon); err != nil {
		return engine.Params{}, "", err
	}
	p := engine.DefaultParams(lat, lon)
	date := ""
	if q.has("date") {
		date = q.str("date")
		if _, err := time.Parse("2006-01-02", date); err != nil {
			return p, "", paramProblem("date", fmt.Sprintf("%q: want YYYY-MM-DD", date))
		}
		if err := st.eng.CheckDate(date); err != nil {
			return p, "", err
		}
	}
	if q.has("arrive_by") {
		t, ok, err := gtfs.ParseTime(q.str("arrive_by"))
		if err != nil || !ok {
			return p, "", paramProblem("arrive_by", fmt.Sprintf("%q: want HH:MM or HH:MM:SS", q.str("arrive_by")))
		}
		p.ArriveBy = t
	}
	def := p.MaxMinutes
	if len(cutoffs) > 0 {
		def = cutoffs[len(cutoffs)-1]
	}
	if p.MaxMinutes, err = q.int("max_minutes", def); err != nil {
		return p, "", err
	}
	if p.MaxMinutes > s.cfg.MaxMinutes {
		return p, "", paramProblem("max_minutes", fmt.Sprintf("%d above this server's ceiling of %d minutes", p.MaxMinutes, s.cfg.MaxMinutes))
	}
	if q.has("modes") {
		if p.Modes, err = engine.ParseModes(q.str("modes")); err != nil {
			return p, "", paramProblem("modes", err.Error())
		}
	}
	if p.WalkSpeed, err = q.float("walk_speed", p.WalkSpeed); err != nil {
		return p, "", err
	}
	if p.MaxWalk, err = q.float("max_walk", p.MaxWalk); err != nil {
		return p, "", err
	}
	if p.MaxDirectWalk, err = q.int("max_direct_walk", p.MaxDirectWalk); err != nil {
		return p, "", err
	}
	if p.MaxTransfers, err = q.int("max_transfers", p.MaxTransfers); err != nil {
		return p, "", err
	}
	if p.MaxTransfers < 0 {
		return p, "", paramProblem("max_transfers", fmt.Sprintf("%d below 0", p.MaxTransfers))
	}
	p.Transfers = q.str("transfers")
	if p.Percentile, err = q.float("percentile", p.Percentile); err != nil {
		return p, "", err
	}
	if err := p.Check(); err != nil {
		return p, "", err
	}
	return p, date, nil
}

// cutoffs reads the optional cutoffs parameter (nil when absent).
func cutoffs(q *query) ([]int, error) {
	if !q.has("cutoffs") {
		return nil, nil
	}
	for _, part := range strings.Split(q.str("cutoffs"), ",") {
		if _, err := strconv.Atoi(strings.TrimSpace(part)); err != nil {
			return nil, paramProblem("cutoffs", fmt.Sprintf("%q is not a whole number of minutes", part))
		}
	}
	return engine.ParseCutoffs(q.str("cutoffs"))
}

// defaultCutoffs are the service's bands up to max minutes, ending there:
// 15,30,45,60,90 for 90 minutes, 15,20 for 20, 15,30,45,60,90,120 for 120.
func defaultCutoffs(maxMinutes int) []int {
	var out []int
	for _, c := range engine.DefaultCutoffs {
		if c < maxMinutes {
			out = append(out, c)
		}
	}
	return append(out, maxMinutes)
}

// coverMargin is how far from the graph's area an origin may be, metres:
// farther, nothing can be reached and the coordinates are most likely
// wrong (swapped, or of another region).
const coverMargin = 20000

// covers refuses an origin far outside the area the graph covers.
func (st *state) covers(lat, lon float64) error {
	b := st.bounds
	if b == ([4]float64{}) {
		return nil
	}
	clat := min(max(lat, b[1]), b[3])
	clon := min(max(lon, b[0]), b[2])
	d := graph.Haversine(lat, lon, clat, clon)
	if d <= coverMargin {
		return nil
	}
	name := "lat"
	if clat == lat {
		name = "lon"
	}
	hint := ""
	if c := graph.Haversine(lon, lat, min(max(lon, b[1]), b[3]), min(max(lat, b[0]), b[2])); c <= coverMargin {
		hint = "; lat and lon look swapped"
	}
	return paramProblem(name, fmt.Sprintf("(%.5f, %.5f) is %.0f km from the area this graph covers (lon %.4f..%.4f, lat %.4f..%.4f)%s",
		lat, lon, d/1000, b[0], b[2], b[1], b[3], hint))
}
