package schools

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"reach/graph"
	"reach/internal/realdata"
)

// rennes reads the three real files and joins them.
func rennes(t *testing.T) (*Directory, *OfferList, *OfferList, *graph.Places, *Report) {
	t.Helper()
	d, err := ReadDirectory(realdata.Path(t, "rennes", "fr-en-annuaire-education-35.csv"))
	if err != nil {
		t.Fatal(err)
	}
	pro, err := ReadOffers(realdata.Path(t, "rennes", "affelnet-offre-1re-pro.csv"))
	if err != nil {
		t.Fatal(err)
	}
	sec, err := ReadOffers(realdata.Path(t, "rennes", "affelnet-offre-2nde.csv"))
	if err != nil {
		t.Fatal(err)
	}
	p, rep, err := Join(d, pro, sec)
	if err != nil {
		t.Fatal(err)
	}
	return d, pro, sec, p, rep
}

func TestRealDirectory(t *testing.T) {
	d, _, _, p, rep := rennes(t)
	// 996 rows; three UAIs have two lines (multi-site establishments:
	// 0352072M, 0350852L, 0350778F), merged into one school each, so two
	// lycée rows and one collège row disappear in the distinct counts.
	want := DirectoryStats{Rows: 996, Schools: 993, WithCoordinates: 993, FromLambert: 0,
		Lycees: 84, VocationalLycees: 37, Colleges: 116, LyceeRows: 86, CollegeRows: 117}
	if d.Stats != want {
		t.Errorf("stats\n got %+v\nwant %+v", d.Stats, want)
	}
	if got := dropCounts(d.Drops); !reflect.DeepEqual(got, map[string]int{"duplicate_uai_merged": 3}) {
		t.Errorf("drops %v", got)
	}
	if !reflect.DeepEqual(d.Departements, []string{"035"}) {
		t.Errorf("départements %v", d.Departements)
	}
	if p.NumSchools() != 993 || rep.Schools != 993 {
		t.Errorf("%d schools placed", p.NumSchools())
	}
	voc, col := 0, 0
	for s := 0; s < p.NumSchools(); s++ {
		if p.SchoolKind[s] == "Lycée" && p.SchoolVocational[s] {
			voc++
		}
		if p.SchoolCollege[s] {
			col++
		}
	}
	if voc != 37 || col != 116 {
		t.Errorf("placed: %d vocational lycées, %d collèges", voc, col)
	}
	// The merged Saint-Malo establishment keeps the vocational flag of its
	// vocational line.
	s, ok := p.SchoolByUAI("0352072M")
	if !ok || !p.SchoolVocational[s] || p.SchoolSector[s] != graph.SectorPrivate {
		t.Errorf("0352072M: found %v", ok)
	}
}

