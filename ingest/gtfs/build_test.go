package gtfs

import (
	"strings"
	"testing"

	"reach/graph"
)

func TestBuildBaseFeed(t *testing.T) {
	g := build(t, "2024-01-09", FeedSource{Name: "x", Path: writeDir(t, baseFeed())})
	tt := &g.Timetable
	rep := g.Meta.Feeds[0]
	if rep.Read != (graph.Counts{Stops: 5, Routes: 2, Trips: 3, StopTimes: 10}) {
		t.Errorf("read %+v", rep.Read)
	}
	if rep.Kept != rep.Read || len(rep.Drops) != 0 {
		t.Errorf("kept %+v drops %+v", rep.Kept, rep.Drops)
	}
	if rep.Scheduled != (graph.Counts{Stops: 4, Routes: 2, Trips: 3, StopTimes: 10}) {
		t.Errorf("scheduled %+v", rep.Scheduled)
	}
	if tt.NumRoutes() != 2 || tt.NumTrips() != 3 || tt.NumStopTimes() != 10 {
		t.Fatalf("routes %d trips %d stop times %d", tt.NumRoutes(), tt.NumTrips(), tt.NumStopTimes())
	}
	a := stopIndex(t, tt, "x:A")
	if p := tt.StopParent[a]; p < 0 || tt.StopID[p] != "x:STN" {
		t.Errorf("parent of A = %d", p)
	}
	got := tripTimes(tt)
	if d := got["x:T2"]; len(d) != 4 || d[0] != 9*3600 || d[3] != 9*3600+30*60 {
		t.Errorf("T2 departures %v", d)
	}
	// The two L1 trips share one route, sorted by departure.
	for r := graph.RouteIdx(0); int(r) < tt.NumRoutes(); r++ {
		line := tt.RouteLine[r]
		switch tt.LineID[line] {
		case "x:L1":
			if tt.RouteNumTrips(r) != 2 || tt.TripID[tt.RouteTripStart[r]] != "x:T1" || tt.RouteSchool(r) {
				t.Errorf("route of L1 wrong")
			}
		case "x:SB":
			if !tt.RouteSchool(r) || tt.LineMode[line] != graph.ModeBus {
				t.Errorf("712 should be a school bus")
			}
		}
	}
	// Stop B is served by both routes.
	routes, _ := tt.RoutesAt(stopIndex(t, tt, "x:B"))
	if len(routes) != 2 {
		t.Errorf("routes at B: %v", routes)
	}
}

func TestZipLayoutsAndEncodings(t *testing.T) {
	files := baseFeed()
	// BOM on every file, CRLF, all fields quoted in stops.txt, files in a
	// sub-folder, a __MACOSX copy with garbage, an unknown file and column.
	quoted := "\"stop_id\",\"stop_name\",\"stop_lat\",\"stop_lon\",\"location_type\",\"parent_station\",\"extra\"\n" +
		"\"STN\",\"Station, main\",\"+48.100\",\"-1.680\",\"1\",\"\",\"x\"\n" +
		"\"A\",\"Stop \"\"A\"\"\",\"+48.100\",\"-1.680\",\"0\",\"STN\",\"y\"\n" +
		"\"B\",\"Stop B\",\"48.110\",\"-1.680\",\"\",\"\",\"\"\n" +
		"\"C\",\"Stop C\",\"48.120\",\"-1.680\",\"\",\"\",\"\"\n" +
		"\"D\",\"Stop D\",\"48.130\",\"-1.680\",\"\",\"\",\"\"\n"
	files = with(files, map[string]string{"stops.txt": quoted})
	zipped := map[string]string{}
	for k, v := range crlf(files) {
		zipped["GTFS/"+k] = "\ufeff" + v
	}
	zipped["__MACOSX/GTFS/._stops.txt"] = "\x00\x05\x16\x07garbage"
	zipped["GTFS/log_GTFS.txt"] = "whatever\n"
	p := writeZip(t, "quirky.zip", zipped)
	g := build(t, "2024-01-09", FeedSource{Path: p})
	rep := g.Meta.Feeds[0]
	if rep.Name != "quirky" {
		t.Errorf("feed name from file: %q", rep.Name)
	}
	if rep.Kept.Stops != 5 || rep.Kept.StopTimes != 10 || len(rep.Drops) != 0 {
		t.Fatalf("kept %+v drops %+v", rep.Kept, rep.Drops)
	}
	tt := &g.Timetable
	a := stopIndex(t, tt, "quirky:A")
	if tt.StopName[a] != `Stop "A"` || tt.StopLat[a] != 48.1 {
		t.Errorf("stop A: %q %v", tt.StopName[a], tt.StopLat[a])
	}
	if tt.StopName[stopIndex(t, tt, "quirky:STN")] != "Station, main" {
		t.Errorf("quoted comma lost")
	}
}

