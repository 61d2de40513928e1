package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"reach/ingest/schools"
)

// uaiKeyLetters are the UAI check letters: number mod 23 indexes them.
const uaiKeyLetters = "ABCDEFGHJKLMNPRSTUVWXYZ"

// uaiNumber returns the 7-digit number of a well-formed UAI (7 digits and
// a capital letter; the check letter is not verified), or -1.
func uaiNumber(u string) int {
	if len(u) != 8 || u[7] < 'A' || u[7] > 'Z' {
		return -1
	}
	n, err := strconv.Atoi(u[:7])
	if err != nil || u[0] == '+' || u[0] == '-' {
		return -1
	}
	return n
}

// makeUAI writes the UAI of a 7-digit number, with its check letter.
func makeUAI(n int) string { return fmt.Sprintf("%07d%c", n, uaiKeyLetters[n%23]) }

// uaiPrefix is the number a département's UAIs start with: its code, or
// 620 / 720 for Corse-du-Sud / Haute-Corse (the first three digits of the
// UAI then read as the département, see ingest/schools).
func uaiPrefix(dept string) (int, error) {
	switch dept {
	case "02A":
		return 620, nil
	case "02B":
		return 720, nil
	}
	n, err := strconv.Atoi(dept)
	if err != nil || n < 1 || n > 95 {
		return 0, fmt.Errorf("département %q is not metropolitan", dept)
	}
	return n, nil
}

// uaiPool hands out UAI numbers that no source file uses and no earlier
// copy received.
type uaiPool struct{ taken map[int]bool }

// take returns a free UAI of the département, trying the serial number
// (the last four digits) first, then the following ones.
func (p *uaiPool) take(dept string, serial int) (string, error) {
	pre, err := uaiPrefix(dept)
	if err != nil {
		return "", err
	}
	for t := range 10000 {
		n := pre*10000 + (serial+t)%10000
		if !p.taken[n] {
			p.taken[n] = true
			return makeUAI(n), nil
		}
	}
	return "", fmt.Errorf("no UAI left in département %s: too many copies there", dept)
}

// csvTable is a ';'-separated file held in memory, written back in the
// same form (byte-order mark and line ends).
type csvTable struct {
	path   string
	bom    bool
	crlf   bool
	header []string
	rows   [][]string
}

func readTable(path string) (*csvTable, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t := &csvTable{path: path}
	if rest, ok := bytes.CutPrefix(b, []byte("\ufeff")); ok {
		t.bom, b = true, rest
	}
	if i := bytes.IndexByte(b, '\n'); i > 0 && b[i-1] == '\r' {
		t.crlf = true
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.Comma = ';'
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if t.header == nil {
			t.header = rec
		} else {
			t.rows = append(t.rows, rec)
		}
	}
	if t.header == nil {
		return nil, fmt.Errorf("%s: empty file", path)
	}
	return t, nil
}

// col returns the index of the column of that name (case-insensitive), or -1.
func (t *csvTable) col(name string) int {
	for i, h := range t.header {
		if strings.EqualFold(strings.TrimSpace(h), name) {
			return i
		}
	}
	return -1
}

