package engine

import (
	"testing"

	"reach/engine/raptor"
)

func TestReachConsistentWithPlainSearches(t *testing.T) {
	e := loadRegion(t, "rennes")
	g := e.Graph()
	found, walk, transit := 0, 0, 0
	for _, a := range randomAddresses(g, 10, 1) {
		p := DefaultParams(a[0], a[1])
		p.ArriveBy = 8*3600 + 30*60
		res, err := e.Reach(p)
		if err != nil {
			t.Fatal(err)
		}
		tr, _ := e.Transfers(p.Transfers, p.WalkSpeed)
		near := e.StopsNear(a[0], a[1], p.MaxWalk, p.WalkSpeed)
		for s, trip := range res.Schools {
			if !trip.Found {
				continue
			}
			found++
			if trip.Arrive > p.ArriveBy || trip.Depart < p.ArriveBy-int32(p.MaxMinutes)*60 || trip.Duration != trip.Arrive-trip.Depart ||
				trip.Duration > int32(p.MaxMinutes)*60 {
				t.Fatalf("school %d: %+v outside the window", s, trip)
			}
			if trip.Modality == ModalityWalk {
				walk++
				continue
			}
			transit++
			// The plain search departing at trip.Depart arrives by the
			// deadline; departing a minute later it does not (unless by walking).
			eg := e.egress(nil, int32(s), p)
			arr := func(dep int32) int32 {
				q := raptor.Query{MaxTransfers: p.MaxTransfers, Transfers: tr, AllowSchool: trip.Modality == ModalitySchool}
				for _, n := range near {
					q.Sources = append(q.Sources, raptor.Source{Stop: n.Stop, Time: dep + n.Seconds})
				}
				res, err := e.Router().Route(q)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Release()
				best := raptor.Unreachable
				for _, c := range eg {
					if a := res.Arrival(c.Stop); a != raptor.Unreachable && a+c.Seconds < best {
						best = a + c.Seconds
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
	if found == 0 || transit == 0 || walk == 0 {
		t.Errorf("found %d (walk %d, transit %d): the test checks nothing", found, walk, transit)
	}
	t.Logf("%d (address, school) pairs reachable: %d on foot, %d by transit", found, walk, transit)
}

func TestParamsChecked(t *testing.T) {
	e := loadRegion(t, "rennes")
	for _, c := range []struct {
		edit  func(*Params)
		param string
	}{
		{func(p *Params) { p.Lat = 91 }, "lat"},
		{func(p *Params) { p.MaxMinutes = 1000 }, "max_minutes"},
		{func(p *Params) { p.WalkSpeed = 0 }, "walk_speed"},
		{func(p *Params) { p.Modes = Modes{School: true} }, "modes"},
		{func(p *Params) { p.Transfers = "bus" }, "transfers"},
	} {
		p := DefaultParams(48.11, -1.68)
		c.edit(&p)
		_, err := e.Reach(p)
		pe, ok := err.(*ParamError)
		if !ok || pe.Param != c.param {
			t.Errorf("want a %s error, got %v", c.param, err)
		}
	}
	if _, err := ParseModes("walk,bike"); err == nil {
		t.Error("bike accepted")
	}
	if m, err := ParseModes("walk, transit,school"); err != nil || m != AllModes {
		t.Errorf("%v %v", m, err)
	}
}

func TestJourneyMatchesReach(t *testing.T) {
	e := loadRegion(t, "rennes")
	checked := 0
	for _, a := range randomAddresses(e.Graph(), 5, 7) {
		p := DefaultParams(a[0], a[1])
		res, err := e.Reach(p)
		if err != nil {
			t.Fatal(err)
		}
		for s, trip := range res.Schools {
			if !trip.Found || trip.Modality != ModalityTransit || checked > 40 {
				continue
			}
			j, err := e.Journey(p, int32(s), trip)
			if err != nil {
				t.Fatalf("school %d: %v", s, err)
			}
			checked++
			if j.Depart != Clock(trip.Depart) || j.Arrive != Clock(trip.Arrive) {
				t.Fatalf("journey %s→%s, reach %s→%s", j.Depart, j.Arrive, Clock(trip.Depart), Clock(trip.Arrive))
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
	if checked == 0 {
		t.Fatal("no transit journey checked")
	}
}

func TestAnswerRanksAndFilters(t *testing.T) {
	e := loadRegion(t, "rennes")
	// Rennes city centre, République.
	req := Request{Params: DefaultParams(48.1096, -1.6794), PerPage: 500}
	a, err := e.Answer(req)
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
	// Filtering on CAP keeps only CAP offers, a subset of the reachable ones.
	req.Filter.Levels = []string{"cap"}
	c, err := e.Answer(req)
	if err != nil {
		t.Fatal(err)
	}
	if c.Summary.Reachable == 0 || c.Summary.Reachable >= a.Summary.Reachable {
		t.Errorf("CAP filter: %d of %d", c.Summary.Reachable, a.Summary.Reachable)
	}
	for _, r := range c.Results {
		if r.Offer.Level != "CAP" {
			t.Fatalf("filter let %q through", r.Offer.Level)
		}
	}
	// Unknown UAIs and dates are refused, naming the parameter.
	req.Filter = Filter{UAIs: []string{"0000000A"}}
	if _, err := e.Answer(req); err == nil {
		t.Error("unknown UAI accepted")
	}
	req.Filter = Filter{}
	req.Date = "2013-01-01"
	if _, err := e.Answer(req); err == nil {
		t.Error("other date accepted")
	}
	// Unreachable offers come last when asked for.
	req.Date = ""
	req.IncludeUnreachable = true
	u, err := e.Answer(req)
	if err != nil {
		t.Fatal(err)
	}
	if u.Summary.Total != 280 || len(u.Results) != 280 || u.Results[279].Reachable {
		t.Errorf("with unreachable: total %d, %d results", u.Summary.Total, len(u.Results))
	}
}

func TestParseCutoffs(t *testing.T) {
	if c, err := ParseCutoffs("15, 30,45"); err != nil || len(c) != 3 || c[2] != 45 {
		t.Errorf("%v %v", c, err)
	}
	for _, bad := range []string{"15abc", "30,15", "0", "", "15,,30", "1000"} {
		if _, err := ParseCutoffs(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
