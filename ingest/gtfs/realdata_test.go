package gtfs

import (
	"archive/zip"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"reach/graph"
	"reach/internal/realdata"
)

// realFeed is one feed of ../shared/data with the counts its README gives
// (read) and the drops we expect from the files' known defects.
type realFeed struct {
	rel   string
	date  string
	read  graph.Counts
	kept  graph.Counts
	drops map[string]int
}

var realFeeds = []realFeed{
	{rel: "rennes/star-gtfs-2012-05.zip", date: "2012-05-22",
		read: graph.Counts{Stops: 1365, Routes: 68, Trips: 6809, StopTimes: 182666}},
	{rel: "rennes/star-gtfs-2012-07.zip", date: "2012-07-10",
		read: graph.Counts{Stops: 1267, Routes: 39, Trips: 6860, StopTimes: 196106}},
	// A truncated extract: only 8,287 of the 41,128 trips have stop_times;
	// 197 of those have a single stop time and cannot be ridden.
	{rel: "nantes/tan-gtfs-2014.zip", date: "2014-04-08",
		read:  graph.Counts{Stops: 3415, Routes: 65, Trips: 41128, StopTimes: 154837},
		kept:  graph.Counts{Stops: 3415, Routes: 65, Trips: 8287 - 197, StopTimes: 154837 - 197},
		drops: map[string]int{"no_stop_times": 41128 - 8287, "too_few_stops": 197}},
	{rel: "rnv/rnv-gtfs-2016.zip", date: "2016-11-08",
		read: graph.Counts{Stops: 2057, Routes: 100, Trips: 20636, StopTimes: 424266}},
	// Three route names are quoted badly (`""Cars ""L 11""...""`): a
	// strict CSV reader loses rows there, and 36 trips with them.
	{rel: "ter/sncf-ter-gtfs-2017.zip", date: "2017-11-07",
		read: graph.Counts{Stops: 9292, Routes: 1876, Trips: 28918, StopTimes: 256582}},
	{rel: "bydgoszcz/bydgoszcz-gtfs-2020.zip", date: "2020-05-05",
		read: graph.Counts{Stops: 1060, Routes: 57, Trips: 25534, StopTimes: 583164}},
	{rel: "quirks/ajaccio-subfolder-plus-coords.zip", date: "2019-02-05",
		read: graph.Counts{Stops: 391, Routes: 14, Trips: 2894, StopTimes: 51952}},
	{rel: "quirks/hart-single-digit-hours.zip", date: "2018-03-06",
		read: graph.Counts{Stops: 2349, Routes: 45, Trips: 14718, StopTimes: 435507}},
	{rel: "quirks/extended-route-types.zip", date: "2009-03-03",
		read: graph.Counts{Stops: 2, Routes: 1, Trips: 1, StopTimes: 2}},
	// The sample feed has one boarding area (location_type 4), not a stop.
	{rel: "beatty/sample-feed", date: "2007-06-05",
		read:  graph.Counts{Stops: 11, Routes: 10, Trips: 19, StopTimes: 45},
		kept:  graph.Counts{Stops: 10, Routes: 10, Trips: 19, StopTimes: 45},
		drops: map[string]int{"not_a_stop": 1}},
}

func TestRealFeedsAlone(t *testing.T) {
	for _, rf := range realFeeds {
		t.Run(rf.rel, func(t *testing.T) {
			p := realdata.Path(t, filepath.FromSlash(rf.rel))
			g := build(t, rf.date, FeedSource{Path: p})
			rep := g.Meta.Feeds[0]
			if rep.Read != rf.read {
				t.Errorf("read %+v, want %+v", rep.Read, rf.read)
			}
			kept := rf.kept
			if kept == (graph.Counts{}) {
				kept = rf.read
			}
			if rep.Kept != kept {
				t.Errorf("kept %+v, want %+v", rep.Kept, kept)
			}
			if len(rep.Drops) != len(rf.drops) {
				t.Errorf("drops %+v, want %v", rep.Drops, rf.drops)
			}
			for reason, n := range rf.drops {
				if d := findDrop(rep, reason); d == nil || d.Count != n {
					t.Errorf("drop %s: %+v, want %d", reason, d, n)
				}
			}
			if rep.Substituted || rep.ServiceDate != rf.date {
				t.Errorf("service date %s substituted=%v", rep.ServiceDate, rep.Substituted)
			}
			want := independentScheduledTrips(t, p, day(t, rf.date))
			if want < 0 {
				return
			}
			if rep.Scheduled.Trips != want {
				t.Errorf("scheduled trips %d, independent count %d", rep.Scheduled.Trips, want)
			}
			if g.Timetable.NumTrips() != want {
				t.Errorf("timetable has %d trips, want %d", g.Timetable.NumTrips(), want)
			}
		})
	}
}

