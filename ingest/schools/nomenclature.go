package schools

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"reach/graph"
)

// Tables of the national nomenclature that ReadNomenclature recognises.
const (
	TableMEF              = "N_MEF"
	TableFormationDiplome = "N_FORMATION_DIPLOME"
)

// Nomenclature is the part of the national nomenclature of the education
// ministry (BCN, base centrale des nomenclatures, kept by the DEPP) that
// names training offers:
//
//   - N_MEF has one row per MEF (a year of a course: "2NDPRO MET. RELATION
//     CLIENT 2NDE COMMUNE"), with its 10-character code MEF, its
//     11-character statistical code MEF_STAT_11 (the code of the Affelnet
//     lists), the diploma it prepares FORMATION_DIPLOME, and its label
//     LIBELLE_LONG;
//   - N_FORMATION_DIPLOME has one row per diploma: its 8-character code
//     FORMATION_DIPLOME, its long label LIBELLE_LONG_200 ("SPECIALITY
//     (SIGLE)"), its short label LIBELLE_COURT (the diploma's kind: "CAP",
//     "BAC PRO", "BP", "BTS", "MC5"…) and its level NIVEAU_FORMATION_DIPLOME
//     ("500" CAP, "400" bac pro, "320" BTS…). V_FORMATION_DIPLOME (the
//     apprenticeship diplomas) has the same columns and is read the same
//     way.
//
// A Nomenclature is read once and is read-only afterwards.
type Nomenclature struct {
	Files []NomenclatureFile

	mefs      []mefRow
	byStat    map[string]int32 // MEF_STAT_11 → mefs index
	byMEF     map[string]int32 // MEF → mefs index
	diplomas  map[string]diplomaRow
	diplomaOf map[string]string // FORMATION_DIPLOME code → file it was read from (to report a repeated code)
}

// NomenclatureFile says what one table file gave.
type NomenclatureFile struct {
	Path     string
	Table    string // TableMEF or TableFormationDiplome
	Encoding string // "UTF-8" or "Windows-1252" (Latin-1)
	Rows     int    // data rows read
	Codes    int    // codes kept (MEF_STAT_11 or FORMATION_DIPLOME)
	Drops    []graph.Drop
}

// mefRow is one row of N_MEF.
type mefRow struct {
	diploma string // FORMATION_DIPLOME, "" when absent
	label   string // LIBELLE_LONG
}

// diplomaRow is one row of N_FORMATION_DIPLOME.
type diplomaRow struct {
	label  string // LIBELLE_LONG_200
	short  string // LIBELLE_COURT
	stat33 string // LIBELLE_STAT_33
	niveau string // NIVEAU_FORMATION_DIPLOME
}

// Training is what the nomenclature tells of a training code.
type Training struct {
	Name    string // readable name, see Lookup
	Level   string // diploma level as in DiplomaLevel ("" when the tables do not tell)
	Diploma string // FORMATION_DIPLOME code ("" when unknown)
}

// ReadNomenclature reads nomenclature tables as the ministry exports them:
// delimited text (';' by default, or the separator chosen at export: ',',
// tab or '|'), in Latin-1 (Windows-1252) or UTF-8, with or without a BOM,
// CRLF or LF line ends, quoted fields. Each file is recognised by its
// header, whose columns are matched by name in any order; other columns
// are ignored:
//
//   - N_MEF: MEF_STAT_11 and LIBELLE_LONG required, FORMATION_DIPLOME and
//     MEF used when present;
//   - N_FORMATION_DIPLOME (or V_FORMATION_DIPLOME): FORMATION_DIPLOME and
//     LIBELLE_LONG_200 required, LIBELLE_COURT, LIBELLE_STAT_33 and
//     NIVEAU_FORMATION_DIPLOME used when present.
//
// Rows whose code is not 11 (MEF_STAT_11) or 8 (FORMATION_DIPLOME) letters
// or digits are dropped as "bad_code", rows without a label as
// "missing_label", and a code met again (in the same or a later file) as
// "duplicate_code": the first row wins. It fails on an unreadable file or
// a header that matches neither table.
func ReadNomenclature(paths ...string) (*Nomenclature, error) {
	n := &Nomenclature{byStat: map[string]int32{}, byMEF: map[string]int32{},
		diplomas: map[string]diplomaRow{}, diplomaOf: map[string]string{}}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("nomenclature: %w", err)
		}
		f, err := n.read(raw, filepath.Base(p))
		if err != nil {
			return nil, err
		}
		f.Path = p
		n.Files = append(n.Files, f)
	}
	return n, nil
}

