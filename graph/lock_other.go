//go:build !unix

package graph

import "os"

// lockFile does nothing where advisory locks are not available.
func lockFile(*os.File) {}

// tryLock reports false where advisory locks are not available: stale
// temporary files are then left in place.
func tryLock(*os.File) bool { return false }
