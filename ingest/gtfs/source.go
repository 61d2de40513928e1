// Package gtfs reads GTFS feeds leniently and streams them into the
// one-service-day timetable of package graph.
//
// Real feeds are messy: files in a sub-folder of the zip, __MACOSX/ entries,
// a byte-order mark, CRLF line endings, quoted fields, columns in any order,
// unknown files and columns, "+" before coordinates, "H:MM:SS" times and
// times past 24:00, missing intermediate times, calendar.txt or
// calendar_dates.txt absent. The reader survives all of them. Rows that
// cannot be used are dropped and counted per feed and per reason, with a few
// example lines, in the feed's graph.FeedReport.
package gtfs

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Source gives access to the files of one feed, stored as a .zip archive or
// as an unzipped directory. Files may sit in a sub-folder; __MACOSX/ entries
// and dot-files are ignored.
type Source struct {
	path  string
	lim   Limits
	zr    *zip.ReadCloser
	files map[string]sourceFile // by base name, lower case: "stops.txt"
}

// Limits bound what reading a feed may cost, so that a malformed or hostile
// feed is refused, or its offending lines skipped, instead of exhausting
// memory. Zero fields take the defaults.
type Limits struct {
	// MaxLineBytes is the length of the longest line of a CSV file that is
	// read. Longer lines are read through without being kept and reported
	// as line_too_long drops; a longer header line is an error.
	MaxLineBytes int
	// MaxFileBytes is the largest (uncompressed) size of a file of the
	// feed that is read.
	MaxFileBytes int64
	// MaxRatio is the largest compression ratio (uncompressed size over
	// compressed size) of a zip entry of more than 1 MiB that is read.
	MaxRatio float64
}

const (
	// DefaultMaxLineBytes is the default Limits.MaxLineBytes: real lines
	// are a few hundred bytes at most.
	DefaultMaxLineBytes = 1 << 20
	// DefaultMaxFileBytes is the default Limits.MaxFileBytes, 4 GiB: the
	// largest file of the feeds at hand is 30 MB (a stop_times.txt of
	// 583,164 rows), and a regional feed a hundred times that size still
	// fits.
	DefaultMaxFileBytes = 4 << 30
	// DefaultMaxRatio is the default Limits.MaxRatio. The files of real
	// feeds compress 1.2 to 15.1 times (the most: a trips.txt; their
	// stop_times.txt 4.8 to 10 times); a file of one repeated row, 400 times
	// and more (deflate stops near 1,030).
	DefaultMaxRatio = 100
	// ratioFloor is the size under which a zip entry's ratio is not
	// checked: however well it compresses, it cannot cost much.
	ratioFloor = 1 << 20
)

// withDefaults returns l with its zero fields set to the defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxLineBytes <= 0 {
		l.MaxLineBytes = DefaultMaxLineBytes
	}
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = DefaultMaxFileBytes
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = DefaultMaxRatio
	}
	return l
}

type sourceFile struct {
	name string    // name inside the archive or path on disk
	zf   *zip.File // nil for a directory source
	size int64
}

// check refuses a file that the limits forbid reading: larger than
// MaxFileBytes, or a zip entry compressed more than MaxRatio times. The
// sizes of a zip entry are those of the archive's directory, which the zip
// reader holds the data to.
func (s *Source) check(f sourceFile) error {
	size := uint64(f.size)
	if f.zf != nil {
		size = f.zf.UncompressedSize64
	}
	if size > uint64(s.lim.MaxFileBytes) {
		where := f.name
		if f.zf != nil {
			where = s.path + ": " + f.name
		}
		return fmt.Errorf("gtfs: %s is %d bytes, above the limit of %d bytes (Limits.MaxFileBytes)",
			where, size, s.lim.MaxFileBytes)
	}
	if f.zf == nil || size <= ratioFloor {
		return nil
	}
	ratio := float64(size) / float64(max(f.zf.CompressedSize64, 1))
	if ratio > s.lim.MaxRatio {
		return fmt.Errorf("gtfs: %s: %s expands from %d to %d bytes, a compression ratio of %.0f, above the limit of %g (Limits.MaxRatio): refusing a likely zip bomb",
			s.path, f.name, f.zf.CompressedSize64, size, ratio, s.lim.MaxRatio)
	}
	return nil
}

