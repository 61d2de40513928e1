package schools

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"reach/graph"
)

// Offer is one training offer as read from an offer list.
type Offer struct {
	UAI      string // school id
	Label    string // MEF label, or a readable label built from the code
	Code     string // MEFSTAT11 / MEF / CFD code, "" when the file has none
	Level    string // diploma level, see DiplomaLevel ("" when not derivable)
	Voie     graph.Voie
	Capacity int32 // places, -1 when unknown
	Source   graph.OfferSource
	Line     int
	Where    string // school label and commune as given by the file (for reports)
	// Named is set when the label and level come from the nomenclature
	// (Nomenclature.Name).
	Named bool
	// Unnamed is set when the label is built from the code alone (the
	// 2nde list has no labels, see MEFSTAT11Label) and no nomenclature
	// named it: the offer is shown as a code.
	Unnamed bool
}

// OfferList is the content of one offer file.
type OfferList struct {
	Path   string
	Source graph.OfferSource
	Rows   int // data rows read
	Offers []Offer
	// CapacityPlaceholder counts the offers with a capacity of 999, the
	// Affelnet placeholder for "not set", read as unknown (-1). In the
	// national 2nde list 999 is the value of 6,598 of the 19,501 offers,
	// mostly apprenticeship ones, and the next largest value is 666.
	CapacityPlaceholder int
	Drops               []graph.Drop
}

// capacityPlaceholder is the Affelnet value for an unset capacity.
const capacityPlaceholder = 999

// maxCapacity bounds a plausible capacity.
const maxCapacity = 100000

// ReadAffelnet1rePro reads the national Affelnet "1re pro" offer list
// (';'-separated): UAI "Etablissement d'accueil", MEF label "Libellé du MEF
// national de rattachement", status "Statut Offre de formation" (ST
// scolaire, AP apprentissage) and capacity "Capacité carte scolaire"
// (falling back to "Capacité d'affectation"). The label, truncated capitals
// ("1ERPRO METIERS ELECT. ENVIRON. CONNECTES"), is rewritten in readable
// case by ReadableLabel; the level is derived from the original label.
// The published list carries no MEF code ("Code Ministère" is the
// ministry's code, not the training's), so Code is ""; other editions of
// the same export carry a "MEF STAT 11" column (also read as "Code MEF",
// "MEFSTAT11"), which then fills Code so that a nomenclature can name the
// offer. It fails when the file is not such a list.
func ReadAffelnet1rePro(path string) (*OfferList, error) {
	return readOfferFile(path, graph.OfferFromAffelnet1rePro)
}

// ReadAffelnet2nde reads the national Affelnet "2nde" offer list
// (';'-separated): ID_ETAB (UAI), CO_MEFSTAT (MEFSTAT11 code), CO_STA
// (ST / AP) and VAL_CARSCO (capacity). The file has no labels: Label is
// built from the code's MEFSTAT4 prefix (see MEFSTAT11Label). It fails when
// the file is not such a list.
func ReadAffelnet2nde(path string) (*OfferList, error) {
	return readOfferFile(path, graph.OfferFromAffelnet2nde)
}

// ReadOffers reads an offer list recognised by its header: either Affelnet
// list, or a plain CSV with the columns school_id and label, and optionally
// diploma (the level), voie (scolaire / apprentissage), code and capacity.
// In a plain list, school_id is the id of the locations file (any string).
func ReadOffers(path string) (*OfferList, error) {
	return readOfferFile(path, offerAuto)
}

// offerAuto asks readOffers to detect the list from its header.
const offerAuto graph.OfferSource = 255

func readOfferFile(path string, want graph.OfferSource) (*OfferList, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("offer list: %w", err)
	}
	defer f.Close()
	l, err := readOffers(f, filepath.Base(path), want)
	if err != nil {
		return nil, err
	}
	l.Path = path
	return l, nil
}

// offerColumns are the column indexes of an Affelnet list.
type offerColumns struct {
	uai, label, code, status, capacity, capacity2, school, commune, level int
}

