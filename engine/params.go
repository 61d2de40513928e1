package engine

import (
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"reach/engine/raptor"
	"reach/graph"
)

// Defaults and ceilings of a request.
const (
	DefaultWalkSpeed     = 1.25  // m/s, 4.5 km/h: a pupil with a bag
	DefaultMaxWalk       = 1250  // metres of each walk: to the first stop, between stops, from the last
	DefaultMaxMinutes    = 90    // travel time ceiling
	DefaultArriveBy      = 30600 // 08:30
	DefaultMaxDirectWalk = 45    // minutes of walking straight to a school
	DefaultBikeSpeed     = 4.17  // m/s, 15 km/h
	MinBikeSpeed         = 2.0   // m/s
	MaxBikeSpeed         = 10.0  // m/s
	BikeParkSeconds      = 60    // added to every ride to a stop: locking the bike, walking to the platform
	MaxMaxMinutes        = 240   // highest ceiling a server may allow (Limits.MaxMinutes)
	MaxMaxWalk           = 5000  // metres
	MaxMaxTransfers      = 16
	MaxListValues        = 100 // values of one list parameter (uai, diploma…)
	maxTextLen           = 200 // bytes of the free-text parameter
	maxEcho              = 60  // bytes of a bad value quoted in an error
)

// DefaultCutoffs are the service's travel-time bands, in minutes.
var DefaultCutoffs = []int{15, 30, 45, 60, 90}

// Params are the routing parameters of one request.
type Params struct {
	Lat, Lon   float64
	ArriveBy   int32 // deadline, seconds since midnight of the service date
	MaxMinutes int   // travel-time ceiling, minutes; also the departure window
	WalkSpeed  float64
	// MaxWalk bounds every walk of a journey, metres: the access walk to
	// the first stop, each walk between two vehicles, and the egress walk
	// from the last stop. Walks are never chained.
	MaxWalk       float64
	MaxDirectWalk int // longest walk straight to a school, minutes
	MaxTransfers  int // vehicle changes
	Modes         graph.TravelModes
	Transfers     graph.TransferMode // footpaths between stops ("" = the graph's default)
	Percentile    float64            // which percentile of travel time to report (0..100)
	// AllLocations evaluates every school of the graph, not only those
	// with training offers (always, on a graph without offers).
	AllLocations bool
	// BikeSpeed is the cycling speed, m/s, used with Modes.Bike. Rides are
	// bounded by the graph's bike limit (Meta.BikeLimit) and MaxMinutes.
	BikeSpeed float64
}

// DefaultParams returns the service's defaults for a place.
func DefaultParams(lat, lon float64) Params {
	return Params{
		Lat: lat, Lon: lon, ArriveBy: DefaultArriveBy, MaxMinutes: DefaultMaxMinutes,
		WalkSpeed: DefaultWalkSpeed, MaxWalk: DefaultMaxWalk, MaxDirectWalk: DefaultMaxDirectWalk,
		MaxTransfers: raptor.DefaultMaxTransfers, BikeSpeed: DefaultBikeSpeed, Modes: graph.DefaultTravelModes, Percentile: 50,
	}
}