func TestRealFeedsTogether(t *testing.T) {
	var feeds []FeedSource
	for _, rf := range realFeeds {
		feeds = append(feeds, FeedSource{Path: realdata.Path(t, filepath.FromSlash(rf.rel))})
	}
	// Two Rennes feeds have different file names, hence namespaces. The date
	// lies inside RNV's validity only: every other feed substitutes.
	g := build(t, "2016-11-08", feeds...)
	tt := &g.Timetable
	stops, trips := 0, 0
	for i, rep := range g.Meta.Feeds {
		rf := realFeeds[i]
		if rep.Read != rf.read {
			t.Errorf("%s: read %+v", rf.rel, rep.Read)
		}
		if rf.rel == "rnv/rnv-gtfs-2016.zip" {
			if rep.Substituted {
				t.Errorf("RNV substituted")
			}
		} else if !rep.Substituted || day(t, rep.ServiceDate).Weekday() != time.Tuesday || rep.Note == "" {
			t.Errorf("%s: %+v", rf.rel, rep)
		}
		// The same feed alone on the substituted date schedules the same
		// trips, less those an earlier feed runs already: STAR's summer
		// timetable repeats 116 trips of its May one (same stops, same
		// times), kept once.
		alone := build(t, rep.ServiceDate, FeedSource{Path: rep.Path}).Meta.Feeds[0]
		dups := 0
		if d := findDrop(rep, "duplicate_trip"); d != nil {
			dups = d.Count
		}
		wantDups := map[string]int{"rennes/star-gtfs-2012-07.zip": 116}[rf.rel]
		if dups != wantDups || alone.Scheduled.Trips != rep.Scheduled.Trips+dups || (dups == 0 && alone.Scheduled != rep.Scheduled) {
			t.Errorf("%s: together %+v, alone %+v, %d duplicate trips", rf.rel, rep.Scheduled, alone.Scheduled, dups)
		}
		stops += rep.Kept.Stops
		trips += rep.Scheduled.Trips
	}
	if tt.NumStops() != stops || tt.NumTrips() != trips {
		t.Errorf("timetable %d stops %d trips, feeds sum %d %d", tt.NumStops(), tt.NumTrips(), stops, trips)
	}
	seen := map[string]bool{}
	for _, id := range tt.StopID {
		if seen[id] {
			t.Fatalf("duplicate stop id %s", id)
		}
		seen[id] = true
	}
	_, err := Build(feeds, BuildOptions{Date: day(t, "2016-11-08"), StrictDates: true})
	if err == nil || !strings.Contains(err.Error(), "strict") {
		t.Errorf("strict dates: %v", err)
	}
}

