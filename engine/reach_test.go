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
