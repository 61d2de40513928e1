// Package ban reads the national address base (Base Adresse Nationale) as
// published per département: adresses-XX.csv, UTF-8, ';'-separated, one
// house number per row, with the documented header
//
//	id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;
//	code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;
//	type_position;alias;nom_ld;libelle_acheminement;nom_afnor;
//	source_position;source_nom_voie;certification_commune;cad_parcelles
//
// Columns are found by their header names, in any order; numero, nom_voie,
// lon and lat are required, id, rep, code_postal and nom_commune read when
// present, the others ignored.
package ban

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"reach/graph"
)

// Address is one house number of the base.
type Address struct {
	ID       string // the base's interoperability key, e.g. "35238_1234_00012"
	Number   string // numero and rep: "12", "12 bis"
	Street   string // nom_voie
	Postcode string // code_postal
	City     string // nom_commune
	Lat, Lon float64
}

// Label returns "12 bis Rue de Strasbourg".
func (a Address) Label() string { return a.Number + " " + a.Street }

// Drop reasons.
const (
	dropBadCoordinates = "bad_coordinates" // lon/lat missing, unparsable, out of range or 0,0
	dropNoNumber       = "no_number"       // numero empty, 0 or 99999 (a place without number)
	dropNoStreet       = "no_street"       // nom_voie empty
	dropShortRow       = "short_row"       // fewer fields than the required columns need
	dropBadRow         = "bad_row"         // a row the CSV reader could not split, or not UTF-8
)

// maxRowBytes bounds one row: the base's rows are a few hundred bytes.
const maxRowBytes = 1 << 16

// Read reads one address base file.
func Read(path string) ([]Address, graph.AddressFileReport, error) {
	rep := graph.AddressFileReport{Path: path}
	f, err := os.Open(path)
	if err != nil {
		return nil, rep, fmt.Errorf("addresses: %w", err)
	}
	defer f.Close()
	out, err := read(f, path, &rep)
	return out, rep, err
}

// read reads the file's rows from r; name is used in messages.
func read(r io.Reader, name string, rep *graph.AddressFileReport) ([]Address, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	cr := csv.NewReader(&lineLimiter{r: br})
	cr.Comma = ';'
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("addresses: %s: empty file, want the national address base's header (id;id_fantoir;numero;rep;nom_voie;…;lon;lat)", name)
	}
	if err != nil {
		return nil, fmt.Errorf("addresses: %s: header: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		if _, ok := col[h]; !ok {
			col[h] = i
		}
	}
	var missing []string
	for _, c := range []string{"numero", "nom_voie", "lon", "lat"} {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("addresses: %s: not a national address base file: no column %s (want the adresses-XX.csv header id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;…;lon;lat, ';'-separated)",
			name, strings.Join(missing, ", "))
	}
	opt := func(c string) int {
		if i, ok := col[c]; ok {
			return i
		}
		return -1
	}
	iNum, iStreet, iLon, iLat := col["numero"], col["nom_voie"], col["lon"], col["lat"]
	iRep, iID, iPost, iCity := opt("rep"), opt("id"), opt("code_postal"), opt("nom_commune")
	need := max(iNum, iStreet, iLon, iLat) + 1
	get := func(rec []string, i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	var drops graph.Drops
	var out []Address
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, fmt.Errorf("addresses: %s: %w", name, err)
			}
			rep.Rows++
			drops.Addf(name, dropBadRow, "%s:%d: %v", name, pe.Line, pe.Err)
			continue
		}
		rep.Rows++
		line, _ := cr.FieldPos(0)
		if len(rec) < need {
			drops.Addf(name, dropShortRow, "%s:%d: %d fields, want at least %d", name, line, len(rec), need)
			continue
		}
		valid := true
		for _, f := range rec {
			valid = valid && utf8.ValidString(f)
		}
		if !valid {
			drops.Addf(name, dropBadRow, "%s:%d: not UTF-8", name, line)
			continue
		}
		num := get(rec, iNum)
		if n, err := strconv.Atoi(num); num == "" || (err == nil && (n <= 0 || n == 99999)) {
			drops.Addf(name, dropNoNumber, "%s:%d: numero %q", name, line, num)
			continue
		}
		street := get(rec, iStreet)
		if street == "" {
			drops.Addf(name, dropNoStreet, "%s:%d: empty nom_voie", name, line)
			continue
		}
		lon, err1 := strconv.ParseFloat(get(rec, iLon), 64)
		lat, err2 := strconv.ParseFloat(get(rec, iLat), 64)
		if err1 != nil || err2 != nil || !(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) || (lat == 0 && lon == 0) {
			drops.Addf(name, dropBadCoordinates, "%s:%d: lon %q lat %q", name, line, get(rec, iLon), get(rec, iLat))
			continue
		}
		if r := get(rec, iRep); r != "" {
			num += " " + r
		}
		out = append(out, Address{ID: get(rec, iID), Number: num, Street: street, Postcode: get(rec, iPost),
			City: get(rec, iCity), Lat: lat, Lon: lon})
	}
	rep.Kept = len(out)
	rep.Drops = drops.List()
	return out, nil
}

// lineLimiter passes lines through, cutting any line longer than
// maxRowBytes so that a file without line ends cannot make the CSV reader
// hold it whole: the cut row is then dropped as too short or unparsable.
type lineLimiter struct {
	r   *bufio.Reader
	run int // bytes since the last line end
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			l.run = 0
			continue
		}
		l.run++
		if l.run > maxRowBytes {
			p[i] = '\n'
			l.run = 0
		}
	}
	return n, err
}
