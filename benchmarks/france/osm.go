package main

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"
	"github.com/paulmach/osm/osmxml"
)

// osmData is the whole content of an extract: nodes, ways and relations
// with their tags, sorted by id (metadata such as versions and users is
// not kept).
type osmData struct {
	Nodes     []osmNode
	Ways      []osmWay
	Relations []osmRelation
}

type osmNode struct {
	ID       int64
	Lat, Lon float64
	Tags     osm.Tags
}

type osmWay struct {
	ID    int64
	Nodes []int64
	Tags  osm.Tags
}

type osmMember struct {
	Type uint8 // 0 node, 1 way, 2 relation (the PBF member types)
	Ref  int64
	Role string
}

type osmRelation struct {
	ID      int64
	Members []osmMember
	Tags    osm.Tags
}

// maxOSMID bounds the ids of a source extract, so that the id offsets of
// the copies (multiples of osmIDSpan) never make two copies collide.
const (
	maxOSMID  = int64(1e11)
	osmIDSpan = maxOSMID
)

// readOSM reads an extract (.osm.pbf or .osm XML) entirely.
func readOSM(path string) (*osmData, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var sc osm.Scanner
	if strings.HasSuffix(strings.ToLower(path), ".pbf") {
		sc = osmpbf.New(context.Background(), f, 1)
	} else {
		sc = osmxml.New(context.Background(), f)
	}
	d := &osmData{}
	check := func(id int64) error {
		if id <= 0 || id >= maxOSMID {
			return fmt.Errorf("%s: id %d outside 1..%d, the range the copies' offsets allow", path, id, maxOSMID-1)
		}
		return nil
	}
	for sc.Scan() {
		switch o := sc.Object().(type) {
		case *osm.Node:
			if err := check(int64(o.ID)); err != nil {
				sc.Close()
				return nil, err
			}
			d.Nodes = append(d.Nodes, osmNode{int64(o.ID), o.Lat, o.Lon, o.Tags})
		case *osm.Way:
			if err := check(int64(o.ID)); err != nil {
				sc.Close()
				return nil, err
			}
			w := osmWay{ID: int64(o.ID), Tags: o.Tags, Nodes: make([]int64, len(o.Nodes))}
			for i, n := range o.Nodes {
				w.Nodes[i] = int64(n.ID)
			}
			d.Ways = append(d.Ways, w)
		case *osm.Relation:
			if err := check(int64(o.ID)); err != nil {
				sc.Close()
				return nil, err
			}
			r := osmRelation{ID: int64(o.ID), Tags: o.Tags}
			for _, m := range o.Members {
				var t uint8
				switch m.Type {
				case osm.TypeNode:
				case osm.TypeWay:
					t = 1
				case osm.TypeRelation:
					t = 2
				default:
					continue
				}
				r.Members = append(r.Members, osmMember{t, m.Ref, m.Role})
			}
			d.Relations = append(d.Relations, r)
		}
	}
	err = sc.Err()
	if cerr := sc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	slices.SortStableFunc(d.Nodes, func(a, b osmNode) int { return cmpInt(a.ID, b.ID) })
	slices.SortStableFunc(d.Ways, func(a, b osmWay) int { return cmpInt(a.ID, b.ID) })
	slices.SortStableFunc(d.Relations, func(a, b osmRelation) int { return cmpInt(a.ID, b.ID) })
	return d, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// pbfBlockSize is the number of elements per PBF data block.
const pbfBlockSize = 8000

// writePBF writes d as an .osm.pbf stream into w, every id increased by
// offset and every node moved by mv (members of relations that reference
// elements absent from the extract are offset too). Blocks are
// zlib-compressed, nodes dense, without metadata.
func writePBF(w io.Writer, d *osmData, offset int64, mv move) error {
	// Header, with the bounding box of the moved nodes.
	minLat, minLon, maxLat, maxLon := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	lat := make([]int64, len(d.Nodes))
	lon := make([]int64, len(d.Nodes))
	for i, n := range d.Nodes {
		a, o := mv.apply(n.Lat, n.Lon)
		lat[i], lon[i] = int64(math.Round(a*1e7)), int64(math.Round(o*1e7))
		minLat, maxLat = math.Min(minLat, a), math.Max(maxLat, a)
		minLon, maxLon = math.Min(minLon, o), math.Max(maxLon, o)
	}
	var hb []byte
	if len(d.Nodes) > 0 {
		var bb []byte
		bb = appendVarintField(bb, 1, zigzag(int64(math.Floor(minLon*1e9))))
		bb = appendVarintField(bb, 2, zigzag(int64(math.Ceil(maxLon*1e9))))
		bb = appendVarintField(bb, 3, zigzag(int64(math.Ceil(maxLat*1e9))))
		bb = appendVarintField(bb, 4, zigzag(int64(math.Floor(minLat*1e9))))
		hb = appendBytesField(hb, 1, bb)
	}
	hb = appendBytesField(hb, 4, []byte("OsmSchema-V0.6"))
	hb = appendBytesField(hb, 4, []byte("DenseNodes"))
	hb = appendBytesField(hb, 5, []byte("Sort.Type_then_ID"))
	hb = appendBytesField(hb, 16, []byte("reach benchmarks/france"))
	if err := writeBlob(w, "OSMHeader", hb); err != nil {
		return err
	}

	for start := 0; start < len(d.Nodes); start += pbfBlockSize {
		end := min(start+pbfBlockSize, len(d.Nodes))
		st := newStringTable()
		var ids, lats, lons, kv []byte
		tagged := false
		var prevID, prevLat, prevLon int64
		for i := start; i < end; i++ {
			n := &d.Nodes[i]
			id := n.ID + offset
			ids = binary.AppendUvarint(ids, zigzag(id-prevID))
			lats = binary.AppendUvarint(lats, zigzag(lat[i]-prevLat))
			lons = binary.AppendUvarint(lons, zigzag(lon[i]-prevLon))
			prevID, prevLat, prevLon = id, lat[i], lon[i]
			for _, t := range n.Tags {
				tagged = true
				kv = binary.AppendUvarint(kv, uint64(st.id(t.Key)))
				kv = binary.AppendUvarint(kv, uint64(st.id(t.Value)))
			}
			kv = binary.AppendUvarint(kv, 0)
		}
		var dense []byte
		dense = appendBytesField(dense, 1, ids)
		dense = appendBytesField(dense, 8, lats)
		dense = appendBytesField(dense, 9, lons)
		if tagged {
			dense = appendBytesField(dense, 10, kv)
		}
		if err := writeBlob(w, "OSMData", st.block(appendBytesField(nil, 2, dense))); err != nil {
			return err
		}
	}

	for start := 0; start < len(d.Ways); start += pbfBlockSize {
		end := min(start+pbfBlockSize, len(d.Ways))
		st := newStringTable()
		var group []byte
		for i := start; i < end; i++ {
			wy := &d.Ways[i]
			var m, refs []byte
			m = appendVarintField(m, 1, uint64(wy.ID+offset))
			m = st.appendTags(m, wy.Tags)
			var prev int64
			for _, r := range wy.Nodes {
				refs = binary.AppendUvarint(refs, zigzag(r+offset-prev))
				prev = r + offset
			}
			m = appendBytesField(m, 8, refs)
			group = appendBytesField(group, 3, m)
		}
		if err := writeBlob(w, "OSMData", st.block(group)); err != nil {
			return err
		}
	}

	for start := 0; start < len(d.Relations); start += pbfBlockSize {
		end := min(start+pbfBlockSize, len(d.Relations))
		st := newStringTable()
		var group []byte
		for i := start; i < end; i++ {
			r := &d.Relations[i]
			var m, roles, memids, types []byte
			m = appendVarintField(m, 1, uint64(r.ID+offset))
			m = st.appendTags(m, r.Tags)
			var prev int64
			for _, mb := range r.Members {
				roles = binary.AppendUvarint(roles, uint64(st.id(mb.Role)))
				memids = binary.AppendUvarint(memids, zigzag(mb.Ref+offset-prev))
				prev = mb.Ref + offset
				types = binary.AppendUvarint(types, uint64(mb.Type))
			}
			m = appendBytesField(m, 8, roles)
			m = appendBytesField(m, 9, memids)
			m = appendBytesField(m, 10, types)
			group = appendBytesField(group, 4, m)
		}
		if err := writeBlob(w, "OSMData", st.block(group)); err != nil {
			return err
		}
	}
	return nil
}

// stringTable is the string table of one PBF block; index 0 is "".
type stringTable struct {
	index map[string]uint32
	list  []string
}

func newStringTable() *stringTable {
	return &stringTable{index: map[string]uint32{"": 0}, list: []string{""}}
}

func (s *stringTable) id(v string) uint32 {
	if i, ok := s.index[v]; ok {
		return i
	}
	i := uint32(len(s.list))
	s.index[v] = i
	s.list = append(s.list, v)
	return i
}

// appendTags appends the keys and vals fields of a way or relation.
func (s *stringTable) appendTags(m []byte, tags osm.Tags) []byte {
	if len(tags) == 0 {
		return m
	}
	var keys, vals []byte
	for _, t := range tags {
		keys = binary.AppendUvarint(keys, uint64(s.id(t.Key)))
		vals = binary.AppendUvarint(vals, uint64(s.id(t.Value)))
	}
	m = appendBytesField(m, 2, keys)
	return appendBytesField(m, 3, vals)
}

// block returns the PrimitiveBlock holding the table and one group.
func (s *stringTable) block(group []byte) []byte {
	var tab []byte
	for _, v := range s.list {
		tab = appendBytesField(tab, 1, []byte(v))
	}
	b := appendBytesField(nil, 1, tab)
	return appendBytesField(b, 2, group)
}

// writeBlob writes one file block: its header length, BlobHeader and the
// zlib-compressed Blob.
func writeBlob(w io.Writer, kind string, data []byte) error {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	blob := appendVarintField(nil, 2, uint64(len(data)))
	blob = appendBytesField(blob, 3, z.Bytes())
	hdr := appendBytesField(nil, 1, []byte(kind))
	hdr = appendVarintField(hdr, 3, uint64(len(blob)))
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(hdr)))
	for _, b := range [][]byte{n[:], hdr, blob} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// Protocol-buffer wire encoding.

func appendVarintField(b []byte, field int, v uint64) []byte {
	b = binary.AppendUvarint(b, uint64(field)<<3)
	return binary.AppendUvarint(b, v)
}

func appendBytesField(b []byte, field int, data []byte) []byte {
	b = binary.AppendUvarint(b, uint64(field)<<3|2)
	b = binary.AppendUvarint(b, uint64(len(data)))
	return append(b, data...)
}

func zigzag(v int64) uint64 { return uint64(v<<1) ^ uint64(v>>63) }
