package graph

import (
	"fmt"
	"unicode/utf8"
)

// Drops counts dropped rows per file and reason, keeping the first few
// examples of each, in the order the reasons first appear. Readers of
// every kind of source share it.
type Drops struct {
	list []*Drop
	Max  int // examples kept per reason (0: 3)
}

// Add records one dropped row; example is "file:line: detail", kept cut
// to MaxExampleBytes.
func (d *Drops) Add(file, reason, example string) {
	if x := d.count(file, reason); x != nil {
		x.Examples = append(x.Examples, Clip(example, MaxExampleBytes))
	}
}

// Addf is Add with the example formatted by fmt.Sprintf, and only when it
// is kept: counting millions of rows does not format millions of lines.
func (d *Drops) Addf(file, reason, format string, args ...any) {
	if x := d.count(file, reason); x != nil {
		x.Examples = append(x.Examples, Clip(fmt.Sprintf(format, args...), MaxExampleBytes))
	}
}

// count counts one row and returns its drop when it wants an example.
func (d *Drops) count(file, reason string) *Drop {
	var x *Drop
	for _, y := range d.list {
		if y.File == file && y.Reason == reason {
			x = y
			break
		}
	}
	if x == nil {
		x = &Drop{File: file, Reason: reason}
		d.list = append(d.list, x)
	}
	x.Count++
	max := d.Max
	if max == 0 {
		max = 3
	}
	if len(x.Examples) < max {
		return x
	}
	return nil
}

// List returns a copy of the counts.
func (d *Drops) List() []Drop {
	out := make([]Drop, len(d.list))
	for i, x := range d.list {
		out[i] = *x
		out[i].Examples = append([]string(nil), x.Examples...)
	}
	return out
}

// Include adds copies of drops counted elsewhere, reasons kept apart, their
// examples cut to MaxExampleBytes.
func (d *Drops) Include(ds []Drop) {
	for i := range ds {
		x := ds[i]
		x.Examples = make([]string, len(ds[i].Examples))
		for j, ex := range ds[i].Examples {
			x.Examples[j] = Clip(ex, MaxExampleBytes)
		}
		d.list = append(d.list, &x)
	}
}

// MaxExampleBytes bounds the length of a drop example: a row may hold
// megabytes of garbage, its report must not.
const MaxExampleBytes = 200

// Clip returns s when it fits in max bytes, else its beginning cut at a
// rune boundary and followed by "…", max bytes at most in all.
func Clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	const ellipsis = "…"
	if max < len(ellipsis) {
		for max > 0 && !utf8.RuneStart(s[max]) {
			max--
		}
		return s[:max]
	}
	cut := max - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}