// valid checks the invariants the search relies on. Requests built by
// the Parse functions always hold them; it guards library callers.
func (p *Params) valid() error {
	switch {
	case !(p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180):
		return fmt.Errorf("engine: origin (%v, %v) outside WGS84 ranges", p.Lat, p.Lon)
	case p.MaxMinutes < 1 || p.MaxMinutes > MaxMaxMinutes:
		return fmt.Errorf("engine: max minutes %d outside 1..%d", p.MaxMinutes, MaxMaxMinutes)
	case p.ArriveBy < 0 || p.ArriveBy > 48*3600:
		return fmt.Errorf("engine: arrival %d s outside 00:00..48:00", p.ArriveBy)
	case !(p.WalkSpeed >= 0.3 && p.WalkSpeed <= 3):
		return fmt.Errorf("engine: walking speed %v m/s outside 0.3..3", p.WalkSpeed)
	case !(p.MaxWalk >= 0 && p.MaxWalk <= MaxMaxWalk):
		return fmt.Errorf("engine: max walk %v m outside 0..%d", p.MaxWalk, MaxMaxWalk)
	case p.MaxDirectWalk < 0 || p.MaxDirectWalk > MaxMaxMinutes:
		return fmt.Errorf("engine: max direct walk %d min outside 0..%d", p.MaxDirectWalk, MaxMaxMinutes)
	case p.MaxTransfers < 0 || p.MaxTransfers > MaxMaxTransfers:
		return fmt.Errorf("engine: max transfers %d outside 0..%d", p.MaxTransfers, MaxMaxTransfers)
	case p.Modes == (graph.TravelModes{}) || (p.Modes.School && !p.Modes.Transit):
		return fmt.Errorf("engine: modes %q", p.Modes)
	case p.Modes.Bike && !(p.BikeSpeed >= MinBikeSpeed && p.BikeSpeed <= MaxBikeSpeed):
		return fmt.Errorf("engine: cycling speed %v m/s outside %v..%v", p.BikeSpeed, MinBikeSpeed, MaxBikeSpeed)
	case !(p.Percentile >= 0 && p.Percentile <= 100):
		return fmt.Errorf("engine: percentile %v outside 0..100", p.Percentile)
	}
	if _, err := graph.ParseTransferMode(string(p.Transfers)); err != nil {
		return fmt.Errorf("engine: transfers %w", err)
	}
	return nil
}

// ParamError is a request parameter at fault. Param is its name in the
// HTTP API (the CLI flag is the same name with dashes).
type ParamError struct {
	Param  string
	Detail string
	// Unknown lists every unknown parameter when Param is one of them.
	Unknown []string
}

func (e *ParamError) Error() string { return e.Param + ": " + e.Detail }

// NotFoundError names an unknown identifier in a request.
type NotFoundError struct {
	Param, Value string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s: %q not found in this graph", e.Param, clip(e.Value, maxEcho))
}

// Param describes one named request parameter: a query parameter of the
// HTTP API and a flag of the CLI (the same name with dashes).
type Param struct {
	Name     string
	Aliases  []string // other accepted names (the French names of earlier versions)
	Type     string   // number, integer, boolean, string, list, time, date, bbox
	Default  string   // the value used when absent, as text ("" when none)
	Required bool
	Doc      string // one line
}

// Param lists, by kind of request.
var (
	originParams = []Param{
		{Name: "lat", Type: "number", Required: true, Doc: "latitude of the origin (WGS84 degrees)"},
		{Name: "lon", Type: "number", Required: true, Doc: "longitude of the origin (WGS84 degrees)"},
	}
	routingParams = []Param{
		{Name: "date", Type: "date", Doc: "service date YYYY-MM-DD; must be the graph's (default: the graph's)"},
		{Name: "arrive_by", Type: "time", Default: "08:30", Doc: "arrival deadline HH:MM or HH:MM:SS"},
		{Name: "max_minutes", Type: "integer", Default: "90", Doc: "travel-time ceiling and departure window, minutes (default: the last cut-off, or 90)"},
		{Name: "modes", Type: "list", Default: "walk,transit,school", Doc: "ways of travelling among walk, bike, transit, school (school needs transit); bike rides straight to the school, and with transit to the first stop too"},
		{Name: "walk_speed", Type: "number", Default: "1.25", Doc: "walking speed, m/s (0.3..3)"},
		{Name: "bike_speed", Type: "number", Default: "4.17", Doc: "cycling speed, m/s (2..10; 4.17 is 15 km/h); rides are bounded by the graph's bike limit"},
		{Name: "max_walk", Type: "number", Default: "1250", Doc: "longest walk of a journey, metres (0..5000): to the first stop, between two vehicles, from the last stop; walks are never chained"},
		{Name: "max_direct_walk", Type: "integer", Default: "45", Doc: "longest walk straight to a school, minutes"},
		{Name: "max_transfers", Type: "integer", Default: "8", Doc: "most vehicle changes (0..16)"},
		{Name: "transfers", Type: "string", Doc: "footpaths between stops: street, gtfs, both or none (default: the graph's)"},
		{Name: "percentile", Type: "number", Default: "50", Doc: "percentile of the travel time over the departure window to report (0..100)"},
	}
	cutoffsParam = Param{Name: "cutoffs", Type: "list", Default: "15,30,45,60,90",
		Doc: "band limits in minutes, increasing, the last at most max_minutes (default: 15,30,45,60,90 up to max_minutes)"}
	filterParams = []Param{
		{Name: "diploma", Aliases: []string{"diplome"}, Type: "list", Doc: "diploma levels, any of them (CAP, Bac Pro, BP, BTS…; case and accents ignored)"},
		{Name: "track", Aliases: []string{"voie"}, Type: "string", Doc: "scolaire (at school) or apprentissage (apprenticeship)"},
		{Name: "uai", Type: "list", Doc: "schools (UAI), any of them"},
		{Name: "q", Type: "string", Doc: "words that must all appear in the training label or the school's name"},
		{Name: "bbox", Type: "bbox", Doc: "schools inside minLon,minLat,maxLon,maxLat"},
		{Name: "boarding", Type: "boolean", Default: "false", Doc: "only schools with boarding (internat)"},
	}
	pagingParams = []Param{
		{Name: "group", Type: "string", Default: "offer", Doc: "offer: one result per training offer; school: one result per school with its offers (paging counts schools)"},
		{Name: "page", Type: "integer", Default: "1", Doc: "result page, from 1"},
		{Name: "per_page", Type: "integer", Default: "20", Doc: "results (or schools) per page (1..500)"},
		{Name: "include_unreachable", Type: "boolean", Default: "false", Doc: "also list offers not reachable, after the others"},
	}
	isochroneParams = []Param{
		{Name: "format", Type: "string", Default: "geojson", Doc: "geojson (outlines) or h3 (cell sets)"},
		{Name: "rings", Type: "boolean", Default: "false", Doc: "disjoint bands (each minus the previous) instead of cumulative areas"},
	}
	journeyUAI = Param{Name: "uai", Type: "string", Required: true, Doc: "the school (UAI)"}
)

