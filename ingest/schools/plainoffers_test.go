package schools

import (
	"os"
	"path/filepath"
	"testing"

	"reach/graph"
)

func TestPlainOffersJoinLocations(t *testing.T) {
	dir := t.TempDir()
	locs := filepath.Join(dir, "schools.csv")
	offers := filepath.Join(dir, "offers.csv")
	os.WriteFile(locs, []byte("id,name,lat,lon,kind\nS1,Berufsschule Nord,49.49,8.47,school\nS2,Campus Süd,49.40,8.69,school\n"), 0o644)
	os.WriteFile(offers, []byte("school_id,label,diploma,voie,code,capacity\n"+
		"S1,Bac Pro Logistique,Bac Pro,scolaire,40031104,24\n"+
		"S2,CAP Cuisine,,apprentissage,,\n"+
		"S9,Unknown place,CAP,scolaire,,12\n"+
		",No id,CAP,scolaire,,12\n"), 0o644)
	d, err := ReadLocationsCSV(locs)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ReadOffers(offers)
	if err != nil {
		t.Fatal(err)
	}
	if l.Source != graph.OfferFromCSV || l.Rows != 4 || len(l.Offers) != 3 || Count(l.Drops, "missing_school_id") != 1 {
		t.Fatalf("list %+v", l)
	}
	p, rep, err := Join(d, l)
	if err != nil {
		t.Fatal(err)
	}
	if p.NumOffers() != 2 || rep.Offers[len(rep.Offers)-1].Joined != 2 || Count(rep.Offers[len(rep.Offers)-1].Drops, "unknown_school") != 1 {
		t.Fatalf("joined %d, report %+v", p.NumOffers(), rep.Offers[len(rep.Offers)-1])
	}
	levels := map[string]bool{}
	for i := 0; i < p.NumOffers(); i++ {
		levels[p.OfferLevel[i]] = true
		if p.OfferLabel[i] == "CAP Cuisine" && (p.OfferVoie[i] != graph.VoieApprentissage || p.OfferCapacity[i] != -1) {
			t.Errorf("CAP Cuisine: voie %v capacity %d", p.OfferVoie[i], p.OfferCapacity[i])
		}
	}
	if !levels["Bac Pro"] || !levels["CAP"] {
		t.Errorf("levels %v: the diploma column, else the label, gives the level", levels)
	}
}
