package batch

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// forEach calls fn(k) for every k in 0..n-1 on workers goroutines (0:
// GOMAXPROCS), each taking the next k when it is free. It stops taking new
// ones at the first error of fn, which it returns, or when ctx is cancelled,
// when it returns ctx.Err() once the running calls have returned.
func forEach(ctx context.Context, n, workers int, fn func(k int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, max(n, 1))
	var next, finished atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	stop := make(chan struct{})
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case <-stop:
					return
				default:
				}
				k := int(next.Add(1) - 1)
				if k >= n {
					return
				}
				if err := fn(k); err != nil {
					once.Do(func() { first = err; close(stop) })
					return
				}
				finished.Add(1)
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	if int(finished.Load()) == n {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return context.Canceled // not reached: workers stop early only on an error or ctx
}
