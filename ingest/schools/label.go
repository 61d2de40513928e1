package schools

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// diplomaLevels maps the acronyms of vocational diplomas, as the first
// word of a MEF label or the short label (LIBELLE_COURT) of a diploma
// writes them, to the levels offers carry (see DiplomaLevel).
var diplomaLevels = map[string]string{
	"CAP": "CAP", "CAPA": "CAPA", "BEP": "BEP", "BP": "BP", "BPA": "BPA",
	"BTS": "BTS", "BTSA": "BTSA", "MC": "MC", "BMA": "BMA", "DMA": "DMA", "BTM": "BTM",
}

// keptUpper are the words ReadableLabel leaves in capitals: diploma
// acronyms and a few other acronyms of training names.
var keptUpper = map[string]bool{
	"CAP": true, "CAPA": true, "BEP": true, "BEPA": true, "BP": true, "BPA": true, "BTS": true,
	"BTSA": true, "BTM": true, "BTMS": true, "BMA": true, "DMA": true, "MC": true, "CS": true,
	"CQP": true, "DNMADE": true, "DUT": true, "TP": true, "PME": true, "PMI": true, "BTP": true,
	"CAO": true, "DAO": true, "TPE": true, "HSE": true, "QHSE": true, "CFA": true, "UFA": true,
	"ULIS": true, "SEGPA": true, "EREA": true, "GRETA": true,
}

// accented restores the accents of words of training names written in
// unaccented capitals. It holds only words with a single accented
// spelling in this vocabulary ("metiers" is always "métiers"); words
// whose unaccented form is also a word ("marche", "sur", "arme") are left
// out and stay unaccented.
var accented = map[string]string{
	"1ere": "1re", "2eme": "2e", "3eme": "3e", "activite": "activité", "activites": "activités",
	"aeronautique": "aéronautique", "aeronautiques": "aéronautiques", "agroequipement": "agroéquipement",
	"amenagement": "aménagement", "amenagements": "aménagements", "annee": "année", "bat": "bât", "bati": "bâti",
	"batiment": "bâtiment", "batiments": "bâtiments", "beton": "béton", "cafe": "café",
	"ceramique": "céramique", "collectivites": "collectivités", "connecte": "connecté",
	"connectes": "connectés", "controle": "contrôle", "cosmetique": "cosmétique", "creation": "création",
	"decor": "décor", "decorateur": "décorateur", "decoration": "décoration", "dependance": "dépendance",
	"ebeniste": "ébéniste", "ebenisterie": "ébénisterie", "ecailler": "écailler", "ecologique": "écologique",
	"economie": "économie", "electricien": "électricien", "electricite": "électricité",
	"electrique": "électrique", "electriques": "électriques", "electromecanique": "électromécanique",
	"electronique": "électronique", "electrotechnique": "électrotechnique", "elevage": "élevage",
	"employe": "employé", "energetique": "énergétique", "energetiques": "énergétiques",
	"energie": "énergie", "energies": "énergies", "epicerie": "épicerie", "equine": "équine",
	"equipement": "équipement", "equipements": "équipements", "equipier": "équipier",
	"equitation": "équitation", "esthetique": "esthétique", "etancheite": "étanchéité", "etude": "étude",
	"etudes": "études", "evenementiel": "événementiel", "faconnage": "façonnage", "foret": "forêt",
	"forets": "forêts", "forestiere": "forestière", "generale": "générale", "general": "général",
	"genie": "génie", "geometre": "géomètre", "hotel": "hôtel", "hotelier": "hôtelier",
	"hotellerie": "hôtellerie", "hygiene": "hygiène", "imprimes": "imprimés", "legers": "légers",
	"macon": "maçon", "maconnerie": "maçonnerie", "materiaux": "matériaux", "materiel": "matériel",
	"materiels": "matériels", "mecanicien": "mécanicien", "mecanique": "mécanique",
	"mecaniques": "mécaniques", "medical": "médical", "medico": "médico", "metallerie": "métallerie",
	"metallique": "métallique", "metalliques": "métalliques", "metier": "métier", "metiers": "métiers",
	"modele": "modèle", "mosaiste": "mosaïste", "numerique": "numérique", "numeriques": "numériques",
	"operateur": "opérateur", "operations": "opérations", "patisserie": "pâtisserie",
	"patissier": "pâtissier", "patissiere": "pâtissière", "peche": "pêche", "platre": "plâtre",
	"platrier": "plâtrier", "precision": "précision", "premiere": "première", "preparation": "préparation",
	"pret": "prêt", "prevention": "prévention", "procede": "procédé", "procedes": "procédés",
	"proprete": "propreté", "prothese": "prothèse", "proximite": "proximité", "qualite": "qualité",
	"realisation": "réalisation", "reception": "réception", "regulation": "régulation",
	"reparation": "réparation", "reseau": "réseau", "reseaux": "réseaux", "revetement": "revêtement",
	"revetements": "revêtements", "securite": "sécurité", "sante": "santé", "signaletique": "signalétique",
	"specialise": "spécialisé", "specialisee": "spécialisée", "specialite": "spécialité",
	"sterilisation": "stérilisation", "surete": "sûreté", "systeme": "système", "systemes": "systèmes",
	"telecommunications": "télécommunications", "telephonie": "téléphonie", "vegetal": "végétal",
	"vegetale": "végétale", "vegetaux": "végétaux", "vehicule": "véhicule", "vehicules": "véhicules",
	"vetement": "vêtement", "vetements": "vêtements",
}

