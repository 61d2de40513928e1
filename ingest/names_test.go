package ingest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"reach/ingest/gtfs"
	"reach/ingest/synth"
)

// schoolFixture is a file of the school readers' test data.
func schoolFixture(name string) string {
	return filepath.Join("schools", "testdata", name)
}

// TestBuildNamesOffers builds the synthetic region's timetable with the
// school readers' fixtures: the nomenclature names the 2nde offer at
// 23810031211, and the report counts the offers still shown as a code
// (unnamed_offer) with examples, and the schools with boarding.
func TestBuildNamesOffers(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.Generate(dir, synth.Options{}); err != nil {
		t.Fatal(err)
	}
	fs, err := gtfs.ParseFeedArg(filepath.Join(dir, synth.FeedDir), false)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := time.Parse("2006-01-02", synth.Date)
	src := Sources{
		GTFS:         []gtfs.FeedSource{fs},
		Schools:      []string{schoolFixture("annuaire-details-fixture.csv")},
		Offers:       []string{schoolFixture("affelnet-2nde-fixture.csv")},
		Nomenclature: []string{schoolFixture("bcn-n-mef-fixture.csv"), schoolFixture("bcn-n-formation-diplome-fixture.csv")},
	}
	g, err := Build(src, Options{Date: d})
	if err != nil {
		t.Fatal(err)
	}
	p := g.Meta.Places
	if p == nil || len(p.Offers) != 1 || len(p.Nomenclature) != 2 {
		t.Fatalf("places report %+v", p)
	}
	// Placed: 0350901P's offer at 23810031211 (named) and 0350903S's at
	// 23210025524 (unknown to the fixtures); 0350910Z is not in this
	// directory.
	o := p.Offers[0]
	if o.Joined != 2 || o.Named != 1 || o.Unnamed != 1 || len(o.UnnamedExamples) != 1 ||
		!strings.HasPrefix(o.UnnamedExamples[0], "affelnet-2nde-fixture.csv:3: UAI 0350903S: code 23210025524") {
		t.Errorf("offer report %+v", o)
	}
	if n := p.Nomenclature[0]; n.Table != "N_MEF" || n.Encoding != "Windows-1252" || n.Rows != 7 || n.Codes != 4 || len(n.Drops) != 3 {
		t.Errorf("N_MEF report %+v", n)
	}
	if p.Boarding != 2 {
		t.Errorf("%d schools with boarding, want 2", p.Boarding)
	}
	pl := &g.Places
	s, ok := pl.SchoolByUAI("0350901P")
	if !ok {
		t.Fatal("0350901P not placed")
	}
	first, end := pl.OffersOf(s)
	if end-first != 1 || pl.OfferLabel[first] != "Bac pro Métiers de la relation client 2nde commune" || pl.OfferLevel[first] != "Bac Pro" {
		t.Errorf("0350901P offers %q", pl.OfferLabel[first:end])
	}
	if !pl.SchoolBoarding[s] || !pl.SchoolApprentissage[s] || pl.SchoolOnisepURL[s] == "" {
		t.Errorf("0350901P details: %v %v %q", pl.SchoolBoarding[s], pl.SchoolApprentissage[s], pl.SchoolOnisepURL[s])
	}

	// Without the nomenclature both offers are shown as codes.
	src.Nomenclature = nil
	g, err = Build(src, Options{Date: d})
	if err != nil {
		t.Fatal(err)
	}
	if o := g.Meta.Places.Offers[0]; o.Named != 0 || o.Unnamed != 2 || g.Meta.Places.Nomenclature != nil {
		t.Errorf("without a nomenclature: %+v", o)
	}

	// A nomenclature file that is not one fails the build, naming it; a
	// nomenclature without schools is refused.
	src.Nomenclature = []string{schoolFixture("affelnet-2nde-fixture.csv")}
	if _, err := Build(src, Options{Date: d}); err == nil || !strings.Contains(err.Error(), "affelnet-2nde-fixture.csv:1") {
		t.Errorf("bad nomenclature: %v", err)
	}
	src.Schools, src.Offers = nil, nil
	if _, err := Build(src, Options{Date: d}); err == nil || !strings.Contains(err.Error(), "nomenclature") {
		t.Errorf("nomenclature without schools: %v", err)
	}
}

func TestManifestNomenclature(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "region.json")
	m := `{"gtfs": [{"path": "gtfs"}], "schools": "a.csv", "nomenclature": ["bcn/n_mef.csv", "/abs/n_formation_diplome.csv"]}`
	if err := os.WriteFile(p, []byte(m), 0o644); err != nil {
		t.Fatal(err)
	}
	man, err := ReadManifest(p)
	if err != nil {
		t.Fatal(err)
	}
	src, err := man.Sources()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(dir, "bcn", "n_mef.csv"), "/abs/n_formation_diplome.csv"}; !reflect.DeepEqual(src.Nomenclature, want) {
		t.Errorf("nomenclature %q, want %q", src.Nomenclature, want)
	}
}
