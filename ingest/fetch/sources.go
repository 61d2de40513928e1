package fetch

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is the kind of data a source provides.
type Kind string

// The kinds of source.
const (
	KindGTFS Kind = "gtfs" // a GTFS timetable, stored as <slug>.zip
	KindOSM  Kind = "osm"  // an OpenStreetMap extract, stored as <slug>.osm.pbf
)

// Source is one file to download, taken from a row of the sources CSV.
// A row that names both a GTFS and an OSM URL gives two sources.
type Source struct {
	Line   int    `json:"line"`             // line of the row in the CSV (1 is the header)
	Name   string `json:"name"`             // the "Nom" column
	Region string `json:"region,omitempty"` // the "Région" column
	Type   string `json:"type,omitempty"`   // the "Type" column: Transport, Scolaire, Mixte, OSM…
	Kind   Kind   `json:"kind"`
	URL    string `json:"url"`
	// Slug is the source's stable name, unique among the sources of its
	// kind in the list (see nameSources): File is Slug plus an extension,
	// and it names the feed in build manifests.
	Slug string `json:"slug"`
	File string `json:"file"` // file name inside the download directory

	// Meta holds the row's other non-empty columns, by header name.
	Meta map[string]string `json:"meta,omitempty"`
}

// Skipped is a row of the sources CSV, or one URL of a row, that gives
// nothing to download.
type Skipped struct {
	Line   int    `json:"line"`             // line of the row, or of the bad URL field
	Column int    `json:"column,omitempty"` // column (1-based byte) of the bad URL field
	Name   string `json:"name,omitempty"`
	Region string `json:"region,omitempty"`
	Reason string `json:"reason"`          // SkipNoURL or SkipBadURL
	Field  string `json:"field,omitempty"` // header of the bad URL field ("URL GTFS")
	Value  string `json:"value,omitempty"` // the bad URL, cut to MaxSkippedValue bytes
}

// The reasons a row is skipped.
const (
	// SkipNoURL: the row has no URL at all.
	SkipNoURL = "no_url"
	// SkipBadURL: a URL field holds something other than an absolute
	// http or https URL, such as a comment shifted into it by a missing
	// field. Nothing is downloaded for it.
	SkipBadURL = "bad_url"
)

// MaxSkippedValue is the most bytes of a bad URL kept in Skipped.Value.
const MaxSkippedValue = 200

// column roles, found by normalised header name.
var (
	nameHeaders   = []string{"nom", "name", "nom du reseau", "reseau"}
	regionHeaders = []string{"region"}
	typeHeaders   = []string{"type"}
	gtfsHeaders   = []string{"url gtfs", "gtfs url", "url"}
	osmHeaders    = []string{"url osm", "osm url", "url pbf"}
	// The GTFS file name tells apart rows of the same name; it is kept
	// in Meta too.
	gtfsNameHeaders = []string{"nom gtfs", "gtfs name", "fichier gtfs"}
)

