package graph

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"reflect"

	"github.com/klauspost/compress/zstd"
)

// FormatVersion is the version of the graph file format that this program
// writes and reads. Bump it whenever the stored form changes, which
// includes any change to the exported fields of Graph's sections (added,
// removed, renamed or retyped) other than Meta, which is stored as JSON.
const FormatVersion = 2

// A graph file is a 32-byte header followed by one zstd frame holding the
// payload, the encoding of Graph described in encode.go. The header:
//
//	offset size
//	 0      8   magic "REACHGRF"
//	 8      4   uint32 format version
//	12      4   uint32 flags (bit 0: payload is zstd-compressed, always set)
//	16      8   uint64 length of the uncompressed payload
//	24      4   uint32 CRC-32C (Castagnoli) of the uncompressed payload
//	28      4   uint32 CRC-32C of header bytes 0..27
//
// Integers are little endian.
const (
	fileMagic  = "REACHGRF"
	headerSize = 32
	flagZstd   = 1

	// zstdWindow is the compression window; the reader accepts up to
	// maxWindow so that a corrupted frame header cannot make it allocate
	// large buffers.
	zstdWindow = 8 << 20
	maxWindow  = 64 << 20
)

// Errors of Read and Decode, to test with errors.Is. The errors returned
// wrap them with details (the field, the path).
var (
	// ErrNotGraph is a file that is not a graph file.
	ErrNotGraph = errors.New("not a reach graph file (bad magic)")
	// ErrTruncated is a graph file cut short.
	ErrTruncated = errors.New("graph file truncated")
	// ErrChecksum is a graph file whose content does not match its checksums.
	ErrChecksum = errors.New("graph file corrupted (checksum mismatch)")
	// ErrCorrupt is a graph file whose compressed stream or header is invalid.
	ErrCorrupt = errors.New("graph file corrupted")
	// ErrLayout is a graph file, intact, whose payload does not match the
	// Go structure of Graph: it was written by a program with other
	// sections or fields under the same FormatVersion.
	ErrLayout = errors.New("graph file layout does not match this program")
)

// VersionError is a graph file of another format version.
type VersionError struct {
	Version uint32 // version of the file
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("graph format version %d, this program reads version %d: rebuild the graph", e.Version, FormatVersion)
}

// Write stores g in the file at path, atomically: it writes a temporary
// file in the same directory, syncs it and renames it over path, so that
// path holds either its former content or the whole new graph. On error
// the temporary file is removed. Write sets g.Meta.BuildID (see Encode).
// The file is created with mode 0644.
func Write(path string, g *Graph) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write graph %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close() // already closed on some paths; the error is moot then
			os.Remove(tmp)
			err = fmt.Errorf("write graph %s: %w", path, err)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := Encode(bw, g); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
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
		return fmt.Errorf("graph written, but syncing its directory failed: %w", err)
	}
	return nil
}

// Read loads the graph file at path. Its errors name the path and wrap
// ErrNotGraph, *VersionError, ErrTruncated, ErrChecksum, ErrCorrupt or
// ErrLayout when the file is at fault.
func Read(path string) (*Graph, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read graph: %w", err)
	}
	defer f.Close()
	g, err := Decode(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
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
	v := reflect.ValueOf(g).Elem()
	fast := hostLittleEndian()
	old := g.Meta.BuildID
	g.Meta.BuildID = ""
	h := sha256.New()
	if _, err := encodePayload(h, v, fast); err != nil {
		g.Meta.BuildID = old
		return err
	}
	g.Meta.BuildID = hex.EncodeToString(h.Sum(nil)[:8])
	return writeStream(w, v, fast)
}

