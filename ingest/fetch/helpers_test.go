package fetch

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// gtfsFiles returns the files of a tiny GTFS feed whose single service runs
// on weekdays from one date to another (YYYYMMDD).
func gtfsFiles(from, to string) map[string]string {
	return map[string]string{
		"agency.txt":     "agency_id,agency_name,agency_url,agency_timezone\nA,Test,https://example.org,Europe/Paris\n",
		"stops.txt":      "stop_id,stop_name,stop_lat,stop_lon\nS1,Gare,48.1,-1.67\nS2,Lycée,48.11,-1.68\n",
		"routes.txt":     "route_id,agency_id,route_short_name,route_type\nR1,A,1,3\n",
		"trips.txt":      "route_id,service_id,trip_id\nR1,WK,T1\n",
		"stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,07:30:00,07:30:00,S1,1\nT1,07:45:00,07:45:00,S2,2\n",
		"calendar.txt":   "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0," + from + "," + to + "\n",
	}
}

// makeZip builds a zip holding files under the folder prefix ("" for the
// root) plus the extra entries given by full name.
func makeZip(t testing.TB, prefix string, files, extra map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if prefix != "" {
		if _, err := zw.Create(prefix + "/"); err != nil {
			t.Fatal(err)
		}
	}
	for name, body := range files {
		if prefix != "" {
			name = prefix + "/" + name
		}
		add(name, body)
	}
	for name, body := range extra {
		add(name, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// randomBytes returns n pseudo-random bytes (a stand-in for an OSM extract).
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func fileSHA(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sha(b)
}

// content is a resource served with http.ServeContent, which answers
// Range, If-Range, If-None-Match and If-Modified-Since.
type content struct {
	body    []byte
	modTime time.Time
}

func serve(w http.ResponseWriter, r *http.Request, c content) {
	w.Header().Set("ETag", `"`+sha(c.body)[:16]+`"`)
	http.ServeContent(w, r, "", c.modTime, bytes.NewReader(c.body))
}

// recorder counts, per path, the requests, the bodies served (200 and
// 206 answers) and keeps the request headers.
type recorder struct {
	mu       sync.Mutex
	requests map[string][]http.Header
	bodies   map[string]int
	times    map[string][]time.Time
}

func newRecorder() *recorder {
	return &recorder{requests: map[string][]http.Header{}, bodies: map[string]int{}, times: map[string][]time.Time{}}
}

func (rec *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.requests[r.URL.Path] = append(rec.requests[r.URL.Path], r.Header.Clone())
		rec.times[r.URL.Path] = append(rec.times[r.URL.Path], time.Now())
		rec.mu.Unlock()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if sw.code == http.StatusOK || sw.code == http.StatusPartialContent {
			rec.mu.Lock()
			rec.bodies[r.URL.Path]++
			rec.mu.Unlock()
		}
	})
}

// hits returns the number of requests for path.
func (rec *recorder) hits(path string) int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return len(rec.requests[path])
}

// header returns header name of the k-th request for path.
func (rec *recorder) header(path string, k int, name string) string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if k >= len(rec.requests[path]) {
		return ""
	}
	return rec.requests[path][k].Get(name)
}

func (rec *recorder) bodyCount() map[string]int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := map[string]int{}
	for k, v := range rec.bodies {
		out[k] = v
	}
	return out
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// writeHalfAndDrop starts a full answer for c, sends its first half and
// drops the connection.
func writeHalfAndDrop(w http.ResponseWriter, c content) {
	w.Header().Set("ETag", `"`+sha(c.body)[:16]+`"`)
	w.Header().Set("Content-Length", fmt.Sprint(len(c.body)))
	w.Header().Set("Accept-Ranges", "bytes")
	w.WriteHeader(http.StatusOK)
	w.Write(c.body[:len(c.body)/2])
	w.(http.Flusher).Flush()
	panic(http.ErrAbortHandler)
}

// writeSourcesCSV writes the fixture sources CSV with its URLs pointing to
// base, and returns its path.
func writeSourcesCSV(t testing.TB, dir, base string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "sources.csv"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "sources.csv")
	s := strings.ReplaceAll(string(b), "https://transport.data.example", base)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// testOptions are fast options for tests.
func testOptions(t testing.TB) Options {
	return Options{
		Backoff:     time.Millisecond,
		MaxDelay:    5 * time.Second,
		IdleTimeout: 10 * time.Second,
		Logf:        t.Logf,
	}
}

func bySource(t testing.TB, res *Result, file string) SourceResult {
	t.Helper()
	for _, s := range res.Sources {
		if s.File == file {
			return s
		}
	}
	t.Fatalf("no source with file %s in the result", file)
	return SourceResult{}
}
