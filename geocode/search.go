package geocode

import (
	"math/bits"
	"sort"
	"strings"

	"reach/graph"
)

// Limits of a search.
const (
	DefaultLimit = 5
	MaxLimit     = 20
	// maxVisit bounds the postings one pass of a search visits: a query
	// whose most selective word is still very common ("rue" over a whole
	// département) scores the first maxVisit entries holding it, streets,
	// schools and stops first (see Build).
	maxVisit = 50_000
	// nearScale is the distance, in metres, at which proximity to the
	// query's point counts half.
	nearScale = 2000.0
)

// Query is one search.
type Query struct {
	Text  string
	Limit int // results wanted, 1..MaxLimit; 0 means DefaultLimit
	// Near, when set, favours entries close to Lat, Lon.
	Near     bool
	Lat, Lon float64
}

// Hit is an entry found.
type Hit struct {
	Entry int32
	// Score ranks the hits, from 0 to 1 (see Search).
	Score float64
	// Distance from the query's point, metres (0 without Near).
	Distance float64
}

// HasWords reports whether a query holds at least one word to search.
func HasWords(text string) bool { return len(parseQuery(text)) > 0 }

// tokRange is the range [lo, hi) of the sorted tokens starting with a
// prefix.
type tokRange struct{ lo, hi int32 }

// qword is a query word and the token ranges it matches.
type qword struct {
	queryWord
	ranges []tokRange
	size   int // postings in the ranges
}

// prefixRange returns the range of tokens starting with p.
func prefixRange(tokens []string, p string) tokRange {
	lo := sort.SearchStrings(tokens, p)
	hi := lo + sort.Search(len(tokens)-lo, func(i int) bool { return !strings.HasPrefix(tokens[lo+i], p) })
	return tokRange{int32(lo), int32(hi)}
}

func (r tokRange) has(t int32) bool { return t >= r.lo && t < r.hi }

// searcher is the state of one search.
type searcher struct {
	a        *graph.Addresses
	q        Query
	words    []qword
	required int   // required words
	house    bool  // the query starts with a house number
	houses   int32 // the first house number entry
	number   int   // index of that number in words (-1: none)
	top      []Hit
	visited  int
}