// read adds one table file's rows; name is used in messages.
func (n *Nomenclature) read(raw []byte, name string) (NomenclatureFile, error) {
	text, enc := decodeText(raw)
	f := NomenclatureFile{Encoding: enc}
	t, err := openTable(bytes.NewReader(text), name)
	if err != nil {
		return f, fmt.Errorf("nomenclature: %w", err)
	}
	var dr drops
	switch {
	case t.col("mef_stat_11") >= 0:
		f.Table = TableMEF
		err = n.readMEF(t, name, &f, &dr)
	case t.col("formation_diplome") >= 0 && t.col("libelle_long_200") >= 0:
		f.Table = TableFormationDiplome
		err = n.readDiplomas(t, name, &f, &dr)
	default:
		return f, fmt.Errorf("nomenclature: %s:1: header matches no nomenclature table: need the N_MEF columns "+
			"(MEF_STAT_11, LIBELLE_LONG[, FORMATION_DIPLOME]) or the N_FORMATION_DIPLOME columns "+
			"(FORMATION_DIPLOME, LIBELLE_LONG_200[, LIBELLE_COURT, NIVEAU_FORMATION_DIPLOME])", name)
	}
	if err != nil {
		return f, err
	}
	f.Drops = dr.result()
	return f, nil
}

// readMEF reads the rows of an N_MEF table.
func (n *Nomenclature) readMEF(t *table, name string, f *NomenclatureFile, dr *drops) error {
	stat, label, diploma, mef := t.col("mef_stat_11"), t.col("libelle_long"), t.col("formation_diplome"), t.col("mef")
	if label < 0 {
		return fmt.Errorf("nomenclature: %s:1: N_MEF header lacks column LIBELLE_LONG", name)
	}
	lineOf := map[string]int{}
	for {
		rec, line, err := t.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("nomenclature: %w", err)
		}
		f.Rows++
		code := strings.ToUpper(field(rec, stat))
		if !isCode(code, 11) {
			dr.add(name, line, "bad_code", fmt.Sprintf("column MEF_STAT_11: %q is not 11 letters or digits", code))
			continue
		}
		row := mefRow{diploma: strings.ToUpper(field(rec, diploma)), label: field(rec, label)}
		if row.label == "" {
			dr.add(name, line, "missing_label", fmt.Sprintf("MEF_STAT_11 %s: empty LIBELLE_LONG", code))
			continue
		}
		if !isCode(row.diploma, 8) {
			row.diploma = ""
		}
		if _, dup := n.byStat[code]; dup {
			where := "in an earlier file"
			if l, ok := lineOf[code]; ok {
				where = fmt.Sprintf("on line %d", l)
			}
			dr.add(name, line, "duplicate_code", fmt.Sprintf("MEF_STAT_11 %s already %s, first row kept", code, where))
			continue
		}
		lineOf[code] = line
		i := int32(len(n.mefs))
		n.mefs = append(n.mefs, row)
		n.byStat[code] = i
		if m := strings.ToUpper(field(rec, mef)); isCode(m, 10) {
			if _, dup := n.byMEF[m]; !dup {
				n.byMEF[m] = i
			}
		}
		f.Codes++
	}
}

// readDiplomas reads the rows of an N_FORMATION_DIPLOME table.
func (n *Nomenclature) readDiplomas(t *table, name string, f *NomenclatureFile, dr *drops) error {
	code, label, short, stat33, niveau := t.col("formation_diplome"), t.col("libelle_long_200"), t.col("libelle_court"),
		t.col("libelle_stat_33"), t.col("niveau_formation_diplome")
	lineOf := map[string]int{}
	for {
		rec, line, err := t.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("nomenclature: %w", err)
		}
		f.Rows++
		c := strings.ToUpper(field(rec, code))
		if !isCode(c, 8) {
			dr.add(name, line, "bad_code", fmt.Sprintf("column FORMATION_DIPLOME: %q is not 8 letters or digits", c))
			continue
		}
		row := diplomaRow{label: field(rec, label), short: field(rec, short), stat33: field(rec, stat33), niveau: field(rec, niveau)}
		if row.label == "" && row.stat33 == "" {
			dr.add(name, line, "missing_label", fmt.Sprintf("FORMATION_DIPLOME %s: empty LIBELLE_LONG_200 and LIBELLE_STAT_33", c))
			continue
		}
		if _, dup := n.diplomas[c]; dup {
			where := "in " + n.diplomaOf[c]
			if l, ok := lineOf[c]; ok {
				where = fmt.Sprintf("on line %d", l)
			}
			dr.add(name, line, "duplicate_code", fmt.Sprintf("FORMATION_DIPLOME %s already %s, first row kept", c, where))
			continue
		}
		lineOf[c] = line
		n.diplomas[c] = row
		n.diplomaOf[c] = name
		f.Codes++
	}
}

