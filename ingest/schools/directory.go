package schools

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"reach/graph"
)

// School is one establishment as read from a directory or a locations CSV.
type School struct {
	ID          string // UAI for French schools, else the CSV's id
	Name        string
	Kind        string // "Lycée", "Collège", "Ecole", … or the CSV's kind
	Nature      string // libelle_nature of the national directory
	Sector      graph.Sector
	Lat, Lon    float64 // WGS84 degrees, valid when HasCoord
	HasCoord    bool
	FromLambert bool // coordinates converted from Lambert-93
	Address     string
	Postcode    string
	Commune     string
	Dept        string // département code, three characters ("035", "02A", "971")
	Vocational  bool   // has a vocational track
	College     bool   // is a collège
	Boarding    bool   // offers board and lodging (internat; Hebergement = 1)
	Apprentice  bool   // trains apprentices (Apprentissage = 1)
	OnisepURL   string // the school's page on onisep.fr (Fiche_onisep), "" when none
	Line        int    // line of its (first) row
}

// IsLycee reports whether the school's type is lycée.
func (s *School) IsLycee() bool { return fold(s.Kind) == "lycee" }

// DirectoryStats counts what a directory holds. Row counts count file
// rows; the others count distinct establishments (rows sharing an id are
// merged, see ReadDirectory).
type DirectoryStats struct {
	Rows             int // data rows read
	Schools          int // distinct establishments
	WithCoordinates  int // establishments with valid coordinates
	FromLambert      int // of which converted from Lambert-93
	Lycees           int // type lycée
	VocationalLycees int // type lycée with a vocational track
	Colleges         int // type collège
	LyceeRows        int
	CollegeRows      int
}

// Directory is a list of located establishments: the national school
// directory (annuaire de l'éducation) or a plain locations CSV.
type Directory struct {
	Path    string
	Format  string // "annuaire" or "csv"
	Schools []School
	// Departements lists the département codes of the directory's
	// schools (empty for a plain CSV); offers of other départements are
	// "outside the directory" rather than unknown.
	Departements []string
	// Offers holds the offers carried by a plain CSV's training columns
	// (nil for the national directory).
	Offers *OfferList
	Stats  DirectoryStats
	Drops  []graph.Drop
}

// ReadDirectory reads the national school directory
// (fr-en-annuaire-education): ';'-separated UTF-8 with a BOM, one row per
// establishment line. Required columns: Identifiant_de_l_etablissement and
// either latitude/longitude or coordonnee_X/coordonnee_Y.
//
// Coordinates are latitude/longitude when both parse and are valid;
// otherwise Lambert-93 coordonnee_X/Y (when the epsg column is empty or
// EPSG:2154) converted with Lambert93ToWGS84. Valid means within WGS84
// ranges, not 0,0, and inside metropolitan France for a metropolitan
// département. Rows whose UAI does not match ^\d{7}[A-Z]$ ("bad_uai"; a
// lower-case check letter is first upper-cased) or whose check letter is
// wrong ("bad_uai_key") are dropped. A school with
// no usable coordinates is kept in the Directory with HasCoord false
// (reported "no_coordinates" or "bad_coordinates") so that its offers can
// be reported precisely; Join leaves it out of the graph.
//
// Several rows may share a UAI (etablissement_multi_lignes: the lines of
// a multi-site establishment); they are merged into one school: fields of
// the first row, flags (vocational, collège, boarding, apprenticeship)
// OR-ed, coordinates of the first row that has valid ones, the first
// Onisep page given. Each merged row is reported as "duplicate_uai_merged".
//
// Kind is Type_etablissement, Vocational is Voie_professionnelle = 1,
// College is Type_etablissement = Collège, Boarding is Hebergement = 1,
// Apprentice is Apprentissage = 1 (empty is false), OnisepURL is
// Fiche_onisep when it is an http(s) address; another value is ignored
// and reported as "bad_onisep_url" (the school is kept).
func ReadDirectory(path string) (*Directory, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("school directory: %w", err)
	}
	defer f.Close()
	d, err := readDirectory(f, filepath.Base(path))
	if err != nil {
		return nil, err
	}
	d.Path = path
	return d, nil
}

// directoryColumns are the column indexes of the national directory.
type directoryColumns struct {
	id, name, kind, sector, addr, postcode, commune, dept, voiePro, nature,
	lat, lon, x, y, epsg, boarding, apprentice, onisep int
}