func readOffers(r io.Reader, name string, want graph.OfferSource) (*OfferList, error) {
	t, err := openTable(r, name)
	if err != nil {
		return nil, fmt.Errorf("offer list: %w", err)
	}
	var src graph.OfferSource
	var c offerColumns
	switch {
	case t.col("etablissement_d_accueil") >= 0 && t.col("libelle_du_mef_national_de_rattachement") >= 0:
		src = graph.OfferFromAffelnet1rePro
		c = offerColumns{
			uai:       t.col("etablissement_d_accueil"),
			label:     t.col("libelle_du_mef_national_de_rattachement"),
			code:      t.col("mef_stat_11", "code_mef_stat_11", "code_mefstat11", "mefstat11", "code_mef", "mef"),
			status:    t.col("statut_offre_de_formation"),
			capacity:  t.col("capacite_carte_scolaire"),
			capacity2: t.col("capacite_d_affectation"),
			school:    t.col("libelle_de_l_etablissement_d_accueil"),
			commune:   t.col("commune_de_l_etablissement_d_accueil"),
			level:     -1,
		}
	case t.col("id_etab") >= 0 && t.col("co_mefstat") >= 0:
		src = graph.OfferFromAffelnet2nde
		c = offerColumns{
			uai:       t.col("id_etab"),
			label:     -1,
			code:      t.col("co_mefstat"),
			status:    t.col("co_sta"),
			capacity:  t.col("val_carsco"),
			capacity2: -1,
			school:    -1,
			commune:   -1,
			level:     -1,
		}
	case t.col("school_id") >= 0 && t.col("label") >= 0:
		src = graph.OfferFromCSV
		c = offerColumns{
			uai: t.col("school_id"), label: t.col("label"), code: t.col("code"), status: t.col("voie"),
			capacity: t.col("capacity"), capacity2: -1, school: -1, commune: -1, level: t.col("diploma", "level"),
		}
	default:
		return nil, fmt.Errorf("offer list: %s:1: header matches no known offer list: need the Affelnet 1re pro columns "+
			"(Etablissement d'accueil; Libellé du MEF national de rattachement), the 2nde columns (ID_ETAB; CO_MEFSTAT) "+
			"or plain columns (school_id, label[, diploma, voie, code, capacity])", name)
	}
	if want != offerAuto && want != src {
		return nil, fmt.Errorf("offer list: %s:1: header is that of the %s list, not %s", name, src, want)
	}
	l := &OfferList{Source: src}
	var dr drops
	for {
		rec, line, err := t.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("offer list: %w", err)
		}
		l.Rows++
		o, reason, detail := parseOfferRow(rec, c, src)
		if reason != "" {
			dr.add(name, line, reason, detail)
			continue
		}
		o.Line = line
		if o.Capacity == -2 {
			l.CapacityPlaceholder++
			o.Capacity = -1
		}
		l.Offers = append(l.Offers, o)
	}
	l.Drops = dr.result()
	return l, nil
}

// parseOfferRow reads one Affelnet row. A capacity of 999 comes back as -2
// so that the caller can count placeholders.
func parseOfferRow(rec []string, c offerColumns, src graph.OfferSource) (o Offer, reason, detail string) {
	o.Source = src
	o.UAI = normalizeUAI(field(rec, c.uai))
	if src == graph.OfferFromCSV {
		if o.UAI == "" {
			return o, "missing_school_id", "empty school_id"
		}
	} else if reason, detail = checkUAI(o.UAI); reason != "" {
		return o, reason, detail
	}
	o.Where = strings.TrimSpace(field(rec, c.school) + " " + field(rec, c.commune))
	o.Code = field(rec, c.code)
	o.Label = field(rec, c.label)
	if src == graph.OfferFromAffelnet2nde {
		if o.Code == "" {
			return o, "missing_code", fmt.Sprintf("UAI %s: empty CO_MEFSTAT", o.UAI)
		}
		o.Label, o.Unnamed = MEFSTAT11Label(o.Code), true
	} else if o.Label == "" {
		return o, "missing_label", fmt.Sprintf("UAI %s: empty MEF label", o.UAI)
	}
	if o.Level = field(rec, c.level); o.Level == "" {
		o.Level = DiplomaLevel(o.Label, o.Code)
	}
	if src == graph.OfferFromAffelnet1rePro {
		o.Label = ReadableLabel(o.Label)
	}
	var ok bool
	if o.Voie, ok = parseVoie(field(rec, c.status)); !ok {
		return o, "bad_status", fmt.Sprintf("UAI %s: status %q is neither ST nor AP", o.UAI, field(rec, c.status))
	}
	capS := field(rec, c.capacity)
	if capS == "" {
		capS = field(rec, c.capacity2)
	}
	if o.Capacity, ok = parseCapacity(capS); !ok {
		return o, "bad_capacity", fmt.Sprintf("UAI %s: capacity %q is not a whole number of places", o.UAI, capS)
	}
	return o, "", ""
}

// parseVoie reads an Affelnet status: ST (or scolaire) and AP (or
// apprentissage); "" is scolaire.
func parseVoie(s string) (graph.Voie, bool) {
	switch fold(s) {
	case "", "st", "scolaire", "school":
		return graph.VoieScolaire, true
	case "ap", "apprentissage", "apprenticeship":
		return graph.VoieApprentissage, true
	}
	return graph.VoieScolaire, false
}