// isCode reports whether s has n characters, each an ASCII capital letter
// or digit (MEFSTAT4 prefixes such as "23C1" hold letters).
func isCode(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// Lookup returns what the nomenclature tells of a training code: an
// 11-character MEFSTAT11 (the Affelnet code) or a 10-character MEF, looked
// up in N_MEF, or an 8-character FORMATION_DIPLOME. Codes are matched
// without case.
//
// When the MEF's diploma is in N_FORMATION_DIPLOME, the Name is the
// diploma's long label LIBELLE_LONG_200, made readable (ReadableLabel:
// "METIERS DE LA COIFFURE (CAP)" is "CAP Métiers de la coiffure"), with
// the diploma's sigle from LIBELLE_COURT in front when the long label does
// not name it; otherwise it is the MEF's LIBELLE_LONG made readable ("2nde
// pro Mét. relation client 2nde commune"). The Level comes from the
// diploma's LIBELLE_COURT, the sigle ending its long label, or its
// NIVEAU_FORMATION_DIPLOME (500 CAP, 400 bac pro, 320 BTS), else from the
// MEF label and the MEFSTAT11 code as DiplomaLevel does.
func (n *Nomenclature) Lookup(code string) (Training, bool) {
	if n == nil {
		return Training{}, false
	}
	code = strings.ToUpper(strings.TrimSpace(code))
	var i int32
	var ok bool
	switch len(code) {
	case 11:
		i, ok = n.byStat[code]
	case 10:
		i, ok = n.byMEF[code]
	case 8:
		d, found := n.diplomas[code]
		if !found {
			return Training{}, false
		}
		return Training{Name: diplomaName(d), Level: diplomaLevel(d), Diploma: code}, true
	}
	if !ok {
		return Training{}, false
	}
	m := n.mefs[i]
	tr := Training{Diploma: m.diploma}
	if d, found := n.diplomas[m.diploma]; found && m.diploma != "" {
		tr.Name, tr.Level = diplomaName(d), diplomaLevel(d)
	} else {
		tr.Name = ReadableLabel(m.label)
	}
	if tr.Level == "" {
		tr.Level = LevelFromMEFLabel(m.label)
	}
	if tr.Level == "" && len(code) == 11 {
		tr.Level = LevelFromMEFSTAT11(code)
	}
	return tr, true
}

// Name gives the offers of l whose code the nomenclature knows their name
// and, when the nomenclature tells it, their level (see Lookup); it marks
// them Named and returns how many it named. Other offers are left as they
// are: an offer of the 2nde list keeps its label built from the code.
func (n *Nomenclature) Name(l *OfferList) int {
	if n == nil || l == nil {
		return 0
	}
	named := 0
	for i := range l.Offers {
		o := &l.Offers[i]
		if o.Code == "" {
			continue
		}
		tr, ok := n.Lookup(o.Code)
		if !ok {
			continue
		}
		o.Label = tr.Name
		if tr.Level != "" {
			o.Level = tr.Level
		}
		o.Named, o.Unnamed = true, false
		named++
	}
	return named
}

// diplomaName is the readable name of a diploma, see Lookup.
func diplomaName(d diplomaRow) string {
	long := d.label
	if long == "" {
		long = d.stat33
	}
	name := ReadableLabel(long)
	if p := sigleDisplay(d.short); p != "" {
		if prefix, _, _ := splitDiploma(strings.ToUpper(collapseSpaces(long))); prefix == "" {
			name = p + " " + name
		}
	}
	return name
}

// diplomaLevel is the level of a diploma, see Lookup.
func diplomaLevel(d diplomaRow) string {
	if l := sigleLevel(d.short); l != "" {
		return l
	}
	long := strings.TrimSpace(d.label)
	if strings.HasSuffix(long, ")") {
		if open := strings.LastIndexByte(long, '('); open >= 0 {
			if l := sigleLevel(long[open+1 : len(long)-1]); l != "" {
				return l
			}
		}
	}
	switch d.niveau {
	case "500":
		return "CAP"
	case "400":
		return "Bac Pro"
	case "320":
		return "BTS"
	}
	return ""
}
