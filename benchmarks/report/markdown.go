package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// num formats a value with a sensible number of digits.
func num(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v):
		return "–"
	case a >= 100:
		return thousands(int64(math.Round(v)))
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case a == 0:
		return "0"
	}
	return strconv.FormatFloat(v, 'g', 2, 64)
}

// thousands writes an integer with thin separators: 2,285,080.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// fig writes a median with its noise: "10.8 ±4%".
func fig(f figure) string {
	if f.Runs == 0 {
		return "–"
	}
	if f.Runs < 2 {
		return num(f.Median)
	}
	return fmt.Sprintf("%s ±%.0f%%", num(f.Median), 100*f.Spread/2)
}

// hours writes a duration given in hours: "3.2 h", "25 min", "40 s".
func hours(h float64) string {
	switch {
	case h >= 48:
		return fmt.Sprintf("%.1f days", h/24)
	case h >= 2:
		return fmt.Sprintf("%.1f h", h)
	case h*60 >= 2:
		return fmt.Sprintf("%.0f min", h*60)
	}
	return fmt.Sprintf("%.0f s", h*3600)
}

// table writes a Markdown table.
func table(w io.Writer, head []string, rows [][]string) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(head, " | "))
	// Columns of figures align right, columns of words left.
	sep := make([]string, len(head))
	for i := range sep {
		sep[i] = "---"
		if i > 0 && len(rows) > 0 && i < len(rows[0]) && rows[0][i] != "" && strings.ContainsAny(rows[0][i][:1], "0123456789–") {
			sep[i] = "---:"
		}
	}
	fmt.Fprintf(w, "|%s|\n", strings.Join(sep, "|"))
	for _, r := range rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
	}
	fmt.Fprintln(w)
}

// mainDatasets are the datasets of the main tables (not the scaling-only
// ones).
func (r *results) mainDatasets() []*datasetResult {
	var out []*datasetResult
	for i := range r.Datasets {
		if !r.Datasets[i].Scaling {
			out = append(out, &r.Datasets[i])
		}
	}
	return out
}

// charts returns the report's plots by file name.
func (r *results) charts() map[string]chart {
	size := chart{Title: "Query latency against network size", XLabel: "stop times in the day's timetable",
		YLabel: "median latency, ms", LogX: true, LogY: true}
	for _, name := range []string{"raptor", "range-90", "reach-90", "answer+iso-90"} {
		s := series{Name: name}
		for _, d := range r.mainDatasets() {
			b := r.buildOf(d)
			if t := d.Query.typ(name); t != nil && b != nil {
				s.Points = append(s.Points, [2]float64{float64(b.Facts.StopTimes), t.P50.Median})
				label := ""
				if name == "reach-90" {
					label = d.Name
				}
				s.Labels = append(s.Labels, label)
			}
		}
		size.Series = append(size.Series, s)
	}
	window := chart{Title: "Reach latency against the departure window", XLabel: "window (max_minutes)",
		YLabel: "median latency, ms"}
	for _, d := range r.mainDatasets() {
		if len(d.Query.Windows) == 0 {
			continue
		}
		s := series{Name: d.Name, Line: true}
		for _, w := range d.Query.Windows {
			s.Points = append(s.Points, [2]float64{float64(w.Minutes), w.P50.Median})
		}
		window.Series = append(window.Series, s)
	}
	build := chart{Title: "Build time against GTFS stop_times read", XLabel: "stop_times read", YLabel: "build time, s"}
	timetable, streets := series{Name: "timetable only"}, series{Name: "with streets"}
	for _, d := range r.mainDatasets() {
		if d.Build == nil {
			continue
		}
		s := &timetable
		if d.Build.Facts.StreetNodes > 0 {
			s = &streets
		}
		s.Points = append(s.Points, [2]float64{float64(d.Build.Facts.StopTimesRead), d.Build.Seconds.Median})
		s.Labels = append(s.Labels, d.Name)
	}
	build.Series = []series{timetable, streets}
	out := map[string]chart{"latency-vs-size.svg": size, "latency-vs-window.svg": window, "build-vs-stoptimes.svg": build}
	for name, ch := range r.France.charts() {
		out[name] = ch
	}
	return out
}

