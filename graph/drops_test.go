package graph

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDropsExamplesAreCut(t *testing.T) {
	var d Drops
	huge := "stops.txt:2: stop " + strings.Repeat("x", 10<<20)
	d.Add("stops.txt", "bad_coordinates", huge)
	d.Add("stops.txt", "bad_coordinates", "stops.txt:3: short")
	// Multi-byte runes straddling the cut: é is 2 bytes, 😀 is 4.
	d.Add("stops.txt", "bad_coordinates", "stops.txt:4: "+strings.Repeat("é😀", 100))
	d.Include([]Drop{{File: "x.csv", Reason: "r", Count: 1, Examples: []string{strings.Repeat("y", 1000)}}})
	got := d.List()
	if len(got) != 2 || got[0].Count != 3 || len(got[0].Examples) != 3 {
		t.Fatalf("drops %d %+v", len(got), got[0].Count)
	}
	for _, x := range got {
		for _, ex := range x.Examples {
			if len(ex) > MaxExampleBytes || !utf8.ValidString(ex) {
				t.Errorf("example of %d bytes (valid UTF-8 %v): %q", len(ex), utf8.ValidString(ex), Clip(ex, 60))
			}
		}
	}
	if ex := got[0].Examples[0]; !strings.HasPrefix(ex, "stops.txt:2: stop xxx") || !strings.HasSuffix(ex, "…") {
		t.Errorf("cut example of %d bytes: %q", len(ex), Clip(ex, 300))
	}
	if ex := got[0].Examples[1]; ex != "stops.txt:3: short" {
		t.Errorf("short example changed: %q", ex)
	}
	if ex := got[0].Examples[2]; !strings.HasSuffix(ex, "…") || len(ex) < MaxExampleBytes-4 {
		t.Errorf("multi-byte example cut badly (%d bytes): %q", len(ex), Clip(ex, 300))
	}
}

func TestClip(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "…"},
		{"abcdef", 5, "ab…"},
		{"aéb", 4, "aéb"},
		{"aébcd", 5, "a…"}, // é would end at byte 3, "…" needs 3 more
		{"aébcde", 6, "aé…"},
		{"😀😀", 7, "😀…"},
		{"😀😀", 6, "…"},              // never half a rune              // never half a rune
		{"\xff\xfeabc", 4, "\xff…"}, // invalid input: bounded all the same
		{"abc", 0, ""},
	} {
		got := Clip(c.in, c.max)
		if got != c.want || len(got) > max(c.max, 0) {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

func TestDropsAddfFormatsOnlyKeptExamples(t *testing.T) {
	d := Drops{Max: 2}
	calls := 0
	for i := 0; i < 5; i++ {
		d.Addf("f", "r", "%d %v", i, counter{&calls})
	}
	got := d.List()
	if got[0].Count != 5 || len(got[0].Examples) != 2 || got[0].Examples[1] != "1 x" || calls != 2 {
		t.Errorf("%+v, formatted %d times", got, calls)
	}
}

type counter struct{ n *int }

func (c counter) String() string { *c.n++; return "x" }
