package server

import (
	"context"
	"embed"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/klauspost/compress/gzhttp"
)

//go:embed web
var webFS embed.FS

//go:embed openapi.json
var openAPI []byte

// routes builds the handler: access log and metrics, CORS, compression,
// then the router.
func (s *Server) routes() http.Handler {
	r := mux.NewRouter()
	s.mux = r
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeProblem(w, r, noRoute()) })
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
			probe := req.Clone(req.Context())
			probe.Method = m
			var match mux.RouteMatch
			if r.Match(probe, &match) && match.MatchErr == nil {
				allow = append(allow, m)
			}
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeProblem(w, req, &Problem{Type: typeMethod, Title: "Method not allowed", Status: http.StatusMethodNotAllowed,
			Detail: clipEcho(req.Method) + " is not allowed on " + clipEcho(req.URL.Path)})
	})
	get := []string{http.MethodGet, http.MethodHead}
	for _, rt := range s.apiRoutes() {
		r.Handle(rt.path, s.api(rt)).Methods(get...).Name(rt.name)
	}
	if s.cfg.AdminToken != "" {
		// Without a token the route does not exist: 404 for any method.
		r.HandleFunc("/v1/admin/reload", s.handleReload).Methods(http.MethodPost).Name("reload")
	}
	r.HandleFunc("/healthz", s.handleHealthz).Methods(get...).Name("healthz")
	r.HandleFunc("/readyz", s.handleReadyz).Methods(get...).Name("readyz")
	r.HandleFunc("/metrics", s.handleMetrics).Methods(get...).Name("metrics")
	r.HandleFunc("/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openAPI)
	}).Methods(get...).Name("openapi")
	r.HandleFunc("/", s.handleIndex).Methods(get...).Name("index")
	static, _ := fs.Sub(webFS, "web") // cannot fail: "web" is a valid path
	r.PathPrefix("/web/").Handler(staticFiles("/web/", static)).Methods(get...).Name("web")
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if info, ok := req.Context().Value(infoKey{}).(*reqInfo); ok {
				if cr := mux.CurrentRoute(req); cr != nil {
					info.route = cr.GetName()
				}
			}
			next.ServeHTTP(w, req)
		})
	})
	compress, _ := gzhttp.NewWrapper() // cannot fail with the default options
	return s.accessLog(s.cors(compress(r)))
}

// staticFiles serves the files of fsys under the path prefix (no
// directory listings); anything else is a 404 problem.
func staticFiles(prefix string, fsys fs.FS) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, prefix)
		if !ok || !fs.ValidPath(name) {
			writeProblem(w, r, noRoute())
			return
		}
		f, err := fsys.Open(name)
		if err != nil {
			writeProblem(w, r, noRoute())
			return
		}
		defer f.Close()
		info, err := f.Stat()
		rs, seekable := f.(io.ReadSeeker)
		if err != nil || info.IsDir() || !seekable {
			writeProblem(w, r, noRoute())
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, name, info.ModTime(), rs)
	})
}

// statusClientClosed is logged (never sent) for a request whose client
// went away before the answer, as nginx does.
const statusClientClosed = 499

type infoKey struct{}

// reqInfo is filled by the router for the access log.
type reqInfo struct{ route string }

// recorder captures the status and size of an answer.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// accessLog logs every request (without its query string, which holds a
// pupil's address) and records its latency in the metrics. A panic of a
// handler is answered with a 500 problem.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &reqInfo{route: "unmatched"}
		rec := &recorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("handler panic", "path", r.URL.Path, "panic", p)
				if rec.status == 0 {
					writeProblem(rec, r, problemOf(nil))
				}
			}
			if rec.status == 0 {
				rec.status = http.StatusOK
				if r.Context().Err() != nil {
					rec.status = statusClientClosed
				}
			}
			d := time.Since(start)
			s.metrics.observe(info.route, r.Method, rec.status, d)
			level := slog.LevelInfo
			if rec.status >= 500 {
				level = slog.LevelWarn
			}
			host, _, _ := net.SplitHostPort(r.RemoteAddr)
			s.log.LogAttrs(r.Context(), level, "request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", info.route),
				slog.Int("status", rec.status), slog.Int64("bytes", rec.bytes),
				slog.Float64("duration_ms", float64(d.Microseconds())/1000), slog.String("remote", host))
		}()
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)))
	})
}

// cors adds the CORS headers for allowed origins and answers preflights.
func (s *Server) cors(next http.Handler) http.Handler {
	if len(s.cfg.CORSOrigins) == 0 {
		return next
	}
	anyOrigin := slices.Contains(s.cfg.CORSOrigins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		w.Header().Add("Vary", "Origin")
		if origin == "" || !(anyOrigin || slices.Contains(s.cfg.CORSOrigins, origin)) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		if anyOrigin {
			h.Set("Access-Control-Allow-Origin", "*")
		} else {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		h.Set("Access-Control-Expose-Headers", "Retry-After, X-Graph-Build")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, HEAD, POST")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