// accentedAbbrev restores the accents of abbreviations (a word followed
// by a full stop) of the truncated MEF labels: "MET." is "mét.", "BAT." is
// "bât.".
var accentedAbbrev = map[string]string{
	"bat": "bât", "eco": "éco", "elec": "élec", "elect": "élect", "electr": "électr", "energ": "énerg",
	"equip": "équip", "gen": "gén", "met": "mét", "real": "réal", "res": "rés",
	"secu": "sécu", "telecom": "télécom", "vehic": "véhic",
}

// optionMarkers are the words after which a lone capital letter is an
// option letter ("OPTION A", "OPT. B"), not the preposition "à".
var optionMarkers = map[string]bool{"option": true, "options": true, "opt": true, "op": true}

// optionWord matches an option letter glued to its marker ("OPTA" is
// "option A").
var optionWord = regexp.MustCompile(`^OPT([A-E])$`)

// mefCourse matches the first word of a MEF label naming the year and the
// duration of a course: "1CAP2" (1st year of a CAP in 2 years).
var mefCourse = regexp.MustCompile(`^([0-9])([A-Z]+)([0-9])$`)

// ReadableLabel rewrites a training label written in capitals, as the
// national nomenclature and the Affelnet lists write them, in readable
// case. A label that is not mostly capitals is returned as it is
// (trimmed), so that labels written by people are never altered.
//
// The diploma comes first: "CUISINE (CAP)" (the nomenclature's long
// labels) and "CAP CUISINE" give "CAP Cuisine", "... (BAC PRO)" gives "Bac
// pro ...", and the year word of a MEF label is spelt out: "1ERPRO" is "1re
// pro", "2NDPRO" "2nde pro", "TLEPRO" "Terminale pro", "1CAP2 X" is "CAP X
// (1re année sur 2)". The rest is in sentence case: lower case with a
// capital first letter, diploma and a few other acronyms kept in capitals
// (see keptUpper), "D'" and "L'" as "d'" and "l'", a lone "A" as "à"
// except after OPTION/OPT./OP. where it is an option letter, other lone
// letters kept in capitals, "OPTA" as "opt. A", and a space added after an
// abbreviation's full stop followed by a letter ("MET.COM." is "mét.
// com.").
//
// Accents: the source labels have none (or a few). They are restored for
// the words of a fixed list of unambiguous training-name words and
// abbreviations (accented, accentedAbbrev: "METIERS" is "métiers");
// other words stay as they are spelt, without accents, rather than
// guessed.
func ReadableLabel(s string) string {
	s = collapseSpaces(s)
	if !mostlyCapitals(s) {
		return s
	}
	prefix, body, tail := splitDiploma(s)
	body = capitalizeFirst(sentenceCase(body))
	switch {
	case prefix == "":
		return body + tail
	case body == "":
		return prefix + tail
	}
	return prefix + " " + body + tail
}

// collapseSpaces trims s and replaces its runs of white space by one space.
func collapseSpaces(s string) string { return strings.Join(strings.Fields(s), " ") }

// mostlyCapitals reports whether s has more upper-case than lower-case
// letters.
func mostlyCapitals(s string) bool {
	upper, lower := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			upper++
		case unicode.IsLower(r):
			lower++
		}
	}
	return upper > lower
}