func join(lists ...[]Param) []Param {
	var out []Param
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// ReachableParams are the parameters of a reachable-trainings request
// (/v1/reachable, reach query).
func ReachableParams() []Param {
	return join(originParams, routingParams, []Param{cutoffsParam}, filterParams, pagingParams)
}

// IsochroneParams are the parameters of an isochrone request.
func IsochroneParams() []Param {
	return join(originParams, routingParams, []Param{cutoffsParam}, isochroneParams)
}

// JourneyParams are the parameters of a journey request.
func JourneyParams() []Param { return join(originParams, routingParams, []Param{journeyUAI}) }

// allLocationsParam widens the destinations of runs from many origins.
var allLocationsParam = Param{Name: "all_locations", Type: "boolean", Default: "false",
	Doc: "evaluate every location of the graph (primary schools, collèges…), not only the schools with training offers"}

// RoutingParams are the parameters of requests run from many origins
// (batch runs, the precomputed index): routing and bands, no origin.
func RoutingParams() []Param { return join(routingParams, []Param{cutoffsParam, allLocationsParam}) }

// Limits are a server's bounds on requests.
type Limits struct {
	// MaxMinutes is the ceiling of max_minutes and of max_direct_walk
	// (0: MaxMaxMinutes).
	MaxMinutes int
}

func (l Limits) maxMinutes() int {
	if l.MaxMinutes <= 0 || l.MaxMinutes > MaxMaxMinutes {
		return MaxMaxMinutes
	}
	return l.MaxMinutes
}

// Request is a reachable-trainings request: routing parameters, offer
// filter, bands and paging.
type Request struct {
	Params             Params
	Date               string // service date asked for ("" = the graph's)
	Filter             Filter
	Cutoffs            []int  // minutes; nil = DefaultCutoffs up to Params.MaxMinutes
	Group              string // GroupOffer ("" too) or GroupSchool
	Page, PerPage      int    // 1-based page; PerPage 0 = 20
	IncludeUnreachable bool
}

// IsochroneRequest asks for the areas reachable within each cut-off.
type IsochroneRequest struct {
	Params  Params
	Date    string // "" = the graph's
	Cutoffs []int  // minutes; nil = DefaultCutoffs up to Params.MaxMinutes
	Rings   bool   // band i minus band i-1 instead of cumulative areas
	Format  string // "geojson" (default) or "h3"
}

// JourneyRequest asks for the journey to one school.
type JourneyRequest struct {
	Params Params
	Date   string // "" = the graph's
	UAI    string
}

// Routing is what a run from many origins shares: the routing parameters
// (origin left at 0, 0), the date and the bands.
type Routing struct {
	Params  Params
	Date    string
	Cutoffs []int
}

// ParseReachable reads a reachable-trainings request.
func ParseReachable(v url.Values, lim Limits) (Request, error) {
	r := newReader(v, ReachableParams(), lim)
	req := Request{}
	req.Params, req.Cutoffs, req.Date = r.routing(true)
	req.Filter = Filter{Levels: r.list("diploma"), Track: r.str("track"), UAIs: r.uais("uai"), Text: r.text("q"), Boarding: r.bool("boarding")}
	if req.Filter.Track != "" && req.Filter.Track != "scolaire" && req.Filter.Track != "apprentissage" {
		r.fail("track", fmt.Sprintf("%q: want scolaire or apprentissage", clip(req.Filter.Track, maxEcho)))
	}
	if req.Group = r.str("group"); req.Group != GroupOffer && req.Group != GroupSchool {
		r.fail("group", fmt.Sprintf("%q: want offer or school", clip(req.Group, maxEcho)))
	}
	if r.has("bbox") {
		b := r.bbox("bbox")
		req.Filter.BBox = &[4]float64{b[1], b[0], b[3], b[2]}
	}
	req.Page = r.intIn("page", 1, 10000)
	req.PerPage = r.intIn("per_page", 1, 500)
	req.IncludeUnreachable = r.bool("include_unreachable")
	return req, r.err
}

// ParseIsochrone reads an isochrone request.
func ParseIsochrone(v url.Values, lim Limits) (IsochroneRequest, error) {
	r := newReader(v, IsochroneParams(), lim)
	req := IsochroneRequest{}
	req.Params, req.Cutoffs, req.Date = r.routing(true)
	req.Format = r.str("format")
	if req.Format != "geojson" && req.Format != "h3" {
		r.fail("format", fmt.Sprintf("%q: want geojson or h3", clip(req.Format, maxEcho)))
	}
	req.Rings = r.bool("rings")
	return req, r.err
}

// ParseJourney reads a journey request.
func ParseJourney(v url.Values, lim Limits) (JourneyRequest, error) {
	r := newReader(v, JourneyParams(), lim)
	req := JourneyRequest{}
	req.Params, _, req.Date = r.routing(true)
	req.UAI = normalizeUAI(r.str("uai"))
	return req, r.err
}

// ParseRouting reads the parameters shared by runs from many origins.
func ParseRouting(v url.Values, lim Limits) (Routing, error) {
	r := newReader(v, RoutingParams(), lim)
	var rt Routing
	rt.Params, rt.Cutoffs, rt.Date = r.routing(false)
	return rt, r.err
}

// reader reads named parameters against a list, keeping the first error:
// every accessor returns a usable value even after an error.
type reader struct {
	v      url.Values
	params []Param
	lim    Limits
	err    error
	given  map[string]string // parameter name → the alias it was given as
}

func newReader(v url.Values, params []Param, lim Limits) *reader {
	r := &reader{v: v, params: params, lim: lim}
	// Aliases read as their parameter's name (on a copy of v).
	cloned := false
	for _, p := range params {
		for _, a := range p.Aliases {
			vals, ok := r.v[a]
			if !ok {
				continue
			}
			if r.v.Has(p.Name) {
				r.fail(p.Name, fmt.Sprintf("given twice, as %s and as %s", p.Name, a))
				return r
			}
			if !cloned {
				r.v, cloned = maps.Clone(r.v), true
				r.given = map[string]string{}
			}
			r.v[p.Name] = vals
			delete(r.v, a)
			r.given[p.Name] = a
		}
	}
	v = r.v
	var unknown []string
	for k := range v {
		if !slices.ContainsFunc(params, func(p Param) bool { return p.Name == k }) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		names := make([]string, len(params))
		for i, p := range params {
			names[i] = p.Name
		}
		for i, u := range unknown {
			unknown[i] = clip(u, maxEcho)
		}
		r.err = &ParamError{Param: unknown[0], Unknown: unknown,
			Detail: fmt.Sprintf("unknown parameter %s (accepted: %s)", strings.Join(unknown, ", "), strings.Join(names, ", "))}
		return r
	}
	for _, p := range params {
		switch vals, ok := v[p.Name]; {
		case len(vals) > 1:
			r.fail(p.Name, "given more than once")
		case ok && strings.TrimSpace(vals[0]) == "":
			r.fail(p.Name, "empty value")
		case !ok && p.Required:
			r.fail(p.Name, "required")
		}
	}
	return r
}

// fail records the first error.
func (r *reader) fail(name, detail string) {
	if a, ok := r.given[name]; ok {
		name = a // name the parameter as the request wrote it
	}
	if r.err == nil {
		r.err = &ParamError{Param: name, Detail: detail}
	}
}

func (r *reader) has(name string) bool { return r.v.Has(name) }

// str returns the trimmed value, or the parameter's default when absent.
func (r *reader) str(name string) string {
	if r.v.Has(name) {
		return strings.TrimSpace(r.v.Get(name))
	}
	for _, p := range r.params {
		if p.Name == name {
			return p.Default
		}
	}
	return ""
}

// number reads a finite decimal number ("1.5", "-2", "1e3"; not "1_000",
// "0x10", "Inf" nor "NaN").
func (r *reader) number(name string) float64 {
	s := r.str(name)
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !plainNumber(s) || math.IsInf(f, 0) || math.IsNaN(f) {
		r.fail(name, fmt.Sprintf("%q is not a number", clip(s, maxEcho)))
		return 0
	}
	return f
}

// plainNumber reports whether s is written with decimal digits, at most
// one point and an optional exponent: what ParseFloat also accepts beyond
// that (underscores, hexadecimal, Inf, NaN) is refused.
func plainNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits, point := 0, false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point:
			point = true
		case (c == 'e' || c == 'E') && digits > 0:
			j := i + 1
			if j < len(s) && (s[j] == '+' || s[j] == '-') {
				j++
			}
			if j == len(s) {
				return false
			}
			for ; j < len(s); j++ {
				if s[j] < '0' || s[j] > '9' {
					return false
				}
			}
			return true
		default:
			return false
		}
	}
	return digits > 0
}

