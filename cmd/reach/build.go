package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"reach/graph"
	"reach/ingest"
	"reach/ingest/gtfs"
)

func runBuild(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("build", stdout, stderr)
	var feeds, schoolFeeds multiFlag
	fs.Var(&feeds, "gtfs", "GTFS feed `[NAME=]PATH` (.zip or directory); repeat for several feeds")
	fs.Var(&schoolFeeds, "school-gtfs", "school-transport GTFS feed `[NAME=]PATH`: all its routes are school buses; repeatable")
	date := fs.String("date", "", "service date `YYYY-MM-DD` (required unless the manifest gives one)")
	manifest := fs.String("manifest", "", "region manifest `FILE.json` naming all sources (flags given too are added)")
	var osmPaths, schoolsPaths multiFlag
	fs.Var(&osmPaths, "osm", "OpenStreetMap extract `PATH` (.osm.pbf or .osm) for the walking network; repeat to merge several")
	fs.Var(&schoolsPaths, "schools", "school directory `CSV` (annuaire de l'éducation); repeat to concatenate several")
	locations := fs.String("locations", "", "plain locations CSV (id,name,lat,lon,...) instead of --schools")
	var offers multiFlag
	fs.Var(&offers, "offers", "training offer list `CSV` (Affelnet 1re pro / 2nde, or plain); repeatable")
	var nomenclature multiFlag
	fs.Var(&nomenclature, "nomenclature", "national nomenclature table `CSV` (BCN N_MEF or N_FORMATION_DIPLOME) naming the offers by their code; repeatable")
	var addresses multiFlag
	fs.Var(&addresses, "addresses", "national address base `CSV` (adresses-XX.csv) whose house numbers the address search finds; repeatable")
	transfers := fs.String("transfers", "", "default footpaths for queries: street, gtfs, both or none (default both)")
	linkLimit := fs.Float64("link-limit", 0, "farthest street a stop or school is linked to, metres (default 1600)")
	transferLimit := fs.Float64("transfer-limit", 0, "longest walking transfer between stops, metres (default 1000)")
	egressLimit := fs.Float64("egress-limit", 0, "longest walk from a stop to a school or a cell, metres (default 1500)")
	bikeLimit := fs.Float64("bike-limit", 0, "longest ride of a request (to a school, to the first stop), metres (default 5000, at most 30000)")
	h3Res := fs.Int("h3-res", 9, "H3 resolution of the reachability cells: 8, 9 or 10")
	strict := fs.Bool("strict-dates", false, "refuse a feed whose validity does not include --date instead of using the same weekday inside it")
	out := fs.String("out", "", "graph file to write (required); replaced only when the build succeeds")
	report := fs.String("report", "", "also write the build report as JSON to this `FILE`")
	maxShrink := fs.Float64("max-shrink", 100*graph.DefaultMaxShrink, "refuse (exit status 3) to replace the graph in --out when its scheduled trips, linked stops or placed offers would fall by more than this `PERCENT`")
	acceptShrink := fs.Bool("accept-shrink", false, "replace the graph in --out even when its figures fall by more than --max-shrink")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("--out is required")
	}
	if !(*maxShrink >= 0 && *maxShrink <= 100) {
		return fmt.Errorf("--max-shrink %g: want a percentage from 0 to 100", *maxShrink)
	}
	if !(*bikeLimit >= 0 && *bikeLimit <= ingest.MaxBikeLimit) {
		return fmt.Errorf("--bike-limit %g: want metres from 0 (the default, %g) to %g", *bikeLimit, ingest.DefaultBikeLimit, ingest.MaxBikeLimit)
	}
	if *h3Res < 8 || *h3Res > 10 {
		return fmt.Errorf("--h3-res %d: want 8, 9 or 10", *h3Res)
	}
	// Every input and output is checked before anything is read: a
	// mistyped path must not cost the reading of the timetables first.
	var paths []buildPath
	var src ingest.Sources
	if *manifest != "" {
		if err := checkInput(*manifest, false); err != nil {
			return fmt.Errorf("--manifest %s: %w", *manifest, err)
		}
		m, err := ingest.ReadManifest(*manifest)
		if err != nil {
			return err
		}
		if src, err = m.Sources(); err != nil {
			return err
		}
		if *date == "" {
			*date = m.Date
		}
		*strict = *strict || m.StrictDates
		paths = manifestPaths(*manifest, src)
	}
	if *date == "" {
		return fmt.Errorf("--date is required (YYYY-MM-DD)")
	}
	d, err := time.Parse("2006-01-02", *date)
	if err != nil {
		return fmt.Errorf("--date %q: want YYYY-MM-DD", *date)
	}
	if *locations != "" {
		src.Locations = *locations
		paths = append(paths, buildPath{flag: "--locations", path: *locations})
	}
	if *transfers != "" {
		m, err := graph.ParseTransferMode(*transfers)
		if err != nil {
			return fmt.Errorf("--transfers %w", err)
		}
		src.Transfers = m
	}
	for _, list := range []struct {
		flag string
		args []string
		dst  *[]string
	}{{"--osm", osmPaths, &src.OSM}, {"--schools", schoolsPaths, &src.Schools},
		{"--offers", offers, &src.Offers}, {"--nomenclature", nomenclature, &src.Nomenclature},
		{"--addresses", addresses, &src.Addresses}} {
		*list.dst = append(*list.dst, list.args...)
		for _, a := range list.args {
			paths = append(paths, buildPath{flag: list.flag, path: a})
		}
	}
	for _, list := range []struct {
		flag   string
		args   []string
		school bool
	}{{"--gtfs", feeds, false}, {"--school-gtfs", schoolFeeds, true}} {
		for _, a := range list.args {
			f, err := gtfs.ParseFeedArg(a, list.school)
			if err != nil {
				return fmt.Errorf("%s: %w", list.flag, err)
			}
			src.GTFS = append(src.GTFS, f)
			paths = append(paths, buildPath{flag: list.flag, path: f.Path, dir: true})
		}
	}
	if len(src.GTFS) == 0 {
		return fmt.Errorf("at least one --gtfs or --school-gtfs feed is required")
	}
	paths = append(paths, buildPath{flag: "--out", path: *out, out: true})
	if *report != "" {
		paths = append(paths, buildPath{flag: "--report", path: *report, out: true})
	}
	if err := checkPaths(paths); err != nil {
		return err
	}
	p := newProgress(os.Stderr)
	start := time.Now()
	g, err := ingest.Build(src, ingest.Options{Date: d, StrictDates: *strict, Progress: p.update, Logf: p.logf,
		LinkLimit: *linkLimit, TransferLimit: *transferLimit, EgressLimit: *egressLimit, BikeLimit: *bikeLimit, H3Resolution: *h3Res})
	p.done()
	if err != nil {
		return err
	}
	for _, w := range g.Meta.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if err := releaseGate(*out, &g.Meta, *maxShrink, *acceptShrink, stderr); err != nil {
		return err
	}
	if err := graph.Write(*out, g); err != nil {
		return err
	}
	if *report != "" {
		b, err := json.MarshalIndent(g.Summarize(), "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*report, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("writing report: %w", err)
		}
	}
	st, err := os.Stat(*out)
	if err != nil {
		return err
	}
	s := g.Summarize()
	fmt.Fprintf(stdout, "wrote %s (%.1f MB, build %s) in %s: %d stops, %d routes, %d trips, %d stop times\n",
		*out, float64(st.Size())/1e6, g.Meta.BuildID, time.Since(start).Round(time.Millisecond),
		s.Timetable.Stops, s.Timetable.Routes, s.Timetable.Trips, s.Timetable.StopTimes)
	for _, w := range s.Warnings {
		fmt.Fprintf(stdout, "warning: %s\n", w)
	}
	return nil
}

