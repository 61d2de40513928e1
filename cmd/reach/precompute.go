package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"reach/batch"
	"reach/engine"
	"reach/graph"
)

// runPrecompute computes (a shard of) the precomputed index.
func runPrecompute(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("precompute", stdout, stderr)
	graphPath := fs.String("graph", "", "graph `FILE` (required)")
	out := fs.String("out", "", "index `FILE` to write (required)")
	csvOut := fs.String("csv", "", "also export the index as CSV cell,uai,band,modality to this `FILE`")
	pf := addParamFlags(fs, engine.RoutingParams())
	res := fs.Int("res", 11, "H3 resolution of the index cells (7 to 12): a lookup uses the address's cell, finer is closer to the exact answer")
	shard := fs.String("shard", "0/1", "`i/n`: compute shard i of n (cells k with k mod n = i); `n` alone takes i from JOB_COMPLETION_INDEX")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *graphPath == "" || *out == "" {
		return fmt.Errorf("--graph and --out are required")
	}
	i, n, err := parseShard(*shard, os.Getenv("JOB_COMPLETION_INDEX"))
	if err != nil {
		return err
	}
	rt, err := engine.ParseRouting(pf.values(), engine.Limits{})
	if err != nil {
		return flagError(err)
	}
	eng, err := engine.Load(*graphPath)
	if err != nil {
		return err
	}
	pr := newProgress(os.Stderr)
	start := time.Now()
	ix, err := batch.Precompute(context.Background(), eng, batch.PrecomputeOptions{Routing: rt, Resolution: *res, Shard: i, Shards: n,
		Progress: func(done, total int) { pr.update("cells", int64(done), int64(total)) }})
	pr.done()
	if err != nil {
		return flagError(err)
	}
	if err := graph.WriteIndex(*out, ix); err != nil {
		return err
	}
	if err := writeIndexCSV(*csvOut, ix); err != nil {
		return err
	}
	which := "schools with training offers"
	if ix.AllLocations {
		which = "all schools"
	}
	fmt.Fprintf(stdout, "wrote %s: shard %d/%d, %d cells, %d (cell, school) entries (%s) in %s\n",
		*out, i, n, len(ix.Cell), len(ix.School), which, time.Since(start).Round(time.Millisecond))
	return nil
}

// parseShard reads "i/n", or "n" with i from the Kubernetes Indexed Job's
// JOB_COMPLETION_INDEX.
func parseShard(spec, jobIndex string) (i, n int, err error) {
	is, ns, found := strings.Cut(spec, "/")
	if !found {
		ns, is = spec, jobIndex
		if is == "" {
			return 0, 0, fmt.Errorf("--shard %q: give i/n, or n with JOB_COMPLETION_INDEX set", spec)
		}
	}
	i, err1 := strconv.Atoi(is)
	n, err2 := strconv.Atoi(ns)
	if err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("--shard %q (index %q): want 0 <= i < n", spec, is)
	}
	return i, n, nil
}

func writeIndexCSV(path string, ix *graph.Index) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := ix.WriteCSV(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// runMerge joins index shards.
func runMerge(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("merge", stdout, stderr)
	out := fs.String("out", "", "merged index `FILE` (required)")
	csvOut := fs.String("csv", "", "also export the merged index as CSV to this `FILE`")
	if err := parseFlags(fs, args, 1<<30); err != nil {
		return err
	}
	if *out == "" || fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	var parts []*graph.Index
	for _, p := range fs.Args() {
		ix, err := graph.ReadIndex(p)
		if err != nil {
			return err
		}
		parts = append(parts, ix)
	}
	ix, err := graph.MergeIndexes(parts)
	if err != nil {
		return err
	}
	if err := graph.WriteIndex(*out, ix); err != nil {
		return err
	}
	if err := writeIndexCSV(*csvOut, ix); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d shards, %d cells, %d entries\n", *out, len(parts), len(ix.Cell), len(ix.School))
	return nil
}

// runLookup answers from an index: the schools reachable from the cell of
// an address.
func runLookup(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("lookup", stdout, stderr)
	path := fs.String("index", "", "index `FILE` (required)")
	lat := fs.Float64("lat", 999, "latitude (required)")
	lon := fs.Float64("lon", 999, "longitude (required)")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *path == "" || *lat < -90 || *lat > 90 || *lon < -180 || *lon > 180 {
		return fmt.Errorf("--index, --lat (-90..90) and --lon (-180..180) are required")
	}
	ix, err := graph.ReadIndex(*path)
	if err != nil {
		return err
	}
	r := ix.Lookup(*lat, *lon)
	doc := struct {
		Cell    string `json:"cell"`
		Covered bool   `json:"covered"`
		// When the address's cell is not covered: the covered cell whose
		// centre is nearest within graph.LookupRadius metres, answering.
		NearestCell string             `json:"nearest_cell,omitempty"`
		DistanceM   *float64           `json:"distance_m,omitempty"`
		ArriveBy    string             `json:"arrive_by"`
		Schools     []graph.IndexEntry `json:"schools"`
	}{Cell: strconv.FormatUint(r.Cell, 16), Covered: r.Covered, ArriveBy: graph.FormatClock(ix.ArriveBy), Schools: r.Entries}
	if r.Nearest != 0 {
		d := math.Round(r.Distance*10) / 10
		doc.NearestCell, doc.DistanceM = strconv.FormatUint(r.Nearest, 16), &d
	}
	if doc.Schools == nil {
		doc.Schools = []graph.IndexEntry{}
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
