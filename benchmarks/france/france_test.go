package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paulosm "github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"

	"reach/ingest"
	"reach/ingest/gtfs"
	"reach/ingest/osm"
	"reach/ingest/schools"
	"reach/internal/realdata"
)

// inMetropolitanBox is the box the school reader requires of a
// metropolitan school (ingest/schools validLatLon).
func inMetropolitanBox(lat, lon float64) bool {
	return lat >= 41 && lat <= 51.6 && lon >= -5.8 && lon <= 10
}

// generateTwo runs the generator for --copies 2 twice and checks that the
// outputs are byte-identical; it returns the first output directory.
func generateTwo(t *testing.T) (string, *summary) {
	t.Helper()
	data := realdata.Path(t)
	if testing.Short() {
		t.Skip("writes and builds a copy of every network: skipped with -short")
	}
	dirs := []string{filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")}
	var first *summary
	for _, d := range dirs {
		s, err := generate(config{Copies: 2, Out: d, Data: data, Networks: allNetworks(), Jobs: 2})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = s
		}
	}
	files := 0
	err := filepath.WalkDir(dirs[0], func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dirs[0], p)
		a, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(filepath.Join(dirs[1], rel))
		if err != nil {
			return err
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs", rel)
		}
		files++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files != first.Files || files != 18 {
		t.Errorf("%d files written, summary says %d, want 18", files, first.Files)
	}
	return dirs[0], first
}

