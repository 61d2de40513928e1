package synth

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// feed is a GTFS feed in memory, one field per file.
type feed struct {
	agency    agency
	stops     []stop
	routes    []route
	trips     []trip
	services  []service
	transfers []transfer
}

// agency is the single row of agency.txt; it also publishes the feed
// (feed_info.txt).
type agency struct{ id, name, url string }

// stop is a row of stops.txt.
type stop struct {
	id, name string
	p        point
	station  bool   // a parent station (location_type 1) grouping stops
	parent   string // stop_id of its parent station, "" when none
}

// route is a row of routes.txt.
type route struct {
	id, short, long  string
	routeType        int // 0 tram, 3 bus, 712 school bus
	color, textColor string
}

// trip is a row of trips.txt with its rows of stop_times.txt.
type trip struct {
	id, route, service, headsign string
	direction                    int
	stops                        []int32 // indexes into feed.stops
	arr, dep                     []int32 // seconds since midnight of the service day
	// noPickup and noDropoff flag stops where passengers may not board or
	// alight (pickup_type / drop_off_type 1); nil when all are allowed.
	noPickup, noDropoff []bool
}

// transfer is a row of transfers.txt: a minimum time to change from one
// stop to another (or, from = to, within one stop).
type transfer struct {
	from, to string
	seconds  int32
}

// writeFeed writes f as the txt files of a GTFS feed in dir:
//
//	agency.txt         agency_id,agency_name,agency_url,agency_timezone,agency_lang
//	stops.txt          stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station
//	routes.txt         route_id,agency_id,route_short_name,route_long_name,route_type,route_color,route_text_color
//	trips.txt          route_id,service_id,trip_id,trip_headsign,direction_id
//	stop_times.txt     trip_id,arrival_time,departure_time,stop_id,stop_sequence[,pickup_type,drop_off_type]
//	calendar.txt       service_id,monday,…,sunday,start_date,end_date
//	calendar_dates.txt service_id,date,exception_type (2: removed)
//	transfers.txt      from_stop_id,to_stop_id,transfer_type,min_transfer_time (when f has transfers)
//	feed_info.txt      feed_publisher_name,feed_publisher_url,feed_lang,feed_start_date,feed_end_date,feed_version
//
// Times are HH:MM:SS and pass 24:00:00 after midnight; dates are YYYYMMDD;
// coordinates have 6 decimals. The pickup_type and drop_off_type columns
// appear only when some trip restricts boarding or alighting.
func writeFeed(dir string, f *feed) error {
	files := []csvFile{
		{"agency.txt", []string{"agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"},
			[][]string{{f.agency.id, f.agency.name, f.agency.url, "Europe/Paris", "fr"}}},
		{"stops.txt", []string{"stop_id", "stop_name", "stop_lat", "stop_lon", "location_type", "parent_station"},
			stopRows(f)},
		{"routes.txt", []string{"route_id", "agency_id", "route_short_name", "route_long_name", "route_type", "route_color", "route_text_color"},
			routeRows(f)},
		{"trips.txt", []string{"route_id", "service_id", "trip_id", "trip_headsign", "direction_id"},
			tripRows(f)},
		{"stop_times.txt", stopTimeHeader(f), stopTimeRows(f)},
		{"calendar.txt", []string{"service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "start_date", "end_date"},
			calendarRows(f)},
		{"calendar_dates.txt", []string{"service_id", "date", "exception_type"},
			calendarDateRows(f)},
		{"feed_info.txt", []string{"feed_publisher_name", "feed_publisher_url", "feed_lang", "feed_start_date", "feed_end_date", "feed_version"},
			feedInfoRows(f)},
	}
	if len(f.transfers) > 0 {
		var rows [][]string
		for _, t := range f.transfers {
			rows = append(rows, []string{t.from, t.to, "2", itoa(t.seconds)})
		}
		files = append(files, csvFile{"transfers.txt",
			[]string{"from_stop_id", "to_stop_id", "transfer_type", "min_transfer_time"}, rows})
	}
	for _, file := range files {
		if err := writeCSV(filepath.Join(dir, file.name), file.header, file.rows); err != nil {
			return err
		}
	}
	return nil
}

// csvFile is the content of one CSV file.
type csvFile struct {
	name   string
	header []string
	rows   [][]string
}

func stopRows(f *feed) [][]string {
	var rows [][]string
	for _, s := range f.stops {
		lat, lon := s.p.latLon()
		lt := "0"
		if s.station {
			lt = "1"
		}
		rows = append(rows, []string{s.id, s.name, coord6(lat), coord6(lon), lt, s.parent})
	}
	return rows
}

func routeRows(f *feed) [][]string {
	var rows [][]string
	for _, r := range f.routes {
		rows = append(rows, []string{r.id, f.agency.id, r.short, r.long, strconv.Itoa(r.routeType), r.color, r.textColor})
	}
	return rows
}

func tripRows(f *feed) [][]string {
	var rows [][]string
	for _, t := range f.trips {
		rows = append(rows, []string{t.route, t.service, t.id, t.headsign, strconv.Itoa(t.direction)})
	}
	return rows
}

// hasFlags reports whether some trip of f restricts boarding or alighting.
func hasFlags(f *feed) bool {
	for _, t := range f.trips {
		if t.noPickup != nil || t.noDropoff != nil {
			return true
		}
	}
	return false
}

func stopTimeHeader(f *feed) []string {
	h := []string{"trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"}
	if hasFlags(f) {
		h = append(h, "pickup_type", "drop_off_type")
	}
	return h
}

func stopTimeRows(f *feed) [][]string {
	flags := hasFlags(f)
	flag := func(v []bool, k int) string { return digit(v != nil && v[k]) }
	var rows [][]string
	for _, t := range f.trips {
		for k, s := range t.stops {
			row := []string{t.id, gtfsTime(t.arr[k]), gtfsTime(t.dep[k]), f.stops[s].id, strconv.Itoa(k + 1)}
			if flags {
				row = append(row, flag(t.noPickup, k), flag(t.noDropoff, k))
			}
			rows = append(rows, row)
		}
	}
	return rows
}

func calendarRows(f *feed) [][]string {
	var rows [][]string
	for _, sv := range f.services {
		row := []string{sv.id}
		for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
			row = append(row, digit(sv.days[d]))
		}
		rows = append(rows, append(row, gtfsDate(sv.start), gtfsDate(sv.end)))
	}
	return rows
}

