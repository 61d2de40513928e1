package graph

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

// testGraph returns a small valid graph with every field of Meta and
// Timetable set.
func testGraph() *Graph {
	return &Graph{
		Meta: Meta{
			BuildID: "stale",
			BuiltAt: time.Date(2025, 9, 1, 12, 30, 5, 123, time.UTC),
			Date:    "2025-09-02",
			Feeds: []FeedReport{{
				Name: "star", Path: "/data/star.zip", School: true,
				ValidFrom: "2025-09-01", ValidTo: "2026-07-04",
				ServiceDate: "2025-09-09", Substituted: true, Note: "same weekday",
				Read:      Counts{Stops: 3, Routes: 2, Trips: 4, StopTimes: 9},
				Kept:      Counts{Stops: 2, Routes: 1, Trips: 3, StopTimes: 6},
				Scheduled: Counts{Stops: 2, Routes: 1, Trips: 2, StopTimes: 4},
				Drops:     []Drop{{File: "stop_times.txt", Reason: "unknown_stop", Count: 1, Examples: []string{"stop_times.txt:4: stop X"}}},
			}, {Name: "empty"}},
		},
		Timetable: Timetable{
			StopID:          []string{"star:A", "star:B", "star:É"},
			StopName:        []string{"République", "", "Gare – Sud"},
			StopLat:         []float64{48.1, 48.2, -0.5},
			StopLon:         []float64{-1.68, -1.6, math.Inf(1)},
			StopParent:      []int32{-1, 2, -1},
			StopFeed:        []int32{0, 0, 0},
			StopMinTransfer: []int32{0, 120, math.MaxInt32},
			LineID:          []string{"star:C1"},
			LineShortName:   []string{"C1"},
			LineLongName:    []string{"Chantepie <> Cesson"},
			LineMode:        []Mode{ModeBus},
			LineSchool:      []bool{true},
			LineFeed:        []int32{0},

			RouteLine:          []int32{0},
			RouteStopStart:     []int32{0, 2},
			RouteStops:         []int32{0, 1},
			RouteStopFlags:     []uint8{NoDropoff, NoPickup},
			RouteTripStart:     []int32{0, 2},
			RouteStopTimeStart: []int32{0, 4},
			TripID:             []string{"star:t1", "star:t2#1"},
			TripHeadsign:       []string{"Cesson", ""},
			TripDayShift:       []int8{-1, 0},
			Arrivals:           []int32{-600, -300, 28800, 29400},
			Departures:         []int32{-600, -300, 28800, 29400},
			StopRouteStart:     []int32{0, 1, 2, 2},
			StopRoutes:         []int32{0, 0},
			StopRoutePos:       []int32{0, 1},
			TransferStart:      []int32{0, 1, 1, 1},
			TransferTo:         []int32{1},
			TransferTime:       []int32{90},
		},
	}
}

// encodeBytes encodes g and fails the test on error.
func encodeBytes(t testing.TB, g *Graph) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, g); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return buf.Bytes()
}

func TestRoundTripGraph(t *testing.T) {
	g := testGraph()
	data := encodeBytes(t, g)
	if len(g.Meta.BuildID) != 16 || strings.Trim(g.Meta.BuildID, "0123456789abcdef") != "" {
		t.Fatalf("BuildID = %q, want 16 hex digits", g.Meta.BuildID)
	}
	got, err := Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if !reflect.DeepEqual(got, g) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, g)
	}
	if err := got.Timetable.Validate(); err != nil {
		t.Errorf("decoded timetable: %v", err)
	}

	path := filepath.Join(t.TempDir(), "g.graph")
	if err := Write(path, g); err != nil {
		t.Fatalf("Write: %v", err)
	}
	got, err = Read(path)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if !reflect.DeepEqual(got, g) {
		t.Fatalf("Write/Read round trip differs:\n got %+v\nwant %+v", got, g)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("file mode: %v, %v; want 0644", fi.Mode(), err)
	}
}