// numberIn reads a number within [lo, hi].
func (r *reader) numberIn(name string, lo, hi float64, unit string) float64 {
	f := r.number(name)
	if r.err == nil && !(f >= lo && f <= hi) {
		r.fail(name, fmt.Sprintf("%v%s out of range %v..%v", f, unit, lo, hi))
	}
	return f
}

// intIn reads a whole number within [lo, hi].
func (r *reader) intIn(name string, lo, hi int) int {
	s := r.str(name)
	n, err := strconv.Atoi(s)
	if err != nil {
		r.fail(name, fmt.Sprintf("%q is not a whole number", clip(s, maxEcho)))
		return lo
	}
	if n < lo || n > hi {
		r.fail(name, fmt.Sprintf("%d out of range %d..%d", n, lo, hi))
		return lo
	}
	return n
}

func (r *reader) bool(name string) bool {
	switch s := r.str(name); s {
	case "true", "1":
		return true
	case "false", "0", "":
		return false
	default:
		r.fail(name, fmt.Sprintf("%q: want true or false", clip(s, maxEcho)))
	}
	return false
}

// list reads a comma-separated list: items trimmed, empty ones dropped,
// duplicates removed (first kept), at most MaxListValues distinct values.
func (r *reader) list(name string) []string {
	s := r.str(name)
	if s == "" {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x == "" || seen[x] {
			continue
		}
		if len(out) == MaxListValues {
			r.fail(name, fmt.Sprintf("more than %d values", MaxListValues))
			return out
		}
		seen[x] = true
		out = append(out, x)
	}
	return out
}

