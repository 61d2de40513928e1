package fetch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// ManifestName is the name of the manifest file in the download directory.
const ManifestName = "sources.json"

// Manifest records what is in a download directory. It is written
// atomically (a temporary file renamed over the old one) after every change.
type Manifest struct {
	Version int `json:"version"`
	// Files is keyed by file name inside the directory.
	Files map[string]*ManifestEntry `json:"files"`
}

// ManifestEntry describes one downloaded file, and the partial download of
// its next version if one was interrupted.
type ManifestEntry struct {
	File         string     `json:"file"`
	Name         string     `json:"name"`
	Kind         Kind       `json:"kind"`
	URL          string     `json:"url,omitempty"` // empty while only a partial download exists
	SHA256       string     `json:"sha256,omitempty"`
	Size         int64      `json:"size,omitempty"`
	ETag         string     `json:"etag,omitempty"`
	LastModified string     `json:"last_modified,omitempty"` // as sent by the server
	FetchedAt    time.Time  `json:"fetched_at,omitzero"`     // when this content was downloaded
	CheckedAt    time.Time  `json:"checked_at,omitzero"`     // when the server last confirmed it
	Repaired     bool       `json:"repaired,omitempty"`      // the zip was rewritten with its GTFS files at the root
	Validity     *DateRange `json:"validity,omitempty"`      // GTFS feeds only

	// The partial download kept as File+".part", if any.
	PartURL          string `json:"part_url,omitempty"`
	PartETag         string `json:"part_etag,omitempty"`
	PartLastModified string `json:"part_last_modified,omitempty"`
}

// ReadManifest reads the manifest of a download directory. A directory
// without one gives an empty manifest.
func ReadManifest(dir string) (*Manifest, error) {
	p := filepath.Join(dir, ManifestName)
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return &Manifest{Version: 1, Files: map[string]*ManifestEntry{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", p, err)
	}
	if m.Files == nil {
		m.Files = map[string]*ManifestEntry{}
	}
	for name, e := range m.Files {
		if e == nil {
			delete(m.Files, name)
			continue
		}
		e.File = name
	}
	return &m, nil
}

// manifestStore serialises the updates of a manifest shared by the
// download workers and saves it after each one.
type manifestStore struct {
	mu  sync.Mutex
	dir string
	m   *Manifest
}

// get returns a copy of the entry for file, or the zero entry.
func (s *manifestStore) get(file string) ManifestEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.m.Files[file]; e != nil {
		return *e
	}
	return ManifestEntry{File: file}
}

// update applies change to the entry for file (created if absent) and
// saves the manifest. An entry left with neither a file nor a partial
// download is removed.
func (s *manifestStore) update(file string, change func(e *ManifestEntry)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m.Files[file]
	if e == nil {
		e = &ManifestEntry{File: file}
		s.m.Files[file] = e
	}
	change(e)
	if e.SHA256 == "" && e.PartURL == "" {
		delete(s.m.Files, file)
	}
	return s.save()
}

// save writes the manifest atomically. The caller holds s.mu.
func (s *manifestStore) save() error {
	data, err := json.MarshalIndent(s.m, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding manifest: %w", err)
	}
	return writeFileAtomic(filepath.Join(s.dir, ManifestName), append(data, '\n'))
}

// writeFileAtomic writes data to a temporary file beside p, syncs it and
// renames it to p.
func writeFileAtomic(p string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", p, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", p, err)
	}
	return nil
}
