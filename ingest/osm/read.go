// Package osm reads OpenStreetMap extracts (.osm.pbf or .osm XML) into the
// walking (and cycling) street network of a graph.Streets.
//
// The file is read twice: first the ways, keeping those the walking or
// cycling rules accept (see the rules on classify), then only the nodes
// those ways reference, so memory stays proportional to the streets, not
// to the whole extract. Ways are cut into segments at real intersections
// (nodes shared by several ways, or used twice by one) and at way ends;
// other nodes are kept as shape points only. Small walking islands are
// dropped; the cycling network keeps every component that joins the
// walking network, whole (see Options.MinIslandNodes), so that a ride
// between two of its nodes is never cut short by a dropped cycle-only
// node.
package osm

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"
	"github.com/paulmach/osm/osmxml"

	"reach/graph"
)

// DefaultMinIslandNodes is the default minimum size, in network nodes, of a
// walking (or cycling) component that is kept besides the largest one.
const DefaultMinIslandNodes = 50

// Options control how an extract is read.
type Options struct {
	// MinIslandNodes: connected components of the walking network with
	// fewer nodes (intersections and street ends) are dropped, except the
	// largest component, which is always kept. Components of the cycling
	// network (directions ignored) are dropped on the same terms unless
	// they share a node with the kept walking network: those are kept
	// whole. 0 means DefaultMinIslandNodes; a negative value keeps every
	// component.
	MinIslandNodes int
	// Procs is the number of PBF decoding goroutines; 0 means GOMAXPROCS.
	Procs int
}

// Report says what was read, kept and dropped.
type Report struct {
	Path   string // the extract's path (several, comma-separated, for ReadAll)
	Format string // "pbf" or "xml" ("pbf+xml" for extracts of both kinds)

	NodesRead    int64 // node elements in the file
	WaysRead     int64 // way elements in the file
	WaysKept     int   // ways accepted by the walking or cycling rules
	MissingNodes int   // references of kept ways to nodes absent from the file

	// DuplicateWays counts accepted ways found again in a later extract
	// (ReadAll with overlapping extracts): kept once.
	DuplicateWays int

	// The network built, after dropping islands.
	Nodes        int
	Segments     int
	Edges        int // directed, two per segment
	WalkSegments int
	BikeSegments int // bikeable in at least one direction
	ShapePoints  int
	WalkLength   float64 // total length of the walkable segments, metres

	// Islands: walking components kept and dropped for being small, and
	// the nodes and segments that went with them. Cycling components are
	// kept when large or when they share a node with the kept walking
	// network (see Options.MinIslandNodes); BikeIslandsDropped counts the
	// others. BikeOnlyNodes counts the kept nodes no walkable segment
	// reaches (on cycleways closed to pedestrians).
	IslandsKept        int
	IslandsDropped     int
	BikeIslandsDropped int
	NodesDropped       int
	SegmentsDropped    int
	BikeOnlyNodes      int

	// Bounding box of the kept network, computed from its coordinates
	// (file headers are not trusted).
	MinLat, MinLon, MaxLat, MaxLon float64
}

// String summarises the report on one line.
func (r *Report) String() string {
	return fmt.Sprintf("%s: %d nodes and %d ways read, %d ways kept; network %d nodes, %d segments (%d walkable, %.1f km), %d edges; %d islands dropped (%d nodes), %d kept",
		r.Path, r.NodesRead, r.WaysRead, r.WaysKept, r.Nodes, r.Segments, r.WalkSegments,
		r.WalkLength/1000, r.Edges, r.IslandsDropped, r.NodesDropped, r.IslandsKept)
}

// Read reads an OpenStreetMap extract — .osm.pbf (or .pbf) as protobuf,
// .osm (or .xml) as XML — into a street network.
func Read(path string, opt Options) (*graph.Streets, *Report, error) {
	return ReadAll([]string{path}, opt)
}

// ReadAll reads several extracts (each .osm.pbf or .osm) into one street
// network, as if they were one file: ways and nodes are gathered from
// every extract, then cut, cleaned of islands and numbered together.
// Extracts of separate areas give separate components, each kept when it
// is large enough (see Options.MinIslandNodes); overlapping extracts join
// where they share node ids, and a way found again in a later extract is
// kept once (counted in Report.DuplicateWays). The report's Path lists
// the paths, comma-separated, and its counts add up over the extracts.
func ReadAll(paths []string, opt Options) (*graph.Streets, *Report, error) {
	if len(paths) == 0 {
		return nil, nil, fmt.Errorf("osm: no extract given")
	}
	rep := &Report{Path: strings.Join(paths, ", ")}
	formats := make([]string, len(paths))
	for i, p := range paths {
		switch lower := strings.ToLower(p); {
		case strings.HasSuffix(lower, ".pbf"):
			formats[i] = "pbf"
		case strings.HasSuffix(lower, ".osm"), strings.HasSuffix(lower, ".xml"):
			formats[i] = "xml"
		default:
			return nil, nil, fmt.Errorf("osm: %s: unknown format, want a .osm.pbf or .osm file", p)
		}
		if i == 0 {
			rep.Format = formats[i]
		} else if !slices.Contains(strings.Split(rep.Format, "+"), formats[i]) {
			rep.Format += "+" + formats[i]
		}
	}
	if opt.MinIslandNodes == 0 {
		opt.MinIslandNodes = DefaultMinIslandNodes
	}
	if opt.Procs <= 0 {
		opt.Procs = runtime.GOMAXPROCS(0)
	}
	ways := &wayList{nodeStart: []int32{0}}
	var seen map[int64]bool // way ids kept so far, when there are several extracts
	if len(paths) > 1 {
		seen = map[int64]bool{}
	}
	for i, p := range paths {
		if err := readWays(p, formats[i], rep, opt.Procs, ways, seen); err != nil {
			return nil, nil, err
		}
	}
	rep.WaysKept = len(ways.id)
	if len(ways.id) == 0 {
		return nil, nil, fmt.Errorf("osm: %s: no walkable or cyclable way", rep.Path)
	}
	nodes := newNodeList(ways.refs)
	for i, p := range paths {
		if err := readNodes(p, formats[i], rep, opt.Procs, nodes); err != nil {
			return nil, nil, err
		}
	}
	s := build(ways, nodes, opt.MinIslandNodes, rep)
	if s.NumNodes() == 0 {
		return nil, nil, fmt.Errorf("osm: %s: no street left (%d ways kept, %d node references missing)",
			rep.Path, rep.WaysKept, rep.MissingNodes)
	}
	if err := s.Validate(); err != nil {
		return nil, nil, fmt.Errorf("osm: %s: internal error: %w", rep.Path, err)
	}
	return s, rep, nil
}

