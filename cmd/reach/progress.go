package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// progress shows the advance of a long step: a redrawn bar on a terminal,
// plain log lines every 10 % otherwise.
type progress struct {
	mu        sync.Mutex
	w         io.Writer
	tty       bool
	start     time.Time
	stage     string
	lastPct   int
	lastDraw  time.Time
	lastWidth int
}

func newProgress(f *os.File) *progress {
	return &progress{w: f, tty: term.IsTerminal(int(f.Fd())), start: time.Now(), lastPct: -1}
}

// update records done out of total for a stage.
func (p *progress) update(stage string, done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if stage != p.stage {
		p.finishLocked()
		p.stage, p.lastPct, p.start = stage, -1, time.Now()
	}
	pct := 100
	if total > 0 {
		pct = int(done * 100 / total)
	}
	if pct > 100 {
		pct = 100
	}
	eta := ""
	if el := time.Since(p.start); pct > 0 && pct < 100 {
		eta = " ETA " + (el * time.Duration(100-pct) / time.Duration(pct)).Round(time.Second).String()
	}
	if p.tty {
		if time.Since(p.lastDraw) < 100*time.Millisecond && pct != 100 {
			return
		}
		p.lastDraw = time.Now()
		const width = 30
		bar := strings.Repeat("#", pct*width/100) + strings.Repeat(".", width-pct*width/100)
		line := fmt.Sprintf("\r%-12s [%s] %3d%%%s", stage, bar, pct, eta)
		pad := ""
		if n := p.lastWidth - len(line); n > 0 {
			pad = strings.Repeat(" ", n)
		}
		p.lastWidth = len(line)
		fmt.Fprint(p.w, line+pad)
		return
	}
	if pct/10 != p.lastPct/10 || p.lastPct < 0 {
		fmt.Fprintf(p.w, "%s %s: %d%%%s\n", time.Now().Format("15:04:05"), stage, pct, eta)
	}
	p.lastPct = pct
}

// logf prints a log line without breaking the bar.
func (p *progress) logf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finishLocked()
	fmt.Fprintf(p.w, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func (p *progress) finishLocked() {
	if p.tty && p.lastWidth > 0 {
		fmt.Fprintln(p.w)
		p.lastWidth = 0
	}
}

// done ends the current bar.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finishLocked()
}