func readDirectory(r io.Reader, name string) (*Directory, error) {
	t, err := openTable(r, name)
	if err != nil {
		return nil, fmt.Errorf("school directory: %w", err)
	}
	c := directoryColumns{
		id:       t.col("identifiant_de_l_etablissement", "uai", "numero_uai"),
		name:     t.col("nom_etablissement", "appellation_officielle"),
		kind:     t.col("type_etablissement"),
		sector:   t.col("statut_public_prive", "secteur_public_prive"),
		addr:     t.col("adresse_1", "adresse"),
		postcode: t.col("code_postal"),
		commune:  t.col("nom_commune", "commune"),
		dept:     t.col("code_departement"),
		voiePro:  t.col("voie_professionnelle"),
		nature:   t.col("libelle_nature"),
		lat:      t.col("latitude"),
		lon:      t.col("longitude"),
		x:        t.col("coordonnee_x"),
		y:        t.col("coordonnee_y"),
		epsg:     t.col("epsg"),
		// Optional columns.
		boarding:   t.col("hebergement"),
		apprentice: t.col("apprentissage"),
		onisep:     t.col("fiche_onisep"),
	}
	if c.id < 0 {
		return nil, fmt.Errorf("school directory: %s:1: missing required column Identifiant_de_l_etablissement", name)
	}
	if (c.lat < 0 || c.lon < 0) && (c.x < 0 || c.y < 0) {
		return nil, fmt.Errorf("school directory: %s:1: missing coordinate columns: need latitude and longitude, or coordonnee_X and coordonnee_Y", name)
	}
	d := &Directory{Format: "annuaire"}
	var dr drops
	byID := map[string]int{}
	depts := map[string]bool{}
	var coordIssue []rowIssue // why each school lacks coordinates
	for {
		rec, line, err := t.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("school directory: %w", err)
		}
		d.Stats.Rows++
		s, reason, detail := parseDirectoryRow(rec, c)
		s.Line = line
		if reason == "bad_uai" || reason == "bad_uai_key" {
			dr.add(name, line, reason, detail)
			continue
		}
		if u := field(rec, c.onisep); u != "" && s.OnisepURL == "" {
			dr.add(name, line, "bad_onisep_url", fmt.Sprintf("UAI %s: Fiche_onisep %q is not an http(s) address, ignored", s.ID, u))
		}
		if fold(s.Kind) == "lycee" {
			d.Stats.LyceeRows++
		}
		if s.College {
			d.Stats.CollegeRows++
		}
		if i, dup := byID[s.ID]; dup {
			mergeSchool(&d.Schools[i], &s)
			dr.add(name, line, "duplicate_uai_merged", fmt.Sprintf("UAI %s also on line %d, rows merged", s.ID, d.Schools[i].Line))
			continue
		}
		byID[s.ID] = len(d.Schools)
		d.Schools = append(d.Schools, s)
		coordIssue = append(coordIssue, rowIssue{line, reason, detail})
		if s.Dept != "" && !depts[s.Dept] {
			depts[s.Dept] = true
			d.Departements = append(d.Departements, s.Dept)
		}
	}
	// Reported once merging is done: a later row may have brought them.
	for i := range d.Schools {
		if is := coordIssue[i]; !d.Schools[i].HasCoord && is.reason != "" {
			dr.add(name, is.line, is.reason, is.detail)
		}
	}
	d.Stats.count(d.Schools)
	d.Drops = dr.result()
	return d, nil
}

// rowIssue is a problem found on one row, reported later.
type rowIssue struct {
	line           int
	reason, detail string
}

// count fills the establishment counts from the merged schools.
func (st *DirectoryStats) count(schools []School) {
	st.Schools = len(schools)
	for i := range schools {
		s := &schools[i]
		if s.HasCoord {
			st.WithCoordinates++
			if s.FromLambert {
				st.FromLambert++
			}
		}
		if s.IsLycee() {
			st.Lycees++
			if s.Vocational {
				st.VocationalLycees++
			}
		}
		if s.College {
			st.Colleges++
		}
	}
}