func TestBuildID(t *testing.T) {
	g := testGraph()
	a := encodeBytes(t, g)
	id := g.Meta.BuildID
	g.Meta.BuildID = "something else"
	b := encodeBytes(t, g)
	if g.Meta.BuildID != id || !bytes.Equal(a, b) {
		t.Errorf("encoding the same graph twice: ids %q, %q; identical bytes %v", id, g.Meta.BuildID, bytes.Equal(a, b))
	}
	g.Timetable.Arrivals[0]--
	encodeBytes(t, g)
	if g.Meta.BuildID == id {
		t.Errorf("BuildID %q did not change with the content", id)
	}
}

// inner is a nested struct of allKinds.
type inner struct {
	Name    string
	Values  []uint16
	skipped int // unexported: not stored
	Deeper  struct{ Flag bool }
}

// allKinds has a field of every kind the format stores.
type allKinds struct {
	B    bool
	I8   int8
	U8   uint8
	I16  int16
	U16  uint16
	I32  int32
	U32  uint32
	I64  int64
	U64  uint64
	I    int
	U    uint
	F32  float32
	F64  float64
	S    string
	M    Mode
	SB   []bool
	SI8  []int8
	SU8  []uint8
	SI16 []int16
	SU16 []uint16
	SI32 []int32
	SU32 []uint32
	SI64 []int64
	SU64 []uint64
	SI   []int
	SU   []uint
	SF32 []float32
	SF64 []float64
	SS   []string
	SM   []Mode
	Nil  []int32
	Zero []int32
	NilS []string
	In   inner
	Meta Meta
	priv []int32 // unexported: not stored
}

func newAllKinds() allKinds {
	return allKinds{
		B: true, I8: -8, U8: 200, I16: -1600, U16: 60000, I32: -32, U32: 1 << 31,
		I64: math.MinInt64, U64: math.MaxUint64, I: -7, U: 7,
		F32: 1.5, F64: -2.25e300, S: "scalar ✓", M: ModeFerry,
		SB:   []bool{true, false, true},
		SI8:  []int8{-128, 0, 127},
		SU8:  []uint8{0, 255},
		SI16: []int16{math.MinInt16, math.MaxInt16},
		SU16: []uint16{1, math.MaxUint16},
		SI32: []int32{math.MinInt32, -1, 0, math.MaxInt32},
		SU32: []uint32{math.MaxUint32},
		SI64: []int64{math.MinInt64, math.MaxInt64},
		SU64: []uint64{math.MaxUint64, 3},
		SI:   []int{-1, 1 << 40},
		SU:   []uint{1 << 40},
		SF32: []float32{float32(math.Inf(-1)), math.SmallestNonzeroFloat32},
		SF64: []float64{math.MaxFloat64, -0.5},
		SS:   []string{"", "a", "", "ünïcode", strings.Repeat("x", 1000)},
		SM:   []Mode{ModeTram, ModeMonorail},
		Zero: []int32{},
		In: inner{Name: "in", Values: []uint16{9}, skipped: 5,
			Deeper: struct{ Flag bool }{Flag: true}},
		Meta: Meta{Date: "2025-01-01", Feeds: []FeedReport{{Name: "x"}}},
		priv: []int32{1},
	}
}

// roundTrip writes v (a pointer to a struct) and reads it back into a new
// value of type T, with the given fast paths.
func roundTrip[T any](t *testing.T, v any, fastEnc, fastDec bool) (T, []byte, error) {
	t.Helper()
	var buf bytes.Buffer
	if err := writeStream(&buf, reflect.ValueOf(v).Elem(), fastEnc, graphFormat); err != nil {
		t.Fatalf("writeStream: %v", err)
	}
	var out T
	err := readStream(bytes.NewReader(buf.Bytes()), reflect.ValueOf(&out).Elem(), fastDec, graphFormat, 0)
	return out, buf.Bytes(), err
}

