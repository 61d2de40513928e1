package fetch

import (
	"sort"
	"time"
)

// DateRange is a range of whole days, both ends included, as UTC midnights.
type DateRange struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Empty reports whether the range holds no day.
func (r DateRange) Empty() bool { return r.From.IsZero() || r.To.Before(r.From) }

// Contains reports whether day d (a UTC midnight) lies in the range.
func (r DateRange) Contains(d time.Time) bool {
	return !r.Empty() && !d.Before(r.From) && !d.After(r.To)
}

// Days returns the number of days in the range.
func (r DateRange) Days() int {
	if r.Empty() {
		return 0
	}
	return int(r.To.Sub(r.From).Hours()/24+0.5) + 1
}

// Overlaps reports whether two ranges share a day.
func (r DateRange) Overlaps(o DateRange) bool {
	return !r.Empty() && !o.Empty() && !r.To.Before(o.From) && !o.To.Before(r.From)
}

// String formats the range as "2006-01-02..2006-01-02".
func (r DateRange) String() string {
	if r.Empty() {
		return "(empty)"
	}
	return r.From.Format(time.DateOnly) + ".." + r.To.Format(time.DateOnly)
}

// FeedRange is the validity range of one named feed.
type FeedRange struct {
	Name  string    `json:"name"`
	Range DateRange `json:"range"`
}

// Overlap is the comparison of the validity ranges of several feeds.
type Overlap struct {
	// Common is the range of days common to all feeds; empty (zero) when
	// there is none or no feed.
	Common DateRange `json:"common,omitzero"`
	// Groups, filled only when Common is empty, are the maximal sets of
	// feeds that share at least one day, each with the range its feeds
	// share, largest first and, among equals, most recent first. A feed
	// may belong to several groups.
	Groups []FeedGroup `json:"groups,omitempty"`
	// Isolated names the feeds that share no day with any other feed.
	Isolated []string `json:"isolated,omitempty"`
	// Apart maps each feed outside the largest group to the feeds of that
	// group it shares no day with.
	Apart []Apart `json:"apart,omitempty"`
}

// FeedGroup is a set of feeds that share the days of Range.
type FeedGroup struct {
	Feeds []string  `json:"feeds"`
	Range DateRange `json:"range"`
}

// Apart names a feed and the feeds of the largest group it shares no day with.
type Apart struct {
	Feed     string    `json:"feed"`
	Range    DateRange `json:"range"`
	Disjoint []string  `json:"disjoint_from"`
}

// CompareRanges computes the range common to all feeds and, when it is
// empty, which feeds share days with which. Feeds with an empty range are
// ignored.
func CompareRanges(feeds []FeedRange) Overlap {
	var fs []FeedRange
	for _, f := range feeds {
		if !f.Range.Empty() {
			fs = append(fs, f)
		}
	}
	var ov Overlap
	if len(fs) == 0 {
		return ov
	}
	common := fs[0].Range
	for _, f := range fs[1:] {
		if f.Range.From.After(common.From) {
			common.From = f.Range.From
		}
		if f.Range.To.Before(common.To) {
			common.To = f.Range.To
		}
	}
	if !common.Empty() {
		ov.Common = common
		return ov
	}

	// Interval graph: every maximal set of ranges sharing a day is the set
	// of ranges containing the start of one of them.
	var sets [][]int
	for _, f := range fs {
		var set []int
		for j, g := range fs {
			if g.Range.Contains(f.Range.From) {
				set = append(set, j)
			}
		}
		sets = append(sets, set)
	}
	var groups [][]int
	for i, s := range sets {
		maximal := true
		for j, t := range sets {
			if i != j && subset(s, t) && (len(s) < len(t) || j < i) { // equal sets: keep the first
				maximal = false
				break
			}
		}
		if maximal {
			groups = append(groups, s)
		}
	}
	sort.SliceStable(groups, func(i, j int) bool {
		if len(groups[i]) != len(groups[j]) {
			return len(groups[i]) > len(groups[j])
		}
		return groupStart(fs, groups[i]).After(groupStart(fs, groups[j])) // then the most recent
	})
	for _, g := range groups {
		fg := FeedGroup{Range: fs[g[0]].Range}
		for _, j := range g {
			r := fs[j].Range
			fg.Feeds = append(fg.Feeds, fs[j].Name)
			if r.From.After(fg.Range.From) {
				fg.Range.From = r.From
			}
			if r.To.Before(fg.Range.To) {
				fg.Range.To = r.To
			}
		}
		ov.Groups = append(ov.Groups, fg)
	}

	for i, f := range fs {
		alone := true
		for j, g := range fs {
			if i != j && f.Range.Overlaps(g.Range) {
				alone = false
				break
			}
		}
		if alone {
			ov.Isolated = append(ov.Isolated, f.Name)
		}
	}

	largest := groups[0]
	for i, f := range fs {
		if subset([]int{i}, largest) {
			continue
		}
		a := Apart{Feed: f.Name, Range: f.Range}
		for _, j := range largest {
			if !f.Range.Overlaps(fs[j].Range) {
				a.Disjoint = append(a.Disjoint, fs[j].Name)
			}
		}
		ov.Apart = append(ov.Apart, a)
	}
	return ov
}

// groupStart returns the first day shared by the feeds of a group.
func groupStart(fs []FeedRange, g []int) time.Time {
	var start time.Time
	for _, j := range g {
		if fs[j].Range.From.After(start) {
			start = fs[j].Range.From
		}
	}
	return start
}