// uais reads a list of UAIs, upper-cased and deduplicated.
func (r *reader) uais(name string) []string {
	l := r.list(name)
	out := l[:0]
	seen := map[string]bool{}
	for _, u := range l {
		if u = normalizeUAI(u); !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out
}

// normalizeUAI upper-cases a school id ("0081152j" → "0081152J").
func normalizeUAI(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// text reads free text of at most maxTextLen bytes.
func (r *reader) text(name string) string {
	s := r.str(name)
	if len(s) > maxTextLen {
		r.fail(name, fmt.Sprintf("longer than %d bytes", maxTextLen))
		return ""
	}
	return s
}

// bbox reads minLon,minLat,maxLon,maxLat (the GeoJSON order).
func (r *reader) bbox(name string) [4]float64 {
	var b [4]float64
	s := r.str(name)
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		r.fail(name, fmt.Sprintf("%q: want minLon,minLat,maxLon,maxLat", clip(s, maxEcho)))
		return b
	}
	for i, x := range parts {
		x = strings.TrimSpace(x)
		f, err := strconv.ParseFloat(x, 64)
		if err != nil || !plainNumber(x) || math.IsInf(f, 0) || math.IsNaN(f) {
			r.fail(name, fmt.Sprintf("%q is not a number (want minLon,minLat,maxLon,maxLat)", clip(x, maxEcho)))
			return b
		}
		b[i] = f
	}
	switch {
	case b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90:
		r.fail(name, "outside WGS84 ranges (want minLon,minLat,maxLon,maxLat, longitudes -180..180, latitudes -90..90)")
	case b[0] > b[2] || b[1] > b[3]:
		r.fail(name, "minimum above maximum (want minLon,minLat,maxLon,maxLat)")
	}
	return b
}

// routing reads the origin (when asked), the routing parameters and the
// bands when the list has them.
func (r *reader) routing(origin bool) (Params, []int, string) {
	p := DefaultParams(0, 0)
	if origin {
		p.Lat = r.numberIn("lat", -90, 90, "")
		p.Lon = r.numberIn("lon", -180, 180, "")
	}
	date := ""
	if r.has("date") {
		date = r.str("date")
		if _, err := time.Parse("2006-01-02", date); err != nil {
			r.fail("date", fmt.Sprintf("%q: want YYYY-MM-DD", clip(date, maxEcho)))
		}
	}
	if t, ok, err := graph.ParseClock(r.str("arrive_by")); err != nil || !ok || t > 48*3600 {
		r.fail("arrive_by", fmt.Sprintf("%q: want HH:MM or HH:MM:SS, at most 48:00", clip(r.str("arrive_by"), maxEcho)))
	} else {
		p.ArriveBy = t
	}
	ceiling := r.lim.maxMinutes()
	hasCut := slices.ContainsFunc(r.params, func(q Param) bool { return q.Name == "cutoffs" })
	var cut []int
	if hasCut && r.has("cutoffs") {
		cut = r.cutoffs(ceiling)
	}
	if r.has("max_minutes") || len(cut) == 0 {
		p.MaxMinutes = r.intIn("max_minutes", 1, ceiling)
	} else {
		p.MaxMinutes = cut[len(cut)-1]
	}
	if hasCut {
		if cut == nil {
			cut = defaultCutoffs(p.MaxMinutes)
		} else if last := cut[len(cut)-1]; last > p.MaxMinutes && r.err == nil {
			r.fail("cutoffs", fmt.Sprintf("last cut-off %d exceeds max_minutes %d", last, p.MaxMinutes))
		}
	}
	if m, err := graph.ParseTravelModes(r.str("modes")); err != nil {
		r.fail("modes", err.Error())
	} else {
		p.Modes = m
	}
	p.WalkSpeed = r.numberIn("walk_speed", 0.3, 3, " m/s")
	p.BikeSpeed = r.numberIn("bike_speed", MinBikeSpeed, MaxBikeSpeed, " m/s")
	p.MaxWalk = r.numberIn("max_walk", 0, MaxMaxWalk, " m")
	p.MaxDirectWalk = r.intIn("max_direct_walk", 0, ceiling)
	p.MaxTransfers = r.intIn("max_transfers", 0, MaxMaxTransfers)
	if tm, err := graph.ParseTransferMode(r.str("transfers")); err != nil {
		r.fail("transfers", err.Error())
	} else {
		p.Transfers = tm
	}
	p.Percentile = r.numberIn("percentile", 0, 100, "")
	if slices.ContainsFunc(r.params, func(q Param) bool { return q.Name == "all_locations" }) {
		p.AllLocations = r.bool("all_locations")
	}
	return p, cut, date
}

// cutoffs reads increasing whole minutes within 1..ceiling, 1 to 12 of them.
func (r *reader) cutoffs(ceiling int) []int {
	s := r.str("cutoffs")
	var out []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		v, err := strconv.Atoi(part)
		if err != nil {
			r.fail("cutoffs", fmt.Sprintf("%q is not a whole number of minutes", clip(part, maxEcho)))
			return nil
		}
		if v < 1 || v > ceiling {
			r.fail("cutoffs", fmt.Sprintf("%d out of range 1..%d minutes", v, ceiling))
			return nil
		}
		if len(out) > 0 && v <= out[len(out)-1] {
			r.fail("cutoffs", "cut-offs must increase")
			return nil
		}
		if len(out) == 12 {
			r.fail("cutoffs", "more than 12 cut-offs")
			return nil
		}
		out = append(out, v)
	}
	return out
}

