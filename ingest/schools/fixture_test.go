package schools

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"reach/graph"
)

// dropCounts maps reason → count.
func dropCounts(drops []graph.Drop) map[string]int {
	m := map[string]int{}
	for _, d := range drops {
		m[d.Reason] += d.Count
	}
	return m
}

// checkExamples asserts every example names its file and a line.
func checkExamples(t *testing.T, drops []graph.Drop, file string) {
	t.Helper()
	for _, d := range drops {
		if len(d.Examples) == 0 || len(d.Examples) > maxExamples {
			t.Errorf("%s: %d examples", d.Reason, len(d.Examples))
		}
		for _, e := range d.Examples {
			if !strings.HasPrefix(e, file+":") {
				t.Errorf("%s: example %q does not start with %q", d.Reason, e, file+":")
			}
		}
	}
}

func schoolByID(d *Directory, id string) *School {
	for i := range d.Schools {
		if d.Schools[i].ID == id {
			return &d.Schools[i]
		}
	}
	return nil
}

func TestDirectoryFixture(t *testing.T) {
	d, err := ReadDirectory(filepath.Join("testdata", "annuaire-fixture.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := DirectoryStats{Rows: 14, Schools: 10, WithCoordinates: 6, FromLambert: 1, Lycees: 3,
		VocationalLycees: 2, Colleges: 2, LyceeRows: 4, CollegeRows: 3}
	if d.Stats != want {
		t.Errorf("stats\n got %+v\nwant %+v", d.Stats, want)
	}
	wantDrops := map[string]int{"bad_uai": 1, "bad_uai_key": 1, "duplicate_uai_merged": 2, "no_coordinates": 1,
		"bad_coordinates": 2, "unsupported_projection": 1}
	if got := dropCounts(d.Drops); !reflect.DeepEqual(got, wantDrops) {
		t.Errorf("drops %v, want %v", got, wantDrops)
	}
	checkExamples(t, d.Drops, "annuaire-fixture.csv")
	if got := Count(d.Drops, "bad_uai_key"); got != 1 || !strings.Contains(d.Drops[1].Examples[0], ":6:") {
		t.Errorf("bad_uai_key drop should be line 6: %v", d.Drops)
	}
	if !reflect.DeepEqual(d.Departements, []string{"035"}) {
		t.Errorf("départements %v", d.Departements)
	}

	port := schoolByID(d, "0350901P")
	if port == nil || port.Name != "Lycée professionnel du Port" || !port.Vocational || port.Lat != 48.11 || port.Lon != -1.68 ||
		port.Sector != graph.SectorPublic || port.Nature != "LYCEE PROFESSIONNEL" || port.Postcode != "35000" ||
		port.Commune != "Rennes" || port.Address != "1 quai Sud" || port.Dept != "035" || port.Line != 2 {
		t.Errorf("merged multi-line school: %+v", port)
	}
	lam := schoolByID(d, "0350902R")
	if lam == nil || !lam.FromLambert || lam.Sector != graph.SectorPrivate {
		t.Fatalf("Lambert school: %+v", lam)
	}
	// The directory gives 47.98614492070133, -1.9294895003671315 for these X/Y.
	if e := distanceMeters(lam.Lat, lam.Lon, 47.98614492070133, -1.9294895003671315); e > 0.5 {
		t.Errorf("Lambert-93 fallback %v,%v is %.2f m off", lam.Lat, lam.Lon, e)
	}
	if c := schoolByID(d, "0350903S"); c == nil || !c.College || c.Lat != 48.12 || c.Lon != -1.67 {
		t.Errorf("decimal-comma collège: %+v", c)
	}
	if c := schoolByID(d, "0350909Y"); c == nil || !c.HasCoord || c.Lat != 48.13 {
		t.Errorf("second line should bring coordinates: %+v", c)
	}
	if q := schoolByID(d, "0350910Z"); q == nil || q.Name != `"Lycée Le Quai` || q.Kind != "Lycée" || !q.Vocational || q.Lat != 48.105 {
		t.Errorf("stray quote row: %+v", q)
	}
	if o := schoolByID(d, "0350911A"); o == nil || o.Sector != graph.SectorUnknown || o.Line != 16 {
		t.Errorf("row after blank line: %+v", o)
	}
	for _, id := range []string{"0350905U", "0350906V", "0350907W", "0350908X"} {
		if s := schoolByID(d, id); s == nil || s.HasCoord {
			t.Errorf("%s should be kept without coordinates: %+v", id, s)
		}
	}
}

func TestOfferFixtures(t *testing.T) {
	pro, err := ReadAffelnet1rePro(filepath.Join("testdata", "affelnet-1re-pro-fixture.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if pro.Source != graph.OfferFromAffelnet1rePro || pro.Rows != 11 || len(pro.Offers) != 7 || pro.CapacityPlaceholder != 1 {
		t.Errorf("1re pro: source %v rows %d offers %d placeholders %d", pro.Source, pro.Rows, len(pro.Offers), pro.CapacityPlaceholder)
	}
	want := map[string]int{"bad_capacity": 2, "bad_status": 1, "missing_label": 1}
	if got := dropCounts(pro.Drops); !reflect.DeepEqual(got, want) {
		t.Errorf("1re pro drops %v, want %v", got, want)
	}
	checkExamples(t, pro.Drops, "affelnet-1re-pro-fixture.csv")
	o := pro.Offers[0]
	if o.UAI != "0350901P" || o.Label != "1re pro Cuisine" || o.Level != "Bac Pro" || o.Voie != graph.VoieScolaire ||
		o.Capacity != 24 || o.Code != "" || o.Line != 2 || o.Named || o.Unnamed {
		t.Errorf("first offer %+v", o)
	}
	// Line 11 writes the UAI in lower case: "0350901p" is read as 0350901P.
	if o := pro.Offers[6]; o.UAI != "0350901P" || o.Line != 11 || o.Label != "1re pro Logistique" {
		t.Errorf("lower-case UAI offer %+v", o)
	}
	if o := pro.Offers[1]; o.Voie != graph.VoieApprentissage || o.Capacity != -1 {
		t.Errorf("AP offer with capacity 999: %+v", o)
	}
	if o := pro.Offers[2]; o.Capacity != 18 {
		t.Errorf("capacity should fall back to Capacité d'affectation: %+v", o)
	}

	sec, err := ReadAffelnet2nde(filepath.Join("testdata", "affelnet-2nde-fixture.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if sec.Source != graph.OfferFromAffelnet2nde || sec.Rows != 6 || len(sec.Offers) != 4 || sec.CapacityPlaceholder != 1 {
		t.Errorf("2nde: rows %d offers %d placeholders %d", sec.Rows, len(sec.Offers), sec.CapacityPlaceholder)
	}
	if got := dropCounts(sec.Drops); !reflect.DeepEqual(got, map[string]int{"missing_code": 1, "bad_capacity": 1}) {
		t.Errorf("2nde drops %v", got)
	}
	if o := sec.Offers[0]; o.Code != "23810031211" || o.Level != "Bac Pro" || o.Label != "2nde professionnelle (MEFSTAT11 23810031211)" ||
		!o.Unnamed || o.Named {
		t.Errorf("2nde offer %+v", o)
	}
	if o := sec.Offers[1]; o.Level != "CAP" || o.Voie != graph.VoieApprentissage || o.Capacity != -1 {
		t.Errorf("2nde CAP offer %+v", o)
	}
	if o := sec.Offers[2]; o.Level != "" || o.Label != "MEFSTAT11 99990099999" || o.Capacity != 9 {
		t.Errorf("2nde placeholder code %+v", o)
	}

	// ReadOffers recognises both lists; the specific readers refuse the other.
	for _, f := range []string{"affelnet-1re-pro-fixture.csv", "affelnet-2nde-fixture.csv"} {
		l, err := ReadOffers(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]graph.OfferSource{true: graph.OfferFromAffelnet1rePro, false: graph.OfferFromAffelnet2nde}[strings.Contains(f, "1re")]; l.Source != want {
			t.Errorf("%s read as %v", f, l.Source)
		}
	}
	if _, err := ReadAffelnet2nde(filepath.Join("testdata", "affelnet-1re-pro-fixture.csv")); err == nil ||
		!strings.Contains(err.Error(), "affelnet-1re-pro-fixture.csv:1") {
		t.Errorf("2nde reader on the 1re pro list: %v", err)
	}
}

func TestJoinFixtures(t *testing.T) {
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
	p, rep, err := Join(d, pro, sec)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.SchoolID; !reflect.DeepEqual(got, []string{"0350901P", "0350902R", "0350903S", "0350909Y", "0350910Z", "0350911A"}) {
		t.Errorf("schools %v", got)
	}
	wantOffers := []struct {
		school string
		label  string
		src    graph.OfferSource
	}{
		{"0350901P", "1re pro Cuisine", graph.OfferFromAffelnet1rePro},
		{"0350901P", "1re pro Boulanger-pâtissier", graph.OfferFromAffelnet1rePro},
		{"0350901P", "1re pro Logistique", graph.OfferFromAffelnet1rePro},
		{"0350901P", "2nde professionnelle (MEFSTAT11 23810031211)", graph.OfferFromAffelnet2nde},
		{"0350903S", "CAP en 2 ans, 1re année (MEFSTAT11 23210025524)", graph.OfferFromAffelnet2nde},
		{"0350910Z", "1re pro Métiers de l'accueil", graph.OfferFromAffelnet1rePro},
		{"0350910Z", "MEFSTAT11 99990099999", graph.OfferFromAffelnet2nde},
	}
	if p.NumOffers() != len(wantOffers) {
		t.Fatalf("%d offers, want %d: %v", p.NumOffers(), len(wantOffers), p.OfferLabel)
	}
	for i, w := range wantOffers {
		if p.SchoolID[p.OfferSchool[i]] != w.school || p.OfferLabel[i] != w.label || p.OfferSource[i] != w.src {
			t.Errorf("offer %d: %s %q %v, want %+v", i, p.SchoolID[p.OfferSchool[i]], p.OfferLabel[i], p.OfferSource[i], w)
		}
	}
	s, ok := p.SchoolByUAI("0350910Z")
	if !ok {
		t.Fatal("0350910Z not found")
	}
	if first, end := p.OffersOf(s); end-first != 2 || p.OfferLabel[first] != "1re pro Métiers de l'accueil" {
		t.Errorf("OffersOf(0350910Z) = %d..%d", first, end)
	}
	if first, end := p.OffersOf(1); first != end {
		t.Errorf("0350902R should have no offer: %d..%d", first, end)
	}

	r := rep.Offers[0]
	if r.Rows != 11 || r.Read != 7 || r.Joined != 4 || r.JoinedSchools != 2 || r.Outside != 1 || r.Named != 0 || r.Unnamed != 0 {
		t.Errorf("1re pro report %+v", r)
	}
	want := map[string]int{"bad_capacity": 2, "bad_status": 1, "missing_label": 1,
		ReasonOutside: 1, ReasonUnknownSchool: 1, ReasonNoCoordinates: 1}
	if got := dropCounts(r.Drops); !reflect.DeepEqual(got, want) {
		t.Errorf("1re pro drops %v, want %v", got, want)
	}
	checkExamples(t, r.Drops, "affelnet-1re-pro-fixture.csv")
	for _, x := range r.Drops {
		if x.Reason == ReasonNoCoordinates && !strings.Contains(x.Examples[0], ":10: UAI 0350905U") {
			t.Errorf("example %q", x.Examples[0])
		}
	}
	r = rep.Offers[1]
	if r.Rows != 6 || r.Read != 4 || r.Joined != 3 || r.JoinedSchools != 3 || r.Outside != 1 {
		t.Errorf("2nde report %+v", r)
	}
	// Without a nomenclature the three placed 2nde offers are shown as codes.
	if r.Named != 0 || r.Unnamed != 3 || len(r.UnnamedExamples) != 3 ||
		r.UnnamedExamples[0] != `affelnet-2nde-fixture.csv:2: UAI 0350901P: code 23810031211 is in no nomenclature table, shown as "2nde professionnelle (MEFSTAT11 23810031211)"` {
		t.Errorf("2nde unnamed offers: %d %q", r.Unnamed, r.UnnamedExamples)
	}
	if rep.Schools != 6 || rep.Placed != 7 || rep.Directory.Rows != 14 {
		t.Errorf("report totals %+v", rep)
	}
	if s := rep.String(); !strings.Contains(s, "affelnet-2nde-fixture.csv (affelnet-2nde): 6 rows, 4 offers read, 3 placed at 3 schools, 1 outside") {
		t.Errorf("report text:\n%s", s)
	}
	if err := p.Validate(); err != nil {
		t.Error(err)
	}
}

func TestLocationsFixture(t *testing.T) {
	d, err := ReadLocationsCSV(filepath.Join("testdata", "locations-fixture.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Format != "csv" || d.Stats.Rows != 10 || d.Stats.Schools != 7 || d.Stats.WithCoordinates != 5 || d.Stats.Colleges != 1 {
		t.Errorf("stats %+v", d.Stats)
	}
	want := map[string]int{"missing_id": 1, "no_coordinates": 1, "bad_coordinates": 1, "conflicting_duplicate": 1}
	if got := dropCounts(d.Drops); !reflect.DeepEqual(got, want) {
		t.Errorf("drops %v, want %v", got, want)
	}
	checkExamples(t, d.Drops, "locations-fixture.csv")
	a := schoolByID(d, "DE-MA-1")
	if a == nil || a.Name != "Berufsschule A" || a.Lat != 49.4875 || a.Lon != 8.466 || a.Kind != "Berufsschule" ||
		a.Sector != graph.SectorPublic || a.Commune != "Mannheim" {
		t.Errorf("DE-MA-1 %+v", a)
	}
	if h := schoolByID(d, "DE-LU-8"); h == nil || h.Sector != graph.SectorPublic {
		t.Errorf("public=yes: %+v", h)
	}
	if b := schoolByID(d, "DE-HD-2"); b == nil || b.Sector != graph.SectorPrivate {
		t.Errorf("public=0: %+v", b)
	}
	l := d.Offers
	if l.Rows != 6 || len(l.Offers) != 4 {
		t.Errorf("offers: %d rows %d read", l.Rows, len(l.Offers))
	}
	if got := dropCounts(l.Drops); !reflect.DeepEqual(got, map[string]int{"bad_capacity": 1, "bad_status": 1}) {
		t.Errorf("offer drops %v", got)
	}
	if o := l.Offers[0]; o.Label != "Kfz-Mechatroniker" || o.Voie != graph.VoieApprentissage || o.Capacity != 24 || o.Level != "" {
		t.Errorf("offer 0 %+v", o)
	}
	if o := l.Offers[1]; o.Level != "Ausbildung" || o.Capacity != -1 {
		t.Errorf("offer 1 %+v", o)
	}
	if o := l.Offers[3]; o.Level != "BTS" || o.Capacity != 999 {
		t.Errorf("offer 3 %+v", o)
	}

	p, rep, err := Join(d)
	if err != nil {
		t.Fatal(err)
	}
	if p.NumSchools() != 5 || p.NumOffers() != 3 {
		t.Errorf("places: %d schools %d offers", p.NumSchools(), p.NumOffers())
	}
	if got := dropCounts(rep.Offers[0].Drops); !reflect.DeepEqual(got, map[string]int{"bad_capacity": 1, "bad_status": 1, ReasonNoCoordinates: 1}) {
		t.Errorf("join drops %v", got)
	}
	s, _ := p.SchoolByUAI("DE-MA-1")
	if first, end := p.OffersOf(s); end-first != 2 || p.OfferSource[first] != graph.OfferFromCSV {
		t.Errorf("DE-MA-1 offers %d..%d", first, end)
	}

	semi, err := ReadLocationsCSV(filepath.Join("testdata", "locations-semicolon.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(semi.Schools) != 2 || semi.Schools[0].Lat != 49.4875 || semi.Schools[0].Lon != 8.466 || semi.Schools[1].Name != "Gymnasium B" {
		t.Errorf("semicolon file: %+v", semi.Schools)
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name string
		read func(string) error
		path string
		want string
	}{
		{"missing file", func(p string) error { _, err := ReadDirectory(p); return err }, filepath.Join(dir, "nope.csv"), "nope.csv"},
		{"empty", func(p string) error { _, err := ReadDirectory(p); return err }, write("empty.csv", "\n\n"), "empty.csv: empty file"},
		{"no id column", func(p string) error { _, err := ReadDirectory(p); return err },
			write("noid.csv", "Nom_etablissement;latitude;longitude\nA;48;-1\n"), "noid.csv:1: missing required column Identifiant_de_l_etablissement"},
		{"no coordinates", func(p string) error { _, err := ReadDirectory(p); return err },
			write("nocoord.csv", "Identifiant_de_l_etablissement;latitude\n0350901P;48\n"), "nocoord.csv:1: missing coordinate columns"},
		{"unknown offers", func(p string) error { _, err := ReadOffers(p); return err },
			write("other.csv", "uai;label\n0350901P;x\n"), "other.csv:1: header matches no known offer list"},
		{"locations without lon", func(p string) error { _, err := ReadLocationsCSV(p); return err },
			write("loc.csv", "id,name,lat\nA,B,1\n"), `loc.csv:1: missing required column "lon"`},
	}
	for _, c := range cases {
		err := c.read(c.path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

func TestSplitRecord(t *testing.T) {
	cases := []struct {
		in   string
		sep  byte
		want []string
	}{
		{"a;b;c", ';', []string{"a", "b", "c"}},
		{"a;;", ';', []string{"a", "", ""}},
		{";", ';', []string{"", ""}},
		{" a , b ", ',', []string{"a", "b"}},
		{`"x,y",z`, ',', []string{"x,y", "z"}},
		{`"say ""hi""",z`, ',', []string{`say "hi"`, "z"}},
		{`"a"b,c`, ',', []string{"ab", "c"}},
		{`a"b,c`, ',', []string{`a"b`, "c"}},
		{`"open,b,c`, ',', []string{`"open`, "b", "c"}},
		{`x,"open,"closed",y`, ',', []string{"x", "open,closed\"", "y"}},
		{`x,"`, ',', []string{"x", `"`}},
	}
	for _, c := range cases {
		got, _ := splitRecord(c.in, c.sep, false)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("splitRecord(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if _, closed := splitRecord(`a,"b`, ',', true); closed {
		t.Error("multiline split of an open quote should report it")
	}
}

func TestTableMultilineAndSeparator(t *testing.T) {
	in := "\ufeffid\tname\r\n1\t\"two\r\nlines\"\r\n\r\n2\tplain\r\n"
	tb, err := openTable(strings.NewReader(in), "t.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if tb.sep != '\t' || !reflect.DeepEqual(tb.header, []string{"id", "name"}) {
		t.Fatalf("sep %q header %q", tb.sep, tb.header)
	}
	rec, line, err := tb.next()
	if err != nil || line != 2 || rec[1] != "two\nlines" {
		t.Fatalf("record 1: %q line %d err %v", rec, line, err)
	}
	rec, line, err = tb.next()
	if err != nil || line != 5 || rec[1] != "plain" {
		t.Fatalf("record 2: %q line %d err %v", rec, line, err)
	}
	if _, _, err = tb.next(); err == nil {
		t.Fatal("want EOF")
	}
}

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{
		"Capacité d'affectation ":                 "capacite_d_affectation",
		"\u00c9tablissement d'accueil":            "etablissement_d_accueil",
		"Libellé du MEF national de rattachement": "libelle_du_mef_national_de_rattachement",
		"Demandes vœux 1":                         "demandes_voeux_1",
		"ID_ETAB":                                 "id_etab",
		"Code postal":                             "code_postal",
	} {
		if got := normalizeName(in); got != want {
			t.Errorf("normalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckUAI(t *testing.T) {
	for u, want := range map[string]string{
		"0350122T": "", "0350005R": "", "0010001W": "", "9710001A": "bad_uai_key",
		"0350122A": "bad_uai_key", "0350122t": "bad_uai", "035012T": "bad_uai", "03501229": "bad_uai", "": "bad_uai",
		"035O122T": "bad_uai",
	} {
		if got, _ := checkUAI(u); got != want {
			t.Errorf("checkUAI(%q) = %q, want %q", u, got, want)
		}
	}
	if d := uaiDept("6200001G"); d != "02A" {
		t.Errorf("Corsica UAI département %q", d)
	}
	if !isMetropolitan("02B") || !isMetropolitan("035") || isMetropolitan("971") || isMetropolitan("") {
		t.Error("isMetropolitan")
	}
}

func TestParseCapacity(t *testing.T) {
	for in, want := range map[string]int32{"": -1, "0": 0, "24": 24, "999": -2, "100000": 100000} {
		if got, ok := parseCapacity(in); !ok || got != want {
			t.Errorf("parseCapacity(%q) = %d, %v", in, got, ok)
		}
	}
	for _, in := range []string{"-1", "1.5", "douze", "100001", "1e3"} {
		if _, ok := parseCapacity(in); ok {
			t.Errorf("parseCapacity(%q) accepted", in)
		}
	}
	if v, err := parseDecimal("+48,5"); err != nil || v != 48.5 {
		t.Errorf("parseDecimal: %v %v", v, err)
	}
	for _, in := range []string{"", "abc", "NaN", "Inf", "1,000.5"} {
		if _, err := parseDecimal(in); err == nil {
			t.Errorf("parseDecimal(%q) accepted", in)
		}
	}
}
