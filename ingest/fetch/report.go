package fetch

import (
	"fmt"
	"io"
	"strings"
)

// Report writes a plain-text account of the result: one line per source,
// the skipped rows, the validity of the feeds, the date range they share
// (or, when there is none, which feeds share no date with which), the
// suggested build date, the build manifest written and the sources left
// out of it.
func (r *Result) Report(w io.Writer) error {
	p := &printer{w: w}
	var gtfsN, osmN int
	for _, s := range r.Sources {
		if s.Kind == KindGTFS {
			gtfsN++
		} else {
			osmN++
		}
	}
	if r.Region != "" {
		p.printf("%s: ", r.Region)
	}
	p.printf("%d sources (%d GTFS, %d OSM) in %s; %d failed\n", len(r.Sources), gtfsN, osmN, r.Dir, len(r.Failed()))
	for _, s := range r.Sources {
		kind := strings.ToUpper(string(s.Kind))
		if s.Type != "" {
			kind += ", " + s.Type
		}
		if s.Status == StatusFailed {
			p.printf("  FAILED     %s (%s, line %d) %s: %s\n", s.Name, kind, s.Line, s.URL, s.Error)
			continue
		}
		p.printf("  %-10s %s (%s) %s: %s, sha256 %s", s.Status, s.Name, kind, s.File, byteSize(s.Size), short(s.SHA256))
		if s.Received > 0 {
			p.printf(", %s received", byteSize(s.Received))
		}
		if s.Attempts > 1 {
			p.printf(", %d attempts", s.Attempts)
		}
		p.printf("\n")
		if s.Repaired {
			p.printf("             repaired: %s\n", s.RepairNote)
		}
		switch {
		case s.Validity != nil:
			p.printf("             valid %s (%d days)\n", s.Validity, s.Validity.Days())
		case s.ValidityError != "":
			p.printf("             no validity range: %s\n", s.ValidityError)
		}
	}
	for _, s := range r.Skipped {
		p.printf("  skipped    %s\n", s.describe(r.SourcesFile))
	}

	ov := r.Overlap
	switch {
	case !ov.Common.Empty():
		p.printf("Dates common to all feeds: %s (%d days)\n", ov.Common, ov.Common.Days())
	case len(ov.Groups) == 0:
		p.printf("No GTFS feed with a validity range: no common dates\n")
	default:
		p.printf("NO DATE IS COMMON TO ALL FEEDS. Groups of feeds sharing dates:\n")
		for _, g := range ov.Groups {
			p.printf("  %s (%d days): %s\n", g.Range, g.Range.Days(), strings.Join(g.Feeds, ", "))
		}
		for _, a := range ov.Apart {
			p.printf("  %s (%s) shares no date with %s\n", a.Feed, a.Range, strings.Join(a.Disjoint, ", "))
		}
		if len(ov.Isolated) > 0 {
			p.printf("  sharing no date with any other feed: %s\n", strings.Join(ov.Isolated, ", "))
		}
	}
	if r.BuildDate.Date.IsZero() {
		p.printf("No build date suggested: %s\n", r.BuildDate.Note)
	} else {
		p.printf("Suggested build date: %s %s (%s)\n", r.BuildDate.Date.Weekday(), r.BuildDate.Date.Format("2006-01-02"), r.BuildDate.Note)
	}
	if r.BuildManifest != "" {
		out := map[string]bool{}
		for _, l := range r.LeftOut {
			out[l.File] = true
		}
		var feeds, school, osm int
		for _, s := range r.Sources {
			switch {
			case out[s.File]:
			case s.Kind == KindOSM:
				osm++
			case s.schoolOnly():
				school++
			default:
				feeds++
			}
		}
		p.printf("Build manifest %s: %d GTFS feeds, %d school feeds, %d OSM extracts", r.BuildManifest, feeds, school, osm)
		if !r.BuildDate.Date.IsZero() {
			p.printf(", date %s", r.BuildDate.Date.Format("2006-01-02"))
		}
		p.printf("\n")
	}
	for _, l := range r.LeftOut {
		p.printf("  left out   %s (line %d, %s): %s\n", l.Name, l.Line, l.File, l.Reason)
	}
	return p.err
}

// describe tells why a row was skipped, naming its place in file as
// file:line (or "line N" when file is empty):
// `bad_url: transports.csv:4: "Fichier invalide" (URL GTFS of Hop Bus)`.
func (s Skipped) describe(file string) string {
	at := fmt.Sprintf("line %d", s.Line)
	if file != "" {
		at = fmt.Sprintf("%s:%d", file, s.Line)
	}
	name := s.Name
	if name == "" {
		name = "unnamed row"
	}
	if s.Reason == SkipBadURL {
		return fmt.Sprintf("%s: %s: %q (%s of %s)", s.Reason, at, s.Value, s.Field, name)
	}
	return fmt.Sprintf("%s: %s (%s)", s.Reason, at, name)
}

// printer writes formatted text and keeps the first error.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}

// byteSize formats a byte count: "512 B", "1.3 MB".
func byteSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, suffix := float64(n), "kMGT"
	i := -1
	for v >= unit && i < len(suffix)-1 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %cB", v, suffix[i])
}