// mergeSchool folds a later row of the same establishment into s.
func mergeSchool(s, later *School) {
	s.Vocational = s.Vocational || later.Vocational
	s.College = s.College || later.College
	s.Boarding = s.Boarding || later.Boarding
	s.Apprentice = s.Apprentice || later.Apprentice
	if s.OnisepURL == "" {
		s.OnisepURL = later.OnisepURL
	}
	if !s.HasCoord && later.HasCoord {
		s.Lat, s.Lon, s.HasCoord, s.FromLambert = later.Lat, later.Lon, true, later.FromLambert
	}
}

// parseDirectoryRow reads one directory row. reason is "" for a clean row;
// "bad_uai" / "bad_uai_key" mean the row is unusable; "no_coordinates",
// "bad_coordinates" and "unsupported_projection" mean the school has no
// usable location.
func parseDirectoryRow(rec []string, c directoryColumns) (s School, reason, detail string) {
	s.ID = normalizeUAI(field(rec, c.id))
	if reason, detail = checkUAI(s.ID); reason != "" {
		return s, reason, detail
	}
	s.Name = field(rec, c.name)
	s.Kind = field(rec, c.kind)
	s.Nature = field(rec, c.nature)
	s.Sector = parseSector(field(rec, c.sector))
	s.Address = field(rec, c.addr)
	s.Postcode = field(rec, c.postcode)
	s.Commune = field(rec, c.commune)
	s.Dept = normalizeDept(field(rec, c.dept))
	if s.Dept == "" {
		s.Dept = uaiDept(s.ID)
	}
	v, _ := parseBool(field(rec, c.voiePro))
	s.Vocational = v
	s.College = fold(s.Kind) == "college"
	s.Boarding, _ = parseBool(field(rec, c.boarding))
	s.Apprentice, _ = parseBool(field(rec, c.apprentice))
	s.OnisepURL = webAddress(field(rec, c.onisep))

	metro := isMetropolitan(s.Dept)
	latS, lonS := field(rec, c.lat), field(rec, c.lon)
	if latS != "" || lonS != "" {
		lat, err1 := parseDecimal(latS)
		lon, err2 := parseDecimal(lonS)
		if err1 == nil && err2 == nil && validLatLon(lat, lon, metro) {
			s.Lat, s.Lon, s.HasCoord = lat, lon, true
			return s, "", ""
		}
		reason, detail = "bad_coordinates", fmt.Sprintf("UAI %s: latitude %q longitude %q unusable", s.ID, latS, lonS)
	}
	xS, yS := field(rec, c.x), field(rec, c.y)
	if xS == "" && yS == "" {
		if reason == "" {
			reason, detail = "no_coordinates", fmt.Sprintf("UAI %s: no latitude/longitude nor Lambert-93 X/Y", s.ID)
		}
		return s, reason, detail
	}
	if e := field(rec, c.epsg); e != "" && normalizeName(e) != "epsg_2154" && e != "2154" {
		if reason == "" {
			reason, detail = "unsupported_projection", fmt.Sprintf("UAI %s: no latitude/longitude and X/Y in %s, not EPSG:2154", s.ID, e)
		}
		return s, reason, detail
	}
	x, err1 := parseDecimal(xS)
	y, err2 := parseDecimal(yS)
	if err1 != nil || err2 != nil || !validLambert93(x, y) {
		return s, "bad_coordinates", fmt.Sprintf("UAI %s: Lambert-93 X %q Y %q unusable", s.ID, xS, yS)
	}
	lat, lon := Lambert93ToWGS84(x, y)
	if !validLatLon(lat, lon, metro) {
		return s, "bad_coordinates", fmt.Sprintf("UAI %s: Lambert-93 X %q Y %q falls outside France", s.ID, xS, yS)
	}
	s.Lat, s.Lon, s.HasCoord, s.FromLambert = lat, lon, true, true
	return s, "", ""
}

// uaiKeyLetters are the check letters of UAI numbers: the letter is
// uaiKeyLetters[number mod 23] (I, O and Q are not used).
const uaiKeyLetters = "ABCDEFGHJKLMNPRSTUVWXYZ"

