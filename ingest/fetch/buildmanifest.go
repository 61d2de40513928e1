package fetch

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// BuildManifestName is the usual file name of the build manifest in the
// download directory.
const BuildManifestName = "region.json"

// BuildManifest is the region manifest that `reach build --manifest` reads
// (ingest.Manifest), naming the sources Fetch brought: only the keys fetch
// can fill are written. Paths are relative to the manifest's directory.
type BuildManifest struct {
	Name       string      `json:"name"`
	Date       string      `json:"date,omitempty"` // the suggested build date, YYYY-MM-DD
	GTFS       []BuildFeed `json:"gtfs"`
	SchoolGTFS []BuildFeed `json:"school_gtfs,omitempty"`
	OSM        OSMPaths    `json:"osm,omitempty"`
}

// BuildFeed is one GTFS feed of a build manifest.
type BuildFeed struct {
	Name string `json:"name"` // the source's Slug
	Path string `json:"path"`
}

// OSMPaths are the OpenStreetMap extracts of a build manifest. One extract
// is written as a JSON string, the form every manifest reader accepts;
// several as a list, which needs a reader that accepts lists.
type OSMPaths []string

// MarshalJSON writes one path as a string and several as a list.
func (p OSMPaths) MarshalJSON() ([]byte, error) {
	if len(p) == 1 {
		return json.Marshal(p[0])
	}
	return json.Marshal([]string(p))
}

// UnmarshalJSON reads a string or a list of strings.
func (p *OSMPaths) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*p = OSMPaths{one}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("osm: want a path or a list of paths: %w", err)
	}
	*p = list
	return nil
}

// LeftOut is a source kept out of the build manifest, and why.
type LeftOut struct {
	Line   int    `json:"line"`
	Name   string `json:"name"`
	File   string `json:"file"`
	Kind   Kind   `json:"kind"`
	Reason string `json:"reason"`
}

// schoolOnly reports whether the source is a feed of school transport
// only: its Type is Scolaire (in any case, with or without accents).
func (s Source) schoolOnly() bool { return s.Kind == KindGTFS && normHeader(s.Type) == "scolaire" }

// errNoFeed is the error of a build manifest without any GTFS feed.
var errNoFeed = errors.New("no GTFS feed was fetched")

// NewBuildManifest returns the build manifest of the result, named name,
// for a file at path (its paths are made relative to path's directory),
// and the sources left out of it:
//   - those that failed (download errors, zips that are not GTFS feeds);
//   - GTFS feeds whose validity could not be read (no usable calendar);
//   - files identical to one already in (a feed listed twice);
//   - OSM extracts in a format the builder does not read (.osm.bz2).
//
// Feeds of Type Scolaire go to school_gtfs (every route a school bus);
// Transport, Mixte and any other type to gtfs (the builder takes
// route_type 712 routes of any feed as school buses). All OSM extracts are
// listed under osm. The date is the suggested build date, if any. The
// manifest is returned with an error wrapping errNoFeed when no GTFS feed
// is left.
func (r *Result) NewBuildManifest(path, name string) (*BuildManifest, []LeftOut, error) {
	base, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, nil, fmt.Errorf("build manifest %s: %w", path, err)
	}
	m := &BuildManifest{Name: name, GTFS: []BuildFeed{}}
	if !r.BuildDate.Date.IsZero() {
		m.Date = r.BuildDate.Date.Format(time.DateOnly)
	}
	var left []LeftOut
	leave := func(s SourceResult, reason string) {
		left = append(left, LeftOut{Line: s.Line, Name: s.Name, File: s.File, Kind: s.Kind, Reason: reason})
	}
	seen := map[string]SourceResult{} // sha256 → the source kept
	for _, s := range r.Sources {
		switch {
		case s.Status == StatusFailed:
			leave(s, "failed: "+s.Error)
			continue
		case s.Kind == KindGTFS && s.Validity == nil:
			why := "no validity range"
			if s.ValidityError != "" {
				why += ": " + s.ValidityError
			}
			leave(s, "invalid: "+why)
			continue
		case s.Kind == KindOSM && strings.HasSuffix(strings.ToLower(s.File), ".bz2"):
			leave(s, "compressed OSM XML (.osm.bz2): the builder reads .osm.pbf and .osm; decompress it first")
			continue
		}
		if first, dup := seen[s.SHA256]; dup && s.SHA256 != "" {
			leave(s, fmt.Sprintf("same file as %s (line %d)", first.File, first.Line))
			continue
		}
		seen[s.SHA256] = s
		abs, err := filepath.Abs(filepath.Join(r.Dir, s.File))
		if err != nil {
			return nil, nil, fmt.Errorf("build manifest %s: %w", path, err)
		}
		rel, err := filepath.Rel(base, abs)
		if err != nil {
			rel = abs
		}
		rel = filepath.ToSlash(rel)
		switch {
		case s.Kind == KindOSM:
			m.OSM = append(m.OSM, rel)
		case s.schoolOnly():
			m.SchoolGTFS = append(m.SchoolGTFS, BuildFeed{Name: s.Slug, Path: rel})
		default:
			m.GTFS = append(m.GTFS, BuildFeed{Name: s.Slug, Path: rel})
		}
	}
	if len(m.GTFS)+len(m.SchoolGTFS) == 0 {
		return m, left, fmt.Errorf("build manifest %s: %w", path, errNoFeed)
	}
	return m, left, nil
}

// WriteBuildManifest writes the build manifest of the result (see
// NewBuildManifest) to path atomically, creating its directory if needed,
// and returns the sources left out of it. Nothing is written when no GTFS
// feed is left, nor over the download directory's own manifest.
func (r *Result) WriteBuildManifest(path, name string) ([]LeftOut, error) {
	m, left, err := r.NewBuildManifest(path, name)
	if err != nil {
		return left, err
	}
	own, err1 := filepath.Abs(filepath.Join(r.Dir, ManifestName))
	out, err2 := filepath.Abs(path)
	if err := errors.Join(err1, err2); err != nil {
		return left, fmt.Errorf("build manifest %s: %w", path, err)
	}
	if own == out {
		return left, fmt.Errorf("build manifest %s: that is the download directory's own manifest", path)
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return left, fmt.Errorf("build manifest %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return left, fmt.Errorf("build manifest: %w", err)
	}
	return left, writeFileAtomic(path, append(data, '\n'))
}