// releaseGate compares the graph a build is about to write with the one in
// out, if any, and refuses (exit status 3) to replace it when a figure of
// the old graph fell by more than maxShrink percent, unless accept. An old
// file that cannot be read as a graph is said and replaced.
func releaseGate(out string, meta *graph.Meta, maxShrink float64, accept bool, stderr io.Writer) error {
	if _, err := os.Stat(out); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	old, err := graph.ReadMeta(out)
	if err != nil {
		fmt.Fprintf(stderr, "warning: --out %s holds no readable graph, not compared with the new one: %v\n", out, err)
		return nil
	}
	shrinks := graph.CompareShrink(old, meta, maxShrink/100)
	if len(shrinks) == 0 {
		return nil
	}
	fell := make([]string, len(shrinks))
	for i, s := range shrinks {
		fell[i] = s.String()
	}
	what := fmt.Sprintf("%s fell by more than --max-shrink %g %% from the graph in %s (build %s)",
		strings.Join(fell, ", "), maxShrink, out, old.BuildID)
	if accept {
		fmt.Fprintf(stderr, "warning: %s; replacing it (--accept-shrink)\n", what)
		return nil
	}
	return &exitError{code: 3, err: fmt.Errorf("refusing to replace the graph: %s; the file is unchanged (--accept-shrink replaces it)", what)}
}

