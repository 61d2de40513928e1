package engine

import (
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"reach/graph"
)

// Filter selects training offers. The zero value selects every offer.
type Filter struct {
	Levels   []string    // diploma levels ("CAP", "Bac Pro"…), any of them; case and accents ignored
	Track    string      // "scolaire" or "apprentissage"; "" for both
	UAIs     []string    // schools, any of them
	Text     string      // words that must all appear in the label or the school's name
	BBox     *[4]float64 // minLat, minLon, maxLat, maxLon of the school
	Boarding bool        // only schools with boarding (internat)
}

// Ranked is one training offer with the trip to its school. On a graph
// without offers the schools themselves are the destinations: Offer is -1.
type Ranked struct {
	Offer    graph.OfferIdx
	School   graph.SchoolIdx
	Trip     Trip
	Band     int     // index into the cut-offs; len(cutoffs) when beyond them or unreachable
	Distance float64 // straight line from the origin to the school, metres
}

// matcher is a Filter prepared for testing offers.
type matcher struct {
	e      *Engine
	f      Filter
	levels map[string]bool
	words  []string
}

func (e *Engine) matcher(f Filter) *matcher {
	m := &matcher{e: e, f: f, levels: map[string]bool{}, words: strings.Fields(fold(f.Text))}
	for _, l := range f.Levels {
		m.levels[fold(l)] = true
	}
	return m
}

// school reports whether school s may hold matching offers.
func (m *matcher) school(s graph.SchoolIdx) bool {
	return !m.f.Boarding || m.e.g.Places.SchoolBoarding[s]
}

// offer reports whether offer o (of a school passing school) matches; o is
// -1 for a school without offers on a graph without offers.
func (m *matcher) offer(o graph.OfferIdx, s graph.SchoolIdx) bool {
	if o < 0 {
		if len(m.levels) > 0 || m.f.Track != "" {
			return false
		}
		return m.words == nil || containsAll(m.e.schoolText[s], m.words)
	}
	p := &m.e.g.Places
	if len(m.levels) > 0 && !m.levels[m.e.offerLevel[o]] {
		return false
	}
	if m.f.Track != "" && p.OfferVoie[o].String() != m.f.Track {
		return false
	}
	return m.words == nil || containsAll(m.e.offerText[o], m.words)
}

func containsAll(text string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// eachDestination calls fn with the offers of school s, or with -1 (the
// school itself) on a graph without offers.
func (e *Engine) eachDestination(s graph.SchoolIdx, fn func(o graph.OfferIdx)) {
	if e.g.Places.NumOffers() == 0 {
		fn(-1)
		return
	}
	first, end := e.g.Places.OffersOf(s)
	for o := first; o < end; o++ {
		fn(o)
	}
}

// candidates returns the schools a filter can select, by increasing index:
// those of the box or the UAIs, else those reached (all of them with
// unreachable ones).
func (e *Engine) candidates(r *Reachability, f Filter, includeUnreachable bool) []graph.SchoolIdx {
	p := &e.g.Places
	switch {
	case f.BBox != nil:
		return e.index.InBBox(f.BBox[0], f.BBox[1], f.BBox[2], f.BBox[3])
	case len(f.UAIs) > 0:
		var out []graph.SchoolIdx
		seen := map[graph.SchoolIdx]bool{}
		for _, u := range f.UAIs {
			if s, ok := p.SchoolByUAI(u); ok && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
		return out
	case includeUnreachable || r == nil:
		out := make([]graph.SchoolIdx, p.NumSchools())
		for i := range out {
			out[i] = graph.SchoolIdx(i)
		}
		return out
	}
	return r.Reached // the others have no reachable offer
}

// Join ranks the offers that pass the filter: reachable ones by travel
// time, then public before private, then distance; unreachable ones (only
// when includeUnreachable) after them, by distance. The offers of one
// school are consecutive.
func (e *Engine) Join(r *Reachability, f Filter, cutoffs []int, includeUnreachable bool) []Ranked {
	p := &e.g.Places
	m := e.matcher(f)
	var out []Ranked
	maxD := int32(r.Params.MaxMinutes) * 60
	for _, s := range e.candidates(r, f, includeUnreachable) {
		if !m.school(s) {
			continue
		}
		trip := r.Trip(s)
		if !trip.Found && !includeUnreachable {
			continue
		}
		dist := graph.Haversine(r.Params.Lat, r.Params.Lon, p.SchoolLat[s], p.SchoolLon[s])
		bd := len(cutoffs)
		if trip.Found && trip.Duration <= maxD {
			bd = Band(trip.Duration, cutoffs)
		}
		e.eachDestination(s, func(o graph.OfferIdx) {
			if m.offer(o, s) {
				out = append(out, Ranked{Offer: o, School: s, Trip: trip, Band: bd, Distance: dist})
			}
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.Trip.Found != b.Trip.Found {
			return a.Trip.Found
		}
		if a.Trip.Found && a.Trip.Duration != b.Trip.Duration {
			return a.Trip.Duration < b.Trip.Duration
		}
		pa, pb := p.SchoolSector[a.School] == graph.SectorPublic, p.SchoolSector[b.School] == graph.SectorPublic
		if pa != pb {
			return pa
		}
		if a.Distance != b.Distance {
			return a.Distance < b.Distance
		}
		if a.School != b.School {
			return a.School < b.School
		}
		return a.Offer < b.Offer
	})
	return out
}

// countMatching returns the offers (destinations) passing the filter,
// reachable or not, and their schools.
func (e *Engine) countMatching(f Filter) (offers, schools int) {
	m := e.matcher(f)
	for _, s := range e.candidates(nil, f, true) {
		if !m.school(s) {
			continue
		}
		n := 0
		e.eachDestination(s, func(o graph.OfferIdx) {
			if m.offer(o, s) {
				n++
			}
		})
		offers += n
		if n > 0 {
			schools++
		}
	}
	return offers, schools
}

// latinFold maps the lower-cased letters of Latin-1 and Latin Extended-A
// (U+00C0..U+017F) to their letter without accent, 0 where there is no
// single-letter fold (œ, æ, ß…); it is computed once and read only.
var latinFold = sync.OnceValue(func() (t [0x180]rune) {
	for r := rune(0xC0); r < 0x180; r++ {
		d := []rune(norm.NFD.String(string(unicode.ToLower(r))))
		if len(d) > 0 && d[0] < 0x80 {
			t[r] = d[0]
		}
	}
	return t
})

// fold lowercases and strips accents, for matching. Letters of Latin-1 and
// Latin Extended-A (French text) are folded by a table; other scripts go
// through Unicode decomposition.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	table := latinFold()
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
		case r < 0x180 && table[r] != 0:
			b.WriteRune(table[r])
		case r >= 0x180 && r < 0x300, r >= 0x370:
			return foldSlow(s)
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// foldSlow is fold through Unicode decomposition.
func foldSlow(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, strings.ToLower(s))
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}
