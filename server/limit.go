package server

import (
	"context"
	"sync/atomic"
	"time"
)

// limiter bounds the heavy requests computed at once. A request takes a
// free slot at once, or waits (at most wait) when fewer than queue
// requests are already waiting; otherwise it is shed.
type limiter struct {
	slots   chan struct{}
	queue   int64
	wait    time.Duration
	waiting atomic.Int64
	shed    atomic.Int64 // requests refused, for /metrics
}

func newLimiter(inflight, queue int, wait time.Duration) *limiter {
	return &limiter{slots: make(chan struct{}, inflight), queue: int64(queue), wait: wait}
}

// acquire takes a slot, reporting false when the request is shed. A true
// result must be followed by release.
func (l *limiter) acquire(ctx context.Context) bool {
	select {
	case l.slots <- struct{}{}:
		return true
	default:
	}
	if l.waiting.Add(1) > l.queue {
		l.waiting.Add(-1)
		l.shed.Add(1)
		return false
	}
	defer l.waiting.Add(-1)
	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	l.shed.Add(1)
	return false
}

func (l *limiter) release() { <-l.slots }

// inflight returns the number of slots taken.
func (l *limiter) inflight() int { return len(l.slots) }
