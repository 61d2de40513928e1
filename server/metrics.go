package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// latencyBuckets are the upper bounds of the latency histogram, seconds.
var latencyBuckets = [...]float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// metrics is what /metrics exposes, in a registry of the server's own:
// the Go runtime's and the process's collectors, request latencies, the
// concurrency limiter, reloads and the graph served.
type metrics struct {
	reg      *prometheus.Registry
	duration *prometheus.HistogramVec // by route, method, status
	reloaded *prometheus.CounterVec   // by result: ok, refused
	handler  http.Handler
}

func newMetrics(s *Server) (*metrics, error) {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "reach_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route, method and status.",
			Buckets: latencyBuckets[:],
		}, []string{"route", "method", "status"}),
		reloaded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "reach_graph_reloads_total",
			Help: "Graph loads, by result.",
		}, []string{"result"}),
	}
	// Both results are shown from the start, at 0.
	m.reloaded.WithLabelValues("ok")
	m.reloaded.WithLabelValues("refused")
	l := s.limit
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.duration,
		m.reloaded,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "reach_http_inflight_requests", Help: "Heavy requests being computed."},
			func() float64 { return float64(l.inflight()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "reach_http_queued_requests", Help: "Heavy requests waiting for a slot."},
			func() float64 { return float64(l.waiting.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "reach_http_shed_total", Help: "Requests refused with 503 because every slot was taken."},
			func() float64 { return float64(l.shed.Load()) }),
		graphCollector{s},
	} {
		if err := m.reg.Register(c); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	// A collector that fails (say, /proc unreadable) is logged and left
	// out rather than failing the whole scrape.
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError})
	return m, nil
}

// observe records one answered request.
func (m *metrics) observe(route, method string, status int, d time.Duration) {
	m.duration.WithLabelValues(route, method, strconv.Itoa(status)).Observe(d.Seconds())
}

func (m *metrics) reloads(ok bool) {
	if ok {
		m.reloaded.WithLabelValues("ok").Inc()
	} else {
		m.reloaded.WithLabelValues("refused").Inc()
	}
}

// graphCollector describes the graph being served, read at each scrape
// (nothing when none is loaded).
type graphCollector struct{ s *Server }

var (
	graphInfoDesc = prometheus.NewDesc("reach_graph_info", "The graph being served.", []string{"build_id", "date"}, nil)
	graphLoadDesc = prometheus.NewDesc("reach_graph_loaded_timestamp_seconds", "When the graph being served was loaded.", nil, nil)
)

func (c graphCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- graphInfoDesc
	ch <- graphLoadDesc
}

func (c graphCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.s.cur.Load()
	if st == nil {
		return
	}
	meta := st.eng.Graph().Meta
	info, err := prometheus.NewConstMetric(graphInfoDesc, prometheus.GaugeValue, 1, meta.BuildID, meta.Date)
	if err != nil { // a label value that is not UTF-8
		info = prometheus.NewInvalidMetric(graphInfoDesc, err)
	}
	ch <- info
	ch <- prometheus.MustNewConstMetric(graphLoadDesc, prometheus.GaugeValue, float64(st.loadedAt.Unix()))
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	s.metrics.handler.ServeHTTP(w, r)
}
