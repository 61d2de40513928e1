package gtfs

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"reach/graph"
)

// writeDir writes a feed as a directory of files.
func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// writeZip writes a feed as a zip archive; names may contain folders.
func writeZip(t *testing.T, name string, files map[string]string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	fh, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(fh)
	for n, body := range files {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func build(t *testing.T, date string, feeds ...FeedSource) *graph.Graph {
	t.Helper()
	g, err := Build(feeds, BuildOptions{Date: day(t, date)})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if err := g.Timetable.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return g
}

// baseFeed is a small, clean feed: a line A-B-C-D, weekday service for
// January 2024, with a school line S (route_type 712).
func baseFeed() map[string]string {
	return map[string]string{
		"agency.txt": "agency_id,agency_name,agency_url,agency_timezone\n1,Test,http://x,Europe/Paris\n",
		"stops.txt": "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n" +
			"STN,Station,48.100,-1.680,1,\n" +
			"A,Stop A,48.100,-1.680,0,STN\n" +
			"B,Stop B,48.110,-1.680,0,\n" +
			"C,Stop C,48.120,-1.680,0,\n" +
			"D,Stop D,48.130,-1.680,0,\n",
		"routes.txt": "route_id,route_short_name,route_long_name,route_type\n" +
			"L1,1,Line one,3\n" +
			"SB,S,School bus,712\n",
		"calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n" +
			"WK,1,1,1,1,1,0,0,20240101,20240131\n",
		"trips.txt": "route_id,service_id,trip_id,trip_headsign\n" +
			"L1,WK,T1,to D\n" +
			"L1,WK,T2,to D\n" +
			"SB,WK,S1,school\n",
		"stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" +
			"T1,08:00:00,08:00:00,A,1\n" +
			"T1,08:10:00,08:10:00,B,2\n" +
			"T1,08:20:00,08:20:00,C,3\n" +
			"T1,08:30:00,08:30:00,D,4\n" +
			"T2,09:00:00,09:00:00,A,1\n" +
			"T2,09:10:00,09:10:00,B,2\n" +
			"T2,09:20:00,09:20:00,C,3\n" +
			"T2,09:30:00,09:30:00,D,4\n" +
			"S1,07:30:00,07:30:00,B,1\n" +
			"S1,07:50:00,07:50:00,D,2\n",
	}
}

// with returns a copy of files with some replaced (an empty body deletes).
func with(files map[string]string, repl map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range files {
		out[k] = v
	}
	for k, v := range repl {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

func stopIndex(t *testing.T, tt *graph.Timetable, id string) graph.StopIdx {
	t.Helper()
	for i, s := range tt.StopID {
		if s == id {
			return graph.StopIdx(i)
		}
	}
	t.Fatalf("no stop %q", id)
	return -1
}

// tripTimes returns, by trip id, the departures of each scheduled trip.
func tripTimes(tt *graph.Timetable) map[string][]int32 {
	out := map[string][]int32{}
	for r := graph.RouteIdx(0); int(r) < tt.NumRoutes(); r++ {
		n := int32(len(tt.RouteStopsOf(r)))
		for k := int32(0); k < tt.RouteNumTrips(r); k++ {
			id := tt.TripID[tt.RouteTripStart[r]+k]
			i := tt.StopTimeIndex(r, k, 0)
			out[id] = append([]int32(nil), tt.Departures[i:i+n]...)
		}
	}
	return out
}

func findDrop(rep graph.FeedReport, reason string) *graph.Drop {
	for i := range rep.Drops {
		if rep.Drops[i].Reason == reason {
			return &rep.Drops[i]
		}
	}
	return nil
}

func crlf(files map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range files {
		out[k] = strings.ReplaceAll(v, "\n", "\r\n")
	}
	return out
}
