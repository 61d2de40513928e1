// Package ingest turns source data (GTFS feeds, OpenStreetMap extracts,
// school directories and offer lists) into a graph.Graph. Its
// sub-packages read each kind of source; Build runs them in order.
package ingest

import (
	"fmt"
	"sync"
	"time"

	"reach/graph"
	"reach/ingest/gtfs"
	"reach/ingest/osm"
	"reach/ingest/schools"
	"reach/street"
)

// Default build limits, in metres.
const (
	DefaultLinkLimit     = street.DefaultLinkDist     // 1,600 m
	DefaultTransferLimit = street.DefaultTransferDist // 1,000 m
	DefaultEgressLimit   = 1500.0                     // about 20 minutes at 1.3 m/s
	DefaultBikeLimit     = 5000.0                     // 20 minutes at 15 km/h
	MaxBikeLimit         = 30000.0                    // two hours at 15 km/h
)

// Sources names everything a graph is built from.
type Sources struct {
	GTFS      []gtfs.FeedSource  // timetables, school feeds flagged
	OSM       []string           // OpenStreetMap extracts (.osm.pbf or .osm), merged; optional
	Schools   []string           // annuaire de l'éducation CSVs, concatenated; optional
	Locations string             // plain id,name,lat,lon CSV; optional (instead of Schools)
	Offers    []string           // Affelnet offer lists or plain offer CSVs
	Transfers graph.TransferMode // default footpaths for queries (default both)

	// Nomenclature lists tables of the national nomenclature (BCN N_MEF,
	// N_FORMATION_DIPLOME) that name the offers by their code; optional.
	Nomenclature []string

	// Addresses lists files of the national address base (adresses-XX.csv)
	// whose house numbers the geocoder finds; optional (see addresses.go).
	Addresses []string
}

// Options control a build.
type Options struct {
	Date        time.Time // service date
	StrictDates bool      // refuse feeds whose validity misses Date
	// Limits in metres; zero means the default.
	LinkLimit     float64
	TransferLimit float64
	EgressLimit   float64
	// BikeLimit bounds the rides of requests (to a school, to the first
	// stop), recorded in the graph (Meta.BikeLimit); at most MaxBikeLimit.
	BikeLimit float64
	// H3Resolution of the reachability cells (8, 9 or 10; 0 means 9).
	H3Resolution int
	// Progress, when set, is called with the work done so far and its
	// total, in arbitrary units, and the name of the current stage.
	Progress func(stage string, done, total int64)
	// Logf, when set, receives one line per build step.
	Logf func(format string, args ...any)
}

