// Command report builds the shared datasets, runs the query benchmarks and
// the load test, and writes benchmarks/REPORT.md: build time, graph size and
// memory, latency percentiles per query type and dataset, throughput,
// nanoseconds per stop time scanned, plots, the machine, a scaling
// section with an extrapolation to France, and the France (synthetic)
// section that measures instead: benchmarks/france generates copies of
// the shared networks across France, and for each copy count of -france
// (1,5,10,20,40 by default) the graph is built with `reach build`, loaded
// in fresh processes as `reach serve` loads it, and queried (france.go).
//
// Every build and every query benchmark runs in a child process of its own
// (this program started again with -child), so that its peak resident
// memory is its own and runs do not warm each other. Figures are medians
// over the repeated runs; the report states their spread as its noise.
// When a previous benchmarks/report.json exists, the report compares the
// new figures with it and says which are reproduced within the noise.
//
// Usage (from the repository root):
//
//	go run ./benchmarks/report [-data ../shared/data] [-out benchmarks/REPORT.md]
//
// `make bench-report` runs it. It takes about 6 minutes on 2 cores, plus
// about 20 for the France part (-france "" skips it; -france-only measures
// it alone, to try it). With -from FILE it measures nothing and writes the
// report from saved figures.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"reach/internal/realdata"
)

// config sizes a report run.
type config struct {
	BuildRuns       int     `json:"build_runs"`
	QueryRuns       int     `json:"query_runs"`
	Queries         int     `json:"queries"` // per query type and run
	LoadtestRuns    int     `json:"loadtest_runs"`
	LoadtestSeconds float64 `json:"loadtest_seconds"`
	PrecompPart     int     `json:"precompute_part"` // 1/n of the index cells
}

