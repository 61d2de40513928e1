package graph

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"reflect"
	"sync"
	"unsafe"
)

// This file holds the generic codec of the graph payload: a reflection walk
// over the exported struct fields, in declaration order, shared by every
// section of Graph. The payload of a struct is
//
//	uint32 number of fields
//	per field: uint8 name length, name, uint8 kind tag, body
//
// and the body of a field depends on its kind tag:
//
//	bool, ints, floats      the value, little endian (int and uint as 8 bytes)
//	string                  uint64 length, bytes
//	struct                  the struct payload, recursively
//	json (Meta)             uint64 length, JSON text
//	slice of numbers/bools  uint8 1 (0 for a nil slice, then nothing),
//	                        uint64 count, count × element, little endian
//	slice of strings        uint8 1 (0 for nil), uint64 count, uint64 total
//	                        bytes, count × uint32 lengths, the bytes of all
//	                        strings concatenated
//
// All integers are little endian.

// Kind tags of the payload. A slice of a scalar kind k is tagged k|kindSlice.
const (
	kindBool byte = 1 + iota
	kindInt8
	kindUint8
	kindInt16
	kindUint16
	kindInt32
	kindUint32
	kindInt64
	kindUint64
	kindInt  // Go int, stored as 8 bytes
	kindUint // Go uint, stored as 8 bytes
	kindFloat32
	kindFloat64
	kindString
	kindStruct
	kindJSON // a struct stored as JSON (Meta)

	kindSlice byte = 0x80
)

// kindNames are the Go spellings of the scalar kinds, for error messages.
var kindNames = [...]string{
	kindBool: "bool", kindInt8: "int8", kindUint8: "uint8", kindInt16: "int16",
	kindUint16: "uint16", kindInt32: "int32", kindUint32: "uint32", kindInt64: "int64",
	kindUint64: "uint64", kindInt: "int", kindUint: "uint", kindFloat32: "float32",
	kindFloat64: "float64", kindString: "string", kindStruct: "struct", kindJSON: "json",
}

// kindName returns a readable name of a kind tag, such as "[]int32".
func kindName(k byte) string {
	prefix := ""
	if k&kindSlice != 0 && k != kindSlice {
		prefix, k = "[]", k&^kindSlice
	}
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return prefix + kindNames[k]
	}
	return fmt.Sprintf("unknown kind 0x%02x", k)
}

// diskSize is the stored size in bytes of one element of a numeric or bool
// kind, or 0 for the other kinds.
func diskSize(k byte) int {
	switch k {
	case kindBool, kindInt8, kindUint8:
		return 1
	case kindInt16, kindUint16:
		return 2
	case kindInt32, kindUint32, kindFloat32:
		return 4
	case kindInt64, kindUint64, kindInt, kindUint, kindFloat64:
		return 8
	}
	return 0
}

// metaType is stored as JSON rather than field by field: it is small and
// evolves often.
var metaType = reflect.TypeFor[Meta]()

// scalarKind returns the kind tag of a scalar type, or 0 when the type is
// not a supported scalar.
func scalarKind(t reflect.Type) byte {
	switch t.Kind() {
	case reflect.Bool:
		return kindBool
	case reflect.Int8:
		return kindInt8
	case reflect.Uint8:
		return kindUint8
	case reflect.Int16:
		return kindInt16
	case reflect.Uint16:
		return kindUint16
	case reflect.Int32:
		return kindInt32
	case reflect.Uint32:
		return kindUint32
	case reflect.Int64:
		return kindInt64
	case reflect.Uint64:
		return kindUint64
	case reflect.Int:
		return kindInt
	case reflect.Uint:
		return kindUint
	case reflect.Float32:
		return kindFloat32
	case reflect.Float64:
		return kindFloat64
	case reflect.String:
		return kindString
	}
	return 0
}

// kindOf returns the kind tag under which a field of type t is stored, or an
// error naming the field (path) when the type cannot be stored.
func kindOf(t reflect.Type, path string) (byte, error) {
	if t == metaType {
		return kindJSON, nil
	}
	if k := scalarKind(t); k != 0 {
		return k, nil
	}
	switch t.Kind() {
	case reflect.Struct:
		return kindStruct, nil
	case reflect.Slice:
		if k := scalarKind(t.Elem()); k != 0 {
			return k | kindSlice, nil
		}
	}
	return 0, fmt.Errorf("graph: field %s has type %s, which the graph file cannot store "+
		"(supported: bools, integers, floats and strings, slices of those, and structs of such fields)", path, t)
}

