package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// results is everything a report run measured; it is written to
// report.json so that the next run can compare with it.
type results struct {
	Started  string          `json:"started"`
	Minutes  float64         `json:"minutes"`
	Config   config          `json:"config"`
	Machine  machine         `json:"machine"`
	Datasets []datasetResult `json:"datasets"`
	Loadtest *loadResult     `json:"loadtest,omitempty"`
	France   *franceResult   `json:"france,omitempty"`
}

// machine describes where the figures were measured.
type machine struct {
	CPU        string `json:"cpu"`
	Cores      int    `json:"cores"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	MemoryGB   float64
	Kernel     string `json:"kernel"`
	Go         string `json:"go"`
	Platform   string `json:"platform"`
	Commit     string `json:"commit"`
	LoadBefore string `json:"load_before"`
	LoadAfter  string `json:"load_after"`
}

// datasetResult holds one dataset's figures.
type datasetResult struct {
	Name    string      `json:"name"`
	About   string      `json:"about"`
	Scaling bool        `json:"scaling,omitempty"`
	Build   *buildStats `json:"build,omitempty"` // nil when the graph is another dataset's
	Query   *queryStats `json:"query"`
}

// buildStats are a dataset's build figures; Facts are the counts of the
// graph, the same in every run.
type buildStats struct {
	Seconds    figure   `json:"seconds"`
	PeakHeapMB figure   `json:"peak_heap_mb"`
	MaxRSSMB   figure   `json:"max_rss_mb"`
	FileMB     figure   `json:"file_mb"`
	Facts      buildRun `json:"facts"`
}

// queryStats are a dataset's query figures.
type queryStats struct {
	LoadSeconds figure      `json:"load_seconds"`
	HeapMB      figure      `json:"heap_mb"`
	RSSLoadedMB figure      `json:"rss_loaded_mb"`
	MaxRSSMB    figure      `json:"max_rss_mb"`
	Types       []typeStats `json:"types"`
	Windows     []windowFig `json:"windows,omitempty"`
	Precompute  *precompFig `json:"precompute,omitempty"`
}

type typeStats struct {
	Name       string `json:"name"`
	Queries    int    `json:"queries"`
	P50        figure `json:"p50_ms"`
	P95        figure `json:"p95_ms"`
	P99        figure `json:"p99_ms"`
	Scanned    figure `json:"scanned"`
	NsPerScan  figure `json:"ns_per_scan"`
	Throughput figure `json:"throughput"`
}

type windowFig struct {
	Minutes int    `json:"minutes"`
	P50     figure `json:"p50_ms"`
}

type precompFig struct {
	CellMS     figure `json:"cell_ms"` // core-milliseconds per cell
	Cells      int    `json:"cells"`   // computed per run
	IndexCells int    `json:"index_cells"`
	Resolution int    `json:"resolution"`
}

func summarizeBuilds(runs []buildRun) *buildStats {
	var secs, heap, rss, file []float64
	for _, r := range runs {
		secs, heap, rss = append(secs, r.Seconds), append(heap, r.PeakHeapMB), append(rss, r.MaxRSSMB)
		file = append(file, float64(r.FileBytes)/1e6)
	}
	facts := runs[len(runs)-1]
	facts.Seconds, facts.PeakHeapMB, facts.MaxRSSMB = 0, 0, 0
	return &buildStats{Seconds: newFigure(secs), PeakHeapMB: newFigure(heap), MaxRSSMB: newFigure(rss), FileMB: newFigure(file), Facts: facts}
}

func summarizeQueries(runs []queryRun) *queryStats {
	pick := func(f func(queryRun) float64) figure {
		var v []float64
		for _, r := range runs {
			v = append(v, f(r))
		}
		return newFigure(v)
	}
	q := &queryStats{
		LoadSeconds: pick(func(r queryRun) float64 { return r.LoadSeconds }),
		HeapMB:      pick(func(r queryRun) float64 { return r.HeapMB }),
		RSSLoadedMB: pick(func(r queryRun) float64 { return r.RSSLoadedMB }),
		MaxRSSMB:    pick(func(r queryRun) float64 { return r.MaxRSSMB }),
	}
	for k, t := range runs[0].Types {
		ty := func(f func(typeRun) float64) figure {
			return pick(func(r queryRun) float64 { return f(r.Types[k]) })
		}
		q.Types = append(q.Types, typeStats{Name: t.Name, Queries: t.Queries,
			P50: ty(func(t typeRun) float64 { return t.P50 }), P95: ty(func(t typeRun) float64 { return t.P95 }),
			P99:        ty(func(t typeRun) float64 { return t.P99 }),
			Scanned:    ty(func(t typeRun) float64 { return t.Scanned }),
			NsPerScan:  ty(func(t typeRun) float64 { return t.NsPerScan }),
			Throughput: ty(func(t typeRun) float64 { return t.Throughput })})
	}
	var ws []int
	for w := range runs[0].Windows {
		ws = append(ws, w)
	}
	sort.Ints(ws)
	for _, w := range ws {
		q.Windows = append(q.Windows, windowFig{Minutes: w, P50: pick(func(r queryRun) float64 { return r.Windows[w] })})
	}
	if runs[0].PrecomputeCells > 0 {
		q.Precompute = &precompFig{CellMS: pick(func(r queryRun) float64 { return r.PrecomputeCellMS }),
			Cells: runs[0].PrecomputeCells, IndexCells: runs[0].IndexCells, Resolution: runs[0].IndexResolution}
	}
	return q
}

// typ returns a query type's figures.
func (q *queryStats) typ(name string) *typeStats {
	for i := range q.Types {
		if q.Types[i].Name == name {
			return &q.Types[i]
		}
	}
	return nil
}

// dataset returns a dataset's figures.
func (r *results) dataset(name string) *datasetResult {
	for i := range r.Datasets {
		if r.Datasets[i].Name == name {
			return &r.Datasets[i]
		}
	}
	return nil
}

// describeMachine reads the processor, memory and system.
func describeMachine() machine {
	m := machine{Cores: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), Go: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH, LoadBefore: loadAverage()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
				m.MemoryGB = kb / 1024 / 1024
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(b))
	}
	if out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		m.Commit = strings.TrimSpace(string(out))
		// Uncommitted changes to tracked files make the code differ from
		// the commit's.
		if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil {
			if n := len(strings.Fields(strings.TrimSpace(string(st)))) / 2; n > 0 {
				m.Commit += fmt.Sprintf(" with %d modified files", n)
			}
		}
	}
	return m
}

// loadAverage reads the 1, 5 and 15 minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