// write writes the header and rows in the table's form.
func (t *csvTable) write(w io.Writer, rows [][]string) error {
	if t.bom {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = t.crlf
	if err := cw.Write(t.header); err != nil {
		return err
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

// uaiColumn returns the UAI column of an offer list (Affelnet "1re pro" or
// "2nde") or of the directory.
func (t *csvTable) uaiColumn() (int, error) {
	for _, name := range []string{"Identifiant_de_l_etablissement", "Etablissement d'accueil", "ID_ETAB"} {
		if i := t.col(name); i >= 0 {
			return i, nil
		}
	}
	return -1, fmt.Errorf("%s:1: no UAI column (Identifiant_de_l_etablissement, Etablissement d'accueil or ID_ETAB)", t.path)
}

// schoolSources are the Rennes directory and offer lists, read once.
type schoolSources struct {
	directory *csvTable
	offers    []*csvTable // the Affelnet 1re pro and 2nde lists
	offerOut  []string    // their file names in a copy
}

// usedUAIs returns the UAI numbers the sources use: copies must avoid them,
// or an offer of the national lists would be placed at a copied school.
func (s *schoolSources) usedUAIs() (map[int]bool, error) {
	used := map[int]bool{}
	for _, t := range append([]*csvTable{s.directory}, s.offers...) {
		c, err := t.uaiColumn()
		if err != nil {
			return nil, err
		}
		for _, r := range t.rows {
			if c < len(r) {
				if n := uaiNumber(strings.TrimSpace(r[c])); n >= 0 {
					used[n] = true
				}
			}
		}
	}
	return used, nil
}

// allocateUAIs gives every well-formed UAI of the directory a new one in
// the département, in the directory's order.
func (s *schoolSources) allocateUAIs(pool *uaiPool, dept string) (map[string]string, error) {
	c, err := s.directory.uaiColumn()
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, r := range s.directory.rows {
		if c >= len(r) {
			continue
		}
		u := strings.TrimSpace(r[c])
		n := uaiNumber(u)
		if n < 0 || m[u] != "" {
			continue
		}
		if m[u], err = pool.take(dept, n%10000); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// schoolCopy is what a copy does to the directory and offers.
type schoolCopy struct {
	uai  map[string]string // original UAI → copy's UAI
	dept departement
	move move
}

// writeDirectory writes the copy of the directory: UAIs replaced (also in
// e-mail addresses and in any field holding a UAI of the directory, such
// as etablissement_mere), Code_departement and Libelle_departement set to
// the copy's, latitude/longitude and position moved, Lambert-93
// coordonnee_X/Y recomputed from the moved position. Rows whose UAI is
// malformed are copied unchanged (the reader drops them as it drops the
// originals).
func (s *schoolSources) writeDirectory(w io.Writer, sc schoolCopy) (int, error) {
	t := s.directory
	id, _ := t.uaiColumn()
	dep, depName := t.col("Code_departement"), t.col("Libelle_departement")
	lat, lon, pos := t.col("latitude"), t.col("longitude"), t.col("position")
	x, y, mail := t.col("coordonnee_X"), t.col("coordonnee_Y"), t.col("Mail")
	rows := make([][]string, 0, len(t.rows))
	for _, src := range t.rows {
		r := append([]string(nil), src...)
		at := func(i int) string {
			if i >= 0 && i < len(r) {
				return r[i]
			}
			return ""
		}
		set := func(i int, v string) {
			if i >= 0 && i < len(r) {
				r[i] = v
			}
		}
		orig := strings.TrimSpace(at(id))
		nu, ok := sc.uai[orig]
		if !ok {
			rows = append(rows, r)
			continue
		}
		for i, f := range r {
			if v, ok := sc.uai[strings.TrimSpace(f)]; ok {
				r[i] = v
			}
		}
		set(mail, strings.ReplaceAll(at(mail), orig, nu))
		set(dep, sc.dept.Code)
		set(depName, sc.dept.Name)
		la, ok1 := parseCoord(strings.Replace(at(lat), ",", ".", 1))
		lo, ok2 := parseCoord(strings.Replace(at(lon), ",", ".", 1))
		moved := ok1 && ok2 && validCoord(la, lo)
		if !moved {
			// Lambert-93 only: move the position it gives.
			xv, okx := parseCoord(at(x))
			yv, oky := parseCoord(at(y))
			if okx && oky && xv > 0 && yv > 0 {
				la, lo = schools.Lambert93ToWGS84(xv, yv)
				la, lo = sc.move.apply(la, lo)
				xv, yv = schools.WGS84ToLambert93(la, lo)
				set(x, strconv.FormatFloat(xv, 'f', 1, 64))
				set(y, strconv.FormatFloat(yv, 'f', 1, 64))
			}
			rows = append(rows, r)
			continue
		}
		la, lo = sc.move.apply(la, lo)
		set(lat, formatCoord(la))
		set(lon, formatCoord(lo))
		if at(pos) != "" {
			set(pos, formatCoord(la)+", "+formatCoord(lo))
		}
		if at(x) != "" || at(y) != "" {
			xv, yv := schools.WGS84ToLambert93(la, lo)
			set(x, strconv.FormatFloat(xv, 'f', 1, 64))
			set(y, strconv.FormatFloat(yv, 'f', 1, 64))
		}
		rows = append(rows, r)
	}
	return len(rows), t.write(w, rows)
}

// writeOffers writes the copy of offer list i: only the offers of the
// directory's schools, their UAI replaced (and, in the 1re pro list, the
// département label set to the copy's).
func (s *schoolSources) writeOffers(w io.Writer, i int, sc schoolCopy) (int, error) {
	t := s.offers[i]
	c, err := t.uaiColumn()
	if err != nil {
		return 0, err
	}
	dep := t.col("Département de l'établissement d'accueil")
	var rows [][]string
	for _, src := range t.rows {
		if c >= len(src) {
			continue
		}
		nu, ok := sc.uai[strings.TrimSpace(src[c])]
		if !ok {
			continue
		}
		r := append([]string(nil), src...)
		r[c] = nu
		if dep >= 0 && dep < len(r) {
			r[dep] = strings.ToUpper(sc.dept.Name)
		}
		rows = append(rows, r)
	}
	return len(rows), t.write(w, rows)
}
