package schools

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"reach/graph"
)

// Limits of the lenient CSV reader.
const (
	// maxContinuation is how many extra lines a quoted field may span
	// before its opening quote is taken as a stray one.
	maxContinuation = 8
	// maxLineBytes bounds one physical line.
	maxLineBytes = 1 << 20
	// maxExamples is the number of "file:line: detail" examples kept per
	// drop reason.
	maxExamples = 5
)

// table reads a delimited text file record by record: UTF-8 BOM stripped,
// CRLF or LF line ends, separator detected from the header line (';',
// ',', tab or '|'), quoted fields with "" escapes, blank lines skipped. A
// quote that does not close within a few lines is kept as text and the
// record ends with its own line, so one stray quote cannot swallow the
// file. Fields are trimmed of surrounding spaces.
type table struct {
	name    string // file name used in messages
	br      *bufio.Reader
	sep     byte
	header  []string // normalised column names
	lineNo  int      // number of the last physical line read
	pending []string // lines read ahead
	fields  []string
	eof     bool
}

// openTable reads the header line of r. name is used in error messages.
func openTable(r io.Reader, name string) (*table, error) {
	t := &table{name: name, br: bufio.NewReaderSize(r, 1<<16)}
	line, ok, err := t.readLine()
	if err != nil {
		return nil, err
	}
	for ok && strings.TrimSpace(line) == "" {
		line, ok, err = t.readLine()
		if err != nil {
			return nil, err
		}
	}
	if !ok {
		return nil, fmt.Errorf("%s: empty file, a header line is required", name)
	}
	line = strings.TrimPrefix(line, "\uFEFF")
	t.sep = detectSeparator(line)
	fields, _ := splitRecord(line, t.sep, false)
	t.header = make([]string, len(fields))
	for i, f := range fields {
		t.header[i] = normalizeName(f)
	}
	return t, nil
}

