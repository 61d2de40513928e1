// Command france generates a synthetic France: a benchmark dataset the
// size of the national service (about 290 GTFS feeds, 50 million
// stop_times, 10,000 schools) made from the city-sized real data under
// ../shared/data, repeated and moved across metropolitan France.
//
//	go run ./benchmarks/france --copies N --out DIR [--networks LIST] [--data DIR] [--jobs K]
//
// Copy 0 is the shared data in place, not copied: Rennes STAR 2012-05
// (rennes/star-gtfs-2012-05.zip, feed "star"), its streets
// (rennes/streets.osm.pbf), the Ille-et-Vilaine school directory
// (rennes/fr-en-annuaire-education-35.csv) and both national Affelnet
// offer lists (rennes/affelnet-offre-1re-pro.csv, affelnet-offre-2nde.csv).
// The SNCF TER 2017 feed (ter/sncf-ter-gtfs-2017.zip, feed "ter") is the
// national backbone, in place at its real positions.
//
// Copies 1 to N-1 each repeat these networks (--networks picks a subset,
// in this order), each written under DIR/copy-KK/ (KK the copy number, two
// digits or more):
//
//	star       rennes/star-gtfs-2012-05.zip        streets rennes/streets.osm.pbf, and the schools
//	tan        nantes/tan-gtfs-2014.zip            streets nantes/centre.osm.pbf
//	rnv        rnv/rnv-gtfs-2016.zip               streets rnv/rnv.osm.pbf
//	bydgoszcz  bydgoszcz/bydgoszcz-gtfs-2020.zip
//	hart       quirks/hart-single-digit-hours.zip
//	ajaccio    quirks/ajaccio-subfolder-plus-coords.zip
//	beatty     beatty/sample-feed                  streets beatty/beatty.osm
//	extended   quirks/extended-route-types.zip
//
// as NAME.zip (feed "cKK-NAME"), NAME.osm.pbf, and with star the copy of
// the Rennes directory, annuaire.csv, and of the offers of its schools,
// affelnet-offre-1re-pro.csv and affelnet-offre-2nde.csv. A copy of all
// eight networks holds 10,650 stops, 111,739 trips and 1,832,439
// stop_times; --copies 40 gives 314 feeds and 71.9 million stop_times.
//
// Places. Every copied network is moved to its own place. The places are
// Lyon (45.76° N, 4.84° E) first, then the points of a triangular lattice
// 25 km apart lying at least 15 km inside a simplified outline of
// metropolitan France (mainland and Corsica; about 900 points), each next
// place being the lattice point farthest from all places already listed,
// so that any prefix of the list is spread over France's land area.
// Network j (0-based, in the order above) of copy k goes to place
// (k-1)·M + j, M the number of networks per copy (places are reused, in
// the same order, beyond the end of the list): copy 1's STAR lands on
// Lyon, its seven other networks in western Finistère, near Arras, in the
// Basque Country, in southern Corsica, north of Strasbourg, near Poitiers
// and near Perpignan. DIR/places.csv lists every copied
// network with its place, the département of the nearest préfecture, its
// id prefix, OSM id offset and time shift.
//
// Moving. A network's centre is the median latitude and longitude of its
// feed's usable stops. Every coordinate of the network — stops and shape
// points, OSM nodes, directory latitude/longitude — is moved so that the
// centre lands on the place: latitudes are shifted by the same amount,
// longitudes shifted and their offsets to the centre scaled by
// cos(centre)/cos(place), which keeps distances in metres. Unusable
// coordinates (unparsable, out of range, 0,0) are copied unchanged.
//
// GTFS. Every file of the feed is written at the root of a zip (entries
// dated 2012-05-22, so that the same N gives byte-identical files). Files
// whose header names a column to rewrite are rewritten as plain CSV (no
// byte-order mark, LF, quotes only where needed); others (logs) are copied
// byte for byte. Every *_id column (stop_id, route_id, trip_id,
// service_id, shape_id, block_id, agency_id, zone_id, fare_id,
// from_stop_id…) except direction_id and record_sub_id, and
// parent_station, gets the prefix "cKK-NAME-"; stop_lat/stop_lon and
// shape_pt_lat/shape_pt_lon are moved (written with 7 decimals);
// arrival_time, departure_time and the frequencies' start_time/end_time
// are delayed by 1 + (3k mod 10) minutes for copy k (written HH:MM:SS;
// unparsable times are kept). Calendars are unchanged: the builder serves
// each feed on the same weekday as the manifest's date inside the feed's
// validity, as it does for the originals.
//
// OSM. The whole extract (nodes, ways, relations and their tags; no
// metadata) is written as .osm.pbf, sorted by type then id, every node
// moved and every id (and reference) increased by (100·k + j)·10¹¹, so
// that no two copies collide (source ids must be below 10¹¹).
//
// Schools. The copy of the directory keeps every row; each school gets a
// new valid UAI (7 digits and its check letter) in the département of the
// préfecture nearest to the copy's STAR place: the département number
// (620 / 720 for Corse-du-Sud / Haute-Corse) followed by the school's
// original last four digits, or the next free ones, never a number the
// directory or the national offer lists use nor one an earlier copy got,
// so that each copy's offers are placed at its own schools only. The UAI
// is replaced wherever it appears (etablissement_mere, e-mail),
// Code_departement and Libelle_departement are the new département's,
// latitude/longitude and position are moved and Lambert-93
// coordonnee_X/Y recomputed from the moved position. Copied offer lists
// keep only the offers of the directory's schools (52 "1re pro" and 228
// "2nde" offers), UAIs replaced. Names, addresses and communes stay
// Rennes's. In the whole-France build, offers of the national lists whose
// UAI lies in a copy's département are reported unknown_school instead
// of outside_directory.
//
// Manifests, in the format `reach build --manifest` reads (shared data by
// absolute path, generated files relative to DIR), with date 2012-05-22:
//
//	DIR/france.json   copy 0, TER and every copy
//	DIR/copy-0.json   copy 0 and TER
//
// At the end it prints the feeds, stops, trips and stop_times of the
// France manifest (rows of the files; the part written by this run), the
// bytes written and the time taken. Existing files of the same names are
// replaced (each written to a temporary file, then renamed); copies of an
// earlier, larger run are left in DIR but no manifest names them.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"reach/graph"
	"reach/ingest"
	"reach/internal/realdata"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "france:", err)
		os.Exit(1)
	}
}