// Build reads every source and assembles the graph. It never writes files.
// Its errors name the source or option at fault ("osm: …", "school
// directory: …") without a prefix of their own: the caller adds its
// context once.
func Build(src Sources, opt Options) (*graph.Graph, error) {
	if len(src.GTFS) == 0 {
		return nil, fmt.Errorf("no GTFS feed given")
	}
	if len(src.Schools) > 0 && src.Locations != "" {
		return nil, fmt.Errorf("give either a school directory or a locations file, not both")
	}
	if len(src.Offers) > 0 && len(src.Schools) == 0 && src.Locations == "" {
		return nil, fmt.Errorf("offers need a school directory (--schools) or a locations file (--locations) to be placed")
	}
	if len(src.Nomenclature) > 0 && len(src.Schools) == 0 && src.Locations == "" {
		return nil, fmt.Errorf("a nomenclature names offers: it needs a school directory (--schools) or a locations file (--locations) and offers")
	}
	if _, err := graph.ParseTransferMode(string(src.Transfers)); err != nil {
		return nil, fmt.Errorf("transfers %w", err)
	}
	if src.Transfers == "" {
		src.Transfers = graph.TransfersBoth
	}
	if r := opt.H3Resolution; r != 0 && (r < 8 || r > 10) {
		return nil, fmt.Errorf("H3 resolution %d: want 8, 9 or 10", r)
	}
	if opt.LinkLimit <= 0 {
		opt.LinkLimit = DefaultLinkLimit
	}
	if opt.TransferLimit <= 0 {
		opt.TransferLimit = DefaultTransferLimit
	}
	if opt.EgressLimit <= 0 {
		opt.EgressLimit = DefaultEgressLimit
	}
	if opt.BikeLimit <= 0 {
		opt.BikeLimit = DefaultBikeLimit
	}
	if !(opt.BikeLimit <= MaxBikeLimit) {
		return nil, fmt.Errorf("bike limit %v m: want at most %v m", opt.BikeLimit, MaxBikeLimit)
	}
	logf := opt.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}

	// Timetables and streets are independent: read them side by side.
	var (
		wg         sync.WaitGroup
		streets    *graph.Streets
		streetsRep *osm.Report
		osmErr     error
		// House numbers of the extracts, for the geocoder.
		osmAddrs   []osm.Address
		osmAddrRep *osm.AddressReport
	)
	if len(src.OSM) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			streets, streetsRep, osmErr = osm.ReadAll(src.OSM, osm.Options{})
			if osmErr == nil {
				osmAddrs, osmAddrRep, osmErr = osm.ReadAddresses(src.OSM, 0)
			}
		}()
	}
	gopt := gtfs.BuildOptions{Date: opt.Date, StrictDates: opt.StrictDates, Logf: logf}
	if opt.Progress != nil {
		gopt.Progress = func(done, total int64) { opt.Progress("timetables", done, total) }
	}
	g, err := gtfs.Build(src.GTFS, gopt)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	if osmErr != nil {
		return nil, osmErr
	}
	g.Meta.Transfers = src.Transfers
	g.Meta.LinkLimit, g.Meta.TransferLimit, g.Meta.EgressLimit = opt.LinkLimit, opt.TransferLimit, opt.EgressLimit
	g.Meta.BikeLimit = opt.BikeLimit
	if streets != nil {
		g.Streets = *streets
		r := streetsRep
		g.Meta.Streets = &graph.StreetsReport{
			Path: r.Path, NodesRead: r.NodesRead, WaysRead: r.WaysRead, WaysKept: r.WaysKept,
			Nodes: r.Nodes, Segments: r.Segments, Edges: r.Edges,
			IslandsDropped: r.IslandsDropped, NodesDropped: r.NodesDropped,
			MinLat: r.MinLat, MinLon: r.MinLon, MaxLat: r.MaxLat, MaxLon: r.MaxLon,
		}
		logf("streets: %s", r)
	}

	if err := buildPlaces(g, src, logf); err != nil {
		return nil, err
	}
	if err := link(g, opt, logf); err != nil {
		return nil, err
	}
	if opt.H3Resolution == 0 {
		opt.H3Resolution = DefaultH3Resolution
	}
	if err := buildCells(g, opt.H3Resolution, opt.EgressLimit); err != nil {
		return nil, err
	}
	logf("cells: %d H3 cells at resolution %d, %d (stop, cell) egress pairs within %.0f m",
		g.Cells.NumCells(), opt.H3Resolution, len(g.Cells.StopCell), opt.EgressLimit)
	if err := buildAddresses(g, src.Addresses, osmAddrs, osmAddrRep, logf); err != nil {
		return nil, err
	}
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("internal error, invalid graph: %w", err)
	}
	return g, nil
}

