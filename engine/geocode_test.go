package engine

import (
	"encoding/json"
	"errors"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"reach/geocode"
	"reach/graph"
	"reach/internal/testregion"
)

func TestParseGeocode(t *testing.T) {
	t.Parallel()
	req, err := ParseGeocode(url.Values{"q": {" rue de strasbourg "}})
	if err != nil || req != (GeocodeRequest{Text: "rue de strasbourg", Limit: geocode.DefaultLimit}) {
		t.Errorf("defaults: %+v, %v", req, err)
	}
	req, err = ParseGeocode(url.Values{"q": {"liberté"}, "limit": {"20"}, "lat": {"48.1"}, "lon": {"-1.68"}})
	if err != nil || req != (GeocodeRequest{Text: "liberté", Limit: 20, Near: true, Lat: 48.1, Lon: -1.68}) {
		t.Errorf("all parameters: %+v, %v", req, err)
	}
	for _, c := range []struct {
		v     url.Values
		param string
	}{
		{url.Values{}, "q"},
		{url.Values{"q": {""}}, "q"},
		{url.Values{"q": {strings.Repeat("a", 201)}}, "q"},
		{url.Values{"q": {"?!"}}, "q"},
		{url.Values{"q": {"rue"}, "limit": {"0"}}, "limit"},
		{url.Values{"q": {"rue"}, "limit": {"21"}}, "limit"},
		{url.Values{"q": {"rue"}, "limit": {"5.5"}}, "limit"},
		{url.Values{"q": {"rue"}, "lat": {"48.1"}}, "lat"}, // the one given alone is at fault
		{url.Values{"q": {"rue"}, "lon": {"-1.6"}}, "lon"},
		{url.Values{"q": {"rue"}, "lat": {"91"}, "lon": {"-1.6"}}, "lat"},
		{url.Values{"q": {"rue"}, "lat": {"48"}, "lon": {"NaN"}}, "lon"},
		{url.Values{"q": {"rue"}, "city": {"Rennes"}}, "city"},
		{url.Values{"q": {"rue", "avenue"}}, "q"},
	} {
		_, err := ParseGeocode(c.v)
		var pe *ParamError
		if !errors.As(err, &pe) || pe.Param != c.param {
			t.Errorf("%v: %v, want an error naming %s", c.v, err, c.param)
		}
	}
	if _, err := ParseGeocode(url.Values{"q": {strings.Repeat("é", 100)}}); err != nil {
		t.Errorf("200 bytes refused: %v", err)
	}
}

// nearestOnStreet returns the distance in metres from a point to the
// nearest shape point of the ways named name.
func nearestOnStreet(s *graph.Streets, name string, lat, lon float64) float64 {
	best := math.Inf(1)
	for g := range s.SegFrom {
		if s.WayName[s.SegWay[g]] != name {
			continue
		}
		for k := s.SegShapeStart[g]; k < s.SegShapeStart[g+1]; k++ {
			best = min(best, graph.Haversine(lat, lon, s.ShapeLat[k], s.ShapeLon[k]))
		}
	}
	return best
}

// first returns the first feature of a search, failing when there is none.
func first(t *testing.T, e *Engine, q string) GeocodeFeature {
	t.Helper()
	req, err := ParseGeocode(url.Values{"q": {q}})
	if err != nil {
		t.Fatal(err)
	}
	doc := e.Geocode(req)
	if len(doc.Features) == 0 {
		t.Fatalf("%q: nothing found", q)
	}
	return doc.Features[0]
}