// network is one of the shared city networks every copy repeats.
type network struct {
	Name    string // feed and file name in a copy
	GTFS    string // feed under the data directory (.zip or directory)
	OSM     string // street extract under the data directory, or ""
	Schools bool   // the copy's schools go with this network
}

// allNetworks lists the networks a copy repeats, in place order.
func allNetworks() []network {
	return []network{
		{"star", "rennes/star-gtfs-2012-05.zip", "rennes/streets.osm.pbf", true},
		{"tan", "nantes/tan-gtfs-2014.zip", "nantes/centre.osm.pbf", false},
		{"rnv", "rnv/rnv-gtfs-2016.zip", "rnv/rnv.osm.pbf", false},
		{"bydgoszcz", "bydgoszcz/bydgoszcz-gtfs-2020.zip", "", false},
		{"hart", "quirks/hart-single-digit-hours.zip", "", false},
		{"ajaccio", "quirks/ajaccio-subfolder-plus-coords.zip", "", false},
		{"beatty", "beatty/sample-feed", "beatty/beatty.osm", false},
		{"extended", "quirks/extended-route-types.zip", "", false},
	}
}

// Copy 0, in place.
const (
	copy0Feed      = "rennes/star-gtfs-2012-05.zip"
	copy0Streets   = "rennes/streets.osm.pbf"
	copy0Directory = "rennes/fr-en-annuaire-education-35.csv"
	terFeed        = "ter/sncf-ter-gtfs-2017.zip"
	serviceDate    = "2012-05-22"
)

// copy0Offers are the national offer lists, and the names of their copies.
func copy0Offers() [][2]string {
	return [][2]string{
		{"rennes/affelnet-offre-1re-pro.csv", "affelnet-offre-1re-pro.csv"},
		{"rennes/affelnet-offre-2nde.csv", "affelnet-offre-2nde.csv"},
	}
}

// config is what a run generates.
type config struct {
	Copies   int
	Out      string
	Data     string
	Networks []network
	Jobs     int
	Log      io.Writer // progress lines; nil for none
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("france", flag.ContinueOnError)
	fs.SetOutput(stderr)
	copies := fs.Int("copies", 0, "number of copies `N`, copy 0 (the shared data in place) included; at least 1")
	out := fs.String("out", "", "output `DIR` (created if needed)")
	data := fs.String("data", realdata.Dir(), "shared data `DIR` (default ../shared/data beside the module, or $REACH_DATA)")
	nets := fs.String("networks", "all", "networks each copy repeats: all, or a comma-separated `LIST` of "+networkNames(allNetworks()))
	jobs := fs.Int("jobs", runtime.GOMAXPROCS(0), "files written at once")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *copies < 1 {
		return fmt.Errorf("--copies must be at least 1 (got %d)", *copies)
	}
	if *out == "" {
		return fmt.Errorf("--out is required")
	}
	if *data == "" {
		return fmt.Errorf("--data: the shared data directory was not found; give it")
	}
	sel, err := selectNetworks(*nets)
	if err != nil {
		return err
	}
	start := time.Now()
	s, err := generate(config{Copies: *copies, Out: *out, Data: *data, Networks: sel, Jobs: max(*jobs, 1), Log: stderr})
	if err != nil {
		return err
	}
	s.print(stdout, time.Since(start))
	return nil
}

