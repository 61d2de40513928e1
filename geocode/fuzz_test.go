package geocode

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// FuzzSearch checks, on any text, that normalisation gives non-empty words
// without separators and is stable, and that a search never fails and
// answers at most the limit, distinct entries, scores in (0, 1] sorted.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"boulevard de la lib", "12 bis r st michel", "", "ÉCOLE Ste-Anne", "\xff\xfe", "de la", "0440012x", "1 r", "ﬁ œ ß"} {
		f.Add(s, 5)
	}
	a := fixture(f)
	f.Fuzz(func(t *testing.T, q string, limit int) {
		ws := Normalize(q)
		for _, w := range ws {
			if w == "" || strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) >= 0 {
				t.Fatalf("Normalize(%q) = %q: a word with a separator", q, ws)
			}
		}
		// Stable, unless words repeat (the second "0" of "0 0 b" is
		// dropped, after which "0 b" reads as number 0b).
		raw := words(q, nil)
		slices.Sort(raw)
		distinct := len(slices.Compact(raw)) == len(words(q, nil))
		if again := Normalize(strings.Join(ws, " ")); distinct && !reflect.DeepEqual(again, ws) {
			t.Fatalf("Normalize(%q) = %q, but Normalize of that = %q", q, ws, again)
		}
		hits := Search(a, Query{Text: q, Limit: limit})
		want := limit
		if want <= 0 {
			want = DefaultLimit
		}
		want = min(want, MaxLimit)
		if len(hits) > want {
			t.Fatalf("%q limit %d: %d hits", q, limit, len(hits))
		}
		seen := map[int32]bool{}
		for i, h := range hits {
			if seen[h.Entry] || !(h.Score > 0 && h.Score <= 1) || (i > 0 && h.Score > hits[i-1].Score) {
				t.Fatalf("%q: hits %+v", q, hits)
			}
			seen[h.Entry] = true
		}
	})
}
