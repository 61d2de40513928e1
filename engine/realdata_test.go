package engine

import (
	"context"
	"testing"
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