// subset reports whether sorted s is a subset of sorted t.
func subset(s, t []int) bool {
	k := 0
	for _, v := range s {
		for k < len(t) && t[k] < v {
			k++
		}
		if k == len(t) || t[k] != v {
			return false
		}
	}
	return true
}

// BuildDate is a suggested service date for a timetable build.
type BuildDate struct {
	Date time.Time `json:"date,omitzero"` // zero when the range holds no usable day
	Note string    `json:"note"`          // why this day, or why none
}

// SuggestBuildDate picks, inside r, a Tuesday of the school term (not in
// the school holidays nor a public holiday), preferring one in a week free
// of public holidays and, among those, the one nearest the middle of r.
// holidays lists the school holiday periods; nil uses FrenchSchoolHolidays.
// When r holds no such Tuesday it falls back to a school-term weekday, then
// to any Tuesday that is not a public holiday, and says so in the note.
func SuggestBuildDate(r DateRange, holidays []DateRange) BuildDate {
	if r.Empty() {
		return BuildDate{Note: "no date range to choose from"}
	}
	if holidays == nil {
		holidays = FrenchSchoolHolidays(r)
	}
	inHolidays := func(d time.Time) bool {
		for _, h := range holidays {
			if h.Contains(d) {
				return true
			}
		}
		return false
	}
	quietWeek := func(d time.Time) bool {
		monday := d.AddDate(0, 0, -int((d.Weekday()+6)%7))
		for k := 0; k < 5; k++ {
			if IsFrenchPublicHoliday(monday.AddDate(0, 0, k)) {
				return false
			}
		}
		return true
	}
	mid := r.From.Add(r.To.Sub(r.From) / 2)
	best := func(ok func(d time.Time) bool) time.Time {
		var pick time.Time
		var dist time.Duration
		for d := r.From; !d.After(r.To); d = d.AddDate(0, 0, 1) {
			if !ok(d) {
				continue
			}
			dd := d.Sub(mid)
			if dd < 0 {
				dd = -dd
			}
			if pick.IsZero() || dd < dist {
				pick, dist = d, dd
			}
		}
		return pick
	}
	schoolDay := func(d time.Time) bool { return !inHolidays(d) && !IsFrenchPublicHoliday(d) }
	tuesday := func(d time.Time) bool { return d.Weekday() == time.Tuesday }
	weekday := func(d time.Time) bool { return d.Weekday() >= time.Monday && d.Weekday() <= time.Friday }
	if d := best(func(d time.Time) bool { return tuesday(d) && schoolDay(d) && quietWeek(d) }); !d.IsZero() {
		return BuildDate{Date: d, Note: "school-term Tuesday in a week without public holiday, nearest the middle of " + r.String()}
	}
	if d := best(func(d time.Time) bool { return tuesday(d) && schoolDay(d) }); !d.IsZero() {
		return BuildDate{Date: d, Note: "school-term Tuesday (its week has a public holiday) in " + r.String()}
	}
	if d := best(func(d time.Time) bool { return weekday(d) && schoolDay(d) }); !d.IsZero() {
		return BuildDate{Date: d, Note: "no school-term Tuesday in " + r.String() + "; nearest school-term weekday to its middle"}
	}
	if d := best(func(d time.Time) bool { return tuesday(d) && !IsFrenchPublicHoliday(d) }); !d.IsZero() {
		return BuildDate{Date: d, Note: r.String() + " lies in the school holidays: school buses (Scolaire feeds) may not run on this Tuesday"}
	}
	return BuildDate{Note: "no weekday of " + r.String() + " is a usable build date"}
}

// FrenchSchoolHolidays returns, for the years that r touches, an
// approximation of the French school holidays that covers all three zones
// (A, B, C) with a margin: summer (4 July – 4 September, which also leaves
// out the first days of term), Toussaint (17 October – 5 November),
// Christmas (19 December – 4 January), winter (4 February – 10 March),
// spring (2 April – 10 May) and the Friday after Ascension. A day outside
// them is a school day in every zone in practice; pass the real calendar
// to SuggestBuildDate for an exact answer.
func FrenchSchoolHolidays(r DateRange) []DateRange {
	if r.Empty() {
		return nil
	}
	var hs []DateRange
	for y := r.From.Year() - 1; y <= r.To.Year(); y++ {
		hs = append(hs,
			DateRange{date(y, 2, 4), date(y, 3, 10)},
			DateRange{date(y, 4, 2), date(y, 5, 10)},
			DateRange{date(y, 7, 4), date(y, 9, 4)},
			DateRange{date(y, 10, 17), date(y, 11, 5)},
			DateRange{date(y, 12, 19), date(y+1, 1, 4)},
		)
		asc := easter(y).AddDate(0, 0, 40) // the Friday after Ascension
		hs = append(hs, DateRange{asc, asc})
	}
	return hs
}

// IsFrenchPublicHoliday reports whether day d is a public holiday in
// mainland France.
func IsFrenchPublicHoliday(d time.Time) bool {
	y, m, day := d.Date()
	switch {
	case m == 1 && day == 1, m == 5 && day == 1, m == 5 && day == 8, m == 7 && day == 14,
		m == 8 && day == 15, m == 11 && day == 1, m == 11 && day == 11, m == 12 && day == 25:
		return true
	}
	e := easter(y)
	d = date(y, m, day)
	for _, off := range []int{1, 39, 50} { // Easter Monday, Ascension, Whit Monday
		if d.Equal(e.AddDate(0, 0, off)) {
			return true
		}
	}
	return false
}

// easter returns Easter Sunday of year y (Gregorian calendar, anonymous
// algorithm).
func easter(y int) time.Time {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return date(y, time.Month(month), day)
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
