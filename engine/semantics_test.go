package engine

import (
	"context"
	"net/url"
	"testing"

	"reach/graph"
	"reach/internal/testregion"
)

// TestJourneyKinds: a trip without a vehicle is a walk, and no longer than
// the direct walk; a transit trip takes at least one vehicle, and its
// journey shows it. (A walk to a stop and on to a school 14 m away was once
// answered as transit with no vehicle, and shorter than the direct walk
// because the last step was a straight line between a stop and a school
// linked to different streets.)
func TestJourneyKinds(t *testing.T) {
	e := synthEngine(t)
	walks, rides := 0, 0
	for _, a := range addresses(e, 40, 17) {
		p := DefaultParams(a[0], a[1])
		r, err := e.Reach(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		onFoot := DefaultParams(a[0], a[1])
		onFoot.Modes = graph.TravelModes{Walk: true}
		w, err := e.Reach(context.Background(), onFoot)
		if err != nil {
			t.Fatal(err)
		}
		for k, s := range r.Reached {
			trip := r.Trips[k]
			j, err := r.Journey(e, s)
			if err != nil {
				t.Fatal(err)
			}
			vehicles := 0
			for _, l := range j.Legs {
				if l.Mode != "walk" {
					vehicles++
				}
			}
			switch trip.Modality {
			case graph.ModalityWalk:
				walks++
				if trip.Trips != 0 || vehicles != 0 {
					t.Fatalf("school %d: a walk with %d vehicles", s, vehicles)
				}
				if d := w.Trip(s); !d.Found || d.Duration != trip.Duration {
					t.Fatalf("school %d: walk of %d s, the direct walk %+v", s, trip.Duration, d)
				}
			default:
				rides++
				if trip.Trips < 1 || vehicles != trip.Trips {
					t.Fatalf("school %d: %s trip with %d trips and %d vehicle legs", s, trip.Modality, trip.Trips, vehicles)
				}
				if d := w.Trip(s); d.Found && d.Duration <= trip.Duration && d.Depart >= trip.Depart {
					t.Fatalf("school %d: transit (%d s) chosen over a walk as late and no longer (%d s)", s, trip.Duration, d.Duration)
				}
			}
		}
	}
	if walks == 0 || rides == 0 {
		t.Errorf("%d walks, %d rides: the test checks nothing", walks, rides)
	}
}

// TestMaxWalkBoundsEveryWalk: max_walk bounds each walk of a journey, the
// access walk, the walks between vehicles and the egress walk, which is
// never chained to a walk between stops.
func TestMaxWalkBoundsEveryWalk(t *testing.T) {
	e := synthEngine(t)
	checked := 0
	for _, limit := range []float64{300, 600} {
		for _, a := range addresses(e, 30, 23) {
			p := DefaultParams(a[0], a[1])
			p.MaxWalk = limit
			p.Modes = graph.TravelModes{Transit: true}
			r, err := e.Reach(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range r.Reached {
				j, err := r.Journey(e, s)
				if err != nil {
					t.Fatal(err)
				}
				for i, l := range j.Legs {
					if l.Mode == "walk" && l.Metres > limit+0.05 {
						t.Fatalf("max_walk %v: leg %d walks %v m (%s → %s)", limit, i, l.Metres, l.From, l.To)
					}
					if i > 0 && l.Mode == "walk" && j.Legs[i-1].Mode == "walk" {
						t.Fatalf("max_walk %v: walks chained at leg %d", limit, i)
					}
				}
				checked++
			}
		}
	}
	if checked == 0 {
		t.Error("no journey checked")
	}
}

// TestLocationsWithoutOffers: on a graph of plain locations (no training
// offers), the locations are the destinations of answers.
func TestLocationsWithoutOffers(t *testing.T) {
	e := engineOf(t, testregion.SynthWithoutOffers(t))
	if e.Graph().Places.NumOffers() != 0 || e.Graph().Places.NumSchools() == 0 {
		t.Fatalf("%d offers, %d schools", e.Graph().Places.NumOffers(), e.Graph().Places.NumSchools())
	}
	req, err := ParseReachable(url.Values{"lat": {"47"}, "lon": {"2"}, "group": {"school"}, "per_page": {"500"}}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.Answer(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if a.Summary.Schools == 0 || len(a.Schools) != a.Summary.Schools || a.Summary.Reachable != a.Summary.Schools ||
		a.Summary.Total != e.Graph().Places.NumSchools() {
		t.Fatalf("summary %+v, %d schools listed", a.Summary, len(a.Schools))
	}
	req.Group = GroupOffer
	b, err := e.Answer(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Results) != a.Summary.Reachable || b.Results[0].Offer != nil || !b.Results[0].Reachable {
		t.Errorf("%d results for %d reachable locations", len(b.Results), a.Summary.Reachable)
	}
}

// TestPercentileReported: every result reports its travel time at the
// request's percentile beside the minimum and the median over the window;
// percentile 0 is the minimum, 50 the median, 100 the longest.
func TestPercentileReported(t *testing.T) {
	e := synthEngine(t)
	checked, spread := 0, 0
	for _, a := range addresses(e, 15, 31) {
		docs := map[float64]map[string]TripDoc{}
		for _, pct := range []float64{0, 50, 90, 100} {
			p := DefaultParams(a[0], a[1])
			p.Percentile = pct
			ans, err := e.Answer(context.Background(), Request{Params: p, PerPage: 500})
			if err != nil {
				t.Fatal(err)
			}
			docs[pct] = map[string]TripDoc{}
			for _, r := range ans.Results {
				if r.Offer != nil {
					docs[pct][r.School.UAI+" "+r.Offer.Label+" "+r.Offer.Track] = r.TripDoc
				}
			}
		}
		for id, d := range docs[50] {
			if !d.Reachable || d.MinS == 0 {
				continue
			}
			d0, d90, d100 := docs[0][id], docs[90][id], docs[100][id]
			if d.PercentileS != d.MedianS || d0.PercentileS != d.MinS || d90.PercentileS < d.MedianS || d100.PercentileS < d90.PercentileS {
				t.Fatalf("offer %s: min %d median %d; percentile 0: %d, 50: %d, 90: %d, 100: %d",
					id, d.MinS, d.MedianS, d0.PercentileS, d.PercentileS, d90.PercentileS, d100.PercentileS)
			}
			if d100.PercentileS > d.MedianS {
				spread++
			}
			checked++
		}
	}
	if checked == 0 || spread == 0 {
		t.Errorf("%d results checked, %d with a spread over the window: the test checks nothing", checked, spread)
	}
}
