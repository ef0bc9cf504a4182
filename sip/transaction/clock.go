package transaction

import (
	"sort"
	"sync"
	"time"
)

// Clock is the time source of the timers.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f after d, in a goroutine other than the one that
	// set the timer (for the layer's default clock a worker goroutine; for
	// a ManualClock the goroutine that advances the clock).
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer can be stopped.
type Timer interface {
	Stop() bool
}

// ManualClock is a Clock that moves only when told to: Advance fires the
// timers that fall due, in order, in the calling goroutine. It is for tests
// (the package's own and its users').
type ManualClock struct {
	mu     sync.Mutex
	now    time.Time
	seq    int
	timers []*manualTimer
}

type manualTimer struct {
	c       *ManualClock
	at      time.Time
	seq     int
	f       func()
	stopped bool
}

// NewManualClock returns a clock reading t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{now: t} }

// Now implements Clock.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc implements Clock.
func (c *ManualClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &manualTimer{c: c, at: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *manualTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

// Advance moves the clock forward by d, firing due timers in time order
// (timers set by fired callbacks fire too when they fall due within d).
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		sort.SliceStable(c.timers, func(i, j int) bool {
			if !c.timers[i].at.Equal(c.timers[j].at) {
				return c.timers[i].at.Before(c.timers[j].at)
			}
			return c.timers[i].seq < c.timers[j].seq
		})
		var next *manualTimer
		for len(c.timers) > 0 {
			t := c.timers[0]
			if t.stopped {
				c.timers = c.timers[1:]
				continue
			}
			if t.at.After(end) {
				break
			}
			next = t
			c.timers = c.timers[1:]
			t.stopped = true
			c.now = t.at
			break
		}
		if next == nil {
			c.now = end
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		next.f()
	}
}

// Pending is the number of timers not yet fired or stopped.
func (c *ManualClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if !t.stopped {
			n++
		}
	}
	return n
}