// ReadSources parses a sources CSV: UTF-8, optionally with a byte-order mark,
// separated by ';', ',' or tabs (guessed from the header line), with a header
// row whose column names are matched case-insensitively and without accents
// ("Région", "Nom", "Type", "URL GTFS" or "url_gtfs" or "URL", "URL OSM").
//
// A URL in the "URL OSM" column is an OpenStreetMap extract. A URL in the
// "URL GTFS" or "URL" column is a GTFS feed, unless the row's Type is "OSM"
// or the URL ends in ".pbf" or ".osm", in which case it is an OSM extract.
// Each source gets a stable slug, unique among the sources of its kind, and
// a distinct file name made from it (see nameSources).
// Rows with no URL at all are returned as skipped (SkipNoURL), and so is
// every URL field whose trimmed value is not an absolute http or https URL
// (SkipBadURL, with the field's line and value); the row's other URL, if
// valid, is still a source.
func ReadSources(r io.Reader) ([]Source, []Skipped, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("reading sources CSV: %w", err)
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil, errors.New("sources CSV is empty")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = guessComma(data)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("sources CSV header: %w", err)
	}
	cols := newColumns(header)
	if cols.gtfs < 0 && cols.osm < 0 {
		return nil, nil, fmt.Errorf("sources CSV header %q: no URL column (want one of %q, %q, %q)",
			strings.Join(header, string(cr.Comma)), "URL GTFS", "URL", "URL OSM")
	}
	var (
		sources   []Source
		skipped   []Skipped
		gtfsNames []string // the "Nom GTFS" of each source's row
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("sources CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		row := Source{
			Line:   line,
			Name:   cols.get(rec, cols.name),
			Region: cols.get(rec, cols.region),
			Type:   cols.get(rec, cols.typ),
		}
		for i, h := range header {
			if cols.role(i) || i >= len(rec) {
				continue
			}
			if v := strings.TrimSpace(rec[i]); v != "" {
				if row.Meta == nil {
					row.Meta = map[string]string{}
				}
				row.Meta[strings.TrimSpace(h)] = v
			}
		}
		n, bad := len(sources), 0
		for _, col := range []int{cols.gtfs, cols.osm} {
			u := cols.get(rec, col)
			if u == "" {
				continue
			}
			if !httpURL(u) {
				fl, fc := cr.FieldPos(col)
				skipped = append(skipped, Skipped{Line: fl, Column: fc, Name: row.Name, Region: row.Region,
					Reason: SkipBadURL, Field: strings.TrimSpace(header[col]), Value: cut(u, MaxSkippedValue)})
				bad++
				continue
			}
			kind := KindOSM
			if col == cols.gtfs && !strings.EqualFold(row.Type, "osm") && !looksOSM(u) {
				kind = KindGTFS
			}
			sources = append(sources, row.with(kind, u))
			gtfsNames = append(gtfsNames, cols.get(rec, cols.gtfsName))
		}
		if len(sources) == n && bad == 0 {
			skipped = append(skipped, Skipped{Line: line, Name: row.Name, Region: row.Region, Reason: SkipNoURL})
		}
	}
	nameSources(sources, gtfsNames)
	return sources, skipped, nil
}

// with returns a copy of the row as a source of the given kind and URL.
// Its Slug and File are set later by nameSources.
func (s Source) with(kind Kind, rawURL string) Source {
	s.Kind = kind
	s.URL = rawURL
	if s.Meta != nil {
		meta := make(map[string]string, len(s.Meta))
		for k, v := range s.Meta {
			meta[k] = v
		}
		s.Meta = meta
	}
	return s
}

// maxSlug is the most bytes of a slug, before a "-N" suffix;
// maxQualifier the most bytes added to tell apart sources of one name.
const (
	maxSlug      = 80
	maxQualifier = 40
)

