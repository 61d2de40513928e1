package graph

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"

	"github.com/klauspost/compress/zstd"
)

// FormatVersion is the version of the graph file format that this program
// writes and reads. Bump it whenever the stored form changes, which
// includes any change to the exported fields of Graph's sections (added,
// removed, renamed or retyped) other than Meta, which is stored as JSON.
const FormatVersion = 5

// A graph file is a 32-byte header followed by one zstd frame holding the
// payload, the encoding of Graph described in encode.go. Index files (see
// Index) have the same framing with their own magic and version. The
// header:
//
//	offset size
//	 0      8   magic "REACHGRF" (graph), "REACHIDX" (index)
//	 8      4   uint32 format version
//	12      4   uint32 flags (bit 0: payload is zstd-compressed, always set)
//	16      8   uint64 length of the uncompressed payload
//	24      4   uint32 CRC-32C (Castagnoli) of the uncompressed payload
//	28      4   uint32 CRC-32C of the compressed stream (every byte after the header)
//	32      4   uint32 CRC-32C of header bytes 0..31
//
// so that a flipped bit anywhere in the file is refused, even one that the
// decompression would not notice.
//
// Integers are little endian.
const (
	headerSize = 36
	flagZstd   = 1

	// zstdWindow is the compression window; the reader accepts up to
	// maxWindow so that a corrupted frame header cannot make it allocate
	// large buffers.
	zstdWindow = 8 << 20
	maxWindow  = 64 << 20
)

// Errors of the readers of graph and index files, to test with errors.Is.
// The errors returned wrap them with details (the kind of file, the field,
// the path).
var (
	// ErrNotGraph is a file that is not a graph file.
	ErrNotGraph = errors.New("not a reach graph file (bad magic)")
	// ErrNotIndex is a file that is not an index file.
	ErrNotIndex = errors.New("not a reach index file (bad magic)")
	// ErrTruncated is a file cut short.
	ErrTruncated = errors.New("file truncated")
	// ErrChecksum is a file whose content does not match its checksums.
	ErrChecksum = errors.New("file corrupted (checksum mismatch)")
	// ErrCorrupt is a file whose compressed stream or header is invalid.
	ErrCorrupt = errors.New("file corrupted")
	// ErrLayout is a file, intact, whose payload does not match the Go
	// structure it is read into: it was written by a program with other
	// sections or fields under the same format version.
	ErrLayout = errors.New("file layout does not match this program")
)

// VersionError is a file of another format version.
type VersionError struct {
	Kind    string // "graph" or "index"
	Version uint32 // version of the file
	Want    uint32 // version this program reads
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("%s format version %d, this program reads version %d: rebuild the %s", e.Kind, e.Version, e.Want, e.Kind)
}

// fileFormat is one kind of file this package writes and reads: its
// magic, format version and name in messages.
type fileFormat struct {
	magic   string // 8 bytes
	version uint32
	name    string
	notOurs error // the error of a file with another magic
}

// graphFormat is the graph file's.
var graphFormat = fileFormat{"REACHGRF", FormatVersion, "graph", ErrNotGraph}

// kindError prefixes the errors of the file's content with the kind of
// file ("graph file truncated"); other errors pass unchanged.
func (f fileFormat) kindError(err error) error {
	if err == nil {
		return nil
	}
	for _, e := range []error{ErrTruncated, ErrChecksum, ErrCorrupt} {
		if errors.Is(err, e) {
			return fmt.Errorf("%s %w", f.name, err)
		}
	}
	var le *layoutError
	if errors.As(err, &le) {
		le.kind = f.name
		return fmt.Errorf("%s %w", f.name, err)
	}
	return err
}

// Write stores g in the file at path, atomically: it writes a temporary
// file in the same directory, syncs it and renames it over path, so that
// path holds either its former content or the whole new graph. On error
// the temporary file is removed; temporary files left by a writer that
// died (killed during a write) are removed by the next write into the same
// directory. Write sets g.Meta.BuildID (see Encode). The file is created
// with mode 0644.
func Write(path string, g *Graph) error {
	if g == nil {
		return fmt.Errorf("write graph %s: nil *Graph", path)
	}
	if err := setBuildID(g); err != nil {
		return fmt.Errorf("write graph %s: %w", path, err)
	}
	return writeFile(path, reflect.ValueOf(g).Elem(), graphFormat)
}

