package main

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// move carries a network from its real centre to a place: latitudes are
// shifted by the difference of the centres; longitudes are shifted and
// their differences to the centre scaled by cos(from)/cos(to), so that
// distances in metres (east-west as well as north-south) are kept.
type move struct {
	from, to latLon
	lonScale float64
}

func newMove(from, to latLon) move {
	return move{from: from, to: to, lonScale: math.Cos(from.Lat*math.Pi/180) / math.Cos(to.Lat*math.Pi/180)}
}

// apply returns the moved position of (lat, lon).
func (m move) apply(lat, lon float64) (float64, float64) {
	return lat - m.from.Lat + m.to.Lat, m.to.Lon + (lon-m.from.Lon)*m.lonScale
}

// validCoord reports whether (lat, lon) is a usable WGS84 position: in
// range and not the 0,0 placeholder. Other values are copied unchanged, so
// that the builder drops them as it drops the originals.
func validCoord(lat, lon float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && !(lat == 0 && lon == 0) &&
		!math.IsNaN(lat) && !math.IsNaN(lon)
}

// parseCoord parses a coordinate as feeds write it ("48.1", "+08.79", " -1.6 ").
func parseCoord(s string) (float64, bool) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return v, err == nil
}

// formatCoord writes a coordinate with 7 decimals (about 1 cm).
func formatCoord(v float64) string { return strconv.FormatFloat(v, 'f', 7, 64) }

// moveText moves the position written as two strings; ok is false (and
// the strings are to be kept) when they are not a usable position.
func (m move) moveText(latS, lonS string) (string, string, bool) {
	lat, ok1 := parseCoord(latS)
	lon, ok2 := parseCoord(lonS)
	if !ok1 || !ok2 || !validCoord(lat, lon) {
		return latS, lonS, false
	}
	lat, lon = m.apply(lat, lon)
	return formatCoord(lat), formatCoord(lon), true
}

// shiftTime adds secs to a GTFS time "H:MM:SS" (hours may exceed 23) and
// writes it "HH:MM:SS"; a value that is not such a time is returned
// unchanged (the builder reports it as the original's).
func shiftTime(s string, secs int) string {
	t := strings.TrimSpace(s)
	parts := strings.Split(t, ":")
	if len(parts) != 3 || len(parts[1]) != 2 || len(parts[2]) != 2 || len(parts[0]) == 0 || len(parts[0]) > 3 {
		return s
	}
	var v [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p[0] == '+' {
			return s
		}
		v[i] = n
	}
	if v[1] > 59 || v[2] > 59 {
		return s
	}
	total := v[0]*3600 + v[1]*60 + v[2] + secs
	return fmt.Sprintf("%02d:%02d:%02d", total/3600, total/60%60, total%60)
}

// median returns the median of v (the mean of the two middle values for
// an even count); v is sorted in place.
func median(v []float64) float64 {
	sort.Float64s(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
