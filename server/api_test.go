package server

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"reach/engine"
	"reach/graph"
)

func TestAPISynth(t *testing.T) {
	t.Parallel()
	testAPI(t, synthRegion(t))
}

func TestAPIRennes(t *testing.T) {
	t.Parallel()
	testAPI(t, rennesRegion(t))
}

func testAPI(t *testing.T, r *region) {
	_, ts := newTestServer(t, Config{MaxMinutes: 120}, r.eng)
	origin := fmt.Sprintf("lat=%v&lon=%v", r.lat, r.lon)
	t.Run("errors", func(t *testing.T) { testErrors(t, r, ts.URL, origin) })
	t.Run("reachable", func(t *testing.T) { testReachable(t, r, ts.URL, origin) })
	t.Run("isochrone", func(t *testing.T) { testIsochrone(t, r, ts.URL, origin) })
	t.Run("journey", func(t *testing.T) { testJourney(t, r, ts.URL, origin) })
	t.Run("schools", func(t *testing.T) { testSchools(t, r, ts.URL) })
	t.Run("streets", func(t *testing.T) { testStreets(t, r, ts.URL) })
	t.Run("graph", func(t *testing.T) { testGraph(t, r, ts.URL) })
}

// testErrors checks that bad requests get 400 or 404 problems naming the
// parameter at fault, never a 500.
func testErrors(t *testing.T, r *region, base, origin string) {
	date := r.eng.Graph().Meta.Date
	cases := []struct {
		path   string
		status int
		param  string
		typ    string
	}{
		{"/v1/reachable", 400, "lat", typeInvalidParam},
		{"/v1/reachable?lon=2", 400, "lat", typeInvalidParam},
		{"/v1/reachable?lat=47", 400, "lon", typeInvalidParam},
		{"/v1/reachable?lat=abc&lon=2", 400, "lat", typeInvalidParam},
		{"/v1/reachable?lat=NaN&lon=2", 400, "lat", typeInvalidParam},
		{"/v1/reachable?lat=47&lon=Inf", 400, "lon", typeInvalidParam},
		{"/v1/reachable?lat=91&lon=2", 400, "lat", typeInvalidParam},
		{"/v1/reachable?lat=-90.5&lon=2", 400, "lat", typeInvalidParam},
		{"/v1/reachable?lat=47&lon=180.01", 400, "lon", typeInvalidParam},
		{fmt.Sprintf("/v1/reachable?lat=%v&lon=%v", r.lon, r.lat), 400, "lat", typeInvalidParam}, // swapped
		{fmt.Sprintf("/v1/reachable?lat=%v&lon=%v", r.lat, r.lon+3), 400, "lon", typeInvalidParam},
		{"/v1/reachable?lat=&lon=2", 400, "lat", typeInvalidParam},
		{"/v1/reachable?" + origin + "&lat=1", 400, "lat", typeInvalidParam},
		{"/v1/reachable?" + origin + "&foo=1", 400, "foo", typeUnknownParam},
		{"/v1/reachable?" + origin + "&zzz=1&format=h3", 400, "format", typeUnknownParam},
		{"/v1/reachable?" + origin + "&Lat=1", 400, "Lat", typeUnknownParam},
		{"/v1/reachable?lat=%zz&lon=2", 400, "", typeInvalidParam},
		{"/v1/reachable?" + origin + "&date=2026-13-01", 400, "date", typeInvalidParam},
		{"/v1/reachable?" + origin + "&date=tomorrow", 400, "date", typeInvalidParam},
		{"/v1/reachable?" + origin + "&date=" + r.otherDate, 400, "date", typeInvalidParam},
		{"/v1/reachable?" + origin + "&arrive_by=8h30", 400, "arrive_by", typeInvalidParam},
		{"/v1/reachable?" + origin + "&arrive_by=08:75", 400, "arrive_by", typeInvalidParam},
		{"/v1/reachable?" + origin + "&arrive_by=49:00", 400, "arrive_by", typeInvalidParam},
		{"/v1/reachable?" + origin + "&max_minutes=121", 400, "max_minutes", typeInvalidParam},
		{"/v1/reachable?" + origin + "&max_minutes=100000", 400, "max_minutes", typeInvalidParam},
		{"/v1/reachable?" + origin + "&max_minutes=0", 400, "max_minutes", typeInvalidParam},
		{"/v1/reachable?" + origin + "&max_minutes=1.5", 400, "max_minutes", typeInvalidParam},
		{"/v1/reachable?" + origin + "&modes=car", 400, "modes", typeInvalidParam},
		{"/v1/reachable?" + origin + "&modes=school", 400, "modes", typeInvalidParam},
		{"/v1/reachable?" + origin + "&modes=,", 400, "modes", typeInvalidParam},
		{"/v1/reachable?" + origin + "&walk_speed=0", 400, "walk_speed", typeInvalidParam},
		{"/v1/reachable?" + origin + "&walk_speed=fast", 400, "walk_speed", typeInvalidParam},
		{"/v1/reachable?" + origin + "&max_walk=-1", 400, "max_walk", typeInvalidParam},
		{"/v1/reachable?" + origin + "&max_direct_walk=-5", 400, "max_direct_walk", typeInvalidParam},
		{"/v1/reachable?" + origin + "&max_transfers=-1", 400, "max_transfers", typeInvalidParam},
		{"/v1/reachable?" + origin + "&max_transfers=17", 400, "max_transfers", typeInvalidParam},
		{"/v1/reachable?" + origin + "&transfers=teleport", 400, "transfers", typeInvalidParam},
		{"/v1/reachable?" + origin + "&percentile=101", 400, "percentile", typeInvalidParam},
		{"/v1/reachable?" + origin + "&cutoffs=30,15", 400, "cutoffs", typeInvalidParam},
		{"/v1/reachable?" + origin + "&cutoffs=15abc", 400, "cutoffs", typeInvalidParam},
		{"/v1/reachable?" + origin + "&cutoffs=15,100&max_minutes=90", 400, "cutoffs", typeInvalidParam},
		{"/v1/reachable?" + origin + "&cutoffs=15,130", 400, "cutoffs", typeInvalidParam},
		{"/v1/reachable?" + origin + "&voie=distance", 400, "voie", typeInvalidParam},
		{"/v1/reachable?" + origin + "&uai=0000000X", 404, "uai", typeNotFound},
		{"/v1/reachable?" + origin + "&uai=" + r.uai + ",0000000X", 404, "uai", typeNotFound},
		{"/v1/reachable?" + origin + "&bbox=1,2,3", 400, "bbox", typeInvalidParam},
		{"/v1/reachable?" + origin + "&bbox=3,2,1,0", 400, "bbox", typeInvalidParam},
		{"/v1/reachable?" + origin + "&bbox=-200,0,0,1", 400, "bbox", typeInvalidParam},
		{"/v1/reachable?" + origin + "&page=0", 400, "page", typeInvalidParam},
		{"/v1/reachable?" + origin + "&page=x", 400, "page", typeInvalidParam},
		{"/v1/reachable?" + origin + "&page=10001", 400, "page", typeInvalidParam},
		{"/v1/reachable?" + origin + "&per_page=0", 400, "per_page", typeInvalidParam},
		{"/v1/reachable?" + origin + "&per_page=501", 400, "per_page", typeInvalidParam},
		{"/v1/reachable?" + origin + "&include_unreachable=maybe", 400, "include_unreachable", typeInvalidParam},
		{"/v1/isochrone", 400, "lat", typeInvalidParam},
		{"/v1/isochrone?" + origin + "&format=svg", 400, "format", typeInvalidParam},
		{"/v1/isochrone?" + origin + "&rings=yes", 400, "rings", typeInvalidParam},
		{"/v1/isochrone?" + origin + "&cutoffs=0", 400, "cutoffs", typeInvalidParam},
		{"/v1/isochrone?" + origin + "&date=" + r.otherDate, 400, "date", typeInvalidParam},
		{"/v1/isochrone?" + origin + "&uai=" + r.uai, 400, "uai", typeUnknownParam},
		{"/v1/journey?" + origin, 400, "uai", typeInvalidParam},
		{"/v1/journey?" + origin + "&uai=0000000X", 404, "uai", typeNotFound},
		{"/v1/journey?" + origin + "&uai=" + r.uai + "&max_minutes=1&modes=transit", 404, "", typeNotReachable},
		{"/v1/journey?" + origin + "&uai=" + r.uai + "&max_minutes=500", 400, "max_minutes", typeInvalidParam},
		{"/v1/journey?" + origin + "&uai=" + r.uai + "&cutoffs=15", 400, "cutoffs", typeUnknownParam},
		{"/v1/journey?lat=0&lon=0&uai=" + r.uai, 400, "lat", typeInvalidParam},
		{"/v1/schools", 400, "bbox", typeInvalidParam},
		{"/v1/schools?bbox=a,b,c,d", 400, "bbox", typeInvalidParam},
		{"/v1/schools?bbox=0,0,1,95", 400, "bbox", typeInvalidParam},
		{"/v1/schools?bbox=0,1,1,0", 400, "bbox", typeInvalidParam},
		{"/v1/schools?bbox=0,0,1,1&limit=0", 400, "limit", typeInvalidParam},
		{"/v1/schools?bbox=0,0,1,1&limit=5001", 400, "limit", typeInvalidParam},
		{"/v1/schools?bbox=0,0,1,1&lat=1", 400, "lat", typeUnknownParam},
		{"/v1/streets?bbox=0,0,1", 400, "bbox", typeInvalidParam},
		{"/v1/streets?bbox=0,0,1,1&limit=5", 400, "limit", typeUnknownParam},
		{"/v1/graph?verbose=1", 400, "verbose", typeUnknownParam},
		{"/v1/nothing", 404, "", typeNoRoute},
		{"/v2/reachable?" + origin, 404, "", typeNoRoute},
		{"/v1/admin/reload", 404, "", typeNoRoute}, // off here: no such route for any method
	}
	for _, c := range cases {
		res := get(t, base+c.path)
		if res.status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.path, res.status, c.status, res.body)
			continue
		}
		p := res.problem(t)
		if p.Param != c.param || p.Type != c.typ {
			t.Errorf("%s: problem %s naming %q, want %s naming %q: %s", c.path, p.Type, p.Param, c.typ, c.param, p.Detail)
		}
		if c.param != "" && (len(p.InvalidParams) == 0 || p.InvalidParams[0].Name != c.param) {
			t.Errorf("%s: invalid_params %v do not name %q", c.path, p.InvalidParams, c.param)
		}
	}
	// The graph's own date is accepted.
	if res := get(t, base+"/v1/reachable?"+origin+"&date="+date); res.status != 200 {
		t.Errorf("date=%s: status %d: %s", date, res.status, res.body)
	}
	// POST on a GET route.
	if res := do(t, http.MethodPost, base+"/v1/reachable?"+origin, nil); res.status != 405 || res.problem(t).Type != typeMethod ||
		res.header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /v1/reachable: status %d, Allow %q: %s", res.status, res.header.Get("Allow"), res.body)
	}
}