func main() {
	child := flag.String("child", "", "internal: run one measurement (build or query) and print it as JSON")
	name := flag.String("dataset", "", "internal: the child's dataset")
	graphPath := flag.String("graph", "", "internal: the child's graph file")
	originsIn := flag.String("origins-in", "", "internal: origins file to read")
	originsOut := flag.String("origins-out", "", "internal: origins file to write")
	dataDir := flag.String("data", "", "shared data `DIR` (default: ../shared/data beside the repository)")
	out := flag.String("out", "benchmarks/REPORT.md", "report `FILE`; its figures go to report.json and its plots to plots/ beside it")
	work := flag.String("work", "", "working `DIR` for graphs (default: a temporary directory, removed)")
	from := flag.String("from", "", "measure nothing: write the report from the figures of this report.json `FILE`")
	prevPath := flag.String("prev", "", "with -from: compare with the figures of this report.json `FILE`")
	var c config
	flag.IntVar(&c.BuildRuns, "build-runs", 5, "builds per dataset")
	flag.IntVar(&c.QueryRuns, "query-runs", 5, "query benchmark runs per dataset")
	flag.IntVar(&c.Queries, "queries", 100, "timed queries per query type and run")
	flag.IntVar(&c.LoadtestRuns, "loadtest-runs", 3, "load test runs (0: none)")
	flag.Float64Var(&c.LoadtestSeconds, "loadtest-seconds", 15, "length of each load test run")
	flag.IntVar(&c.PrecompPart, "precompute-part", 40, "precompute 1/n of the index cells")
	franceList := flag.String("france", "1,5,10,20,40", "synthetic France: the copy `COUNTS` to generate, build, load and query (benchmarks/france); \"\" for none")
	var fc franceConfig
	flag.IntVar(&fc.Loads, "france-loads", 3, "fresh-process loads per France copy count")
	flag.IntVar(&fc.Runs, "france-runs", 1, "query runs per France copy count")
	flag.IntVar(&fc.Queries, "france-queries", 100, "timed reach-90 queries per origin set on the France graphs")
	flag.IntVar(&fc.Origins, "france-origins", 300, "Rennes origins of the France CPU comparison (reach batch)")
	flag.IntVar(&fc.Cells, "france-cells", 200, "Rennes res-11 cells of the France precompute sample")
	franceDir := flag.String("france-dir", "", "generate the synthetic France into `DIR` and keep it; reuse it when it already holds as many copies")
	franceOnly := flag.Bool("france-only", false, "measure the France part only (to try it; the report then lacks the other sections)")
	franceAux := flag.String("france-aux", "", "internal: the France origin files")
	countCells := flag.Bool("count-cells", false, "internal: count the graph's res-11 street cells")
	flag.Parse()
	if *dataDir == "" {
		*dataDir = realdata.Dir()
	}
	var err error
	switch *child {
	case "france-load":
		var r *franceLoadRun
		if r, err = childFranceLoad(*graphPath); err == nil {
			err = json.NewEncoder(os.Stdout).Encode(r)
		}
	case "france-query":
		var r *franceQueryRun
		if r, err = childFranceQuery(*graphPath, *franceAux, fc, *countCells); err == nil {
			err = json.NewEncoder(os.Stdout).Encode(r)
		}
	case "build", "query":
		err = runChild(*child, *name, *dataDir, *graphPath, queryConfig{Queries: c.Queries, Warmup: 10,
			OriginsIn: *originsIn, OriginsOut: *originsOut, PrecompPart: c.PrecompPart}, os.Stdout)
	case "":
		if *from != "" {
			err = rewrite(*from, *prevPath, *out)
		} else if *dataDir == "" {
			err = errors.New("the shared data directory is absent: give -data DIR")
		} else if fc.Copies, err = parseCopies(*franceList); err == nil {
			err = runReport(c, fc, *franceOnly, *franceDir, *dataDir, *out, *work)
		}
	default:
		err = fmt.Errorf("-child %q: want build or query", *child)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// rewrite writes the report from saved figures (after a change of its
// wording, say), without measuring again.
func rewrite(from, prevPath, out string) error {
	res, err := readResults(from)
	if err != nil {
		return err
	}
	var prev *results
	if prevPath != "" {
		if prev, err = readResults(prevPath); err != nil {
			return err
		}
	}
	return writeReport(res, prev, out)
}

// runChild performs one measurement and prints it as JSON.
func runChild(kind, name, dataDir, graphPath string, qc queryConfig, w io.Writer) error {
	d, err := findDataset(name)
	if err != nil {
		return err
	}
	var v any
	if kind == "build" {
		v, err = childBuild(d, dataDir, graphPath)
	} else {
		v, err = childQuery(d, graphPath, qc)
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(w).Encode(v)
}

// spawn runs this program as a child and decodes its JSON output into v,
// returning the child's peak resident memory in MB.
func spawn(v any, args ...string) (float64, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(exe, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), v); err != nil {
		return 0, fmt.Errorf("%s: output: %w", strings.Join(args, " "), err)
	}
	var rss float64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = float64(ru.Maxrss) / 1024 // kB on Linux
	}
	return rss, nil
}

// runReport measures everything and writes the report.
func runReport(c config, fc franceConfig, franceOnly bool, franceDir, dataDir, out, work string) error {
	start := time.Now()
	if work == "" {
		dir, err := os.MkdirTemp("", "reach-report-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		work = dir
	}
	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
	}
	res := &results{Config: c, Started: start.UTC().Format(time.RFC3339), Machine: describeMachine()}
	// Repeats run in rounds over all datasets rather than back to back, so
	// that their spread includes the drift of a shared machine's load over
	// the whole run.
	builds := make(map[string][]buildRun)
	queries := make([][]queryRun, len(datasets))
	var loads []loadRun
	ltBin := ""
	if c.LoadtestRuns > 0 && !franceOnly {
		ltBin = filepath.Join(work, "loadtest")
		logf("go build ./benchmarks/loadtest")
		if out, err := exec.Command("go", "build", "-o", ltBin, "./benchmarks/loadtest").CombinedOutput(); err != nil {
			return fmt.Errorf("building the load test: %v\n%s", err, out)
		}
	}
	rounds := max(c.BuildRuns, c.QueryRuns, c.LoadtestRuns)
	if franceOnly {
		rounds = 0
	}
	for round := 0; round < rounds; round++ {
		built := map[string]bool{}
		for k, d := range datasets {
			gpath := filepath.Join(work, d.graphName()+".graph")
			if round < c.BuildRuns && !built[d.graphName()] {
				built[d.graphName()] = true
				logf("round %d/%d: build %s", round+1, rounds, d.Name)
				var r buildRun
				rss, err := spawn(&r, "-child", "build", "-dataset", d.Name, "-data", dataDir, "-graph", gpath)
				if err != nil {
					return err
				}
				r.MaxRSSMB = rss
				builds[d.Name] = append(builds[d.Name], r)
			}
			if round >= c.QueryRuns {
				continue
			}
			logf("round %d/%d: queries %s", round+1, rounds, d.Name)
			args := []string{"-child", "query", "-dataset", d.Name, "-graph", gpath,
				"-queries", fmt.Sprint(c.Queries), "-precompute-part", fmt.Sprint(c.PrecompPart)}
			if d.OriginsFrom == "" {
				args = append(args, "-origins-out", filepath.Join(work, d.Name+"-origins.json"))
			} else {
				args = append(args, "-origins-in", filepath.Join(work, d.OriginsFrom+"-origins.json"))
			}
			var r queryRun
			rss, err := spawn(&r, args...)
			if err != nil {
				return err
			}
			r.MaxRSSMB = rss
			queries[k] = append(queries[k], r)
		}
		if round < c.LoadtestRuns {
			logf("round %d/%d: load test", round+1, rounds)
			lr, err := runLoadtest(ltBin, filepath.Join(work, "rennes.graph"), c.LoadtestSeconds)
			if err != nil {
				return err
			}
			loads = append(loads, lr)
		}
	}
	for k, d := range datasets {
		if franceOnly {
			break
		}
		dr := datasetResult{Name: d.Name, About: d.About, Scaling: d.Scaling, Query: summarizeQueries(queries[k])}
		if runs := builds[d.Name]; len(runs) > 0 {
			dr.Build = summarizeBuilds(runs)
		}
		res.Datasets = append(res.Datasets, dr)
	}
	if len(loads) > 0 {
		res.Loadtest = summarizeLoads(loads)
	}
	if len(fc.Copies) > 0 {
		fr, err := runFrance(fc, dataDir, work, franceDir, logf)
		if err != nil {
			return err
		}
		res.France = fr
	}
	res.Machine.LoadAfter = loadAverage()
	res.Minutes = time.Since(start).Minutes()

	jsonPath := filepath.Join(filepath.Dir(out), "report.json")
	prev, err := readResults(jsonPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := writeReport(res, prev, out); err != nil {
		return err
	}
	b, err := json.MarshalIndent(res, "", " ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(jsonPath, append(b, '\n'), 0o644); err != nil {
		return err
	}
	logf("wrote %s, %s and %s in %.1f min", out, jsonPath, filepath.Join(filepath.Dir(out), "plots"), res.Minutes)
	return nil
}

// readResults reads the figures of a run.
func readResults(path string) (*results, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r results
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

// writeReport writes the Markdown report and its plots (in plots/ beside
// it) from a run's figures, compared with prev when set.
func writeReport(res, prev *results, out string) error {
	plotDir := filepath.Join(filepath.Dir(out), "plots")
	if err := os.MkdirAll(plotDir, 0o755); err != nil {
		return err
	}
	for name, ch := range res.charts() {
		if err := os.WriteFile(filepath.Join(plotDir, name), ch.svg(), 0o644); err != nil {
			return err
		}
	}
	var md bytes.Buffer
	res.writeMarkdown(&md, prev)
	return os.WriteFile(out, md.Bytes(), 0o644)
}

// loadResult is what the load tests measured (benchmarks/loadtest).
type loadResult struct {
	Throughput figure `json:"throughput"`
	P50        figure `json:"p50_ms"`
	P95        figure `json:"p95_ms"`
	P99        figure `json:"p99_ms"`
	Requests   int64  `json:"requests"`
	Failed     int64  `json:"failed"`
	Shed       int64  `json:"shed"`
	Reloads    int    `json:"reloads"`
	Refused    int    `json:"refused"`
	Workers    int    `json:"workers"`
}

// loadRun is one run of benchmarks/loadtest (its -json output).
type loadRun struct {
	Requests, OK, Shed, Failed int64
	Throughput                 float64
	P50, P95, P99              time.Duration
	Reloads, Refused           int
}

// runLoadtest runs the load test binary on a graph.
func runLoadtest(bin, graphPath string, seconds float64) (loadRun, error) {
	cmd := exec.Command(bin, "-graph", graphPath, "-duration", fmt.Sprintf("%gs", seconds), "-json")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run() // a failed request exits 1 after printing the figures
	var r loadRun
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		return r, fmt.Errorf("load test: %v (%v)\n%s", err, runErr, stderr.String())
	}
	return r, nil
}

func summarizeLoads(runs []loadRun) *loadResult {
	lr := &loadResult{Workers: 4 * runtime.GOMAXPROCS(0)}
	var tput, p50, p95, p99 []float64
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	for _, r := range runs {
		tput = append(tput, r.Throughput)
		p50, p95, p99 = append(p50, ms(r.P50)), append(p95, ms(r.P95)), append(p99, ms(r.P99))
		lr.Requests += r.Requests
		lr.Failed += r.Failed
		lr.Shed += r.Shed
		lr.Reloads += r.Reloads
		lr.Refused += r.Refused
	}
	lr.Throughput, lr.P50, lr.P95, lr.P99 = newFigure(tput), newFigure(p50), newFigure(p95), newFigure(p99)
	return lr
}
