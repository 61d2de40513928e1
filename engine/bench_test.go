package engine

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"reach/graph"
	"reach/internal/testregion"
)

// benchRegion returns the engine and deadline of a region by name:
// "synth", "rennes" or "rnv" (the real ones skip without the data).
func benchRegion(b *testing.B, name string) (*Engine, int32) {
	switch name {
	case "rennes":
		return engineOf(b, testregion.Rennes(b)), 8*3600 + 30*60
	case "rnv":
		return engineOf(b, testregion.RNV(b)), 8 * 3600
	}
	return synthEngine(b), DefaultArriveBy
}

// reportMedian reports the median of the durations as ms/op-p50.
func reportMedian(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "p50-ms")
}

// BenchmarkReach measures a whole arrive-by request from random addresses:
// street access, range RAPTOR over the window (twice when school buses
// exist), and the evaluation of the schools. ns/stop_time divides by the
// route positions scanned, so that networks compare.
func BenchmarkReach(b *testing.B) {
	for _, c := range []struct {
		region string
		window int
	}{{"synth", 90}, {"rennes", 60}, {"rennes", 90}, {"rnv", 60}, {"rnv", 90}} {
		b.Run(c.region+"/"+strconv.Itoa(c.window)+"min", func(b *testing.B) {
			e, arrive := benchRegion(b, c.region)
			addrs := addresses(e, 64, 3)
			var scanned int64
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				a := addrs[i%len(addrs)]
				p := DefaultParams(a[0], a[1])
				p.ArriveBy, p.MaxMinutes = arrive, c.window
				r, err := e.Reach(context.Background(), p)
				if err != nil {
					b.Fatal(err)
				}
				scanned += r.Scanned
			}
			b.ReportMetric(float64(scanned)/float64(b.N), "stop_times/op")
			if scanned > 0 {
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(scanned), "ns/stop_time")
			}
		})
	}
}

// BenchmarkReachBike compares requests by their modes from the same
// random addresses (90-minute window): the default walk,transit,school,
// a ride alone, bike,transit and all four modes. It reports the median.
func BenchmarkReachBike(b *testing.B) {
	for _, region := range []string{"synth", "rennes", "rnv"} {
		for _, modes := range []string{"walk,transit,school", "bike", "bike,transit", "walk,bike,transit,school"} {
			b.Run(region+"/"+modes, func(b *testing.B) {
				e, arrive := benchRegion(b, region)
				m, err := graph.ParseTravelModes(modes)
				if err != nil {
					b.Fatal(err)
				}
				addrs := addresses(e, 64, 3)
				took := make([]time.Duration, 0, b.N)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					a := addrs[i%len(addrs)]
					p := DefaultParams(a[0], a[1])
					p.ArriveBy, p.Modes = arrive, m
					start := time.Now()
					if _, err := e.Reach(context.Background(), p); err != nil {
						b.Fatal(err)
					}
					took = append(took, time.Since(start))
				}
				reportMedian(b, took)
			})
		}
	}
}

// BenchmarkAnswerPage measures one /v1/reachable page (20 ranked offers
// with their walking distances) from each of 100 addresses in turn, and
// reports the median.
func BenchmarkAnswerPage(b *testing.B) {
	for _, region := range []string{"synth", "rennes", "rnv"} {
		b.Run(region, func(b *testing.B) {
			e, arrive := benchRegion(b, region)
			addrs := addresses(e, 100, 4)
			took := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				a := addrs[i%len(addrs)]
				p := DefaultParams(a[0], a[1])
				p.ArriveBy = arrive
				start := time.Now()
				if _, err := e.Answer(context.Background(), Request{Params: p}); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			reportMedian(b, took)
		})
	}
}

// BenchmarkJourney measures one /v1/journey (the arrive-by journey to a
// school) from each of 100 addresses in turn, to the first school of its
// answer, and reports the median.
func BenchmarkJourney(b *testing.B) {
	for _, region := range []string{"synth", "rennes", "rnv"} {
		b.Run(region, func(b *testing.B) {
			e, arrive := benchRegion(b, region)
			type job struct {
				p   Params
				uai string
			}
			var jobs []job
			for _, a := range addresses(e, 100, 4) {
				p := DefaultParams(a[0], a[1])
				p.ArriveBy = arrive
				ans, err := e.Answer(context.Background(), Request{Params: p, PerPage: 1})
				if err != nil {
					b.Fatal(err)
				}
				if len(ans.Results) > 0 && ans.Results[0].Modality != "walk" {
					jobs = append(jobs, job{p, ans.Results[0].School.UAI})
				}
			}
			if len(jobs) == 0 {
				b.Skip("no address reaches a school by transit")
			}
			took := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				j := jobs[i%len(jobs)]
				start := time.Now()
				if _, _, err := e.JourneyTo(context.Background(), JourneyRequest{Params: j.p, UAI: j.uai}); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			reportMedian(b, took)
		})
	}
}

// BenchmarkAnswerWithIsochrone measures what the frontend asks for one
// address: the ranked offers (first page, with walking distances) and the
// isochrone bands as GeoJSON polygons (cells evaluated, outlines traced).
func BenchmarkAnswerWithIsochrone(b *testing.B) {
	for _, region := range []string{"synth", "rennes", "rnv"} {
		b.Run(region, func(b *testing.B) {
			e, arrive := benchRegion(b, region)
			addrs := addresses(e, 64, 4)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				a := addrs[i%len(addrs)]
				p := DefaultParams(a[0], a[1])
				p.ArriveBy = arrive
				if _, err := e.Answer(context.Background(), Request{Params: p}); err != nil {
					b.Fatal(err)
				}
				if _, err := e.Isochrone(context.Background(), IsochroneRequest{Params: p}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