func TestColumnOrderAndSingleDigitHours(t *testing.T) {
	files := with(baseFeed(), map[string]string{
		"stop_times.txt": "stop_sequence,stop_id,departure_time,trip_id,arrival_time,unknown\n" +
			"1,A,5:00:00,T1,5:00:00,z\n2,B,5:10:00,T1,5:10:00,z\n3,C,5:20:00,T1,5:20:00,z\n4,D,5:30:00,T1,5:30:00,z\n" +
			"1,A,23:50:00,T2,23:50:00,\n2,B,24:10:00,T2,24:05:00,\n3,C,25:20:00,T2,25:20:00,\n4,D,25:30:00,T2,25:30:00,\n" +
			"1,B,7:30:00,S1,7:30:00,\n2,D,7:50:00,S1,7:50:00,\n",
	})
	g := build(t, "2024-01-09", FeedSource{Name: "x", Path: writeDir(t, files)})
	got := tripTimes(&g.Timetable)
	if d := got["x:T1"]; d[0] != 5*3600 || d[3] != 5*3600+30*60 {
		t.Errorf("T1 %v", d)
	}
	if d := got["x:T2"]; d[1] != 24*3600+10*60 || d[3] != 25*3600+30*60 {
		t.Errorf("T2 %v", d)
	}
}

func TestPreviousDayTripsPastMidnight(t *testing.T) {
	files := with(baseFeed(), map[string]string{
		"stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" +
			"T1,08:00:00,08:00:00,A,1\nT1,08:10:00,08:10:00,B,2\nT1,08:20:00,08:20:00,C,3\nT1,08:30:00,08:30:00,D,4\n" +
			"T2,23:50:00,23:50:00,A,1\nT2,24:10:00,24:10:00,B,2\nT2,24:20:00,24:20:00,C,3\nT2,24:30:00,24:30:00,D,4\n" +
			"S1,07:30:00,07:30:00,B,1\nS1,07:50:00,07:50:00,D,2\n",
	})
	// Tuesday: T2 of Monday runs past midnight into Tuesday, with times
	// shifted by a day; T2 of Tuesday is there too.
	g := build(t, "2024-01-09", FeedSource{Name: "x", Path: writeDir(t, files)})
	tt := &g.Timetable
	var shifted, plain int
	for i, id := range tt.TripID {
		if id != "x:T2" {
			continue
		}
		if tt.TripDayShift[i] == -1 {
			shifted++
		} else {
			plain++
		}
	}
	if shifted != 1 || plain != 1 {
		t.Fatalf("T2 copies: %d previous-day, %d same-day", shifted, plain)
	}
	found := false
	for r := graph.RouteIdx(0); int(r) < tt.NumRoutes(); r++ {
		for k := int32(0); k < tt.RouteNumTrips(r); k++ {
			gi := tt.RouteTripStart[r] + k
			if tt.TripID[gi] == "x:T2" && tt.TripDayShift[gi] == -1 {
				i := tt.StopTimeIndex(r, k, 0)
				if tt.Departures[i] != -10*60 || tt.Arrivals[i+3] != 30*60 {
					t.Errorf("shifted T2: dep %d arr %d", tt.Departures[i], tt.Arrivals[i+3])
				}
				found = true
			}
		}
	}
	if !found {
		t.Fatal("shifted T2 not found")
	}
	// On Monday the 1st, Sunday's trips do not run: one T2 only, T1 too.
	g = build(t, "2024-01-01", FeedSource{Name: "x", Path: writeDir(t, files)})
	if g.Meta.Feeds[0].Scheduled.Trips != 3 {
		t.Errorf("Monday: %d trips scheduled, want 3", g.Meta.Feeds[0].Scheduled.Trips)
	}
}

