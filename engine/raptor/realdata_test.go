package raptor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"reach/graph"
	"reach/ingest/gtfs"
	"reach/internal/realdata"
)

// realFeed is one or more real GTFS feeds built together and the service
// date to build. Each file is "DIR/FILE" under the shared data folder.
type realFeed struct {
	name, date string
	files      []string
}

var realFeeds = []realFeed{
	{"rennes", "2012-05-22", []string{"rennes/star-gtfs-2012-05.zip"}},
	{"rnv", "2016-11-08", []string{"rnv/rnv-gtfs-2016.zip"}},
	{"ter", "2017-11-07", []string{"ter/sncf-ter-gtfs-2017.zip"}},
	{"bydgoszcz", "2020-05-05", []string{"bydgoszcz/bydgoszcz-gtfs-2020.zip"}}, // a Tuesday of its calendar_dates
	// A sample of the national graph: the TER backbone of all France and
	// two city networks that meet it at Rennes and Nantes stations, built
	// as one multi-feed timetable (the city feeds' Tuesdays substituted).
	{"france-sample", "2017-11-07", []string{"ter/sncf-ter-gtfs-2017.zip", "rennes/star-gtfs-2012-05.zip", "nantes/tan-gtfs-2014.zip"}},
}

// paths returns the feed's files under the shared data folder dir.
func (f realFeed) paths(dir string) []string {
	out := make([]string, len(f.files))
	for i, file := range f.files {
		out[i] = filepath.Join(dir, filepath.FromSlash(file))
	}
	return out
}

// buildReal builds the one-day timetable of a real feed, skipping the test
// when the data is absent.
func buildReal(tb testing.TB, f realFeed) *graph.Timetable {
	tb.Helper()
	for _, file := range f.files {
		realdata.Path(tb, strings.Split(file, "/")...)
	}
	tt, err := buildRealAt(f.paths(realdata.Dir()), f)
	if err != nil {
		tb.Fatal(err)
	}
	return tt
}

// buildRealAt builds the timetable of feed f from its files' paths.
func buildRealAt(paths []string, f realFeed) (*graph.Timetable, error) {
	date, err := time.Parse(time.DateOnly, f.date)
	if err != nil {
		return nil, err
	}
	var sources []gtfs.FeedSource
	for _, p := range paths {
		sources = append(sources, gtfs.FeedSource{Name: strings.Split(filepath.Base(p), "-")[0], Path: p})
	}
	g, err := gtfs.Build(sources, gtfs.BuildOptions{Date: date})
	if err != nil {
		return nil, fmt.Errorf("building %s: %w", f.name, err)
	}
	return &g.Timetable, nil
}

// crowFlyFootpaths links stops closer than radius metres, at 1.25 times
// the straight-line distance, as a distance CSR (stand-in for street
// footpaths, which these tests do not build).
func crowFlyFootpaths(tt *graph.Timetable, radius float64) (start, to []int32, dist []float32) {
	const metresPerDegLat = 111_195.0
	lat0 := 0.0
	for _, la := range tt.StopLat {
		lat0 += la / float64(len(tt.StopLat))
	}
	kx := metresPerDegLat * math.Cos(lat0*math.Pi/180)
	type key struct{ x, y int }
	cells := map[key][]int32{}
	cell := func(s int) key {
		return key{int(math.Floor(tt.StopLon[s] * kx / radius)), int(math.Floor(tt.StopLat[s] * metresPerDegLat / radius))}
	}
	for s := range tt.StopLat {
		cells[cell(s)] = append(cells[cell(s)], int32(s))
	}
	start = []int32{0}
	for s := range tt.StopLat {
		c := cell(s)
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				for _, u := range cells[key{c.x + dx, c.y + dy}] {
					d := math.Hypot((tt.StopLon[u]-tt.StopLon[s])*kx, (tt.StopLat[u]-tt.StopLat[s])*metresPerDegLat)
					if int(u) != s && d < radius {
						to = append(to, u)
						dist = append(dist, float32(1.25*d))
					}
				}
			}
		}
		start = append(start, int32(len(to)))
	}
	return start, to, dist
}

