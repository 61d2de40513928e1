//go:build !linux

package graph

// prefault does nothing where the kernel has no way to map pages ahead.
func prefault([]byte) {}
