package engine

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"reach/engine/raptor"
	"reach/graph"
)

// vehicleArrivals runs a plain search departing from the origin at dep and
// returns, per stop, the earliest arrival by a vehicle.
func vehicleArrivals(t *testing.T, e *Engine, p Params, near []StopNear, dep int32, school bool) []int32 {
	t.Helper()
	tr, err := e.Transfers(p.Transfers)
	if err != nil {
		t.Fatal(err)
	}
	q := raptor.Query{MaxTransfers: p.MaxTransfers, Transfers: tr, AllowSchool: school, WalkSpeed: p.WalkSpeed, MaxWalk: p.MaxWalk}
	for _, n := range near {
		q.Sources = append(q.Sources, raptor.Source{Stop: n.Stop, Time: dep + n.Seconds})
	}
	res, err := e.Router().Route(q)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	out := make([]int32, res.NumStops())
	for s := range out {
		out[s] = res.VehicleArrival(graph.StopIdx(s))
	}
	return out
}

// checkReachConsistent checks the answer of Reach from each address
// against plain searches: the departure it reports arrives when it says,
// and departing a minute later misses the deadline. It returns the number
// of reachable (address, school) pairs on foot and by transit.
func checkReachConsistent(t *testing.T, e *Engine, addrs [][2]float64, arriveBy int32) (walk, transit int) {
	t.Helper()
	for _, a := range addrs {
		p := DefaultParams(a[0], a[1])
		p.ArriveBy = arriveBy
		res, err := e.Reach(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		near := e.StopsNear(a[0], a[1], p.MaxWalk, p.WalkSpeed)
		for k, s := range res.Reached {
			trip := res.Trips[k]
			if !trip.Found {
				continue
			}
			if trip.Arrive > p.ArriveBy || trip.Depart < p.ArriveBy-int32(p.MaxMinutes)*60 || trip.Duration != trip.Arrive-trip.Depart ||
				trip.Duration > int32(p.MaxMinutes)*60 {
				t.Fatalf("school %d: %+v outside the window", s, trip)
			}
			if trip.Modality == graph.ModalityWalk {
				walk++
				continue
			}
			transit++
			// The journey leaves the last vehicle at a stop within max_walk
			// of the school and walks from there.
			eg := &e.Graph().SchoolEgress
			arr := func(dep int32) int32 {
				veh := vehicleArrivals(t, e, p, near, dep, trip.Modality == graph.ModalitySchool)
				best := raptor.Unreachable
				for k := eg.Start[s]; k < eg.Start[s+1]; k++ {
					if d := float64(eg.Dist[k]); d <= p.MaxWalk && veh[eg.To[k]] != raptor.Unreachable {
						best = min(best, veh[eg.To[k]]+walkSeconds(d, p.WalkSpeed))
					}
				}
				return best
			}
			if got := arr(trip.Depart); got != trip.Arrive {
				t.Fatalf("school %d: reach says arrive %d departing %d, plain search %d", s, trip.Arrive, trip.Depart, got)
			}
			if trip.Depart+60 <= p.ArriveBy {
				if later := arr(trip.Depart + 60); later <= p.ArriveBy {
					t.Fatalf("school %d: departing a minute later (%d) still arrives by the deadline (%d)", s, trip.Depart+60, later)
				}
			}
		}
	}
	return walk, transit
}

func TestReachConsistentWithPlainSearches(t *testing.T) {
	e := synthEngine(t)
	walk, transit := checkReachConsistent(t, e, addresses(e, 12, 1), DefaultArriveBy)
	if walk == 0 || transit == 0 {
		t.Errorf("walk %d, transit %d: the test checks nothing", walk, transit)
	}
	t.Logf("synthetic region: %d (address, school) pairs on foot, %d by transit", walk, transit)
}

// TestParseDefaults checks that the documented defaults of the parameter
// lists are the defaults the engine applies.
func TestParseDefaults(t *testing.T) {
	req, err := ParseReachable(url.Values{"lat": {"47"}, "lon": {"2"}}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if want := DefaultParams(47, 2); req.Params != want {
		t.Errorf("parsed defaults %+v, DefaultParams %+v", req.Params, want)
	}
	if req.Page != 1 || req.PerPage != 20 || req.IncludeUnreachable || len(req.Cutoffs) != 5 || req.Cutoffs[4] != 90 {
		t.Errorf("paging or bands: %+v", req)
	}
	// Bands and the ceiling follow each other.
	r, err := ParseRouting(url.Values{"max_minutes": {"60"}}, Limits{})
	if err != nil || r.Params.MaxMinutes != 60 || !equalInts(r.Cutoffs, []int{15, 30, 45, 60}) {
		t.Errorf("max_minutes 60: %v %v", r, err)
	}
	r, err = ParseRouting(url.Values{"cutoffs": {"20,40"}}, Limits{})
	if err != nil || r.Params.MaxMinutes != 40 || !equalInts(r.Cutoffs, []int{20, 40}) {
		t.Errorf("cutoffs 20,40: %v %v", r, err)
	}
	iso, err := ParseIsochrone(url.Values{"lat": {"47"}, "lon": {"2"}, "rings": {"true"}, "format": {"h3"}}, Limits{})
	if err != nil || !iso.Rings || iso.Format != "h3" {
		t.Errorf("isochrone: %+v %v", iso, err)
	}
	j, err := ParseJourney(url.Values{"lat": {"47"}, "lon": {"2"}, "uai": {"0081152j"}}, Limits{})
	if err != nil || j.UAI != "0081152J" {
		t.Errorf("journey: %+v %v", j, err)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestParseRefuses checks that every bad value is refused naming its
// parameter, with a bounded echo of the value.
func TestParseRefuses(t *testing.T) {
	long := strings.Repeat("x", 100000)
	for _, c := range []struct {
		query, param, detail string
	}{
		{"lon=2", "lat", "required"},
		{"lat=91&lon=2", "lat", "out of range"},
		{"lat=47&lon=abc", "lon", "not a number"},
		{"lat=47&lon=2&lon=3", "lon", "more than once"},
		{"lat=47&lon=", "lon", "empty"},
		{"lat=47&lon=2&foo=1&bar=2", "bar", "unknown parameter bar, foo"},
		{"lat=47&lon=2&max_walk=1_000", "max_walk", "not a number"},
		{"lat=47&lon=2&max_walk=0x10", "max_walk", "not a number"},
		{"lat=47&lon=2&max_walk=Inf", "max_walk", "not a number"},
		{"lat=47&lon=2&max_walk=9000", "max_walk", "out of range 0..5000"},
		{"lat=47&lon=2&max_minutes=200", "max_minutes", "out of range 1..180"},
		{"lat=47&lon=2&max_minutes=0", "max_minutes", "out of range 1..180"},
		{"lat=47&lon=2&arrive_by=8h30", "arrive_by", "want HH:MM"},
		{"lat=47&lon=2&arrive_by=49:00", "arrive_by", "at most 48:00"},
		{"lat=47&lon=2&date=2012-13-01", "date", "YYYY-MM-DD"},
		{"lat=47&lon=2&modes=bus", "modes", "unknown mode"},
		{"lat=47&lon=2&modes=school", "modes", "transit,school"},
		{"lat=47&lon=2&walk_speed=9", "walk_speed", "out of range"},
		{"lat=47&lon=2&max_transfers=-1", "max_transfers", "out of range 0..16"},
		{"lat=47&lon=2&transfers=bike", "transfers", "street, gtfs, both or none"},
		{"lat=47&lon=2&percentile=101", "percentile", "out of range"},
		{"lat=47&lon=2&cutoffs=30,15", "cutoffs", "increase"},
		{"lat=47&lon=2&cutoffs=15,abc", "cutoffs", "not a whole number"},
		{"lat=47&lon=2&cutoffs=15,60&max_minutes=30", "cutoffs", "exceeds max_minutes 30"},
		{"lat=47&lon=2&voie=both", "voie", "scolaire or apprentissage"},
		{"lat=47&lon=2&bbox=1,2,3", "bbox", "minLon,minLat,maxLon,maxLat"},
		{"lat=47&lon=2&bbox=3,2,1,4", "bbox", "minimum above maximum"},
		{"lat=47&lon=2&page=0", "page", "out of range 1..10000"},
		{"lat=47&lon=2&per_page=501", "per_page", "out of range 1..500"},
		{"lat=47&lon=2&include_unreachable=yes", "include_unreachable", "true or false"},
		{"lat=47&lon=2&q=" + strings.Repeat("a", 300), "q", "longer than"},
		{"lat=47&lon=2&arrive_by=" + long, "arrive_by", "want HH:MM"},
	} {
		v, err := url.ParseQuery(c.query)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ParseReachable(v, Limits{MaxMinutes: 180})
		pe, ok := err.(*ParamError)
		if !ok || pe.Param != c.param || !strings.Contains(pe.Detail, c.detail) {
			t.Errorf("%.80s: got %v, want %s: …%s…", c.query, err, c.param, c.detail)
			continue
		}
		if len(pe.Detail) > 400 {
			t.Errorf("%.80s: the error echoes %d bytes", c.query, len(pe.Detail))
		}
	}
}

// TestListParamsDeduplicatedAndCapped: a list repeating one value counts
// it once; more than MaxListValues distinct values are refused.
func TestListParamsDeduplicatedAndCapped(t *testing.T) {
	v := url.Values{"lat": {"47"}, "lon": {"2"}, "uai": {strings.Repeat("0189001l,", 50000)}}
	req, err := ParseReachable(v, Limits{})
	if err != nil || len(req.Filter.UAIs) != 1 || req.Filter.UAIs[0] != "0189001L" {
		t.Fatalf("50,000 copies of one UAI: %v, %v", req.Filter.UAIs, err)
	}
	var many []string
	for i := 0; i <= MaxListValues; i++ {
		many = append(many, strings.Repeat("x", i+1))
	}
	v.Set("uai", strings.Join(many, ","))
	if _, err := ParseReachable(v, Limits{}); err == nil || !strings.Contains(err.Error(), "more than 100 values") {
		t.Errorf("%d UAIs: %v", len(many), err)
	}
	// The answer lists each offer once, however often its school is named.
	e := synthEngine(t)
	uai := e.Graph().Places.SchoolID[firstSchoolWithOffers(e)]
	one, err := e.Answer(context.Background(), Request{Params: DefaultParams(47, 2), Filter: Filter{UAIs: []string{uai}}, IncludeUnreachable: true, PerPage: 500})
	if err != nil {
		t.Fatal(err)
	}
	twice, err := e.Answer(context.Background(), Request{Params: DefaultParams(47, 2), Filter: Filter{UAIs: []string{uai, uai}}, IncludeUnreachable: true, PerPage: 500})
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Results) == 0 || len(twice.Results) != len(one.Results) {
		t.Errorf("UAI once: %d results; twice: %d", len(one.Results), len(twice.Results))
	}
}

func firstSchoolWithOffers(e *Engine) graph.SchoolIdx {
	p := &e.Graph().Places
	for s := graph.SchoolIdx(0); int(s) < p.NumSchools(); s++ {
		if a, b := p.OffersOf(s); b > a {
			return s
		}
	}
	return -1
}

// TestRequestsCheckedAgainstTheGraph: a date the graph does not hold, an
// origin far away, an unknown UAI are refused naming the parameter.
func TestRequestsCheckedAgainstTheGraph(t *testing.T) {
	e := synthEngine(t)
	p := DefaultParams(47, 2)
	for _, c := range []struct {
		req   Request
		param string
	}{
		{Request{Params: p, Date: "2026-03-11"}, "date"},
		{Request{Params: DefaultParams(48, 2)}, "lat"},
		{Request{Params: DefaultParams(47, 5)}, "lon"},
		{Request{Params: p, Filter: Filter{UAIs: []string{"0000000A"}}}, "uai"},
	} {
		_, err := e.Answer(context.Background(), c.req)
		var name string
		switch x := err.(type) {
		case *ParamError:
			name = x.Param
		case *NotFoundError:
			name = x.Param
		}
		if name != c.param {
			t.Errorf("%+v: %v, want an error naming %s", c.req, err, c.param)
		}
	}
	if err := e.CheckOrigin(2, 47); err == nil || !strings.Contains(err.Error(), "swapped") {
		t.Errorf("swapped coordinates: %v", err)
	}
}

// checkJourneys checks the journey behind every transit answer from the
// addresses: same times, legs in order, as many vehicles as the answer.
func checkJourneys(t *testing.T, e *Engine, addrs [][2]float64, arriveBy int32) int {
	t.Helper()
	checked := 0
	for _, a := range addrs {
		p := DefaultParams(a[0], a[1])
		p.ArriveBy = arriveBy
		res, err := e.Reach(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		for k, s := range res.Reached {
			trip := res.Trips[k]
			if !trip.Found || checked > 60 {
				continue
			}
			j, err := res.Journey(e, graph.SchoolIdx(s))
			if err != nil {
				t.Fatalf("school %d: %v", s, err)
			}
			checkPaths(t, e, p, int32(s), j)
			if trip.Modality == graph.ModalityWalk {
				continue
			}
			checked++
			if j.Depart != graph.FormatClock(trip.Depart) || j.Arrive != graph.FormatClock(trip.Arrive) {
				t.Fatalf("journey %s→%s, reach %s→%s", j.Depart, j.Arrive, graph.FormatClock(trip.Depart), graph.FormatClock(trip.Arrive))
			}
			vehicles := 0
			prev := j.Depart
			for _, l := range j.Legs {
				if l.Depart < prev || l.Arrive < l.Depart {
					t.Fatalf("legs out of order: %+v", j.Legs)
				}
				prev = l.Arrive
				if l.Mode != "walk" {
					vehicles++
				}
			}
			if vehicles != trip.Trips || j.Legs[len(j.Legs)-1].Arrive != j.Arrive || j.WalkM <= 0 {
				t.Fatalf("journey %+v for trip %+v", j, trip)
			}
		}
	}
	return checked
}

// checkPaths checks the lines of a journey's legs: each leg's starts where
// the one before ends, the first at the origin, the last at the school;
// a leg between stops starts and ends at them; a walk is a straight line.
func checkPaths(t *testing.T, e *Engine, p Params, s int32, j *Journey) {
	t.Helper()
	tt := &e.Graph().Timetable
	pl := &e.Graph().Places
	at := func(lon, lat float64) [2]float64 { return [2]float64{round6(lon), round6(lat)} }
	stop := func(id string) [2]float64 {
		for i, x := range tt.StopID {
			if x == id {
				return at(tt.StopLon[i], tt.StopLat[i])
			}
		}
		t.Fatalf("no stop %s", id)
		return [2]float64{}
	}
	want := at(p.Lon, p.Lat)
	for i, l := range j.Legs {
		if len(l.Path) < 2 {
			t.Fatalf("journey to %s: leg %d (%s) has %d points", j.School, i, l.Mode, len(l.Path))
		}
		if l.Path[0] != want {
			t.Fatalf("journey to %s: leg %d starts at %v, the leg before ends at %v", j.School, i, l.Path[0], want)
		}
		want = l.Path[len(l.Path)-1]
		if l.FromStop != "" && l.Path[0] != stop(l.FromStop) || l.ToStop != "" && want != stop(l.ToStop) {
			t.Fatalf("journey to %s: leg %d from %s to %s drawn from %v to %v", j.School, i, l.FromStop, l.ToStop, l.Path[0], want)
		}
		if l.Mode == "walk" && len(l.Path) != 2 {
			t.Fatalf("journey to %s: walk %d has %d points", j.School, i, len(l.Path))
		}
	}
	if school := at(pl.SchoolLon[s], pl.SchoolLat[s]); want != school {
		t.Fatalf("journey to %s ends at %v, the school is at %v", j.School, want, school)
	}
}

func TestJourneyMatchesReach(t *testing.T) {
	e := synthEngine(t)
	if n := checkJourneys(t, e, addresses(e, 8, 7), DefaultArriveBy); n == 0 {
		t.Fatal("no transit journey checked")
	}
}

// checkAnswer checks the ranking, the band counts and a diploma filter of
// the answer from one origin; it returns the answer.
func checkAnswer(t *testing.T, e *Engine, lat, lon float64, level string) *Answer {
	t.Helper()
	req := Request{Params: DefaultParams(lat, lon), PerPage: 500}
	a, err := e.Answer(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if a.Summary.Reachable == 0 || len(a.Results) != a.Summary.Reachable {
		t.Fatalf("summary %+v, %d results", a.Summary, len(a.Results))
	}
	sum := 0
	for _, b := range a.Summary.Bands {
		sum += b.Offers
	}
	if sum != a.Summary.Reachable {
		t.Errorf("band counts %v do not add up to %d", a.Summary.Bands, a.Summary.Reachable)
	}
	for i := 1; i < len(a.Results); i++ {
		if a.Results[i].DurationS < a.Results[i-1].DurationS {
			t.Fatalf("results not sorted by duration at %d", i)
		}
	}
	req.Filter.Levels = []string{strings.ToLower(level)}
	c, err := e.Answer(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if c.Summary.Reachable == 0 || c.Summary.Reachable >= a.Summary.Reachable {
		t.Errorf("%s filter: %d of %d", level, c.Summary.Reachable, a.Summary.Reachable)
	}
	for _, r := range c.Results {
		if r.Offer.Level != level {
			t.Fatalf("filter let %q through", r.Offer.Level)
		}
	}
	return a
}

func TestAnswerRanksAndFilters(t *testing.T) {
	e := synthEngine(t)
	checkAnswer(t, e, 47.0, 2.0, "CAP")
	// Unreachable offers come last when asked for.
	u, err := e.Answer(context.Background(), Request{Params: DefaultParams(47, 2), IncludeUnreachable: true, PerPage: 500})
	if err != nil {
		t.Fatal(err)
	}
	n := e.Graph().Places.NumOffers()
	if u.Summary.Total != n || len(u.Results) != n {
		t.Errorf("with unreachable: total %d, %d results, %d offers", u.Summary.Total, len(u.Results), n)
	}
}
