package gtfs

import (
	"fmt"
	"io"
	"strings"
)

// Table streams the rows of one CSV file of a feed, addressing columns by
// name whatever their order. A byte-order mark, CRLF line endings, quoted
// fields, stray quotes and short or long rows are all accepted (see
// recordReader for the quoting rules). Lines longer than the limit are
// skipped without being held in memory.
type Table struct {
	// LongLine, when set, is told of each line skipped for being longer
	// than the limit: its number, its length (without the line end) and
	// its first bytes (graph.MaxExampleBytes at most, valid until the next
	// call of Next).
	LongLine func(line int, size int64, head []byte)

	file string // e.g. "stops.txt", for messages
	max  int
	rc   io.ReadCloser
	cr   *countingReader
	r    *recordReader
	cols map[string]int
	rec  []string
	line int
}

// OpenTable opens the named file of the feed as a Table and reads its header.
func (s *Source) OpenTable(name string) (*Table, error) {
	rc, err := s.Open(name)
	if err != nil {
		return nil, err
	}
	t, err := NewTable(name, rc, s.lim.MaxLineBytes)
	if err != nil {
		rc.Close()
		return nil, fmt.Errorf("gtfs: %s: %w", s.path, err)
	}
	t.rc = rc
	return t, nil
}

// NewTable reads CSV from r; file names the data in error messages.
// Lines longer than maxLine bytes (0: DefaultMaxLineBytes) are skipped.
func NewTable(file string, r io.Reader, maxLine int) (*Table, error) {
	if maxLine <= 0 {
		maxLine = DefaultMaxLineBytes
	}
	cr := &countingReader{r: r}
	t := &Table{file: file, max: maxLine, cr: cr, r: newRecordReader(cr, maxLine), cols: map[string]int{}}
	for {
		hdr, err := t.r.read()
		if err == io.EOF {
			return nil, fmt.Errorf("%s: empty file (no header line)", file)
		}
		if err == errLongLine {
			return nil, fmt.Errorf("%s: line %d: header line of %d bytes, longer than the limit of %d bytes",
				file, t.r.line, t.r.longSize, maxLine)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: reading header: %w", file, err)
		}
		if len(hdr) == 1 && strings.TrimSpace(hdr[0]) == "" {
			continue
		}
		for i, h := range hdr {
			if i == 0 {
				h = strings.TrimPrefix(h, "\ufeff") // byte-order mark
			}
			h = strings.ToLower(strings.TrimSpace(strings.Trim(strings.TrimSpace(h), "\"")))
			if _, dup := t.cols[h]; !dup {
				t.cols[h] = i
			}
		}
		break
	}
	t.line = t.r.line
	return t, nil
}

// File returns the file name given at creation.
func (t *Table) File() string { return t.file }

// Col returns the index of the named column, or -1 when the file lacks it.
func (t *Table) Col(name string) int {
	if i, ok := t.cols[name]; ok {
		return i
	}
	return -1
}

// HasCol reports whether the file has the named column.
func (t *Table) HasCol(name string) bool { return t.Col(name) >= 0 }

// Next advances to the next row. It returns false at the end of the file;
// an error only when the file cannot be read (a broken archive).
func (t *Table) Next() (bool, error) {
	for {
		rec, err := t.r.read()
		if err == io.EOF {
			return false, nil
		}
		if err == errLongLine {
			if t.LongLine != nil {
				t.LongLine(t.r.line, t.r.longSize, t.r.longHead)
			}
			continue
		}
		if err != nil {
			return false, fmt.Errorf("%s: line %d: %w", t.file, t.r.lineNo+1, err)
		}
		t.line = t.r.line
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a line of spaces
		}
		t.rec = rec
		return true, nil
	}
}

// Get returns the trimmed value of column i of the current row, or "" when
// the column is absent or the row is short.
func (t *Table) Get(i int) string {
	if i < 0 || i >= len(t.rec) {
		return ""
	}
	return strings.TrimSpace(t.rec[i])
}

// MaxLine returns the length of the longest line read.
func (t *Table) MaxLine() int { return t.max }

// Line returns the line number of the current row in the file (1-based).
func (t *Table) Line() int { return t.line }

// Where returns "file:line" for the current row, for messages.
func (t *Table) Where() string { return fmt.Sprintf("%s:%d", t.file, t.line) }

// BytesRead returns the number of bytes consumed so far, for progress.
func (t *Table) BytesRead() int64 { return t.cr.n }

// Close closes the underlying file.
func (t *Table) Close() error {
	if t.rc != nil {
		return t.rc.Close()
	}
	return nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
