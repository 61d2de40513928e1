package graph

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// tempPrefix is the prefix of the temporary files written beside the file
// named base before they are renamed over it.
func tempPrefix(base string) string { return "." + base + ".tmp" }

// staleAge is how old a temporary file must be before a later writer
// checks whether it is stale: younger, it may be a live writer's file
// between its creation and its lock.
const staleAge = 2 * time.Second

// removeStaleTemps removes the temporary files of base in dir that no live
// writer holds: those of writers killed during a write. Errors are
// ignored: the cleanup never stands in the way of the write.
func removeStaleTemps(dir, base string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := tempPrefix(base)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), prefix) || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil || time.Since(info.ModTime()) < staleAge {
			continue
		}
		p := filepath.Join(dir, e.Name())
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		if tryLock(f) {
			os.Remove(p)
		}
		f.Close()
	}
}
