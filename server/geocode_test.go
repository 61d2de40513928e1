package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"reach/engine"
)

func TestGeocode(t *testing.T) {
	t.Parallel()
	r := synthRegion(t)
	_, ts := newTestServer(t, Config{}, r.eng)
	res := get(t, ts.URL+"/v1/geocode?q="+url.QueryEscape("Bd de la Liberté"))
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "application/geo+json" ||
		res.header.Get("X-Graph-Build") != r.eng.Graph().Meta.BuildID {
		t.Fatalf("%d %q: %s", res.status, res.header.Get("Content-Type"), res.body)
	}
	var doc engine.GeocodeDoc
	res.decode(t, &doc)
	if doc.Type != "FeatureCollection" || doc.Query != "Bd de la Liberté" || doc.Limit != 5 || len(doc.Features) == 0 {
		t.Fatalf("answer %+v", doc)
	}
	f := doc.Features[0]
	if p := f.Properties; p.Name != "Boulevard de la Liberté" || p.Type != "street" || p.Score != 1 || f.Geometry.Type != "Point" {
		t.Errorf("first feature %+v", f)
	}
	// The raw JSON has the national address API's shape.
	var raw struct {
		Features []struct {
			Geometry   map[string]json.RawMessage `json:"geometry"`
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"features"`
	}
	res.decode(t, &raw)
	for _, k := range []string{"label", "score", "type", "name", "postcode", "city", "id"} {
		if _, ok := raw.Features[0].Properties[k]; !ok {
			t.Errorf("properties lack %q: %v", k, raw.Features[0].Properties)
		}
	}
	if _, ok := raw.Features[0].Properties["distance"]; ok {
		t.Error("distance without lat, lon")
	}

	// With a point: the distance, and the limit.
	res = get(t, fmt.Sprintf("%s/v1/geocode?q=rue&limit=2&lat=%v&lon=%v", ts.URL, r.lat, r.lon))
	doc = engine.GeocodeDoc{}
	res.decode(t, &doc)
	if res.status != http.StatusOK || len(doc.Features) != 2 || doc.Features[0].Properties.Distance == nil {
		t.Errorf("near: %d %s", res.status, res.body)
	}

	for _, c := range []struct {
		query, param, typ string
	}{
		{"", "q", typeInvalidParam},
		{"q=", "q", typeInvalidParam},
		{"q=" + strings.Repeat("x", 201), "q", typeInvalidParam},
		{"q=%2C%3B", "q", typeInvalidParam}, // ",;": no word
		{"q=rue&limit=21", "limit", typeInvalidParam},
		{"q=rue&lat=47", "lat", typeInvalidParam},
		{"q=rue&lat=47&lon=west", "lon", typeInvalidParam},
		{"q=rue&city=Sancerval", "city", typeUnknownParam},
	} {
		res := get(t, ts.URL+"/v1/geocode?"+c.query)
		if res.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", c.query, res.status, res.body)
			continue
		}
		if p := res.problem(t); p.Param != c.param || p.Type != c.typ {
			t.Errorf("%s: problem %+v, want %s naming %s", c.query, p, c.typ, c.param)
		}
	}
}

// TestGeocodeNotLimited checks that address searches are answered while
// every routing worker is busy and the queue is full.
func TestGeocodeNotLimited(t *testing.T) {
	t.Parallel()
	r := synthRegion(t)
	s, ts := newTestServer(t, Config{MaxInflight: 1, MaxQueue: -1}, r.eng)
	if !s.limit.acquire(context.Background()) {
		t.Fatal("cannot take the only slot")
	}
	defer s.limit.release()
	bbox := fmt.Sprintf("%v,%v,%v,%v", r.lon-0.01, r.lat-0.01, r.lon+0.01, r.lat+0.01)
	if res := get(t, ts.URL+"/v1/schools?bbox="+bbox); res.status != http.StatusServiceUnavailable {
		t.Fatalf("schools with every slot taken: %d, want 503 (the test checks nothing)", res.status)
	}
	if res := get(t, ts.URL+"/v1/geocode?q=lycee"); res.status != http.StatusOK {
		t.Errorf("geocode with every slot taken: %d %s", res.status, res.body)
	}
}

// TestGeocodeRennes runs the acceptance query through the server.
func TestGeocodeRennes(t *testing.T) {
	t.Parallel()
	r := rennesRegion(t)
	_, ts := newTestServer(t, Config{}, r.eng)
	res := get(t, ts.URL+"/v1/geocode?q="+url.QueryEscape("boulevard de la liberte rennes"))
	var doc engine.GeocodeDoc
	res.decode(t, &doc)
	if res.status != http.StatusOK || len(doc.Features) == 0 {
		t.Fatalf("%d %s", res.status, res.body)
	}
	c := doc.Features[0].Geometry.Coordinates
	// The boulevard runs along latitude 48.1074, longitude -1.684..-1.673.
	if p := doc.Features[0].Properties; p.Label != "Boulevard de la Liberté 35000 Rennes" ||
		!(c[1] > 48.107 && c[1] < 48.109 && c[0] > -1.685 && c[0] < -1.673) {
		t.Errorf("first result %+v at %v", p, c)
	}
}

// TestOpenAPIGeocodeDescribed checks that the address search's parameters
// and every property of its answer are described in /openapi.json.
func TestOpenAPIGeocodeDescribed(t *testing.T) {
	t.Parallel()
	var doc struct {
		Paths      map[string]map[string]struct{ Parameters []map[string]any } `json:"paths"`
		Components struct {
			Parameters map[string]map[string]any `json:"parameters"`
			Schemas    map[string]any            `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	params := doc.Paths["/v1/geocode"]["get"].Parameters
	if len(params) != len(engine.GeocodeParams()) {
		t.Fatalf("%d parameters documented", len(params))
	}
	for _, p := range params {
		ref, _ := p["$ref"].(string)
		q := doc.Components.Parameters[strings.TrimPrefix(ref, "#/components/parameters/")]
		if d, _ := q["description"].(string); d == "" {
			t.Errorf("parameter %s (%s) has no description", q["name"], ref)
		}
	}
	n := 0
	var walk func(path string, schema map[string]any)
	walk = func(path string, schema map[string]any) {
		if items, ok := schema["items"].(map[string]any); ok {
			walk(path+"[]", items)
		}
		props, _ := schema["properties"].(map[string]any)
		for name, p := range props {
			pm := p.(map[string]any)
			n++
			if d, _ := pm["description"].(string); d == "" {
				t.Errorf("property %s.%s has no description", path, name)
			}
			walk(path+"."+name, pm)
		}
	}
	walk("Geocode", doc.Components.Schemas["Geocode"].(map[string]any))
	if n < 15 {
		t.Errorf("only %d properties walked", n)
	}
}