func TestGeocodeSynth(t *testing.T) {
	t.Parallel()
	e := synthEngine(t)
	g := e.Graph()
	f := first(t, e, "bd de la liberté")
	p, c := f.Properties, f.Geometry.Coordinates
	if f.Type != "Feature" || f.Geometry.Type != "Point" || p.Type != "street" || p.Name != "Boulevard de la Liberté" ||
		p.Label != p.Name || p.Score != 1 || p.HouseNumber != "" || p.Street != "" || !strings.HasPrefix(p.ID, "osm:way/") {
		t.Errorf("feature %+v", f)
	}
	if c[0] != round6(c[0]) || c[1] != round6(c[1]) {
		t.Errorf("coordinates %v not rounded to 6 decimals", c)
	}
	if d := nearestOnStreet(&g.Streets, p.Name, c[1], c[0]); d > 0.1 {
		t.Errorf("the boulevard's point is %.1f m from it", d)
	}
	// Every school by its UAI, in lower case too.
	for s, uai := range g.Places.SchoolID {
		f := first(t, e, strings.ToLower(uai))
		if f.Properties.ID != uai || f.Properties.Type != "school" || f.Properties.Name != g.Places.SchoolName[s] {
			t.Errorf("%s: %+v", uai, f.Properties)
		}
	}
	// Nearness: the two villages' Grande Rue, each first near its village.
	req, _ := ParseGeocode(url.Values{"q": {"grande rue"}})
	doc := e.Geocode(req)
	if len(doc.Features) != 2 || doc.Features[0].Properties.Distance != nil {
		t.Fatalf("grande rue: %+v", doc.Features)
	}
	for _, f := range doc.Features {
		c := f.Geometry.Coordinates
		near, _ := ParseGeocode(url.Values{"q": {"grande rue"}, "lat": {ftoa(c[1] + 0.001)}, "lon": {ftoa(c[0])}})
		d := e.Geocode(near)
		if got := d.Features[0]; got.Properties.ID != f.Properties.ID || got.Properties.Distance == nil ||
			*got.Properties.Distance < 100 || *got.Properties.Distance > 120 {
			t.Errorf("near %v: first %+v, want %s at 111 m", c, got.Properties, f.Properties.ID)
		}
	}
	// Nothing found: an empty list, not null.
	req, _ = ParseGeocode(url.Values{"q": {"xyzzy"}, "limit": {"3"}})
	b, err := json.Marshal(e.Geocode(req))
	if err != nil || string(b) != `{"type":"FeatureCollection","query":"xyzzy","limit":3,"features":[]}` {
		t.Errorf("no result: %s %v", b, err)
	}
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// TestGeocodeRennes is the acceptance check of the address search on the
// Rennes streets (names only, no house numbers): the boulevard is found,
// in Rennes, on the boulevard.
func TestGeocodeRennes(t *testing.T) {
	t.Parallel()
	e := engineOf(t, testregion.Rennes(t))
	g := e.Graph()
	f := first(t, e, "boulevard de la liberte rennes")
	p, c := f.Properties, f.Geometry.Coordinates
	d := nearestOnStreet(&g.Streets, "Boulevard de la Liberté", c[1], c[0])
	t.Logf("boulevard de la liberte rennes: %s (%s, score %v) at %v, %.1f m from the boulevard", p.Label, p.Type, p.Score, c, d)
	if d > 1500 {
		t.Errorf("%.0f m from the boulevard, want within 1.5 km", d)
	}
	if p.Type != "street" || p.Name != "Boulevard de la Liberté" || p.City != "Rennes" || p.Score != 1 || d > 1 {
		t.Errorf("boulevard de la liberte rennes: %+v at %.1f m", p, d)
	}
	// Redon has its own Boulevard de la Liberté (a school's address), not
	// in the graph's streets: never answered for Rennes.
	for _, q := range []string{"boulevard de la liberte redon", "bd liberte cesson sevigne"} {
		req, _ := ParseGeocode(url.Values{"q": {q}})
		if doc := e.Geocode(req); len(doc.Features) != 0 {
			t.Errorf("%q: %+v", q, doc.Features[0].Properties)
		}
	}
	// A school, a stop, a street typed halfway.
	for _, c := range []struct{ q, typ, name string }{
		{"lycee jean jaures", "school", "Lycée professionnel Jean Jaurès"},
		{"0350031u", "school", "Lycée professionnel Jean Jaurès"},
		{"republique", "stop", "République"},
		{"rue de l'horlo", "street", "Rue de l'Horloge"},
		{"bd de la tour d'auv", "street", "Boulevard de la Tour d'Auvergne"},
	} {
		if p := first(t, e, c.q).Properties; p.Type != c.typ || p.Name != c.name {
			t.Errorf("%q: %+v, want the %s %q", c.q, p, c.typ, c.name)
		}
	}
	r := g.Meta.Addresses
	t.Logf("rennes: %+v", *r)
	if r.Schools != 993 || r.OSMHouseNumbers != 0 || r.Streets < 1000 || r.Stops == 0 || r.Entries != r.Streets+r.Schools+r.Stops {
		t.Errorf("rennes entries %+v", *r)
	}
}

// TestGeocodeNantes searches the house numbers of central Nantes
// (OpenStreetMap addr:*, most streets given by associatedStreet
// relations, communes from addr:city or the postcode).
func TestGeocodeNantes(t *testing.T) {
	t.Parallel()
	e := engineOf(t, testregion.Nantes(t))
	g := e.Graph()
	f := first(t, e, "rue de strasbourg nantes")
	p, c := f.Properties, f.Geometry.Coordinates
	d := nearestOnStreet(&g.Streets, "Rue de Strasbourg", c[1], c[0])
	t.Logf("rue de strasbourg nantes: %s (%s) at %v, %.1f m from the street", p.Label, p.Type, c, d)
	if p.Type != "street" || p.Name != "Rue de Strasbourg" || p.City != "Nantes" || p.Postcode != "44000" || d > 1 {
		t.Errorf("rue de strasbourg nantes: %+v at %.1f m", p, d)
	}
	for _, c := range []struct {
		q, name, street string
	}{
		{"12 rue de strasbourg", "12 Rue de Strasbourg", "Rue de Strasbourg"},
		{"12 r. de Strasbourg, Nantes", "12 Rue de Strasbourg", "Rue de Strasbourg"},
		{"18 rue de talensac 44000 nantes", "18 rue de Talensac", "Rue de Talensac"},
		{"5b bd babin chevaye", "5B Boulevard Babin Chevaye", "Boulevard Babin-Chevaye"},
	} {
		f := first(t, e, c.q)
		p, co := f.Properties, f.Geometry.Coordinates
		d := nearestOnStreet(&g.Streets, c.street, co[1], co[0])
		t.Logf("%s: %s (%s) %s at %v, %.0f m from the street", c.q, p.Label, p.Type, p.ID, co, d)
		if p.Type != "housenumber" || p.Name != c.name || p.City != "Nantes" || !strings.HasPrefix(p.ID, "osm:") || d > 60 {
			t.Errorf("%q: %+v at %.0f m from %s", c.q, p, d, c.street)
		}
	}
	r := g.Meta.Addresses
	t.Logf("nantes: %+v", *r)
	if r.OSMHouseNumbers < 7000 || r.OSMHouseNumbers+r.OSMDuplicates != 7901 || r.OSMNoStreet != 2 || r.Streets < 500 || r.Schools != 0 {
		t.Errorf("nantes entries %+v", *r)
	}
	n := 0
	for i, k := range g.Addresses.Kind {
		if k == graph.AddressHouseNumber && g.Addresses.City[i] == "Nantes" {
			n++
		}
	}
	if n != r.OSMHouseNumbers {
		t.Errorf("%d house numbers of %d in Nantes", n, r.OSMHouseNumbers)
	}
}

// BenchmarkGeocode measures searches as a counsellor types them: every
// prefix of a few addresses of the region, and reports the median.
func BenchmarkGeocode(b *testing.B) {
	for _, c := range []struct {
		region  string
		queries []string
	}{
		{"synth", []string{"boulevard de la liberté", "12 rue pasteur", "lycée victor hugo", "grande rue"}},
		{"rennes", []string{"boulevard de la liberte rennes", "12 rue de l'horloge", "lycee jean jaures", "place de la republique"}},
		{"nantes", []string{"rue de strasbourg nantes", "12 rue de strasbourg", "18 rue de talensac 44000 nantes", "commerce"}},
	} {
		b.Run(c.region, func(b *testing.B) {
			var e *Engine
			switch c.region {
			case "rennes":
				e = engineOf(b, testregion.Rennes(b))
			case "nantes":
				e = engineOf(b, testregion.Nantes(b))
			default:
				e = synthEngine(b)
			}
			var reqs []GeocodeRequest
			for _, q := range c.queries {
				for i := 1; i <= len(q); i++ {
					if req, err := ParseGeocode(url.Values{"q": {q[:i]}}); err == nil {
						reqs = append(reqs, req)
					}
				}
			}
			var d []time.Duration
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				e.Geocode(reqs[i%len(reqs)])
				d = append(d, time.Since(start))
			}
			reportMedianMicros(b, d)
		})
	}
}

// reportMedianMicros reports the median and the 99th percentile of the
// durations as p50-µs and p99-µs.
func reportMedianMicros(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds())/1000, "p50-µs")
	b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds())/1000, "p99-µs")
}