// checkType reports the first field of struct type t, recursively, whose
// type cannot be stored.
func checkType(t reflect.Type, path string) error {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		p := joinPath(path, f.Name)
		k, err := kindOf(f.Type, p)
		if err != nil {
			return err
		}
		if len(f.Name) > math.MaxUint8 {
			return fmt.Errorf("graph: field name %s is longer than %d bytes", p, math.MaxUint8)
		}
		if k == kindStruct {
			if err := checkType(f.Type, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// joinPath returns the dotted path of field name within path.
func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// exportedFields returns the indexes of the exported fields of struct type t.
func exportedFields(t reflect.Type) []int {
	var idx []int
	for i := range t.NumField() {
		if t.Field(i).IsExported() {
			idx = append(idx, i)
		}
	}
	return idx
}

// hostLittleEndian reports whether this machine stores integers little
// endian, so that numeric slices can be copied to and from the file as raw
// memory.
func hostLittleEndian() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}

// rawBytes returns the memory of slice s (of n elements of size bytes each)
// as bytes.
func rawBytes(s reflect.Value, n, size int) []byte {
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(s.UnsafePointer()), n*size)
}

// scratchSize is the size of the encoder's and decoder's conversion buffers.
const scratchSize = 64 << 10

// encoder writes the payload of a value.
type encoder struct {
	w *bufio.Writer
	n uint64 // bytes written
	// fast copies numeric slices as raw memory; false converts element by
	// element (big-endian hosts, 32-bit int, and tests of that path).
	fast    bool
	num     [8]byte
	scratch []byte
}

// encodePayload writes the payload of struct v to w and returns its length.
func encodePayload(w io.Writer, v reflect.Value, fast bool) (uint64, error) {
	if err := checkType(v.Type(), ""); err != nil {
		return 0, err
	}
	e := &encoder{w: bufio.NewWriterSize(w, scratchSize), fast: fast}
	if err := e.encodeStruct(v, ""); err != nil {
		return 0, err
	}
	if err := e.w.Flush(); err != nil {
		return 0, err
	}
	return e.n, nil
}

func (e *encoder) write(p []byte) error {
	n, err := e.w.Write(p)
	e.n += uint64(n)
	return err
}

func (e *encoder) byte(b byte) error {
	e.num[0] = b
	return e.write(e.num[:1])
}

func (e *encoder) uint32(x uint32) error {
	return e.write(binary.LittleEndian.AppendUint32(e.num[:0], x))
}

func (e *encoder) uint64(x uint64) error {
	return e.write(binary.LittleEndian.AppendUint64(e.num[:0], x))
}

func (e *encoder) encodeStruct(v reflect.Value, path string) error {
	t := v.Type()
	fields := exportedFields(t)
	if err := e.uint32(uint32(len(fields))); err != nil {
		return err
	}
	for _, i := range fields {
		f := t.Field(i)
		p := joinPath(path, f.Name)
		k, err := kindOf(f.Type, p)
		if err != nil {
			return err
		}
		if err := e.byte(byte(len(f.Name))); err != nil {
			return err
		}
		if err := e.write([]byte(f.Name)); err != nil {
			return err
		}
		if err := e.byte(k); err != nil {
			return err
		}
		if err := e.encodeValue(v.Field(i), k, p); err != nil {
			return err
		}
	}
	return nil
}

func (e *encoder) encodeValue(v reflect.Value, k byte, path string) error {
	switch {
	case k == kindJSON:
		b, err := json.Marshal(v.Interface())
		if err != nil {
			return fmt.Errorf("graph: encode %s as JSON: %w", path, err)
		}
		if err := e.uint64(uint64(len(b))); err != nil {
			return err
		}
		return e.write(b)
	case k == kindStruct:
		return e.encodeStruct(v, path)
	case k == kindString:
		s := v.String()
		if err := e.uint64(uint64(len(s))); err != nil {
			return err
		}
		_, err := e.w.WriteString(s)
		e.n += uint64(len(s))
		return err
	case k&kindSlice == 0:
		return e.encodeScalar(v, k)
	}
	if v.IsNil() {
		return e.byte(0)
	}
	if err := e.byte(1); err != nil {
		return err
	}
	n := v.Len()
	if err := e.uint64(uint64(n)); err != nil {
		return err
	}
	if k == kindSlice|kindString {
		return e.encodeStrings(unsafe.Slice((*string)(v.UnsafePointer()), n), path)
	}
	k &^= kindSlice
	size := diskSize(k)
	if e.fast && int(v.Type().Elem().Size()) == size {
		return e.write(rawBytes(v, n, size))
	}
	if e.scratch == nil {
		e.scratch = make([]byte, scratchSize)
	}
	per := len(e.scratch) / size
	for a := 0; a < n; a += per {
		b := min(n, a+per)
		buf := e.scratch[:0]
		for i := a; i < b; i++ {
			buf = appendScalar(buf, v.Index(i), k)
		}
		if err := e.write(buf); err != nil {
			return err
		}
	}
	return nil
}

// encodeStrings writes the body of a string slice after its count.
func (e *encoder) encodeStrings(s []string, path string) error {
	var total uint64
	for i, x := range s {
		if len(x) > math.MaxUint32 {
			return fmt.Errorf("graph: %s[%d] is longer than %d bytes", path, i, uint32(math.MaxUint32))
		}
		total += uint64(len(x))
	}
	if err := e.uint64(total); err != nil {
		return err
	}
	if e.scratch == nil {
		e.scratch = make([]byte, scratchSize)
	}
	buf := e.scratch[:0]
	for i, x := range s {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(x)))
		if len(buf) == len(e.scratch) || i == len(s)-1 {
			if err := e.write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	for _, x := range s {
		_, err := e.w.WriteString(x)
		e.n += uint64(len(x))
		if err != nil {
			return err
		}
	}
	return nil
}

func (e *encoder) encodeScalar(v reflect.Value, k byte) error {
	return e.write(appendScalar(e.num[:0], v, k))
}

// appendScalar appends the stored form of numeric or bool value v of kind k.
func appendScalar(b []byte, v reflect.Value, k byte) []byte {
	le := binary.LittleEndian
	switch k {
	case kindBool:
		if v.Bool() {
			return append(b, 1)
		}
		return append(b, 0)
	case kindInt8:
		return append(b, byte(v.Int()))
	case kindUint8:
		return append(b, byte(v.Uint()))
	case kindInt16:
		return le.AppendUint16(b, uint16(v.Int()))
	case kindUint16:
		return le.AppendUint16(b, uint16(v.Uint()))
	case kindInt32:
		return le.AppendUint32(b, uint32(v.Int()))
	case kindUint32:
		return le.AppendUint32(b, uint32(v.Uint()))
	case kindInt64, kindInt:
		return le.AppendUint64(b, uint64(v.Int()))
	case kindUint64, kindUint:
		return le.AppendUint64(b, v.Uint())
	case kindFloat32:
		return le.AppendUint32(b, math.Float32bits(float32(v.Float())))
	case kindFloat64:
		return le.AppendUint64(b, math.Float64bits(v.Float()))
	}
	panic("graph: appendScalar of kind " + kindName(k)) // unreachable: kinds come from kindOf
}

// layoutError is a payload that does not fit the Go structure: a field of
// another name or kind, a length beyond the payload, an invalid value.
type layoutError struct {
	path string
	msg  string
	kind string // "graph" or "index", for the advice
}

func (e *layoutError) Error() string {
	kind := e.kind
	if kind == "" {
		kind = "graph"
	}
	return fmt.Sprintf("%v at %s: %s; rebuild the %s", ErrLayout, e.path, e.msg, kind)
}

func (e *layoutError) Unwrap() error { return ErrLayout }

// allocChunk bounds the first allocation of a slice read from the payload:
// longer slices grow by doubling as their data actually arrives, so that a
// corrupted length never allocates more than twice the data present.
const allocChunk = 64 << 20

// decoder reads the payload of a value.
type decoder struct {
	r         io.Reader
	length    uint64 // payload length
	remaining uint64 // payload bytes not read yet
	crc       uint32
	table     *crc32.Table
	fast      bool // see encoder.fast
	chunk     int  // first allocation of a long slice, in bytes (allocChunk)
	num       [8]byte
	name      [math.MaxUint8]byte
	scratch   []byte

	background sync.WaitGroup // prefault goroutines
}

// prefaultMin is the size from which a slice's pages are mapped ahead of
// its decoding (see prefault).
const prefaultMin = 4 << 20

// prefault maps the pages of b, a slice about to be filled, in the
// background: filling a large fresh slice otherwise waits for the kernel
// at each of its pages, which on a virtual machine costs as much as the
// decompression. The decoder waits for these before it returns.
func (d *decoder) prefault(b []byte) {
	if len(b) < prefaultMin {
		return
	}
	d.background.Add(1)
	go func() {
		defer d.background.Done()
		prefault(b)
	}()
}

func newDecoder(r io.Reader, length uint64, fast bool) *decoder {
	return &decoder{r: r, length: length, remaining: length, table: crc32.MakeTable(crc32.Castagnoli),
		fast: fast, chunk: allocChunk}
}

// read fills p from the payload. Its errors are stream errors (see
// decoder.streamError), never layout errors.
func (d *decoder) read(p []byte) error {
	if uint64(len(p)) > d.remaining {
		// Callers bound lengths by d.remaining first; this is a safety net.
		return &layoutError{msg: "read past the payload length"}
	}
	for done, idle := 0, 0; done < len(p); {
		n, err := d.r.Read(p[done:])
		d.crc = crc32.Update(d.crc, d.table, p[done:done+n])
		done += n
		d.remaining -= uint64(n)
		if err != nil && done < len(p) {
			return d.streamError(err)
		}
		if n == 0 {
			if idle++; idle > 100 {
				return io.ErrNoProgress
			}
		}
	}
	return nil
}

func (d *decoder) byte() (byte, error) {
	err := d.need(1, "")
	if err == nil {
		err = d.read(d.num[:1])
	}
	return d.num[0], err
}

func (d *decoder) uint32() (uint32, error) {
	err := d.need(4, "")
	if err == nil {
		err = d.read(d.num[:4])
	}
	return binary.LittleEndian.Uint32(d.num[:4]), err
}

func (d *decoder) uint64() (uint64, error) {
	err := d.need(8, "")
	if err == nil {
		err = d.read(d.num[:8])
	}
	return binary.LittleEndian.Uint64(d.num[:8]), err
}

// need checks that n more bytes remain in the payload.
func (d *decoder) need(n uint64, path string) error {
	if n > d.remaining {
		return &layoutError{path: path, msg: fmt.Sprintf("needs %d bytes, the payload has %d left", n, d.remaining)}
	}
	return nil
}

// count reads a length of n elements of size bytes each and checks that
// they fit in the remaining payload and in an int.
func (d *decoder) count(size int, path string) (int, error) {
	n, err := d.uint64()
	if err != nil {
		return 0, withPath(err, path)
	}
	if n > d.remaining/uint64(size) || n > math.MaxInt/uint64(size) {
		return 0, &layoutError{path: path, msg: fmt.Sprintf("length %d does not fit in the %d bytes left in the payload", n, d.remaining)}
	}
	return int(n), nil
}

// withPath sets the path of a layout error that has none.
func withPath(err error, path string) error {
	var le *layoutError
	if errors.As(err, &le) && le.path == "" {
		le.path = path
	}
	return err
}

// decodePayload reads the payload of struct v.
func (d *decoder) decodePayload(v reflect.Value) error {
	if err := d.decodeStruct(v, ""); err != nil {
		return err
	}
	if d.remaining != 0 {
		return &layoutError{path: v.Type().Name(), msg: fmt.Sprintf("%d bytes left in the payload after the last field", d.remaining)}
	}
	return nil
}

func (d *decoder) decodeStruct(v reflect.Value, path string) error {
	t := v.Type()
	where := path
	if where == "" {
		where = t.Name()
	}
	nf, err := d.uint32()
	if err != nil {
		return withPath(err, where)
	}
	fields := exportedFields(t)
	for j, i := range fields {
		f := t.Field(i)
		p := joinPath(path, f.Name)
		if uint32(j) >= nf {
			return &layoutError{path: p, msg: fmt.Sprintf("the file's %s has %d fields and lacks this one", where, nf)}
		}
		ln, err := d.byte()
		if err != nil {
			return withPath(err, p)
		}
		if err := d.need(uint64(ln), p); err != nil {
			return err
		}
		name := d.name[:ln]
		if err := d.read(name); err != nil {
			return err
		}
		if string(name) != f.Name {
			return &layoutError{path: p, msg: fmt.Sprintf("the file has field %q instead", name)}
		}
		k, err := d.byte()
		if err != nil {
			return withPath(err, p)
		}
		want, err := kindOf(f.Type, p)
		if err != nil {
			return err
		}
		if k != want {
			return &layoutError{path: p, msg: fmt.Sprintf("the file stores %s, this program expects %s", kindName(k), kindName(want))}
		}
		if err := d.decodeValue(v.Field(i), k, p); err != nil {
			return err
		}
	}
	if uint32(len(fields)) < nf {
		return &layoutError{path: where, msg: fmt.Sprintf("the file has %d fields, this program expects %d", nf, len(fields))}
	}
	return nil
}

func (d *decoder) decodeValue(v reflect.Value, k byte, path string) error {
	switch {
	case k == kindJSON:
		n, err := d.count(1, path)
		if err != nil {
			return err
		}
		b, err := d.bytes(n, path)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, v.Addr().Interface()); err != nil {
			return &layoutError{path: path, msg: fmt.Sprintf("invalid JSON: %v", err)}
		}
		return nil
	case k == kindStruct:
		return d.decodeStruct(v, path)
	case k == kindString:
		n, err := d.count(1, path)
		if err != nil {
			return err
		}
		b, err := d.bytes(n, path)
		if err != nil {
			return err
		}
		v.SetString(unsafe.String(unsafe.SliceData(b), len(b)))
		return nil
	case k&kindSlice == 0:
		size := diskSize(k)
		if err := d.need(uint64(size), path); err != nil {
			return err
		}
		if err := d.read(d.num[:size]); err != nil {
			return err
		}
		return setScalar(v, k, d.num[:size], path)
	}
	present, err := d.byte()
	if err != nil {
		return withPath(err, path)
	}
	switch present {
	case 0:
		v.SetZero()
		return nil
	case 1:
	default:
		return &layoutError{path: path, msg: fmt.Sprintf("invalid slice marker %d", present)}
	}
	if k == kindSlice|kindString {
		return d.decodeStrings(v, path)
	}
	k &^= kindSlice
	size := diskSize(k)
	n, err := d.count(size, path)
	if err != nil {
		return err
	}
	s, err := d.slice(v.Type(), n, k, path)
	if err != nil {
		return err
	}
	v.Set(s)
	return nil
}