func TestInterpolationAndPickupDropoff(t *testing.T) {
	files := with(baseFeed(), map[string]string{
		"stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type\n" +
			"T1,08:00:00,08:00:00,A,1,0,1\nT1,,,B,2,,\nT1,,,C,3,,\nT1,08:30:00,08:30:00,D,4,1,0\n" +
			"T2,09:00:00,09:00:00,A,1,0,1\nT2,09:10:00,09:10:00,B,2,,\nT2,09:20:00,09:20:00,C,3,,\nT2,09:30:00,09:30:00,D,4,1,0\n" +
			"S1,07:30:00,07:30:00,B,1,,\nS1,07:50:00,07:50:00,D,2,,\n",
	})
	g := build(t, "2024-01-09", FeedSource{Name: "x", Path: writeDir(t, files)})
	tt := &g.Timetable
	d := tripTimes(tt)["x:T1"]
	// Stops are evenly spaced, so B and C get 08:10 and 08:20.
	if d[1] != 8*3600+10*60 || d[2] != 8*3600+20*60 {
		t.Errorf("interpolated %v", d)
	}
	for r := graph.RouteIdx(0); int(r) < tt.NumRoutes(); r++ {
		if tt.LineID[tt.RouteLine[r]] != "x:L1" {
			continue
		}
		fl := tt.RouteFlagsOf(r)
		if fl[0] != graph.NoDropoff || fl[3] != graph.NoPickup || fl[1] != 0 {
			t.Errorf("flags %v", fl)
		}
	}
}

func TestOvertakingTripsSplitRoutes(t *testing.T) {
	files := with(baseFeed(), map[string]string{
		"trips.txt": "route_id,service_id,trip_id\nL1,WK,T1\nL1,WK,T2\nL1,WK,EXP\nSB,WK,S1\n",
		"stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" +
			"T1,08:00:00,08:00:00,A,1\nT1,08:10:00,08:10:00,B,2\nT1,08:20:00,08:20:00,C,3\nT1,08:50:00,08:50:00,D,4\n" +
			"EXP,08:05:00,08:05:00,A,1\nEXP,08:08:00,08:08:00,B,2\nEXP,08:12:00,08:12:00,C,3\nEXP,08:15:00,08:15:00,D,4\n" +
			"T2,09:00:00,09:00:00,A,1\nT2,09:10:00,09:10:00,B,2\nT2,09:20:00,09:20:00,C,3\nT2,09:30:00,09:30:00,D,4\n" +
			"S1,07:30:00,07:30:00,B,1\nS1,07:50:00,07:50:00,D,2\n",
	})
	g := build(t, "2024-01-09", FeedSource{Name: "x", Path: writeDir(t, files)})
	tt := &g.Timetable
	l1 := 0
	for r := graph.RouteIdx(0); int(r) < tt.NumRoutes(); r++ {
		if tt.LineID[tt.RouteLine[r]] == "x:L1" {
			l1++
		}
	}
	if l1 != 2 {
		t.Errorf("EXP overtakes T1: want L1 split into 2 routes, got %d", l1)
	}
}