// writeFile writes struct v in format f to path, atomically (see Write).
func writeFile(path string, v reflect.Value, f fileFormat) (err error) {
	dir := filepath.Dir(path)
	removeStaleTemps(dir, filepath.Base(path))
	tmpFile, err := os.CreateTemp(dir, tempPrefix(filepath.Base(path)))
	if err != nil {
		return fmt.Errorf("write %s %s: %w", f.name, path, err)
	}
	tmp := tmpFile.Name()
	// The lock tells later writers that this temporary file is alive; the
	// kernel drops it when the process dies, however it dies.
	lockFile(tmpFile)
	defer func() {
		if err != nil {
			tmpFile.Close() // already closed on some paths; the error is moot then
			os.Remove(tmp)
			err = fmt.Errorf("write %s %s: %w", f.name, path, err)
		}
	}()
	if err := writeFileStream(tmpFile, v, hostLittleEndian(), f); err != nil {
		return err
	}
	if err := tmpFile.Chmod(0o644); err != nil {
		return err
	}
	if err := tmpFile.Sync(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if err := tmpFile.Close(); err != nil { // after the rename: the lock covers it
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in directory dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("file written, but syncing its directory failed: %w", err)
	}
	return nil
}

// Read loads the graph file at path. Its errors name the path and wrap
// ErrNotGraph, *VersionError, ErrTruncated, ErrChecksum, ErrCorrupt or
// ErrLayout when the file is at fault.
func Read(path string) (*Graph, error) {
	g := new(Graph)
	if err := readFile(path, reflect.ValueOf(g).Elem(), graphFormat); err != nil {
		return nil, err
	}
	return g, nil
}

// readFile reads the file at path in format f into struct v.
func readFile(path string, v reflect.Value, f fileFormat) error {
	file, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", f.name, err)
	}
	defer file.Close()
	var size int64
	if info, err := file.Stat(); err == nil && info.Mode().IsRegular() {
		size = info.Size()
	}
	if err := readStream(bufio.NewReaderSize(file, 1<<20), v, hostLittleEndian(), f, size); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Encode writes g in the graph file format to w. It first sets
// g.Meta.BuildID to a content hash: the first 16 hex digits of the SHA-256
// of the payload with an empty BuildID, so that two identical graphs get
// the same id. Encode fails, having written nothing, when a field of g has
// a type the format cannot store.
func Encode(w io.Writer, g *Graph) error {
	if g == nil {
		return errors.New("graph: encode: nil *Graph")
	}
	if err := setBuildID(g); err != nil {
		return err
	}
	return writeStream(w, reflect.ValueOf(g).Elem(), hostLittleEndian(), graphFormat)
}

// setBuildID sets g.Meta.BuildID to the content hash of g (see Encode).
func setBuildID(g *Graph) error {
	v := reflect.ValueOf(g).Elem()
	old := g.Meta.BuildID
	g.Meta.BuildID = ""
	h := sha256.New()
	if _, err := encodePayload(h, v, hostLittleEndian()); err != nil {
		g.Meta.BuildID = old
		return err
	}
	g.Meta.BuildID = hex.EncodeToString(h.Sum(nil)[:8])
	return nil
}

// writeStream writes the header and the compressed payload of struct v to
// w. It holds the compressed payload in memory, for its checksum comes
// first; writeFileStream writes a file without.
func writeStream(w io.Writer, v reflect.Value, fast bool, f fileFormat) error {
	var body bytes.Buffer
	n, crc, err := compressPayload(&body, v, fast, f)
	if err != nil {
		return err
	}
	if _, err := w.Write(f.appendHeader(nil, f.version, flagZstd, n, crc, castagnoliSum(body.Bytes()))); err != nil {
		return err
	}
	_, err = w.Write(body.Bytes())
	return err
}

// writeFileStream writes the header and the compressed payload of struct v
// to a new file: the header's room first, then the compressed payload, then
// the header over its room, once the checksums are known.
func writeFileStream(file *os.File, v reflect.Value, fast bool, f fileFormat) error {
	if _, err := file.Write(make([]byte, headerSize)); err != nil {
		return err
	}
	frame := crc32.New(castagnoliTable)
	bw := bufio.NewWriterSize(io.MultiWriter(file, frame), 1<<20)
	n, crc, err := compressPayload(bw, v, fast, f)
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err = file.WriteAt(f.appendHeader(nil, f.version, flagZstd, n, crc, frame.Sum32()), 0)
	return err
}

// compressPayload writes the compressed payload of struct v to w and
// returns its uncompressed length and CRC-32C. It encodes v twice: once for
// the length and checksum, then to compress it, so that the uncompressed
// payload is never held in memory.
func compressPayload(w io.Writer, v reflect.Value, fast bool, f fileFormat) (uint64, uint32, error) {
	crc := crc32.New(castagnoliTable)
	n, err := encodePayload(crc, v, fast)
	if err != nil {
		return 0, 0, err
	}
	zw, err := zstd.NewWriter(w, zstd.WithWindowSize(zstdWindow), zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		return 0, 0, err
	}
	m, err := encodePayload(zw, v, fast)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, 0, err
	}
	if m != n {
		return 0, 0, fmt.Errorf("%s changed while being encoded (%d bytes, then %d)", f.name, n, m)
	}
	return n, crc.Sum32(), nil
}