// bytes reads n bytes into a new slice.
func (d *decoder) bytes(n int, path string) ([]byte, error) {
	s, err := d.slice(reflect.TypeFor[[]byte](), n, kindUint8, path)
	if err != nil {
		return nil, err
	}
	return s.Bytes(), nil
}

// slice reads n elements of kind k into a new slice of type t. n must have
// been checked against the remaining payload by count.
func (d *decoder) slice(t reflect.Type, n int, k byte, path string) (reflect.Value, error) {
	size := diskSize(k)
	if !d.fast || int(t.Elem().Size()) != size {
		return d.sliceSlow(t, n, k, path)
	}
	c := n
	if n*size > d.chunk {
		c = max(1, d.chunk/size)
	}
	s := reflect.MakeSlice(t, c, c)
	d.prefault(rawBytes(s, c, size))
	for done := 0; ; {
		b := rawBytes(s, c, size)[done*size:]
		if err := d.read(b); err != nil {
			return s, err
		}
		if k == kindBool {
			for i, x := range b {
				if x > 1 {
					return s, &layoutError{path: path, msg: fmt.Sprintf("element %d is %d, not a bool", done+i, x)}
				}
			}
		}
		done = c
		if done == n {
			return s, nil
		}
		c = min(n, 2*c)
		grown := reflect.MakeSlice(t, c, c)
		d.prefault(rawBytes(grown, c, size))
		reflect.Copy(grown, s)
		s = grown
	}
}

