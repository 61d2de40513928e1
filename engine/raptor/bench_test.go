package raptor

import (
	"math/rand/v2"
	"sync"
	"testing"

	"reach/internal/realdata"
)

// benchNet is a benchmark network: a router, its footpaths and origins.
type benchNet struct {
	r       *Router
	tr      *Transfers
	origins []int32
}

// bigFixture is built once for all synthetic benchmarks.
var bigFixture = sync.OnceValues(func() (*fixture, error) { return makeFixture(99, bigSynth) })

func syntheticBenchNet(b *testing.B) benchNet {
	f, err := bigFixture()
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var origins []int32
	tt := f.sy.tt
	for len(origins) < 64 {
		s := int32(rng.IntN(tt.NumStops()))
		if tt.StopRouteStart[s+1] > tt.StopRouteStart[s] {
			origins = append(origins, s)
		}
	}
	b.Logf("synthetic: %d stops, %d routes, %d trips, %d stop times, %d footpaths",
		tt.NumStops(), tt.NumRoutes(), tt.NumTrips(), tt.NumStopTimes(), len(f.merged.To))
	return benchNet{r: f.r, tr: &f.merged, origins: origins}
}

// benchPlain runs one-to-all searches at 08:00 from the origins in turn.
func benchPlain(b *testing.B, n benchNet) {
	var scanned int64
	src := make([]Source, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		src[0] = Source{Stop: n.origins[i%len(n.origins)], Time: 8 * 3600}
		res, err := n.r.Route(Query{Sources: src, MaxTransfers: DefaultMaxTransfers, Transfers: n.tr, MinChange: 60})
		if err != nil {
			b.Fatal(err)
		}
		scanned += res.ScannedStopTimes()
		res.Release()
	}
	reportScan(b, scanned)
}

// benchRange runs range searches over a window of the given minutes from
// 07:00, then evaluates one target, as reachability does.
func benchRange(b *testing.B, n benchNet, minutes int32) {
	var scanned int64
	src := make([]SourceOffset, 1)
	eg := &Egress{Start: make([]int32, n.r.numStops+1), NumTargets: 1}
	for s := int32(0); int(s) < n.r.numStops; s++ {
		if s == n.origins[1] || s == n.origins[2] {
			eg.Target, eg.Metres = append(eg.Target, 0), append(eg.Metres, 150)
		}
		eg.Start[s+1] = int32(len(eg.Target))
	}
	targets := []TargetQuery{{Egress: eg, WalkSpeed: 1.25, MaxWalk: 1000, Times: true}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		src[0] = SourceOffset{Stop: n.origins[i%len(n.origins)], Offset: 180}
		rr, err := n.r.Range(RangeQuery{Sources: src, From: 7 * 3600, To: 7*3600 + minutes*60,
			MaxTransfers: DefaultMaxTransfers, Transfers: n.tr, MinChange: 60, Deadline: 9 * 3600, Targets: targets})
		if err != nil {
			b.Fatal(err)
		}
		rr.Target(0, 0, -1, 80)
		scanned += rr.ScannedStopTimes()
		rr.Release()
	}
	reportScan(b, scanned)
}

func reportScan(b *testing.B, scanned int64) {
	if scanned > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(scanned), "ns/stoptime")
		b.ReportMetric(float64(scanned)/float64(b.N), "stoptimes/op")
	}
}

func BenchmarkPlainSynthetic(b *testing.B)   { benchPlain(b, syntheticBenchNet(b)) }
func BenchmarkRange60Synthetic(b *testing.B) { benchRange(b, syntheticBenchNet(b), 60) }
func BenchmarkRange90Synthetic(b *testing.B) { benchRange(b, syntheticBenchNet(b), 90) }

// realBenchNets builds each real feed's benchmark network once.
var realBenchNets = func() map[string]func() (benchNet, error) {
	m := map[string]func() (benchNet, error){}
	for _, f := range realFeeds {
		m[f.name] = sync.OnceValues(func() (benchNet, error) {
			tt, err := buildRealAt(f.paths(realdata.Dir()), f)
			if err != nil {
				return benchNet{}, err
			}
			r, err := NewRouter(tt)
			if err != nil {
				return benchNet{}, err
			}
			st, sto, sd := crowFlyFootpaths(tt, 400)
			street, err := FromDistances(st, sto, sd, testWalkSpeed)
			if err != nil {
				return benchNet{}, err
			}
			merged := MergeTransfers(GTFSTransfers(tt), street)
			rng := rand.New(rand.NewPCG(3, 4))
			var origins []int32
			for len(origins) < 64 {
				s := int32(rng.IntN(tt.NumStops()))
				if tt.StopRouteStart[s+1] > tt.StopRouteStart[s] {
					origins = append(origins, s)
				}
			}
			return benchNet{r: r, tr: &merged, origins: origins}, nil
		})
	}
	return m
}()

func realBenchNet(b *testing.B, name string) benchNet {
	if realdata.Dir() == "" {
		b.Skip("real data not found")
	}
	n, err := realBenchNets[name]()
	if err != nil {
		b.Fatal(err)
	}
	tt := n.r.Timetable()
	b.Logf("%s: %d stops, %d routes, %d trips, %d stop times, %d footpaths",
		name, tt.NumStops(), tt.NumRoutes(), tt.NumTrips(), tt.NumStopTimes(), len(n.tr.To))
	return n
}

func BenchmarkPlainRennes(b *testing.B)      { benchPlain(b, realBenchNet(b, "rennes")) }
func BenchmarkRange60Rennes(b *testing.B)    { benchRange(b, realBenchNet(b, "rennes"), 60) }
func BenchmarkRange90Rennes(b *testing.B)    { benchRange(b, realBenchNet(b, "rennes"), 90) }
func BenchmarkPlainRNV(b *testing.B)         { benchPlain(b, realBenchNet(b, "rnv")) }
func BenchmarkRange60RNV(b *testing.B)       { benchRange(b, realBenchNet(b, "rnv"), 60) }
func BenchmarkRange90RNV(b *testing.B)       { benchRange(b, realBenchNet(b, "rnv"), 90) }
func BenchmarkPlainTER(b *testing.B)         { benchPlain(b, realBenchNet(b, "ter")) }
func BenchmarkRange60TER(b *testing.B)       { benchRange(b, realBenchNet(b, "ter"), 60) }
func BenchmarkPlainBydgoszcz(b *testing.B)   { benchPlain(b, realBenchNet(b, "bydgoszcz")) }
func BenchmarkRange60Bydgoszcz(b *testing.B) { benchRange(b, realBenchNet(b, "bydgoszcz"), 60) }
func BenchmarkRange90Bydgoszcz(b *testing.B) { benchRange(b, realBenchNet(b, "bydgoszcz"), 90) }
