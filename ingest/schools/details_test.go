package schools

import (
	"path/filepath"
	"strings"
	"testing"
)

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