func TestRealOffers(t *testing.T) {
	_, pro, sec, p, rep := rennes(t)

	uais := map[string]bool{}
	for _, o := range pro.Offers {
		uais[o.UAI] = true
		if o.Level != "Bac Pro" {
			t.Errorf("1re pro offer %q: level %q", o.Label, o.Level)
			break
		}
	}
	if pro.Rows != 5236 || len(pro.Offers) != 5236 || len(uais) != 1553 || pro.CapacityPlaceholder != 29 {
		t.Errorf("1re pro: %d rows, %d offers at %d UAIs, %d placeholders", pro.Rows, len(pro.Offers), len(uais), pro.CapacityPlaceholder)
	}
	r := rep.Offers[0]
	if r.Joined != 52 || r.JoinedSchools != 14 || r.Outside != 5184 {
		t.Errorf("1re pro joined %d at %d schools, %d outside", r.Joined, r.JoinedSchools, r.Outside)
	}
	if got := dropCounts(r.Drops); !reflect.DeepEqual(got, map[string]int{ReasonOutside: 5184}) {
		t.Errorf("1re pro drops %v", got)
	}

	// 2nde: 291 rows carry a UAI of département 35, at 68 UAIs; 228 of them
	// (at 53 UAIs) name a school of the directory, all located; the other 63
	// (at 15 UAIs) are unknown to the directory. Two rows have a lower-case
	// UAI ("0081152j", lines 15868-15869), read as 0081152J (département 008,
	// outside the directory).
	if sec.Rows != 19503 || len(sec.Offers) != 19503 || sec.CapacityPlaceholder != 6600 {
		t.Errorf("2nde: %d rows, %d offers, %d placeholders", sec.Rows, len(sec.Offers), sec.CapacityPlaceholder)
	}
	rows35, uai35 := 0, map[string]bool{}
	for _, o := range sec.Offers {
		if strings.HasPrefix(o.UAI, "035") {
			rows35++
			uai35[o.UAI] = true
		}
	}
	if rows35 != 291 || len(uai35) != 68 {
		t.Errorf("2nde: %d rows at %d UAIs of département 35", rows35, len(uai35))
	}
	lower := 0
	for _, o := range sec.Offers {
		if o.UAI == "0081152J" {
			lower++
		}
	}
	if lower != 2 {
		t.Errorf("%d offers at 0081152J (written 0081152j), want 2", lower)
	}
	r = rep.Offers[1]
	if r.Joined != 228 || r.JoinedSchools != 53 || r.Outside != 19212 {
		t.Errorf("2nde joined %d at %d schools, %d outside", r.Joined, r.JoinedSchools, r.Outside)
	}
	if got := dropCounts(r.Drops); !reflect.DeepEqual(got, map[string]int{ReasonOutside: 19212, ReasonUnknownSchool: 63}) {
		t.Errorf("2nde drops %v", got)
	}
	unknown := map[string]bool{}
	for _, o := range sec.Offers {
		if _, ok := p.SchoolByUAI(o.UAI); !ok && strings.HasPrefix(o.UAI, "035") {
			unknown[o.UAI] = true
		}
	}
	if len(unknown) != 15 {
		t.Errorf("%d unknown UAIs of département 35", len(unknown))
	}

	// Places: 52 + 228 offers; levels of the 228 2nde offers by MEFSTAT4:
	// 137 × 2381 (2nde pro) and 91 × 2321 (CAP in 2 years, 1st year); 28
	// are apprenticeship offers; 123 have the 999 placeholder capacity.
	if p.NumOffers() != 280 || rep.Placed != 280 {
		t.Errorf("%d offers placed", p.NumOffers())
	}
	levels := map[string]int{}
	appr, unknownCap := 0, 0
	for o := 0; o < p.NumOffers(); o++ {
		if p.OfferSource[o] != graph.OfferFromAffelnet2nde {
			continue
		}
		levels[p.OfferLevel[o]]++
		if p.OfferVoie[o] == graph.VoieApprentissage {
			appr++
		}
		if p.OfferCapacity[o] == -1 {
			unknownCap++
		}
	}
	if !reflect.DeepEqual(levels, map[string]int{"Bac Pro": 137, "CAP": 91}) || appr != 28 || unknownCap != 123 {
		t.Errorf("2nde placed: levels %v, %d apprenticeship, %d unknown capacities", levels, appr, unknownCap)
	}
	if err := p.Validate(); err != nil {
		t.Error(err)
	}
	t.Logf("\n%s", rep)
}