func TestRoundTripAllKinds(t *testing.T) {
	want := newAllKinds()
	want.In.skipped, want.priv = 0, nil
	var files [][]byte
	for _, fastEnc := range []bool{true, false} {
		for _, fastDec := range []bool{true, false} {
			v := newAllKinds()
			got, file, err := roundTrip[allKinds](t, &v, fastEnc, fastDec)
			if err != nil {
				t.Fatalf("encode fast=%v, decode fast=%v: %v", fastEnc, fastDec, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("encode fast=%v, decode fast=%v:\n got %+v\nwant %+v", fastEnc, fastDec, got, want)
			}
			files = append(files, file)
		}
	}
	if !bytes.Equal(files[0], files[2]) {
		t.Errorf("the fast and the element-wise encoders write different files")
	}
}

// TestGrowingSlices decodes with tiny first allocations, so that every
// slice is read in several steps.
func TestGrowingSlices(t *testing.T) {
	v := newAllKinds()
	var buf bytes.Buffer
	if _, err := encodePayload(&buf, reflect.ValueOf(&v).Elem(), true); err != nil {
		t.Fatal(err)
	}
	want := newAllKinds()
	want.In.skipped, want.priv = 0, nil
	for _, chunk := range []int{1, 3, 8, 100} {
		var got allKinds
		d := newDecoder(bytes.NewReader(buf.Bytes()), uint64(buf.Len()), true)
		d.chunk = chunk
		if err := d.decodePayload(reflect.ValueOf(&got).Elem()); err != nil {
			t.Fatalf("chunk %d: %v", chunk, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("chunk %d:\n got %+v\nwant %+v", chunk, got, want)
		}
		if d.crc != castagnoli(buf.Bytes()) {
			t.Errorf("chunk %d: CRC %08x, want %08x", chunk, d.crc, castagnoli(buf.Bytes()))
		}
	}
}

func TestUnsupportedField(t *testing.T) {
	for _, tc := range []struct {
		v    any
		path string
	}{
		{&struct{ A map[string]int32 }{}, "A"},
		{&struct {
			A int32
			N struct{ P *int32 }
		}{}, "N.P"},
		{&struct{ Arr [3]int32 }{}, "Arr"},
		{&struct{ Feeds []FeedReport }{}, "Feeds"},
		{&struct{ SS [][]int32 }{}, "SS"},
		{&struct{ C complex128 }{}, "C"},
		{&struct{ I any }{}, "I"},
	} {
		var buf bytes.Buffer
		err := writeStream(&buf, reflect.ValueOf(tc.v).Elem(), true, graphFormat)
		if err == nil || !strings.Contains(err.Error(), "field "+tc.path+" ") {
			t.Errorf("%T: error %v, want one naming field %s", tc.v, err, tc.path)
		}
		if buf.Len() != 0 {
			t.Errorf("%T: %d bytes written despite the error", tc.v, buf.Len())
		}
	}
}

func TestLayoutMismatch(t *testing.T) {
	type v1 struct {
		A []int32
		B []string
		C struct{ X float64 }
	}
	in := v1{A: []int32{1, 2}, B: []string{"b"}, C: struct{ X float64 }{1}}
	for _, tc := range []struct {
		name string
		read func() error
		want string
	}{
		{"retyped", func() error {
			_, _, err := roundTrip[struct {
				A []int64
				B []string
				C struct{ X float64 }
			}](t, &in, true, true)
			return err
		}, "at A: the file stores []int32, this program expects []int64"},
		{"renamed", func() error {
			_, _, err := roundTrip[struct {
				A  []int32
				BB []string
			}](t, &in, true, true)
			return err
		}, `at BB: the file has field "B" instead`},
		{"added", func() error {
			_, _, err := roundTrip[struct {
				A []int32
				B []string
				C struct {
					X float64
					Y int32
				}
			}](t, &in, true, true)
			return err
		}, "at C.Y: the file's C has 1 fields and lacks this one"},
		{"removed", func() error {
			_, _, err := roundTrip[struct {
				A []int32
				B []string
			}](t, &in, true, true)
			return err
		}, "the file has 3 fields, this program expects 2"},
	} {
		err := tc.read()
		if !errors.Is(err, ErrLayout) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "rebuild the graph") {
			t.Errorf("%s: error %v, want ErrLayout with %q", tc.name, err, tc.want)
		}
	}
}

// payloadFile returns a graph file holding payload, with a valid header
// whose payload checksum is crc.
func payloadFile(enc *zstd.Encoder, payload []byte, crc uint32) []byte {
	return framed(enc, payload, uint64(len(payload)), crc)
}

// framed returns a graph file holding payload compressed, with a valid
// header saying length and crc, and the compressed stream's checksum.
func framed(enc *zstd.Encoder, payload []byte, length uint64, crc uint32) []byte {
	body := enc.EncodeAll(payload, nil)
	return append(appendHeader(nil, FormatVersion, flagZstd, length, crc, castagnoli(body)), body...)
}

func castagnoli(b []byte) uint32 { return crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)) }