// nameSources gives every source its Slug, unique among the sources of its
// kind, and its File, the slug plus the kind's extension. The slug is that
// of the row's name ("Nom"), or when it has none of its GTFS file name
// ("Nom GTFS", without .zip), or of the URL's last path element, or
// "source-LINE".
//
// Sources of one kind that would get the same slug are told apart by the
// words of their GTFS file names that differ within the group (leading and
// trailing words common to them all are left out): rows "Réseau
// interurbain Mobigo" with GTFS names "Données du réseau (Nièvre)" and
// "Données du réseau (Yonne)" become reseau-interurbain-mobigo-nievre and
// reseau-interurbain-mobigo-yonne. Those still alike get "-2", "-3"… in
// the order of the list. Names depend only on the rows, never on which
// downloads succeed, so they are stable from one run to the next as long
// as the list is.
func nameSources(sources []Source, gtfsNames []string) {
	base := make([]string, len(sources))
	groups := map[string][]int{} // kind:base → sources
	for i, s := range sources {
		base[i] = Slug(s.Name)
		if base[i] == "" {
			base[i] = Slug(gtfsStem(gtfsNames[i]))
		}
		if base[i] == "" {
			base[i] = Slug(strings.TrimSuffix(urlBase(s.URL), path.Ext(urlBase(s.URL))))
		}
		if base[i] == "" {
			base[i] = "source-" + strconv.Itoa(s.Line)
		}
		key := string(s.Kind) + ":" + base[i]
		groups[key] = append(groups[key], i)
	}
	slug := slices.Clone(base)
	for _, g := range groups {
		if len(g) < 2 {
			continue
		}
		words := make([][]string, len(g))
		for k, i := range g {
			if w := Slug(gtfsStem(gtfsNames[i])); w != "" && w != base[i] {
				words[k] = strings.Split(w, "-")
			}
		}
		for k, q := range distinctWords(words) {
			if q != "" {
				slug[g[k]] = qualify(base[g[k]], q)
			}
		}
	}
	used := map[string]bool{} // kind:slug
	for i := range sources {
		s := &sources[i]
		key := string(s.Kind) + ":"
		name := slug[i]
		for k := 2; used[key+name]; k++ {
			name = slug[i] + "-" + strconv.Itoa(k)
		}
		used[key+name] = true
		s.Slug, s.File = name, name+fileExt(s.Kind, s.URL)
	}
}

// distinctWords returns, for each list of words, those left once the
// leading and trailing words common to all the non-empty lists are
// removed, joined with '-' and cut at a word boundary to maxQualifier
// bytes ("" for an empty list, or when nothing is left).
func distinctWords(words [][]string) []string {
	var lists [][]string
	for _, w := range words {
		if len(w) > 0 {
			lists = append(lists, w)
		}
	}
	out := make([]string, len(words))
	if len(lists) == 0 {
		return out
	}
	shortest := len(lists[0])
	for _, w := range lists {
		shortest = min(shortest, len(w))
	}
	same := func(at func(w []string) string) bool {
		for _, w := range lists[1:] {
			if at(w) != at(lists[0]) {
				return false
			}
		}
		return true
	}
	pre := 0
	for pre < shortest && same(func(w []string) string { return w[pre] }) {
		pre++
	}
	suf := 0
	for pre+suf < shortest && same(func(w []string) string { return w[len(w)-1-suf] }) {
		suf++
	}
	for k, w := range words {
		if len(w) == 0 {
			continue
		}
		q := ""
		for _, word := range w[pre : len(w)-suf] {
			if len(q)+1+len(word) > maxQualifier && q != "" {
				break
			}
			if q != "" {
				q += "-"
			}
			q += word
		}
		out[k] = q[:min(len(q), maxQualifier)]
	}
	return out
}

// gtfsStem returns a GTFS file name without its .zip extension.
func gtfsStem(name string) string {
	name = strings.TrimSpace(name)
	if len(name) > 4 && strings.EqualFold(name[len(name)-4:], ".zip") {
		return name[:len(name)-4]
	}
	return name
}

// qualify joins the slugs base and q with '-' in at most maxSlug bytes,
// shortening base (at a word boundary) rather than q, which tells sources
// apart.
func qualify(base, q string) string {
	if keep := max(maxSlug-1-len(q), 0); len(base) > keep {
		b := base[:keep]
		if base[keep] != '-' {
			b = b[:max(strings.LastIndexByte(b, '-'), 0)]
		}
		base = strings.TrimRight(b, "-")
	}
	if base == "" {
		return q
	}
	return base + "-" + q
}

// columns holds the index of each recognised column, or -1.
type columns struct {
	name, region, typ, gtfs, osm, gtfsName int
}

func newColumns(header []string) columns {
	norm := make([]string, len(header))
	for i, h := range header {
		norm[i] = normHeader(h)
	}
	find := func(names []string) int {
		for _, n := range names { // earlier names win
			for i, h := range norm {
				if h == n {
					return i
				}
			}
		}
		return -1
	}
	return columns{
		name:     find(nameHeaders),
		region:   find(regionHeaders),
		typ:      find(typeHeaders),
		gtfs:     find(gtfsHeaders),
		osm:      find(osmHeaders),
		gtfsName: find(gtfsNameHeaders),
	}
}

