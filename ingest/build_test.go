package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"reach/graph"
	"reach/ingest/gtfs"
	"reach/ingest/synth"
	"reach/internal/realdata"
)

func buildRegion(t *testing.T, date string, feed, osmPath string, schools string, offers ...string) *graph.Graph {
	t.Helper()
	fs, err := gtfs.ParseFeedArg(realdata.Path(t, filepath.FromSlash(feed)), false)
	if err != nil {
		t.Fatal(err)
	}
	src := Sources{GTFS: []gtfs.FeedSource{fs}, OSM: []string{realdata.Path(t, filepath.FromSlash(osmPath))}}
	if schools != "" {
		src.Schools = []string{realdata.Path(t, filepath.FromSlash(schools))}
	}
	for _, o := range offers {
		src.Offers = append(src.Offers, realdata.Path(t, filepath.FromSlash(o)))
	}
	d, _ := time.Parse("2006-01-02", date)
	g, err := Build(src, Options{Date: d})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	return g
}

func TestBuildRennesWithStreetsAndSchools(t *testing.T) {
	g := buildRegion(t, "2012-05-22", "rennes/star-gtfs-2012-05.zip", "rennes/streets.osm.pbf",
		"rennes/fr-en-annuaire-education-35.csv", "rennes/affelnet-offre-1re-pro.csv", "rennes/affelnet-offre-2nde.csv")
	st := g.Meta.Streets
	if st.NodesRead != 13093 || st.WaysRead != 3065 || st.Nodes != 3791 || st.Edges != 9960 || st.IslandsDropped != 87 {
		t.Errorf("streets %+v", st)
	}
	l := g.Meta.Linking
	// Many suburban STAR stops lie outside the city's street extract.
	if l.Stops.Points != 1365 || l.Stops.Linked != 733 || l.Stops.Fallback != 632 || l.Stops.MaxDist > DefaultLinkLimit {
		t.Errorf("stop links %+v", l.Stops)
	}
	for s := int32(0); s < int32(g.StopLinks.Len()); s++ {
		if !g.StopLinks.Linked(s) {
			if to, _ := g.StopPaths.From(s); len(to) == 0 && g.Timetable.StopParent[s] < 0 {
				// A stop off the streets still has straight-line transfers
				// unless it is isolated: check it has at least its own cell.
				cells, _ := g.Cells.From(s)
				if len(cells) == 0 {
					t.Fatalf("stop %s off the streets has no cell", g.Timetable.StopID[s])
				}
			}
		}
	}
	p := g.Meta.Places
	if p.Rows != 996 || p.Schools != 993 || p.Vocational != 37 || p.Colleges != 116 {
		t.Errorf("places %+v", p)
	}
	voc := 0
	for s, v := range g.Places.SchoolVocational {
		if v && g.Places.SchoolDept[s] == "035" {
			voc++
		}
	}
	if voc != 37 {
		t.Errorf("%d vocational lycées of département 35 in the graph, want 37", voc)
	}
	if len(p.Offers) != 2 || p.Offers[0].Joined != 52 || p.Offers[0].JoinedSchools != 14 ||
		p.Offers[1].Joined != 228 || p.Offers[1].JoinedSchools != 53 || p.OffersPlaced != 280 || g.Places.NumOffers() != 280 {
		t.Errorf("offers %+v", p.Offers)
	}
	reasons := map[string]int{}
	for _, o := range p.Offers {
		for _, d := range o.Drops {
			reasons[d.Reason] += d.Count
		}
	}
	// The two lower-case UAIs of the 2nde list ("0081152j") are read as
	// 0081152J, of département 008: outside the directory, not bad_uai.
	if reasons["outside_directory"] != 5184+19212 || reasons["unknown_school"] != 63 || reasons["bad_uai"] != 0 {
		t.Errorf("rejected offers by reason: %v", reasons)
	}
	if l.Schools.Points != 993 || l.Schools.Linked+l.Schools.Fallback != 993 || l.SchoolEgress == 0 {
		t.Errorf("school links %+v", l)
	}
	if g.Cells.NumCells() == 0 || g.Cells.Resolution != 9 {
		t.Errorf("cells: %d at res %d", g.Cells.NumCells(), g.Cells.Resolution)
	}
}

func TestBuildNantesAndRNVWithStreets(t *testing.T) {
	for _, c := range []struct {
		date, feed, osm          string
		nodes, edges, islands    int
		linked, fallback         int
		streetPairs, straightMin int
	}{
		// Full OSM of central Nantes: footways, steps; most TAN stops are
		// outside this 3 × 2.5 km extract.
		{"2014-04-08", "nantes/tan-gtfs-2014.zip", "nantes/centre.osm.pbf", 3290, 9446, 76, 732, 2683, 16286, 1},
		// RNV roads only (no footways): every stop but one is near a road.
		{"2016-11-08", "rnv/rnv-gtfs-2016.zip", "rnv/rnv.osm.pbf", 38921, 100980, 154, 2056, 1, 33666, 0},
	} {
		g := buildRegion(t, c.date, c.feed, c.osm, "")
		st, l := g.Meta.Streets, g.Meta.Linking
		if st.Nodes != c.nodes || st.Edges != c.edges || st.IslandsDropped != c.islands {
			t.Errorf("%s: streets %+v", c.osm, st)
		}
		if l.Stops.Linked != c.linked || l.Stops.Fallback != c.fallback || l.StreetTransfers != c.streetPairs || l.StraightTransfers < c.straightMin {
			t.Errorf("%s: linking %+v", c.osm, l)
		}
		// In central Nantes many stops stand on footways or squares
		// cyclists may not ride: their cycling link is another street.
		if differ := checkBikeLinks(t, g); c.feed == "nantes/tan-gtfs-2014.zip" && differ < 50 {
			t.Errorf("%s: %d cycling links differ from the walking ones", c.osm, differ)
		}
	}
}

