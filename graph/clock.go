package graph

import "fmt"

// ParseClock parses a clock time "HH:MM:SS" or "HH:MM" into seconds since
// midnight of the service day (for GTFS, noon minus 12 h). It accepts one
// to three hour digits ("5:30:00"), hours past 24 for the next days (up to
// 167) and surrounding spaces. The empty string is reported with ok false
// and a nil error: the time is missing (GTFS stop times to interpolate). It
// serves the GTFS reader and every request parameter that is a time.
func ParseClock(s string) (secs int32, ok bool, err error) {
	i, j := 0, len(s)
	for i < j && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	for j > i && (s[j-1] == ' ' || s[j-1] == '\t' || s[j-1] == '\r' || s[j-1] == '\n') {
		j--
	}
	s = s[i:j]
	if s == "" {
		return 0, false, nil
	}
	var parts [3]int
	n := 0
	v, digits := 0, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ':' {
			if digits == 0 || n == 3 {
				return 0, false, fmt.Errorf("bad time %q (want HH:MM:SS)", s)
			}
			parts[n] = v
			n++
			v, digits = 0, 0
			continue
		}
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false, fmt.Errorf("bad time %q (want HH:MM:SS)", s)
		}
		v = v*10 + int(c-'0')
		digits++
		if digits > 3 {
			return 0, false, fmt.Errorf("bad time %q (want HH:MM:SS)", s)
		}
	}
	if n < 2 {
		return 0, false, fmt.Errorf("bad time %q (want HH:MM:SS)", s)
	}
	h, m, sec := parts[0], parts[1], parts[2]
	if m > 59 || sec > 59 || h > 167 {
		return 0, false, fmt.Errorf("time %q out of range (minutes and seconds 0..59, hours 0..167)", s)
	}
	return int32(h*3600 + m*60 + sec), true, nil
}

// FormatClock formats seconds since midnight of the service date as
// HH:MM:SS. Hours go past 23 for the next days; times before midnight of
// the service date get a leading "-" ("-00:10:00" is 23:50 the day before),
// so that nothing is lost.
func FormatClock(secs int32) string {
	sign := ""
	s := int64(secs)
	if s < 0 {
		sign, s = "-", -s
	}
	return fmt.Sprintf("%s%02d:%02d:%02d", sign, s/3600, s/60%60, s%60)
}