// independentScheduledTrips counts, with encoding/csv and no code of this
// package, the trips running on date plus those of the day before that
// reach past midnight, for feeds without frequencies.txt.
func independentScheduledTrips(t *testing.T, path string, date time.Time) int {
	t.Helper()
	files := map[string][][]string{}
	load := func(name string, r io.Reader) {
		cr := csv.NewReader(r)
		cr.LazyQuotes = true
		cr.FieldsPerRecord = -1
		recs, err := cr.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(recs) > 0 {
			recs[0][0] = strings.TrimPrefix(recs[0][0], "\ufeff")
		}
		files[name] = recs
	}
	want := []string{"calendar.txt", "calendar_dates.txt", "trips.txt", "stop_times.txt", "frequencies.txt"}
	if st, _ := os.Stat(path); st.IsDir() {
		for _, n := range want {
			if fh, err := os.Open(filepath.Join(path, n)); err == nil {
				load(n, fh)
				fh.Close()
			}
		}
	} else {
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			if strings.HasPrefix(f.Name, "__MACOSX") {
				continue
			}
			for _, n := range want {
				if filepath.Base(f.Name) == n {
					rc, _ := f.Open()
					load(n, rc)
					rc.Close()
				}
			}
		}
	}
	col := func(file, name string) int {
		for i, h := range files[file][0] {
			if strings.TrimSpace(h) == name {
				return i
			}
		}
		return -1
	}
	active := map[string]map[string]bool{} // yyyymmdd → service → active
	for _, d := range []time.Time{date, date.AddDate(0, 0, -1)} {
		key := d.Format("20060102")
		active[key] = map[string]bool{}
		if recs := files["calendar.txt"]; recs != nil {
			wd := col("calendar.txt", strings.ToLower(d.Weekday().String()))
			s, a, b := col("calendar.txt", "service_id"), col("calendar.txt", "start_date"), col("calendar.txt", "end_date")
			for _, r := range recs[1:] {
				if r[a] <= key && key <= r[b] && r[wd] == "1" {
					active[key][r[s]] = true
				}
			}
		}
		if recs := files["calendar_dates.txt"]; recs != nil {
			s, dt, e := col("calendar_dates.txt", "service_id"), col("calendar_dates.txt", "date"), col("calendar_dates.txt", "exception_type")
			for _, r := range recs[1:] {
				if r[dt] == key {
					active[key][r[s]] = r[e] == "1"
				}
			}
		}
	}
	// Last arrival and stop count per trip.
	lastArr := map[string]int{}
	count := map[string]int{}
	tc, ac := col("stop_times.txt", "trip_id"), col("stop_times.txt", "arrival_time")
	for _, r := range files["stop_times.txt"][1:] {
		count[r[tc]]++
		if v := strings.TrimSpace(r[ac]); v != "" {
			var h, m, s int
			parts := strings.Split(v, ":")
			h, m, s = atoi(parts[0]), atoi(parts[1]), atoi(parts[2])
			if x := h*3600 + m*60 + s; x > lastArr[r[tc]] {
				lastArr[r[tc]] = x
			}
		}
	}
	n := 0
	ti, si := col("trips.txt", "trip_id"), col("trips.txt", "service_id")
	for _, r := range files["trips.txt"][1:] {
		if count[r[ti]] < 2 {
			continue
		}
		if active[date.Format("20060102")][r[si]] {
			n++
		}
		if active[date.AddDate(0, 0, -1).Format("20060102")][r[si]] && lastArr[r[ti]] >= 86400 {
			n++
		}
	}
	if files["frequencies.txt"] != nil {
		return -1 // frequency-based trips are checked by TestFrequenciesExpand
	}
	return n
}

func atoi(s string) int {
	n := 0
	for _, c := range strings.TrimSpace(s) {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestCompactingRealFeeds checks that compacting the rows while reading
// (normally from a million rows on) leaves real feeds' timetables as they are.
func TestCompactingRealFeeds(t *testing.T) {
	for _, rf := range []string{"ter/sncf-ter-gtfs-2017.zip", "bydgoszcz/bydgoszcz-gtfs-2020.zip", "nantes/tan-gtfs-2014.zip"} {
		p := realdata.Path(t, filepath.FromSlash(rf))
		var date string
		for _, x := range realFeeds {
			if x.rel == rf {
				date = x.date
			}
		}
		var reps []graph.FeedReport
		var times []map[string][]int32
		for _, at := range []int{0, 20000} {
			g, err := Build([]FeedSource{{Path: p}}, BuildOptions{Date: day(t, date), rowsCompactAt: at})
			if err != nil {
				t.Fatal(err)
			}
			reps = append(reps, g.Meta.Feeds[0])
			times = append(times, tripTimes(&g.Timetable))
		}
		a, b := reps[0], reps[1]
		if a.Read != b.Read || a.Kept != b.Kept || a.Scheduled != b.Scheduled || !reflect.DeepEqual(a.Drops, b.Drops) ||
			!reflect.DeepEqual(times[0], times[1]) {
			t.Errorf("%s: compacting changed the result: %+v %+v %+v / %+v %+v %+v", rf, a.Kept, a.Scheduled, a.Drops, b.Kept, b.Scheduled, b.Drops)
		}
	}
}
