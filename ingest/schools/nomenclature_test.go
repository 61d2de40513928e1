package schools

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The nomenclature fixtures are small hand-written tables in the layout
// the ministry exports (column names and order of N_MEF and
// N_FORMATION_DIPLOME). The codes and their links (MEFSTAT11 23810031211 →
// MEF 2473121131 → diploma 40031211, "2NDPRO MET. RELATION CLIENT 2NDE
// COMMUNE", the first year of the 3-year bac pro of the "relation client"
// family; 23830031212 → 40031212, 23830031213 → 40031213; 50033616 the CAP
// "METIERS DE LA COIFFURE (CAP)", level 500) follow the published
// nomenclature; the long diploma labels of the bac pro rows and the
// comment columns are illustrative. bcn-n-mef-fixture.csv is Latin-1 with
// CRLF line ends, as exported; bcn-n-formation-diplome-fixture.csv is
// UTF-8 with a BOM and every field quoted.
var (
	mefFixture     = filepath.Join("testdata", "bcn-n-mef-fixture.csv")
	diplomaFixture = filepath.Join("testdata", "bcn-n-formation-diplome-fixture.csv")
)

func TestNomenclatureFixtures(t *testing.T) {
	n, err := ReadNomenclature(mefFixture, diplomaFixture)
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Files) != 2 {
		t.Fatalf("%d files", len(n.Files))
	}
	mef, dip := n.Files[0], n.Files[1]
	if mef.Table != TableMEF || mef.Encoding != "Windows-1252" || mef.Rows != 7 || mef.Codes != 4 || mef.Path != mefFixture {
		t.Errorf("N_MEF file %+v", mef)
	}
	if got := dropCounts(mef.Drops); !reflect.DeepEqual(got, map[string]int{"bad_code": 1, "duplicate_code": 1, "missing_label": 1}) {
		t.Errorf("N_MEF drops %v", got)
	}
	checkExamples(t, mef.Drops, "bcn-n-mef-fixture.csv")
	if ex := mef.Drops[1].Examples[0]; !strings.Contains(ex, ":7: MEF_STAT_11 23810031211 already on line 2") {
		t.Errorf("duplicate example %q", ex)
	}
	if dip.Table != TableFormationDiplome || dip.Encoding != "UTF-8" || dip.Rows != 5 || dip.Codes != 3 {
		t.Errorf("N_FORMATION_DIPLOME file %+v", dip)
	}
	if got := dropCounts(dip.Drops); !reflect.DeepEqual(got, map[string]int{"bad_code": 1, "duplicate_code": 1}) {
		t.Errorf("N_FORMATION_DIPLOME drops %v", got)
	}
	checkExamples(t, dip.Drops, "bcn-n-formation-diplome-fixture.csv")

	for code, want := range map[string]Training{
		// With both tables: the diploma's long label, readable, and level.
		"23810031211":   {"Bac pro Métiers de la relation client 2nde commune", "Bac Pro", "40031211"},
		"2473121131":    {"Bac pro Métiers de la relation client 2nde commune", "Bac Pro", "40031211"}, // its MEF
		"23830031212":   {"Bac pro Métiers de l'accueil", "Bac Pro", "40031212"},
		"23210033616":   {"CAP Métiers de la coiffure", "CAP", "50033616"},
		"50033616":      {"CAP Métiers de la coiffure", "CAP", "50033616"}, // a diploma code
		" 23210033616 ": {"CAP Métiers de la coiffure", "CAP", "50033616"},
		// Diploma 40031213 is not in N_FORMATION_DIPLOME: the MEF label.
		"23830031213": {"Terminale pro Mét. com. ven. op. A ani. ges. esp. com.", "Bac Pro", "40031213"},
	} {
		got, ok := n.Lookup(code)
		if !ok || got != want {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v", code, got, ok, want)
		}
	}
	for _, code := range []string{"99990099999", "2381003121", "23810099999", "", "4003121", "40031213"} {
		if got, ok := n.Lookup(code); ok {
			t.Errorf("Lookup(%q) = %+v, want not found", code, got)
		}
	}

	// N_MEF alone names from the MEF labels.
	alone, err := ReadNomenclature(mefFixture)
	if err != nil {
		t.Fatal(err)
	}
	for code, want := range map[string]Training{
		"23810031211": {"2nde pro Mét. relation client 2nde commune", "Bac Pro", "40031211"},
		"23210033616": {"CAP Métiers de la coiffure (1re année sur 2)", "CAP", "50033616"},
	} {
		if got, ok := alone.Lookup(code); !ok || got != want {
			t.Errorf("N_MEF alone: Lookup(%q) = %+v, %v; want %+v", code, got, ok, want)
		}
	}
	// N_FORMATION_DIPLOME alone names diploma codes only.
	dips, err := ReadNomenclature(diplomaFixture)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := dips.Lookup("23810031211"); ok {
		t.Error("N_FORMATION_DIPLOME alone should not know MEFSTAT11 codes")
	}
	if got, ok := dips.Lookup("40031212"); !ok || got.Name != "Bac pro Métiers de l'accueil" {
		t.Errorf("diploma code: %+v %v", got, ok)
	}
	var none *Nomenclature
	if _, ok := none.Lookup("23810031211"); ok || none.Name(&OfferList{}) != 0 {
		t.Error("a nil nomenclature names nothing")
	}
}

