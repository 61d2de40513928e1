package server

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"reach/engine"
)

// TestExamplePlace checks the place a link to the page opens on: the page
// answers at that link, and schools with offers are within reach from it.
func TestExamplePlace(t *testing.T) {
	t.Parallel()
	if _, ok := mustNew(t).ExamplePlace(); ok {
		t.Error("an example place without a graph")
	}
	t.Run("synth", func(t *testing.T) { testExamplePlace(t, synthRegion(t)) })
	t.Run("rennes", func(t *testing.T) { testExamplePlace(t, rennesRegion(t)) })
}

func testExamplePlace(t *testing.T, r *region) {
	s, ts := newTestServer(t, Config{}, r.eng)
	p, ok := s.ExamplePlace()
	if !ok || p.Name == "" {
		t.Fatalf("example place %+v, %v", p, ok)
	}
	link := PageLink(ts.URL, p)
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Path != "/" || q.Get("address") != p.Name || q.Get("lat") != fmt.Sprintf("%.6f", p.Lat) || q.Get("lon") != fmt.Sprintf("%.6f", p.Lon) {
		t.Errorf("link %s for %+v", link, p)
	}
	res := get(t, link)
	if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "text/html") {
		t.Errorf("%s answers %d %s", link, res.status, res.header.Get("Content-Type"))
	}
	var a engine.Answer
	get(t, ts.URL+"/v1/reachable?lat="+q.Get("lat")+"&lon="+q.Get("lon")).decode(t, &a)
	if a.Summary.Reachable == 0 {
		t.Errorf("no offer within reach of the example place %+v", p)
	}
	t.Logf("%s (%d offers within reach)", link, a.Summary.Reachable)
}

// mustNew is a server without a graph.
func mustNew(t *testing.T) *Server {
	t.Helper()
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