func testReachable(t *testing.T, r *region, base, origin string) {
	g := r.eng.Graph()
	var a engine.Answer
	res := get(t, base+"/v1/reachable?"+origin+"&per_page=500")
	if res.status != 200 {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if b := res.header.Get("X-Graph-Build"); b != g.Meta.BuildID {
		t.Errorf("X-Graph-Build %q, want %q", b, g.Meta.BuildID)
	}
	res.decode(t, &a)
	s := a.Summary
	if s.BuildID != g.Meta.BuildID || s.Date != g.Meta.Date || s.ArriveBy != "08:30:00" || s.MaxMinutes != 90 ||
		s.Modes != "walk,transit,school" || len(s.Feeds) != len(g.Meta.Feeds) || len(s.Bands) != 5 {
		t.Errorf("summary %+v", s)
	}
	if len(a.Results) == 0 || s.Reachable == 0 {
		t.Fatalf("nothing reachable from the origin: %+v", s)
	}
	n, prev := 0, int32(0)
	for _, b := range s.Bands {
		n += b.Offers
	}
	if n != s.Reachable {
		t.Errorf("band counts sum to %d, reachable_offers %d", n, s.Reachable)
	}
	for _, x := range a.Results {
		if !x.Reachable || x.DurationS < prev || x.DurationS > 90*60 || x.Band != s.Bands[x.BandIndex].Band ||
			x.Depart == "" || x.Arrive > "08:30:00" || x.School.UAI == "" || x.Offer.Label == "" {
			t.Errorf("bad or unsorted result %+v", x)
			break
		}
		prev = x.DurationS
	}
	// Same answer as the engine's.
	want, err := r.eng.Answer(context.Background(), engine.Request{Params: engine.DefaultParams(r.lat, r.lon), PerPage: 500})
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Results) != len(a.Results) || want.Summary.Reachable != s.Reachable {
		t.Errorf("HTTP answer has %d results (%d reachable), the engine %d (%d)", len(a.Results), s.Reachable, len(want.Results), want.Summary.Reachable)
	}

	// Filters.
	check := func(query string, ok func(engine.ResultDoc) bool) {
		t.Helper()
		var f engine.Answer
		res := get(t, base+"/v1/reachable?"+origin+"&per_page=500&"+query)
		if res.status != 200 {
			t.Errorf("%s: status %d: %s", query, res.status, res.body)
			return
		}
		res.decode(t, &f)
		for _, x := range f.Results {
			if !ok(x) {
				t.Errorf("%s: result %+v does not pass", query, x)
				return
			}
		}
	}
	first := a.Results[0]
	check("diplome="+url.QueryEscape(first.Offer.Level), func(x engine.ResultDoc) bool { return x.Offer.Level == first.Offer.Level })
	check("voie="+first.Offer.Track, func(x engine.ResultDoc) bool { return x.Offer.Track == first.Offer.Track })
	check("track="+first.Offer.Track, func(x engine.ResultDoc) bool { return x.Offer.Track == first.Offer.Track })
	check("diploma="+url.QueryEscape(first.Offer.Level), func(x engine.ResultDoc) bool { return x.Offer.Level == first.Offer.Level })
	check("uai="+first.School.UAI, func(x engine.ResultDoc) bool { return x.School.UAI == first.School.UAI })
	box := [4]float64{first.School.Lon - 0.01, first.School.Lat - 0.01, first.School.Lon + 0.01, first.School.Lat + 0.01}
	check(fmt.Sprintf("bbox=%v,%v,%v,%v", box[0], box[1], box[2], box[3]), func(x engine.ResultDoc) bool {
		return x.School.Lon >= box[0] && x.School.Lon <= box[2] && x.School.Lat >= box[1] && x.School.Lat <= box[3]
	})
	word := strings.Fields(first.Offer.Label)[0]
	check("q="+url.QueryEscape(word), func(x engine.ResultDoc) bool {
		return strings.Contains(strings.ToLower(x.Offer.Label+" "+x.School.Name), strings.ToLower(word))
	})
	check("modes=walk", func(x engine.ResultDoc) bool { return x.Modality == "walk" })
	check("modes=walk,transit", func(x engine.ResultDoc) bool { return x.Modality != "school" })
	check("max_minutes=20&arrive_by=08:00", func(x engine.ResultDoc) bool { return x.DurationS <= 20*60 && x.Arrive <= "08:00:00" })

	// Cut-offs set the bands and, by default, max_minutes.
	var c engine.Answer
	get(t, base+"/v1/reachable?"+origin+"&cutoffs=10,20").decode(t, &c)
	if len(c.Summary.Bands) != 2 || c.Summary.Bands[1].Band != "10-20" || c.Summary.MaxMinutes != 20 {
		t.Errorf("cutoffs=10,20: summary %+v", c.Summary)
	}

	// Unreachable offers and paging.
	var all engine.Answer
	get(t, base+"/v1/reachable?"+origin+"&include_unreachable=true&per_page=500").decode(t, &all)
	if all.Summary.Total != min(g.Places.NumOffers(), all.Summary.Total) || all.Summary.Total < s.Reachable ||
		len(all.Results) != min(all.Summary.Total, 500) {
		t.Errorf("include_unreachable: total %d, %d results, %d offers in the graph", all.Summary.Total, len(all.Results), g.Places.NumOffers())
	}
	if all.Summary.Total != g.Places.NumOffers() {
		t.Errorf("include_unreachable without filter: total %d, want every offer (%d)", all.Summary.Total, g.Places.NumOffers())
	}
	var p1, p2 engine.Answer
	get(t, base+"/v1/reachable?"+origin+"&per_page=3").decode(t, &p1)
	get(t, base+"/v1/reachable?"+origin+"&per_page=3&page=2").decode(t, &p2)
	if len(a.Results) >= 6 && (len(p1.Results) != 3 || len(p2.Results) != 3 ||
		!reflect.DeepEqual(p1.Results[0], a.Results[0]) || !reflect.DeepEqual(p2.Results[0], a.Results[3]) || p2.Page != 2) {
		t.Errorf("paging: page 1 %v, page 2 %v", p1.Results, p2.Results)
	}
}