// TestRealLambert93 checks the inverse projection against the directory's
// own latitude/longitude on every row that has both.
func TestRealLambert93(t *testing.T) {
	path := realdata.Path(t, "rennes", "fr-en-annuaire-education-35.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tb, err := openTable(f, "annuaire")
	if err != nil {
		t.Fatal(err)
	}
	cx, cy, clat, clon := tb.col("coordonnee_x"), tb.col("coordonnee_y"), tb.col("latitude"), tb.col("longitude")
	n, maxErr, worst := 0, 0.0, ""
	for {
		rec, line, err := tb.next()
		if err != nil {
			break
		}
		x, e1 := parseDecimal(field(rec, cx))
		y, e2 := parseDecimal(field(rec, cy))
		lat, e3 := parseDecimal(field(rec, clat))
		lon, e4 := parseDecimal(field(rec, clon))
		if e1 != nil || e2 != nil || e3 != nil || e4 != nil {
			continue
		}
		n++
		la, lo := Lambert93ToWGS84(x, y)
		if e := distanceMeters(la, lo, lat, lon); e > maxErr {
			maxErr, worst = e, field(rec, 0)+" line "+strconv.Itoa(line)
		}
	}
	t.Logf("Lambert-93 inverse on %d rows: max error %.3f m (%s)", n, maxErr, worst)
	if n != 996 || maxErr >= 1 {
		t.Errorf("%d rows compared, max error %.3f m (%s)", n, maxErr, worst)
	}
}

// TestRealLambertFallback blanks latitude/longitude in a copy of the
// directory: every school must then be placed from Lambert-93 within a
// metre of its published position.
func TestRealLambertFallback(t *testing.T) {
	path := realdata.Path(t, "rennes", "fr-en-annuaire-education-35.csv")
	orig, err := ReadDirectory(path)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\r\n")
	hdr := strings.Split(strings.TrimPrefix(lines[0], "\ufeff"), ";")
	blank := map[int]bool{}
	for i, h := range hdr {
		if h == "latitude" || h == "longitude" || h == "position" {
			blank[i] = true
		}
	}
	for i := 1; i < len(lines); i++ {
		f := strings.Split(lines[i], ";")
		for j := range f {
			if blank[j] {
				f[j] = ""
			}
		}
		lines[i] = strings.Join(f, ";")
	}
	tmp := filepath.Join(t.TempDir(), "annuaire-no-latlon.csv")
	if err := os.WriteFile(tmp, []byte(strings.Join(lines, "\r\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := ReadDirectory(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if d.Stats.WithCoordinates != 993 || d.Stats.FromLambert != 993 {
		t.Fatalf("stats %+v", d.Stats)
	}
	maxErr := 0.0
	for i := range d.Schools {
		a, b := &d.Schools[i], &orig.Schools[i]
		if a.ID != b.ID {
			t.Fatalf("school %d: %s vs %s", i, a.ID, b.ID)
		}
		if e := distanceMeters(a.Lat, a.Lon, b.Lat, b.Lon); e > maxErr {
			maxErr = e
		}
	}
	if maxErr >= 1 {
		t.Errorf("Lambert fallback max error %.3f m", maxErr)
	}
}

// TestRealDirectoryDetails counts the Rennes schools with board and
// lodging, apprentices and an Onisep page. Of the 993 schools, 81 have
// boarding (62 lycées, 30 of them with a vocational track, 6 collèges, 2
// EREA, 11 others; 0352072M and 0350778F have it on both their lines), 28
// (all lycées) train apprentices and 183 have an Onisep page.
func TestRealDirectoryDetails(t *testing.T) {
	_, _, _, p, rep := rennes(t)
	boarding, vocBoarding, appr, onisep := 0, 0, 0, 0
	kinds := map[string]int{}
	for s := 0; s < p.NumSchools(); s++ {
		if p.SchoolBoarding[s] {
			boarding++
			kinds[p.SchoolKind[s]]++
			if p.SchoolKind[s] == "Lycée" && p.SchoolVocational[s] {
				vocBoarding++
			}
		}
		if p.SchoolApprentissage[s] {
			appr++
		}
		if strings.HasPrefix(p.SchoolOnisepURL[s], "https://www.onisep.fr/") {
			onisep++
		}
	}
	t.Logf("Rennes: %d schools with boarding %v (%d vocational lycées), %d with apprentices, %d Onisep pages",
		boarding, kinds, vocBoarding, appr, onisep)
	if boarding != 81 || rep.Boarding != 81 || vocBoarding != 30 || appr != 28 || onisep != 183 ||
		!reflect.DeepEqual(kinds, map[string]int{"Lycée": 62, "Collège": 6, "EREA": 2, "Autre": 11}) {
		t.Errorf("boarding %d (report %d, %v, %d vocational lycées), apprentices %d, Onisep pages %d",
			boarding, rep.Boarding, kinds, vocBoarding, appr, onisep)
	}
}

// TestRealNomenclatureNames names the Rennes offers with the nomenclature
// fixtures, which know two of the 2nde list's codes: 23810031211 (the
// "relation client" 2nde commune: 12 rows in département 35, all at
// schools of the directory) and 23210033616 (CAP Métiers de la coiffure: 5
// rows, 2 at schools of the directory): 14 of the 228 placed 2nde offers
// are named, the other 214 are still shown as a code.
func TestRealNomenclatureNames(t *testing.T) {
	d, pro, sec, _, _ := rennes(t)
	n, err := ReadNomenclature(mefFixture, diplomaFixture)
	if err != nil {
		t.Fatal(err)
	}
	n.Name(pro)
	n.Name(sec)
	p, rep, err := Join(d, pro, sec)
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]int{}
	for o := 0; o < p.NumOffers(); o++ {
		switch p.OfferCode[o] {
		case "23810031211":
			if l := p.OfferLabel[o]; l != "Bac pro Métiers de la relation client 2nde commune" || p.OfferLevel[o] != "Bac Pro" {
				t.Errorf("%s: %q %q", p.SchoolID[p.OfferSchool[o]], l, p.OfferLevel[o])
			}
		case "23210033616":
			if l := p.OfferLabel[o]; l != "CAP Métiers de la coiffure" || p.OfferLevel[o] != "CAP" {
				t.Errorf("%s: %q %q", p.SchoolID[p.OfferSchool[o]], l, p.OfferLevel[o])
			}
		default:
			if strings.Contains(p.OfferLabel[o], "MEFSTAT11") != (p.OfferSource[o] == graph.OfferFromAffelnet2nde) {
				t.Errorf("offer %d: %q", o, p.OfferLabel[o])
			}
			continue
		}
		named[p.OfferCode[o]]++
	}
	r := rep.Offers[1]
	t.Logf("Rennes 2nde offers: %d placed, %d named by the fixtures %v, %d shown as a code", r.Joined, r.Named, named, r.Unnamed)
	if named["23810031211"] != 12 || named["23210033616"] != 2 || r.Named != 14 || r.Unnamed != 228-14 || rep.Offers[0].Unnamed != 0 {
		t.Errorf("named %v, report named %d unnamed %d", named, r.Named, r.Unnamed)
	}
}