// splitDiploma splits a capitals label into the readable diploma prefix
// ("CAP", "Bac pro", "1re pro"), the rest, and a tail to append ("(1re
// année sur 2)"); prefix is "" when the label names no diploma this way.
func splitDiploma(s string) (prefix, body, tail string) {
	// "SPECIALITY (SIGLE)", the nomenclature's long labels.
	if strings.HasSuffix(s, ")") {
		if open := strings.LastIndexByte(s, '('); open >= 0 {
			if p := sigleDisplay(s[open+1 : len(s)-1]); p != "" {
				return p, strings.TrimSpace(s[:open]), ""
			}
		}
	}
	words := strings.Fields(s)
	if len(words) == 0 {
		return "", s, ""
	}
	first := strings.ToUpper(words[0])
	rest := strings.TrimSpace(strings.TrimPrefix(s, words[0]))
	restAfter2 := ""
	if len(words) > 1 {
		restAfter2 = strings.TrimSpace(strings.TrimPrefix(rest, words[1]))
		switch first + " " + strings.ToUpper(words[1]) {
		case "BAC PRO":
			return "Bac pro", restAfter2, ""
		case "2NDE PRO", "2ND PRO":
			return "2nde pro", restAfter2, ""
		case "1ERE PRO", "1ER PRO":
			return "1re pro", restAfter2, ""
		case "TLE PRO", "TERM PRO":
			return "Terminale pro", restAfter2, ""
		}
	}
	switch first {
	case "BACPRO", "BAC.PRO", "BAC-PRO":
		return "Bac pro", rest, ""
	case "2NDPRO", "2NDEPRO":
		return "2nde pro", rest, ""
	case "1ERPRO", "1EREPRO":
		return "1re pro", rest, ""
	case "TLEPRO", "TERMPRO":
		return "Terminale pro", rest, ""
	}
	if keptUpper[first] {
		if _, ok := diplomaLevels[first]; ok {
			return first, rest, ""
		}
	}
	if m := mefCourse.FindStringSubmatch(first); m != nil {
		if _, ok := diplomaLevels[m[2]]; ok {
			if m[3] == "1" {
				return m[2], rest, " (en 1 an)"
			}
			return m[2], rest, " (" + ordinal(m[1]) + " année sur " + m[3] + ")"
		}
	}
	// "MC5", "MC4": a mention complémentaire and its former level.
	if core := strings.TrimRight(first, "0123456789"); core != first && core != "" {
		if _, ok := diplomaLevels[core]; ok {
			return core, rest, ""
		}
	}
	return "", s, ""
}

// ordinal writes the French ordinal of a one-digit number: "1re", "2e".
func ordinal(d string) string {
	if d == "1" {
		return "1re"
	}
	return d + "e"
}

// sigleDisplay returns the readable form of a diploma sigle ("BAC PRO" →
// "Bac pro", "CAP" → "CAP", "MC5" → "MC"), or "" when s is not one.
func sigleDisplay(s string) string {
	s = strings.ToUpper(collapseSpaces(s))
	if s == "BAC PRO" {
		return "Bac pro"
	}
	if rest, ok := strings.CutPrefix(s, "BAC PRO "); ok {
		return "Bac pro " + sentenceCase(rest)
	}
	core := strings.TrimRight(s, "0123456789")
	if _, ok := diplomaLevels[core]; ok {
		return core
	}
	return ""
}

// sigleLevel returns the level of a diploma sigle ("BAC PRO" → "Bac Pro",
// "MC5" → "MC"), or "".
func sigleLevel(s string) string {
	s = strings.ToUpper(collapseSpaces(s))
	if s == "BAC PRO" || strings.HasPrefix(s, "BAC PRO ") {
		return "Bac Pro"
	}
	return diplomaLevels[strings.TrimRight(s, "0123456789")]
}

// sentenceCase lower-cases the words of s but for the exceptions listed by
// ReadableLabel; it does not capitalise the first letter.
func sentenceCase(s string) string {
	rs := []rune(s)
	var b strings.Builder
	prev := "" // previous word, lower case
	boundary := func(i int) bool { return i < 0 || i >= len(rs) || rs[i] == ' ' || rs[i] == '-' }
	for i := 0; i < len(rs); {
		if !isWordRune(rs[i]) {
			b.WriteRune(rs[i])
			if rs[i] == '.' && i+1 < len(rs) && unicode.IsLetter(rs[i+1]) {
				b.WriteByte(' ')
			}
			i++
			continue
		}
		j := i
		for j < len(rs) && isWordRune(rs[j]) {
			j++
		}
		word := string(rs[i:j])
		up, low := strings.ToUpper(word), strings.ToLower(word)
		var next rune
		if j < len(rs) {
			next = rs[j]
		}
		switch {
		case keptUpper[up]:
			b.WriteString(up)
		case optionWord.MatchString(up):
			b.WriteString("opt. " + up[3:])
		case j-i == 1 && (next == '\'' || next == '’'):
			b.WriteString(low)
		case j-i == 1 && up == "A" && boundary(i-1) && boundary(j) && !optionMarkers[prev]:
			b.WriteString("à")
		case j-i == 1:
			b.WriteString(up)
		case next == '.' && accentedAbbrev[low] != "":
			b.WriteString(accentedAbbrev[low])
		case accented[low] != "":
			b.WriteString(accented[low])
		default:
			b.WriteString(low)
		}
		prev = low
		i = j
	}
	return b.String()
}

// isWordRune reports whether r belongs to a word: a letter or a digit.
func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// capitalizeFirst upper-cases the first letter of s when s starts with a
// letter.
func capitalizeFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if !unicode.IsLetter(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}
