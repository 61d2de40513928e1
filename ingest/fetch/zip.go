package fetch

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// ErrNotGTFS is wrapped by the errors of files that are not GTFS feeds.
var ErrNotGTFS = errors.New("not a GTFS feed")

// requiredGTFS are the files without which a zip is not taken as a feed.
var requiredGTFS = []string{"stops.txt", "trips.txt", "stop_times.txt"}

// RepairGTFS checks that the zip at src is a GTFS feed and, when its files
// sit in a sub-folder or it carries __MACOSX/ entries or dot-files, writes
// to dst a clean zip holding the .txt files of the feed's folder at its
// root (written to a temporary file, then renamed). It reports whether dst
// was written and, if so, what was changed. A zip without stops.txt,
// trips.txt and stop_times.txt in one folder gives an error wrapping
// ErrNotGTFS.
func RepairGTFS(src, dst string) (repaired bool, note string, err error) {
	return repairGTFS(src, src, dst)
}

// repairGTFS is RepairGTFS naming the file label in its errors.
func repairGTFS(src, label, dst string) (repaired bool, note string, err error) {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return false, "", fmt.Errorf("%s: %w: not a readable zip archive (%v)", label, ErrNotGTFS, err)
	}
	defer zr.Close()

	var (
		junk  []string             // __MACOSX/ and dot-file entries
		dirs  = map[string][]int{} // folder → indexes of its files
		found = map[string]map[string]bool{}
	)
	for i, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		name := strings.TrimPrefix(path.Clean("/"+strings.ReplaceAll(f.Name, "\\", "/")), "/")
		if isJunk(name) {
			junk = append(junk, f.Name)
			continue
		}
		dir := path.Dir(name)
		dirs[dir] = append(dirs[dir], i)
		if found[dir] == nil {
			found[dir] = map[string]bool{}
		}
		found[dir][strings.ToLower(path.Base(name))] = true
	}

	// The feed's folder is the shallowest one holding the three required files.
	var feedDirs []string
	for dir, names := range found {
		ok := true
		for _, r := range requiredGTFS {
			ok = ok && names[r]
		}
		if ok {
			feedDirs = append(feedDirs, dir)
		}
	}
	if len(feedDirs) == 0 {
		return false, "", fmt.Errorf("%s: %w: no folder of the zip holds %s", label, ErrNotGTFS, strings.Join(requiredGTFS, ", "))
	}
	sort.Slice(feedDirs, func(i, j int) bool {
		di, dj := depthOf(feedDirs[i]), depthOf(feedDirs[j])
		if di != dj {
			return di < dj
		}
		return feedDirs[i] < feedDirs[j]
	})
	if len(feedDirs) > 1 && depthOf(feedDirs[0]) == depthOf(feedDirs[1]) {
		return false, "", fmt.Errorf("%s: %w: several feeds in one zip (folders %q and %q)", label, ErrNotGTFS, feedDirs[0], feedDirs[1])
	}
	feedDir := feedDirs[0]
	if feedDir == "." && len(junk) == 0 {
		return false, "", nil
	}

	var changes []string
	if feedDir != "." {
		changes = append(changes, fmt.Sprintf("moved the files of %s/ to the root", feedDir))
	}
	if len(junk) > 0 {
		changes = append(changes, fmt.Sprintf("dropped %d __MACOSX/ or dot-file entries", len(junk)))
	}
	var dropped int
	for dir, idx := range dirs {
		if dir != feedDir {
			dropped += len(idx)
		}
	}
	var keep []*zip.File
	for _, i := range dirs[feedDir] {
		f := zr.File[i]
		if strings.EqualFold(path.Ext(f.Name), ".txt") {
			keep = append(keep, f)
		} else {
			dropped++
		}
	}
	if dropped > 0 {
		changes = append(changes, fmt.Sprintf("dropped %d files outside the feed or not .txt", dropped))
	}
	if err := writeFlatZip(dst, keep); err != nil {
		return false, "", fmt.Errorf("repairing %s: %w", label, err)
	}
	return true, strings.Join(changes, "; "), nil
}

// writeFlatZip writes the given entries, named by their base names, to a
// temporary file renamed to dst. The compressed data is copied as is.
func writeFlatZip(dst string, files []*zip.File) error {
	out, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := out.Name()
	err = func() error {
		zw := zip.NewWriter(out)
		for _, f := range files {
			h := f.FileHeader
			h.Name = path.Base(strings.ReplaceAll(f.Name, "\\", "/"))
			r, err := f.OpenRaw()
			if err != nil {
				return fmt.Errorf("entry %s: %w", f.Name, err)
			}
			w, err := zw.CreateRaw(&h)
			if err != nil {
				return fmt.Errorf("entry %s: %w", f.Name, err)
			}
			if _, err := io.Copy(w, r); err != nil {
				return fmt.Errorf("entry %s: %w", f.Name, err)
			}
		}
		if err := zw.Close(); err != nil {
			return err
		}
		return out.Sync()
	}()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// isJunk reports whether an archive path is metadata: under __MACOSX/ or
// with an element starting with a dot.
func isJunk(name string) bool {
	for _, part := range strings.Split(name, "/") {
		if part == "__MACOSX" || strings.HasPrefix(part, ".") {
			return true
		}
	}
	return false
}

func depthOf(dir string) int {
	if dir == "." {
		return 0
	}
	return strings.Count(dir, "/") + 1
}
