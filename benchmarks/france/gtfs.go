package main

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"reach/ingest/gtfs"
)

// zipTime is the modification time written in every generated zip entry,
// so that the same input gives the same bytes.
func zipTime() time.Time { return time.Date(2012, 5, 22, 0, 0, 0, 0, time.UTC) }

// feedCounts counts the data rows of a feed's main files.
type feedCounts struct {
	Stops, Trips, StopTimes int64
}

func (c *feedCounts) add(o feedCounts) {
	c.Stops += o.Stops
	c.Trips += o.Trips
	c.StopTimes += o.StopTimes
}

// count adds n rows of the named file.
func (c *feedCounts) count(file string, n int64) {
	switch file {
	case "stops.txt":
		c.Stops += n
	case "trips.txt":
		c.Trips += n
	case "stop_times.txt":
		c.StopTimes += n
	}
}

// columnKind says how a GTFS column is rewritten.
type columnKind uint8

const (
	keepColumn columnKind = iota
	idColumn              // prefixed
	latColumn             // moved with its longitude
	lonColumn
	timeColumn // shifted
)

// classifyColumn tells how the column of that (lower-case) name is
// rewritten: every *_id column but direction_id (an enum) and
// record_sub_id (a stop_sequence), and parent_station, are ids; the
// stop and shape coordinates move; stop and frequency times shift.
func classifyColumn(name string) columnKind {
	switch name {
	case "stop_lat", "shape_pt_lat":
		return latColumn
	case "stop_lon", "shape_pt_lon":
		return lonColumn
	case "arrival_time", "departure_time", "start_time", "end_time":
		return timeColumn
	case "parent_station":
		return idColumn
	case "direction_id", "record_sub_id":
		return keepColumn
	}
	if strings.HasSuffix(name, "_id") {
		return idColumn
	}
	return keepColumn
}

// feedRewrite is what a copy does to a feed.
type feedRewrite struct {
	prefix string // prepended to every id
	move   move
	secs   int // added to every time
}

// rewriteFeed writes the feed at src (a .zip or a directory) as a zip
// into w, every file at the archive's root, rewritten by rw.
func rewriteFeed(src string, w io.Writer, rw feedRewrite) (feedCounts, error) {
	var c feedCounts
	s, err := gtfs.OpenSource(src)
	if err != nil {
		return c, err
	}
	defer s.Close()
	zw := zip.NewWriter(w)
	for _, name := range s.Files() {
		r, err := s.Open(name)
		if err != nil {
			return c, err
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipTime()})
		if err != nil {
			r.Close()
			return c, fmt.Errorf("%s: %s: %w", src, name, err)
		}
		n, err := rewriteFile(fw, r, rw)
		r.Close()
		if err != nil {
			return c, fmt.Errorf("%s: %s: %w", src, name, err)
		}
		c.count(name, n)
	}
	if err := zw.Close(); err != nil {
		return c, fmt.Errorf("%s: %w", src, err)
	}
	return c, nil
}

// rewriteFile copies one feed file, rewritten when its header names a
// column to rewrite (see classifyColumn) and copied byte for byte
// otherwise (a log or unknown text). It returns the data rows written.
// Rewritten files are plain CSV: no byte-order mark, LF line ends, fields
// quoted only when needed.
func rewriteFile(w io.Writer, r io.Reader, rw feedRewrite) (int64, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	first, err := br.ReadString('\n')
	if err != nil && err != io.EOF {
		return 0, err
	}
	header, herr := csv.NewReader(strings.NewReader(strings.TrimPrefix(first, "\ufeff"))).Read()
	kinds := make([]columnKind, len(header))
	rewrite := false
	lat, lon := map[string]int{}, map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		kinds[i] = classifyColumn(h)
		rewrite = rewrite || kinds[i] != keepColumn
		switch kinds[i] {
		case latColumn:
			lat[strings.TrimSuffix(h, "lat")] = i
		case lonColumn:
			lon[strings.TrimSuffix(h, "lon")] = i
		}
	}
	if herr != nil || !rewrite {
		if _, err := io.WriteString(w, first); err != nil {
			return 0, err
		}
		_, err := io.Copy(w, br)
		return 0, err
	}
	var pairs [][2]int // latitude and longitude columns
	for k, i := range lat {
		if j, ok := lon[k]; ok {
			pairs = append(pairs, [2]int{i, j})
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return 0, err
	}
	cr := csv.NewReader(br)
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var rows int64
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, _ := cr.FieldPos(0)
			return rows, fmt.Errorf("line %d: %w", line+1, err)
		}
		for i, f := range rec {
			if i >= len(kinds) {
				break
			}
			switch kinds[i] {
			case idColumn:
				if t := strings.TrimSpace(f); t != "" {
					rec[i] = rw.prefix + t
				}
			case timeColumn:
				if f != "" {
					rec[i] = shiftTime(f, rw.secs)
				}
			}
		}
		for _, p := range pairs {
			if p[0] < len(rec) && p[1] < len(rec) {
				rec[p[0]], rec[p[1]], _ = rw.move.moveText(rec[p[0]], rec[p[1]])
			}
		}
		if err := cw.Write(rec); err != nil {
			return rows, err
		}
		rows++
	}
	cw.Flush()
	return rows, cw.Error()
}

// feedCentre returns the median position of the usable stops of a feed:
// the point that lands on the feed's place.
func feedCentre(src string) (latLon, error) {
	s, err := gtfs.OpenSource(src)
	if err != nil {
		return latLon{}, err
	}
	defer s.Close()
	r, err := s.Open("stops.txt")
	if err != nil {
		return latLon{}, err
	}
	defer r.Close()
	cr := csv.NewReader(r)
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return latLon{}, fmt.Errorf("%s: stops.txt: %w", src, err)
	}
	li, lo := -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "stop_lat":
			li = i
		case "stop_lon":
			lo = i
		}
	}
	if li < 0 || lo < 0 {
		return latLon{}, fmt.Errorf("%s: stops.txt:1: no stop_lat and stop_lon columns", src)
	}
	var lats, lons []float64
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return latLon{}, fmt.Errorf("%s: stops.txt: %w", src, err)
		}
		if li >= len(rec) || lo >= len(rec) {
			continue
		}
		lat, ok1 := parseCoord(rec[li])
		lon, ok2 := parseCoord(rec[lo])
		if ok1 && ok2 && validCoord(lat, lon) {
			lats, lons = append(lats, lat), append(lons, lon)
		}
	}
	if len(lats) == 0 {
		return latLon{}, fmt.Errorf("%s: stops.txt: no stop with usable coordinates", src)
	}
	return latLon{median(lats), median(lons)}, nil
}

// countFeed counts the data rows of a feed's stops, trips and stop_times.
func countFeed(src string) (feedCounts, error) {
	var c feedCounts
	s, err := gtfs.OpenSource(src)
	if err != nil {
		return c, err
	}
	defer s.Close()
	for _, name := range []string{"stops.txt", "trips.txt", "stop_times.txt"} {
		if !s.Has(name) {
			continue
		}
		r, err := s.Open(name)
		if err != nil {
			return c, err
		}
		n, err := countRows(r)
		r.Close()
		if err != nil {
			return c, fmt.Errorf("%s: %s: %w", src, name, err)
		}
		c.count(name, n)
	}
	return c, nil
}

// countRows counts the CSV records after the header.
func countRows(r io.Reader) (int64, error) {
	cr := csv.NewReader(bufio.NewReaderSize(r, 1<<16))
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var n int64
	for {
		_, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
		n++
	}
	return max(n-1, 0), nil
}