func TestGenerateTwoCopies(t *testing.T) {
	out, sum := generateTwo(t)
	m, err := ingest.ReadManifest(filepath.Join(out, "france.json"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := m.Sources()
	if err != nil {
		t.Fatal(err)
	}
	if m.Date != "2012-05-22" || len(src.GTFS) != 10 || len(src.OSM) != 5 || len(src.Schools) != 2 || len(src.Offers) != 4 {
		t.Fatalf("france.json: %+v", m)
	}
	for _, p := range append(append(append([]string{}, src.OSM...), src.Schools...), src.Offers...) {
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
	m0, err := ingest.ReadManifest(filepath.Join(out, "copy-0.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m0.GTFS) != 2 || m0.GTFS[0].Name != "star" || m0.GTFS[1].Name != "ter" || len(m0.OSM) != 1 || len(m0.Schools) != 1 || len(m0.Offers) != 2 {
		t.Errorf("copy-0.json: %+v", m0)
	}
	if sum.Feeds != 10 || sum.FeedsWritten != 8 || sum.Written.StopTimes != 1832439 || sum.Total.StopTimes != 1832439+182666+256582 {
		t.Errorf("summary %+v", sum)
	}

	t.Run("ids", func(t *testing.T) { checkIDs(t, src.GTFS) })
	t.Run("coordinates", func(t *testing.T) { checkCoordinates(t, out, src) })
	t.Run("schools", func(t *testing.T) { checkSchools(t, src) })
	t.Run("feeds", func(t *testing.T) { checkFeedsFaithful(t, src.GTFS) })
	t.Run("streets", func(t *testing.T) { checkStreets(t, out) })
}

// readRows calls fn with the header and every row of a feed file.
func readRows(t *testing.T, feed, file string, fn func(col map[string]int, rec []string)) {
	t.Helper()
	s, err := gtfs.OpenSource(feed)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Has(file) {
		return
	}
	r, err := s.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cr := csv.NewReader(r)
	cr.LazyQuotes, cr.FieldsPerRecord = true, -1
	var col map[string]int
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("%s %s: %v", feed, file, err)
		}
		if col == nil {
			col = map[string]int{}
			for i, h := range rec {
				col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
			}
			continue
		}
		fn(col, rec)
	}
}

// checkIDs: every id of a copied feed carries the feed's prefix, and no
// stop, trip, route or service id of a copy is shared with another feed
// (the originals, star and ter, may share some).
func checkIDs(t *testing.T, feeds []gtfs.FeedSource) {
	owner := map[string]string{} // "kind id" → feed
	for _, f := range feeds {
		copied := strings.HasPrefix(f.Name, "c01-")
		for _, x := range []struct{ file, col string }{
			{"stops.txt", "stop_id"}, {"trips.txt", "trip_id"}, {"routes.txt", "route_id"}, {"trips.txt", "service_id"},
			{"stops.txt", "parent_station"}, {"trips.txt", "shape_id"}, {"trips.txt", "block_id"}, {"stop_times.txt", "stop_id"},
		} {
			seen := map[string]bool{}
			readRows(t, f.Path, x.file, func(col map[string]int, rec []string) {
				i, ok := col[x.col]
				if !ok || i >= len(rec) || rec[i] == "" {
					return
				}
				id := rec[i]
				if copied != strings.HasPrefix(id, f.Name+"-") {
					t.Fatalf("%s %s %s %q: prefix", f.Name, x.file, x.col, id)
				}
				key := x.col + " " + id
				if seen[key] {
					return
				}
				seen[key] = true
				if x.col == "stop_id" || x.col == "trip_id" || x.col == "route_id" || x.col == "service_id" {
					if o, dup := owner[key]; dup && o != f.Name && (copied || strings.HasPrefix(o, "c01-")) {
						t.Fatalf("%s %q in feeds %s and %s", x.col, id, o, f.Name)
					}
					owner[key] = f.Name
				}
			})
		}
	}
	if len(owner) < 30000 {
		t.Errorf("only %d ids checked", len(owner))
	}
}

// checkCoordinates: every moved stop, shape point, street node and school
// lies in metropolitan France's box, and every place inside its outline.
func checkCoordinates(t *testing.T, out string, src ingest.Sources) {
	for _, f := range src.GTFS {
		if !strings.HasPrefix(f.Name, "c01-") {
			continue
		}
		n := 0
		for _, x := range []struct{ file, lat, lon string }{{"stops.txt", "stop_lat", "stop_lon"}, {"shapes.txt", "shape_pt_lat", "shape_pt_lon"}} {
			readRows(t, f.Path, x.file, func(col map[string]int, rec []string) {
				lat, ok1 := parseCoord(rec[col[x.lat]])
				lon, ok2 := parseCoord(rec[col[x.lon]])
				if ok1 && ok2 && validCoord(lat, lon) {
					n++
					if !inMetropolitanBox(lat, lon) {
						t.Fatalf("%s %s: %v, %v outside France", f.Name, x.file, lat, lon)
					}
				}
			})
		}
		if n == 0 {
			t.Errorf("%s: no coordinates", f.Name)
		}
	}
	for _, p := range src.OSM[1:] {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		sc := osmpbf.New(context.Background(), f, 1)
		nodes := 0
		for sc.Scan() {
			if n, ok := sc.Object().(*paulosm.Node); ok {
				nodes++
				if !inMetropolitanBox(n.Lat, n.Lon) {
					t.Fatalf("%s: node %d at %v, %v outside France", p, n.ID, n.Lat, n.Lon)
				}
			}
		}
		if err := sc.Err(); err != nil || nodes == 0 {
			t.Fatalf("%s: %d nodes, %v", p, nodes, err)
		}
		sc.Close()
		f.Close()
	}
	d, err := schools.ReadDirectory(src.Schools[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range d.Schools {
		if !s.HasCoord || !inMetropolitanBox(s.Lat, s.Lon) {
			t.Fatalf("school %s at %v, %v", s.ID, s.Lat, s.Lon)
		}
	}
	// Lambert-93 X/Y agree with the moved latitude and longitude.
	tab, err := readTable(src.Schools[1])
	if err != nil {
		t.Fatal(err)
	}
	la, lo, cx, cy := tab.col("latitude"), tab.col("longitude"), tab.col("coordonnee_X"), tab.col("coordonnee_Y")
	checked := 0
	for _, r := range tab.rows {
		lat, ok1 := parseCoord(r[la])
		lon, ok2 := parseCoord(r[lo])
		x, ok3 := parseCoord(r[cx])
		y, ok4 := parseCoord(r[cy])
		if !ok1 || !ok2 || !ok3 || !ok4 {
			continue
		}
		wx, wy := schools.WGS84ToLambert93(lat, lon)
		if math.Abs(x-wx) > 0.1 || math.Abs(y-wy) > 0.1 {
			t.Fatalf("row %v: X/Y %v %v, want %v %v", r[0], x, y, wx, wy)
		}
		checked++
	}
	if checked < 900 {
		t.Errorf("only %d rows with Lambert-93 coordinates", checked)
	}
	// Places: every lattice point inside the outline, Lyon first.
	pl := places()
	if pl[0] != (latLon{lyonLat, lyonLon}) || len(pl) < 800 {
		t.Errorf("places: %d, first %v", len(pl), pl[0])
	}
	for _, p := range pl {
		if !insideFrance(p) || !inMetropolitanBox(p.Lat, p.Lon) {
			t.Fatalf("place %v outside France", p)
		}
	}
	b, err := os.ReadFile(filepath.Join(out, "places.csv"))
	if err != nil || !strings.Contains(string(b), "\n1,star,c01-star,45.76000,4.84000,069,Lyon,") {
		t.Errorf("places.csv: %v\n%s", err, b)
	}
}

// checkSchools: the copy's UAIs are valid, new and of the Lyon
// département, and every copied offer is placed at a copied school.
func checkSchools(t *testing.T, src ingest.Sources) {
	var dirs []*schools.Directory
	for _, p := range src.Schools {
		d, err := schools.ReadDirectory(p)
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	orig, cp := dirs[0], dirs[1]
	if cp.Stats != orig.Stats || len(cp.Schools) != len(orig.Schools) || len(cp.Drops) != len(orig.Drops) {
		t.Errorf("copy stats %+v drops %+v\noriginal %+v drops %+v", cp.Stats, cp.Drops, orig.Stats, orig.Drops)
	}
	known := map[string]bool{}
	for _, s := range orig.Schools {
		known[s.ID] = true
	}
	for _, d := range cp.Drops {
		if d.Reason == "bad_uai" || d.Reason == "bad_uai_key" {
			t.Errorf("copied directory drops %+v", d)
		}
	}
	for i, s := range cp.Schools {
		if known[s.ID] || s.ID[:3] != "069" || s.Dept != "069" || s.Name != orig.Schools[i].Name {
			t.Fatalf("school %d: %s (%s) from %s", i, s.ID, s.Dept, orig.Schools[i].ID)
		}
		// Distances to the first school are kept (within 0.1 %).
		d0 := haversineKm(latLon{orig.Schools[0].Lat, orig.Schools[0].Lon}, latLon{orig.Schools[i].Lat, orig.Schools[i].Lon})
		d1 := haversineKm(latLon{cp.Schools[0].Lat, cp.Schools[0].Lon}, latLon{s.Lat, s.Lon})
		if math.Abs(d1-d0) > 0.001*d0+0.01 {
			t.Fatalf("school %s: %.3f km from the first school, originally %.3f", s.ID, d1, d0)
		}
	}
	all, err := schools.Concat(dirs...)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Schools) != len(orig.Schools)+len(cp.Schools) {
		t.Errorf("%d schools together, UAIs shared", len(all.Schools))
	}
	var lists []*schools.OfferList
	for _, p := range src.Offers {
		l, err := schools.ReadOffers(p)
		if err != nil {
			t.Fatal(err)
		}
		lists = append(lists, l)
	}
	_, rep, err := schools.Join(all, lists...)
	if err != nil {
		t.Fatal(err)
	}
	// The national lists place as many offers as with Rennes alone; the
	// copies place all of theirs, at 14 and 53 schools like Rennes.
	want := []struct{ rows, joined, schools int }{{5236, 52, 14}, {19503, 228, 53}, {52, 52, 14}, {228, 228, 53}}
	for i, o := range rep.Offers {
		if w := want[i]; o.Rows != w.rows || o.Joined != w.joined || o.JoinedSchools != w.schools {
			t.Errorf("%s: %d rows, %d placed at %d schools, want %+v", o.Path, o.Rows, o.Joined, o.JoinedSchools, w)
		}
	}
}

// checkFeedsFaithful: each copied feed reads, keeps and drops what its
// original does, its stops moved and its times delayed.
func checkFeedsFaithful(t *testing.T, feeds []gtfs.FeedSource) {
	data := realdata.Dir()
	byName := map[string]gtfs.FeedSource{}
	for _, f := range feeds {
		byName[f.Name] = f
	}
	day, _ := time.Parse("2006-01-02", serviceDate)
	for _, n := range allNetworks() {
		orig := gtfs.FeedSource{Name: n.Name, Path: filepath.Join(data, n.GTFS)}
		cp := byName["c01-"+n.Name]
		var reps [2]struct {
			read, kept any
			drops      map[string]int
			date       string
		}
		for i, f := range []gtfs.FeedSource{orig, cp} {
			g, err := gtfs.Build([]gtfs.FeedSource{f}, gtfs.BuildOptions{Date: day})
			if err != nil {
				t.Fatal(err)
			}
			r := g.Meta.Feeds[0]
			reps[i].read, reps[i].kept, reps[i].date = r.Read, r.Kept, r.ServiceDate
			reps[i].drops = map[string]int{}
			for _, d := range r.Drops {
				reps[i].drops[d.Reason] += d.Count
			}
			if r.Scheduled.Trips == 0 {
				t.Errorf("%s: no trip scheduled on %s", f.Name, r.ServiceDate)
			}
		}
		if reps[0].read != reps[1].read || reps[0].kept != reps[1].kept || reps[0].date != reps[1].date ||
			len(reps[0].drops) != len(reps[1].drops) {
			t.Errorf("%s: original %+v, copy %+v", n.Name, reps[0], reps[1])
		}
		for k, v := range reps[0].drops {
			if reps[1].drops[k] != v {
				t.Errorf("%s: %d %s drops, copy %d", n.Name, v, k, reps[1].drops[k])
			}
		}
	}
	// STAR's first stop time, delayed by 4 minutes; its first stop, moved.
	first := func(feed, file string, cols ...string) []string {
		var out []string
		readRows(t, feed, file, func(col map[string]int, rec []string) {
			if out == nil {
				for _, c := range cols {
					out = append(out, rec[col[c]])
				}
			}
		})
		return out
	}
	o := first(filepath.Join(data, "rennes/star-gtfs-2012-05.zip"), "stop_times.txt", "trip_id", "arrival_time")
	c := first(byName["c01-star"].Path, "stop_times.txt", "trip_id", "arrival_time")
	if c[0] != "c01-star-"+o[0] || o[1] != "06:58:00" || c[1] != "07:02:00" {
		t.Errorf("first stop time %v, copy %v", o, c)
	}
	centre, err := feedCentre(filepath.Join(data, "rennes/star-gtfs-2012-05.zip"))
	if err != nil {
		t.Fatal(err)
	}
	mv := newMove(centre, latLon{lyonLat, lyonLon})
	o = first(filepath.Join(data, "rennes/star-gtfs-2012-05.zip"), "stops.txt", "stop_lat", "stop_lon")
	c = first(byName["c01-star"].Path, "stops.txt", "stop_lat", "stop_lon")
	lat, _ := parseCoord(o[0])
	lon, _ := parseCoord(o[1])
	wlat, wlon := mv.apply(lat, lon)
	if c[0] != formatCoord(wlat) || c[1] != formatCoord(wlon) {
		t.Errorf("first stop %v moved to %v, want %v, %v", o, c, wlat, wlon)
	}
	if c2, _ := feedCentre(byName["c01-star"].Path); haversineKm(c2, latLon{lyonLat, lyonLon}) > 0.001 {
		t.Errorf("copied STAR centred on %v, not Lyon", c2)
	}
}

// checkStreets: a copied extract gives the same network as its original,
// at the place, with offset ids.
func checkStreets(t *testing.T, out string) {
	for _, n := range allNetworks() {
		if n.OSM == "" {
			continue
		}
		so, ro, err := osm.Read(filepath.Join(realdata.Dir(), n.OSM), osm.Options{})
		if err != nil {
			t.Fatal(err)
		}
		sc, rc, err := osm.Read(filepath.Join(out, "copy-01", n.Name+".osm.pbf"), osm.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if ro.NodesRead != rc.NodesRead || ro.WaysRead != rc.WaysRead || ro.Nodes != rc.Nodes || ro.Segments != rc.Segments ||
			ro.IslandsDropped != rc.IslandsDropped || math.Abs(ro.WalkLength-rc.WalkLength) > 1e-3*ro.WalkLength {
			t.Errorf("%s: original %s\ncopy %s", n.Name, ro, rc)
		}
		for i, id := range sc.NodeOSM {
			if id < 100*osmIDSpan || id >= 100*osmIDSpan+8*osmIDSpan {
				t.Fatalf("%s: node id %d not offset", n.Name, id)
			}
			if i == 0 && so.NodeOSM[0] == 0 {
				t.Fatal("original without ids")
			}
		}
	}
}
