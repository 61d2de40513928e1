package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gorilla/mux"
)

// oaParam is a parameter of the OpenAPI document, references resolved.
type oaParam struct {
	Name       string          `json:"name"`
	Deprecated bool            `json:"deprecated"`
	In         string          `json:"in"`
	Required   bool            `json:"required"`
	Example    json.RawMessage `json:"example"`
	Ref        string          `json:"$ref"`
}

type oaOp struct {
	Parameters []oaParam `json:"parameters"`
	Responses  map[string]struct {
		Ref     string `json:"$ref"`
		Content map[string]struct {
			Schema struct {
				Ref string `json:"$ref"`
			} `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

type oaDoc struct {
	OpenAPI    string                     `json:"openapi"`
	Paths      map[string]map[string]oaOp `json:"paths"`
	Components struct {
		Parameters map[string]oaParam `json:"parameters"`
		Schemas    map[string]struct {
			Required []string `json:"required"`
		} `json:"schemas"`
	} `json:"components"`
}

func loadOpenAPI(t *testing.T) *oaDoc {
	t.Helper()
	var d oaDoc
	if err := json.Unmarshal(openAPI, &d); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(d.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", d.OpenAPI)
	}
	for path, ops := range d.Paths {
		for method, op := range ops {
			for i, p := range op.Parameters {
				if p.Ref != "" {
					name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/")
					q, found := d.Components.Parameters[name]
					if !ok || !found {
						t.Fatalf("%s %s: dangling reference %s", method, path, p.Ref)
					}
					op.Parameters[i] = q
				}
			}
		}
	}
	return &d
}

// TestOpenAPIRoutes walks the router: every route is documented with its
// methods, every documented operation exists, and each API route's query
// parameters are exactly the documented ones.
func TestOpenAPIRoutes(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	// With a token, so that every route exists, the admin one too.
	s, _ := newTestServer(t, Config{AdminToken: "s3cret"}, nil)
	routes := map[string][]string{} // documented path → methods
	err := s.mux.Walk(func(r *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		path, err := r.GetPathTemplate()
		if err != nil {
			return err
		}
		if strings.HasSuffix(path, "/") && path != "/" {
			path += "{file}" // a prefix route serves files
		}
		methods, err := r.GetMethods()
		if err != nil {
			return fmt.Errorf("route %s has no methods: %w", path, err)
		}
		for _, m := range methods {
			if m != http.MethodHead {
				routes[path] = append(routes[path], strings.ToLower(m))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for path, methods := range routes {
		for _, m := range methods {
			if _, ok := doc.Paths[path][m]; !ok {
				t.Errorf("route %s %s is not documented", m, path)
			}
		}
	}
	for path, ops := range doc.Paths {
		for m := range ops {
			if !slices.Contains(routes[path], m) {
				t.Errorf("documented %s %s has no route", m, path)
			}
		}
	}
	api := map[string]apiRoute{}
	for _, rt := range s.apiRoutes() {
		api[rt.path] = rt
	}
	for path, ops := range doc.Paths {
		for m, op := range ops {
			var documented, accepted []string
			for _, p := range op.Parameters {
				if p.In == "query" {
					documented = append(documented, fmt.Sprintf("%s required=%v", p.Name, p.Required))
				}
			}
			params := api[path].params
			if path == "/v1/admin/reload" {
				params = reloadParams()
			}
			for _, p := range params {
				accepted = append(accepted, fmt.Sprintf("%s required=%v", p.Name, p.Required))
				for _, a := range p.Aliases {
					accepted = append(accepted, fmt.Sprintf("%s required=false", a))
				}
			}
			sort.Strings(documented)
			sort.Strings(accepted)
			if !slices.Equal(documented, accepted) {
				t.Errorf("%s %s: documented parameters %v, the handler accepts %v", m, path, documented, accepted)
			}
		}
	}
}

// TestOpenAPIExamples sends every documented query parameter, with its
// example value, to its route: none is refused as unknown and none gives
// a 5xx. On Rennes (the examples' region) all examples together answer
// 200 with the documented required fields.
func TestOpenAPIExamples(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	r := synthRegion(t)
	_, ts := newTestServer(t, Config{}, r.eng)
	base := url.Values{"lat": {fmt.Sprint(r.lat)}, "lon": {fmt.Sprint(r.lon)}, "uai": {r.uai}, "q": {"boulevard de la liberte"},
		"bbox": {fmt.Sprintf("%v,%v,%v,%v", r.lon-0.05, r.lat-0.05, r.lon+0.05, r.lat+0.05)}}
	for path, ops := range doc.Paths {
		op, ok := ops["get"]
		if !ok || !strings.HasPrefix(path, "/v1/") {
			continue
		}
		for _, p := range op.Parameters {
			v := url.Values{}
			for _, q := range op.Parameters {
				if q.Required {
					v.Set(q.Name, base.Get(q.Name))
				}
			}
			v.Set(p.Name, example(t, p))
			res := get(t, ts.URL+path+"?"+v.Encode())
			if res.status >= 500 {
				t.Errorf("%s?%s: %d %s", path, v.Encode(), res.status, res.body)
			}
			if res.status >= 400 {
				if pr := res.problem(t); pr.Type == typeUnknownParam || pr.Param != p.Name {
					t.Errorf("%s?%s: %s naming %q: %s", path, v.Encode(), pr.Type, pr.Param, pr.Detail)
				}
			}
		}
	}

	t.Run("rennes", func(t *testing.T) {
		_, ts := newTestServer(t, Config{}, rennesRegion(t).eng)
		for path, ops := range doc.Paths {
			op, ok := ops["get"]
			if !ok || !strings.HasPrefix(path, "/v1/") {
				continue
			}
			v := url.Values{}
			for _, p := range op.Parameters {
				if !p.Deprecated { // aliases: one name at a time
					v.Set(p.Name, example(t, p))
				}
			}
			res := get(t, ts.URL+path+"?"+v.Encode())
			if res.status != 200 {
				t.Errorf("%s?%s: %d %s", path, v.Encode(), res.status, res.body)
				continue
			}
			for _, c := range op.Responses["200"].Content {
				name, _ := strings.CutPrefix(c.Schema.Ref, "#/components/schemas/")
				var got map[string]json.RawMessage
				res.decode(t, &got)
				for _, f := range doc.Components.Schemas[name].Required {
					if _, ok := got[f]; !ok {
						t.Errorf("%s: answer lacks %q, required by schema %s", path, f, name)
					}
				}
			}
		}
	})
}

// example returns a documented example as a query value.
func example(t *testing.T, p oaParam) string {
	t.Helper()
	if len(p.Example) == 0 {
		t.Fatalf("parameter %s has no example", p.Name)
	}
	var s string
	if json.Unmarshal(p.Example, &s) == nil {
		return s
	}
	return string(p.Example)
}

// TestOpenAPIDescriptions requires a description on every parameter (of
// the components and of the operations) and on every property of every
// schema, nested ones included.
func TestOpenAPIDescriptions(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	described := func(v any) bool {
		m, _ := v.(map[string]any)
		s, _ := m["description"].(string)
		return strings.TrimSpace(s) != ""
	}
	var params, paramsDone, props, propsDone int
	var missing []string
	components, _ := doc["components"].(map[string]any)
	for name, p := range obj(components["parameters"]) {
		params++
		if described(p) {
			paramsDone++
		} else {
			missing = append(missing, "parameter "+name)
		}
	}
	for path, ops := range obj(doc["paths"]) {
		for method, op := range obj(ops) {
			ps, _ := obj(op)["parameters"].([]any)
			for _, p := range ps {
				if _, ref := obj(p)["$ref"]; ref {
					continue // counted with the components
				}
				params++
				if described(p) {
					paramsDone++
				} else {
					missing = append(missing, fmt.Sprintf("parameter %v of %s %s", obj(p)["name"], method, path))
				}
			}
		}
	}
	var walk func(node any, at string)
	walk = func(node any, at string) {
		m := obj(node)
		if m == nil {
			return
		}
		for name, p := range obj(m["properties"]) {
			props++
			if described(p) {
				propsDone++
			} else {
				missing = append(missing, "property "+at+"."+name)
			}
			walk(p, at+"."+name)
		}
		walk(m["items"], at+"[]")
		for _, k := range []string{"allOf", "oneOf", "anyOf"} {
			alts, _ := m[k].([]any)
			for _, a := range alts {
				walk(a, at)
			}
		}
	}
	for name, s := range obj(components["schemas"]) {
		walk(s, name)
	}
	if params < 30 || props < 150 {
		t.Fatalf("only %d parameters and %d properties found: is the walk broken?", params, props)
	}
	t.Logf("described: %d of %d parameters, %d of %d properties", paramsDone, params, propsDone, props)
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("%s has no description", m)
	}
}

// obj is v as a JSON object (nil when it is not one).
func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// TestOpenAPIAnswersDocumented asks every GET route of the API on the
// synthetic region and checks that each field of the answers is a
// documented property of the route's response schema.
func TestOpenAPIAnswersDocumented(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	schemas := obj(obj(doc["components"])["schemas"])
	r := synthRegion(t)
	_, ts := newTestServer(t, Config{}, r.eng)
	origin := fmt.Sprintf("lat=%v&lon=%v", r.lat, r.lon)
	box := fmt.Sprintf("%v,%v,%v,%v", r.lon-0.02, r.lat-0.02, r.lon+0.02, r.lat+0.02)
	asks := []struct{ path, query string }{
		{"/v1/reachable", origin + "&per_page=500"},
		{"/v1/reachable", origin + "&group=school&per_page=500"},
		{"/v1/reachable", origin + "&include_unreachable=true&per_page=500&max_minutes=20"},
		{"/v1/isochrone", origin + "&rings=true"},
		{"/v1/isochrone", origin + "&format=h3"},
		{"/v1/journey", origin + "&uai=" + r.uai},
		{"/v1/schools", "bbox=" + box},
		{"/v1/streets", "bbox=" + box},
		{"/v1/graph", ""},
		{"/v1/geocode", "q=place&" + origin},
	}
	for _, a := range asks {
		op := obj(obj(obj(doc["paths"])[a.path])["get"])
		var schema any
		for _, c := range obj(obj(obj(op["responses"])["200"])["content"]) {
			schema = obj(c)["schema"]
		}
		res := get(t, ts.URL+a.path+"?"+a.query)
		if res.status != 200 || schema == nil {
			t.Errorf("%s?%s: status %d, schema %v", a.path, a.query, res.status, schema)
			continue
		}
		var answer any
		res.decode(t, &answer)
		var undocumented []string
		checkDocumented(answer, schema, schemas, a.path, &undocumented)
		for _, u := range undocumented {
			t.Errorf("%s?%s: %s is not in the schema", a.path, a.query, u)
		}
	}
}

// checkDocumented walks a JSON value beside its schema and lists the
// object fields the schema does not name. A schema object without
// properties is free-form.
func checkDocumented(v, schema any, schemas map[string]any, at string, out *[]string) {
	// The properties and item schemas the schema allows, references and
	// compositions resolved.
	props := map[string][]any{}
	var items []any
	freeForm := false
	var collect func(s any)
	collect = func(s any) {
		m := obj(s)
		if m == nil {
			return
		}
		if ref, ok := m["$ref"].(string); ok {
			name, _ := strings.CutPrefix(ref, "#/components/schemas/")
			collect(schemas[name])
			return
		}
		ps, hasProps := m["properties"]
		for name, p := range obj(ps) {
			props[name] = append(props[name], p)
		}
		if it, ok := m["items"]; ok {
			items = append(items, it)
		}
		alts := false
		for _, k := range []string{"allOf", "oneOf", "anyOf"} {
			l, _ := m[k].([]any)
			for _, a := range l {
				alts = true
				collect(a)
			}
		}
		if !hasProps && !alts && m["type"] == "object" {
			freeForm = true
		}
	}
	collect(schema)
	switch x := v.(type) {
	case map[string]any:
		if freeForm {
			return
		}
		for k, val := range x {
			ss, ok := props[k]
			if !ok {
				*out = append(*out, at+"."+k)
				continue
			}
			for _, s := range ss {
				checkDocumented(val, s, schemas, at+"."+k, out)
			}
		}
	case []any:
		for _, e := range x {
			for _, s := range items {
				checkDocumented(e, s, schemas, at+"[]", out)
			}
		}
	}
}