// defaultCutoffs are the service's bands up to max minutes, ending there:
// 15,30,45,60,90 for 90 minutes, 15,20 for 20, 15,30,45,60,90,120 for 120.
func defaultCutoffs(maxMinutes int) []int {
	var out []int
	for _, c := range DefaultCutoffs {
		if c < maxMinutes {
			out = append(out, c)
		}
	}
	return append(out, maxMinutes)
}

// clip cuts s to at most n bytes, at a UTF-8 boundary, for error messages
// that echo a value.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return s[:i] + "…"
}

// SchoolsParams are the parameters of a request listing schools.
func SchoolsParams() []Param {
	return []Param{
		{Name: "bbox", Type: "bbox", Required: true, Doc: "schools inside minLon,minLat,maxLon,maxLat"},
		{Name: "kind", Type: "string", Doc: "vocational (schools with a vocational track), college (collèges) or all; default: the schools with training offers"},
		{Name: "offers", Type: "boolean", Doc: "only schools with training offers (default: true without kind, false with it)"},
		{Name: "boarding", Type: "boolean", Default: "false", Doc: "only schools with boarding (internat)"},
		{Name: "limit", Type: "integer", Default: "500", Doc: "most schools listed (1..5000)"},
	}
}

// SchoolsRequest lists the schools of an area.
type SchoolsRequest struct {
	BBox     [4]float64 // minLon, minLat, maxLon, maxLat
	Kind     string     // "", "vocational", "college" or "all"
	Offers   bool       // only schools with offers
	Boarding bool       // only schools with boarding
	Limit    int
}

