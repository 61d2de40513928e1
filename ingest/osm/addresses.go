package osm

import (
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"
)

// Address is a house number of an extract.
type Address struct {
	Number   string // addr:housenumber, trimmed
	Street   string // addr:street, else addr:place, else the name of an associatedStreet relation holding it
	City     string // addr:city ("" when absent)
	Postcode string // addr:postcode ("" when absent)
	Ref      string // "osm:node/ID" or "osm:way/ID"
	Lat, Lon float64
}

// AddressReport says what ReadAddresses found.
type AddressReport struct {
	Nodes int // nodes with addr:housenumber and a street
	Ways  int // ways (buildings) with addr:housenumber and a street, at their centroid
	// FromRelations counts the house numbers (included above) whose street
	// comes from an associatedStreet relation.
	FromRelations int
	// NoStreet counts the elements with addr:housenumber but no street:
	// no addr:street, no addr:place, in no associatedStreet relation.
	NoStreet int
	// MissingNodes counts the ways none of whose nodes is in the extract.
	MissingNodes int
	// Duplicates counts elements found again in a later extract.
	Duplicates int
}

// addrTags are the address tags of an element.
type addrTags struct {
	number, street, city, postcode string
}

func readAddrTags(t osm.Tags) addrTags {
	a := addrTags{
		number:   strings.TrimSpace(t.Find("addr:housenumber")),
		street:   strings.TrimSpace(t.Find("addr:street")),
		city:     strings.TrimSpace(t.Find("addr:city")),
		postcode: strings.TrimSpace(t.Find("addr:postcode")),
	}
	if a.street == "" {
		a.street = strings.TrimSpace(t.Find("addr:place"))
	}
	return a
}

// relationStreet is the street an associatedStreet relation gives its
// houses.
type relationStreet struct {
	street, city, postcode string
}

// addrWay is a way with an address, before its nodes are located.
type addrWay struct {
	id   int64
	tags addrTags
	refs []int64
}