// sliceSlow is slice converting element by element.
func (d *decoder) sliceSlow(t reflect.Type, n int, k byte, path string) (reflect.Value, error) {
	size := diskSize(k)
	if d.scratch == nil {
		d.scratch = make([]byte, scratchSize)
	}
	per := len(d.scratch) / size
	s := reflect.MakeSlice(t, 0, min(n, per))
	zero := reflect.Zero(t.Elem())
	for a := 0; a < n; a += per {
		b := min(n, a+per)
		buf := d.scratch[:(b-a)*size]
		if err := d.read(buf); err != nil {
			return s, err
		}
		for i := a; i < b; i++ {
			s = reflect.Append(s, zero)
			if err := setScalar(s.Index(i), k, buf[(i-a)*size:], fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return s, err
			}
		}
	}
	return s, nil
}

// setScalar sets v from the stored form b of a value of kind k.
func setScalar(v reflect.Value, k byte, b []byte, path string) error {
	le := binary.LittleEndian
	switch k {
	case kindBool:
		if b[0] > 1 {
			return &layoutError{path: path, msg: fmt.Sprintf("%d is not a bool", b[0])}
		}
		v.SetBool(b[0] == 1)
	case kindInt8:
		v.SetInt(int64(int8(b[0])))
	case kindUint8:
		v.SetUint(uint64(b[0]))
	case kindInt16:
		v.SetInt(int64(int16(le.Uint16(b))))
	case kindUint16:
		v.SetUint(uint64(le.Uint16(b)))
	case kindInt32:
		v.SetInt(int64(int32(le.Uint32(b))))
	case kindUint32:
		v.SetUint(uint64(le.Uint32(b)))
	case kindInt64, kindInt:
		x := int64(le.Uint64(b))
		if v.OverflowInt(x) {
			return &layoutError{path: path, msg: fmt.Sprintf("%d overflows %s", x, v.Type())}
		}
		v.SetInt(x)
	case kindUint64, kindUint:
		x := le.Uint64(b)
		if v.OverflowUint(x) {
			return &layoutError{path: path, msg: fmt.Sprintf("%d overflows %s", x, v.Type())}
		}
		v.SetUint(x)
	case kindFloat32:
		v.SetFloat(float64(math.Float32frombits(le.Uint32(b))))
	case kindFloat64:
		v.SetFloat(math.Float64frombits(le.Uint64(b)))
	default:
		return &layoutError{path: path, msg: "not a scalar kind: " + kindName(k)}
	}
	return nil
}