// TestNomenclatureFormats reads the same tables written with other
// separators, encodings and line ends.
func TestNomenclatureFormats(t *testing.T) {
	latin1 := []byte("FORMATION_DIPLOME|LIBELLE_COURT|LIBELLE_LONG_200|NIVEAU_FORMATION_DIPLOME\r\n" +
		"45022104|BP|BOULANGER-P\xc2TISSIER|450\r\n")
	for name, c := range map[string]struct {
		data      string
		table     string
		enc       string
		code      string
		wantName  string
		wantLevel string
	}{
		"pipe, Latin-1, CRLF": {string(latin1), TableFormationDiplome, "Windows-1252", "45022104", "BP Boulanger-pâtissier", "BP"},
		"comma, quoted": {"\"MEF_STAT_11\",\"LIBELLE_LONG\",\"FORMATION_DIPLOME\"\n\"23810031211\",\"2NDPRO MET. RELATION CLIENT, 2NDE COMMUNE\",\"40031211\"\n",
			TableMEF, "UTF-8", "23810031211", "2nde pro Mét. relation client, 2nde commune", "Bac Pro"},
		"tab, BOM": {"\ufeffMEF_STAT_11\tLIBELLE_LONG\n23210033616\t1CAP2 METIERS DE LA COIFFURE\n",
			TableMEF, "UTF-8", "23210033616", "CAP Métiers de la coiffure (1re année sur 2)", "CAP"},
		"lower-case header, level from NIVEAU_FORMATION_DIPLOME": {"formation_diplome;libelle_long_200;niveau_formation_diplome\n50033616;METIERS DE LA COIFFURE;500\n",
			TableFormationDiplome, "UTF-8", "50033616", "Métiers de la coiffure", "CAP"},
		"sigle from LIBELLE_COURT": {"FORMATION_DIPLOME;LIBELLE_COURT;LIBELLE_LONG_200\n01022104;MC5;CUISINIER EN DESSERTS\n",
			TableFormationDiplome, "UTF-8", "01022104", "MC Cuisinier en desserts", "MC"},
	} {
		n := &Nomenclature{byStat: map[string]int32{}, byMEF: map[string]int32{}, diplomas: map[string]diplomaRow{}, diplomaOf: map[string]string{}}
		f, err := n.read([]byte(c.data), "table.csv")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if f.Table != c.table || f.Encoding != c.enc || f.Codes != 1 || len(f.Drops) != 0 {
			t.Errorf("%s: file %+v", name, f)
		}
		if got, ok := n.Lookup(c.code); !ok || got.Name != c.wantName || got.Level != c.wantLevel {
			t.Errorf("%s: Lookup(%s) = %+v, %v; want %q, %q", name, c.code, got, ok, c.wantName, c.wantLevel)
		}
	}
}

func TestNomenclatureErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		path, want string
	}{
		{write("other.csv", "ID_ETAB;CO_MEFSTAT\n0350901P;23810031211\n"), "other.csv:1: header matches no nomenclature table"},
		{write("nolabel.csv", "MEF;MEF_STAT_11;FORMATION_DIPLOME\n2473121131;23810031211;40031211\n"), "nolabel.csv:1: N_MEF header lacks column LIBELLE_LONG"},
		{write("empty.csv", ""), "empty.csv: empty file"},
		{filepath.Join(dir, "missing.csv"), "missing.csv"},
	} {
		_, err := ReadNomenclature(c.path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "nomenclature: ") {
			t.Errorf("%s: %v, want %q", filepath.Base(c.path), err, c.want)
		}
	}
	// A code met in a later file is a duplicate of the first file's.
	n, err := ReadNomenclature(mefFixture, write("again.csv", "MEF_STAT_11;LIBELLE_LONG\n23810031211;AUTRE LIBELLE\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d := n.Files[1].Drops; len(d) != 1 || d[0].Reason != "duplicate_code" || !strings.Contains(d[0].Examples[0], "again.csv:2: MEF_STAT_11 23810031211 already in an earlier file") {
		t.Errorf("duplicate across files: %+v", d)
	}
	if tr, _ := n.Lookup("23810031211"); tr.Name != "2nde pro Mét. relation client 2nde commune" {
		t.Errorf("the first row should win: %+v", tr)
	}
}