// Search returns the entries best matching the query, best first, at most
// q.Limit of them.
//
// Every required word of the query (see the package doc: articles are
// not required) must match a word of the entry — of its name, commune,
// postcode or identifier — by prefix, so that a query being typed
// ("boulevard de la lib") already finds its street; a word starting with
// a digit matches by prefix only while it is being typed (the last word):
// "12 rue" does not find number 120. Candidates come from
// the postings of the query's most selective word, found by binary search
// in the sorted words; the others are checked on each candidate's words.
// When no entry matches every word, an entry missing one word is accepted
// at a lower score if the query matched every word of its name and the
// word missed is the query's leading house number (one the street lacks)
// or the entry has no commune (the word may be the commune's). A typo in
// a name word, or another commune's name, still finds nothing rather than
// any street of the town.
//
// The score, from 0 to 1, is
//
//	0.6 × word quality + 0.3 × name coverage + 0.1 × kind
//
// where the word quality is the mean over the query's words of 1 for an
// exact match and, for a prefix, 0.7 + 0.3 × typed/word length for the
// last word (being typed) or 0.5 + 0.3 × typed/word length for the
// others; name coverage is the share of the entry's name words that the
// query matched, each counted with the quality of its match (so "rue de
// strasbourg" puts the street before its house numbers, and words
// matching the commune do not dilute it); kind is 1 for a house number
// when the query starts with a house number (its first word starts with
// a digit and other words follow), 0.5 for the other kinds then, and
// otherwise 1 for streets and schools, 0.9 for stops and 0.7 for house
// numbers. With a point, the score becomes 0.85 × score + 0.15 / (1 +
// distance / 2 km). An entry missing one word has its score multiplied
// by 0.6. Ties keep index order.
//
// When the query does not start with a house number, house numbers are
// only looked at if the other kinds gave fewer results than asked: a
// house number then scores below its street, which the index holds too.
func Search(a *graph.Addresses, q Query) []Hit {
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	if q.Limit > MaxLimit {
		q.Limit = MaxLimit
	}
	ws := parseQuery(q.Text)
	if len(ws) == 0 || a.NumEntries() == 0 {
		return nil
	}
	s := &searcher{a: a, q: q, words: make([]qword, len(ws)), top: make([]Hit, 0, q.Limit)}
	for i, w := range ws {
		qw := qword{queryWord: w}
		r := prefixRange(a.Token, w.text)
		if !w.last && w.text[0] >= '0' && w.text[0] <= '9' {
			// A number typed whole is that number: "12" is not "120".
			if r.hi > r.lo && a.Token[r.lo] == w.text {
				r.hi = r.lo + 1
			} else {
				r.hi = r.lo
			}
		}
		qw.ranges = append(qw.ranges, r)
		if w.alt != "" {
			// Prefix ranges are nested or disjoint: keep the larger when nested.
			ra := prefixRange(a.Token, w.alt)
			switch {
			case ra.lo >= r.lo && ra.hi <= r.hi:
			case r.lo >= ra.lo && r.hi <= ra.hi:
				qw.ranges[0] = ra
			default:
				qw.ranges = append(qw.ranges, ra)
			}
		}
		for _, r := range qw.ranges {
			qw.size += int(a.TokenStart[r.hi] - a.TokenStart[r.lo])
		}
		s.words[i] = qw
		if !w.optional {
			s.required++
		}
	}
	// A house number: a first word starting with a digit, followed by
	// other words (a number alone may be a postcode).
	s.number = -1
	if w := s.words[0]; !w.optional && s.required >= 2 && w.text[0] >= '0' && w.text[0] <= '9' {
		s.house, s.number = true, 0
	}
	// The two most selective required words.
	first, second := -1, -1
	for i, w := range s.words {
		if w.optional {
			continue
		}
		switch {
		case first < 0 || w.size < s.words[first].size:
			first, second = i, first
		case second < 0 || w.size < s.words[second].size:
			second = i
		}
	}
	// Entries are ordered streets, schools, stops, then house numbers.
	s.houses = int32(sort.Search(a.NumEntries(), func(i int) bool { return a.Kind[i] == graph.AddressHouseNumber }))
	s.pass(func(lo, hi int32) {
		s.scan(first, -1, 0, lo, hi)
	})
	if len(s.top) == 0 && s.required >= 2 {
		// No entry has every word: accept those missing one, which
		// hold the first or the second most selective word.
		s.visited = 0
		s.pass(func(lo, hi int32) {
			s.scan(first, -1, 1, lo, hi)
			s.scan(second, first, 1, lo, hi)
		})
	}
	return s.top
}

// pass runs scan over the entries other than house numbers, then over the
// house numbers unless the query has no house number and the other kinds
// already filled the results (see Search).
func (s *searcher) pass(scan func(lo, hi int32)) {
	scan(0, s.houses)
	if s.house || len(s.top) < cap(s.top) {
		scan(s.houses, int32(s.a.NumEntries()))
	}
}

// scan visits the entries lo..hi-1 holding word w, each once, skipping
// those that hold word skip (-1: none), and keeps those missing at most
// allowed required words.
func (s *searcher) scan(w, skip, allowed int, lo, hi int32) {
	a := s.a
	rs := s.words[w].ranges
	// An entry lists a token once: it can be met twice only when the
	// word spans several tokens.
	single := len(rs) == 1 && rs[0].hi-rs[0].lo == 1
	for ri, r := range rs {
		for t := r.lo; t < r.hi; t++ {
			ps := a.Posting[a.TokenStart[t]:a.TokenStart[t+1]]
			ps = ps[sort.Search(len(ps), func(i int) bool { return ps[i] >= lo }):]
			for _, e := range ps {
				if e >= hi {
					break
				}
				if s.visited >= maxVisit {
					return
				}
				s.visited++
				if (!single && s.seenBefore(e, rs, ri, t)) || (skip >= 0 && s.holds(e, skip)) || s.misses(e, allowed) {
					continue
				}
				score, missing, whole := s.score(e)
				if missing == 0 || (missing <= allowed && whole) {
					s.keep(e, score)
				}
			}
		}
	}
}

// seenBefore reports whether entry e, met at token t of range ri, holds a
// token of the same ranges met earlier in the scan.
func (s *searcher) seenBefore(e int32, rs []tokRange, ri int, t int32) bool {
	a := s.a
	for _, u := range a.EntryToken[a.EntryTokenStart[e]:a.EntryTokenStart[e+1]] {
		for rj := 0; rj <= ri; rj++ {
			if rs[rj].has(u) && (rj < ri || u < t) {
				return true
			}
		}
	}
	return false
}

