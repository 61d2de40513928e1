package gtfs

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseCoord parses a latitude or longitude. It accepts a leading "+",
// surrounding spaces and a decimal comma ("48,11"). limit is 90 for a
// latitude and 180 for a longitude.
func ParseCoord(s string, limit float64) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("missing coordinate")
	}
	if strings.IndexByte(s, ',') >= 0 && strings.IndexByte(s, '.') < 0 {
		s = strings.Replace(s, ",", ".", 1)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("bad coordinate %q", s)
	}
	if v != v || v < -limit || v > limit {
		return 0, fmt.Errorf("coordinate %q out of range ±%g", s, limit)
	}
	return v, nil
}

// ParseDate parses a GTFS date "YYYYMMDD" (a "YYYY-MM-DD" form is accepted too).
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	layout := "20060102"
	if len(s) == 10 {
		layout = "2006-01-02"
	}
	d, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad date %q (want YYYYMMDD)", s)
	}
	return d, nil
}

// parseInt parses a small optional integer field; empty gives def.
func parseInt(s string, def int) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		// Some feeds write "1.0".
		if f, ferr := strconv.ParseFloat(s, 64); ferr == nil && f == float64(int(f)) {
			return int(f), nil
		}
		return 0, fmt.Errorf("bad integer %q", s)
	}
	return v, nil
}