// OpenSource opens a feed given as a .zip file or a directory, with the
// default limits.
func OpenSource(p string) (*Source, error) { return OpenSourceLimits(p, Limits{}) }

// OpenSourceLimits opens a feed given as a .zip file or a directory.
func OpenSourceLimits(p string, lim Limits) (*Source, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("gtfs: %w", err)
	}
	s := &Source{path: p, lim: lim.withDefaults(), files: map[string]sourceFile{}}
	if st.IsDir() {
		err = filepath.WalkDir(p, func(fp string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if fp != p && ignored(d.Name()) {
					return filepath.SkipDir
				}
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			s.add(fp, d.Name(), nil, info.Size())
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("gtfs: reading directory %s: %w", p, err)
		}
	} else {
		zr, err := zip.OpenReader(p)
		if err != nil {
			return nil, fmt.Errorf("gtfs: %s is neither a directory nor a readable zip archive: %w", p, err)
		}
		s.zr = zr
		for _, f := range zr.File {
			if f.FileInfo().IsDir() {
				continue
			}
			skip := false
			for _, part := range strings.Split(f.Name, "/") {
				if ignored(part) {
					skip = true
				}
			}
			if !skip {
				s.add(f.Name, path.Base(f.Name), f, int64(f.UncompressedSize64))
			}
		}
	}
	if !s.Has("stops.txt") && !s.Has("trips.txt") && !s.Has("stop_times.txt") {
		s.Close()
		return nil, fmt.Errorf("gtfs: %s holds no GTFS files (no stops.txt, trips.txt nor stop_times.txt)", p)
	}
	return s, nil
}

// ignored reports whether an archive path element is metadata, not data.
func ignored(name string) bool {
	return name == "__MACOSX" || strings.HasPrefix(name, ".")
}

// add registers a file; when the same base name appears at several depths
// (a stray copy in a sub-folder), the shallowest one wins.
func (s *Source) add(name, base string, zf *zip.File, size int64) {
	key := strings.ToLower(base)
	if old, ok := s.files[key]; ok && depth(old.name) <= depth(name) {
		return
	}
	s.files[key] = sourceFile{name: name, zf: zf, size: size}
}

func depth(name string) int { return strings.Count(filepath.ToSlash(name), "/") }

// Path returns the path the source was opened from.
func (s *Source) Path() string { return s.path }

// Has reports whether the feed contains the named file (e.g. "calendar.txt").
func (s *Source) Has(name string) bool {
	_, ok := s.files[strings.ToLower(name)]
	return ok
}

// Size returns the uncompressed size of the named file, or 0.
func (s *Source) Size(name string) int64 { return s.files[strings.ToLower(name)].size }

// Files returns the base names of the files found, sorted.
func (s *Source) Files() []string {
	names := make([]string, 0, len(s.files))
	for k := range s.files {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Open opens the named file for reading. A file above the limits is
// refused.
func (s *Source) Open(name string) (io.ReadCloser, error) {
	f, ok := s.files[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("gtfs: %s: no %s in the feed", s.path, name)
	}
	if err := s.check(f); err != nil {
		return nil, err
	}
	if f.zf != nil {
		rc, err := f.zf.Open()
		if err != nil {
			return nil, fmt.Errorf("gtfs: %s: opening %s: %w", s.path, f.name, err)
		}
		return rc, nil
	}
	fh, err := os.Open(f.name)
	if err != nil {
		return nil, fmt.Errorf("gtfs: %w", err)
	}
	return fh, nil
}

// Close releases the archive.
func (s *Source) Close() error {
	if s.zr != nil {
		return s.zr.Close()
	}
	return nil
}
