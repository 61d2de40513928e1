package engine

import (
	"testing"
)

// BenchmarkReach measures a whole arrive-by request from random addresses:
// street access, range RAPTOR over the window (twice when school buses
// exist), and the evaluation of every school. ns/stop_time divides by the
// route positions scanned, so that networks compare.
func BenchmarkReach(b *testing.B) {
	for _, c := range []struct {
		region  string
		window  int
		arrive  int32
		network string
	}{
		{"rennes", 60, 8*3600 + 30*60, "rennes"}, {"rennes", 90, 8*3600 + 30*60, "rennes"},
		{"rnv", 60, 8 * 3600, "rnv"}, {"rnv", 90, 8 * 3600, "rnv"},
	} {
		b.Run(c.region+"/"+itoa(c.window)+"min", func(b *testing.B) {
			e := loadRegion(b, c.region)
			addrs := randomAddresses(e.Graph(), 64, 3)
			var scanned int64
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				a := addrs[i%len(addrs)]
				p := DefaultParams(a[0], a[1])
				p.ArriveBy, p.MaxMinutes = c.arrive, c.window
				r, err := e.Reach(p)
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

// BenchmarkAnswerWithIsochrone measures what the frontend asks for one
// address: the ranked offers (first page, with walking distances) and the
// isochrone bands as GeoJSON polygons (cells evaluated, outlines traced).
func BenchmarkAnswerWithIsochrone(b *testing.B) {
	for _, region := range []string{"rennes", "rnv"} {
		b.Run(region, func(b *testing.B) {
			e := loadRegion(b, region)
			addrs := randomAddresses(e.Graph(), 64, 4)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				a := addrs[i%len(addrs)]
				p := DefaultParams(a[0], a[1])
				if region == "rnv" {
					p.ArriveBy = 8 * 3600
				}
				if _, err := e.Answer(Request{Params: p}); err != nil {
					b.Fatal(err)
				}
				if _, err := e.Isochrone(IsochroneRequest{Params: p}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
