// Package geocode builds and searches the address index of a graph
// (graph.Addresses): house numbers, named streets, schools and stops,
// found by their words as a counsellor types them.
//
// # Normalisation
//
// Names and queries go through the same steps, so that what is typed
// meets what is stored:
//
//   - letters are lower-cased and their accents removed ("É" → "e",
//     "ç" → "c", "œ" → "oe", "ß" → "ss"); letters without a Latin base
//     are kept lower-cased;
//   - anything that is neither a letter nor a digit separates words
//     (spaces, apostrophes, hyphens, dots, commas): "Saint-Michel" is
//     "saint michel", "l'Ouest" is "l ouest";
//   - a leading number (articles before it skipped) followed by a
//     repetition index joins it: "12 bis", "12 B" and "12bis" are all
//     "12bis" (indexes bis, ter, quater, quinquies and single letters b
//     to h);
//   - common French abbreviations are expanded (see abbreviations):
//     "bd" → "boulevard", "av" → "avenue", "st" → "saint", "ste" →
//     "sainte", "pl" → "place", "ch" → "chemin", "imp" → "impasse",
//     "fg" → "faubourg"…; "r" becomes "rue" only as the first word that
//     is not an article, after an optional house number ("r de la
//     paix", "12 r de la paix");
//   - articles and prepositions ("le", "la", "les", "l", "de", "du",
//     "des", "d", "a" for "à", "au", "aux", "en", "et") are not indexed
//     and not required in a query: "bd liberte" finds "Boulevard de la
//     Liberté". A name made of such words only keeps them.
//
// # Search
//
// See Search.
package geocode

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// abbreviations maps abbreviated words (normalised) to their expansion.
var abbreviations = map[string]string{
	"av": "avenue", "ave": "avenue", "avn": "avenue",
	"bd": "boulevard", "bld": "boulevard", "blvd": "boulevard", "bvd": "boulevard", "boul": "boulevard",
	"st": "saint", "ste": "sainte", "sts": "saints",
	"pl": "place", "ch": "chemin", "chem": "chemin", "imp": "impasse", "all": "allee",
	"rte": "route", "fg": "faubourg", "fbg": "faubourg", "sq": "square", "crs": "cours",
	"pte": "porte", "prom": "promenade", "res": "residence", "qu": "quai", "pass": "passage",
	"gal": "general", "gen": "general", "mal": "marechal", "pdt": "president", "pres": "president",
	"dr": "docteur", "prof": "professeur", "cdt": "commandant", "lt": "lieutenant", "cap": "capitaine",
	"mgr": "monseigneur",
}

// leadingAbbreviations apply only to the first word after an optional
// house number: "r" alone is too short to mean "rue" anywhere else.
var leadingAbbreviations = map[string]string{"r": "rue"}

// stopwords are the French articles and prepositions left out of the
// index and of the required words of a query.
var stopwords = map[string]bool{
	"le": true, "la": true, "les": true, "l": true, "de": true, "du": true, "des": true, "d": true,
	"a": true, "au": true, "aux": true, "en": true, "et": true,
}

// repetitions are the indexes that join a leading house number.
var repetitions = map[string]bool{
	"bis": true, "ter": true, "quater": true, "quinquies": true,
	"b": true, "c": true, "d": true, "e": true, "f": true, "g": true, "h": true,
}

// foldRune returns the lower-case, accent-free form of r, or "" when r
// separates words. Most runes are handled without allocating.
func foldRune(r rune, buf []byte) []byte {
	switch {
	case r < utf8.RuneSelf:
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return append(buf, byte(r))
		case r >= 'A' && r <= 'Z':
			return append(buf, byte(r)+'a'-'A')
		}
		return buf
	case r == 'œ' || r == 'Œ':
		return append(buf, "oe"...)
	case r == 'æ' || r == 'Æ':
		return append(buf, "ae"...)
	case r == 'ß':
		return append(buf, "ss"...)
	case r == 'ø' || r == 'Ø':
		return append(buf, 'o')
	case r == 'ł' || r == 'Ł':
		return append(buf, 'l')
	case r == 'đ' || r == 'Đ':
		return append(buf, 'd')
	case unicode.IsDigit(r):
		return utf8.AppendRune(buf, r)
	case !unicode.IsLetter(r):
		return buf
	}
	// Decompose and keep the base letters: "é" → "e" + U+0301.
	var tmp [16]byte
	n := utf8.EncodeRune(tmp[:], unicode.ToLower(r))
	for _, b := range norm.NFD.String(string(tmp[:n])) {
		if unicode.Is(unicode.Mn, b) {
			continue
		}
		if b < utf8.RuneSelf {
			buf = append(buf, byte(unicode.ToLower(b)))
		} else {
			buf = utf8.AppendRune(buf, unicode.ToLower(b))
		}
	}
	return buf
}

