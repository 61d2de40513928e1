package gtfs

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseTime parses a GTFS time "HH:MM:SS" into seconds since the start of
// the service day (noon minus 12 h, which is midnight except on the days
// clocks change). It accepts one to three hour digits ("5:30:00"),
// hours past 24 ("25:10:00"), surrounding spaces and the short form "HH:MM".
// The empty string is reported with ok == false and a nil error: the time
// is missing (to be interpolated).
func ParseTime(s string) (secs int32, ok bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false, nil
	}
	var parts [3]int
	n := 0
	v, digits := 0, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ':' {
			if digits == 0 || n == 3 {
				return 0, false, fmt.Errorf("bad time %q", s)
			}
			parts[n] = v
			n++
			v, digits = 0, 0
			continue
		}
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false, fmt.Errorf("bad time %q", s)
		}
		v = v*10 + int(c-'0')
		digits++
		if digits > 3 {
			return 0, false, fmt.Errorf("bad time %q", s)
		}
	}
	if n < 2 {
		return 0, false, fmt.Errorf("bad time %q", s)
	}
	h, m, sec := parts[0], parts[1], parts[2]
	if m > 59 || sec > 59 || h > 167 {
		return 0, false, fmt.Errorf("time out of range %q", s)
	}
	return int32(h*3600 + m*60 + sec), true, nil
}

// FormatTime formats seconds since midnight as HH:MM:SS (hours may exceed
// 23; negative times, of the previous day, get a leading "-").
func FormatTime(secs int32) string {
	sign := ""
	if secs < 0 {
		sign = "-"
		secs = -secs
	}
	return fmt.Sprintf("%s%02d:%02d:%02d", sign, secs/3600, secs/60%60, secs%60)
}

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
