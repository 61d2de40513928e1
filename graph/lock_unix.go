//go:build unix

package graph

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on f, held until f is closed or
// the process ends.
func lockFile(f *os.File) { syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) }

// tryLock reports whether the exclusive lock on f could be taken: nobody
// else holds it.
func tryLock(f *os.File) bool {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}
