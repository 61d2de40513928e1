package ingest

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"reach/graph"
	"reach/ingest/gtfs"
	"reach/street"
)

// writeFiles writes files (relative path → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestStationSplitBetweenFeeds builds a station served by two feeds, a
// train feed and a city network, whose stops lie on two roads joined only
// 2 km away (a river between them, say): the streets give no footpath
// between them within the transfer limit, the station rule does.
func TestStationSplitBetweenFeeds(t *testing.T) {
	dir := t.TempDir()
	// A U-shaped road: south branch along 47.0000, north branch along
	// 47.0018 (200 m apart), joined at the east end, lon 2.030.
	var osm strings.Builder
	osm.WriteString("<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>\n")
	id := 1
	var south, north []int
	for k := 0; k <= 30; k++ {
		fmt.Fprintf(&osm, "<node id='%d' lat='47.0000' lon='%.3f'/>\n", id, 2+float64(k)/1000)
		south = append(south, id)
		id++
	}
	for k := 30; k >= 0; k-- {
		fmt.Fprintf(&osm, "<node id='%d' lat='47.0018' lon='%.3f'/>\n", id, 2+float64(k)/1000)
		north = append(north, id)
		id++
	}
	way := func(wid int, nodes []int) {
		fmt.Fprintf(&osm, "<way id='%d'>", wid)
		for _, n := range nodes {
			fmt.Fprintf(&osm, "<nd ref='%d'/>", n)
		}
		osm.WriteString("<tag k='highway' v='residential'/></way>\n")
	}
	way(1, south)
	way(2, []int{south[len(south)-1], north[0]})
	way(3, north)
	osm.WriteString("</osm>\n")

	const calendar = "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20240101,20240131\n"
	writeFiles(t, dir, map[string]string{
		"streets.osm": osm.String(),
		"ter/stops.txt": "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n" +
			"STN,Sancerval – Gare Saint-Éloi,46.9999,2.0005,1,\n" +
			"Q1,Sancerval – Gare Saint-Éloi,46.9999,2.0005,0,STN\n" +
			"PN,Pont Neuf,46.9999,2.0250,0,\n",
		"ter/routes.txt":     "route_id,route_short_name,route_type\nTER,TER,2\n",
		"ter/calendar.txt":   calendar,
		"ter/trips.txt":      "route_id,service_id,trip_id\nTER,WK,T1\n",
		"ter/stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,08:00:00,08:00:00,Q1,1\nT1,08:05:00,08:05:00,PN,2\n",
		"bus/stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n" +
			"G,SANCERVAL GARE SAINT ELOI,47.0019,2.0005\n" + // 222 m north of Q1: same name
			"M,Marché,47.0011,2.0005\n" + // 133 m from Q1
			"H,Rue Haute,47.0019,2.0030\n" + // 292 m from Q1, another name
			"B,Bourg,47.0019,2.0250\n",
		"bus/routes.txt":     "route_id,route_short_name,route_type\nL1,1,3\n",
		"bus/calendar.txt":   calendar,
		"bus/trips.txt":      "route_id,service_id,trip_id\nL1,WK,B1\n",
		"bus/stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nB1,08:10:00,08:10:00,G,1\nB1,08:11:00,08:11:00,M,2\nB1,08:12:00,08:12:00,H,3\nB1,08:20:00,08:20:00,B,4\n",
	})
	src := Sources{GTFS: []gtfs.FeedSource{{Name: "ter", Path: filepath.Join(dir, "ter")}, {Name: "bus", Path: filepath.Join(dir, "bus")}},
		OSM: []string{filepath.Join(dir, "streets.osm")}}
	g, err := Build(src, Options{Date: time.Date(2024, 1, 9, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	tt := &g.Timetable
	stop := map[string]graph.StopIdx{}
	for i, id := range tt.StopID {
		stop[id] = graph.StopIdx(i)
	}
	if l := g.Meta.Linking; l.Stops.Linked != 7 {
		t.Fatalf("linked stops: %+v", l.Stops)
	}
	path := func(a, b string) (float32, bool) {
		to, dist := g.StopPaths.From(int32(stop[a]))
		for k, j := range to {
			if j == stop[b] {
				return dist[k], true
			}
		}
		return 0, false
	}
	// Along the streets: the stops of one bank.
	for _, p := range [][2]string{{"ter:Q1", "ter:STN"}, {"bus:G", "bus:M"}, {"bus:G", "bus:H"}} {
		if _, ok := path(p[0], p[1]); !ok {
			t.Errorf("no street footpath %s → %s", p[0], p[1])
		}
	}
	// Across: the same station (same name within 300 m), or any two stops
	// within 150 m, by straight line × the detour factor.
	for _, p := range [][2]string{{"ter:Q1", "bus:G"}, {"ter:STN", "bus:G"}, {"ter:Q1", "bus:M"}, {"ter:STN", "bus:M"}} {
		for _, q := range [][2]string{p, {p[1], p[0]}} {
			d, ok := path(q[0], q[1])
			a, b := stop[q[0]], stop[q[1]]
			want := graph.Haversine(tt.StopLat[a], tt.StopLon[a], tt.StopLat[b], tt.StopLon[b]) * street.DetourFactor
			if !ok || math.Abs(float64(d)-want) > 0.01 {
				t.Errorf("footpath %s → %s: %v m (present %v), want %.1f m", q[0], q[1], d, ok, want)
			}
		}
	}
	for _, p := range [][2]string{{"ter:Q1", "bus:H"}, {"bus:H", "ter:Q1"}, {"ter:Q1", "bus:B"}} {
		if d, ok := path(p[0], p[1]); ok {
			t.Errorf("footpath %s → %s of %v m: another name, more than 150 m away", p[0], p[1], d)
		}
	}
	if n := g.Meta.Linking.StationTransfers; n != 8 {
		t.Errorf("%d station transfers in the report, want 8", n)
	}
}