// ParseSchools reads a request listing schools.
func ParseSchools(v url.Values) (SchoolsRequest, error) {
	r := newReader(v, SchoolsParams(), Limits{})
	req := SchoolsRequest{BBox: r.bbox("bbox"), Kind: r.str("kind"), Boarding: r.bool("boarding"), Limit: r.intIn("limit", 1, 5000)}
	switch req.Kind {
	case "", "vocational", "college", "all":
	default:
		r.fail("kind", fmt.Sprintf("%q: want vocational, college or all", clip(req.Kind, maxEcho)))
	}
	req.Offers = req.Kind == ""
	if r.has("offers") {
		req.Offers = r.bool("offers")
	}
	return req, r.err
}

// StreetsParams are the parameters of a request for the streets to draw.
func StreetsParams() []Param {
	return []Param{{Name: "bbox", Type: "bbox", Doc: "streets crossing minLon,minLat,maxLon,maxLat (default: the whole graph)"}}
}

// ParseStreets reads a request for the streets to draw: the box, and
// whether one was given.
func ParseStreets(v url.Values) ([4]float64, bool, error) {
	r := newReader(v, StreetsParams(), Limits{})
	if r.err != nil || !r.has("bbox") {
		return [4]float64{}, false, r.err
	}
	b := r.bbox("bbox")
	return b, true, r.err
}

// CheckParams checks the names of a request's parameters against a list:
// unknown, repeated, empty or missing required ones are refused. The Parse
// functions do it first; routes without an engine request use it alone.
func CheckParams(v url.Values, params []Param) error {
	return newReader(v, params, Limits{}).err
}
