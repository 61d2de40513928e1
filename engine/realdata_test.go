package engine

import (
	"context"
	"testing"

	"reach/graph"
)

// TestRealData runs the checks of the other tests on the real regions
// (Rennes, RNV) as extra evidence, and the checks only real data allows.
// It skips, saying why, without ../shared/data.
func TestRealData(t *testing.T) {
	regions := realRegions(t)
	rennes := regions[0]
	for _, r := range regions {
		walk, transit := checkReachConsistent(t, r.eng, addresses(r.eng, 10, 1), r.arriveBy)
		if r.name == "rennes" && (walk == 0 || transit == 0) {
			t.Errorf("%s: walk %d, transit %d: the test checks nothing", r.name, walk, transit)
		}
		t.Logf("%s: %d (address, school) pairs on foot, %d by transit", r.name, walk, transit)
		if n := checkIsochroneBands(t, r.name, r.eng, addresses(r.eng, 3, 11), r.arriveBy); n == 0 {
			t.Errorf("%s: nothing reachable", r.name)
		}
	}
	if n := checkJourneys(t, rennes.eng, addresses(rennes.eng, 5, 7), rennes.arriveBy); n == 0 {
		t.Error("no transit journey checked")
	}
	if n := checkCellTimes(t, rennes.eng, addresses(rennes.eng, 6, 5), rennes.arriveBy); n == 0 {
		t.Error("no reachable cell checked")
	}
	checkCellTimesAgreeWithSchools(t, rennes.eng)

	// Rennes city centre, République: 280 offers in all.
	checkAnswer(t, rennes.eng, 48.1096, -1.6794, "CAP")
	u, err := rennes.eng.Answer(context.Background(), Request{Params: DefaultParams(48.1096, -1.6794), IncludeUnreachable: true, PerPage: 500})
	if err != nil {
		t.Fatal(err)
	}
	if u.Summary.Total != 280 || len(u.Results) != 280 || u.Results[279].Reachable {
		t.Errorf("with unreachable: total %d, %d results", u.Summary.Total, len(u.Results))
	}

	checkRennesBike(t, rennes.eng)

	holes, islands := 0, 0
	for _, r := range regions {
		h, i := checkOutlines(t, r.name, r.eng, addresses(r.eng, 4, 13), r.arriveBy)
		holes, islands = holes+h, islands+i
	}
	t.Logf("%d holes, %d bands with several islands", holes, islands)
	if holes == 0 || islands == 0 {
		t.Errorf("queries gave %d holes and %d multi-island bands: the test does not cover them", holes, islands)
	}
}

// checkRennesBike: from (48.1720, -1.7300), north of the city's streets,
// cycling reaches a school the walk cannot reach in time, and bike,transit
// has answers; from Rennes addresses, bike,transit is never slower than
// bike or transit alone, and the rides check out.
func checkRennesBike(t *testing.T, e *Engine) {
	t.Helper()
	const arriveBy = 8*3600 + 30*60
	a := [2]float64{48.1720, -1.7300}
	ride := reachModes(t, e, a, arriveBy, "bike")
	both := reachModes(t, e, a, arriveBy, "bike,transit")
	p := DefaultParams(a[0], a[1])
	p.ArriveBy, p.Modes, p.MaxDirectWalk = arriveBy, graph.TravelModes{Walk: true}, MaxMaxMinutes
	walk, err := e.Reach(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	far := 0
	pl := &e.Graph().Places
	for k, s := range ride.Reached {
		r := ride.Trips[k]
		if r.Modality != graph.ModalityBike {
			t.Errorf("bike alone: modality %v", r.Modality)
		}
		d := graph.Haversine(a[0], a[1], pl.SchoolLat[s], pl.SchoolLon[s])
		if w := walk.Trip(s); d > 2000 && (!w.Found || r.Duration < w.Duration) {
			far++
			t.Logf("%s, %.1f km: %d min by bike, %d min on foot", pl.SchoolName[s], d/1000, r.Duration/60, w.Duration/60)
		}
	}
	bt := 0
	for _, tr := range both.Trips {
		if tr.Modality == graph.ModalityBikeTransit {
			bt++
		}
	}
	if far == 0 || bt == 0 {
		t.Errorf("Rennes, (48.1720, -1.7300): %d far schools quicker by bike than on foot, %d bike+transit answers", far, bt)
	}
	c := checkBikeNeverSlower(t, e, addresses(e, 8, 31), arriveBy)
	rides, journeys := checkRides(t, e, addresses(e, 6, 33), arriveBy)
	if _, bt := checkBikeTransitConsistent(t, e, addresses(e, 6, 35), arriveBy); bt == 0 {
		t.Error("Rennes: no bike+transit journey checked against plain searches")
	}
	t.Logf("Rennes: %d pairs compared, %d bike and %d bike+transit answers, %d better than both; %d rides and %d bike+transit journeys checked",
		c.pairs, c.bike, c.bikeTransit, c.better, rides, journeys)
	if c.bikeTransit == 0 || c.better == 0 || rides == 0 || journeys == 0 {
		t.Errorf("Rennes: the bike checks checked too little")
	}
}