func TestFrequenciesExpand(t *testing.T) {
	files := with(baseFeed(), map[string]string{
		"frequencies.txt": "trip_id,start_time,end_time,headway_secs\nT1,06:00:00,07:00:00,1200\n",
	})
	g := build(t, "2024-01-09", FeedSource{Name: "x", Path: writeDir(t, files)})
	got := tripTimes(&g.Timetable)
	for i, want := range []int32{6 * 3600, 6*3600 + 1200, 6*3600 + 2400} {
		id := "x:T1#" + string(rune('0'+i))
		d, ok := got[id]
		if !ok || d[0] != want || d[3]-d[0] != 30*60 {
			t.Errorf("%s: %v", id, d)
		}
	}
	if _, ok := got["x:T1"]; ok {
		t.Error("the frequency template trip itself must not run")
	}
}

func TestTransfers(t *testing.T) {
	files := with(baseFeed(), map[string]string{
		"transfers.txt": "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n" +
			"B,C,2,120\nB,C,2,90\nC,B,0,\nB,B,2,60\nSTN,D,2,300\nB,D,3,\nB,NOPE,2,10\n",
	})
	g := build(t, "2024-01-09", FeedSource{Name: "x", Path: writeDir(t, files)})
	tt := &g.Timetable
	b, c, d, a := stopIndex(t, tt, "x:B"), stopIndex(t, tt, "x:C"), stopIndex(t, tt, "x:D"), stopIndex(t, tt, "x:A")
	to, secs := tt.TransfersFrom(b)
	if len(to) != 1 || to[0] != c || secs[0] != 90 {
		t.Errorf("B transfers %v %v (forbidden B→D must not be stored, min time kept)", to, secs)
	}
	if to, secs := tt.TransfersFrom(c); len(to) != 1 || to[0] != b || secs[0] != 0 {
		t.Errorf("C transfers %v %v", to, secs)
	}
	if tt.StopMinTransfer[b] != 60 {
		t.Errorf("min transfer at B = %d", tt.StopMinTransfer[b])
	}
	// The station STN expands to its platform A.
	if to, secs := tt.TransfersFrom(a); len(to) != 1 || to[0] != d || secs[0] != 300 {
		t.Errorf("A transfers %v %v", to, secs)
	}
	if dr := findDrop(g.Meta.Feeds[0], "unknown_stop"); dr == nil || dr.File != "transfers.txt" || dr.Count != 1 {
		t.Errorf("unknown stop in transfers not reported: %+v", g.Meta.Feeds[0].Drops)
	}
}

func TestBadRowsDroppedAndReported(t *testing.T) {
	files := with(baseFeed(), map[string]string{
		"stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n" +
			"A,a,48.100,-1.680\nB,b,48.110,-1.680\nC,c,48.120,-1.680\nD,d,48.130,-1.680\n" +
			"BAD1,bad,95.0,-1.68\nBAD2,bad,abc,-1.68\nBAD3,bad,0,0\n",
		"trips.txt": "route_id,service_id,trip_id\nL1,WK,T1\nL1,WK,T2\nL1,WK,T3\nL1,WK,NOTIMES\nXX,WK,T4\nL1,NOSVC,T5\nSB,WK,S1\n",
		"stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" +
			"T1,08:00:00,08:00:00,A,1\nT1,08:10:00,08:10:00,GHOST,2\nT1,08:20:00,08:20:00,C,3\nT1,08:30:00,08:30:00,D,4\n" +
			"T2,09:00:00,09:00:00,A,1\nT2,09:10:00,09:10:00,B,2\nT2,08:20:00,08:20:00,C,3\nT2,09:30:00,09:30:00,D,4\n" +
			"T3,10:00:00,10:00:00,A,1\nT3,1O:10:00,10:10:00,B,2\nT3,10:20:00,10:20:00,C,3\n" +
			"UNKNOWN,10:00:00,10:00:00,A,1\n" +
			"S1,07:30:00,07:30:00,B,1\nS1,07:50:00,07:50:00,D,2\n",
	})
	g := build(t, "2024-01-09", FeedSource{Name: "x", Path: writeDir(t, files)})
	rep := g.Meta.Feeds[0]
	want := map[string]int{
		"bad_coordinates":     3,
		"unknown_stop":        1, // T1 keeps its other three stops
		"non_monotonic_times": 1, // T2
		"bad_time":            1, // T3's second row; T3 keeps A and C
		"unknown_trip":        1,
		"no_stop_times":       1,
		"unknown_route":       1,
		"unknown_service":     1,
	}
	for reason, n := range want {
		d := findDrop(rep, reason)
		if d == nil || d.Count != n {
			t.Errorf("%s: %+v, want %d", reason, d, n)
			continue
		}
		if len(d.Examples) == 0 || !strings.Contains(d.Examples[0], ".txt") {
			t.Errorf("%s: examples %v should name the file and line", reason, d.Examples)
		}
	}
	if d := findDrop(rep, "non_monotonic_times"); d != nil && !strings.Contains(d.Examples[0], `"T2"`) {
		t.Errorf("example should name the trip: %v", d.Examples)
	}
	if rep.Read.Stops != 7 || rep.Kept.Stops != 4 || rep.Read.Trips != 7 || rep.Kept.Trips != 3 {
		t.Errorf("read %+v kept %+v", rep.Read, rep.Kept)
	}
	got := tripTimes(&g.Timetable)
	if len(got["x:T1"]) != 3 || len(got["x:T3"]) != 2 || got["x:T2"] != nil {
		t.Errorf("trips kept: %v", got)
	}
}

