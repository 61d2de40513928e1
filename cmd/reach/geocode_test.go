package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"reach/graph"
	"reach/ingest/synth"
)

// TestBuildAddressesAndQueryByAddress builds the synthetic region with an
// address base file, then queries from an address instead of a point.
func TestBuildAddressesAndQueryByAddress(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.Generate(dir, synth.Options{}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "g.graph")
	ban := filepath.Join("..", "..", "ingest", "ban", "testdata", "adresses-35-fixture.csv")
	code, _, stderr := reach("build", "--manifest", filepath.Join(dir, synth.ManifestFile), "--addresses", ban, "--out", out)
	if code != 0 {
		t.Fatalf("build exit %d: %s", code, stderr)
	}
	code, stdout, stderr := reach("inspect", "--json", out)
	if code != 0 {
		t.Fatal(stderr)
	}
	var s graph.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatal(err)
	}
	if a := s.Addresses; a == nil || len(a.Files) != 1 || a.Files[0].Kept != 5 || a.Schools != 15 || a.Streets == 0 || a.Stops == 0 {
		t.Fatalf("addresses report %+v", s.Addresses)
	}
	if _, stdout, _ := reach("inspect", out); !strings.Contains(stdout, "  addresses: ") || !strings.Contains(stdout, "adresses-35-fixture.csv: 9 rows, 5 house numbers kept") {
		t.Errorf("inspect does not tell the addresses:\n%s", stdout)
	}

	code, byAddress, stderr := reach("query", "--graph", out, "--address", "Bd de la Libert", "--per-page", "3")
	if code != 0 {
		t.Fatalf("query --address: exit %d: %s", code, stderr)
	}
	m := regexp.MustCompile(`^address: "Bd de la Libert" is Boulevard de la Liberté \(street osm:way/\d+, score 0\.\d+\) at (\S+), (\S+)\n$`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("stderr %q", stderr)
	}
	code, byPoint, stderr := reach("query", "--graph", out, "--lat", m[1], "--lon", m[2], "--per-page", "3")
	if code != 0 || byPoint != byAddress || !strings.Contains(byPoint, `"reachable_offers"`) {
		t.Errorf("query from the address's point (exit %d, %s) differs from the query by address", code, stderr)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--address", "xyzzy"}, `--address "xyzzy": no address, street, school or stop of this graph matches`},
		{[]string{"--address", "?!"}, "--address: "},
		{[]string{"--address", "rue pasteur", "--lat", "47"}, "--address replaces --lat and --lon"},
		// The address base's Rennes is far from the synthetic town.
		{[]string{"--address", "12 bis bd de la liberte rennes"}, "lat"},
	} {
		code, _, stderr := reach(append([]string{"query", "--graph", out}, c.args...)...)
		if code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, stderr, c.want)
		}
	}
}
