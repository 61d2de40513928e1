package gtfs

import (
	"bufio"
	"bytes"
	"errors"
	"io"

	"reach/graph"
)

// maxContinuation bounds how far a quoted field may run over line ends:
// beyond this many extra lines (or maxRecordBytes), the opening quote is
// taken as a stray one and the record ends with its first line.
const (
	maxContinuation = 8
	maxRecordBytes  = 64 << 10
)

// errLongLine is returned by recordReader.read for a line longer than the
// limit, skipped; its number, length and first bytes are in the reader.
var errLongLine = errors.New("line too long")

// recordReader splits CSV text into records, as leniently as real feeds
// need: CRLF or LF line ends, quoted fields with "" escapes, quotes in the
// middle of unquoted fields kept as text, a quote that closes early
// (`"a"b`) continuing the field as text (as Python's csv module does), and
// stray opening quotes that never close within a few lines ending with
// their line instead of swallowing the rest of the file. A line longer
// than max bytes is read through without being kept and reported by
// errLongLine; a quoted field never runs into it.
type recordReader struct {
	br      *bufio.Reader
	max     int       // longest line kept, without its line end
	pending []rawLine // lines read ahead
	spare   [][]byte  // recycled line buffers
	lineNo  int       // number of the last line taken from the input
	line    int       // line number where the current record (or long line) starts
	buf     []byte
	ends    []int
	fields  []string
	eof     bool

	longSize int64  // length of the long line reported last
	longHead []byte // its first bytes
}

// rawLine is one input line without its line end. A long line keeps only
// its first bytes.
type rawLine struct {
	text []byte
	long bool
	size int64 // length of a long line
}

func newRecordReader(r io.Reader, max int) *recordReader {
	return &recordReader{br: bufio.NewReaderSize(r, 1<<16), max: max}
}

// readLine appends the next input line to pending; false at end of input.
// A line longer than r.max is read through, keeping its first bytes only.
func (r *recordReader) readLine() (bool, error) {
	if r.eof {
		return false, nil
	}
	var line []byte
	if n := len(r.spare); n > 0 {
		line = r.spare[n-1][:0]
		r.spare = r.spare[:n-1]
	}
	long := false
	var size int64
	for {
		chunk, err := r.br.ReadSlice('\n')
		if err != nil && err != bufio.ErrBufferFull && err != io.EOF {
			return false, err
		}
		body := chunk
		if err == nil {
			body = bytes.TrimSuffix(body[:len(body)-1], []byte{'\r'})
		}
		if !long && len(line)+len(body) > r.max {
			long, size = true, int64(len(line))
			line = line[:min(len(line), graph.MaxExampleBytes)]
		}
		if long {
			size += int64(len(body))
			line = append(line, body[:min(len(body), graph.MaxExampleBytes-len(line))]...)
		} else {
			line = append(line, chunk...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			r.eof = true
			if len(line) == 0 {
				r.spare = append(r.spare, line)
				return false, nil
			}
		}
		break
	}
	if !long {
		line = bytes.TrimSuffix(line, []byte{'\n'})
		line = bytes.TrimSuffix(line, []byte{'\r'})
	}
	r.pending = append(r.pending, rawLine{text: line, long: long, size: size})
	r.lineNo++
	return true, nil
}

// read returns the fields of the next record; io.EOF at the end. The
// returned slice and strings are valid until the next call (the strings
// themselves stay valid forever).
func (r *recordReader) read() ([]string, error) {
	for {
		if len(r.pending) == 0 {
			ok, err := r.readLine()
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, io.EOF
			}
		}
		r.line = r.lineNo - len(r.pending) + 1
		if first := r.pending[0]; first.long {
			r.longSize = first.size
			r.longHead = append(r.longHead[:0], first.text...)
			r.spare = append(r.spare, first.text)
			r.pending = append(r.pending[:0], r.pending[1:]...)
			return nil, errLongLine
		}
		used, err := r.parse(true)
		if err != nil {
			return nil, err
		}
		if used < 0 {
			// A quote ran too far: re-parse the first line alone.
			used, _ = r.parse(false)
		}
		blank := used == 1 && len(r.pending[0].text) == 0
		for i := 0; i < used; i++ {
			r.spare = append(r.spare, r.pending[i].text)
		}
		r.pending = append(r.pending[:0], r.pending[used:]...)
		if blank {
			continue
		}
		return r.fields, nil
	}
}

// parse splits the record starting at pending[0] into r.fields and returns
// the number of lines it used. With multiline false, line ends close any
// open quote. It returns -1 when a quoted field does not close within the
// allowed continuation, or would run into a long line.
func (r *recordReader) parse(multiline bool) (int, error) {
	r.buf = r.buf[:0]
	r.ends = r.ends[:0]
	const (
		fieldStart = iota
		unquoted
		quoted
		quoteInQuoted
	)
	state := fieldStart
	li := 0
	for {
		line := r.pending[li].text
		for _, c := range line {
			switch state {
			case fieldStart:
				switch c {
				case ',':
					r.ends = append(r.ends, len(r.buf))
				case '"':
					state = quoted
				default:
					r.buf = append(r.buf, c)
					state = unquoted
				}
			case unquoted:
				if c == ',' {
					r.ends = append(r.ends, len(r.buf))
					state = fieldStart
				} else {
					r.buf = append(r.buf, c)
				}
			case quoted:
				if c == '"' {
					state = quoteInQuoted
				} else {
					r.buf = append(r.buf, c)
				}
			case quoteInQuoted:
				switch c {
				case '"':
					r.buf = append(r.buf, '"')
					state = quoted
				case ',':
					r.ends = append(r.ends, len(r.buf))
					state = fieldStart
				default:
					r.buf = append(r.buf, c)
					state = unquoted
				}
			}
		}
		if state != quoted || !multiline {
			break
		}
		// The quoted field goes on past the line end.
		if li+1 >= maxContinuation+1 || len(r.buf) > maxRecordBytes {
			return -1, nil
		}
		if li+1 >= len(r.pending) {
			ok, err := r.readLine()
			if err != nil {
				return 0, err
			}
			if !ok {
				return -1, nil
			}
		}
		if r.pending[li+1].long {
			return -1, nil
		}
		r.buf = append(r.buf, '\n')
		li++
	}
	r.ends = append(r.ends, len(r.buf))
	s := string(r.buf)
	r.fields = r.fields[:0]
	start := 0
	for _, e := range r.ends {
		r.fields = append(r.fields, s[start:e])
		start = e
	}
	return li + 1, nil
}
