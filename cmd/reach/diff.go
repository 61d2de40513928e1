package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"reach/batch"
	"reach/engine"
)

// exitGate is the exit status of reach diff when the gate trips: more
// origins lose access than --fail-if-loss allows. Errors exit 1.
const exitGate = 3

// diffParams are the routing parameters of reach diff: those of batch runs
// but the date, since each graph is queried at its own service date, and
// all_locations, since a diff counts the schools with offers.
func diffParams() []engine.Param {
	return slices.DeleteFunc(engine.RoutingParams(), func(p engine.Param) bool { return p.Name == "date" || p.Name == "all_locations" })
}

// runDiff compares what the same origins reach in two graphs.
func runDiff(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("diff", stdout, stderr)
	oldPath := fs.String("old", "", "the graph being served, `FILE` (required)")
	newPath := fs.String("new", "", "the rebuilt graph, `FILE` (required)")
	out := fs.String("out", "", "per-origin table `FILE`, .csv (with FILE.meta.json beside it) or .parquet (required)")
	var maps multiFlag
	fs.Var(&maps, "map", "draw the map of gains and losses to this `FILE`, .png or .svg (repeatable)")
	mapMinutes := fs.Int("map-minutes", 0, "the map shows the change in offers reachable within this many minutes, a cut-off (default: the last)")
	of := addOriginFlags(fs, "college")
	failIfLoss := fs.Float64("fail-if-loss", -1, "exit with status 3 when more than `PCT` % of the origins lose at least one reachable offer (0..100; default: no gate)")
	top := fs.Int("top", 10, "name this many biggest losers in the summary")
	title := fs.String("title", "", "map title (default: says what changed)")
	workers := fs.Int("workers", 0, "concurrent requests (default: all cores)")
	pf := addParamFlags(fs, diffParams())
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}

	// Check every flag before loading anything.
	if *oldPath == "" || *newPath == "" || *out == "" {
		return errors.New("--old, --new and --out are required")
	}
	if err := of.check("college"); err != nil {
		return err
	}
	gate := false
	fs.Visit(func(f *flag.Flag) { gate = gate || f.Name == "fail-if-loss" })
	if gate && !(*failIfLoss >= 0 && *failIfLoss <= 100) {
		return fmt.Errorf("--fail-if-loss %v: want a percentage in 0..100", *failIfLoss)
	}
	if *top < 0 {
		return fmt.Errorf("--top %d: want 0 or more", *top)
	}
	if err := batch.CheckExtension(*out); err != nil {
		return fmt.Errorf("--out %w", err)
	}
	for _, m := range maps {
		if _, err := batch.MapFormat(m); err != nil {
			return fmt.Errorf("--map %w", err)
		}
	}
	rt, err := engine.ParseRouting(pf.values(), engine.Limits{})
	if err != nil {
		return flagError(err)
	}
	p, cut := rt.Params, rt.Cutoffs
	if *mapMinutes != 0 && !slices.Contains(cut, *mapMinutes) {
		return fmt.Errorf("--map-minutes %d must be one of the cut-offs %v", *mapMinutes, cut)
	}

	oldE, err := engine.Load(*oldPath)
	if err != nil {
		return fmt.Errorf("--old: %w", err)
	}
	newE, err := engine.Load(*newPath)
	if err != nil {
		return fmt.Errorf("--new: %w", err)
	}
	g := newE.Graph()
	origins, what, err := of.load(g)
	if err != nil {
		return err
	}
	if *of.path == "" {
		what += " of the new graph"
	}

	nw := *workers
	if nw <= 0 {
		nw = runtime.GOMAXPROCS(0)
	}
	update, finish := batchProgress(stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	d, err := batch.Compare(ctx, oldE, newE, origins, batch.Options{Params: p, Cutoffs: cut, Workers: nw, Progress: update})
	finish()
	if err != nil {
		return err
	}
	if err := batch.WriteDiffTable(*out, d); err != nil {
		return err
	}
	written := []string{*out}
	if strings.EqualFold(".csv", filepath.Ext(*out)) {
		written = append(written, batch.MetaPath(*out))
	}
	om, nm := &oldE.Graph().Meta, &g.Meta
	for _, m := range maps {
		opt := batch.MapOptions{Minutes: *mapMinutes, Title: *title, Streets: &g.Streets, Places: &g.Places,
			Subtitle: fmt.Sprintf("Graph of %s (build %s) → graph of %s (build %s). ", om.Date, om.BuildID, nm.Date, nm.BuildID) +
				mapSubtitle("each graph's date", p, originsPhrase(len(origins), *of.cells, *of.fromSchools)),
			Credits: mapCredits(newE, *of.cells >= 0)}
		if opt.Title == "" {
			mins := *mapMinutes
			if mins == 0 {
				mins = cut[len(cut)-1]
			}
			opt.Title = fmt.Sprintf("Gains and losses of training offers reachable within %d minutes", mins)
		}
		if err := batch.WriteDiffMap(m, d, opt); err != nil {
			return err
		}
		written = append(written, m)
	}

	s := d.Summary(*top)
	last := cut[len(cut)-1]
	fmt.Fprintf(stdout, "reach diff: %d %s, in %s\n", len(origins), what, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(stdout, "  old %s: build %s, service date %s\n  new %s: build %s, service date %s\n",
		*oldPath, om.BuildID, om.Date, *newPath, nm.BuildID, nm.Date)
	fmt.Fprintf(stdout, "origins that lose at least one offer reachable within %d min: %d of %d (%.1f %%); gain one: %d; unchanged: %d\n",
		last, s.Losing, s.Origins, s.LosingPercent, s.Gaining, s.Unchanged)
	fmt.Fprintf(stdout, "change of the offers reachable per origin (new − old): median %+g, mean %+.1f\n", s.MedianChange, s.MeanChange)
	if len(s.Losers) > 0 {
		fmt.Fprintf(stdout, "biggest losers (offers reachable within %d min, old → new, offers lost):\n", last)
		for _, l := range s.Losers {
			name := l.Name
			if l.Commune != "" {
				name += " (" + l.Commune + ")"
			}
			fmt.Fprintf(stdout, "  %-16s %s %4d → %4d  −%d\n", l.ID, padRight(name, 50), l.OffersOld, l.OffersNew, l.Lost)
		}
	}
	fmt.Fprintf(stdout, "wrote %s\n", strings.Join(written, ", "))
	if gate && s.LosingPercent > *failIfLoss {
		return &exitError{code: exitGate, err: fmt.Errorf("gate: %.1f %% of the origins (%d of %d) lose at least one reachable offer, more than --fail-if-loss %g %%",
			s.LosingPercent, s.Losing, s.Origins, *failIfLoss)}
	}
	if gate {
		fmt.Fprintf(stdout, "gate passed: %.1f %% of the origins lose an offer, at most %g %%\n", s.LosingPercent, *failIfLoss)
	}
	return nil
}

// padRight pads s with spaces to n characters (runes, not bytes).
func padRight(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}
