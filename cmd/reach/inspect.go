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
	fs := newFlags("inspect", stdout, stderr)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
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
	for _, warn := range s.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn)
	}
	t := s.Timetable
	fmt.Fprintf(w, "  timetable: %d stops, %d lines (%d school), %d RAPTOR routes, %d trips, %d stop times, %d GTFS transfers\n",
		t.Stops, t.Lines, t.School, t.Routes, t.Trips, t.StopTimes, t.Transfers)
	if st := s.Streets; st != nil {
		fmt.Fprintf(w, "  streets (%s): %d nodes read, %d ways read, %d kept; network %d nodes, %d segments, %d edges; %d islands dropped (%d nodes)\n",
			st.Path, st.NodesRead, st.WaysRead, st.WaysKept, st.Nodes, st.Segments, st.Edges, st.IslandsDropped, st.NodesDropped)
	} else {
		fmt.Fprintln(w, "  streets: none (walks are straight lines × 1.3)")
	}
	if l := s.Linking; l != nil {
		fmt.Fprintf(w, "  stops: %d linked to streets, %d by straight-line fallback (connector mean %.0f m, max %.0f m)\n",
			l.Stops.Linked, l.Stops.Fallback, l.Stops.MeanDist, l.Stops.MaxDist)
		fmt.Fprintf(w, "  transfers: %d along streets, %d straight-line, %d within stations without a street path, %d from transfers.txt; queries use %q by default\n",
			l.StreetTransfers, l.StraightTransfers, l.StationTransfers, l.GTFSTransfers, s.Transfers)
		if l.Schools.Points > 0 {
			fmt.Fprintf(w, "  schools: %d linked to streets, %d by straight-line fallback (connector mean %.0f m, max %.0f m); %d school-stop egress pairs\n",
				l.Schools.Linked, l.Schools.Fallback, l.Schools.MeanDist, l.Schools.MaxDist, l.SchoolEgress)
		}
		fmt.Fprintf(w, "  cycling: rides up to %.0f m; %d stops and %d schools linked to the cycling network (connector mean %.0f m and %.0f m)\n",
			s.BikeLimit, l.BikeStops.Linked, l.BikeSchools.Linked, l.BikeStops.MeanDist, l.BikeSchools.MeanDist)
	}
	if c := s.Cells; c.Cells > 0 {
		fmt.Fprintf(w, "  cells: %d H3 cells at resolution %d, %d (stop, cell) egress pairs\n", c.Cells, c.Resolution, c.Egress)
	}
	if p := s.Places; p != nil {
		fmt.Fprintf(w, "  places (%s, %s): %d rows, %d schools with coordinates (%d from Lambert-93), %d lycées (%d vocational), %d collèges, %d offers placed\n",
			p.Directory, p.Format, p.Rows, p.Schools, p.FromLambert, p.Lycees, p.Vocational, p.Colleges, p.OffersPlaced)
		printDrops(w, "    ", p.DirectoryDrops)
		for _, o := range p.Offers {
			fmt.Fprintf(w, "  offers %s (%s): %d rows, %d placed at %d schools, %d outside the directory\n",
				o.Path, o.Source, o.Rows, o.Joined, o.JoinedSchools, o.Outside)
			printDrops(w, "    ", o.Drops)
			if o.Named > 0 || o.Unnamed > 0 {
				fmt.Fprintf(w, "    named from the nomenclature: %d; unnamed_offer (shown as a code): %d\n", o.Named, o.Unnamed)
				for _, e := range o.UnnamedExamples {
					fmt.Fprintf(w, "      %s\n", e)
				}
			}
		}
	}
	if a := s.Addresses; a != nil {
		fmt.Fprintf(w, "  addresses: %d entries, %d words: %d OpenStreetMap house numbers (%d duplicates, %d without street), %d streets (%d known from house numbers only), %d schools, %d stops; communes of streets and stops from addresses %d, from schools %d, unknown %d\n",
			a.Entries, a.Tokens, a.OSMHouseNumbers, a.OSMDuplicates, a.OSMNoStreet, a.Streets, a.StreetsFromAddresses, a.Schools, a.Stops,
			a.CommuneFromAddresses, a.CommuneFromSchools, a.CommuneUnknown)
		for _, f := range a.Files {
			fmt.Fprintf(w, "  address file %s: %d rows, %d house numbers kept\n", f.Path, f.Rows, f.Kept)
			printDrops(w, "    ", f.Drops)
		}
	}
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
		printDrops(w, "  ", f.Drops)
	}
}

func printDrops(w io.Writer, indent string, drops []graph.Drop) {
	for _, d := range drops {
		fmt.Fprintf(w, "%sdropped %d × %s (%s)\n", indent, d.Count, d.Reason, d.File)
		for _, ex := range d.Examples {
			fmt.Fprintf(w, "%s    e.g. %s\n", indent, strings.TrimSpace(ex))
		}
	}
}
