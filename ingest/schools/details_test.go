package schools

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestDirectoryDetails reads boarding, apprenticeship and the Onisep page
// from the directory, merging multi-line establishments, and upper-cases a
// lower-case UAI.
func TestDirectoryDetails(t *testing.T) {
	d, err := ReadDirectory(filepath.Join("testdata", "annuaire-details-fixture.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if got := dropCounts(d.Drops); !reflect.DeepEqual(got, map[string]int{"duplicate_uai_merged": 2, "bad_onisep_url": 1}) {
		t.Errorf("drops %v", got)
	}
	checkExamples(t, d.Drops, "annuaire-details-fixture.csv")
	for _, c := range []struct {
		id                   string
		boarding, apprentice bool
		onisep               string
	}{
		// Two lines: flags OR-ed, the first page kept.
		{"0350901P", true, true, "https://www.onisep.fr/http/redirection/etablissement/slug/ENS.1"},
		{"0350902R", false, false, ""},
		// Written "0350903s"; its Fiche_onisep is not an address.
		{"0350903S", false, false, ""},
		// The second line brings boarding and the page.
		{"0350909Y", true, false, "https://www.onisep.fr/http/redirection/etablissement/slug/ENS.9"},
	} {
		s := schoolByID(d, c.id)
		if s == nil || s.Boarding != c.boarding || s.Apprentice != c.apprentice || s.OnisepURL != c.onisep {
			t.Errorf("%s: %+v, want boarding %v apprentice %v onisep %q", c.id, s, c.boarding, c.apprentice, c.onisep)
		}
	}
	p, rep, err := Join(d)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Boarding != 2 || p.NumSchools() != 4 {
		t.Errorf("%d schools, %d with boarding", p.NumSchools(), rep.Boarding)
	}
	s, ok := p.SchoolByUAI("0350901P")
	if !ok || !p.SchoolBoarding[s] || !p.SchoolApprentissage[s] || !strings.HasSuffix(p.SchoolOnisepURL[s], "ENS.1") {
		t.Errorf("places 0350901P: boarding %v apprentices %v onisep %q", p.SchoolBoarding[s], p.SchoolApprentissage[s], p.SchoolOnisepURL[s])
	}
	if _, ok := p.SchoolByUAI("0350903S"); !ok {
		t.Error("0350903s should be placed as 0350903S")
	}
	// The older directory without these columns reads them as absent.
	old, err := ReadDirectory(filepath.Join("testdata", "annuaire-fixture.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range old.Schools {
		if s.Boarding || s.Apprentice || s.OnisepURL != "" {
			t.Errorf("%s: details without the columns: %+v", s.ID, s)
		}
	}
}

// TestLocationsDetails reads the optional columns of a plain locations
// file and upper-cases UAI-shaped ids only.
func TestLocationsDetails(t *testing.T) {
	const csv = "id,name,lat,lon,boarding,apprentissage,fiche_onisep,training\n" +
		"0350901p,Port,48.11,-1.68,1,0,https://example.org/port,CAP Cuisine\n" +
		"0350901P,Port,48.11,-1.68,0,1,https://example.org/autre,CAP Boulanger\n" +
		"de-ma-1,Berufsschule,49.48,8.46,oui,,ftp://example.org/x,\n" +
		"DE-HD-2,Gymnasium,49.41,8.69,,,,\n"
	d, err := readLocations(strings.NewReader(csv), "loc.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Schools) != 3 {
		t.Fatalf("%d schools: %+v", len(d.Schools), d.Schools)
	}
	if s := schoolByID(d, "0350901P"); s == nil || !s.Boarding || !s.Apprentice || s.OnisepURL != "https://example.org/port" {
		t.Errorf("0350901P: %+v", s)
	}
	if s := schoolByID(d, "de-ma-1"); s == nil || !s.Boarding || s.Apprentice || s.OnisepURL != "" {
		t.Errorf("de-ma-1 (not a UAI: its case is kept): %+v", s)
	}
	if got := dropCounts(d.Drops); !reflect.DeepEqual(got, map[string]int{"bad_onisep_url": 1}) {
		t.Errorf("drops %v", got)
	}
	if len(d.Offers.Offers) != 2 || d.Offers.Offers[0].UAI != "0350901P" || d.Offers.Offers[1].UAI != "0350901P" {
		t.Errorf("offers %+v", d.Offers.Offers)
	}
}

func TestNormalizeUAI(t *testing.T) {
	for in, want := range map[string]string{
		"0081152j": "0081152J", "0081152J": "0081152J", "0350005r": "0350005R",
		"035000r": "035000r", "a350005r": "a350005r", "de-ma-1": "de-ma-1", "": "", "00811520": "00811520",
	} {
		if got := normalizeUAI(in); got != want {
			t.Errorf("normalizeUAI(%q) = %q, want %q", in, got, want)
		}
	}
	// A plain offer list with a lower-case UAI joins the directory's school.
	const offers = "school_id;label;code\n0350901p;CAP Cuisine;23210022135\n"
	l, err := readOffers(strings.NewReader(offers), "offers.csv", offerAuto)
	if err != nil {
		t.Fatal(err)
	}
	d, err := ReadDirectory(filepath.Join("testdata", "annuaire-fixture.csv"))
	if err != nil {
		t.Fatal(err)
	}
	_, rep, err := Join(d, l)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Offers[0].Joined != 1 {
		t.Errorf("lower-case UAI offer not placed: %+v", rep.Offers[0])
	}
}