// buildPlaces reads the school directories (concatenated) or the
// locations, and the offers.
func buildPlaces(g *graph.Graph, src Sources, logf func(string, ...any)) error {
	if len(src.Schools) == 0 && src.Locations == "" {
		g.Places = graph.Places{SchoolOfferStart: []int32{0}} // no schools
		return nil
	}
	var dir *schools.Directory
	var err error
	if len(src.Schools) > 0 {
		dirs := make([]*schools.Directory, len(src.Schools))
		for i, p := range src.Schools {
			if dirs[i], err = schools.ReadDirectory(p); err != nil {
				return err
			}
		}
		dir, err = schools.Concat(dirs...)
	} else {
		dir, err = schools.ReadLocationsCSV(src.Locations)
	}
	if err != nil {
		return err
	}
	var lists []*schools.OfferList
	for _, p := range src.Offers {
		l, err := schools.ReadOffers(p)
		if err != nil {
			return err
		}
		lists = append(lists, l)
	}
	var nom *schools.Nomenclature
	if len(src.Nomenclature) > 0 {
		if nom, err = schools.ReadNomenclature(src.Nomenclature...); err != nil {
			return err
		}
		nom.Name(dir.Offers)
		for _, l := range lists {
			nom.Name(l)
		}
	}
	places, rep, err := schools.Join(dir, lists...)
	if err != nil {
		return err
	}
	g.Places = *places
	d := rep.Directory
	pr := &graph.PlacesReport{
		Directory: d.Path, Format: d.Format, Rows: d.Rows, Schools: rep.Schools, FromLambert: d.FromLambert,
		Lycees: d.Lycees, Vocational: d.VocationalLycees, Colleges: d.Colleges,
		DirectoryDrops: d.Drops, OffersPlaced: rep.Placed, Boarding: rep.Boarding,
	}
	for _, o := range rep.Offers {
		pr.Offers = append(pr.Offers, graph.OfferFileReport{
			Path: o.Path, Source: o.Source.String(), Rows: o.Rows, Joined: o.Joined,
			JoinedSchools: o.JoinedSchools, Outside: o.Outside, Drops: o.Drops,
			Named: o.Named, Unnamed: o.Unnamed, UnnamedExamples: o.UnnamedExamples,
		})
	}
	if nom != nil {
		for _, f := range nom.Files {
			pr.Nomenclature = append(pr.Nomenclature, graph.NomenclatureReport{
				Path: f.Path, Table: f.Table, Encoding: f.Encoding, Rows: f.Rows, Codes: f.Codes, Drops: f.Drops,
			})
			logf("nomenclature: %s (%s, %s): %d rows, %d codes", f.Path, f.Table, f.Encoding, f.Rows, f.Codes)
		}
	}
	g.Meta.Places = pr
	logf("places: %s", rep)
	return nil
}

