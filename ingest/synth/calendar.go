package synth

import "time"

// schoolYear returns the first and last days of the 2025–2026 school year
// (a Monday and a Friday), over which every service runs.
func schoolYear() (first, last time.Time) { return day(2025, 9, 1), day(2026, 7, 3) }

// day returns the date y-m-d (UTC midnight).
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// publicHolidays of the school year: no weekday or Saturday service.
func publicHolidays() []time.Time {
	return []time.Time{
		day(2025, 11, 1),  // Toussaint (a Saturday)
		day(2025, 11, 11), // Armistice
		day(2025, 12, 25), // Noël
		day(2026, 1, 1),   // Jour de l'an
		day(2026, 4, 6),   // Lundi de Pâques
		day(2026, 5, 1),   // Fête du travail
		day(2026, 5, 8),   // Victoire 1945
		day(2026, 5, 14),  // Ascension
		day(2026, 5, 25),  // Lundi de Pentecôte
	}
}

// schoolHolidays are the school holiday periods (first and last day, both
// included) of the year, modelled on zone B; the Friday after Ascension is
// a bridge day. School buses do not run then.
func schoolHolidays() [][2]time.Time {
	return [][2]time.Time{
		{day(2025, 10, 18), day(2025, 11, 2)}, // Toussaint
		{day(2025, 12, 20), day(2026, 1, 4)},  // Noël
		{day(2026, 2, 14), day(2026, 3, 1)},   // Hiver
		{day(2026, 4, 11), day(2026, 4, 26)},  // Printemps
		{day(2026, 5, 15), day(2026, 5, 15)},  // Pont de l'Ascension
	}
}

// service is a GTFS service: the weekdays it runs on between two dates
// (calendar.txt), less the removed dates (calendar_dates.txt,
// exception_type 2).
type service struct {
	id         string
	days       [7]bool // indexed by time.Weekday: Sunday = 0
	start, end time.Time
	removed    []time.Time // sorted
}

// newService returns a service running on the given weekdays over the
// school year, except on the public holidays and, when the second
// argument is set, the school holidays.
func newService(id string, schoolDaysOnly bool, days ...time.Weekday) service {
	sv := service{id: id}
	sv.start, sv.end = schoolYear()
	for _, d := range days {
		sv.days[d] = true
	}
	closed := map[time.Time]bool{}
	for _, h := range publicHolidays() {
		closed[h] = true
	}
	if schoolDaysOnly {
		for _, p := range schoolHolidays() {
			for d := p[0]; !d.After(p[1]); d = d.AddDate(0, 0, 1) {
				closed[d] = true
			}
		}
	}
	for d := sv.start; !d.After(sv.end); d = d.AddDate(0, 0, 1) {
		if sv.days[d.Weekday()] && closed[d] {
			sv.removed = append(sv.removed, d)
		}
	}
	return sv
}

// runsOn reports whether the service runs on date d (UTC midnight).
func (sv *service) runsOn(d time.Time) bool {
	if d.Before(sv.start) || d.After(sv.end) || !sv.days[d.Weekday()] {
		return false
	}
	for _, r := range sv.removed {
		if r.Equal(d) {
			return false
		}
	}
	return true
}

// weekdays are Monday to Friday.
func weekdays() []time.Weekday {
	return []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
}