func TestCalendarVariants(t *testing.T) {
	// calendar_dates.txt only.
	onlyDates := with(baseFeed(), map[string]string{
		"calendar.txt":       "",
		"calendar_dates.txt": "service_id,date,exception_type\nWK,20240109,1\nWK,20240110,1\n",
	})
	g := build(t, "2024-01-10", FeedSource{Name: "x", Path: writeDir(t, onlyDates)})
	if r := g.Meta.Feeds[0]; r.Scheduled.Trips != 3 || r.ValidFrom != "2024-01-09" || r.ValidTo != "2024-01-10" || r.Substituted {
		t.Errorf("calendar_dates only: %+v", r)
	}
	// calendar.txt with a removed date: no service that day, no
	// substitution, hence no timetable.
	removed := with(baseFeed(), map[string]string{
		"calendar_dates.txt": "service_id,date,exception_type\nWK,20240109,2\n",
	})
	_, err := Build([]FeedSource{{Name: "x", Path: writeDir(t, removed)}}, BuildOptions{Date: day(t, "2024-01-09")})
	if err == nil || !strings.Contains(err.Error(), "3 kept, 0 scheduled on 2024-01-09") {
		t.Errorf("removed date: %v", err)
	}
	// Neither file: a clear error.
	none := with(baseFeed(), map[string]string{"calendar.txt": ""})
	_, err = Build([]FeedSource{{Name: "x", Path: writeDir(t, none)}}, BuildOptions{Date: day(t, "2024-01-09")})
	if err == nil || !strings.Contains(err.Error(), "calendar") {
		t.Errorf("no calendar: %v", err)
	}
}

func TestDateSubstitution(t *testing.T) {
	p := writeDir(t, baseFeed())
	// 2024-03-05 is a Tuesday after the feed's January validity.
	g := build(t, "2024-03-05", FeedSource{Name: "x", Path: p})
	r := g.Meta.Feeds[0]
	if !r.Substituted || r.ServiceDate[:8] != "2024-01-" || r.Scheduled.Trips != 3 || !strings.Contains(r.Note, "2024-03-05") {
		t.Errorf("substitution: %+v", r)
	}
	if d := day(t, r.ServiceDate); d.Weekday() != day(t, "2024-03-05").Weekday() {
		t.Errorf("service date %s is not a Tuesday", r.ServiceDate)
	}
	_, err := Build([]FeedSource{{Name: "x", Path: p}}, BuildOptions{Date: day(t, "2024-03-05"), StrictDates: true})
	if err == nil || !strings.Contains(err.Error(), "2024-01-01 to 2024-01-31") {
		t.Errorf("strict dates: %v", err)
	}
	// A weekday the feed never runs: Sunday, inside no validity. The
	// substitute Sunday has no trip either.
	_, err = Build([]FeedSource{{Name: "x", Path: p}}, BuildOptions{Date: day(t, "2024-03-03")})
	if err == nil || !strings.Contains(err.Error(), "no trip runs on 2024-03-03") || !strings.Contains(err.Error(), "0 scheduled on 2024-01-28") {
		t.Errorf("Sunday: %v", err)
	}
}

