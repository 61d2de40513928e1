package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"reach/ingest/fetch"
)

// runFetch downloads every source of a sources list (or of one region of
// it) into a directory and writes the build manifest of what arrived.
func runFetch(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("fetch", stdout, stderr)
	sources := fs.String("sources", "", "sources list `FILE.csv` (Région,Type,Nom,…,URL GTFS / URL OSM) (required)")
	dir := fs.String("dir", "", "`DIR` to download into (required); re-runs resume and revalidate")
	retries := fs.Int("retries", 0, "retries per source after a failed attempt (default 4; -1 for none)")
	parallel := fs.Int("parallel", 0, "simultaneous downloads (default 2)")
	report := fs.String("report", "", "also write the result as JSON to this `FILE`")
	region := fs.String("region", "", "keep only the rows of this Région (`NAME`, case and accents ignored)")
	manifestOut := fs.String("manifest-out", "", "build manifest `FILE` to write for reach build --manifest (default DIR/"+fetch.BuildManifestName+")")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *sources == "" || *dir == "" {
		return fmt.Errorf("--sources and --dir are required")
	}
	if *manifestOut == "" {
		*manifestOut = filepath.Join(*dir, fetch.BuildManifestName)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	p := newProgress(os.Stderr)
	res, err := fetch.Fetch(ctx, *sources, *dir, fetch.Options{
		Retries: *retries, Parallel: *parallel, Logf: p.logf, Region: *region, BuildManifest: *manifestOut,
		Progress: func(done, total int64) { p.update("download", done, total) },
	})
	p.done()
	if res != nil {
		if rerr := res.Report(stdout); rerr != nil {
			return rerr
		}
		if *report != "" {
			b, jerr := json.MarshalIndent(res, "", "  ")
			if jerr != nil {
				return jerr
			}
			if werr := os.WriteFile(*report, append(b, '\n'), 0o644); werr != nil {
				return fmt.Errorf("writing %s: %w", filepath.Base(*report), werr)
			}
		}
	}
	return err
}