// graphPayload returns the uncompressed payload of g.
func graphPayload(t testing.TB, g *Graph) []byte {
	var buf bytes.Buffer
	if _, err := encodePayload(&buf, reflect.ValueOf(g).Elem(), true); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func newTestEncoder(t testing.TB) *zstd.Encoder {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedFastest))
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

func TestCorruptedPayload(t *testing.T) {
	enc := newTestEncoder(t)
	payload := graphPayload(t, testGraph())
	crc := castagnoli(payload)
	if _, err := Decode(bytes.NewReader(payloadFile(enc, payload, crc))); err != nil {
		t.Fatalf("intact payload: %v", err)
	}
	// A flipped byte anywhere in the payload, compressed into a sound zstd
	// stream, is caught by the payload checksum, whatever the decoding met.
	for i := range payload {
		bad := bytes.Clone(payload)
		bad[i] ^= 0x41
		_, err := Decode(bytes.NewReader(payloadFile(enc, bad, crc)))
		if !errors.Is(err, ErrChecksum) {
			t.Fatalf("byte %d flipped: error %v, want ErrChecksum", i, err)
		}
	}
	// Payload and header lengths disagree.
	if _, err := Decode(bytes.NewReader(framed(enc, payload[:len(payload)-1], uint64(len(payload)), crc))); !errors.Is(err, ErrTruncated) {
		t.Errorf("short payload: error %v, want ErrTruncated", err)
	}
	if _, err := Decode(bytes.NewReader(framed(enc, append(bytes.Clone(payload), 0), uint64(len(payload)), crc))); !errors.Is(err, ErrCorrupt) {
		t.Errorf("long payload: error %v, want ErrCorrupt", err)
	}
}

// TestCorruptedFile flips bits everywhere in a file: the decoding must fail
// with an error of the right kind, even where the flipped bit is one that
// the zstd format ignores (the compressed stream has its own checksum).
func TestCorruptedFile(t *testing.T) {
	want := testGraph()
	data := encodeBytes(t, want)
	for i := range data {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			bad := bytes.Clone(data)
			bad[i] ^= mask
			g, err := Decode(bytes.NewReader(bad))
			if err == nil {
				t.Fatalf("byte %d ^ %#x: no error", i, mask)
			}
			if g != nil {
				t.Fatalf("byte %d ^ %#x: a graph and an error", i, mask)
			}
			var ve *VersionError
			switch {
			case i < 8 && errors.Is(err, ErrNotGraph):
			case i >= 8 && i < 12 && errors.As(err, &ve):
			case i >= 12 && (errors.Is(err, ErrChecksum) || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrTruncated)):
			default:
				t.Fatalf("byte %d ^ %#x: unexpected error %v", i, mask, err)
			}
		}
	}
}