// buildPath is a file a build reads or writes, with the flag (or manifest
// entry) that named it, for error messages.
type buildPath struct {
	flag string
	path string
	dir  bool // an input that may be a directory (a GTFS feed)
	out  bool // an output: its folder must exist and be writable
}

// manifestPaths lists the inputs a manifest names, each labelled with the
// manifest and its key.
func manifestPaths(manifest string, src ingest.Sources) []buildPath {
	label := func(key string) string { return fmt.Sprintf("--manifest %s: %s", manifest, key) }
	var out []buildPath
	for _, f := range src.GTFS {
		key := "gtfs"
		if f.School {
			key = "school_gtfs"
		}
		out = append(out, buildPath{flag: label(key), path: f.Path, dir: true})
	}
	for _, list := range []struct {
		key   string
		paths []string
	}{{"osm", src.OSM}, {"schools", src.Schools}, {"offers", src.Offers}, {"nomenclature", src.Nomenclature}} {
		for _, p := range list.paths {
			out = append(out, buildPath{flag: label(list.key), path: p})
		}
	}
	if src.Locations != "" {
		out = append(out, buildPath{flag: label("locations"), path: src.Locations})
	}
	return out
}

// checkPaths checks that every input exists and can be read, and that
// every output can be written, without reading or writing anything. The
// error names every path at fault, with its flag.
func checkPaths(paths []buildPath) error {
	var msgs []string
	for _, p := range paths {
		check := checkInput
		if p.out {
			check = func(path string, _ bool) error { return checkOutput(path) }
		}
		if err := check(p.path, p.dir); err != nil {
			msgs = append(msgs, fmt.Sprintf("%s %s: %v", p.flag, p.path, err))
		}
	}
	if len(msgs) > 0 {
		return errors.New(strings.Join(msgs, "; "))
	}
	return nil
}

// checkInput checks that the file at path exists and can be opened for
// reading; dir allows a directory.
func checkInput(path string, dir bool) error {
	st, err := os.Stat(path)
	if err != nil {
		return pathError(err)
	}
	if st.IsDir() && !dir {
		return errors.New("is a folder, want a file")
	}
	f, err := os.Open(path)
	if err != nil {
		return pathError(err)
	}
	return f.Close()
}

// checkOutput checks that a file can be written at path: its folder exists
// and takes new files (one is created and removed), and path is not a
// folder.
func checkOutput(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return errors.New("is a folder, want a file")
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("folder %s does not exist", dir)
	case errors.Is(err, syscall.ENOTDIR):
		return fmt.Errorf("%s is not a folder", dir)
	case err != nil:
		return fmt.Errorf("folder %s: %v", dir, pathError(err))
	case !st.IsDir():
		return fmt.Errorf("%s is not a folder", dir)
	}
	f, err := os.CreateTemp(dir, ".reach-write-check-*")
	if err != nil {
		return fmt.Errorf("folder %s is not writable: %v", dir, pathError(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// pathError words an error of os.Stat or os.Open without repeating the
// path, which the caller names.
func pathError(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errors.New("does not exist")
	case errors.Is(err, fs.ErrPermission):
		return errors.New("permission denied")
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