// detectSeparator returns the most frequent of ';', ',', tab and '|'
// outside quotes in the header line (',' when none occurs). The national
// nomenclature's export lets its user choose the separator, and '|' is a
// common choice.
func detectSeparator(line string) byte {
	counts := map[byte]int{}
	inQuote := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; c {
		case '"':
			inQuote = !inQuote
		case ';', ',', '\t', '|':
			if !inQuote {
				counts[c]++
			}
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t', '|'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// col returns the index of the first column whose normalised name is one
// of names, or -1.
func (t *table) col(names ...string) int {
	for _, n := range names {
		for i, h := range t.header {
			if h == n {
				return i
			}
		}
	}
	return -1
}

// readLine returns the next physical line without its line end.
func (t *table) readLine() (string, bool, error) {
	if t.eof {
		return "", false, nil
	}
	var buf []byte
	for {
		chunk, err := t.br.ReadSlice('\n')
		if len(buf)+len(chunk) > maxLineBytes {
			return "", false, fmt.Errorf("%s:%d: line longer than %d bytes", t.name, t.lineNo+1, maxLineBytes)
		}
		buf = append(buf, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF {
			t.eof = true
			if len(buf) == 0 {
				return "", false, nil
			}
			break
		}
		if err != nil {
			return "", false, fmt.Errorf("%s:%d: %w", t.name, t.lineNo+1, err)
		}
		break
	}
	t.lineNo++
	buf = bytes.TrimSuffix(buf, []byte{'\n'})
	buf = bytes.TrimSuffix(buf, []byte{'\r'})
	return string(buf), true, nil
}

// next returns the fields of the next non-blank record and the line it
// starts on; io.EOF at the end. The slice is reused by the next call.
func (t *table) next() ([]string, int, error) {
	for {
		if len(t.pending) == 0 {
			line, ok, err := t.readLine()
			if err != nil {
				return nil, 0, err
			}
			if !ok {
				return nil, 0, io.EOF
			}
			t.pending = append(t.pending, line)
		}
		start := t.lineNo - len(t.pending) + 1
		first := t.pending[0]
		fields, closed := splitRecord(first, t.sep, true)
		used := 1
		if !closed {
			// A quoted field runs over the line end: look ahead for its
			// closing quote, else read the line alone with the quote as text.
			joined := first
			found := false
			for used <= maxContinuation {
				if used == len(t.pending) {
					line, ok, err := t.readLine()
					if err != nil {
						return nil, 0, err
					}
					if !ok {
						break
					}
					t.pending = append(t.pending, line)
				}
				joined += "\n" + t.pending[used]
				used++
				if fields, closed = splitRecord(joined, t.sep, true); closed {
					found = true
					break
				}
			}
			if !found {
				used = 1
				fields, _ = splitRecord(first, t.sep, false)
			}
		}
		t.pending = append(t.pending[:0], t.pending[used:]...)
		if used == 1 && strings.TrimSpace(first) == "" {
			continue
		}
		t.fields = append(t.fields[:0], fields...)
		return t.fields, start, nil
	}
}

// splitRecord splits s on sep. With multiline true, it reports closed =
// false when s ends inside a quoted field; with multiline false, a quote
// that never closes is read as an ordinary character and the fields after
// it are split as usual.
func splitRecord(s string, sep byte, multiline bool) (fields []string, closed bool) {
	const (
		fieldStart = iota
		unquoted
		quoted
		quoteInQuoted
	)
	var cur strings.Builder
	state := fieldStart
	quoteAt, fieldsAtQuote := 0, 0 // where the current quoted field opened
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch state {
		case fieldStart:
			switch c {
			case sep:
				fields = append(fields, "")
			case '"':
				state, quoteAt, fieldsAtQuote = quoted, i, len(fields)
			default:
				cur.WriteByte(c)
				state = unquoted
			}
		case unquoted:
			if c == sep {
				fields = append(fields, strings.TrimSpace(cur.String()))
				cur.Reset()
				state = fieldStart
			} else {
				cur.WriteByte(c)
			}
		case quoted:
			if c == '"' {
				state = quoteInQuoted
			} else {
				cur.WriteByte(c)
			}
		case quoteInQuoted:
			switch c {
			case '"':
				cur.WriteByte('"')
				state = quoted
			case sep:
				fields = append(fields, strings.TrimSpace(cur.String()))
				cur.Reset()
				state = fieldStart
			default:
				// `"a"b`: the quote closed early; keep the rest as text.
				cur.WriteByte(c)
				state = unquoted
			}
		}
		if i == len(s)-1 && state == quoted && !multiline {
			// Stray quote: read it as text and split the rest again.
			fields = fields[:fieldsAtQuote]
			cur.Reset()
			cur.WriteByte('"')
			state = unquoted
			i = quoteAt
		}
	}
	if state == quoted {
		return fields, false
	}
	if state != fieldStart || len(fields) > 0 || len(s) > 0 {
		fields = append(fields, strings.TrimSpace(cur.String()))
	}
	return fields, true
}

// field returns rec[i], or "" when the column is absent or the row short.
func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return rec[i]
}

// foldAccents maps the accented letters of French (lower case) to ASCII.
var foldAccents = strings.NewReplacer(
	"à", "a", "â", "a", "ä", "a", "á", "a",
	"é", "e", "è", "e", "ê", "e", "ë", "e",
	"î", "i", "ï", "i", "í", "i",
	"ô", "o", "ö", "o", "ó", "o",
	"ù", "u", "û", "u", "ü", "u", "ú", "u",
	"ç", "c", "ÿ", "y", "œ", "oe", "æ", "ae",
)

// fold lower-cases s and removes French accents.
func fold(s string) string {
	return foldAccents.Replace(strings.ToLower(strings.TrimSpace(s)))
}

// normalizeName turns a column name into its lookup key: lower case,
// accents removed, runs of other characters than [a-z0-9] replaced by one
// '_', trimmed ("Capacité d'affectation " → "capacite_d_affectation").
func normalizeName(s string) string {
	s = fold(s)
	var b strings.Builder
	underscore := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if underscore && b.Len() > 0 {
				b.WriteByte('_')
			}
			underscore = false
			b.WriteByte(c)
		} else {
			underscore = true
		}
	}
	return b.String()
}

// drops counts dropped rows per reason (see graph.Drops).
type drops struct{ graph.Drops }

// add records one dropped row of file at line for reason.
func (d *drops) add(file string, line int, reason, detail string) {
	d.Max = maxExamples
	d.Add(file, reason, fmt.Sprintf("%s:%d: %s", file, line, detail))
}

// result returns a copy of the counts.
func (d *drops) result() []graph.Drop { return d.List() }