// checkUAI checks the format ^\d{7}[A-Z]$ and the check letter of a UAI.
// It returns a drop reason and detail, or "" when the UAI is valid.
func checkUAI(u string) (reason, detail string) {
	if len(u) != 8 {
		return "bad_uai", fmt.Sprintf("UAI %q is not 7 digits and a capital letter", u)
	}
	n := 0
	for i := 0; i < 7; i++ {
		if u[i] < '0' || u[i] > '9' {
			return "bad_uai", fmt.Sprintf("UAI %q is not 7 digits and a capital letter", u)
		}
		n = n*10 + int(u[i]-'0')
	}
	if u[7] < 'A' || u[7] > 'Z' {
		return "bad_uai", fmt.Sprintf("UAI %q is not 7 digits and a capital letter", u)
	}
	if want := uaiKeyLetters[n%23]; u[7] != want {
		return "bad_uai_key", fmt.Sprintf("UAI %q has check letter %c, expected %c", u, u[7], want)
	}
	return "", ""
}

// normalizeUAI upper-cases the check letter of a UAI written in lower case
// ("0081152j" → "0081152J", as found in the Affelnet 2nde list); any other
// string (a UAI already in capitals, or the id of a plain locations file)
// is returned unchanged.
func normalizeUAI(u string) string {
	if len(u) != 8 || u[7] < 'a' || u[7] > 'z' {
		return u
	}
	for i := 0; i < 7; i++ {
		if u[i] < '0' || u[i] > '9' {
			return u
		}
	}
	return u[:7] + string(u[7]-'a'+'A')
}

// uaiDept returns the département code encoded in a UAI's first three
// digits ("035" for 0350005R, "620"/"720" for Corsica, "971" overseas).
func uaiDept(u string) string {
	if len(u) < 3 {
		return ""
	}
	switch u[:3] {
	case "620":
		return "02A"
	case "720":
		return "02B"
	}
	return u[:3]
}

// normalizeDept writes a département code on three characters: "35" →
// "035", "2A" → "02A"; "" stays "".
func normalizeDept(d string) string {
	d = strings.ToUpper(strings.TrimSpace(d))
	if len(d) > 0 && len(d) < 3 {
		d = strings.Repeat("0", 3-len(d)) + d
	}
	return d
}

// isMetropolitan reports whether a département code is in metropolitan
// France (01–95, 02A, 02B); "" (unknown) is not.
func isMetropolitan(d string) bool {
	if d == "02A" || d == "02B" {
		return true
	}
	n, err := strconv.Atoi(d)
	return err == nil && n >= 1 && n <= 95
}

// validLatLon checks WGS84 ranges, rejects the 0,0 placeholder and, for a
// metropolitan school, requires metropolitan France (with Corsica).
func validLatLon(lat, lon float64, metro bool) bool {
	if math.IsNaN(lat) || math.IsNaN(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return false
	}
	if lat == 0 && lon == 0 {
		return false
	}
	if metro {
		return lat >= 41 && lat <= 51.6 && lon >= -5.8 && lon <= 10
	}
	return true
}

// validLambert93 checks that x, y lie in the Lambert-93 extent of
// metropolitan France (with a margin).
func validLambert93(x, y float64) bool {
	return x >= 0 && x <= 1.4e6 && y >= 6.0e6 && y <= 7.2e6
}

// webAddress returns s when it is an absolute http or https address with
// a host, else "".
func webAddress(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return s
}

// parseDecimal parses a decimal number written with '.' or a French ','.
func parseDecimal(s string) (float64, error) {
	if s == "" {
		return 0, errors.New("empty")
	}
	if strings.IndexByte(s, ',') >= 0 && strings.IndexByte(s, '.') < 0 {
		s = strings.Replace(s, ",", ".", 1)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("not a number: %q", s)
	}
	return v, nil
}

// parseBool reads 1/0, true/false, yes/no, oui/non, o/n, y/n (any case);
// ok is false for other non-empty values. "" is false.
func parseBool(s string) (v, ok bool) {
	switch fold(s) {
	case "1", "true", "yes", "y", "oui", "o", "vrai":
		return true, true
	case "", "0", "false", "no", "n", "non", "faux":
		return false, true
	}
	return false, false
}

// parseSector reads "Public" / "Privé" (and English, or a boolean
// "public" flag: 1 = public, 0 = private).
func parseSector(s string) graph.Sector {
	switch fold(s) {
	case "public", "pu", "1", "true", "yes", "oui":
		return graph.SectorPublic
	case "prive", "private", "pr", "0", "false", "no", "non":
		return graph.SectorPrivate
	}
	return graph.SectorUnknown
}