// buildOf returns the build figures of a dataset's graph.
func (r *results) buildOf(d *datasetResult) *buildStats {
	if d.Build != nil {
		return d.Build
	}
	if o := r.dataset(strings.Split(d.Name, "@")[0]); o != nil {
		return o.Build
	}
	return nil
}

// writeMarkdown writes the report; prev, when set, is the previous run to
// compare with.
func (r *results) writeMarkdown(w io.Writer, prev *results) {
	c := r.Config
	fmt.Fprintf(w, "# Benchmark report\n\n")
	fmt.Fprintf(w, "Written by `make bench-report` (`go run ./benchmarks/report`) on %s, in %.1f minutes. "+
		"Do not edit: run the command again.\n\n", r.Started, r.Minutes)

	fmt.Fprintf(w, "## Machine\n\n")
	m := r.Machine
	table(w, []string{"", ""}, [][]string{
		{"processor", m.CPU}, {"cores (GOMAXPROCS)", fmt.Sprintf("%d (%d)", m.Cores, m.GOMAXPROCS)},
		{"memory", fmt.Sprintf("%.1f GB", m.MemoryGB)}, {"system", m.Kernel + ", " + m.Platform},
		{"Go", m.Go}, {"commit", m.Commit},
		{"load average (1, 5, 15 min) before / after", m.LoadBefore + " / " + m.LoadAfter},
	})
	fmt.Fprintf(w, "The machine is shared with other work, so figures move between runs. Every figure is the "+
		"**median over repeated runs**, each in a process of its own: %d builds per dataset, %d query runs of %d "+
		"timed queries per type (after 10 unmeasured ones); latency percentiles are taken within a run, then "+
		"the median across runs. The repeats run in rounds over all datasets, spread over the whole run, so that "+
		"their spread includes the machine's changing load. The **noise** is written ±x%%: half the spread between the slowest and the "+
		"fastest run, relative to the median (so the runs lie within median ± x%% of it, roughly).\n\n",
		c.BuildRuns, c.QueryRuns, c.Queries)

	r.writeBuilds(w)
	r.writeQueries(w)
	r.writeMemory(w)
	if r.Loadtest != nil {
		r.writeLoadtest(w)
	}
	r.writeScaling(w)
	r.writeFrance(w)
	r.writeReproduction(w, prev)
}

func (r *results) writeBuilds(w io.Writer) {
	fmt.Fprintf(w, "## Datasets and builds\n\n")
	var rows [][]string
	for _, d := range r.mainDatasets() {
		rows = append(rows, []string{d.Name, d.About})
	}
	table(w, []string{"dataset", "contents"}, rows)
	fmt.Fprintf(w, "A build reads the sources, keeps the service date's timetable, links stops and schools to the "+
		"streets, computes the H3 cell tables and writes the graph file (all timed). Peak heap is the largest live "+
		"heap sampled every 2 ms; max RSS is the build process's peak resident memory (it can be below the peak heap: "+
		"large zeroed allocations count in the heap before their pages are touched).\n\n")
	rows = nil
	for _, d := range r.mainDatasets() {
		b := d.Build
		if b == nil {
			continue
		}
		f := b.Facts
		rows = append(rows, []string{d.Name, thousands(int64(f.StopTimesRead)), thousands(int64(f.Stops)),
			thousands(int64(f.Routes)), thousands(int64(f.Trips)), thousands(int64(f.StopTimes)),
			thousands(int64(f.StreetNodes)), thousands(int64(f.Cells)), fmt.Sprintf("%s / %s", thousands(int64(f.Schools)), thousands(int64(f.Offers))),
			fig(b.Seconds), num(b.Seconds.Median * 1e9 / float64(f.StopTimesRead)), fig(b.PeakHeapMB), fig(b.MaxRSSMB),
			num(float64(f.FileBytes) / 1e6)})
	}
	table(w, []string{"dataset", "stop_times read", "stops", "routes", "trips (day)", "stop times (day)", "street nodes",
		"H3 cells", "schools / offers", "build s", "ns per stop_time read", "peak heap MB", "max RSS MB", "graph file MB"}, rows)
	fmt.Fprintf(w, "![build time against stop_times](plots/build-vs-stoptimes.svg)\n\n")
}

