package gtfs

import (
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestParseCoord(t *testing.T) {
	for _, c := range []struct {
		in    string
		limit float64
		want  float64
		err   bool
	}{
		{"48.1", 90, 48.1, false},
		{"+41.936701", 90, 41.936701, false},
		{"+08.793732", 180, 8.793732, false},
		{" -1.68 ", 180, -1.68, false},
		{"48,11", 90, 48.11, false},
		{"91", 90, 0, true},
		{"-181", 180, 0, true},
		{"NaN", 90, 0, true},
		{"Inf", 90, 0, true},
		{"", 90, 0, true},
		{"4 8", 90, 0, true},
	} {
		got, err := ParseCoord(c.in, c.limit)
		if (err != nil) != c.err || (!c.err && got != c.want) {
			t.Errorf("ParseCoord(%q) = %v %v", c.in, got, err)
		}
	}
}

func TestParseDate(t *testing.T) {
	if d, err := ParseDate("20120709"); err != nil || d.Format("2006-01-02") != "2012-07-09" {
		t.Errorf("%v %v", d, err)
	}
	if d, err := ParseDate("2012-07-09"); err != nil || d.Day() != 9 {
		t.Errorf("%v %v", d, err)
	}
	for _, bad := range []string{"", "2012079", "20121309", "2012-13-01", "abc"} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
}

func readAll(t testing.TB, text string) [][]string {
	r := newRecordReader(strings.NewReader(text), DefaultMaxLineBytes)
	var out [][]string
	for {
		rec, err := r.read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, append([]string(nil), rec...))
	}
}

func TestRecordReader(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     [][]string
	}{
		{"plain", "a,b,c\n1,2,3\n", [][]string{{"a", "b", "c"}, {"1", "2", "3"}}},
		{"crlf no final newline", "a,b\r\n1,2", [][]string{{"a", "b"}, {"1", "2"}}},
		{"blank lines", "a\n\n\nb\n", [][]string{{"a"}, {"b"}}},
		{"empty fields", ",,\n", [][]string{{"", "", ""}}},
		{"quoted comma", `"a,b",c` + "\n", [][]string{{"a,b", "c"}}},
		{"escaped quotes", `"say ""hi""",x` + "\n", [][]string{{`say "hi"`, "x"}}},
		{"quote inside unquoted", `ab"c,d` + "\n", [][]string{{`ab"c`, "d"}}},
		// TER 2017 routes.txt: a quote that closes early continues as text.
		{"malformed TER", `OCE1,"",""Cars ""L 11""  (Nantes)"",,3` + "\n" + "OCE2,x,y,,3\n",
			[][]string{{"OCE1", "", `Cars ""L 11""  (Nantes)""`, "", "3"}, {"OCE2", "x", "y", "", "3"}}},
		{"multi-line field", "a,\"line1\nline2\",b\nc,d\n", [][]string{{"a", "line1\nline2", "b"}, {"c", "d"}}},
		{"stray quote never closes", "a,\"oops,b\n" + strings.Repeat("x,y\n", 10),
			append([][]string{{"a", "oops,b"}}, repeatRec([]string{"x", "y"}, 10)...)},
		{"stray quote at EOF", "a,\"oops\nb,c\n", [][]string{{"a", "oops"}, {"b", "c"}}},
	} {
		got := readAll(t, c.in)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %q want %q", c.name, got, c.want)
		}
	}
}

func repeatRec(rec []string, n int) [][]string {
	out := make([][]string, n)
	for i := range out {
		out[i] = rec
	}
	return out
}

func TestTableHeaderAndLines(t *testing.T) {
	tb, err := NewTable("stops.txt", strings.NewReader("\ufeff\"Stop_ID\" , stop_name\r\n\r\nS1,One\r\nS2\r\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	id, name := tb.Col("stop_id"), tb.Col("stop_name")
	if id != 0 || name != 1 || tb.Col("stop_lat") != -1 {
		t.Fatalf("columns %d %d", id, name)
	}
	var got []string
	for {
		ok, err := tb.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		got = append(got, tb.Where()+"="+tb.Get(id)+"/"+tb.Get(name))
	}
	want := []string{"stops.txt:3=S1/One", "stops.txt:4=S2/"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v want %v", got, want)
	}
	if _, err := NewTable("x.txt", strings.NewReader(""), 0); err == nil || !strings.Contains(err.Error(), "x.txt") {
		t.Errorf("empty file: %v", err)
	}
}