// wayList holds the kept ways as flat arrays.
type wayList struct {
	id        []int64
	name      []string
	rule      []rule
	nodeStart []int32 // len W+1, into refs
	refs      []int64 // OSM node ids
}

// nodeList holds the coordinates of the referenced nodes, indexed like ids
// (sorted, unique).
type nodeList struct {
	ids   []int64
	lat   []float64
	lon   []float64
	found []bool
}

// index returns the position of OSM node id in ids, or -1.
func (n *nodeList) index(id int64) int32 {
	i, ok := slices.BinarySearch(n.ids, id)
	if !ok || !n.found[i] {
		return -1
	}
	return int32(i)
}

// scan opens path and runs fn on every object; pbf decoding is tuned by
// setup before the scan starts.
func scan(path, format string, procs int, setup func(*osmpbf.Scanner), fn func(osm.Object)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("osm: %w", err)
	}
	defer f.Close()
	var sc osm.Scanner
	if format == "pbf" {
		ps := osmpbf.New(context.Background(), f, procs)
		ps.SkipRelations = true
		setup(ps)
		sc = ps
	} else {
		sc = osmxml.New(context.Background(), f)
	}
	for sc.Scan() {
		fn(sc.Object())
	}
	err = sc.Err()
	if cerr := sc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("osm: %s: %w", path, err)
	}
	return nil
}

// readWays appends the ways of the extract at path that the rules accept
// to w. When seen is not nil, ways whose id it holds are skipped (counted
// as duplicates) and the kept ones are added to it.
func readWays(path, format string, rep *Report, procs int, w *wayList, seen map[int64]bool) error {
	var read atomic.Int64
	err := scan(path, format, procs, func(ps *osmpbf.Scanner) {
		ps.SkipNodes = true
		ps.FilterWay = func(way *osm.Way) bool {
			read.Add(1)
			_, ok := classify(way.Tags)
			return ok && len(way.Nodes) >= 2
		}
	}, func(o osm.Object) {
		way, ok := o.(*osm.Way)
		if !ok {
			return
		}
		if format == "xml" {
			read.Add(1)
		}
		r, ok := classify(way.Tags)
		if !ok || len(way.Nodes) < 2 {
			return
		}
		if seen != nil {
			if seen[int64(way.ID)] {
				rep.DuplicateWays++
				return
			}
			seen[int64(way.ID)] = true
		}
		w.id = append(w.id, int64(way.ID))
		w.name = append(w.name, way.Tags.Find("name"))
		w.rule = append(w.rule, r)
		for _, n := range way.Nodes {
			w.refs = append(w.refs, int64(n.ID))
		}
		w.nodeStart = append(w.nodeStart, int32(len(w.refs)))
	})
	rep.WaysRead += read.Load()
	return err
}

// newNodeList prepares the coordinates of the nodes in refs, none found yet.
func newNodeList(refs []int64) *nodeList {
	ids := slices.Clone(refs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return &nodeList{
		ids:   ids,
		lat:   make([]float64, len(ids)),
		lon:   make([]float64, len(ids)),
		found: make([]bool, len(ids)),
	}
}

// readNodes reads from the extract at path the coordinates of the nodes of
// n (a node found in several extracts keeps the last coordinates read).
func readNodes(path, format string, rep *Report, procs int, n *nodeList) error {
	ids := n.ids
	var read atomic.Int64
	err := scan(path, format, procs, func(ps *osmpbf.Scanner) {
		ps.SkipWays = true
		ps.FilterNode = func(node *osm.Node) bool {
			read.Add(1)
			_, ok := slices.BinarySearch(ids, int64(node.ID))
			return ok
		}
	}, func(o osm.Object) {
		node, ok := o.(*osm.Node)
		if !ok {
			return
		}
		if format == "xml" {
			read.Add(1)
		}
		if i, ok := slices.BinarySearch(ids, int64(node.ID)); ok {
			n.lat[i], n.lon[i], n.found[i] = node.Lat, node.Lon, true
		}
	})
	rep.NodesRead += read.Load()
	return err
}
