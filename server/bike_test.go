package server

import (
	"fmt"
	"testing"

	"reach/engine"
)

// TestAPIBike: the HTTP API accepts the bike modes and speed, answers with
// the bike modalities and distances, draws bike isochrones and shows the
// ride in journeys; bad values are refused naming the parameter.
func TestAPIBike(t *testing.T) {
	t.Parallel()
	r := synthRegion(t)
	_, ts := newTestServer(t, Config{MaxMinutes: 120}, r.eng)
	origin := fmt.Sprintf("lat=%v&lon=%v", r.lat, r.lon)

	var ride, both engine.Answer
	get(t, ts.URL+"/v1/reachable?"+origin+"&modes=bike&per_page=500").decode(t, &ride)
	get(t, ts.URL+"/v1/reachable?"+origin+"&modes=bike,transit&bike_speed=3.5&per_page=500").decode(t, &both)
	if ride.Summary.Modes != "bike" || both.Summary.Modes != "bike,transit" {
		t.Errorf("modes %q and %q", ride.Summary.Modes, both.Summary.Modes)
	}
	if len(ride.Results) == 0 || len(both.Results) == 0 {
		t.Fatalf("bike: %d results, bike,transit: %d", len(ride.Results), len(both.Results))
	}
	for _, x := range ride.Results {
		if x.Modality != "bike" || x.BikeM <= 0 || x.WalkM != 0 {
			t.Fatalf("bike alone: %+v", x.TripDoc)
		}
	}
	seen := map[string]int{}
	for _, x := range both.Results {
		seen[x.Modality]++
		if (x.Modality == "bike" || x.Modality == "bike+transit") != (x.BikeM > 0) {
			t.Errorf("%s answer with bike_m %v", x.Modality, x.BikeM)
		}
	}
	if seen["bike"] == 0 {
		t.Errorf("bike,transit modalities %v: no ride", seen)
	}
	// A journey whose answer is a ride shows one bike leg.
	uai := ride.Results[0].School.UAI
	var j JourneyDoc
	get(t, ts.URL+"/v1/journey?"+origin+"&modes=bike&uai="+uai).decode(t, &j)
	if j.Journey == nil || j.Modality != "bike" || len(j.Legs) != 1 || j.Legs[0].Mode != "bike" || j.BikeM != ride.Results[0].BikeM {
		t.Errorf("journey to %s by bike: %+v", uai, j.Journey)
	}
	// Bike isochrone: as many bands as asked, some cells reached.
	var iso isoDoc
	res := get(t, ts.URL+"/v1/isochrone?"+origin+"&modes=bike&cutoffs=10,20")
	if res.status != 200 {
		t.Fatalf("bike isochrone: status %d: %.300s", res.status, res.body)
	}
	res.decode(t, &iso)
	if len(iso.Features) != 2 || iso.Features[1].Properties.Cells == 0 {
		t.Errorf("bike isochrone: %+v", iso.Features)
	}
	for _, c := range []struct{ query, param string }{
		{"&modes=bike,school", "modes"},
		{"&modes=bicycle", "modes"},
		{"&modes=bike&bike_speed=11", "bike_speed"},
		{"&modes=bike&bike_speed=slow", "bike_speed"},
	} {
		res := get(t, ts.URL+"/v1/reachable?"+origin+c.query)
		if res.status != 400 {
			t.Errorf("%s: status %d", c.query, res.status)
			continue
		}
		if p := res.problem(t); p.Param != c.param || p.Type != typeInvalidParam {
			t.Errorf("%s: %+v", c.query, p)
		}
	}
	var gd GraphDoc
	get(t, ts.URL+"/v1/graph").decode(t, &gd)
	if gd.BikeLimit != r.eng.Graph().Meta.BikeLimit || gd.BikeLimit <= 0 || gd.Defaults.BikeSpeed != engine.DefaultBikeSpeed {
		t.Errorf("graph: bike limit %v, default speed %v", gd.BikeLimit, gd.Defaults.BikeSpeed)
	}
}