func networkNames(ns []network) string {
	var names []string
	for _, n := range ns {
		names = append(names, n.Name)
	}
	return strings.Join(names, ",")
}

// selectNetworks parses --networks, keeping the networks' order.
func selectNetworks(list string) ([]network, error) {
	all := allNetworks()
	if list == "all" {
		return all, nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		found := false
		for _, a := range all {
			found = found || a.Name == n
		}
		if !found {
			return nil, fmt.Errorf("--networks: unknown network %q (want all or some of %s)", n, networkNames(all))
		}
		want[n] = true
	}
	var sel []network
	for _, a := range all {
		if want[a.Name] {
			sel = append(sel, a)
		}
	}
	return sel, nil
}

// placedNetwork is one network of one copy, at its place.
type placedNetwork struct {
	Net     network
	Index   int // position in the copy
	Place   latLon
	Move    move
	Dept    departement // of the nearest préfecture
	DeptKm  float64
	Prefix  string // id prefix
	Feed    string // feed name
	Offset  int64  // OSM id offset
	Shift   int    // minutes
	ZipPath string // relative to the output directory
	OSMPath string // relative, "" without streets
}

// copyPlan is one copy.
type copyPlan struct {
	K        int
	Dir      string // relative to the output directory
	Networks []placedNetwork
	Schools  *schoolCopy // nil when the copy has no STAR
}

// shiftMinutes is the delay of copy k's times.
func shiftMinutes(k int) int { return 1 + 3*k%10 }

// plan lays out every copy: places, moves, prefixes, UAIs.
func plan(cfg config, centres map[string]latLon, ss *schoolSources) ([]copyPlan, error) {
	pl := places()
	deps := departements()
	var pool *uaiPool
	if ss != nil {
		used, err := ss.usedUAIs()
		if err != nil {
			return nil, err
		}
		pool = &uaiPool{taken: used}
	}
	m := len(cfg.Networks)
	var copies []copyPlan
	for k := 1; k < cfg.Copies; k++ {
		c := copyPlan{K: k, Dir: fmt.Sprintf("copy-%02d", k)}
		for j, n := range cfg.Networks {
			p := pl[((k-1)*m+j)%len(pl)]
			d, km := nearestDepartement(p, deps)
			feed := fmt.Sprintf("c%02d-%s", k, n.Name)
			pn := placedNetwork{
				Net: n, Index: j, Place: p, Move: newMove(centres[n.Name], p), Dept: d, DeptKm: km,
				Prefix: feed + "-", Feed: feed, Offset: int64(100*k+j) * osmIDSpan, Shift: shiftMinutes(k),
				ZipPath: filepath.Join(c.Dir, n.Name+".zip"),
			}
			if n.OSM != "" {
				pn.OSMPath = filepath.Join(c.Dir, n.Name+".osm.pbf")
			}
			if n.Schools && ss != nil {
				uai, err := ss.allocateUAIs(pool, d.Code)
				if err != nil {
					return nil, fmt.Errorf("copy %d: %w", k, err)
				}
				c.Schools = &schoolCopy{uai: uai, dept: d, move: pn.Move}
			}
			c.Networks = append(c.Networks, pn)
		}
		copies = append(copies, c)
	}
	return copies, nil
}

// summary is what a run produced.
type summary struct {
	Copies, PerCopy int
	Out             string
	Feeds           int        // feeds of france.json
	Total           feedCounts // rows of every feed of france.json
	Written         feedCounts // rows of the feeds this run wrote
	FeedsWritten    int
	Extracts        int // street extracts of france.json
	Directories     int // school directories of france.json
	SchoolRows      int // directory rows written
	OfferRows       int // offer rows written
	Files           int
	Bytes           int64
}

