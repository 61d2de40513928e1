// Package fetch downloads the data sources of a region — GTFS feeds and
// OpenStreetMap extracts listed in a sources CSV — into a directory, and
// tells which dates the feeds have in common.
//
// Downloads are retried on network errors and on 429 and 5xx answers
// (honouring Retry-After), resumed with a Range request after an
// interruption (the partial file is kept as FILE.part), and revalidated
// with If-None-Match / If-Modified-Since on later runs, so that a second
// run over unchanged sources downloads nothing (a server that sends
// neither ETag nor Last-Modified gets its file downloaded again; the
// SHA-256 in the manifest then tells whether it changed). GTFS zips whose files sit
// in a sub-folder or that carry __MACOSX/ entries are rewritten with their
// files at the root. The directory's manifest, sources.json, records the
// SHA-256, size, URL, ETag and time of every file.
//
// Rows whose URL is not an http(s) URL are skipped (bad_url) without a
// request. Options.Region keeps one region's rows. Fetch can also write a
// build manifest (region.json) naming every feed and extract fetched, with
// the suggested build date, for `reach build --manifest`.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"reach/ingest/gtfs"
)

// Options configures Fetch. The zero value gives the defaults.
type Options struct {
	// HTTPClient sends the requests; nil uses a client without overall
	// timeout (stalled transfers are caught by IdleTimeout).
	HTTPClient *http.Client
	// Retries is the number of retries after a failed attempt: 0 means 4,
	// a negative value means none. An attempt that failed after adding
	// bytes to the partial file is not counted.
	Retries int
	// Backoff is the wait before the first retry, doubled at each further
	// one; 0 means 1s. A Retry-After header replaces it.
	Backoff time.Duration
	// MaxDelay caps any single wait, backoff or Retry-After; 0 means 5 min.
	MaxDelay time.Duration
	// IdleTimeout abandons (and retries) an attempt that receives nothing
	// for that long, headers included; 0 means 1 min.
	IdleTimeout time.Duration
	// Parallel is the number of simultaneous downloads; 0 means 2.
	Parallel int
	// Region, if set, keeps only the rows of the sources CSV whose Région
	// is this one, compared without case, accents nor punctuation
	// ("ile de france" is "Île-de-France"). A region that no row names
	// is an error listing those present. Names and file names are
	// given over the whole list first, so they do not depend on Region.
	Region string
	// BuildManifest, if set, is the path of the build manifest written
	// after the downloads (see Result.WriteBuildManifest), usually
	// DIR/region.json. Its name is the region's, or the sources CSV's file
	// name without extension. It is not written when the run is
	// interrupted or no GTFS feed was fetched.
	BuildManifest string
	// SchoolHolidays are the holiday periods avoided by the suggested
	// build date; nil uses FrenchSchoolHolidays.
	SchoolHolidays []DateRange
	// Logf, if set, receives one line per event (retry, download, validity).
	Logf func(format string, args ...any)
	// Progress, if set, is called as bytes arrive, never concurrently:
	// done is the bytes on disk of the files being downloaded in this run,
	// total the sum of their sizes as far as the servers announced them.
	Progress func(done, total int64)
}

