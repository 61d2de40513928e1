package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"reach/graph"
	"reach/ingest/gtfs"
)

// Manifest names every source of a region, so that a rebuild is one
// command: `reach build --manifest region.json --out FILE`. Paths are
// relative to the manifest's directory.
type Manifest struct {
	Name        string         `json:"name"`
	Date        string         `json:"date"` // default service date, YYYY-MM-DD
	StrictDates bool           `json:"strict_dates,omitempty"`
	GTFS        []ManifestFeed `json:"gtfs"`
	SchoolGTFS  []ManifestFeed `json:"school_gtfs,omitempty"`
	OSM         Paths          `json:"osm,omitempty"`       // OpenStreetMap extracts
	Schools     Paths          `json:"schools,omitempty"`   // annuaire de l'éducation CSVs
	Locations   string         `json:"locations,omitempty"` // plain id,name,lat,lon CSV
	Offers      []string       `json:"offers,omitempty"`
	Transfers   string         `json:"transfers,omitempty"` // street|gtfs|both|none

	// Nomenclature lists nomenclature tables (BCN N_MEF,
	// N_FORMATION_DIPLOME) naming the offers.
	Nomenclature []string `json:"nomenclature,omitempty"`

	// Addresses names national address base files (adresses-XX.csv) for
	// the geocoder.
	Addresses Paths `json:"addresses,omitempty"`
}

// Paths lists source files. In a manifest it is written as one path
// ("streets.osm.pbf") or as a list of paths (["a.osm.pbf", "b.osm.pbf"]);
// it is marshalled back the same way (one path as a string).
type Paths []string

// UnmarshalJSON reads a path or a list of paths; empty paths are refused.
func (p *Paths) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*p = nil
		if one != "" {
			*p = Paths{one}
		}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("want a path or a list of paths, got %s", b)
	}
	for i, s := range list {
		if s == "" {
			return fmt.Errorf("empty path at index %d", i)
		}
	}
	*p = list
	return nil
}

// MarshalJSON writes one path as a string, several as a list.
func (p Paths) MarshalJSON() ([]byte, error) {
	if len(p) == 1 {
		return json.Marshal(p[0])
	}
	return json.Marshal([]string(p))
}

// ManifestFeed is one GTFS feed of a manifest.
type ManifestFeed struct {
	Name string `json:"name,omitempty"`
	Path string `json:"path"`
}

// ReadManifest reads a manifest and resolves its paths.
func ReadManifest(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	if m.Date != "" {
		if _, err := time.Parse("2006-01-02", m.Date); err != nil {
			return nil, fmt.Errorf("manifest %s: date %q: want YYYY-MM-DD", path, m.Date)
		}
	}
	if len(m.GTFS)+len(m.SchoolGTFS) == 0 {
		return nil, fmt.Errorf("manifest %s: no gtfs feed", path)
	}
	dir := filepath.Dir(path)
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	for i := range m.GTFS {
		m.GTFS[i].Path = abs(m.GTFS[i].Path)
	}
	for i := range m.SchoolGTFS {
		m.SchoolGTFS[i].Path = abs(m.SchoolGTFS[i].Path)
	}
	for _, list := range [][]string{m.OSM, m.Schools, m.Offers, m.Addresses} {
		for i := range list {
			list[i] = abs(list[i])
		}
	}
	for i := range m.Nomenclature {
		m.Nomenclature[i] = abs(m.Nomenclature[i])
	}
	m.Locations = abs(m.Locations)
	return &m, nil
}

// Sources returns the manifest's sources.
func (m *Manifest) Sources() (Sources, error) {
	src := Sources{OSM: m.OSM, Schools: m.Schools, Locations: m.Locations, Offers: m.Offers, Transfers: graph.TransferMode(m.Transfers)}
	src.Nomenclature = m.Nomenclature
	src.Addresses = m.Addresses
	for _, list := range []struct {
		feeds  []ManifestFeed
		school bool
	}{{m.GTFS, false}, {m.SchoolGTFS, true}} {
		for _, f := range list.feeds {
			arg := f.Path
			if f.Name != "" {
				arg = f.Name + "=" + f.Path
			}
			fs, err := gtfs.ParseFeedArg(arg, list.school)
			if err != nil {
				return Sources{}, fmt.Errorf("manifest: %w", err)
			}
			src.GTFS = append(src.GTFS, fs)
		}
	}
	return src, nil
}