// misses reports whether entry e misses more than allowed required
// words: a cheap test on token ids, before scoring.
func (s *searcher) misses(e int32, allowed int) bool {
	a := s.a
	toks := a.EntryToken[a.EntryTokenStart[e]:a.EntryTokenStart[e+1]]
	missing := 0
	for i := range s.words {
		w := &s.words[i]
		if w.optional {
			continue
		}
		found := false
		for _, u := range toks {
			for _, r := range w.ranges {
				if r.has(u) {
					found = true
					break
				}
			}
			if found {
				break
			}
		}
		if !found {
			if missing++; missing > allowed {
				return true
			}
		}
	}
	return false
}

// holds reports whether entry e matches word w.
func (s *searcher) holds(e int32, w int) bool {
	a := s.a
	for _, u := range a.EntryToken[a.EntryTokenStart[e]:a.EntryTokenStart[e+1]] {
		for _, r := range s.words[w].ranges {
			if r.has(u) {
				return true
			}
		}
	}
	return false
}

// score returns the score of entry e, how many required words it misses,
// and whether it may stand for the query when it misses one: the query
// matched every word of its name and the word missed is the leading house
// number, or the entry has no commune (the word may be the commune's).
func (s *searcher) score(e int32) (score float64, missing int, whole bool) {
	a := s.a
	toks := a.EntryToken[a.EntryTokenStart[e]:a.EntryTokenStart[e+1]]
	nameToks := int(a.EntryNameTokens[e])
	var covered uint64
	var cover [maxEntryTokens]float64 // best quality of each name word matched
	sum, counted := 0.0, 0
	missedNumber := false
	for i := range s.words {
		w := &s.words[i]
		best, at := 0.0, -1
		for k, u := range toks {
			for _, r := range w.ranges {
				if !r.has(u) {
					continue
				}
				if q := quality(&w.queryWord, a.Token[u]); q > best {
					best, at = q, k
				}
			}
		}
		switch {
		case at >= 0:
			sum += best
			counted++
			if at < nameToks {
				covered |= 1 << uint(at)
				cover[at] = max(cover[at], best)
			}
		case !w.optional:
			counted++
			missing++
			missedNumber = i == s.number
		}
	}
	text := 0.0
	if counted > 0 {
		text = sum / float64(counted)
	}
	coverage := 0.0
	if nameToks > 0 {
		for _, q := range cover[:nameToks] {
			coverage += q
		}
		coverage /= float64(nameToks)
	}
	// Tenths, so that a perfect match scores exactly 1.
	score = (6*text + 3*coverage + kindScore(a.Kind[e], s.house)) / 10
	if missing > 0 {
		score *= 0.6
	}
	return score, missing, bits.OnesCount64(covered) == nameToks && (missedNumber || a.City[e] == "")
}

// quality is how well token tok, which starts with the word or its
// expansion, matches it.
func quality(w *queryWord, tok string) float64 {
	if tok == w.text || (w.alt != "" && tok == w.alt) {
		return 1
	}
	typed := len(w.text)
	if w.alt != "" && strings.HasPrefix(tok, w.alt) && !strings.HasPrefix(tok, w.text) {
		typed = len(w.alt)
	}
	ratio := float64(typed) / float64(len(tok))
	if w.last {
		return 0.7 + 0.3*ratio
	}
	return 0.5 + 0.3*ratio
}

// kindScore is the kind's part of the score.
func kindScore(k graph.AddressKind, house bool) float64 {
	switch {
	case house && k == graph.AddressHouseNumber:
		return 1
	case house:
		return 0.5
	case k == graph.AddressStreet, k == graph.AddressSchool:
		return 1
	case k == graph.AddressStop:
		return 0.9
	}
	return 0.7
}

// keep adds entry e to the best hits when it ranks among them.
func (s *searcher) keep(e int32, score float64) {
	h := Hit{Entry: e, Score: score}
	if s.q.Near {
		h.Distance = graph.Haversine(s.q.Lat, s.q.Lon, s.a.Lat[e], s.a.Lon[e])
		h.Score = 0.85*score + 0.15/(1+h.Distance/nearScale)
	}
	top := s.top
	better := func(x, y Hit) bool { return x.Score > y.Score || (x.Score == y.Score && x.Entry < y.Entry) }
	if len(top) == cap(top) && !better(h, top[len(top)-1]) {
		return
	}
	i := sort.Search(len(top), func(i int) bool { return better(h, top[i]) })
	if len(top) < cap(top) {
		top = append(top, Hit{})
	}
	copy(top[i+1:], top[i:len(top)-1])
	top[i] = h
	s.top = top
}