func (s *summary) print(w io.Writer, took time.Duration) {
	fmt.Fprintf(w, "france: %d copies (copy 0 in place, %d networks per copy) in %s\n", s.Copies, s.PerCopy, s.Out)
	fmt.Fprintf(w, "  feeds: %d (star and ter in place, %d written)\n", s.Feeds, s.FeedsWritten)
	fmt.Fprintf(w, "  stops: %d, trips: %d, stop_times: %d (written: %d stops, %d trips, %d stop_times)\n",
		s.Total.Stops, s.Total.Trips, s.Total.StopTimes, s.Written.Stops, s.Written.Trips, s.Written.StopTimes)
	fmt.Fprintf(w, "  street extracts: %d, school directories: %d (written: %d directory rows, %d offer rows)\n",
		s.Extracts, s.Directories, s.SchoolRows, s.OfferRows)
	fmt.Fprintf(w, "  written: %d files, %d bytes (%.2f GB) in %s\n", s.Files, s.Bytes, float64(s.Bytes)/1e9, took.Round(time.Millisecond))
	fmt.Fprintf(w, "  manifests: %s, %s\n", filepath.Join(s.Out, "france.json"), filepath.Join(s.Out, "copy-0.json"))
}

// generate writes the copies, places.csv and both manifests.
func generate(cfg config) (*summary, error) {
	data, err := filepath.Abs(cfg.Data)
	if err != nil {
		return nil, err
	}
	src := func(rel string) string { return filepath.Join(data, filepath.FromSlash(rel)) }
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format+"\n", args...)
		}
	}

	// Sources read once: network centres, street extracts, school lists.
	centres := map[string]latLon{}
	extracts := map[string]*osmData{}
	var ss *schoolSources
	if cfg.Copies > 1 {
		for _, n := range cfg.Networks {
			if centres[n.Name], err = feedCentre(src(n.GTFS)); err != nil {
				return nil, err
			}
			if n.OSM != "" {
				if extracts[n.Name], err = readOSM(src(n.OSM)); err != nil {
					return nil, err
				}
			}
			if n.Schools {
				ss = &schoolSources{}
				if ss.directory, err = readTable(src(copy0Directory)); err != nil {
					return nil, err
				}
				for _, o := range copy0Offers() {
					t, err := readTable(src(o[0]))
					if err != nil {
						return nil, err
					}
					ss.offers = append(ss.offers, t)
					ss.offerOut = append(ss.offerOut, o[1])
				}
			}
		}
	}
	copies, err := plan(cfg, centres, ss)
	if err != nil {
		return nil, err
	}

	s := &summary{Copies: cfg.Copies, PerCopy: len(cfg.Networks), Out: cfg.Out}
	var mu sync.Mutex // guards s
	var jobs []func() error
	written := func(size int64) {
		mu.Lock()
		s.Files++
		s.Bytes += size
		mu.Unlock()
	}
	// Copy 0 and TER are counted, not written.
	for _, f := range []string{copy0Feed, terFeed} {
		jobs = append(jobs, func() error {
			c, err := countFeed(src(f))
			mu.Lock()
			s.Total.add(c)
			mu.Unlock()
			return err
		})
	}
	for _, c := range copies {
		if err := os.MkdirAll(filepath.Join(cfg.Out, c.Dir), 0o755); err != nil {
			return nil, err
		}
		for _, pn := range c.Networks {
			jobs = append(jobs, func() error {
				var counts feedCounts
				size, err := writeFile(filepath.Join(cfg.Out, pn.ZipPath), func(w io.Writer) error {
					var err error
					counts, err = rewriteFeed(src(pn.Net.GTFS), w, feedRewrite{prefix: pn.Prefix, move: pn.Move, secs: 60 * pn.Shift})
					return err
				})
				if err != nil {
					return err
				}
				written(size)
				mu.Lock()
				s.Total.add(counts)
				s.Written.add(counts)
				s.FeedsWritten++
				mu.Unlock()
				logf("%s: %d stops, %d trips, %d stop_times", pn.ZipPath, counts.Stops, counts.Trips, counts.StopTimes)
				return nil
			})
			if pn.OSMPath != "" {
				jobs = append(jobs, func() error {
					size, err := writeFile(filepath.Join(cfg.Out, pn.OSMPath), func(w io.Writer) error {
						return writePBF(w, extracts[pn.Net.Name], pn.Offset, pn.Move)
					})
					if err == nil {
						written(size)
					}
					return err
				})
			}
		}
		if c.Schools != nil {
			sc := *c.Schools
			jobs = append(jobs, func() error {
				var rows int
				size, err := writeFile(filepath.Join(cfg.Out, c.Dir, "annuaire.csv"), func(w io.Writer) error {
					var err error
					rows, err = ss.writeDirectory(w, sc)
					return err
				})
				if err != nil {
					return err
				}
				written(size)
				mu.Lock()
				s.SchoolRows += rows
				mu.Unlock()
				for i, name := range ss.offerOut {
					size, err := writeFile(filepath.Join(cfg.Out, c.Dir, name), func(w io.Writer) error {
						var err error
						rows, err = ss.writeOffers(w, i, sc)
						return err
					})
					if err != nil {
						return err
					}
					written(size)
					mu.Lock()
					s.OfferRows += rows
					mu.Unlock()
				}
				return nil
			})
		}
	}
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return nil, err
	}
	if err := runJobs(jobs, cfg.Jobs); err != nil {
		return nil, err
	}

	// places.csv and the manifests.
	size, err := writeFile(filepath.Join(cfg.Out, "places.csv"), func(w io.Writer) error { return writePlaces(w, copies) })
	if err != nil {
		return nil, err
	}
	written(size)
	france, copy0 := manifests(cfg, copies, src)
	for _, m := range []struct {
		name string
		m    *ingest.Manifest
	}{{"france.json", france}, {"copy-0.json", copy0}} {
		b, err := json.MarshalIndent(m.m, "", "  ")
		if err != nil {
			return nil, err
		}
		size, err := writeFile(filepath.Join(cfg.Out, m.name), func(w io.Writer) error {
			_, err := w.Write(append(b, '\n'))
			return err
		})
		if err != nil {
			return nil, err
		}
		written(size)
	}
	s.Feeds = len(france.GTFS)
	s.Extracts = len(france.OSM)
	s.Directories = len(france.Schools)
	return s, nil
}

