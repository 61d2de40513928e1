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