func (r *results) writeQueries(w io.Writer) {
	fmt.Fprintf(w, "## Query latency\n\n")
	fmt.Fprintf(w, "From %d seeded random origins per dataset (street points moved a few metres, or stops served by "+
		"a route when the graph has no streets), arriving by 08:30 on the graph's date, one query at a time:\n\n"+
		"- **raptor**: plain one-departure RAPTOR (07:30) from a served stop, up to 9 vehicles, footpaths;\n"+
		"- **range-90**: range RAPTOR over the 90-minute departure window, from the stops within 1,250 m of the origin;\n"+
		"- **reach-90**: `engine.Reach`, the range search plus the evaluation of every school (the request of "+
		"`/v1/reachable` before paging);\n"+
		"- **answer+iso-60/90**: `engine.Answer` (ranked offers, first page, walking distances) plus "+
		"`engine.Isochrone` (GeoJSON outlines of the bands), what a page of the web client asks, with "+
		"max_minutes 60 and 90.\n\n"+
		"ns per stop time is the query's wall time over the stop times its RAPTOR scans scanned; throughput is "+
		"reach-90 on all cores.\n\n", r.Config.Queries)
	var rows [][]string
	for _, d := range r.mainDatasets() {
		for _, t := range d.Query.Types {
			scan, ns, tput := "", "", ""
			if t.Scanned.Median > 0 {
				scan, ns = num(t.Scanned.Median), fig(t.NsPerScan)
			}
			if t.Throughput.Median > 0 {
				tput = fig(t.Throughput)
			}
			rows = append(rows, []string{d.Name, t.Name, fig(t.P50), fig(t.P95), fig(t.P99), scan, ns, tput})
		}
	}
	table(w, []string{"dataset", "query", "p50 ms", "p95 ms", "p99 ms", "stop times scanned", "ns per stop time", "queries/s"}, rows)
	fmt.Fprintf(w, "![latency against network size](plots/latency-vs-size.svg)\n\n")
	fmt.Fprintf(w, "Median reach latency against the departure window (max_minutes), %d queries per point:\n\n", r.Config.Queries/2)
	head := []string{"dataset"}
	for _, m := range windowMinutes {
		head = append(head, fmt.Sprintf("%d min", m))
	}
	rows = nil
	for _, d := range r.mainDatasets() {
		if len(d.Query.Windows) == 0 {
			continue
		}
		row := []string{d.Name}
		for _, x := range d.Query.Windows {
			row = append(row, fig(x.P50))
		}
		rows = append(rows, row)
	}
	table(w, head, rows)
	fmt.Fprintf(w, "![latency against window](plots/latency-vs-window.svg)\n\n")
}

func (r *results) writeMemory(w io.Writer) {
	fmt.Fprintf(w, "## Server memory\n\n")
	fmt.Fprintf(w, "A query process loads the graph as the server does (`engine.Load`). Heap is the live heap after "+
		"loading and a GC; RSS loaded is the resident memory then; max RSS is the process's peak over all its "+
		"queries (footpath tables, per-query scratch of every core).\n\n")
	var rows [][]string
	for _, d := range r.mainDatasets() {
		q := d.Query
		rows = append(rows, []string{d.Name, fig(q.LoadSeconds), fig(q.HeapMB), fig(q.RSSLoadedMB), fig(q.MaxRSSMB)})
	}
	table(w, []string{"dataset", "load s", "heap MB", "RSS loaded MB", "max RSS MB"}, rows)
}

func (r *results) writeLoadtest(w io.Writer) {
	l := r.Loadtest
	fmt.Fprintf(w, "## Load test\n\n")
	fmt.Fprintf(w, "`benchmarks/loadtest` serves the Rennes graph over HTTP on loopback and asks `/v1/reachable` "+
		"from random addresses with %d closed-loop clients, for %g s per run (%d runs), reloading the graph every "+
		"5 s, every second reload a corrupt file that must be refused.\n\n", l.Workers, r.Config.LoadtestSeconds, r.Config.LoadtestRuns)
	table(w, []string{"answers/s", "p50 ms", "p95 ms", "p99 ms", "requests", "failed", "shed (503)", "reloads accepted / refused"},
		[][]string{{fig(l.Throughput), fig(l.P50), fig(l.P95), fig(l.P99), thousands(l.Requests), thousands(l.Failed),
			thousands(l.Shed), fmt.Sprintf("%d / %d", l.Reloads, l.Refused)}})
}