// castagnoliTable is the CRC-32C table of the file checksums.
var castagnoliTable = crc32.MakeTable(crc32.Castagnoli)

// castagnoliSum returns the CRC-32C of b.
func castagnoliSum(b []byte) uint32 { return crc32.Checksum(b, castagnoliTable) }

// appendHeader appends a graph file header to b.
func appendHeader(b []byte, version, flags uint32, length uint64, crc, frameCRC uint32) []byte {
	return graphFormat.appendHeader(b, version, flags, length, crc, frameCRC)
}

// appendHeader appends a file header of format f to b.
func (f fileFormat) appendHeader(b []byte, version, flags uint32, length uint64, crc, frameCRC uint32) []byte {
	le := binary.LittleEndian
	start := len(b)
	b = append(b, f.magic...)
	b = le.AppendUint32(b, version)
	b = le.AppendUint32(b, flags)
	b = le.AppendUint64(b, length)
	b = le.AppendUint32(b, crc)
	b = le.AppendUint32(b, frameCRC)
	return le.AppendUint32(b, castagnoliSum(b[start:]))
}

// header is a decoded file header.
type header struct {
	length   uint64 // uncompressed payload length
	crc      uint32 // CRC-32C of the payload
	frameCRC uint32 // CRC-32C of the compressed stream
}

// readHeader reads and checks the file header of format f.
func readHeader(r io.Reader, f fileFormat) (header, error) {
	var b [headerSize]byte
	n, err := io.ReadFull(r, b[:])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return header{}, err
	}
	if string(b[:min(n, len(f.magic))]) != f.magic[:min(n, len(f.magic))] {
		return header{}, f.notOurs
	}
	if n == 0 {
		return header{}, fmt.Errorf("%w (empty file)", ErrTruncated)
	}
	le := binary.LittleEndian
	if n >= 12 {
		if v := le.Uint32(b[8:]); v != f.version {
			return header{}, &VersionError{Kind: f.name, Version: v, Want: f.version}
		}
	}
	if n < headerSize {
		return header{}, fmt.Errorf("%w (%d header bytes of %d)", ErrTruncated, n, headerSize)
	}
	if castagnoliSum(b[:32]) != le.Uint32(b[32:]) {
		return header{}, fmt.Errorf("%w (header)", ErrChecksum)
	}
	if flags := le.Uint32(b[12:]); flags != flagZstd {
		return header{}, fmt.Errorf("%w: unknown header flags 0x%x", ErrCorrupt, flags)
	}
	return header{length: le.Uint64(b[16:]), crc: le.Uint32(b[24:]), frameCRC: le.Uint32(b[28:])}, nil
}

// Decode reads a graph in the graph file format from r. See Read for its
// errors.
func Decode(r io.Reader) (*Graph, error) {
	g := new(Graph)
	if err := readStream(r, reflect.ValueOf(g).Elem(), hostLittleEndian(), graphFormat, 0); err != nil {
		return nil, err
	}
	return g, nil
}

// readStream reads a header and a compressed payload of format f into
// struct v; size is the stream's length in bytes when known, else 0.
func readStream(r io.Reader, v reflect.Value, fast bool, f fileFormat, size int64) error {
	if err := checkType(v.Type(), ""); err != nil {
		return err
	}
	return decodeStream(r, fast, f, size, func(d *decoder) error { return d.decodePayload(v) })
}

