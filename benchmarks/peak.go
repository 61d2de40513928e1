package benchmarks

import (
	"runtime/metrics"
	"sync"
	"time"
)

// PeakHeap samples the live heap every few milliseconds while it runs and
// remembers the largest value seen.
type PeakHeap struct {
	stop chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

// StartPeakHeap starts sampling.
func StartPeakHeap() *PeakHeap {
	p := &PeakHeap{stop: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > p.peak {
				p.peak = v
			}
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

// Stop ends sampling and returns the peak live heap in bytes.
func (p *PeakHeap) Stop() uint64 {
	close(p.stop)
	p.wg.Wait()
	return p.peak
}
