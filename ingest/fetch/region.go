package fetch

import (
	"fmt"
	"sort"
	"strings"
)

// FilterRegion keeps the sources and skipped rows whose Region is region,
// compared without case, accents nor punctuation, and returns the region's
// name as the list spells it. When no row is of that region, the error
// lists the regions present with their number of rows.
func FilterRegion(sources []Source, skipped []Skipped, region string) ([]Source, []Skipped, string, error) {
	want := normHeader(region)
	if want == "" {
		return nil, nil, "", fmt.Errorf("region %q: empty name", region)
	}
	type count struct {
		name  string
		lines map[int]bool
	}
	present := map[string]*count{}
	note := func(r string, line int) {
		k := normHeader(r)
		if k == "" {
			return
		}
		c := present[k]
		if c == nil {
			c = &count{name: strings.TrimSpace(r), lines: map[int]bool{}}
			present[k] = c
		}
		c.lines[line] = true
	}
	for _, s := range sources {
		note(s.Region, s.Line)
	}
	for _, s := range skipped {
		note(s.Region, s.Line)
	}
	c := present[want]
	if c == nil {
		keys := make([]string, 0, len(present))
		for k := range present {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		names := make([]string, len(keys))
		for i, k := range keys {
			n := len(present[k].lines)
			names[i] = fmt.Sprintf("%s (%d row%s)", present[k].name, n, map[bool]string{true: "s"}[n > 1])
		}
		if len(names) == 0 {
			return nil, nil, "", fmt.Errorf("region %q: the list has no Région column or no region names", region)
		}
		return nil, nil, "", fmt.Errorf("region %q is not in the list; its regions are: %s", region, strings.Join(names, ", "))
	}
	var keptSources []Source
	for _, s := range sources {
		if normHeader(s.Region) == want {
			keptSources = append(keptSources, s)
		}
	}
	var keptSkipped []Skipped
	for _, s := range skipped {
		if normHeader(s.Region) == want {
			keptSkipped = append(keptSkipped, s)
		}
	}
	return keptSources, keptSkipped, c.name, nil
}