// France-scale assumptions of the extrapolation (the report prints them).
const (
	franceFeeds      = 200   // GTFS feeds (the figure)
	franceWalkKm     = 1.5e6 // walkable street network: ~1.1 M km of public roads plus paths
	franceSchools    = 10000 // schools (lycées, CFA…) to evaluate per request
	franceRegions    = 13    // metropolitan regions, one graph each
	borderOverlap    = 1.2   // a regional graph carries 20 % more for border areas
	franceRegionCore = 64    // cores per machine in the sizing
	franceMachines   = 8     // machines in the sizing
)

func (r *results) writeScaling(w io.Writer) {
	all, rnv, rnvG, rennes, allRnv := r.dataset("all"), r.dataset("rnv"), r.dataset("rnv-gtfs"), r.dataset("rennes"), r.dataset("all@rnv")
	if all == nil || all.Build == nil || rnv == nil || rnvG == nil || rennes == nil || allRnv == nil {
		return
	}
	fmt.Fprintf(w, "## Scaling toward national scale\n\n")
	a := all.Build.Facts
	heapPerST := all.Query.HeapMB.Median * 1e6 / float64(a.StopTimes)
	filePerST := float64(a.FileBytes) / float64(a.StopTimes)
	buildHeapPerRead := all.Build.PeakHeapMB.Median * 1e6 / float64(a.StopTimesRead)
	dayShare := float64(a.StopTimes) / float64(a.StopTimesRead)
	fmt.Fprintf(w, "**Every feed at once.** The `all` graph reads the %d feeds of `../shared/data` together: %s stop_times "+
		"read, of which %s run on the service date (%.0f%%; feeds whose validity misses 2016-11-08 use the same weekday "+
		"inside it). It builds in %s s with a peak heap of %s MB (%.0f bytes per stop_time read), writes a %s MB graph "+
		"(%.0f bytes per stop time of the day, timetable plus H3 cell tables, no streets) and a server holds it in %s MB "+
		"of heap (%.0f bytes per stop time of the day).\n\n",
		a.Feeds, thousands(int64(a.StopTimesRead)), thousands(int64(a.StopTimes)), 100*dayShare, fig(all.Build.Seconds),
		fig(all.Build.PeakHeapMB), buildHeapPerRead, num(float64(a.FileBytes)/1e6), filePerST, fig(all.Query.HeapMB), heapPerST)

	rg, ar := rnvG.Query.typ("reach-90"), allRnv.Query.typ("reach-90")
	rr, arr := rnvG.Query.typ("raptor"), allRnv.Query.typ("raptor")
	unrelated := "not measured"
	if rg != nil && ar != nil && rr != nil && arr != nil {
		unrelated = fmt.Sprintf("%.0f times the stops cost %+.0f%% of query time", float64(a.Stops)/float64(rnvG.Build.Facts.Stops),
			100*(ar.P50.Median-rg.P50.Median)/rg.P50.Median)
		fmt.Fprintf(w, "**Query time hardly grows with unrelated networks.** From the same %d origins (stops of the RNV "+
			"network in Mannheim and Heidelberg), reach-90 takes %s ms (p50) on the RNV-only graph and %s ms (%+.0f%%) on "+
			"the all-feeds graph, which has %.1f times as many stops; the searches scan %s and %s stop times: only the "+
			"trips they can reach. The difference is presumably the per-query work that grows with the number of "+
			"stops (label arrays to reset) rather than with what is scanned. Plain RAPTOR from random stops anywhere: %s ms on RNV only, %s ms on all feeds. What grows "+
			"with the graph is memory and build time, linearly.\n\n",
			r.Config.Queries, fig(rg.P50), fig(ar.P50), 100*(ar.P50.Median-rg.P50.Median)/rg.P50.Median,
			float64(a.Stops)/float64(rnvG.Build.Facts.Stops), num(rg.Scanned.Median), num(ar.Scanned.Median), fig(rr.P50), fig(arr.P50))
	}

	// Streets: the difference between RNV with and without its roads.
	sb, gb := rnv.Build.Facts, rnvG.Build.Facts
	streetFilePerKm := float64(sb.FileBytes-gb.FileBytes) / sb.StreetKm
	streetHeapPerKm := (rnv.Query.HeapMB.Median - rnvG.Query.HeapMB.Median) * 1e6 / sb.StreetKm
	fmt.Fprintf(w, "**Streets.** RNV's %s km of roads (%s nodes), with the stop links and H3 cell tables they bring, "+
		"add %s MB to the graph file (%.0f bytes per km) and %s MB to the heap (%.0f bytes per km).\n\n",
		thousands(int64(sb.StreetKm)), thousands(int64(sb.StreetNodes)), num(float64(sb.FileBytes-gb.FileBytes)/1e6), streetFilePerKm,
		num(rnv.Query.HeapMB.Median-rnvG.Query.HeapMB.Median), streetHeapPerKm)

	// Precompute cost per cell, and its parts.
	pc := rennes.Query.Precompute
	reach, rng := rennes.Query.typ("reach-90"), rennes.Query.typ("range-90")
	schools := float64(rennes.Build.Facts.Schools)
	if pc == nil || reach == nil || rng == nil || schools == 0 {
		return
	}
	perSchool := math.Max(reach.P50.Median-rng.P50.Median, 0) / schools
	cellsPerKm := float64(pc.IndexCells) / rennes.Build.Facts.StreetKm
	fmt.Fprintf(w, "**Precompute.** `engine.Precompute` runs one reach request per H3 cell of resolution %d that the streets "+
		"cross. On Rennes (%s such cells, %.0f per km of street; %d computed per run) it costs %s core-ms per cell. "+
		"A reach request is the range search (%s ms p50) plus the evaluation of every school (%s ms for %s schools, "+
		"%.4f ms per school).\n\n",
		pc.Resolution, thousands(int64(pc.IndexCells)), cellsPerKm, pc.Cells, fig(pc.CellMS), fig(rng.P50),
		num(reach.P50.Median-rng.P50.Median), thousands(int64(schools)), perSchool)

	// France.
	var feeds []int
	for _, n := range a.FeedReads {
		if n >= 10000 {
			feeds = append(feeds, n)
		}
	}
	meanFeed := float64(a.StopTimesRead) / float64(max(len(feeds), 1))
	frRead := meanFeed * franceFeeds
	frDay := frRead * dayShare
	frFile := frDay*filePerST + franceWalkKm*streetFilePerKm
	frHeap := frDay*heapPerST + franceWalkKm*streetHeapPerKm
	frCells := franceWalkKm * cellsPerKm
	// Per-cell cost on another graph: the measured precompute cost scaled
	// by the model range search + schools × per-school cost.
	model := func(schools float64) float64 { return rng.P50.Median + perSchool*schools }
	regionSchools := franceSchools / franceRegions * borderOverlap
	regionCell := pc.CellMS.Median * model(regionSchools) / model(schools)
	nationalCell := pc.CellMS.Median * model(franceSchools) / model(schools)
	coreHours := func(cellMS float64) float64 { return frCells * cellMS / 1000 / 3600 }
	cores := float64(franceMachines * franceRegionCore)
	fmt.Fprintf(w, "### Extrapolation to France (estimated, not measured)\n\n")
	if r.France != nil {
		fmt.Fprintf(w, "The section France (synthetic) below measures a graph of national size on this machine; "+
			"this estimate from the city graphs stays for comparison and for what cannot be run here "+
			"(a national street network, the precompute of every cell on a cluster).\n\n")
	}
	fmt.Fprintf(w, "Assumptions: %d feeds whose mean size is that of the %d real networks here (%s stop_times read each), "+
		"the same share running on one day (%.0f%%); %s km of walkable streets (France has about 1.1 million km of "+
		"public roads; paths add to it); %s schools; %d metropolitan regions, one graph each with %.0f%% more for "+
		"border areas; cells and per-cell work as measured on Rennes (the STAR bus network); a regional range "+
		"search costing what Rennes' does, since a 90-minute search does not reach further than its region's "+
		"trains and unreachable trips cost little (all-feeds measurement above: %s). "+
		"Everything scales linearly from the measured rates; the results are orders of magnitude, not promises.\n\n",
		franceFeeds, len(feeds), thousands(int64(meanFeed)), 100*dayShare, thousands(franceWalkKm), thousands(franceSchools),
		franceRegions, 100*(borderOverlap-1), unrelated)
	rows := [][]string{
		{"stop_times read / of one day", fmt.Sprintf("%.0f M / %.0f M", frRead/1e6, frDay/1e6), "mean feed × 200, × day share"},
		{"graph file, all of France", fmt.Sprintf("%.1f GB", frFile/1e9), fmt.Sprintf("%.0f B per stop time + %.0f B per street km", filePerST, streetFilePerKm)},
		{"server heap, one national graph", fmt.Sprintf("%.1f GB", frHeap/1e9), fmt.Sprintf("%.0f B per stop time + %.0f B per street km", heapPerST, streetHeapPerKm)},
		{"server heap, one regional graph", fmt.Sprintf("%.2f GB", frHeap/franceRegions*borderOverlap/1e9), fmt.Sprintf("national / %d × %.1f", franceRegions, borderOverlap)},
		{fmt.Sprintf("H3 cells to precompute (res %d)", pc.Resolution), fmt.Sprintf("%.1f M", frCells/1e6), fmt.Sprintf("%.0f cells per street km", cellsPerKm)},
		{"cost per cell, regional graph", fmt.Sprintf("%.1f core-ms", regionCell),
			fmt.Sprintf("Rennes' %.1f core-ms × (range search + %.0f schools) / (range search + %.0f schools)", pc.CellMS.Median, regionSchools, schools)},
		{"cost per cell, national graph", fmt.Sprintf("%.1f core-ms", nationalCell),
			fmt.Sprintf("the same with %d schools", franceSchools)},
		{"precompute, regional graphs", fmt.Sprintf("%s core-hours: %s on 2 cores, %s on %d cores, %s on %.0f cores",
			num(coreHours(regionCell)), hours(coreHours(regionCell)/2), hours(coreHours(regionCell)/franceRegionCore), franceRegionCore,
			hours(coreHours(regionCell)/cores), cores), "cells × cost / cores"},
		{"precompute, one national graph", fmt.Sprintf("%s core-hours: %s on %.0f cores", num(coreHours(nationalCell)),
			hours(coreHours(nationalCell)/cores), cores), "every request evaluates every school"},
	}
	table(w, []string{"quantity", "estimate", "from"}, rows)
	regionHeap := frHeap / franceRegions * borderOverlap
	rssRatio := rnv.Query.MaxRSSMB.Median / rnv.Query.HeapMB.Median
	fmt.Fprintf(w, "**How shards spread.** Serving: one graph per region (%.1f GB of heap each by the estimate above; "+
		"a serving process peaks at %.1f times its graph's heap on RNV, so about %.1f GB of memory per replica, "+
		"replicated for load); a request goes to the graph of its origin's region, and the "+
		"regions overlap at their borders so that a pupil near one reaches the schools across it. Precompute: "+
		"`reach precompute --shard i/n` splits a region's cells by index modulo n; every shard loads the whole "+
		"regional graph (its memory does not shrink with n) and does 1/n of the cells, so n shards run on n "+
		"machines (a Kubernetes Indexed Job) in 1/n of the time, and `reach merge` joins them. With %d machines of "+
		"%d cores the whole country takes about %s; the index it produces is a table "+
		"(cell, school, band, modality) that a frontend looks up without routing.\n\n",
		regionHeap/1e9, rssRatio, regionHeap*rssRatio/1e9, franceMachines, franceRegionCore, hours(coreHours(regionCell)/cores))
}