// parseCapacity reads a number of places: "" is unknown (-1), 999 (the
// Affelnet placeholder) is returned as -2; negative, fractional or huge
// values are refused.
func parseCapacity(s string) (int32, bool) {
	if s == "" {
		return -1, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > maxCapacity {
		return 0, false
	}
	if n == capacityPlaceholder {
		return -2, true
	}
	return int32(n), true
}

// DiplomaLevel derives the diploma an offer prepares from its MEF label,
// else from its MEFSTAT11 code; "" when neither tells. See
// LevelFromMEFLabel and LevelFromMEFSTAT11 for the rules.
func DiplomaLevel(label, code string) string {
	if l := LevelFromMEFLabel(label); l != "" {
		return l
	}
	return LevelFromMEFSTAT11(code)
}

// LevelFromMEFLabel derives the diploma from a national MEF label, whose
// first word names the year and the diploma:
//
//   - "1ERPRO …", "2NDPRO …", "TLEPRO …", "BACPRO …", "BAC PRO …", and
//     "2NDE PRO" / "1ERE PRO" / "TLE PRO" / "TERM PRO" → "Bac Pro";
//   - otherwise the first word stripped of its leading year digit and
//     trailing duration digit ("1CAP2" → "CAP", "2BTS2" → "BTS",
//     "MC5" → "MC") when it is one of CAP, CAPA, BEP, BP, BPA, BTS, BTSA,
//     MC, BMA, DMA, BTM;
//   - else "".
func LevelFromMEFLabel(label string) string {
	words := strings.Fields(strings.ToUpper(label))
	if len(words) == 0 {
		return ""
	}
	w := words[0]
	switch w {
	case "1ERPRO", "2NDPRO", "TLEPRO", "BACPRO", "BAC.PRO", "BAC-PRO":
		return "Bac Pro"
	case "BAC", "2NDE", "1ERE", "TLE", "TERM":
		if len(words) > 1 && words[1] == "PRO" {
			return "Bac Pro"
		}
		return ""
	}
	core := strings.TrimRight(strings.TrimLeft(w, "0123456789"), "0123456789")
	return diplomaLevels[core]
}

// LevelFromMEFSTAT11 derives the diploma from a MEFSTAT11 code. The code
// is the 4-character MEFSTAT4 (kind of course and year) followed by the 7
// last characters of the diploma code (e.g. 23810031211 = 2381 + diploma
// 40031211, "2NDPRO MET. RELATION CLIENT"). By the MEFSTAT4 nomenclature:
//
//   - 231x (CAP in 1 year), 232x (CAP in 2 years), 233x (CAP in 3 years)
//     → "CAP";
//   - 238x (bac pro in 3 years: 2381 2nde pro, 2382 1re pro, 2383
//     terminale) → "Bac Pro";
//   - anything else ("" when the code is not 11 characters) → "", among
//     them the 2211, 2520 and 23C1 codes and the 9999/9011 placeholders of
//     the 2nde list, whose diploma this rule does not establish.
func LevelFromMEFSTAT11(code string) string {
	if len(code) != 11 {
		return ""
	}
	switch code[:3] {
	case "231", "232", "233":
		return "CAP"
	case "238":
		return "Bac Pro"
	}
	return ""
}

// mefstat4Label names the MEFSTAT4 codes of vocational courses; "" for
// others.
func mefstat4Label(code string) string {
	switch code {
	case "2311":
		return "CAP en 1 an"
	case "2321":
		return "CAP en 2 ans, 1re année"
	case "2322":
		return "CAP en 2 ans, 2e année"
	case "2331":
		return "CAP en 3 ans, 1re année"
	case "2332":
		return "CAP en 3 ans, 2e année"
	case "2333":
		return "CAP en 3 ans, 3e année"
	case "2381":
		return "2nde professionnelle"
	case "2382":
		return "1re professionnelle"
	case "2383":
		return "Terminale professionnelle"
	}
	return ""
}

// MEFSTAT11Label builds a readable label for a MEFSTAT11 code: the course
// and year from its MEFSTAT4 prefix when known, and the code itself (the
// speciality's name is not in the 2nde list), e.g. "2nde professionnelle
// (MEFSTAT11 23810031211)"; "MEFSTAT11 <code>" for other codes.
func MEFSTAT11Label(code string) string {
	if len(code) >= 4 {
		if l := mefstat4Label(code[:4]); l != "" {
			return l + " (MEFSTAT11 " + code + ")"
		}
	}
	return "MEFSTAT11 " + code
}