// maxExpansion is how many times its file's size a payload may be, to be
// believed: slices that fit in such a payload are allocated whole at
// once, not grown by doubling from allocChunk as their data arrives
// (which copies them and touches twice their memory). Graph payloads are
// about 2.5 times their file; a header claiming more than maxExpansion
// times is not wrong, only not trusted.
const maxExpansion = 16

// decodeStream reads a header of format f and decodes its compressed
// payload with decode, which must read the whole payload; it then checks
// the payload's and the compressed stream's checksums, and classifies the
// errors (see Read).
func decodeStream(r io.Reader, fast bool, f fileFormat, size int64, decode func(*decoder) error) error {
	h, err := readHeader(r, f)
	if err != nil {
		return f.kindError(err)
	}
	src := &sourceReader{r: r, crc: crc32.New(castagnoliTable)}
	zr, err := zstd.NewReader(src, zstd.WithDecoderMaxWindow(maxWindow), zstd.WithDecoderConcurrency(1))
	if err != nil {
		return err
	}
	defer zr.Close()
	d := newDecoder(zr, h.length, fast)
	if size > 0 && h.length <= uint64(size)*maxExpansion && h.length > uint64(d.chunk) && h.length <= math.MaxInt {
		d.chunk = int(h.length)
	}
	err = decode(d)
	if err == nil {
		err = d.finish(h.crc)
	} else {
		err = d.diagnose(err, h.crc)
	}
	if src.err == nil && !errors.Is(err, ErrTruncated) {
		// Every byte of the stream counts, those the decompression
		// ignores too: read the rest and compare the stream's checksum.
		if _, derr := io.Copy(io.Discard, src); derr == nil && src.crc.Sum32() != h.frameCRC {
			err = fmt.Errorf("%w (compressed stream CRC-32C %08x, header says %08x)", ErrChecksum, src.crc.Sum32(), h.frameCRC)
		}
	}
	if src.err != nil {
		// The source failed: its error matters, not what it did to the
		// decompression.
		return fmt.Errorf("read %s: %w", f.name, src.err)
	}
	return f.kindError(err)
}

// sourceReader records the first error, other than io.EOF, of the reader
// under the decompressor, to tell I/O errors from corrupted data, and the
// checksum of the bytes it passed.
type sourceReader struct {
	r   io.Reader
	err error
	crc hash.Hash32
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.crc.Write(p[:n])
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// streamError classifies an error of the decompressor.
func (d *decoder) streamError(err error) error {
	switch {
	case err == io.EOF:
		// The compressed stream ends between frames. The header, which
		// has its own checksum, says there is more.
		return fmt.Errorf("%w (payload ends after %d of %d bytes)", ErrTruncated, d.length-d.remaining, d.length)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return ErrTruncated
	case errors.Is(err, zstd.ErrCRCMismatch):
		return fmt.Errorf("%w (compressed stream)", ErrChecksum)
	}
	return fmt.Errorf("%w: compressed stream: %v", ErrCorrupt, err)
}

// finish checks, after the last field, that the stream ends and that the
// payload's checksum is crc.
func (d *decoder) finish(crc uint32) error {
	var b [1]byte
	for {
		n, err := d.r.Read(b[:])
		if n > 0 {
			return fmt.Errorf("%w: the payload is longer than the header says", ErrCorrupt)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return d.streamError(err)
		}
	}
	if d.crc != crc {
		return fmt.Errorf("%w (payload CRC-32C %08x, header says %08x)", ErrChecksum, d.crc, crc)
	}
	return nil
}

// diagnose explains a layout error err: it reads the rest of the payload
// and reports a truncated or corrupted file rather than err when the
// payload is cut short or does not match its checksum; an intact payload
// that does not fit the Go types is reported as err.
func (d *decoder) diagnose(err error, crc uint32) error {
	var le *layoutError
	if !errors.As(err, &le) {
		return err
	}
	if d.scratch == nil {
		d.scratch = make([]byte, scratchSize)
	}
	for d.remaining > 0 {
		if rerr := d.read(d.scratch[:min(d.remaining, uint64(len(d.scratch)))]); rerr != nil {
			return rerr
		}
	}
	if d.crc != crc {
		return fmt.Errorf("%w (first inconsistency at %s)", ErrChecksum, le.path)
	}
	return err
}
