package graph

// Drops counts dropped rows per file and reason, keeping the first few
// examples of each, in the order the reasons first appear. Readers of
// every kind of source share it.
type Drops struct {
	list []*Drop
	Max  int // examples kept per reason (0: 3)
}

// Add records one dropped row; example is "file:line: detail".
func (d *Drops) Add(file, reason, example string) {
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
		x.Examples = append(x.Examples, example)
	}
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

// Include adds copies of drops counted elsewhere, reasons kept apart.
func (d *Drops) Include(ds []Drop) {
	for i := range ds {
		x := ds[i]
		x.Examples = append([]string(nil), x.Examples...)
		d.list = append(d.list, &x)
	}
}
