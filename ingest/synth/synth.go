// Package synth generates a small, fictional, deterministic region as the
// source files a real build reads, so that `reach demo` and tests can run
// the whole pipeline without the real data.
//
// The region is the town of Sancerval (about 4 × 3 km, centred on 47.0° N,
// 2.0° E) on the river Vauvre, and two villages 5 km out. Generate writes,
// into one directory:
//
//	streets.osm     OpenStreetMap XML: a jittered street grid, diagonal
//	                avenues, a pedestrian street, footways through two
//	                parks, a river crossed by only three bridges, a motorway
//	                (not walkable) and the roads to the villages
//	gtfs/           GTFS feed (txt files) of the town's five bus lines and
//	                one tram line, weekday and Saturday services over the
//	                2025–2026 school year, holidays removed, transfers
//	school-gtfs/    GTFS feed of two school-bus lines (route_type 712):
//	                village → lycées in the morning and back in the
//	                afternoon, school days only
//	schools.csv     plain school locations: id,name,lat,lon,kind,public,address
//	offers.csv      trainings: school_id,label,diploma,voie,code,capacity
//	region.json     the manifest naming all of the above (see Manifest)
//
// Every random choice derives from Options.Seed, each part of the region
// drawing from its own stream, so the same seed gives byte-identical files.
// The generator is meant to be read as well: it documents the formats the
// readers accept.
package synth

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// DefaultSeed is the seed used when Options.Seed is 0.
const DefaultSeed int64 = 20260310

// Date is the service date the region is meant to be built for, a school
// Tuesday: every service of both feeds runs on it.
const Date = "2026-03-10"

// Centre of the town (Place de la République), WGS84 degrees.
const (
	CentreLat = 47.0
	CentreLon = 2.0
)

// Names of the files and folders Generate writes, relative to its
// directory.
const (
	ManifestFile  = "region.json"
	StreetsFile   = "streets.osm"
	FeedDir       = "gtfs"
	SchoolFeedDir = "school-gtfs"
	SchoolsFile   = "schools.csv"
	OffersFile    = "offers.csv"
)

// Options control the generation.
type Options struct {
	// Seed drives every random choice (block sizes, node jitter, timetable
	// offsets, trainings offered…). 0 means DefaultSeed.
	Seed int64
}

// Manifest names the source files of a region. It is stored as
// region.json; paths are relative to the manifest's directory.
type Manifest struct {
	Name       string     `json:"name"`
	Date       string     `json:"date"`        // service date to build, YYYY-MM-DD
	GTFS       []FeedFile `json:"gtfs"`        // public transport feeds
	SchoolGTFS []FeedFile `json:"school_gtfs"` // school transport feeds
	OSM        string     `json:"osm"`         // OpenStreetMap extract
	Locations  string     `json:"locations"`   // plain school locations CSV
	Offers     []string   `json:"offers"`      // training offer CSVs
}

// FeedFile names one GTFS feed of a manifest.
type FeedFile struct {
	Name string `json:"name"` // namespace of the feed's ids
	Path string `json:"path"` // directory or .zip
}

// Random streams, one per part of the region, so that changing how one
// part draws does not reshuffle the others.
const (
	streamStreets uint64 = iota + 1
	streamTransit
	streamSchools
)

// Generate writes the source files of the synthetic region into dir
// (created if needed; existing files of the same names are replaced) and
// returns the manifest it wrote to dir/region.json.
func Generate(dir string, opt Options) (*Manifest, error) {
	seed := opt.Seed
	if seed == 0 {
		seed = DefaultSeed
	}
	r, err := build(seed)
	if err != nil {
		return nil, err
	}
	for _, d := range []string{dir, filepath.Join(dir, FeedDir), filepath.Join(dir, SchoolFeedDir)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("synth: %w", err)
		}
	}
	if err := writeOSM(filepath.Join(dir, StreetsFile), r.streets); err != nil {
		return nil, err
	}
	if err := writeFeed(filepath.Join(dir, FeedDir), r.transit); err != nil {
		return nil, err
	}
	if err := writeFeed(filepath.Join(dir, SchoolFeedDir), r.schoolBus); err != nil {
		return nil, err
	}
	if err := writeSchools(filepath.Join(dir, SchoolsFile), r.schools); err != nil {
		return nil, err
	}
	if err := writeOffers(filepath.Join(dir, OffersFile), r.schools); err != nil {
		return nil, err
	}
	m := &Manifest{
		Name:       "Sancerval (synthetic)",
		Date:       Date,
		GTFS:       []FeedFile{{Name: "bus", Path: FeedDir}},
		SchoolGTFS: []FeedFile{{Name: "scol", Path: SchoolFeedDir}},
		OSM:        StreetsFile,
		Locations:  SchoolsFile,
		Offers:     []string{OffersFile},
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("synth: manifest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), append(data, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	return m, nil
}

// region is the whole generated model, before it is written.
type region struct {
	streets   *streets
	transit   *feed
	schoolBus *feed
	schools   []school
}

// build generates the region's model from the seed.
func build(seed int64) (*region, error) {
	s := buildStreets(newRand(seed, streamStreets))
	schools := buildSchools(newRand(seed, streamSchools), s)
	transit, err := buildTransit(newRand(seed, streamTransit), s)
	if err != nil {
		return nil, err
	}
	schoolBus, err := buildSchoolBus(s, schools)
	if err != nil {
		return nil, err
	}
	return &region{streets: s, transit: transit, schoolBus: schoolBus, schools: schools}, nil
}

// newRand returns the generator of one random stream of a seed.
func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream))
}

// point is a position in metres east (x) and north (y) of the town centre.
type point struct{ x, y float64 }

// metresPerDegree is the length of one degree of latitude (a great circle)
// on the sphere of the graph's Haversine distances.
const metresPerDegree = 6371008.8 * math.Pi / 180

// latLon converts a point to WGS84 degrees by an equirectangular
// projection around the centre, exact to well under a metre at this scale.
func (p point) latLon() (lat, lon float64) {
	lat = CentreLat + p.y/metresPerDegree
	lon = CentreLon + p.x/(metresPerDegree*math.Cos(CentreLat*math.Pi/180))
	return lat, lon
}

// add returns p moved by dx metres east and dy metres north.
func (p point) add(dx, dy float64) point { return point{p.x + dx, p.y + dy} }

// dist returns the distance in metres between p and q.
func (p point) dist(q point) float64 { return math.Hypot(q.x-p.x, q.y-p.y) }

// lerp returns the point a fraction f of the way from p to q.
func (p point) lerp(q point, f float64) point {
	return point{p.x + f*(q.x-p.x), p.y + f*(q.y-p.y)}
}