// role reports whether column i has a role (and so is not metadata).
func (c columns) role(i int) bool {
	return i == c.name || i == c.region || i == c.typ || i == c.gtfs || i == c.osm
}

func (c columns) get(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// guessComma returns the separator used by the header line: the most
// frequent of ';', ',' and tab outside quotes (',' when there is none).
func guessComma(data []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, c := range string(data) {
		if c == '\n' && !quoted {
			break
		}
		switch c {
		case '"':
			quoted = !quoted
		case ';', ',', '\t':
			if !quoted {
				counts[c]++
			}
		}
	}
	best := ','
	for _, c := range []rune{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// normHeader lower-cases a header name, removes accents and turns every run
// of other characters into one space: "URL_GTFS " → "url gtfs".
func normHeader(h string) string {
	return strings.Join(strings.FieldsFunc(foldASCII(h), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}), " ")
}

// Slug returns a file-name-safe form of a name: lower-case ASCII letters and
// digits, accents removed, other runs of characters turned into one '-',
// at most 80 bytes. "Réseau STAR (Rennes)" → "reseau-star-rennes".
func Slug(name string) string {
	s := strings.Join(strings.FieldsFunc(foldASCII(name), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}), "-")
	if len(s) > 80 {
		s = strings.TrimRight(s[:80], "-")
	}
	return s
}

// foldASCII lower-cases s and replaces the accented Latin letters of French
// (and a few neighbours) by their base letters; other characters are kept.
func foldASCII(s string) string {
	var b strings.Builder
	for _, r := range s {
		r = unicode.ToLower(r)
		switch r {
		case 'à', 'á', 'â', 'ã', 'ä', 'å':
			b.WriteByte('a')
		case 'ç':
			b.WriteByte('c')
		case 'è', 'é', 'ê', 'ë':
			b.WriteByte('e')
		case 'ì', 'í', 'î', 'ï':
			b.WriteByte('i')
		case 'ñ':
			b.WriteByte('n')
		case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø':
			b.WriteByte('o')
		case 'ù', 'ú', 'û', 'ü':
			b.WriteByte('u')
		case 'ý', 'ÿ':
			b.WriteByte('y')
		case 'œ':
			b.WriteString("oe")
		case 'æ':
			b.WriteString("ae")
		case 'ß':
			b.WriteString("ss")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// httpURL reports whether v is an absolute http or https URL with a host
// and without white space.
func httpURL(v string) bool {
	if strings.ContainsFunc(v, unicode.IsSpace) {
		return false
	}
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// cut returns s if it has at most n bytes, and otherwise its longest
// prefix that, followed by "…", has at most n bytes, cut between runes.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	i := max(n-len(ellipsis), 0)
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + ellipsis
}

// urlBase returns the last element of a URL's path ("" when unparsable).
func urlBase(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Path == "" || strings.HasSuffix(u.Path, "/") {
		return ""
	}
	return path.Base(u.Path)
}

// looksOSM reports whether a URL's path names an OpenStreetMap file.
func looksOSM(rawURL string) bool {
	b := strings.ToLower(urlBase(rawURL))
	return strings.HasSuffix(b, ".pbf") || strings.HasSuffix(b, ".osm") || strings.HasSuffix(b, ".osm.bz2")
}

// fileExt returns the extension under which a source is stored.
func fileExt(kind Kind, rawURL string) string {
	if kind == KindGTFS {
		return ".zip"
	}
	b := strings.ToLower(urlBase(rawURL))
	switch {
	case strings.HasSuffix(b, ".osm.bz2"):
		return ".osm.bz2"
	case strings.HasSuffix(b, ".osm"):
		return ".osm"
	}
	return ".osm.pbf"
}
