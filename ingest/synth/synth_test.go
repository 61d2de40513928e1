package synth

import (
	"bytes"
	"container/heap"
	"context"
	"encoding/csv"
	"encoding/json"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmxml"

	"reach/graph"
	"reach/ingest/gtfs"
)

// generate writes the default region into a temporary directory.
func generate(t testing.TB, seed int64) (string, *Manifest) {
	t.Helper()
	dir := t.TempDir()
	m, err := Generate(dir, Options{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return dir, m
}

// readTree returns the content of every file under dir by relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestSameSeedSameBytes(t *testing.T) {
	dirA, _ := generate(t, 0)
	dirB, _ := generate(t, DefaultSeed)
	a, b := readTree(t, dirA), readTree(t, dirB)
	if len(a) != 21 {
		t.Errorf("%d files written, want 21: %v", len(a), slices.Sorted(maps.Keys(a)))
	}
	if len(a) != len(b) {
		t.Fatalf("%d files vs %d", len(a), len(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}

	dirC, _ := generate(t, 7)
	c := readTree(t, dirC)
	for _, name := range []string{StreetsFile, filepath.Join(FeedDir, "stop_times.txt"), OffersFile} {
		if bytes.Equal(a[name], c[name]) {
			t.Errorf("%s is the same with another seed", name)
		}
	}
}

func TestManifest(t *testing.T) {
	dir, m := generate(t, 0)
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var stored Manifest
	if err := json.Unmarshal(data, &stored); err != nil {
		t.Fatalf("%s: %v", ManifestFile, err)
	}
	if !reflect.DeepEqual(&stored, m) {
		t.Errorf("stored manifest %+v, returned %+v", stored, *m)
	}
	if m.Date != "2026-03-10" || len(m.GTFS) != 1 || len(m.SchoolGTFS) != 1 || len(m.Offers) != 1 {
		t.Errorf("manifest %+v", *m)
	}
	for _, f := range append(append([]FeedFile(nil), m.GTFS...), m.SchoolGTFS...) {
		if st, err := os.Stat(filepath.Join(dir, f.Path, "stop_times.txt")); err != nil || st.Size() == 0 {
			t.Errorf("feed %s: %v", f.Name, err)
		}
	}
	for _, p := range append([]string{m.OSM, m.Locations}, m.Offers...) {
		if st, err := os.Stat(filepath.Join(dir, p)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", p, err)
		}
	}
}

// TestFeedsBuild builds both feeds with the project's GTFS reader for the
// manifest's date: nothing may be dropped, and the day's trips must be
// those whose service runs that Tuesday plus Monday's trips still running
// after midnight.
func TestFeedsBuild(t *testing.T) {
	dir, m := generate(t, 0)
	date, err := time.Parse("2006-01-02", m.Date)
	if err != nil {
		t.Fatal(err)
	}
	g, err := gtfs.Build([]gtfs.FeedSource{
		{Name: m.GTFS[0].Name, Path: filepath.Join(dir, m.GTFS[0].Path)},
		{Name: m.SchoolGTFS[0].Name, Path: filepath.Join(dir, m.SchoolGTFS[0].Path), School: true},
	}, gtfs.BuildOptions{Date: date, StrictDates: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Timetable.Validate(); err != nil {
		t.Fatal(err)
	}
	r, err := build(DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	for k, f := range []*feed{r.transit, r.schoolBus} {
		rep := g.Meta.Feeds[k]
		if len(rep.Drops) != 0 {
			t.Errorf("feed %s: drops %+v", rep.Name, rep.Drops)
		}
		if rep.Kept != rep.Read {
			t.Errorf("feed %s: read %+v, kept %+v", rep.Name, rep.Read, rep.Kept)
		}
		if rep.Read.Trips != len(f.trips) || rep.Read.Routes != len(f.routes) || rep.Read.Stops != len(f.stops) {
			t.Errorf("feed %s: read %+v; generated %d trips, %d routes, %d stops",
				rep.Name, rep.Read, len(f.trips), len(f.routes), len(f.stops))
		}
		if rep.ServiceDate != m.Date || rep.Substituted {
			t.Errorf("feed %s: service date %s (substituted %v)", rep.Name, rep.ServiceDate, rep.Substituted)
		}
		if rep.ValidFrom != "2025-09-01" || rep.ValidTo != "2026-07-03" {
			t.Errorf("feed %s: valid %s..%s", rep.Name, rep.ValidFrom, rep.ValidTo)
		}
		today, lateYesterday := 0, 0
		for _, tr := range f.trips {
			sv := f.services[slices.IndexFunc(f.services, func(s service) bool { return s.id == tr.service })]
			if sv.runsOn(date) {
				today++
			}
			if sv.runsOn(date.AddDate(0, 0, -1)) && tr.arr[len(tr.arr)-1] >= 24*3600 {
				lateYesterday++
			}
		}
		if k == 0 && (today < 700 || lateYesterday == 0) {
			t.Errorf("bus feed: %d trips today, %d of yesterday past midnight", today, lateYesterday)
		}
		if k == 1 && (today != 4 || lateYesterday != 0) {
			t.Errorf("school feed: %d trips today, %d of yesterday past midnight", today, lateYesterday)
		}
		if rep.Scheduled.Trips != today+lateYesterday {
			t.Errorf("feed %s: %d trips scheduled, want %d + %d", rep.Name, rep.Scheduled.Trips, today, lateYesterday)
		}
	}

	tt := &g.Timetable
	stop := func(id string) graph.StopIdx {
		i := slices.Index(tt.StopID, id)
		if i < 0 {
			t.Fatalf("no stop %s", id)
		}
		return graph.StopIdx(i)
	}
	hubBus, hubTram := stop("bus:B10-10"), stop("bus:T10-10")
	if tt.StopMinTransfer[hubBus] != 120 {
		t.Errorf("minimum change at République: %d s", tt.StopMinTransfer[hubBus])
	}
	if p := tt.StopParent[hubTram]; p < 0 || p != tt.StopParent[hubBus] {
		t.Errorf("République stops have parents %d and %d", p, tt.StopParent[hubBus])
	}
	found := false
	for k := tt.TransferStart[hubTram]; k < tt.TransferStart[hubTram+1]; k++ {
		found = found || (tt.TransferTo[k] == hubBus && tt.TransferTime[k] == 180)
	}
	if !found {
		t.Errorf("no 180 s transfer from the tram to the bus at République")
	}
	schoolLines := 0
	for l := range tt.LineID {
		if tt.LineSchool[l] != strings.HasPrefix(tt.LineID[l], "scol:") {
			t.Errorf("line %s: school %v", tt.LineID[l], tt.LineSchool[l])
		}
		if tt.LineSchool[l] {
			schoolLines++
		}
	}
	if schoolLines != 2 {
		t.Errorf("%d school lines", schoolLines)
	}
}

// csvTable reads a CSV file into its header and rows.
func csvTable(t *testing.T, path string) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(rows) < 2 {
		t.Fatalf("%s: %d lines", path, len(rows))
	}
	return rows[0], rows[1:]
}

// parseTime reads HH:MM:SS.
func parseTime(t *testing.T, s string) int {
	t.Helper()
	var h, m, sec int
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		t.Fatalf("time %q", s)
	}
	for k, p := range []*int{&h, &m, &sec} {
		v, err := strconv.Atoi(parts[k])
		if err != nil {
			t.Fatalf("time %q", s)
		}
		*p = v
	}
	return h*3600 + m*60 + sec
}

// TestTimetable checks the urban timetable against its specification:
// buses every 10 minutes from 07:00 to 09:00 on weekdays and every 20
// otherwise, trams every 8 and 15; first departures from 05:30 on weekdays
// and 06:00 on Saturdays, the last at midnight, arriving past it; times
// increasing along every trip.
func TestTimetable(t *testing.T) {
	dir, _ := generate(t, 0)
	_, routes := csvTable(t, filepath.Join(dir, FeedDir, "routes.txt"))
	routeType := map[string]string{}
	for _, r := range routes {
		routeType[r[0]] = r[4]
	}
	types := slices.Sorted(maps.Values(routeType))
	if !slices.Equal(types, []string{"0", "3", "3", "3", "3", "3"}) {
		t.Errorf("route types %v, want one tram and five buses", types)
	}
	_, stops := csvTable(t, filepath.Join(dir, FeedDir, "stops.txt"))
	knownStop := map[string]bool{}
	for _, s := range stops {
		knownStop[s[0]] = s[4] == "0"
	}
	_, trips := csvTable(t, filepath.Join(dir, FeedDir, "trips.txt"))
	type key struct{ route, service, dir string }
	tripKey := map[string]key{}
	for _, tr := range trips {
		tripKey[tr[2]] = key{tr[0], tr[1], tr[4]}
	}
	header, stopTimes := csvTable(t, filepath.Join(dir, FeedDir, "stop_times.txt"))
	if !slices.Equal(header, []string{"trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"}) {
		t.Errorf("stop_times header %v", header)
	}
	first := map[key][]int{}
	lastArrival := 0
	prevTrip, prevSeq, prevDep := "", 0, 0
	for _, st := range stopTimes {
		arr, dep := parseTime(t, st[1]), parseTime(t, st[2])
		seq, err := strconv.Atoi(st[4])
		if err != nil || !knownStop[st[3]] || dep < arr {
			t.Fatalf("bad stop time %v", st)
		}
		k, ok := tripKey[st[0]]
		if !ok {
			t.Fatalf("stop time of unknown trip %v", st)
		}
		if st[0] == prevTrip {
			if seq <= prevSeq || arr <= prevDep {
				t.Fatalf("trip %s: not increasing at %v", st[0], st)
			}
		} else {
			first[k] = append(first[k], dep)
		}
		prevTrip, prevSeq, prevDep = st[0], seq, dep
		lastArrival = max(lastArrival, arr)
	}
	if lastArrival <= 24*3600 || lastArrival > 24*3600+45*60 {
		t.Errorf("last arrival %d s, want shortly after midnight", lastArrival)
	}
	if len(first) != 6*2*2 {
		t.Errorf("%d route/service/direction groups, want 24", len(first))
	}
	for k, deps := range first {
		slices.Sort(deps)
		start := 5*3600 + 30*60
		if k.service == "SAM" {
			start = 6 * 3600
		}
		if deps[0] < start || deps[0] >= start+10*60 {
			t.Errorf("%v: first departure at %d s", k, deps[0])
		}
		if end := deps[len(deps)-1]; end < 24*3600 || end >= 24*3600+10*60 {
			t.Errorf("%v: last departure at %d s", k, end)
		}
		peak, offPeak := 10*60, 20*60
		if routeType[k.route] == "0" {
			peak, offPeak = 8*60, 15*60
		}
		for n := 1; n < len(deps); n++ {
			want := offPeak
			if k.service == "SEM" && deps[n-1] >= 7*3600 && deps[n-1] < 9*3600 {
				want = peak
			}
			if deps[n]-deps[n-1] != want {
				t.Errorf("%v: %d s between departures at %d and %d, want %d", k, deps[n]-deps[n-1], deps[n-1], deps[n], want)
			}
		}
	}
}

// TestSchoolBusFeed checks the school feed: two school-bus routes, each
// with a morning trip from its village and an afternoon trip back, pupils
// boarding only at home in the morning and at school in the afternoon.
func TestSchoolBusFeed(t *testing.T) {
	dir, _ := generate(t, 0)
	_, routes := csvTable(t, filepath.Join(dir, SchoolFeedDir, "routes.txt"))
	for _, r := range routes {
		if r[4] != "712" {
			t.Errorf("route %s has type %s", r[0], r[4])
		}
	}
	if len(routes) != 2 {
		t.Errorf("%d school routes", len(routes))
	}
	_, cal := csvTable(t, filepath.Join(dir, SchoolFeedDir, "calendar.txt"))
	if len(cal) != 1 || strings.Join(cal[0][1:8], "") != "1111100" {
		t.Errorf("calendar %v", cal)
	}
	_, removed := csvTable(t, filepath.Join(dir, SchoolFeedDir, "calendar_dates.txt"))
	holidays := map[string]bool{}
	for _, r := range removed {
		holidays[r[1]] = r[2] == "2"
	}
	for _, d := range []string{"20251022", "20251225", "20260216", "20260415"} {
		if !holidays[d] {
			t.Errorf("no school bus should run on %s", d)
		}
	}
	if holidays["20260310"] {
		t.Errorf("the build date is a holiday")
	}
	_, stopTimes := csvTable(t, filepath.Join(dir, SchoolFeedDir, "stop_times.txt"))
	type tripInfo struct {
		start, end      int
		firstPickup     string
		lastDropoff     string
		firstStop, last string
	}
	trips := map[string]*tripInfo{}
	var order []string
	for _, st := range stopTimes {
		tm := parseTime(t, st[1])
		ti, ok := trips[st[0]]
		if !ok {
			ti = &tripInfo{start: tm, firstPickup: st[5], firstStop: st[3]}
			trips[st[0]] = ti
			order = append(order, st[0])
		}
		ti.end, ti.lastDropoff, ti.last = tm, st[6], st[3]
	}
	morning, afternoon := 0, 0
	for _, id := range order {
		ti := trips[id]
		if ti.firstPickup != "0" || ti.lastDropoff != "0" {
			t.Errorf("trip %s: pupils cannot board at the start or alight at the end", id)
		}
		switch {
		case ti.end <= 8*3600 && strings.HasPrefix(ti.firstStop, "V") && strings.HasPrefix(ti.last, "L-"):
			morning++
		case ti.start >= 16*3600 && strings.HasPrefix(ti.firstStop, "L-") && strings.HasPrefix(ti.last, "V"):
			afternoon++
		default:
			t.Errorf("trip %s from %s at %d to %s at %d", id, ti.firstStop, ti.start, ti.last, ti.end)
		}
	}
	if morning != 2 || afternoon != 2 {
		t.Errorf("%d morning and %d afternoon trips", morning, afternoon)
	}
}

// osmData is what the test reads of the OSM file.
type osmData struct {
	node map[int64][2]float64 // lat, lon
	tags map[int64]osm.Tags   // of tagged nodes
	ways []*osm.Way
}

func readOSM(t *testing.T, path string) osmData {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := osmData{node: map[int64][2]float64{}, tags: map[int64]osm.Tags{}}
	sc := osmxml.New(context.Background(), f)
	defer sc.Close()
	for sc.Scan() {
		switch o := sc.Object().(type) {
		case *osm.Node:
			if o.ID <= 0 {
				t.Errorf("node id %d", o.ID)
			}
			d.node[int64(o.ID)] = [2]float64{o.Lat, o.Lon}
			if len(o.Tags) > 0 {
				d.tags[int64(o.ID)] = o.Tags
			}
		case *osm.Way:
			if o.ID <= 0 {
				t.Errorf("way id %d", o.ID)
			}
			d.ways = append(d.ways, o)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return d
}

// walkable tells the ways pedestrians may use, for the tags this file uses.
func walkable(w *osm.Way) bool {
	hw := w.Tags.Find("highway")
	return hw != "" && hw != "motorway" && hw != "motorway_link"
}

// metres projects a lat/lon onto a local plane, metres from the centre.
func metres(ll [2]float64) point {
	return point{
		(ll[1] - CentreLon) * metresPerDegree * math.Cos(CentreLat*math.Pi/180),
		(ll[0] - CentreLat) * metresPerDegree,
	}
}

// walkGraph is the walking network of the OSM file: adjacency with lengths.
type walkGraph map[int64]map[int64]float64

func (d osmData) walkGraph(skip func(*osm.Way) bool) walkGraph {
	g := walkGraph{}
	for _, w := range d.ways {
		if !walkable(w) || skip(w) {
			continue
		}
		for k := 1; k < len(w.Nodes); k++ {
			a, b := int64(w.Nodes[k-1].ID), int64(w.Nodes[k].ID)
			l := metres(d.node[a]).dist(metres(d.node[b]))
			for _, e := range [][2]int64{{a, b}, {b, a}} {
				if g[e[0]] == nil {
					g[e[0]] = map[int64]float64{}
				}
				g[e[0]][e[1]] = l
			}
		}
	}
	return g
}

// components labels the connected components of g.
func (g walkGraph) components() (map[int64]int, int) {
	comp := map[int64]int{}
	n := 0
	for _, start := range slices.Sorted(maps.Keys(g)) {
		if _, seen := comp[start]; seen {
			continue
		}
		stack := []int64{start}
		comp[start] = n
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for w := range g[v] {
				if _, seen := comp[w]; !seen {
					comp[w] = n
					stack = append(stack, w)
				}
			}
		}
		n++
	}
	return comp, n
}

// queued is a node and its tentative distance in a Dijkstra search.
type queued struct {
	node int64
	dist float64
}

// distQueue is a Dijkstra priority queue.
type distQueue []queued

func (q distQueue) Len() int           { return len(q) }
func (q distQueue) Less(i, j int) bool { return q[i].dist < q[j].dist }
func (q distQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *distQueue) Push(x any)        { *q = append(*q, x.(queued)) }
func (q *distQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// shortest returns the walking distance from a to b, +Inf when unreachable.
func (g walkGraph) shortest(a, b int64) float64 {
	best := map[int64]float64{a: 0}
	q := &distQueue{{a, 0}}
	for q.Len() > 0 {
		it := heap.Pop(q).(queued)
		if it.node == b {
			return it.dist
		}
		if it.dist > best[it.node] {
			continue
		}
		for w, l := range g[it.node] {
			if d, ok := best[w]; !ok || it.dist+l < d {
				best[w] = it.dist + l
				heap.Push(q, queued{w, it.dist + l})
			}
		}
	}
	return math.Inf(1)
}

// TestStreets reads streets.osm with the osmxml decoder and checks the
// walking network: every referenced node exists; it is connected; only
// three bridges cross the river, so that without them it splits in two
// and walking across elsewhere means a long detour; the motorway is not
// part of it.
func TestStreets(t *testing.T) {
	dir, m := generate(t, 0)
	d := readOSM(t, filepath.Join(dir, m.OSM))
	r, err := build(DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	s := r.streets
	if len(d.node) != len(s.nodes) || len(d.ways) != len(s.ways) {
		t.Errorf("read %d nodes, %d ways; generated %d, %d", len(d.node), len(d.ways), len(s.nodes), len(s.ways))
	}
	highways := map[string]int{}
	for _, w := range d.ways {
		for _, n := range w.Nodes {
			if _, ok := d.node[int64(n.ID)]; !ok {
				t.Errorf("way %d references missing node %d", w.ID, n.ID)
			}
		}
		highways[w.Tags.Find("highway")]++
	}
	for _, hw := range []string{"primary", "secondary", "residential", "footway", "pedestrian", "motorway"} {
		if highways[hw] == 0 {
			t.Errorf("no %s way", hw)
		}
	}
	id := func(c cell) int64 { return int64(s.grid[c.i][c.j]) + 1 }

	g := d.walkGraph(func(*osm.Way) bool { return false })
	if _, n := g.components(); n != 1 {
		t.Errorf("walking network has %d components", n)
	}
	if g[int64(s.motorwayJunction)+1] != nil {
		t.Errorf("the motorway junction is walkable")
	}
	for _, v := range s.villages {
		if g[int64(v.centreNode)+1] == nil {
			t.Errorf("%s is not on the walking network", v.name)
		}
	}

	isBridge := func(w *osm.Way) bool { return w.Tags.Find("bridge") == "yes" }
	bridges := 0
	for _, w := range d.ways {
		if walkable(w) && isBridge(w) {
			bridges++
		}
	}
	if bridges != 3 {
		t.Errorf("%d walkable bridges", bridges)
	}
	comp, n := d.walkGraph(isBridge).components()
	if n != 2 {
		t.Fatalf("without its bridges the network has %d components, want 2", n)
	}
	for i := 0; i < nCols; i++ {
		south, north := comp[id(cell{i, 0})], comp[id(cell{i, nRows - 1})]
		if comp[id(cell{i, riverRow})] != south || comp[id(cell{i, riverRow + 1})] != north || south == north {
			t.Errorf("column %d: the river does not separate the banks", i)
		}
	}

	// Across the river at a bridge, the walk is as long as the crossing;
	// three blocks away from any bridge it is several times longer.
	for _, tc := range []struct {
		col      int
		min, max float64
	}{{centreCol, 1, 1.1}, {7, 3, 10}, {13, 3, 10}} {
		a, b := id(cell{tc.col, riverRow}), id(cell{tc.col, riverRow + 1})
		straight := metres(d.node[a]).dist(metres(d.node[b]))
		ratio := g.shortest(a, b) / straight
		if ratio < tc.min || ratio > tc.max {
			t.Errorf("column %d: walk / straight line = %.2f, want %.1f–%.1f", tc.col, ratio, tc.min, tc.max)
		}
	}
}

// nearestStreet returns the distance in metres from p to the nearest
// walkable segment.
func (d osmData) nearestStreet(p point) float64 {
	best := math.Inf(1)
	for _, w := range d.ways {
		if !walkable(w) {
			continue
		}
		for k := 1; k < len(w.Nodes); k++ {
			a, b := metres(d.node[int64(w.Nodes[k-1].ID)]), metres(d.node[int64(w.Nodes[k].ID)])
			dx, dy := b.x-a.x, b.y-a.y
			f := ((p.x-a.x)*dx + (p.y-a.y)*dy) / (dx*dx + dy*dy)
			f = math.Max(0, math.Min(1, f))
			best = math.Min(best, p.dist(a.lerp(b, f)))
		}
	}
	return best
}

// latLonCol reads the lat and lon columns of a CSV row.
func latLonCol(t *testing.T, row []string, lat, lon int) [2]float64 {
	t.Helper()
	la, err1 := strconv.ParseFloat(row[lat], 64)
	lo, err2 := strconv.ParseFloat(row[lon], 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("coordinates of %v", row)
	}
	return [2]float64{la, lo}
}

// TestPlacesOnStreets checks that every transit stop stands on a street
// and every school near one.
func TestPlacesOnStreets(t *testing.T) {
	dir, m := generate(t, 0)
	d := readOSM(t, filepath.Join(dir, m.OSM))
	for _, feedDir := range []string{FeedDir, SchoolFeedDir} {
		_, stops := csvTable(t, filepath.Join(dir, feedDir, "stops.txt"))
		for _, s := range stops {
			if dist := d.nearestStreet(metres(latLonCol(t, s, 2, 3))); dist > 15 {
				t.Errorf("%s stop %s (%s) is %.0f m from the nearest street", feedDir, s[0], s[1], dist)
			}
		}
	}
	_, schools := csvTable(t, filepath.Join(dir, m.Locations))
	for _, s := range schools {
		if dist := d.nearestStreet(metres(latLonCol(t, s, 2, 3))); dist > 150 {
			t.Errorf("school %s is %.0f m from the nearest street", s[1], dist)
		}
	}
}

// TestSchoolsAndOffers checks the location and offer CSVs.
func TestSchoolsAndOffers(t *testing.T) {
	dir, m := generate(t, 0)
	header, schools := csvTable(t, filepath.Join(dir, m.Locations))
	if !slices.Equal(header, []string{"id", "name", "lat", "lon", "kind", "public", "address"}) {
		t.Errorf("locations header %v", header)
	}
	kind := map[string]string{}
	for _, s := range schools {
		id := s[0]
		n, err := strconv.Atoi(id[:7])
		if len(id) != 8 || err != nil || id[7] != "ABCDEFGHJKLMNPRSTUVWXYZ"[n%23] {
			t.Errorf("id %q is not a valid UAI", id)
		}
		if _, dup := kind[id]; dup {
			t.Errorf("duplicate id %s", id)
		}
		kind[id] = s[4]
		if s[5] != "true" && s[5] != "false" {
			t.Errorf("%s: public %q", id, s[5])
		}
		if !strings.Contains(s[6], ", 1899") {
			t.Errorf("%s: address %q", id, s[6])
		}
	}
	header, offers := csvTable(t, filepath.Join(dir, m.Offers[0]))
	if !slices.Equal(header, []string{"school_id", "label", "diploma", "voie", "code", "capacity"}) {
		t.Errorf("offers header %v", header)
	}
	prefix := map[string]string{"CAP": "500", "Bac Pro": "400", "BP": "450", "BTS": "320"}
	perSchool := map[string]int{}
	for _, o := range offers {
		id, label, diploma, voie, code := o[0], o[1], o[2], o[3], o[4]
		k, ok := kind[id]
		if !ok {
			t.Errorf("offer of unknown school %s", id)
		}
		if k == "Collège" {
			t.Errorf("collège %s offers %s", id, label)
		}
		perSchool[id]++
		if !strings.HasPrefix(label, diploma+" ") || len(code) != 8 || !strings.HasPrefix(code, prefix[diploma]) || prefix[diploma] == "" {
			t.Errorf("offer %v: label, diploma and code disagree", o)
		}
		if voie != "scolaire" && voie != "apprentissage" || (k == "CFA" && voie != "apprentissage") {
			t.Errorf("offer %v: voie", o)
		}
		if c, err := strconv.Atoi(o[5]); err != nil || c <= 0 || c > 100 {
			t.Errorf("offer %v: capacity", o)
		}
	}
	if len(perSchool) != 12 {
		t.Errorf("%d schools with offers, want 12", len(perSchool))
	}
	for id, n := range perSchool {
		if n < 2 || n > 6 {
			t.Errorf("school %s has %d offers", id, n)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		if _, err := Generate(dir, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