func (o Options) withDefaults() Options {
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	switch {
	case o.Retries == 0:
		o.Retries = 4
	case o.Retries < 0:
		o.Retries = 0
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 5 * time.Minute
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = time.Minute
	}
	if o.Parallel <= 0 {
		o.Parallel = 2
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	return o
}

// Status is the outcome of one source.
type Status string

// The outcomes of a source.
const (
	StatusDownloaded Status = "downloaded" // fetched in full
	StatusResumed    Status = "resumed"    // completed from a partial download
	StatusUnchanged  Status = "unchanged"  // the server answered 304: the file on disk is current
	StatusFailed     Status = "failed"     // see Error
)

// SourceResult is what happened to one source.
type SourceResult struct {
	Source
	Status   Status `json:"status"`
	Error    string `json:"error,omitempty"`
	Attempts int    `json:"attempts"`
	Received int64  `json:"received"` // bytes received in this run

	// The file on disk, for the sources that did not fail.
	SHA256       string    `json:"sha256,omitempty"`
	Size         int64     `json:"size,omitempty"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	FetchedAt    time.Time `json:"fetched_at,omitzero"`
	Repaired     bool      `json:"repaired,omitempty"`
	RepairNote   string    `json:"repair_note,omitempty"`

	// Validity is the date range of a GTFS feed's services; ValidityError
	// says why it could not be read.
	Validity      *DateRange `json:"validity,omitempty"`
	ValidityError string     `json:"validity_error,omitempty"`
}

// Result is the outcome of Fetch.
type Result struct {
	Dir string `json:"dir"`
	// SourcesFile is the sources CSV the sources were read from.
	SourcesFile string `json:"sources_file,omitempty"`
	// Region is the region kept (Options.Region), as the list spells it.
	Region  string         `json:"region,omitempty"`
	Sources []SourceResult `json:"sources"`
	Skipped []Skipped      `json:"skipped,omitempty"`
	// Overlap compares the validity ranges of the GTFS feeds fetched.
	Overlap Overlap `json:"overlap"`
	// BuildRange is the range BuildDate was chosen in: Overlap.Common, or
	// the range of the largest group of feeds when Common is empty.
	BuildRange DateRange `json:"build_range,omitzero"`
	BuildDate  BuildDate `json:"build_date"`
	// BuildManifest is the build manifest written (Options.BuildManifest),
	// if any; LeftOut the sources kept out of it.
	BuildManifest string    `json:"build_manifest,omitempty"`
	LeftOut       []LeftOut `json:"left_out,omitempty"`
}

// Failed returns the sources that failed.
func (r *Result) Failed() []SourceResult {
	var out []SourceResult
	for _, s := range r.Sources {
		if s.Status == StatusFailed {
			out = append(out, s)
		}
	}
	return out
}

// Fetch downloads every source listed in the CSV file sourcesCSV (see
// ReadSources) into dir, created if needed, as dir/<slug of the name>.zip
// for GTFS feeds and .osm.pbf for OpenStreetMap extracts, then reads the
// validity range of every GTFS feed and compares them.
//
// A source that fails is reported in the Result with its error and the
// others go on; Fetch then returns the Result together with an error
// listing the failures. The Result is nil only when the CSV cannot be read
// or dir cannot be created. When ctx is cancelled, partial downloads are
// kept for the next run.
func Fetch(ctx context.Context, sourcesCSV string, dir string, opt Options) (*Result, error) {
	opt = opt.withDefaults()
	f, err := os.Open(sourcesCSV)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	sources, skipped, err := ReadSources(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("fetch: %s: %w", sourcesCSV, err)
	}
	region := ""
	if opt.Region != "" {
		if sources, skipped, region, err = FilterRegion(sources, skipped, opt.Region); err != nil {
			return nil, fmt.Errorf("fetch: %s: %w", sourcesCSV, err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	man, err := ReadManifest(dir)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	for _, s := range skipped {
		opt.Logf("skipped: %s", s.describe(sourcesCSV))
	}

	d := &downloader{
		opt: opt,
		dir: dir,
		man: &manifestStore{dir: dir, m: man},
		prog: &progress{
			fn:   opt.Progress,
			have: make([]int64, len(sources)),
			size: make([]int64, len(sources)),
		},
	}
	res := &Result{Dir: dir, SourcesFile: sourcesCSV, Region: region, Sources: make([]SourceResult, len(sources)), Skipped: skipped}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(opt.Parallel, max(len(sources), 1)) {
		wg.Go(func() {
			for i := range jobs {
				res.Sources[i] = d.fetch(ctx, i, sources[i])
			}
		})
	}
	for i := range sources {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	var feeds []FeedRange
	for _, s := range res.Sources {
		if s.Validity != nil {
			feeds = append(feeds, FeedRange{Name: s.Name, Range: *s.Validity})
		}
	}
	res.Overlap = CompareRanges(feeds)
	switch {
	case !res.Overlap.Common.Empty():
		res.BuildRange = res.Overlap.Common
		res.BuildDate = SuggestBuildDate(res.BuildRange, opt.SchoolHolidays)
	case len(res.Overlap.Groups) > 0:
		res.BuildRange = res.Overlap.Groups[0].Range
		res.BuildDate = SuggestBuildDate(res.BuildRange, opt.SchoolHolidays)
		res.BuildDate.Note = "no date common to all feeds; chosen for the largest group (" +
			strings.Join(res.Overlap.Groups[0].Feeds, ", ") + "): " + res.BuildDate.Note
	default:
		res.BuildDate = BuildDate{Note: "no GTFS feed with a validity range"}
	}

	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("fetch: interrupted: %w", err)
	}
	var manErr error
	if opt.BuildManifest != "" {
		name := res.Region
		if name == "" {
			name = strings.TrimSuffix(filepath.Base(sourcesCSV), filepath.Ext(sourcesCSV))
		}
		res.LeftOut, manErr = res.WriteBuildManifest(opt.BuildManifest, name)
		for _, l := range res.LeftOut {
			opt.Logf("warning: %s (line %d, %s) left out of the build manifest: %s", l.Name, l.Line, l.File, l.Reason)
		}
		if manErr == nil {
			res.BuildManifest = opt.BuildManifest
			opt.Logf("wrote the build manifest %s", opt.BuildManifest)
		}
	}
	failed := res.Failed()
	if len(failed) == 0 {
		if manErr != nil {
			return res, fmt.Errorf("fetch: %w", manErr)
		}
		return res, nil
	}
	msgs := make([]string, len(failed))
	for i, s := range failed {
		msgs[i] = fmt.Sprintf("%s (line %d, %s): %s", s.Name, s.Line, s.File, s.Error)
	}
	err = fmt.Errorf("fetch: %d of %d sources failed: %s", len(failed), len(sources), strings.Join(msgs, "; "))
	if manErr != nil {
		err = fmt.Errorf("%w; %w", err, manErr)
	}
	return res, err
}

// fetch downloads one source and reads its validity.
func (d *downloader) fetch(ctx context.Context, i int, src Source) SourceResult {
	res := SourceResult{Source: src}
	if err := ctx.Err(); err != nil {
		res.Status, res.Error = StatusFailed, err.Error()
		return res
	}
	if err := d.download(ctx, i, &res); err != nil {
		res.Status, res.Error = StatusFailed, err.Error()
		d.opt.Logf("%s: failed: %v", src.File, err)
		return res
	}
	if src.Kind != KindGTFS {
		return res
	}
	path := d.path(src.File)
	v, err := gtfs.ReadValidity(path)
	if err != nil {
		res.ValidityError = err.Error()
		d.opt.Logf("%s: no validity range: %v", src.File, err)
		return res
	}
	r := DateRange{From: v.From, To: v.To}
	res.Validity = &r
	d.opt.Logf("%s: valid %s (%d days)", src.File, r, r.Days())
	if err := d.man.update(src.File, func(e *ManifestEntry) { e.Validity = &r }); err != nil {
		res.Status, res.Error = StatusFailed, err.Error()
	}
	return res
}

// progress aggregates the byte counts of the downloads for Options.Progress.
type progress struct {
	mu         sync.Mutex
	fn         func(done, total int64)
	have, size []int64
}

// set records that download i has have bytes on disk of size (size < 0:
// unknown, keep the previous one).
func (p *progress) set(i int, have, size int64) {
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.have[i] = have
	if size >= 0 {
		p.size[i] = size
	}
	var done, total int64
	for k := range p.have {
		done += p.have[k]
		total += p.size[k]
	}
	p.fn(done, total)
}

// errIdle is the cause of an attempt abandoned for lack of data.
var errIdle = errors.New("no data received")