func TestSeveralFeedsNamespaced(t *testing.T) {
	p := writeDir(t, baseFeed())
	school := writeDir(t, with(baseFeed(), map[string]string{
		"routes.txt": "route_id,route_short_name,route_long_name,route_type\nL1,1,Line one,3\nSB,S,School bus,3\n",
	}))
	g := build(t, "2024-01-09", FeedSource{Name: "bus", Path: p}, FeedSource{Name: "scol", Path: school, School: true})
	tt := &g.Timetable
	if tt.NumStops() != 10 || len(g.Meta.Feeds) != 2 {
		t.Fatalf("stops %d feeds %d", tt.NumStops(), len(g.Meta.Feeds))
	}
	if tt.StopID[0] != "bus:STN" || tt.StopID[5] != "scol:STN" || tt.StopFeed[5] != 1 {
		t.Errorf("ids %v", tt.StopID)
	}
	for l := range tt.LineID {
		if want := strings.HasPrefix(tt.LineID[l], "scol:") || tt.LineID[l] == "bus:SB"; tt.LineSchool[l] != want {
			t.Errorf("line %s school=%v", tt.LineID[l], tt.LineSchool[l])
		}
	}
	_, err := Build([]FeedSource{{Name: "a", Path: p}, {Name: "a", Path: school}}, BuildOptions{Date: day(t, "2024-01-09")})
	if err == nil || !strings.Contains(err.Error(), `"a"`) {
		t.Errorf("duplicate names: %v", err)
	}
}

func TestExtendedRouteTypes(t *testing.T) {
	for _, c := range []struct {
		rt     int
		mode   graph.Mode
		school bool
		ok     bool
	}{
		{3, graph.ModeBus, false, true}, {11, graph.ModeTrolleybus, false, true},
		{100, graph.ModeRail, false, true}, {109, graph.ModeRail, false, true},
		{201, graph.ModeBus, false, true}, {400, graph.ModeSubway, false, true},
		{405, graph.ModeMonorail, false, true}, {700, graph.ModeBus, false, true},
		{712, graph.ModeBus, true, true}, {713, graph.ModeBus, false, true},
		{800, graph.ModeTrolleybus, false, true}, {900, graph.ModeTram, false, true},
		{1000, graph.ModeFerry, false, true}, {1300, graph.ModeAerial, false, true},
		{1400, graph.ModeFunicular, false, true}, {1700, graph.ModeBus, false, true},
		{8, 0, false, false}, {99, 0, false, false}, {1100, 0, false, false}, {1800, 0, false, false},
	} {
		m, s, ok := routeMode(c.rt)
		if ok != c.ok || (ok && (m != c.mode || s != c.school)) {
			t.Errorf("route_type %d: %v %v %v", c.rt, m, s, ok)
		}
	}
}

