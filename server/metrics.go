package server

import (
	"bytes"
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// latencyBuckets are the upper bounds of the latency histogram, seconds.
var latencyBuckets = [...]float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

type histKey struct {
	route, method string
	status        int
}

// histogram counts observations per bucket (not cumulated; the last
// counter is above every bound).
type histogram struct {
	counts [len(latencyBuckets) + 1]uint64
	sum    float64
	n      uint64
}

// metrics collects what /metrics exposes, in the Prometheus text format.
type metrics struct {
	s        *Server
	mu       sync.Mutex
	hist     map[histKey]*histogram
	reloadOK atomic.Int64
	reloadNo atomic.Int64
}

func newMetrics(s *Server) *metrics {
	return &metrics{s: s, hist: map[histKey]*histogram{}}
}

// observe records one answered request.
func (m *metrics) observe(route, method string, status int, d time.Duration) {
	sec := d.Seconds()
	i, _ := slices.BinarySearch(latencyBuckets[:], sec)
	k := histKey{route, method, status}
	m.mu.Lock()
	h := m.hist[k]
	if h == nil {
		h = &histogram{}
		m.hist[k] = h
	}
	h.counts[i]++
	h.sum += sec
	h.n++
	m.mu.Unlock()
}

func (m *metrics) reloads(ok bool) {
	if ok {
		m.reloadOK.Add(1)
	} else {
		m.reloadNo.Add(1)
	}
}

// write renders every metric in the Prometheus text exposition format.
func (m *metrics) write(b *bytes.Buffer) {
	type entry struct {
		k histKey
		h histogram
	}
	m.mu.Lock()
	entries := make([]entry, 0, len(m.hist))
	for k, h := range m.hist {
		entries = append(entries, entry{k, *h})
	}
	m.mu.Unlock()
	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.k.route, b.k.route), cmp.Compare(a.k.method, b.k.method), cmp.Compare(a.k.status, b.k.status))
	})
	b.WriteString("# HELP reach_http_request_duration_seconds Time to answer HTTP requests, by route, method and status.\n")
	b.WriteString("# TYPE reach_http_request_duration_seconds histogram\n")
	for _, e := range entries {
		labels := fmt.Sprintf(`route="%s",method="%s",status="%d"`, escapeLabel(e.k.route), escapeLabel(e.k.method), e.k.status)
		var cum uint64
		for i, le := range latencyBuckets {
			cum += e.h.counts[i]
			fmt.Fprintf(b, "reach_http_request_duration_seconds_bucket{%s,le=\"%s\"} %d\n", labels, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		fmt.Fprintf(b, "reach_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", labels, e.h.n)
		fmt.Fprintf(b, "reach_http_request_duration_seconds_sum{%s} %s\n", labels, strconv.FormatFloat(e.h.sum, 'g', -1, 64))
		fmt.Fprintf(b, "reach_http_request_duration_seconds_count{%s} %d\n", labels, e.h.n)
	}
	l := m.s.limit
	fmt.Fprintf(b, "# HELP reach_http_inflight_requests Heavy requests being computed.\n# TYPE reach_http_inflight_requests gauge\nreach_http_inflight_requests %d\n", l.inflight())
	fmt.Fprintf(b, "# HELP reach_http_queued_requests Heavy requests waiting for a slot.\n# TYPE reach_http_queued_requests gauge\nreach_http_queued_requests %d\n", l.waiting.Load())
	fmt.Fprintf(b, "# HELP reach_http_shed_total Requests refused with 503 because every slot was taken.\n# TYPE reach_http_shed_total counter\nreach_http_shed_total %d\n", l.shed.Load())
	fmt.Fprintf(b, "# HELP reach_graph_reloads_total Graph loads, by result.\n# TYPE reach_graph_reloads_total counter\n")
	fmt.Fprintf(b, "reach_graph_reloads_total{result=\"ok\"} %d\nreach_graph_reloads_total{result=\"refused\"} %d\n", m.reloadOK.Load(), m.reloadNo.Load())
	if st := m.s.cur.Load(); st != nil {
		g := st.eng.Graph()
		fmt.Fprintf(b, "# HELP reach_graph_info The graph being served.\n# TYPE reach_graph_info gauge\nreach_graph_info{build_id=\"%s\",date=\"%s\"} 1\n",
			escapeLabel(g.Meta.BuildID), escapeLabel(g.Meta.Date))
		fmt.Fprintf(b, "# HELP reach_graph_loaded_timestamp_seconds When the graph being served was loaded.\n# TYPE reach_graph_loaded_timestamp_seconds gauge\nreach_graph_loaded_timestamp_seconds %d\n",
			st.loadedAt.Unix())
	}
}

func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	var b bytes.Buffer
	s.metrics.write(&b)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}
