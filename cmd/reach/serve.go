package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"reach/server"
)

func runServe(args []string, stdout, stderr io.Writer) error {
	return runServeFrom(args, stdout, stderr, nil)
}

// runServeFrom serves like reach serve; the link it prints opens the web
// page on example when given, else on the graph's busiest stop.
func runServeFrom(args []string, stdout, stderr io.Writer, example *server.Place) error {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	return serve(args, stdout, stderr, sigs, nil, example)
}

// serve runs the HTTP server until SIGINT or SIGTERM arrives on sigs,
// reloading the graph on SIGHUP. started, when set, is called with the
// listening address once the server accepts connections. Once listening,
// it prints a link to the web page opened on example (nil: on a place
// the server picks).
func serve(args []string, stdout, stderr io.Writer, sigs <-chan os.Signal, started func(net.Addr), example *server.Place) error {
	fs := newFlags("serve", stdout, stderr)
	graphPath := fs.String("graph", "", "graph `FILE` to serve (required); reloaded on SIGHUP")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address `HOST:PORT` (the PORT environment variable overrides the port)")
	cors := fs.String("cors-origin", "", "comma-separated origins allowed to call the API from a browser (\"*\" for any)")
	timeout := fs.Duration("timeout", 30*time.Second, "time limit of one request's computation")
	inflight := fs.Int("max-inflight", 2*runtime.GOMAXPROCS(0), "heavy requests computed at once; more wait in a short queue, then get 503")
	queue := fs.Int("max-queue", 0, "heavy requests that may wait for a slot (default 4 × max-inflight; -1 for none)")
	queueWait := fs.Duration("queue-wait", 2*time.Second, "longest wait for a slot before a 503")
	maxMinutes := fs.Int("max-minutes", 180, "ceiling of the max_minutes parameter")
	tileURL := fs.String("tile-url", "", "raster tile URL template (https://…/{z}/{x}/{y}.png) drawn under the streets on the web page; default none (offline)")
	grace := fs.Duration("shutdown-grace", 20*time.Second, "on SIGTERM, how long requests in flight may take to finish")
	logFormat := fs.String("log-format", "auto", "access log format: json, text, or auto (json unless stderr is a terminal)")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *graphPath == "" {
		return fmt.Errorf("--graph is required")
	}
	listen, err := listenAddr(*addr, os.Getenv("PORT"))
	if err != nil {
		return err
	}
	log, err := newLogger(stderr, *logFormat)
	if err != nil {
		return err
	}
	var origins []string
	for _, o := range strings.Split(*cors, ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}
	srv, err := server.New(server.Config{
		GraphPath: *graphPath, AdminToken: os.Getenv("REACH_ADMIN_TOKEN"), CORSOrigins: origins,
		Timeout: *timeout, MaxInflight: *inflight, MaxQueue: *queue, QueueWait: *queueWait, MaxMinutes: *maxMinutes,
		TileURL: *tileURL, Logger: log,
	})
	if err != nil {
		return err
	}
	// The graph is loaded before listening: a file that cannot be served
	// stops the command here, and the server never answers without one.
	if _, err := srv.Reload(); err != nil {
		var re *server.ReloadError
		if errors.As(err, &re) {
			return fmt.Errorf("graph %s: %w (nothing served)", re.Path, re.Err)
		}
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	hs := srv.HTTPServer()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "graph", *graphPath, "build_id", srv.BuildID(), "max_inflight", *inflight)
	fmt.Fprintln(stdout, pageLine(ln.Addr(), srv, example))
	if started != nil {
		started(ln.Addr())
	}
	reloads := make(chan struct{}, 1)
	go func() {
		for range reloads {
			srv.Reload() // logs its outcome; a refused file leaves the old graph serving
		}
	}()
	defer close(reloads)
	for {
		select {
		case err := <-errc:
			return fmt.Errorf("serve %s: %w", listen, err)
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				log.Info("SIGHUP: reloading the graph", "graph", *graphPath)
				select {
				case reloads <- struct{}{}:
				default: // a reload is already pending: it will read the newest file
				}
				continue
			}
			log.Info("shutting down", "signal", sig.String(), "grace", grace.String())
			srv.Drain()
			ctx, cancel := context.WithTimeout(context.Background(), *grace)
			err := hs.Shutdown(ctx)
			cancel()
			if err != nil {
				return fmt.Errorf("shutdown: %w", err)
			}
			if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			log.Info("stopped")
			return nil
		}
	}
}

// pageLine says where the web page is, opened on an example place: the
// one given, or the busiest stop of the graph served.
func pageLine(addr net.Addr, srv *server.Server, example *server.Place) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		host, port = addr.String(), ""
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost" // listening on every interface
	}
	base := "http://" + net.JoinHostPort(host, port)
	p, ok := srv.ExamplePlace()
	if example != nil {
		p, ok = *example, true
	}
	if !ok {
		return "web page: " + base + "/"
	}
	return fmt.Sprintf("web page, from %s: %s", p.Name, server.PageLink(base, p))
}

// listenAddr applies the PORT environment variable to --addr.
func listenAddr(addr, port string) (string, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--addr %q: want HOST:PORT", addr)
	}
	if port != "" {
		p = port
	}
	if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("port %q: want a number 0..65535", p)
	}
	return net.JoinHostPort(host, p), nil
}

// newLogger logs JSON, or text when asked or when w is a terminal.
func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "auto":
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			return slog.New(slog.NewTextHandler(w, nil)), nil
		}
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want json, text or auto", format)
}
