package main

import (
	"context"
	"errors"
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

	"reach/batch"
	"reach/engine"
	"reach/graph"
)

// runBatch computes reachability for many origins: a CSV of points, the
// H3 cells of an area, or the graph's schools.
func runBatch(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("batch", stdout, stderr)
	graphPath := fs.String("graph", "", "graph `FILE` (required)")
	of := addOriginFlags(fs, "")
	out := fs.String("out", "", "per-origin table `FILE`, .csv or .parquet (required); a checkpoint FILE.checkpoint beside it makes the run resumable")
	matrix := fs.String("matrix", "", "also write the origin × school matrix (reachable pairs) to this `FILE`, .csv or .parquet")
	geojson := fs.String("geojson", "", "also write the origins with their figures as GeoJSON to this `FILE`")
	var maps multiFlag
	fs.Var(&maps, "map", "draw the accessibility map to this `FILE`, .png or .svg (repeatable): cells as hexagons, other origins as discs")
	mapMinutes := fs.Int("map-minutes", 45, "the map shows the offers reachable within this many minutes (a cut-off)")
	title := fs.String("title", "", "map title (default: says what the colours count)")
	workers := fs.Int("workers", 0, "concurrent requests (default: all cores)")
	fresh := fs.Bool("fresh", false, "ignore and replace an existing checkpoint instead of resuming from it")
	pf := addParamFlags(fs, engine.RoutingParams())
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}

	// Check every flag before loading anything.
	if *graphPath == "" || *out == "" {
		return errors.New("--graph and --out are required")
	}
	if err := of.check(""); err != nil {
		return err
	}
	if err := batch.CheckExtension(*out); err != nil {
		return fmt.Errorf("--out %w", err)
	}
	if *matrix != "" {
		if err := batch.CheckExtension(*matrix); err != nil {
			return fmt.Errorf("--matrix %w", err)
		}
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
	if len(maps) > 0 && !slices.Contains(cut, *mapMinutes) {
		return fmt.Errorf("--map-minutes %d must be one of the cut-offs %v", *mapMinutes, cut)
	}

	eng, err := engine.Load(*graphPath)
	if err != nil {
		return err
	}
	if err := eng.CheckDate(rt.Date); err != nil {
		return flagError(err)
	}
	g := eng.Graph()
	origins, _, err := of.load(g)
	if err != nil {
		return err
	}

	ckpt := batch.CheckpointPath(*out)
	if *fresh {
		if err := os.Remove(ckpt); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	nw := *workers
	if nw <= 0 {
		nw = runtime.GOMAXPROCS(0)
	}
	update, finish := batchProgress(stderr)
	fmt.Fprintf(stderr, "%s %d origins, %d workers, checkpoint %s\n", time.Now().Format("15:04:05"), len(origins), nw, ckpt)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	res, err := batch.Run(ctx, eng, origins, batch.Options{
		Params: p, Cutoffs: cut, Matrix: *matrix != "", Workers: nw, Checkpoint: ckpt,
		Progress: update,
	})
	finish()
	if err != nil {
		return err
	}
	elapsed := time.Since(start)

	if err := batch.WriteTable(*out, res); err != nil {
		return err
	}
	if *matrix != "" {
		if err := batch.WriteMatrix(*matrix, res); err != nil {
			return err
		}
	}
	if *geojson != "" {
		if err := batch.WriteFile(*geojson, func(w io.Writer) error { return batch.WriteGeoJSON(w, res) }); err != nil {
			return err
		}
	}
	for _, m := range maps {
		opt := batch.MapOptions{Minutes: *mapMinutes, Title: *title, Streets: &g.Streets, Places: &g.Places,
			Subtitle: mapSubtitle(g.Meta.Date, p, originsPhrase(len(origins), *of.cells, *of.fromSchools)),
			Credits:  mapCredits(eng, *of.cells >= 0)}
		if opt.Title == "" {
			opt.Title = fmt.Sprintf("Training offers reachable within %d minutes", *mapMinutes)
		}
		if err := batch.WriteMap(m, res, opt); err != nil {
			return err
		}
	}
	if err := os.Remove(ckpt); err != nil {
		return fmt.Errorf("removing the checkpoint: %w", err)
	}
	computed := len(origins) - res.Resumed
	per := ""
	if computed > 0 {
		per = fmt.Sprintf(", %.1f ms per origin per worker", elapsed.Seconds()*1000*float64(nw)/float64(computed))
	}
	fmt.Fprintf(stdout, "wrote %s: %d origins (%d resumed from the checkpoint) in %s on %d workers%s\n",
		*out, len(origins), res.Resumed, elapsed.Round(time.Millisecond), nw, per)
	return nil
}

// batchProgress shows the origins done and an ETA on stderr: the shared
// progress bar on a terminal or file, plain lines every 10 % otherwise.
func batchProgress(stderr io.Writer) (update func(done, total int), finish func()) {
	if f, ok := stderr.(*os.File); ok {
		pr := newProgress(f)
		return func(done, total int) { pr.update("origins", int64(done), int64(total)) }, pr.done
	}
	start, last := time.Now(), -1
	return func(done, total int) {
		pct := 100
		if total > 0 {
			pct = done * 100 / total
		}
		if pct/10 == last/10 && last >= 0 {
			return
		}
		last = pct
		eta := ""
		if pct > 0 && pct < 100 {
			eta = " ETA " + (time.Since(start) * time.Duration(100-pct) / time.Duration(pct)).Round(time.Second).String()
		}
		fmt.Fprintf(stderr, "%s origins: %d%%%s\n", time.Now().Format("15:04:05"), pct, eta)
	}, func() {}
}

// originsPhrase says what the origins are: "116 collèges", "841 H3 cells
// (resolution 9)", "40 origins".
func originsPhrase(n, cellRes int, schoolKind string) string {
	switch {
	case cellRes >= 0:
		return fmt.Sprintf("%d H3 cells (resolution %d)", n, cellRes)
	case schoolKind == "college":
		return fmt.Sprintf("%d collèges", n)
	case schoolKind != "":
		return fmt.Sprintf("%d schools (%s)", n, schoolKind)
	}
	return fmt.Sprintf("%d origins", n)
}

// mapSubtitle says what the map's request was.
func mapSubtitle(date string, p engine.Params, origins string) string {
	return fmt.Sprintf("From each of %s, arriving by %s on %s; %s; walks up to %.0f m to and from stops",
		origins, graph.FormatClock(p.ArriveBy)[:5], date, strings.ReplaceAll(p.Modes.String(), ",", " + "), p.MaxWalk)
}

// mapCredits names the graph's sources (and H3, for cell origins).
func mapCredits(e *engine.Engine, cells bool) string {
	g := e.Graph()
	var feeds []string
	for _, f := range g.Meta.Feeds {
		feeds = append(feeds, f.Name)
	}
	s := "Timetables: " + strings.Join(feeds, ", ")
	if g.Streets.NumNodes() > 0 {
		s += "; streets © OpenStreetMap contributors"
	}
	if r := g.Meta.Places; r != nil {
		src := []string{filepath.Base(r.Directory)}
		for _, o := range r.Offers {
			src = append(src, filepath.Base(o.Path))
		}
		s += "; schools and trainings: " + strings.Join(src, ", ")
	}
	if cells {
		s += "; H3 cells"
	}
	return s + "; computed by reach batch"
}