// writeStream writes the header and the compressed payload of struct v.
// It encodes v twice: once for the payload's length and checksum, which
// the header holds, then to compress it, so that the payload is never held
// in memory.
func writeStream(w io.Writer, v reflect.Value, fast bool) error {
	crc := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	n, err := encodePayload(crc, v, fast)
	if err != nil {
		return err
	}
	if _, err := w.Write(appendHeader(nil, FormatVersion, flagZstd, n, crc.Sum32())); err != nil {
		return err
	}
	zw, err := zstd.NewWriter(w, zstd.WithWindowSize(zstdWindow), zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		return err
	}
	m, err := encodePayload(zw, v, fast)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if m != n {
		return fmt.Errorf("graph: the graph changed while being encoded (%d bytes, then %d)", n, m)
	}
	return nil
}

// appendHeader appends a file header to b.
func appendHeader(b []byte, version, flags uint32, length uint64, crc uint32) []byte {
	le := binary.LittleEndian
	start := len(b)
	b = append(b, fileMagic...)
	b = le.AppendUint32(b, version)
	b = le.AppendUint32(b, flags)
	b = le.AppendUint64(b, length)
	b = le.AppendUint32(b, crc)
	return le.AppendUint32(b, crc32.Checksum(b[start:], crc32.MakeTable(crc32.Castagnoli)))
}

// header is a decoded file header.
type header struct {
	length uint64 // uncompressed payload length
	crc    uint32 // CRC-32C of the payload
}

// readHeader reads and checks the file header.
func readHeader(r io.Reader) (header, error) {
	var b [headerSize]byte
	n, err := io.ReadFull(r, b[:])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return header{}, err
	}
	if string(b[:min(n, len(fileMagic))]) != fileMagic[:min(n, len(fileMagic))] {
		return header{}, ErrNotGraph
	}
	if n == 0 {
		return header{}, fmt.Errorf("%w (empty file)", ErrTruncated)
	}
	le := binary.LittleEndian
	if n >= 12 {
		if v := le.Uint32(b[8:]); v != FormatVersion {
			return header{}, &VersionError{Version: v}
		}
	}
	if n < headerSize {
		return header{}, fmt.Errorf("%w (%d header bytes of %d)", ErrTruncated, n, headerSize)
	}
	if crc32.Checksum(b[:28], crc32.MakeTable(crc32.Castagnoli)) != le.Uint32(b[28:]) {
		return header{}, fmt.Errorf("%w (header)", ErrChecksum)
	}
	if flags := le.Uint32(b[12:]); flags != flagZstd {
		return header{}, fmt.Errorf("%w: unknown header flags 0x%x", ErrCorrupt, flags)
	}
	return header{length: le.Uint64(b[16:]), crc: le.Uint32(b[24:])}, nil
}

// Decode reads a graph in the graph file format from r. See Read for its
// errors.
func Decode(r io.Reader) (*Graph, error) {
	g := new(Graph)
	if err := readStream(r, reflect.ValueOf(g).Elem(), hostLittleEndian()); err != nil {
		return nil, err
	}
	return g, nil
}

// readStream reads a header and a compressed payload into struct v.
func readStream(r io.Reader, v reflect.Value, fast bool) error {
	if err := checkType(v.Type(), ""); err != nil {
		return err
	}
	h, err := readHeader(r)
	if err != nil {
		return err
	}
	src := &sourceReader{r: r}
	zr, err := zstd.NewReader(src, zstd.WithDecoderMaxWindow(maxWindow), zstd.WithDecoderConcurrency(1))
	if err != nil {
		return err
	}
	defer zr.Close()
	d := newDecoder(zr, h.length, fast)
	err = d.decodePayload(v)
	if err == nil {
		err = d.finish(h.crc)
	} else {
		err = d.diagnose(err, h.crc)
	}
	if src.err != nil {
		// The source failed: its error matters, not what it did to the
		// decompression.
		return fmt.Errorf("read graph: %w", src.err)
	}
	return err
}

// sourceReader records the first error, other than io.EOF, of the reader
// under the decompressor, to tell I/O errors from corrupted data.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
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
