package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"reach/graph"
	"reach/ingest/synth"
)

// TestBuildNomenclature builds with `--nomenclature` (twice: N_MEF and
// N_FORMATION_DIPLOME) and checks the report's unnamed_offer count, the
// graph's offer names and the text of inspect.
func TestBuildNomenclature(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.Generate(dir, synth.Options{}); err != nil {
		t.Fatal(err)
	}
	fixture := func(name string) string { return filepath.Join("..", "..", "ingest", "schools", "testdata", name) }
	out, report := filepath.Join(dir, "names.graph"), filepath.Join(dir, "report.json")
	code, _, stderr := reach("build", "--gtfs", filepath.Join(dir, synth.FeedDir), "--date", synth.Date,
		"--schools", fixture("annuaire-fixture.csv"), "--offers", fixture("affelnet-2nde-fixture.csv"),
		"--nomenclature", fixture("bcn-n-mef-fixture.csv"), "--nomenclature", fixture("bcn-n-formation-diplome-fixture.csv"),
		"--out", out, "--report", report)
	if code != 0 {
		t.Fatalf("build exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var s graph.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	// Placed 2nde offers: 23810031211 (named), 23210025524 and 99990099999
	// (unknown to the fixtures, shown as codes).
	if s.Places == nil || len(s.Places.Offers) != 1 || len(s.Places.Nomenclature) != 2 {
		t.Fatalf("report places %+v", s.Places)
	}
	if o := s.Places.Offers[0]; o.Joined != 3 || o.Named != 1 || o.Unnamed != 2 || len(o.UnnamedExamples) != 2 {
		t.Errorf("offer report %+v", o)
	}
	if !strings.Contains(string(b), `"unnamed_offer": 2`) {
		t.Errorf("report JSON lacks unnamed_offer: %.300s", b)
	}
	g, err := graph.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	named := 0
	for o := 0; o < g.Places.NumOffers(); o++ {
		if g.Places.OfferLabel[o] == "Bac pro Métiers de la relation client 2nde commune" {
			named++
		}
	}
	if named != 1 {
		t.Errorf("%d named offers in the graph: %q", named, g.Places.OfferLabel)
	}
	code, stdout, _ := reach("inspect", out)
	if code != 0 || !strings.Contains(stdout, "named from the nomenclature: 1; unnamed_offer (shown as a code): 2") {
		t.Errorf("inspect: %s", stdout)
	}
}