// manifests returns the France manifest and copy 0's.
func manifests(cfg config, copies []copyPlan, src func(string) string) (france, copy0 *ingest.Manifest) {
	base := func(name string) *ingest.Manifest {
		m := &ingest.Manifest{
			Name: name, Date: serviceDate, Transfers: string(graph.TransfersBoth),
			GTFS:    []ingest.ManifestFeed{{Name: "star", Path: src(copy0Feed)}, {Name: "ter", Path: src(terFeed)}},
			OSM:     ingest.Paths{src(copy0Streets)},
			Schools: ingest.Paths{src(copy0Directory)},
		}
		for _, o := range copy0Offers() {
			m.Offers = append(m.Offers, src(o[0]))
		}
		return m
	}
	copy0 = base("Synthetic France, copy 0: Rennes STAR 2012-05, streets and schools in place, with the SNCF TER 2017")
	france = base(fmt.Sprintf("Synthetic France: %d copies of %s around the SNCF TER 2017", cfg.Copies, networkNames(cfg.Networks)))
	for _, c := range copies {
		for _, pn := range c.Networks {
			france.GTFS = append(france.GTFS, ingest.ManifestFeed{Name: pn.Feed, Path: pn.ZipPath})
			if pn.OSMPath != "" {
				france.OSM = append(france.OSM, pn.OSMPath)
			}
		}
		if c.Schools != nil {
			france.Schools = append(france.Schools, filepath.Join(c.Dir, "annuaire.csv"))
			for _, o := range copy0Offers() {
				france.Offers = append(france.Offers, filepath.Join(c.Dir, o[1]))
			}
		}
	}
	return france, copy0
}

// writePlaces writes one line per copied network.
func writePlaces(w io.Writer, copies []copyPlan) error {
	if _, err := fmt.Fprintln(w, "copy,network,feed,lat,lon,departement,prefecture,prefecture_km,id_prefix,osm_id_offset,time_shift_min"); err != nil {
		return err
	}
	for _, c := range copies {
		for _, pn := range c.Networks {
			if _, err := fmt.Fprintf(w, "%d,%s,%s,%.5f,%.5f,%s,%s,%.0f,%s,%d,%d\n", c.K, pn.Net.Name, pn.Feed,
				pn.Place.Lat, pn.Place.Lon, pn.Dept.Code, pn.Dept.Town, pn.DeptKm, pn.Prefix, pn.Offset, pn.Shift); err != nil {
				return err
			}
		}
	}
	return nil
}

// runJobs runs the jobs on n goroutines, in order of start; it returns
// the first error (the jobs not started yet are skipped).
func runJobs(jobs []func() error, n int) error {
	var (
		mu   sync.Mutex
		next int
		errs error
		wg   sync.WaitGroup
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if next >= len(jobs) || errs != nil {
					mu.Unlock()
					return
				}
				job := jobs[next]
				next++
				mu.Unlock()
				if err := job(); err != nil {
					mu.Lock()
					if errs == nil {
						errs = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return errs
}

// writeFile writes path through fn, into a temporary file renamed into
// place once complete, and returns its size.
func writeFile(path string, fn func(io.Writer) error) (int64, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := fn(bw); err != nil {
		f.Close()
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return 0, err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return 0, err
	}
	return st.Size(), nil
}
