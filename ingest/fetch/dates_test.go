package fetch

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func rng(from, to string) DateRange {
	f, _ := time.Parse(time.DateOnly, from)
	t, _ := time.Parse(time.DateOnly, to)
	return DateRange{f, t}
}

func TestCompareRangesOverlapping(t *testing.T) {
	ov := CompareRanges([]FeedRange{
		{"star", rng("2026-01-05", "2026-06-30")},
		{"illenoo", rng("2025-09-01", "2026-04-10")},
		{"scolaire", rng("2026-03-02", "2026-07-03")},
		{"sans dates", DateRange{}},
	})
	if got := ov.Common.String(); got != "2026-03-02..2026-04-10" {
		t.Errorf("common %s, want 2026-03-02..2026-04-10", got)
	}
	if ov.Common.Days() != 40 || len(ov.Groups) != 0 || len(ov.Isolated) != 0 || len(ov.Apart) != 0 {
		t.Errorf("overlapping feeds: %+v", ov)
	}
	one := CompareRanges([]FeedRange{{"seul", rng("2026-01-01", "2026-01-01")}})
	if one.Common.Days() != 1 {
		t.Errorf("single one-day feed: %+v", one)
	}
	if none := CompareRanges(nil); !none.Common.Empty() || none.Groups != nil {
		t.Errorf("no feed: %+v", none)
	}
}

func TestCompareRangesDisjoint(t *testing.T) {
	// Like the real data: STAR 2012-05 and TER 2017 share no date; two more
	// 2017 feeds overlap TER, and a chain a–b–c where a and c do not meet.
	ov := CompareRanges([]FeedRange{
		{"star-2012-05", rng("2012-05-21", "2012-06-17")},
		{"ter-2017", rng("2017-11-06", "2018-02-28")},
		{"breizhgo-2017", rng("2017-09-01", "2017-12-20")},
		{"illenoo-2017", rng("2017-12-01", "2018-07-06")},
		{"star-2012-07", rng("2012-07-09", "2012-09-02")},
	})
	if !ov.Common.Empty() {
		t.Fatalf("common %s, want empty", ov.Common)
	}
	var groups []string
	for _, g := range ov.Groups {
		groups = append(groups, g.Range.String()+":"+strings.Join(g.Feeds, "+"))
	}
	want := "2017-12-01..2017-12-20:ter-2017+breizhgo-2017+illenoo-2017 " +
		"2012-07-09..2012-09-02:star-2012-07 2012-05-21..2012-06-17:star-2012-05"
	if got := strings.Join(groups, " "); got != want {
		t.Errorf("groups\n %s\nwant\n %s", got, want)
	}
	if got := strings.Join(ov.Isolated, " "); got != "star-2012-05 star-2012-07" {
		t.Errorf("isolated %q", got)
	}
	if len(ov.Apart) != 2 || ov.Apart[0].Feed != "star-2012-05" ||
		strings.Join(ov.Apart[0].Disjoint, " ") != "ter-2017 breizhgo-2017 illenoo-2017" {
		t.Errorf("apart %+v", ov.Apart)
	}

	// A chain: a meets b, b meets c, a and c do not meet.
	ov = CompareRanges([]FeedRange{
		{"a", rng("2026-01-01", "2026-01-31")},
		{"b", rng("2026-01-20", "2026-02-20")},
		{"c", rng("2026-02-10", "2026-03-31")},
	})
	groups = groups[:0]
	for _, g := range ov.Groups {
		groups = append(groups, g.Range.String()+":"+strings.Join(g.Feeds, "+"))
	}
	if got := strings.Join(groups, " "); got != "2026-02-10..2026-02-20:b+c 2026-01-20..2026-01-31:a+b" {
		t.Errorf("chain groups %q", got)
	}
	if len(ov.Isolated) != 0 || len(ov.Apart) != 1 || ov.Apart[0].Feed != "a" || ov.Apart[0].Disjoint[0] != "c" {
		t.Errorf("chain: isolated %v apart %+v", ov.Isolated, ov.Apart)
	}

	res := &Result{Overlap: CompareRanges([]FeedRange{
		{"star-2012-05", rng("2012-05-21", "2012-06-17")},
		{"ter-2017", rng("2017-11-06", "2018-02-28")},
	})}
	var buf bytes.Buffer
	if err := res.Report(&buf); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"NO DATE IS COMMON TO ALL FEEDS", "star-2012-05 (2012-05-21..2012-06-17) shares no date with ter-2017",
		"sharing no date with any other feed: star-2012-05, ter-2017"} {
		if !strings.Contains(buf.String(), w) {
			t.Errorf("report lacks %q:\n%s", w, buf.String())
		}
	}
}

func TestSuggestBuildDate(t *testing.T) {
	for _, c := range []struct {
		r    DateRange
		want string
		note string
	}{
		// STAR 2012-05: Whit Monday 2012-05-28 spoils the week of the 29th.
		{rng("2012-05-21", "2012-06-17"), "2012-06-05", "week without public holiday"},
		// Only the Ascension week: Tuesday is a school day, its week is not quiet.
		{rng("2026-05-11", "2026-05-15"), "2026-05-12", "its week has a public holiday"},
		// A Monday-to-Monday range in term time without Tuesday? Use a weekday.
		{rng("2026-03-16", "2026-03-16"), "2026-03-16", "nearest school-term weekday"},
		// Summer only: a Tuesday, with a warning about school buses.
		{rng("2026-07-20", "2026-08-10"), "2026-07-28", "school holidays"},
		// Christmas Day on a Tuesday… within the holidays and a public holiday.
		{rng("2018-12-25", "2018-12-25"), "", "no weekday"},
	} {
		got := SuggestBuildDate(c.r, nil)
		gotDate := ""
		if !got.Date.IsZero() {
			gotDate = got.Date.Format(time.DateOnly)
		}
		if gotDate != c.want || !strings.Contains(got.Note, c.note) {
			t.Errorf("SuggestBuildDate(%s) = %s (%s), want %s (%s)", c.r, gotDate, got.Note, c.want, c.note)
		}
	}
	// Given holidays replace the built-in approximation.
	got := SuggestBuildDate(rng("2026-03-01", "2026-03-31"), []DateRange{rng("2026-03-01", "2026-03-22")})
	if got.Date.Format(time.DateOnly) != "2026-03-24" {
		t.Errorf("with custom holidays: %s", got.Date.Format(time.DateOnly))
	}
}

func TestFrenchCalendar(t *testing.T) {
	for y, want := range map[int]string{2012: "2012-04-08", 2017: "2017-04-16", 2026: "2026-04-05", 2038: "2038-04-25"} {
		if got := easter(y).Format(time.DateOnly); got != want {
			t.Errorf("easter(%d) = %s, want %s", y, got, want)
		}
	}
	for d, want := range map[string]bool{
		"2026-04-06": true, // Easter Monday
		"2026-05-14": true, // Ascension
		"2026-05-25": true, // Whit Monday
		"2026-07-14": true,
		"2026-05-15": false, // the bridge day is a school holiday, not a public one
		"2026-03-24": false,
	} {
		if got := IsFrenchPublicHoliday(rng(d, d).From); got != want {
			t.Errorf("IsFrenchPublicHoliday(%s) = %v", d, got)
		}
	}
}