func TestBuildRefusesBadSources(t *testing.T) {
	fs, err := gtfs.ParseFeedArg(realdata.Path(t, "quirks", "extended-route-types.zip"), false)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := time.Parse("2006-01-02", "2009-03-03")
	for _, c := range []struct {
		src  Sources
		want string
	}{
		{Sources{GTFS: []gtfs.FeedSource{fs}, OSM: []string{"/nonexistent.osm.pbf"}}, "nonexistent.osm.pbf"},
		{Sources{GTFS: []gtfs.FeedSource{fs}, Schools: []string{"/nonexistent.csv"}}, "nonexistent.csv"},
		{Sources{GTFS: []gtfs.FeedSource{fs}, Offers: []string{"x.csv"}}, "need a school directory"},
		{Sources{GTFS: []gtfs.FeedSource{fs}, Transfers: "bus"}, "transfers"},
		{Sources{}, "no GTFS feed"},
	} {
		_, err := Build(c.src, Options{Date: d})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.src, err, c.want)
		}
	}
}

func TestManifestOfTheSyntheticRegion(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.Generate(dir, synth.Options{}); err != nil {
		t.Fatal(err)
	}
	m, err := ReadManifest(filepath.Join(dir, synth.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	src, err := m.Sources()
	if err != nil {
		t.Fatal(err)
	}
	if len(src.GTFS) != 2 || !src.GTFS[1].School || src.GTFS[0].Name != "bus" || len(src.OSM) != 1 || !filepath.IsAbs(src.OSM[0]) && !strings.HasPrefix(src.OSM[0], dir) {
		t.Fatalf("sources %+v", src)
	}
	d, _ := time.Parse("2006-01-02", m.Date)
	g, err := Build(src, Options{Date: d})
	if err != nil {
		t.Fatal(err)
	}
	school := 0
	for _, s := range g.Timetable.LineSchool {
		if s {
			school++
		}
	}
	if g.Places.NumSchools() != 15 || g.Places.NumOffers() != 50 || school != 2 || g.Meta.Linking.Stops.Fallback != 0 {
		t.Errorf("demo region: %d schools, %d offers, %d school lines, links %+v",
			g.Places.NumSchools(), g.Places.NumOffers(), school, g.Meta.Linking.Stops)
	}
	checkBikeLinks(t, g)
	if _, err := Build(src, Options{Date: d, BikeLimit: MaxBikeLimit + 1}); err == nil || !strings.Contains(err.Error(), "bike limit") {
		t.Errorf("bike limit above the maximum: %v", err)
	}
	for _, bad := range []string{`{"gtfs": []}`, `{"gtfs": [{"path": "x"}], "date": "10/03/2026"}`, `{"gtfs": [{"path": "x"}], "bogus": 1}`, `not json`} {
		p := filepath.Join(t.TempDir(), "region.json")
		os.WriteFile(p, []byte(bad), 0o644)
		if _, err := ReadManifest(p); err == nil || !strings.Contains(err.Error(), "region.json") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// checkBikeLinks checks the cycling links of a graph built with streets:
// every stop and school linked to the walking network is linked to the
// cycling one, on a bikeable segment, within the link limit, and the
// default ride limit is recorded. It returns how many cycling links differ
// from the walking ones.
func checkBikeLinks(t *testing.T, g *graph.Graph) (differ int) {
	t.Helper()
	s := &g.Streets
	for _, c := range []struct {
		walk, bike *graph.Links
	}{
		{&g.StopLinks, &g.StopBikeLinks},
		{&g.SchoolLinks, &g.SchoolBikeLinks},
	} {
		for i := range c.walk.Seg {
			w, b := c.walk.Seg[i], c.bike.Seg[i]
			if w >= 0 && b < 0 && float64(c.walk.Dist[i]) < g.Meta.LinkLimit/2 {
				// Beyond the edge of an extract the nearest bikeable
				// street may lie past the link limit; nearer, never.
				t.Fatalf("point %d linked %.0f m from the walking network, not to the cycling one", i, c.walk.Dist[i])
			}
			if b < 0 {
				continue
			}
			if s.SegFlags[b]&(graph.StreetBike|graph.StreetBikeBack) == 0 || float64(c.bike.Dist[i]) > g.Meta.LinkLimit {
				t.Fatalf("point %d linked to segment %d (flags %#x) by %.0f m", i, b, s.SegFlags[b], c.bike.Dist[i])
			}
			if w != b {
				differ++
			}
		}
	}
	if g.Meta.BikeLimit != DefaultBikeLimit || g.Meta.Linking.BikeStops.Linked == 0 {
		t.Errorf("bike limit %v; %+v", g.Meta.BikeLimit, g.Meta.Linking.BikeStops)
	}
	return differ
}