// isoDoc reads both forms of the isochrone answer.
type isoDoc struct {
	Type     string `json:"type"`
	Features []struct {
		Type       string               `json:"type"`
		Properties engine.IsoProperties `json:"properties"`
		Geometry   struct {
			Type        string           `json:"type"`
			Coordinates [][][][2]float64 `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
	Resolution int               `json:"resolution"`
	Bands      []engine.IsoCells `json:"bands"`
}

func testIsochrone(t *testing.T, r *region, base, origin string) {
	var cum, rings, h3 isoDoc
	res := get(t, base+"/v1/isochrone?"+origin)
	if res.status != 200 || res.header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("status %d, Content-Type %q: %.300s", res.status, res.header.Get("Content-Type"), res.body)
	}
	res.decode(t, &cum)
	get(t, base+"/v1/isochrone?"+origin+"&rings=true").decode(t, &rings)
	res = get(t, base+"/v1/isochrone?"+origin+"&format=h3&cutoffs=15,30,45,60,90")
	if res.header.Get("Content-Type") != "application/json" {
		t.Errorf("format=h3: Content-Type %q", res.header.Get("Content-Type"))
	}
	res.decode(t, &h3)
	if cum.Type != "FeatureCollection" || len(cum.Features) != 5 || len(rings.Features) != 5 || h3.Type != "H3CellSets" || len(h3.Bands) != 5 {
		t.Fatalf("bands: %d cumulative, %d rings, %d h3 (%s)", len(cum.Features), len(rings.Features), len(h3.Bands), h3.Type)
	}
	if h3.Resolution != int(r.eng.Graph().Cells.Resolution) {
		t.Errorf("resolution %d, graph %d", h3.Resolution, r.eng.Graph().Cells.Resolution)
	}
	sum, prev := 0, 0
	for i, f := range cum.Features {
		pr := f.Properties
		if f.Type != "Feature" || f.Geometry.Type != "MultiPolygon" || pr.Band != fmt.Sprintf("0-%d", engine.DefaultCutoffs[i]) || pr.Cells < prev {
			t.Errorf("cumulative band %d: %+v", i, pr)
		}
		if pr.Cells > 0 && len(f.Geometry.Coordinates) == 0 {
			t.Errorf("band %s: %d cells but no polygon", pr.Band, pr.Cells)
		}
		prev = pr.Cells
		sum += rings.Features[i].Properties.Cells
		if !rings.Features[i].Properties.Rings {
			t.Errorf("rings=true: band %d not marked as a ring", i)
		}
	}
	if sum != prev || prev == 0 {
		t.Errorf("rings hold %d cells, the cumulative last band %d", sum, prev)
	}
	for i, b := range h3.Bands {
		if len(b.Cells) != cum.Features[i].Properties.Cells {
			t.Errorf("band %s: %d H3 cells, GeoJSON says %d", b.Band, len(b.Cells), cum.Features[i].Properties.Cells)
		}
	}
}

func testJourney(t *testing.T, r *region, base, origin string) {
	var a engine.Answer
	get(t, base+"/v1/reachable?"+origin+"&per_page=500").decode(t, &a)
	tried := map[string]bool{}
	for _, x := range a.Results {
		if tried[x.School.UAI] || len(tried) == 5 {
			continue
		}
		tried[x.School.UAI] = true
		res := get(t, base+"/v1/journey?"+origin+"&uai="+x.School.UAI)
		if res.status != 200 {
			t.Fatalf("journey to %s: status %d: %s", x.School.UAI, res.status, res.body)
		}
		var j JourneyDoc
		res.decode(t, &j)
		if j.SchoolDoc.UAI != x.School.UAI || j.Journey == nil || j.Duration != x.DurationS || j.Modality != x.Modality ||
			j.Depart != x.Depart || j.Arrive != x.Arrive || len(j.Legs) == 0 {
			t.Fatalf("journey to %s: %+v, result %+v", x.School.UAI, j, x)
		}
		if j.Legs[0].From != "origin" || j.Legs[0].Depart != j.Depart || j.Legs[len(j.Legs)-1].Arrive > j.Arrive {
			t.Errorf("journey to %s: legs %+v", x.School.UAI, j.Legs)
		}
		for i := 1; i < len(j.Legs); i++ {
			if j.Legs[i].Depart < j.Legs[i-1].Arrive {
				t.Errorf("journey to %s: leg %d leaves at %s before leg %d arrives at %s", x.School.UAI, i, j.Legs[i].Depart, i-1, j.Legs[i-1].Arrive)
			}
		}
		// The legs draw one line from the origin to the school.
		end := [2]float64{x.School.Lon, x.School.Lat}
		at := [2]float64{math.Round(r.lon*1e6) / 1e6, math.Round(r.lat*1e6) / 1e6}
		for i, l := range j.Legs {
			if len(l.Path) < 2 || l.Path[0] != at {
				t.Fatalf("journey to %s: leg %d's path %v does not start at %v", x.School.UAI, i, l.Path, at)
			}
			at = l.Path[len(l.Path)-1]
		}
		if at != end {
			t.Errorf("journey to %s: the legs end at %v, the school is at %v", x.School.UAI, at, end)
		}
	}
}

func testSchools(t *testing.T, r *region, base string) {
	g := r.eng.Graph()
	p := &g.Places
	box := [4]float64{r.lon - 0.03, r.lat - 0.02, r.lon + 0.03, r.lat + 0.02}
	var want []string
	offers := 0
	for s := range p.NumSchools() {
		if p.SchoolLon[s] >= box[0] && p.SchoolLon[s] <= box[2] && p.SchoolLat[s] >= box[1] && p.SchoolLat[s] <= box[3] {
			want = append(want, p.SchoolID[s])
			first, end := p.OffersOf(graph.SchoolIdx(s))
			offers += int(end - first)
		}
	}
	if len(want) < 2 {
		t.Fatalf("only %d schools near the origin", len(want))
	}
	var d engine.SchoolsDoc
	res := get(t, base+fmt.Sprintf("/v1/schools?bbox=%v,%v,%v,%v&limit=5000&kind=all", box[0], box[1], box[2], box[3]))
	if res.status != 200 {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	res.decode(t, &d)
	var got []string
	n := 0
	for _, s := range d.Schools {
		got = append(got, s.UAI)
		n += len(s.Offers)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) || d.Count != len(want) || d.Truncated || n != offers {
		t.Errorf("schools %v (count %d, %d offers), want %v (%d offers)", got, d.Count, n, want, offers)
	}
	get(t, base+fmt.Sprintf("/v1/schools?bbox=%v,%v,%v,%v&limit=1&kind=all", box[0], box[1], box[2], box[3])).decode(t, &d)
	if len(d.Schools) != 1 || !d.Truncated || d.Count != len(want) {
		t.Errorf("limit=1: %d schools, truncated %v, count %d", len(d.Schools), d.Truncated, d.Count)
	}
	// By default, the schools with training offers only.
	get(t, base+fmt.Sprintf("/v1/schools?bbox=%v,%v,%v,%v&limit=5000", box[0], box[1], box[2], box[3])).decode(t, &d)
	withOffers := 0
	for _, s := range d.Schools {
		if len(s.Offers) == 0 {
			t.Errorf("default listing: school %s has no offer", s.UAI)
		}
		withOffers += len(s.Offers)
	}
	if withOffers != offers || d.Count > len(want) {
		t.Errorf("default listing: %d schools with %d offers, want the %d offers of the box", d.Count, withOffers, offers)
	}
}

func testStreets(t *testing.T, r *region, base string) {
	st := &r.eng.Graph().Streets
	box := [4]float64{r.lon - 0.01, r.lat - 0.005, r.lon + 0.01, r.lat + 0.005}
	want := 0
	for g := range st.NumSegments() {
		lats, lons := st.Shape(graph.SegIdx(g))
		if slices.Max(lons) >= box[0] && slices.Min(lons) <= box[2] && slices.Max(lats) >= box[1] && slices.Min(lats) <= box[3] {
			want++
		}
	}
	var d StreetsDoc
	res := get(t, base+fmt.Sprintf("/v1/streets?bbox=%v,%v,%v,%v", box[0], box[1], box[2], box[3]))
	if res.status != 200 || res.header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("status %d, %q: %.200s", res.status, res.header.Get("Content-Type"), res.body)
	}
	res.decode(t, &d)
	n := 0
	for _, f := range d.Features {
		n += len(f.Geometry.Coordinates)
		for _, line := range f.Geometry.Coordinates {
			if len(line) < 2 {
				t.Fatalf("class %s: line of %d points", f.Properties.Class, len(line))
			}
		}
	}
	if want == 0 || n != want || d.Segments != want || d.Truncated {
		t.Errorf("%d segments (%d drawn), want %d", d.Segments, n, want)
	}
	// Over the cap, minor classes go first.
	_, small := newTestServer(t, Config{MaxStreetSegments: want / 2}, r.eng)
	get(t, small.URL+fmt.Sprintf("/v1/streets?bbox=%v,%v,%v,%v", box[0], box[1], box[2], box[3])).decode(t, &d)
	if !d.Truncated || d.Segments > want/2 {
		t.Errorf("cap %d: %d segments, truncated %v", want/2, d.Segments, d.Truncated)
	}
	// Without a box: the whole graph.
	get(t, base+"/v1/streets").decode(t, &d)
	if d.Segments != st.NumSegments() {
		t.Errorf("whole graph: %d segments of %d", d.Segments, st.NumSegments())
	}
}

func testGraph(t *testing.T, r *region, base string) {
	g := r.eng.Graph()
	var d struct {
		BuildID      string     `json:"build_id"`
		Date         string     `json:"date"`
		H3Resolution int        `json:"h3_resolution"`
		Cells        int        `json:"cells"`
		Schools      int        `json:"schools"`
		Offers       int        `json:"offers"`
		BBox         [4]float64 `json:"bbox"`
		Timetable    graph.TimetableSummary
		Defaults     GraphLimits `json:"defaults"`
	}
	res := get(t, base+"/v1/graph")
	if res.status != 200 {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	res.decode(t, &d)
	if d.BuildID != g.Meta.BuildID || d.Date != g.Meta.Date || d.H3Resolution != int(g.Cells.Resolution) || d.Cells != g.Cells.NumCells() ||
		d.Schools != g.Places.NumSchools() || d.Offers != g.Places.NumOffers() || d.Timetable.Stops != g.Timetable.NumStops() ||
		d.Defaults.MaxMinutesCeiling != 120 || !(d.BBox[0] < r.lon && r.lon < d.BBox[2] && d.BBox[1] < r.lat && r.lat < d.BBox[3]) {
		t.Errorf("graph doc %+v", d)
	}
	if res := do(t, http.MethodHead, base+"/v1/graph", nil); res.status != 200 || len(res.body) != 0 {
		t.Errorf("HEAD: status %d, %d bytes", res.status, len(res.body))
	}
}
