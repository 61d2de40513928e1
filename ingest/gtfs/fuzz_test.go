package gtfs

import (
	"io"
	"strings"
	"testing"
)

// FuzzRecordReader checks that any input is split without a panic or a
// hang, that unquoted input splits exactly like strings.Split (lines
// longer than the limit left out), and that every record's text comes from
// the input.
func FuzzRecordReader(f *testing.F) {
	for _, s := range []string{
		"a,b,c\n1,2,3\n", "\ufeffa,b\r\n1,2", `"a,b",c`, `"say ""hi""",x`,
		`OCE1,"",""Cars ""L 11""  (Nantes)"",,3` + "\n", "a,\"x\ny\",b\n", "a,\"oops\n" + strings.Repeat("x\n", 12),
		"\"", "\"\"", ",,,\n\n\r\n", "\r", "a\rb\n",
	} {
		f.Add(s)
	}
	const max = 64
	f.Fuzz(func(t *testing.T, in string) {
		r := newRecordReader(strings.NewReader(in), max)
		total := 0
		var got [][]string
		for i := 0; ; i++ {
			rec, err := r.read()
			if err == io.EOF {
				break
			}
			if err == errLongLine {
				if r.longSize <= max || len(r.longHead) > 200 || !strings.Contains(in, string(r.longHead)) {
					t.Fatalf("long line %d: %d bytes, head %q", r.line, r.longSize, r.longHead)
				}
				continue
			}
			if err != nil {
				t.Fatalf("error on in-memory input: %v", err)
			}
			for _, f := range rec {
				total += len(f)
			}
			got = append(got, append([]string(nil), rec...))
			if i > len(in)+1 {
				t.Fatalf("more records than input bytes")
			}
		}
		if total > len(in) {
			t.Fatalf("records hold %d bytes, input has %d", total, len(in))
		}
		if !strings.ContainsAny(in, "\"\r") {
			var want [][]string
			for _, line := range strings.Split(strings.TrimSuffix(in, "\n"), "\n") {
				if line != "" && len(line) <= max {
					want = append(want, strings.Split(line, ","))
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%d records, want %d", len(got), len(want))
			}
			for i := range got {
				if strings.Join(got[i], ",") != strings.Join(want[i], ",") || len(got[i]) != len(want[i]) {
					t.Fatalf("record %d: %q want %q", i, got[i], want[i])
				}
			}
		}
	})
}

// FuzzParseCoord checks that accepted coordinates are finite and in range.
func FuzzParseCoord(f *testing.F) {
	for _, s := range []string{"48.1", "+41.93", "+08.79", "-1.68", "48,11", "NaN", "1e400", "", "0x1p-2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, limit := range []float64{90, 180} {
			v, err := ParseCoord(in, limit)
			if err == nil && (v != v || v < -limit || v > limit) {
				t.Fatalf("%q accepted as %v (limit %v)", in, v, limit)
			}
		}
	})
}