func TestTruncated(t *testing.T) {
	data := encodeBytes(t, testGraph())
	dir := t.TempDir()
	for cut := range len(data) {
		_, err := Decode(bytes.NewReader(data[:cut]))
		if !errors.Is(err, ErrTruncated) {
			t.Fatalf("cut at %d of %d: error %v, want ErrTruncated", cut, len(data), err)
		}
	}
	path := filepath.Join(dir, "cut.graph")
	if err := os.WriteFile(path, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Read(path)
	if !errors.Is(err, ErrTruncated) || !strings.HasPrefix(err.Error(), path+": graph file truncated") {
		t.Errorf("Read of a truncated file: %v", err)
	}
}

func TestHeaderErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := encodeBytes(t, testGraph())

	_, err := Read(write("osm.pbf", []byte("\x00\x00\x00\x0d\x0a\x09OSMHeader and more bytes than a header")))
	if !errors.Is(err, ErrNotGraph) || !strings.Contains(err.Error(), "osm.pbf: not a reach graph file (bad magic)") {
		t.Errorf("bad magic: %v", err)
	}

	next := bytes.Clone(good)
	copy(next, appendHeader(nil, FormatVersion+1, flagZstd, 10, 0, 0))
	_, err = Read(write("next.graph", next))
	var ve *VersionError
	want := fmt.Sprintf("next.graph: graph format version %d, this program reads version %d: rebuild the graph", FormatVersion+1, FormatVersion)
	if !errors.As(err, &ve) || ve.Version != FormatVersion+1 || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("next version: %v, want %q", err, want)
	}

	flags := bytes.Clone(good)
	le := binary.LittleEndian
	copy(flags, appendHeader(nil, FormatVersion, 2, le.Uint64(good[16:]), le.Uint32(good[24:]), le.Uint32(good[28:])))
	if _, err := Decode(bytes.NewReader(flags)); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "flags") {
		t.Errorf("unknown flags: %v", err)
	}

	if _, err := Read(filepath.Join(dir, "missing.graph")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Decode(bytes.NewReader(nil)); !errors.Is(err, ErrTruncated) {
		t.Errorf("empty input: %v", err)
	}
}

// failingReader returns its data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestReadErrorPassesThrough(t *testing.T) {
	data := encodeBytes(t, testGraph())
	disk := errors.New("disk on fire")
	for _, cut := range []int{10, 40, len(data) - 5} {
		_, err := Decode(&failingReader{data: data[:cut], err: disk})
		if !errors.Is(err, disk) {
			t.Errorf("source failing after %d bytes: error %v, want the source's", cut, err)
		}
	}
}

// failingWriter accepts n bytes, then fails.
type failingWriter struct{ n int }

var errWriter = errors.New("device full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		n := w.n
		w.n = 0
		return n, errWriter
	}
	w.n -= len(p)
	return len(p), nil
}

func TestEncodeWriterError(t *testing.T) {
	g := testGraph()
	size := len(encodeBytes(t, g))
	for _, n := range []int{0, 10, headerSize, size - 1} {
		if err := Encode(&failingWriter{n: n}, g); !errors.Is(err, errWriter) {
			t.Errorf("writer failing after %d bytes: error %v", n, err)
		}
	}
}

