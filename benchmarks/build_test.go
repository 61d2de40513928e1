package benchmarks

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"reach/graph"
	"reach/ingest"
	"reach/ingest/gtfs"
	"reach/internal/realdata"
)

// buildCase is one dataset of the build benchmarks.
type buildCase struct {
	name    string
	date    string
	feeds   []string // paths under ../shared/data
	osm     string
	schools string
	offers  []string
}

var buildCases = []buildCase{
	{name: "rennes", date: "2012-05-22", feeds: []string{"rennes/star-gtfs-2012-05.zip"}},
	{name: "rnv", date: "2016-11-08", feeds: []string{"rnv/rnv-gtfs-2016.zip"}},
	{name: "all", date: "2016-11-08", feeds: []string{
		"rennes/star-gtfs-2012-05.zip", "rennes/star-gtfs-2012-07.zip", "nantes/tan-gtfs-2014.zip",
		"rnv/rnv-gtfs-2016.zip", "ter/sncf-ter-gtfs-2017.zip", "bydgoszcz/bydgoszcz-gtfs-2020.zip",
		"quirks/ajaccio-subfolder-plus-coords.zip", "quirks/hart-single-digit-hours.zip",
		"quirks/extended-route-types.zip", "beatty/sample-feed",
	}},
	{name: "rennes+streets+schools", date: "2012-05-22", feeds: []string{"rennes/star-gtfs-2012-05.zip"},
		osm: "rennes/streets.osm.pbf", schools: "rennes/fr-en-annuaire-education-35.csv",
		offers: []string{"rennes/affelnet-offre-1re-pro.csv", "rennes/affelnet-offre-2nde.csv"}},
	{name: "nantes+streets", date: "2014-04-08", feeds: []string{"nantes/tan-gtfs-2014.zip"}, osm: "nantes/centre.osm.pbf"},
	{name: "rnv+streets", date: "2016-11-08", feeds: []string{"rnv/rnv-gtfs-2016.zip"}, osm: "rnv/rnv.osm.pbf"},
}

// BenchmarkBuild measures a full timetable build and graph file write per
// dataset, reporting the peak live heap and the graph file size.
func BenchmarkBuild(b *testing.B) {
	for _, c := range buildCases {
		b.Run(c.name, func(b *testing.B) {
			var src ingest.Sources
			for _, f := range c.feeds {
				fs, err := gtfs.ParseFeedArg(realdata.Path(b, filepath.FromSlash(f)), false)
				if err != nil {
					b.Fatal(err)
				}
				src.GTFS = append(src.GTFS, fs)
			}
			if c.osm != "" {
				src.OSM = []string{realdata.Path(b, filepath.FromSlash(c.osm))}
			}
			if c.schools != "" {
				src.Schools = []string{realdata.Path(b, filepath.FromSlash(c.schools))}
			}
			for _, o := range c.offers {
				src.Offers = append(src.Offers, realdata.Path(b, filepath.FromSlash(o)))
			}
			date, _ := time.Parse("2006-01-02", c.date)
			out := filepath.Join(b.TempDir(), c.name+".graph")
			var peak uint64
			var readStopTimes int
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				runtime.GC()
				p := StartPeakHeap()
				g, err := ingest.Build(src, ingest.Options{Date: date})
				if err != nil {
					b.Fatal(err)
				}
				if err := graph.Write(out, g); err != nil {
					b.Fatal(err)
				}
				if v := p.Stop(); v > peak {
					peak = v
				}
				readStopTimes = 0
				for _, f := range g.Meta.Feeds {
					readStopTimes += f.Read.StopTimes
				}
			}
			b.StopTimer()
			st, err := os.Stat(out)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
			b.ReportMetric(float64(st.Size())/1e6, "file-MB")
			b.ReportMetric(float64(readStopTimes), "stop_times-read")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(readStopTimes), "ns/stop_time")
		})
	}
}
