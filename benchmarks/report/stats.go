package main

import (
	"math"
	"slices"
)

// quantile returns the q-quantile (0..1) of sorted values, by the nearest
// rank method (the value below which a fraction q of the sample lies).
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	k := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(k, 0), len(sorted)-1)]
}

// median returns the median of values (the mean of the middle two for an
// even count), without changing them.
func median(values []float64) float64 {
	if len(values) == 0 {
		return math.NaN()
	}
	s := slices.Clone(values)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// figure is one measured quantity over repeated runs: the median, and the
// spread (largest minus smallest run) relative to the median, which the
// report states as its noise.
type figure struct {
	Median float64 `json:"median"`
	Spread float64 `json:"spread"` // (max - min) / median, 0 for a single run
	Runs   int     `json:"runs"`
}

func newFigure(runs []float64) figure {
	f := figure{Median: median(runs), Runs: len(runs)}
	if len(runs) > 1 && f.Median != 0 {
		f.Spread = (slices.Max(runs) - slices.Min(runs)) / math.Abs(f.Median)
	}
	return f
}

// printFloor is the relative difference below which two figures are the
// same as the report prints them (three significant digits).
const printFloor = 0.005

// within reports whether a new median reproduces an old figure: the
// intervals median ± half the spread of the two runs overlap, or the
// medians differ by less than the printed precision.
func (f figure) within(old figure) bool {
	tol := (f.Spread*math.Abs(f.Median) + old.Spread*math.Abs(old.Median)) / 2
	tol = math.Max(tol, printFloor*math.Abs(old.Median))
	return math.Abs(f.Median-old.Median) <= tol*(1+1e-9)
}