// reproRow is one figure compared with the previous run.
type reproRow struct {
	what     string
	old, new figure
}

func (r *results) writeReproduction(w io.Writer, prev *results) {
	fmt.Fprintf(w, "## Reproduction\n\n")
	if prev == nil {
		fmt.Fprintf(w, "No previous run to compare with (`benchmarks/report.json` was absent). Run the command again: "+
			"this section will then compare every headline figure with this run.\n")
		return
	}
	var rows []reproRow
	for _, d := range r.Datasets {
		p := prev.dataset(d.Name)
		if p == nil {
			continue
		}
		if d.Build != nil && p.Build != nil {
			rows = append(rows, reproRow{d.Name + " build s", p.Build.Seconds, d.Build.Seconds},
				reproRow{d.Name + " build peak heap MB", p.Build.PeakHeapMB, d.Build.PeakHeapMB},
				reproRow{d.Name + " graph file MB", p.Build.FileMB, d.Build.FileMB})
		}
		rows = append(rows, reproRow{d.Name + " heap MB", p.Query.HeapMB, d.Query.HeapMB})
		for _, t := range d.Query.Types {
			if pt := p.Query.typ(t.Name); pt != nil {
				rows = append(rows, reproRow{d.Name + " " + t.Name + " p50 ms", pt.P50, t.P50})
				if t.Throughput.Median > 0 {
					rows = append(rows, reproRow{d.Name + " " + t.Name + " queries/s", pt.Throughput, t.Throughput})
				}
			}
		}
		if d.Query.Precompute != nil && p.Query.Precompute != nil {
			rows = append(rows, reproRow{d.Name + " precompute core-ms per cell", p.Query.Precompute.CellMS, d.Query.Precompute.CellMS})
		}
	}
	if r.France != nil && prev.France != nil {
		for _, p := range r.France.Points {
			o := prev.France.point(p.Copies)
			if o == nil {
				continue
			}
			name := fmt.Sprintf("France %d copies ", p.Copies)
			rows = append(rows, reproRow{name + "load s", o.LoadS, p.LoadS}, reproRow{name + "heap MB", o.HeapMB, p.HeapMB})
			if s, os := p.set("rennes"), o.set("rennes"); s != nil && os != nil {
				rows = append(rows, reproRow{name + "Rennes reach-90 p50 ms", os.P50, s.P50})
			}
			rows = append(rows, reproRow{name + "CPU ms per Rennes origin", o.BatchCPUMS, p.BatchCPUMS})
		}
	}
	if r.Loadtest != nil && prev.Loadtest != nil {
		rows = append(rows, reproRow{"load test answers/s", prev.Loadtest.Throughput, r.Loadtest.Throughput},
			reproRow{"load test p50 ms", prev.Loadtest.P50, r.Loadtest.P50})
	}
	in := 0
	var table2 [][]string
	var missed []string
	for _, x := range rows {
		ok := x.new.within(x.old)
		if ok {
			in++
		} else if x.old.Median != 0 {
			missed = append(missed, fmt.Sprintf("%s (%+.0f%%)", x.what, 100*(x.new.Median-x.old.Median)/x.old.Median))
		}
		verdict := "yes"
		if !ok {
			verdict = "**no**"
		}
		delta := "0%"
		if x.old.Median != 0 {
			delta = fmt.Sprintf("%+.0f%%", 100*(x.new.Median-x.old.Median)/x.old.Median)
		}
		table2 = append(table2, []string{x.what, fig(x.old), fig(x.new), delta, verdict})
	}
	fmt.Fprintf(w, "This run against the previous one (started %s, commit %s): a figure is reproduced when the two "+
		"runs' intervals, median ± noise as written above, overlap (or the medians differ by less than 0.5%%, the "+
		"precision of the printed figures). **%d of %d figures are reproduced within the stated noise.** Sizes "+
		"(graph files, heaps) move only when the code changes between the runs.\n\n", prev.Started, prev.Machine.Commit, in, len(rows))
	if len(missed) > 0 {
		fmt.Fprintf(w, "Not reproduced: %s; presumably the machine's load moved more between the two runs than between the "+
			"repeats of one.\n\n", strings.Join(missed, ", "))
	}
	table(w, []string{"figure", "previous", "this run", "change", "reproduced"}, table2)
}
