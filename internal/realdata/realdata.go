// Package realdata locates the real test data kept outside the repository,
// in ../shared/data beside the project root.
package realdata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the absolute path of the shared data directory, or "" when it
// cannot be found. REACH_DATA overrides the location.
func Dir() string {
	if d := os.Getenv("REACH_DATA"); d != "" {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			abs, _ := filepath.Abs(d)
			return abs
		}
		return ""
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	// Walk up to the module root (the directory holding go.mod).
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(filepath.Dir(dir), "shared", "data")
			if st, err := os.Stat(d); err == nil && st.IsDir() {
				return d
			}
			return ""
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
	}
}

// Path returns the path of a file under the shared data directory, and
// skips the test with a clear message when the directory is absent.
func Path(tb testing.TB, parts ...string) string {
	tb.Helper()
	d := Dir()
	if d == "" {
		tb.Skip("real data not found: ../shared/data is absent beside the project root (set REACH_DATA to override)")
	}
	p := filepath.Join(append([]string{d}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("real data file missing: %v", err)
	}
	return p
}