// link attaches stops and schools to the walking and cycling networks and
// computes the stop transfers and the school egress tables.
func link(g *graph.Graph, opt Options, logf func(string, ...any)) error {
	tt := &g.Timetable
	var idx *street.Index
	if g.Streets.NumNodes() > 0 {
		idx = street.NewIndex(&g.Streets)
	}
	// linkMode links points to the cycling network (bike) or the walking one.
	linkMode := func(bike bool, lats, lons []float64) (graph.Links, graph.LinkCounts, error) {
		if idx == nil {
			l := graph.Links{Seg: make([]int32, len(lats)), Offset: make([]float32, len(lats)), Dist: make([]float32, len(lats))}
			for i := range l.Seg {
				l.Seg[i] = -1
			}
			return l, graph.LinkCounts{Points: len(lats), Fallback: len(lats)}, nil
		}
		linkPoints := street.LinkPoints
		if bike {
			linkPoints = street.LinkBikePoints
		}
		l, r, err := linkPoints(&g.Streets, idx, lats, lons, opt.LinkLimit)
		return l, graph.LinkCounts{Points: r.Points, Linked: r.Linked, Fallback: r.Fallback, MeanDist: r.MeanDist, MaxDist: r.MaxDist}, err
	}
	rep := &graph.LinkingReport{GTFSTransfers: len(tt.TransferTo)}
	var err error
	if g.StopLinks, rep.Stops, err = linkMode(false, tt.StopLat, tt.StopLon); err != nil {
		return fmt.Errorf("linking stops: %w", err)
	}
	if g.StopBikeLinks, rep.BikeStops, err = linkMode(true, tt.StopLat, tt.StopLon); err != nil {
		return fmt.Errorf("linking stops to the cycling network: %w", err)
	}
	paths, tr, err := street.StopTransfers(&g.Streets, &g.StopLinks, tt.StopLat, tt.StopLon, opt.TransferLimit)
	if err != nil {
		return fmt.Errorf("stop transfers: %w", err)
	}
	// Stops of one station that the streets do not join (extracts without
	// footways, several feeds at one station) get straight-line footpaths.
	paths, rep.StationTransfers, err = street.AddStationTransfers(paths, tt.StopName, tt.StopParent, tt.StopLat, tt.StopLon, opt.TransferLimit)
	if err != nil {
		return fmt.Errorf("station transfers: %w", err)
	}
	paths.SortByDestination()
	g.StopPaths = paths
	rep.StreetTransfers, rep.StraightTransfers = tr.StreetPairs, tr.StraightPairs
	logf("stops: %d linked to streets, %d by straight lines (mean connector %.0f m, max %.0f m); %d street and %d straight-line transfers, %d station transfers (same station or within %.0f m, no street path)",
		rep.Stops.Linked, rep.Stops.Fallback, rep.Stops.MeanDist, rep.Stops.MaxDist, tr.StreetPairs, tr.StraightPairs,
		rep.StationTransfers, street.NeighbourDist)

	p := &g.Places
	if g.SchoolLinks, rep.Schools, err = linkMode(false, p.SchoolLat, p.SchoolLon); err != nil {
		return fmt.Errorf("linking schools: %w", err)
	}
	if g.SchoolBikeLinks, rep.BikeSchools, err = linkMode(true, p.SchoolLat, p.SchoolLon); err != nil {
		return fmt.Errorf("linking schools to the cycling network: %w", err)
	}
	// Egress: from every school, the stops within the egress limit.
	acc := street.NewAccess(&g.Streets, idx, &g.StopLinks, tt.StopLat, tt.StopLon, opt.LinkLimit)
	sc := acc.NewScratch()
	ns := p.NumSchools()
	eg := graph.Footpaths{Start: make([]int32, ns+1)}
	for s := 0; s < ns; s++ {
		l := &g.SchoolLinks
		hits := acc.FromLink(sc, p.SchoolLat[s], p.SchoolLon[s], l.Seg[s], float64(l.Offset[s]), float64(l.Dist[s]), opt.EgressLimit)
		sortHits(hits)
		for _, h := range hits {
			eg.To = append(eg.To, h.Point)
			eg.Dist = append(eg.Dist, float32(h.Dist))
		}
		eg.Start[s+1] = int32(len(eg.To))
	}
	g.SchoolEgress = eg
	rep.SchoolEgress = eg.Len()
	g.Meta.Linking = rep
	if ns > 0 {
		logf("schools: %d linked to streets, %d by straight lines; %d (school, stop) egress pairs within %.0f m",
			rep.Schools.Linked, rep.Schools.Fallback, eg.Len(), opt.EgressLimit)
	}
	logf("cycling: %d stops and %d schools linked to the cycling network (mean connector %.0f m and %.0f m); rides up to %.0f m",
		rep.BikeStops.Linked, rep.BikeSchools.Linked, rep.BikeStops.MeanDist, rep.BikeSchools.MeanDist, opt.BikeLimit)
	return nil
}

// sortHits orders hits by distance then point, for deterministic files.
func sortHits(h []street.Hit) {
	for i := 1; i < len(h); i++ {
		for j := i; j > 0 && (h[j].Dist < h[j-1].Dist || (h[j].Dist == h[j-1].Dist && h[j].Point < h[j-1].Point)); j-- {
			h[j], h[j-1] = h[j-1], h[j]
		}
	}
}