// TestRealFeedsMatchReference compares the router with the reference on
// random (origin, departure) pairs of real feeds, with and without
// footpaths (the feeds' transfers.txt, which are empty or absent in these
// four, merged with crow-fly footpaths up to 400 m), under several
// transfer limits; then range results with plain ones and journeys with
// the timetable.
func TestRealFeedsMatchReference(t *testing.T) {
	pairs := 300
	if testing.Short() {
		pairs = 40
	}
	for fi, feed := range realFeeds {
		t.Run(feed.name, func(t *testing.T) {
			t0 := time.Now()
			tt := buildReal(t, feed)
			r, err := NewRouter(tt)
			if err != nil {
				t.Fatal(err)
			}
			st, sto, sd := crowFlyFootpaths(tt, 400)
			street, err := FromDistances(st, sto, sd, testWalkSpeed)
			if err != nil {
				t.Fatal(err)
			}
			g := GTFSTransfers(tt)
			merged := MergeTransfers(g, street)
			edges := append(refGTFSEdges(tt), refStreetEdges(st, sto, sd, testWalkSpeed)...)
			ref := newRefNet(tt)
			built := time.Since(t0)
			var origins []int32
			for s := int32(0); int(s) < tt.NumStops(); s++ {
				if tt.StopRouteStart[s+1] > tt.StopRouteStart[s] {
					origins = append(origins, s)
				}
			}
			if len(origins) == 0 {
				t.Fatal("no stop is served")
			}
			rng := rand.New(rand.NewPCG(uint64(fi), 77))
			limits := []int{0, 1, 2, 3, DefaultMaxTransfers, Unlimited}
			var stats refStats
			for i := 0; i < pairs; i++ {
				src := []Source{{Stop: origins[rng.IntN(len(origins))], Time: int32(5*3600 + rng.IntN(16*3600))}}
				maxT := limits[i%len(limits)]
				school := i%4 == 3
				// Without footpaths, then with them.
				compareWithReference(t, &fixture{r: r, ref: ref, sy: &synth{tt: tt}},
					Query{Sources: src, MaxTransfers: maxT, AllowSchool: school, MinChange: 60}, nil, &stats)
				compareWithReference(t, &fixture{r: r, ref: ref, sy: &synth{tt: tt}},
					Query{Sources: src, MaxTransfers: maxT, Transfers: &merged, AllowSchool: school,
						WalkFromSources: i%2 == 0, MinChange: 60}, edges, &stats)
				if t.Failed() {
					return
				}
			}
			compared := time.Since(t0) - built
			// Range results equal plain searches, and journeys are
			// feasible.
			for i := 0; i < 3; i++ {
				from := int32(6*3600 + rng.IntN(12*3600))
				q := RangeQuery{Sources: []SourceOffset{{Stop: origins[rng.IntN(len(origins))], Offset: 240}},
					From: from, To: from + 1800, MaxTransfers: DefaultMaxTransfers, Transfers: &merged, MinChange: 60}
				rr, err := r.Range(q)
				if err != nil {
					t.Fatal(err)
				}
				for m := 0; m < rr.NumMinutes(); m += 6 {
					pq := q.At(rr.Departure(m))
					res, err := r.Route(pq)
					if err != nil {
						t.Fatal(err)
					}
					var reached []int32
					for s := int32(0); int(s) < tt.NumStops(); s++ {
						if rr.Arrival(m, s) != res.Arrival(s) || rr.Trips(m, s) != res.Trips(s) {
							t.Fatalf("range minute %d stop %d: %d with %d trips, plain %d with %d",
								m, s, rr.Arrival(m, s), rr.Trips(m, s), res.Arrival(s), res.Trips(s))
						}
						if res.Trips(s) > 0 {
							reached = append(reached, s)
						}
					}
					res.Release()
					for j := 0; j < 10 && len(reached) > 0; j++ {
						target := reached[rng.IntN(len(reached))]
						jr, err := r.Journey(pq, []StopCost{{Stop: target}})
						if err != nil {
							t.Fatal(err)
						}
						checkJourney(t, tt, pq, jr)
					}
				}
				rr.Release()
			}
			t.Logf("%s: %d stops, %d routes, %d trips, %d stop times, %d footpaths; built in %v, %d searches compared in %v (%d stops reached, %d with ≥ 2 trips)",
				feed.name, tt.NumStops(), tt.NumRoutes(), tt.NumTrips(), tt.NumStopTimes(), len(merged.To),
				built.Round(time.Millisecond), stats.queries, compared.Round(time.Millisecond), stats.reached, stats.multi)
			if stats.multi == 0 {
				t.Error("no stop needs two trips: the comparison is trivial")
			}
		})
	}
}