// TestNameFixtureOffers is the acceptance test of naming: with the
// nomenclature fixtures, the 2nde offer at 23810031211 is named, not shown
// as a code, and the report counts the offer still shown as a code.
func TestNameFixtureOffers(t *testing.T) {
	n, err := ReadNomenclature(mefFixture, diplomaFixture)
	if err != nil {
		t.Fatal(err)
	}
	d, err := ReadDirectory(filepath.Join("testdata", "annuaire-fixture.csv"))
	if err != nil {
		t.Fatal(err)
	}
	pro, err := ReadOffers(filepath.Join("testdata", "affelnet-1re-pro-fixture.csv"))
	if err != nil {
		t.Fatal(err)
	}
	sec, err := ReadOffers(filepath.Join("testdata", "affelnet-2nde-fixture.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Name(pro); got != 0 {
		t.Errorf("the 1re pro fixture has no codes, %d named", got)
	}
	// Two offers at 23810031211: 0350901P's and a Nantes school's (outside
	// the directory, so not placed).
	if got := n.Name(sec); got != 2 {
		t.Errorf("%d 2nde offers named, want 2", got)
	}
	p, rep, err := Join(d, pro, sec)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := p.SchoolByUAI("0350901P")
	first, end := p.OffersOf(s)
	found := false
	for o := first; o < end; o++ {
		if p.OfferCode[o] != "23810031211" {
			continue
		}
		found = true
		if l := p.OfferLabel[o]; !strings.Contains(l, "relation client") || strings.Contains(l, "MEFSTAT11") || p.OfferLevel[o] != "Bac Pro" {
			t.Errorf("offer at 23810031211 of 0350901P: %q (%s)", l, p.OfferLevel[o])
		}
	}
	if !found {
		t.Fatal("no offer at 23810031211 of 0350901P")
	}
	r := rep.Offers[1]
	if r.Named != 1 || r.Unnamed != 2 || len(r.UnnamedExamples) != 2 ||
		!strings.HasPrefix(r.UnnamedExamples[0], "affelnet-2nde-fixture.csv:3: UAI 0350903S: code 23210025524 is in no nomenclature table") {
		t.Errorf("2nde report: named %d, unnamed %d %q", r.Named, r.Unnamed, r.UnnamedExamples)
	}
	if s := rep.String(); !strings.Contains(s, "1 named from the nomenclature, 2 shown as a code (unnamed_offer)") {
		t.Errorf("report text:\n%s", s)
	}
}

// FuzzNomenclature feeds arbitrary bytes to the table reader: no panic,
// every row kept or counted, every kept code found by Lookup with a name.
func FuzzNomenclature(f *testing.F) {
	for _, p := range []string{mefFixture, diplomaFixture} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n := &Nomenclature{byStat: map[string]int32{}, byMEF: map[string]int32{}, diplomas: map[string]diplomaRow{}, diplomaOf: map[string]string{}}
		file, err := n.read(data, "fuzz.csv")
		if err != nil {
			return
		}
		dropped := 0
		for _, d := range file.Drops {
			dropped += d.Count
		}
		if file.Codes+dropped != file.Rows {
			t.Fatalf("%d rows, %d codes kept, %d dropped", file.Rows, file.Codes, dropped)
		}
		for code := range n.byStat {
			if tr, ok := n.Lookup(code); !ok || tr.Name == "" {
				t.Fatalf("Lookup(%q) = %+v, %v", code, tr, ok)
			}
		}
		for code := range n.diplomas {
			if tr, ok := n.Lookup(code); !ok || tr.Name == "" {
				t.Fatalf("Lookup(%q) = %+v, %v", code, tr, ok)
			}
		}
		l := &OfferList{Offers: []Offer{{Code: "23810031211"}, {Code: string(bytes.ToUpper(data[:min(len(data), 11)]))}}}
		n.Name(l)
	})
}
