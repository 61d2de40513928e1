package ingest

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"reach/geocode"
	"reach/graph"
	"reach/ingest/synth"
)

func TestCityNames(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"Nantes Cedex 1": "Nantes", "  Rennes ": "Rennes", "NANTES CEDEX": "NANTES", "Cedex": "Cedex"} {
		if got := cleanCity(in); got != want {
			t.Errorf("cleanCity(%q) = %q, want %q", in, got, want)
		}
	}
	c := newCityNames()
	for _, s := range []string{"NANTES", "NANTES", "NANTES", "Nantes", "nantes", "Nantes Cedex 1", "RENNES", "Saint Malo", "Saint-Malo", "Saint-Malo"} {
		c.add(s)
	}
	for in, want := range map[string]string{"NANTES": "Nantes", "nantes": "Nantes", "RENNES": "RENNES", "Saint Malo": "Saint-Malo", "Brest": "Brest", "": ""} {
		if got := c.canonical(in); got != want {
			t.Errorf("canonical(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFillCities(t *testing.T) {
	t.Parallel()
	const lat, lon = 47.2, -1.55
	hns := []houseNumber{
		{number: "1", postcode: "44000", city: "Nantes", lat: lat, lon: lon},
		{number: "2", postcode: "44000", lat: lat + 0.05, lon: lon},          // far, but its postcode is Nantes'
		{number: "3", lat: lat + 0.0005, lon: lon},                           // 55 m from 1: its commune and postcode
		{number: "4", lat: lat + 0.05, lon: lon + 0.05},                      // alone: nothing
		{number: "5", city: "Nantes", lat: lat, lon: lon + 0.0005},           // a commune, no postcode
		{number: "6", postcode: "35000", lat: lat + 0.1, lon: lon},           // the schools' postcode
		{number: "7", city: "Rezé", lat: lat - 0.0005, lon: lon},             // another commune: no postcode from 1
		{number: "8", postcode: "99999", city: "Ailleurs", lat: 0, lon: 0},   // untouched
		{number: "9", postcode: "44100", city: "Nantes", lat: lat, lon: lon}, // same point as 1, other postcode
	}
	pl := &graph.Places{SchoolPostcode: []string{"35000", "35000"}, SchoolCommune: []string{"Rennes", "RENNES"}}
	fillCities(hns, pl, func(s string) string {
		if s == "RENNES" {
			return "Rennes"
		}
		return s
	})
	want := [][2]string{{"Nantes", "44000"}, {"Nantes", "44000"}, {"Nantes", "44000"}, {"", ""}, {"Nantes", "44000"},
		{"Rennes", "35000"}, {"Rezé", ""}, {"Ailleurs", "99999"}, {"Nantes", "44100"}}
	for i, h := range hns {
		if got := [2]string{h.city, h.postcode}; got != want[i] {
			t.Errorf("house number %s: %q, want %q", h.number, got, want[i])
		}
	}
}

func TestDedupeHouseNumbers(t *testing.T) {
	t.Parallel()
	h := func(num, city string, lat float64, osm bool) houseNumber {
		return houseNumber{number: num, street: "Rue Haute", streetKey: "rue haute", city: city, lat: lat, lon: -1.5, osm: osm}
	}
	hns := []houseNumber{
		h("12", "Nantes", 47.2, false),
		h("12", "NANTES", 47.2001, true), // same, 11 m away: dropped
		h("12", "Nantes", 47.21, true),   // 1.1 km away: kept
		h("12", "Rezé", 47.2, true),      // other commune: kept
		h("12 bis", "Nantes", 47.2, true),
		h("12", "Nantes", 47.2002, false), // dropped, not counted as OSM
	}
	var rep graph.AddressesReport
	out := dedupeHouseNumbers(hns, &rep)
	var got []string
	for _, x := range out {
		got = append(got, x.number+" "+x.city)
	}
	if want := []string{"12 Nantes", "12 Nantes", "12 Rezé", "12 bis Nantes"}; !reflect.DeepEqual(got, want) || rep.OSMDuplicates != 1 {
		t.Errorf("kept %q (%d OSM duplicates), want %q (1)", got, rep.OSMDuplicates, want)
	}
}

func TestStreetRef(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"35238_1120_00012_bis": "35238_1120", "35238_1120_00012": "35238_1120",
		"osm:node/12": "osm:node/12", "ban": "ban", "a_b": "a_b"} {
		if got := streetRef(in); got != want {
			t.Errorf("streetRef(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAddressesOfTheSyntheticRegion builds the synthetic region with the
// address base fixture: every street, school and stop is found by its
// name, at its place.
func TestAddressesOfTheSyntheticRegion(t *testing.T) {
	t.Parallel()
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
	src.Addresses = []string{filepath.Join("ban", "testdata", "adresses-35-fixture.csv")}
	d, _ := time.Parse("2006-01-02", m.Date)
	g, err := Build(src, Options{Date: d})
	if err != nil {
		t.Fatal(err)
	}
	a, rep := &g.Addresses, g.Meta.Addresses
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}

	// Streets: communes are unknown here, so one entry per name and group
	// of ways less than 1 km apart (pieces of a street are a few hundred
	// metres apart, the two villages' "Grande Rue" 5 km).
	s := &g.Streets
	names := map[string][]int32{} // name → ways
	for w, n := range s.WayName {
		if n != "" {
			names[n] = append(names[n], int32(w))
		}
	}
	count := map[string]int{}
	for e := range a.Kind {
		if a.Kind[e] == graph.AddressStreet && a.Ref[e][:4] == "osm:" {
			count[a.Name[e]]++
		}
	}
	groups := 0
	for n, ways := range names {
		want := wayGroups(s, ways, 1000)
		groups += want
		if n == "Grande Rue" && want != 2 {
			t.Errorf("%d groups of ways named Grande Rue, want 2", want)
		}
		if count[n] != want {
			t.Errorf("%d street entries named %q, want %d", count[n], n, want)
		}
		hits := geocode.Search(a, geocode.Query{Text: n})
		if len(hits) == 0 || a.Name[hits[0].Entry] != n || a.Kind[hits[0].Entry] != graph.AddressStreet {
			t.Errorf("%q: first hit %v", n, hits)
			continue
		}
		e := hits[0].Entry
		if d := distanceToWays(s, names[n], a.Lat[e], a.Lon[e]); d > 0.01 {
			t.Errorf("%q: entry %.1f m from its street", n, d)
		}
	}
	if rep.Streets != groups {
		t.Errorf("report: %d streets, want %d", rep.Streets, groups)
	}

	// Schools, by name and by UAI.
	pl := &g.Places
	for sc := range pl.SchoolID {
		for _, q := range []string{pl.SchoolName[sc], pl.SchoolID[sc]} {
			hits := geocode.Search(a, geocode.Query{Text: q})
			if len(hits) == 0 || a.Ref[hits[0].Entry] != pl.SchoolID[sc] || a.Lat[hits[0].Entry] != pl.SchoolLat[sc] {
				t.Errorf("%q: first hit %v, want school %s", q, hits, pl.SchoolID[sc])
			}
		}
	}

	// Stops: each entry stands for the stops of its name around it.
	tt := &g.Timetable
	stops := 0
	for e := range a.Kind {
		if a.Kind[e] != graph.AddressStop {
			continue
		}
		stops++
		s := slices.Index(tt.StopID, a.Ref[e])
		if s < 0 || tt.StopName[s] != a.Name[e] || graph.Haversine(tt.StopLat[s], tt.StopLon[s], a.Lat[e], a.Lon[e]) > stopMergeDist {
			t.Errorf("stop entry %q (%s) does not match its stop", a.Name[e], a.Ref[e])
		}
		hits := geocode.Search(a, geocode.Query{Text: a.Name[e], Limit: 20})
		found := slices.ContainsFunc(hits, func(h geocode.Hit) bool { return h.Entry == int32(e) })
		if !found {
			t.Errorf("stop %q not found by its name", a.Name[e])
		}
	}

	// The address base fixture: its house numbers and the streets only
	// they name (far from the synthetic town's Boulevard de la Liberté).
	hits := geocode.Search(a, geocode.Query{Text: "12 bis boulevard de la liberte rennes"})
	if len(hits) == 0 || a.Ref[hits[0].Entry] != "35238_1120_00012_bis" || a.Name[hits[0].Entry] != "12 bis Boulevard de la Liberté" {
		t.Errorf("12 bis: %v", hits)
	}
	if w := (graph.AddressesReport{Entries: a.NumEntries(), Tokens: len(a.Token), Files: rep.Files,
		Streets: groups, StreetsFromAddresses: 3, CommuneUnknown: groups + stops,
		Schools: 15, Stops: stops}); !reflect.DeepEqual(*rep, w) {
		t.Errorf("report %+v, want %+v", *rep, w)
	}
	if len(rep.Files) != 1 || rep.Files[0].Kept != 5 || a.NumEntries() != groups+3+15+stops+5 {
		t.Errorf("%d entries, files %+v", a.NumEntries(), rep.Files)
	}

	// The index survives the graph file.
	path := filepath.Join(t.TempDir(), "synth.graph")
	if err := graph.Write(path, g); err != nil {
		t.Fatal(err)
	}
	back, err := graph.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Addresses, g.Addresses) || !reflect.DeepEqual(back.Meta.Addresses, g.Meta.Addresses) {
		t.Error("addresses differ after writing and reading the graph")
	}
}

// wayGroups counts the groups of ways linked by shape points less than
// d metres apart (naively, pair by pair).
func wayGroups(s *graph.Streets, ways []int32, d float64) int {
	pts := make([][][2]float64, len(ways))
	for g := range s.SegFrom {
		if i := slices.Index(ways, s.SegWay[g]); i >= 0 {
			for k := s.SegShapeStart[g]; k < s.SegShapeStart[g+1]; k++ {
				pts[i] = append(pts[i], [2]float64{s.ShapeLat[k], s.ShapeLon[k]})
			}
		}
	}
	group := make([]int, len(ways))
	for i := range group {
		group[i] = i
	}
	for changed := true; changed; {
		changed = false
		for i := range ways {
			for j := range ways {
				if group[j] >= group[i] {
					continue
				}
				for _, p := range pts[i] {
					if slices.ContainsFunc(pts[j], func(q [2]float64) bool { return graph.Haversine(p[0], p[1], q[0], q[1]) < d }) {
						group[i], changed = group[j], true
						break
					}
				}
			}
		}
	}
	slices.Sort(group)
	return len(slices.Compact(group))
}

// distanceToWays returns the distance in metres from a point to the
// nearest shape point of the given ways.
func distanceToWays(s *graph.Streets, ways []int32, lat, lon float64) float64 {
	best := math.Inf(1)
	for g := range s.SegFrom {
		if !slices.Contains(ways, s.SegWay[g]) {
			continue
		}
		for k := s.SegShapeStart[g]; k < s.SegShapeStart[g+1]; k++ {
			best = min(best, graph.Haversine(lat, lon, s.ShapeLat[k], s.ShapeLon[k]))
		}
	}
	return best
}

func TestManifestAddresses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct {
		json string
		want []string
	}{
		{`"addresses": "adresses-35.csv"`, []string{filepath.Join(dir, "adresses-35.csv")}},
		{`"addresses": ["adresses-35.csv", "/data/adresses-44.csv"]`, []string{filepath.Join(dir, "adresses-35.csv"), "/data/adresses-44.csv"}},
		{`"osm": "x.osm"`, nil},
	} {
		p := filepath.Join(dir, "region.json")
		if err := os.WriteFile(p, []byte(`{"gtfs": [{"path": "g.zip"}], `+c.json+`}`), 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := ReadManifest(p)
		if err != nil {
			t.Fatal(err)
		}
		src, err := m.Sources()
		if err != nil || !reflect.DeepEqual(src.Addresses, c.want) {
			t.Errorf("%s: addresses %q (%v), want %q", c.json, src.Addresses, err, c.want)
		}
	}
}
