package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"reach/graph"
)

func runInspect(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("inspect", stderr)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: reach inspect [--json] FILE")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, 1); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	g, err := graph.Read(fs.Arg(0))
	if err != nil {
		return err
	}
	s := g.Summarize()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	printSummary(stdout, fs.Arg(0), s)
	return nil
}

func printSummary(w io.Writer, path string, s graph.Summary) {
	fmt.Fprintf(w, "graph %s\n  format v%d, build %s, built %s, service date %s\n", path, s.FormatVersion, s.BuildID, s.BuiltAt, s.Date)
	t := s.Timetable
	fmt.Fprintf(w, "  timetable: %d stops, %d lines (%d school), %d RAPTOR routes, %d trips, %d stop times, %d GTFS transfers\n",
		t.Stops, t.Lines, t.School, t.Routes, t.Trips, t.StopTimes, t.Transfers)
	for _, f := range s.Feeds {
		school := ""
		if f.School {
			school = " (school feed)"
		}
		fmt.Fprintf(w, "\nfeed %s%s: %s\n", f.Name, school, f.Path)
		fmt.Fprintf(w, "  valid %s to %s; service date used %s", f.ValidFrom, f.ValidTo, f.ServiceDate)
		if f.Substituted {
			fmt.Fprintf(w, " (SUBSTITUTED)")
		}
		fmt.Fprintln(w)
		if f.Note != "" {
			fmt.Fprintf(w, "  note: %s\n", f.Note)
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "  \tstops\troutes\ttrips\tstop_times\t")
		for _, row := range []struct {
			name string
			c    graph.Counts
		}{{"read", f.Read}, {"kept", f.Kept}, {"scheduled", f.Scheduled}} {
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t\n", row.name, row.c.Stops, row.c.Routes, row.c.Trips, row.c.StopTimes)
		}
		tw.Flush()
		if len(f.Drops) == 0 {
			fmt.Fprintln(w, "  dropped: nothing")
		}
		for _, d := range f.Drops {
			fmt.Fprintf(w, "  dropped %d × %s (%s)\n", d.Count, d.Reason, d.File)
			for _, ex := range d.Examples {
				fmt.Fprintf(w, "      e.g. %s\n", strings.TrimSpace(ex))
			}
		}
	}
}