func TestParseFeedArg(t *testing.T) {
	fs, err := ParseFeedArg("star=/data/x.zip", false)
	if err != nil || fs.Name != "star" || fs.Path != "/data/x.zip" {
		t.Errorf("%+v %v", fs, err)
	}
	fs, err = ParseFeedArg("/data/tan gtfs-2014.zip", true)
	if err != nil || fs.Name != "tan_gtfs-2014" || !fs.School {
		t.Errorf("%+v %v", fs, err)
	}
	fs, _ = ParseFeedArg("../shared/data/beatty/sample-feed/", false)
	if fs.Name != "sample-feed" {
		t.Errorf("dir name %q", fs.Name)
	}
	if _, err := ParseFeedArg("a:b=x.zip", false); err == nil {
		t.Error("a name with ':' must be refused")
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := OpenSource("/nonexistent/feed.zip"); err == nil {
		t.Error("missing file accepted")
	}
	notZip := writeDir(t, map[string]string{"x.zip": "not a zip"})
	if _, err := OpenSource(notZip + "/x.zip"); err == nil || !strings.Contains(err.Error(), "zip") {
		t.Errorf("not a zip: %v", err)
	}
	empty := writeDir(t, map[string]string{"readme.md": "hi"})
	if _, err := OpenSource(empty); err == nil || !strings.Contains(err.Error(), "no GTFS files") {
		t.Errorf("empty dir: %v", err)
	}
	noID := with(baseFeed(), map[string]string{"stops.txt": "name,lat\nx,1\n"})
	_, err := Build([]FeedSource{{Name: "x", Path: writeDir(t, noID)}}, BuildOptions{Date: day(t, "2024-01-09")})
	if err == nil || !strings.Contains(err.Error(), `stops.txt has no "stop_id" column`) {
		t.Errorf("missing column: %v", err)
	}
}

func TestReadValidity(t *testing.T) {
	v, err := ReadValidity(writeDir(t, with(baseFeed(), map[string]string{
		"calendar_dates.txt": "service_id,date,exception_type\nWK,20240215,1\nWK,20231201,2\n",
	})))
	if err != nil || v.From.Format("20060102") != "20240101" || v.To.Format("20060102") != "20240215" {
		t.Errorf("%v %v", v, err)
	}
}

// TestFarDateWarning: a date more than a year from every feed's validity
// builds, with a warning naming the feeds and their validity; a date
// within a year of one feed does not warn.
func TestFarDateWarning(t *testing.T) {
	jan2024 := writeDir(t, baseFeed())
	jan2026 := writeDir(t, with(baseFeed(), map[string]string{
		"calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n" +
			"WK,1,1,1,1,1,0,0,20260101,20260131\n",
	}))
	for _, c := range []struct {
		date  string
		feeds []FeedSource
		warn  string // "" for none
	}{
		{"2024-01-09", []FeedSource{{Name: "a", Path: jan2024}}, ""},
		{"2025-01-30", []FeedSource{{Name: "a", Path: jan2024}}, ""}, // a year less a day after its end
		{"2023-01-03", []FeedSource{{Name: "a", Path: jan2024}}, ""}, // within a year before its start
		{"2025-02-04", []FeedSource{{Name: "a", Path: jan2024}},
			"2025-02-04 is more than a year from the validity of every feed (a 2024-01-01 to 2024-01-31): the graph holds their timetables of other years"},
		{"2022-12-27", []FeedSource{{Name: "a", Path: jan2024}}, "2022-12-27 is more than a year from"},
		{"2030-01-01", []FeedSource{{Name: "a", Path: jan2024}, {Name: "b", Path: jan2026}},
			"(a 2024-01-01 to 2024-01-31, b 2026-01-01 to 2026-01-31)"},
		{"2025-02-04", []FeedSource{{Name: "a", Path: jan2024}, {Name: "b", Path: jan2026}}, ""},
	} {
		g := build(t, c.date, c.feeds...)
		w := g.Meta.Warnings
		switch {
		case c.warn == "" && len(w) != 0:
			t.Errorf("%s: unexpected warnings %q", c.date, w)
		case c.warn != "" && (len(w) != 1 || !strings.Contains(w[0], c.warn)):
			t.Errorf("%s: warnings %q, want one with %q", c.date, w, c.warn)
		}
	}
	_, err := Build([]FeedSource{{Name: "a", Path: jan2024}}, BuildOptions{Date: day(t, "2030-01-01"), StrictDates: true})
	if err == nil || !strings.Contains(err.Error(), "--strict-dates") {
		t.Errorf("strict dates: %v", err)
	}
}