// dirEntries returns the names in dir.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFailureKeepsFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "g.graph")
	if err := Write(path, testGraph()); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", what)
		}
		after, rerr := os.ReadFile(path)
		if rerr != nil || !bytes.Equal(before, after) {
			t.Errorf("%s: the existing file changed (%v)", what, rerr)
		}
		if names := dirEntries(t, dir); len(names) != 1 && !(len(names) == 2 && names[1] == "sub") {
			t.Errorf("%s: files left behind: %v", what, names)
		}
	}

	err = Write(path, nil)
	check("nil graph", err)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("nil graph: error %v does not name the path", err)
	}

	check("missing directory", Write(filepath.Join(dir, "nodir", "g.graph"), testGraph()))

	// A rename over a non-empty directory fails after the temporary file
	// is complete.
	sub := filepath.Join(dir, "sub")
	if err := os.MkdirAll(filepath.Join(sub, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	check("rename over a directory", Write(sub, testGraph()))

	if os.Geteuid() != 0 { // root writes in read-only directories
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		check("read-only directory", Write(path, testGraph()))
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCorruptLengthsAllocateLittle(t *testing.T) {
	type big struct{ X []int32 }
	type strs struct{ S []string }
	var p []byte
	le := binary.LittleEndian
	field := func(name string, kind byte) {
		p = le.AppendUint32(p[:0], 1)
		p = append(p, byte(len(name)))
		p = append(p, name...)
		p = append(p, kind, 1)
	}
	enc := newTestEncoder(t)
	check := func(v any) {
		t.Helper()
		// The header claims an enormous payload; the data is a few bytes.
		file := framed(enc, p, 1<<62, castagnoli(p))
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		err := readStream(bytes.NewReader(file), reflect.ValueOf(v).Elem(), true, graphFormat, 0)
		runtime.ReadMemStats(&m1)
		if err == nil {
			t.Fatalf("no error")
		}
		if a := m1.TotalAlloc - m0.TotalAlloc; a > 2*allocChunk+1<<20 {
			t.Errorf("decoding allocated %d MiB (error %v)", a>>20, err)
		}
	}
	field("X", kindSlice|kindInt32)
	p = le.AppendUint64(p, 1<<58)
	p = append(p, 1, 2, 3, 4)
	check(&big{})

	field("S", kindSlice|kindString)
	p = le.AppendUint64(p, 1<<58) // count
	p = le.AppendUint64(p, 1<<59) // total bytes
	p = append(p, 1, 0, 0, 0)
	check(&strs{})
}

func TestInvalidBool(t *testing.T) {
	enc := newTestEncoder(t)
	for _, tc := range []struct {
		v    any
		kind byte
		body []byte
	}{
		{&struct{ B bool }{}, kindBool, []byte{2}},
		{&struct{ B []bool }{}, kindSlice | kindBool, []byte{1, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 7}},
	} {
		p := binary.LittleEndian.AppendUint32(nil, 1)
		p = append(p, 1, 'B', tc.kind)
		p = append(p, tc.body...)
		file := payloadFile(enc, p, castagnoli(p))
		for _, fast := range []bool{true, false} {
			err := readStream(bytes.NewReader(file), reflect.ValueOf(tc.v).Elem(), fast, graphFormat, 0)
			if !errors.Is(err, ErrLayout) || !strings.Contains(err.Error(), "not a bool") {
				t.Errorf("%T (fast %v): error %v, want a layout error on the bool", tc.v, fast, err)
			}
		}
	}
}

// FuzzDecode decodes arbitrary bytes, both as a file and as the payload of
// a file with valid header and checksums, so that the payload decoder is
// exercised beyond the checksums. It must never panic; what decodes must
// encode and decode again to the same bytes.
func FuzzDecode(f *testing.F) {
	g := testGraph()
	f.Add(encodeBytes(f, g))
	f.Add(graphPayload(f, g))
	f.Add([]byte(graphFormat.magic))
	enc := newTestEncoder(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range [][]byte{data, payloadFile(enc, data, castagnoli(data))} {
			g, err := Decode(bytes.NewReader(in))
			if err != nil {
				if g != nil {
					t.Fatalf("Decode returned a graph and error %v", err)
				}
				continue
			}
			var a, b bytes.Buffer
			if err := Encode(&a, g); err != nil {
				t.Fatalf("re-encode: %v", err)
			}
			g2, err := Decode(bytes.NewReader(a.Bytes()))
			if err != nil {
				t.Fatalf("decode the re-encoded graph: %v", err)
			}
			if err := Encode(&b, g2); err != nil {
				t.Fatalf("re-encode: %v", err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatalf("re-encoding is not stable")
			}
		}
	})
}

// benchGraph returns a synthetic timetable with about stopTimes stop times.
func benchGraph(stopTimes int) *Graph {
	rng := rand.New(rand.NewPCG(1, 2))
	const nStops, nLines = 60000, 2000
	tt := Timetable{}
	for s := range nStops {
		tt.StopID = append(tt.StopID, fmt.Sprintf("feed:stop_%d", s))
		tt.StopName = append(tt.StopName, fmt.Sprintf("Arrêt %d", rng.IntN(nStops)))
		tt.StopLat = append(tt.StopLat, 42+rng.Float64()*9)
		tt.StopLon = append(tt.StopLon, -5+rng.Float64()*13)
		tt.StopParent = append(tt.StopParent, -1)
		tt.StopFeed = append(tt.StopFeed, 0)
		tt.StopMinTransfer = append(tt.StopMinTransfer, 0)
	}
	for l := range nLines {
		tt.LineID = append(tt.LineID, fmt.Sprintf("feed:line_%d", l))
		tt.LineShortName = append(tt.LineShortName, fmt.Sprint(l))
		tt.LineLongName = append(tt.LineLongName, fmt.Sprintf("Line %d", l))
		tt.LineMode = append(tt.LineMode, ModeBus)
		tt.LineSchool = append(tt.LineSchool, rng.IntN(4) == 0)
		tt.LineFeed = append(tt.LineFeed, 0)
	}
	tt.RouteStopStart = []int32{0}
	tt.RouteTripStart = []int32{0}
	tt.RouteStopTimeStart = []int32{0}
	for len(tt.Arrivals) < stopTimes {
		n, k := 10+rng.IntN(30), 1+rng.IntN(20)
		tt.RouteLine = append(tt.RouteLine, int32(rng.IntN(nLines)))
		for range n {
			tt.RouteStops = append(tt.RouteStops, int32(rng.IntN(nStops)))
			tt.RouteStopFlags = append(tt.RouteStopFlags, 0)
		}
		for j := range k {
			tt.TripID = append(tt.TripID, fmt.Sprintf("feed:trip_%d", len(tt.TripID)))
			tt.TripHeadsign = append(tt.TripHeadsign, "Terminus")
			tt.TripDayShift = append(tt.TripDayShift, 0)
			t := int32(18000 + 1800*j + rng.IntN(600))
			for range n {
				tt.Arrivals = append(tt.Arrivals, t)
				t += int32(rng.IntN(30))
				tt.Departures = append(tt.Departures, t)
				t += int32(30 + rng.IntN(150))
			}
		}
		tt.RouteStopStart = append(tt.RouteStopStart, int32(len(tt.RouteStops)))
		tt.RouteTripStart = append(tt.RouteTripStart, int32(len(tt.TripID)))
		tt.RouteStopTimeStart = append(tt.RouteStopTimeStart, int32(len(tt.Arrivals)))
	}
	tt.StopRouteStart = make([]int32, nStops+1)
	tt.TransferStart = make([]int32, nStops+1)
	return &Graph{Meta: Meta{Date: "2025-09-02"}, Timetable: tt}
}

func BenchmarkReadWrite(b *testing.B) {
	g := benchGraph(5_000_000)
	payload := uint64(len(graphPayload(b, g)))
	data := encodeBytes(b, g)
	b.Logf("%d stop times, %d stops, %d trips: payload %.1f MB, file %.1f MB",
		g.Timetable.NumStopTimes(), g.Timetable.NumStops(), g.Timetable.NumTrips(), float64(payload)/1e6, float64(len(data))/1e6)
	b.Run("Encode", func(b *testing.B) {
		b.SetBytes(int64(payload))
		for b.Loop() {
			if err := Encode(io.Discard, g); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Decode", func(b *testing.B) {
		b.SetBytes(int64(payload))
		for b.Loop() {
			if _, err := Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	path := filepath.Join(b.TempDir(), "bench.graph")
	if err := Write(path, g); err != nil {
		b.Fatal(err)
	}
	b.Run("Write", func(b *testing.B) {
		b.SetBytes(int64(payload))
		for b.Loop() {
			if err := Write(path, g); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Read", func(b *testing.B) {
		b.SetBytes(int64(payload))
		for b.Loop() {
			if _, err := Read(path); err != nil {
				b.Fatal(err)
			}
		}
	})
}