func calendarDateRows(f *feed) [][]string {
	var rows [][]string
	for _, sv := range f.services {
		for _, d := range sv.removed {
			rows = append(rows, []string{sv.id, gtfsDate(d), "2"})
		}
	}
	return rows
}

func feedInfoRows(f *feed) [][]string {
	first, last := schoolYear()
	return [][]string{{f.agency.name, f.agency.url, "fr", gtfsDate(first), gtfsDate(last), "synthetic"}}
}

// writeCSV writes a comma-separated file with LF line ends, quoting fields
// only where needed.
func writeCSV(path string, header []string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	bw := bufio.NewWriter(f)
	w := csv.NewWriter(bw)
	if err := w.Write(header); err != nil {
		f.Close()
		return fmt.Errorf("synth: writing %s: %w", path, err)
	}
	if err := w.WriteAll(rows); err != nil {
		f.Close()
		return fmt.Errorf("synth: writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("synth: writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("synth: writing %s: %w", path, err)
	}
	return nil
}

// gtfsTime formats seconds since midnight as HH:MM:SS (hours past 23 after
// midnight).
func gtfsTime(secs int32) string {
	return fmt.Sprintf("%02d:%02d:%02d", secs/3600, secs/60%60, secs%60)
}

// gtfsDate formats a date as YYYYMMDD.
func gtfsDate(d time.Time) string { return d.Format("20060102") }

// coord6 formats a coordinate with 6 decimals (about 0.1 m).
func coord6(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }

// digit formats a boolean as "1" or "0".
func digit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// itoa formats an int32.
func itoa(v int32) string { return strconv.Itoa(int(v)) }
