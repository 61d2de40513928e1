// Package benchmarks holds the benchmark harness: build time and memory of
// the shared datasets, query latencies and load tests. Run it with
// `make bench`; figures are medians of repeated runs (use -count and
// benchstat), since the machine is shared and noisy.
package benchmarks