// words splits s into folded words, appending them to dst.
func words(s string, dst []string) []string {
	var buf []byte
	flush := func() {
		if len(buf) > 0 {
			dst = append(dst, string(buf))
			buf = buf[:0]
		}
	}
	for _, r := range s {
		n := len(buf)
		buf = foldRune(r, buf)
		if len(buf) == n && !isWordRune(r) {
			flush()
		}
	}
	flush()
	return dst
}

// isWordRune reports whether r belongs to a word (a letter or a digit);
// combining marks folded away do not split words.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// isNumber reports whether w is made of ASCII digits only.
func isNumber(w string) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// prepare joins a leading house number and its repetition index (["12",
// "bis", "rue"] → ["12bis", "rue"]; articles before the number are
// skipped) and returns the words and the index of the first word of the
// street: the first word that is not an article, after the house number
// when there is one (-1 when there is none).
func prepare(ws []string) ([]string, int) {
	next := func(i int) int {
		for ; i < len(ws); i++ {
			if !stopwords[ws[i]] {
				return i
			}
		}
		return -1
	}
	lead := next(0)
	if lead < 0 {
		return ws, -1
	}
	if lead+1 < len(ws) && isNumber(ws[lead]) && repetitions[ws[lead+1]] {
		ws[lead] += ws[lead+1]
		ws = append(ws[:lead+1], ws[lead+2:]...)
	}
	if c := ws[lead][0]; c >= '0' && c <= '9' {
		return ws, next(lead + 1)
	}
	return ws, lead
}

// expand returns the expansion of word i of ws, or the word itself;
// street is the index of the street's first word (see prepare).
func expand(ws []string, i, street int) string {
	w := ws[i]
	if x, ok := abbreviations[w]; ok {
		return x
	}
	if i == street {
		if x, ok := leadingAbbreviations[w]; ok {
			return x
		}
	}
	return w
}

// Normalize returns the indexed words of a name: folded, abbreviations
// expanded, repetition index joined, articles left out (unless the name
// has no other word), each word once, in order.
func Normalize(s string) []string {
	ws, street := prepare(words(s, nil))
	out := make([]string, 0, len(ws))
	for i := range ws {
		w := expand(ws, i, street)
		if stopwords[w] {
			continue
		}
		out = appendUnique(out, w)
	}
	if len(out) == 0 {
		for i := range ws {
			out = appendUnique(out, expand(ws, i, street))
		}
	}
	return out
}

func appendUnique(list []string, w string) []string {
	for _, x := range list {
		if x == w {
			return list
		}
	}
	return append(list, w)
}

// queryWord is one word of a query.
type queryWord struct {
	text string // the normalised word (the expansion when abbreviated and not last)
	alt  string // for the last word when it is an abbreviation: its expansion ("" otherwise)
	last bool   // the last word, still being typed: matched by prefix with a higher quality
	// optional: an article ending the query, which may be the start of a
	// longer word ("rue de la" → "lavoisier"?): it counts when it
	// matches and is not required.
	optional bool
}

// maxQueryWords bounds the words of a query taken into account.
const maxQueryWords = 12

// parseQuery splits a query into its words (see the package doc).
func parseQuery(q string) []queryWord {
	ws := words(q, nil)
	if len(ws) > maxQueryWords {
		ws = ws[:maxQueryWords]
	}
	ws, street := prepare(ws)
	trailing := false // the query ends inside a word
	if r, _ := utf8.DecodeLastRuneInString(q); isWordRune(r) {
		trailing = true
	}
	out := make([]queryWord, 0, len(ws))
	for i, w := range ws {
		last := i == len(ws)-1 && trailing
		x := expand(ws, i, street)
		switch {
		case stopwords[x] && last:
			out = append(out, queryWord{text: w, last: true, optional: true})
		case stopwords[x]:
			continue
		case last && x != w:
			out = append(out, queryWord{text: w, alt: x, last: true})
		default:
			out = append(out, queryWord{text: x, last: last})
		}
	}
	required := 0
	for _, w := range out {
		if !w.optional {
			required++
		}
	}
	if required == 0 {
		// Only articles: search them as words.
		out = out[:0]
		for i, w := range ws {
			out = append(out, queryWord{text: w, last: i == len(ws)-1 && trailing})
		}
	}
	return out
}
