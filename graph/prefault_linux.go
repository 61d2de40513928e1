//go:build linux

package graph

import "syscall"

// madvPopulateWrite is MADV_POPULATE_WRITE (Linux 5.14): fault the pages
// of a range in, writable, without changing their contents.
const madvPopulateWrite = 23

// prefault asks the kernel to map the pages of b, a fresh allocation about
// to be filled, so that filling it does not stop at every page's first
// write. Older kernels refuse the advice; the pages are then mapped as
// they are written, as without it.
func prefault(b []byte) { syscall.Madvise(b, madvPopulateWrite) }