// decodeStrings reads the body of a string slice after its marker into v.
func (d *decoder) decodeStrings(v reflect.Value, path string) error {
	n, err := d.count(4, path)
	if err != nil {
		return err
	}
	total, err := d.uint64()
	if err != nil {
		return withPath(err, path)
	}
	if uint64(n)*4 > d.remaining || total > d.remaining-uint64(n)*4 {
		return &layoutError{path: path, msg: fmt.Sprintf("%d string bytes do not fit in the %d bytes left in the payload", total, d.remaining)}
	}
	lens, err := d.slice(reflect.TypeFor[[]uint32](), n, kindUint32, path)
	if err != nil {
		return err
	}
	var sum uint64
	for _, l := range lens.Interface().([]uint32) {
		sum += uint64(l)
		if sum > total {
			break
		}
	}
	if sum != total {
		return &layoutError{path: path, msg: fmt.Sprintf("string lengths add up to %d bytes, the field says %d", sum, total)}
	}
	blob, err := d.bytes(int(total), path)
	if err != nil {
		return err
	}
	s := reflect.MakeSlice(v.Type(), n, n)
	strs := unsafe.Slice((*string)(s.UnsafePointer()), n)
	off := 0
	for i, l := range lens.Interface().([]uint32) {
		if l > 0 {
			strs[i] = unsafe.String(&blob[off], int(l))
			off += int(l)
		}
	}
	v.Set(s)
	return nil
}