// ReadAddresses reads the house numbers of OpenStreetMap extracts (.osm.pbf
// or .osm): nodes and ways with addr:housenumber, a way placed at the mean
// of its nodes (a building's centroid, near enough for a front door). The
// street is addr:street, else addr:place, else the name of an
// associatedStreet relation listing the element with the role "house"
// (French cadastre imports record most streets that way); elements
// without any are counted and left out. Multipolygon relations with an
// address and addr:interpolation lines are not read. An element found in
// several extracts is kept once. Each extract is read twice: its address
// elements, then the nodes of its address ways. procs is the number of
// PBF decoding goroutines (0: GOMAXPROCS).
func ReadAddresses(paths []string, procs int) ([]Address, *AddressReport, error) {
	if procs <= 0 {
		procs = runtime.GOMAXPROCS(0)
	}
	rep := &AddressReport{}
	var (
		nodes   []Address // located, street possibly empty
		ways    []addrWay
		streets = map[string]relationStreet{} // "node/ID", "way/ID" → street of its relation
		seen    = map[string]bool{}           // refs kept, across extracts
	)
	for _, p := range paths {
		format, err := formatOf(p)
		if err != nil {
			return nil, nil, err
		}
		err = scan(p, format, procs, func(ps *osmpbf.Scanner) {
			ps.SkipRelations = false
			ps.FilterNode = func(n *osm.Node) bool { return n.Tags.Find("addr:housenumber") != "" }
			ps.FilterWay = func(w *osm.Way) bool { return w.Tags.Find("addr:housenumber") != "" }
			ps.FilterRelation = func(r *osm.Relation) bool { return r.Tags.Find("type") == "associatedStreet" }
		}, func(o osm.Object) {
			switch x := o.(type) {
			case *osm.Node:
				t := readAddrTags(x.Tags)
				if t.number == "" {
					return
				}
				ref := fmt.Sprintf("osm:node/%d", x.ID)
				if seen[ref] {
					rep.Duplicates++
					return
				}
				seen[ref] = true
				nodes = append(nodes, Address{Number: t.number, Street: t.street, City: t.city, Postcode: t.postcode,
					Ref: ref, Lat: x.Lat, Lon: x.Lon})
			case *osm.Way:
				t := readAddrTags(x.Tags)
				if t.number == "" || len(x.Nodes) == 0 {
					return
				}
				ref := fmt.Sprintf("osm:way/%d", x.ID)
				if seen[ref] {
					rep.Duplicates++
					return
				}
				seen[ref] = true
				w := addrWay{id: int64(x.ID), tags: t, refs: make([]int64, len(x.Nodes))}
				for i, n := range x.Nodes {
					w.refs[i] = int64(n.ID)
				}
				ways = append(ways, w)
			case *osm.Relation:
				if x.Tags.Find("type") != "associatedStreet" {
					return
				}
				rs := relationStreet{
					street:   strings.TrimSpace(x.Tags.Find("name")),
					city:     strings.TrimSpace(x.Tags.Find("addr:city")),
					postcode: strings.TrimSpace(x.Tags.Find("addr:postcode")),
				}
				if rs.street == "" {
					rs.street = strings.TrimSpace(x.Tags.Find("addr:street"))
				}
				if rs.street == "" {
					return
				}
				for _, m := range x.Members {
					if m.Role == "house" && (m.Type == osm.TypeNode || m.Type == osm.TypeWay) {
						key := fmt.Sprintf("%s/%d", m.Type, m.Ref)
						if _, ok := streets[key]; !ok {
							streets[key] = rs
						}
					}
				}
			}
		})
		if err != nil {
			return nil, nil, err
		}
	}

	// Locate the ways' nodes.
	var ids []int64
	for _, w := range ways {
		ids = append(ids, w.refs...)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	nl := &nodeList{ids: ids, lat: make([]float64, len(ids)), lon: make([]float64, len(ids)), found: make([]bool, len(ids))}
	if len(ids) > 0 {
		for _, p := range paths {
			format, _ := formatOf(p)
			var ignored Report
			if err := readNodes(p, format, &ignored, procs, nl); err != nil {
				return nil, nil, err
			}
		}
	}

	out := make([]Address, 0, len(nodes)+len(ways))
	// withStreet completes an address's street from its relation and
	// keeps it when it has one.
	withStreet := func(a Address, key string) {
		if a.Street == "" {
			if rs, ok := streets[key]; ok {
				a.Street = rs.street
				if a.City == "" {
					a.City = rs.city
				}
				if a.Postcode == "" {
					a.Postcode = rs.postcode
				}
				rep.FromRelations++
			}
		}
		if a.Street == "" {
			rep.NoStreet++
			return
		}
		if strings.HasPrefix(key, "way/") {
			rep.Ways++
		} else {
			rep.Nodes++
		}
		out = append(out, a)
	}
	for _, a := range nodes {
		withStreet(a, strings.TrimPrefix(a.Ref, "osm:"))
	}
	for _, w := range ways {
		// The mean of the distinct nodes found (a closed ring repeats
		// its first node).
		var lat, lon float64
		n := 0
		for k, id := range w.refs {
			if k == len(w.refs)-1 && k > 0 && id == w.refs[0] {
				break
			}
			if i := nl.index(id); i >= 0 {
				lat += nl.lat[i]
				lon += nl.lon[i]
				n++
			}
		}
		if n == 0 {
			rep.MissingNodes++
			continue
		}
		t := w.tags
		withStreet(Address{Number: t.number, Street: t.street, City: t.city, Postcode: t.postcode,
			Ref: fmt.Sprintf("osm:way/%d", w.id), Lat: lat / float64(n), Lon: lon / float64(n)},
			fmt.Sprintf("way/%d", w.id))
	}
	return out, rep, nil
}

// formatOf returns "pbf" or "xml" from an extract's name.
func formatOf(p string) (string, error) {
	switch lower := strings.ToLower(p); {
	case strings.HasSuffix(lower, ".pbf"):
		return "pbf", nil
	case strings.HasSuffix(lower, ".osm"), strings.HasSuffix(lower, ".xml"):
		return "xml", nil
	}
	return "", fmt.Errorf("osm: %s: unknown format, want a .osm.pbf or .osm file", p)
}
