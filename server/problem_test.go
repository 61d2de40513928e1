package server

import (
	"fmt"
	"strings"
	"testing"
)

// TestProblemEchoBounded sends 100 kB values everywhere a value may be
// echoed in a problem: every answer stays small.
func TestProblemEchoBounded(t *testing.T) {
	t.Parallel()
	r := synthRegion(t)
	_, ts := newTestServer(t, Config{AdminToken: "s3cret"}, r.eng)
	big := strings.Repeat("é", 50_000) // 100 kB, multi-byte: cuts must keep valid UTF-8
	word := strings.Repeat("x", 100_000)
	origin := fmt.Sprintf("lat=%v&lon=%v", r.lat, r.lon)
	var many strings.Builder
	for i := range 5_000 {
		fmt.Fprintf(&many, "&p%d=1", i)
	}
	cases := []struct {
		name, method, path string
		status             int
	}{
		{"bad value", "GET", "/v1/reachable?" + origin + "&max_walk=" + word, 400},
		{"unknown value", "GET", "/v1/reachable?" + origin + "&uai=" + word, 404},
		{"unknown school", "GET", "/v1/journey?" + origin + "&uai=" + word, 404},
		{"unknown parameter name", "GET", "/v1/reachable?" + origin + "&" + word + "=1", 400},
		{"many unknown parameters", "GET", "/v1/reachable?" + origin + many.String(), 400},
		{"malformed query string", "GET", "/v1/reachable?" + origin + "&q=" + word + "%zz", 400},
		{"multi-byte value", "GET", "/v1/reachable?" + origin + "&voie=" + big, 400},
		{"long path", "GET", "/v1/" + word, 404},
		{"long path under a prefix", "GET", "/web/" + word, 404},
		{"method on a long query", "DELETE", "/v1/reachable?" + origin + "&q=" + word, 405},
		{"method on a long path", "DELETE", "/web/" + word, 405},
		{"too many parameters", "GET", "/v1/reachable?" + origin + many.String() + many.String() + many.String(), 400},
	}
	for _, c := range cases {
		res := do(t, c.method, ts.URL+c.path, nil)
		if res.status != c.status {
			t.Errorf("%s: status %d, want %d: %.300s", c.name, res.status, c.status, res.body)
			continue
		}
		p := res.problem(t)
		if len(res.body) >= 2000 {
			t.Errorf("%s: %d-byte answer: %.300s", c.name, len(res.body), res.body)
		}
		for _, s := range []string{p.Detail, p.Param, p.Instance} {
			if strings.Contains(s, "\uFFFD") {
				t.Errorf("%s: a cut broke a character: %q", c.name, s)
			}
		}
	}
}
