package transaction

import (
	"sync"
	"time"
)

// wheelTick is the resolution of the real clock's timers: a timer fires at
// the first tick at or after its deadline, so up to one tick late. SIP
// timers are hundreds of milliseconds and more (T1 = 500 ms).
const wheelTick = 10 * time.Millisecond

// wheelSlots is the size of the wheel: one turn is wheelSlots ticks
// (about 41 s); a timer further out stays in its slot for more turns.
const wheelSlots = 4096

// wheel is the default Clock: a hashed timing wheel served by one
// goroutine that wakes only for ticks whose slot holds a timer and hands
// the callbacks that fall due to run (the layer's worker pool). Compared
// with time.AfterFunc per timer it starts no goroutine per firing, and
// setting or stopping a timer is a list insertion or removal under one
// lock.
type wheel struct {
	base time.Time
	run  func(func())

	mu      sync.Mutex
	slots   [wheelSlots]*wheelTimer
	now     int64 // every timer due at or before this tick has fired
	wakeAt  int64 // the tick the goroutine sleeps until; 0 when idle
	n       int   // timers set
	started bool
	closed  bool
	kick    chan struct{}
	quit    chan struct{}
	done    chan struct{}
	due     []*wheelTimer
}

type wheelTimer struct {
	w          *wheel
	at         int64
	f          func()
	inline     bool // run on the wheel's goroutine, not handed to run
	prev, next *wheelTimer
	set        bool
}

func newWheel(run func(func())) *wheel {
	return &wheel{base: time.Now(), run: run, kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
}

// Now implements Clock.
func (w *wheel) Now() time.Time { return time.Now() }

func (w *wheel) tickOf(t time.Duration) int64 { return int64((t + wheelTick - 1) / wheelTick) }

// AfterFunc implements Clock: f runs on the layer's pool after d (rounded
// up to the next tick).
func (w *wheel) AfterFunc(d time.Duration, f func()) Timer { return w.afterFunc(d, f, false) }

// afterFunc sets a timer; inline callbacks run on the wheel's goroutine
// and must not block.
func (w *wheel) afterFunc(d time.Duration, f func(), inline bool) Timer {
	t := &wheelTimer{w: w, f: f, inline: inline}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return t // a closed layer fires nothing
	}
	elapsed := time.Since(w.base)
	if w.n == 0 {
		w.now = max(w.now, int64(elapsed/wheelTick))
	}
	t.at = max(w.tickOf(elapsed+d), w.now+1)
	w.link(t)
	start := !w.started
	w.started = true
	wake := w.wakeAt == 0 || t.at < w.wakeAt
	w.mu.Unlock()
	if start {
		go w.loop()
	} else if wake {
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
	return t
}

// link adds t to its slot; the caller holds w.mu.
func (w *wheel) link(t *wheelTimer) {
	s := &w.slots[t.at%wheelSlots]
	t.prev, t.next = nil, *s
	if *s != nil {
		(*s).prev = t
	}
	*s = t
	t.set = true
	w.n++
}

// unlink removes t from its slot; the caller holds w.mu.
func (w *wheel) unlink(t *wheelTimer) {
	if t.prev != nil {
		t.prev.next = t.next
	} else {
		w.slots[t.at%wheelSlots] = t.next
	}
	if t.next != nil {
		t.next.prev = t.prev
	}
	t.prev, t.next, t.set = nil, nil, false
	w.n--
}

// Stop implements Timer.
func (t *wheelTimer) Stop() bool {
	w := t.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if !t.set {
		return false
	}
	w.unlink(t)
	return true
}

// nextTick is the first tick after now whose slot holds a timer, or a
// turn ahead when every timer is turns away; the caller holds w.mu.
func (w *wheel) nextTick() int64 {
	for i := int64(1); i <= wheelSlots; i++ {
		if w.slots[(w.now+i)%wheelSlots] != nil {
			return w.now + i
		}
	}
	return w.now + wheelSlots
}

func (w *wheel) loop() {
	defer close(w.done)
	tm := time.NewTimer(time.Hour)
	defer tm.Stop()
	for {
		w.mu.Lock()
		if w.n == 0 {
			w.wakeAt = 0
			w.mu.Unlock()
			select {
			case <-w.kick:
				continue
			case <-w.quit:
				return
			}
		}
		next := w.nextTick()
		w.wakeAt = next
		w.mu.Unlock()
		if d := time.Until(w.base.Add(time.Duration(next) * wheelTick)); d > 0 {
			tm.Reset(d)
			select {
			case <-tm.C:
			case <-w.kick:
				tm.Stop()
				continue // an earlier timer was set
			case <-w.quit:
				return
			}
		}
		w.advance()
	}
}

// advance fires every timer due by now.
func (w *wheel) advance() {
	target := int64(time.Since(w.base) / wheelTick)
	w.mu.Lock()
	due := w.due[:0]
	for w.now < target {
		w.now++
		for t := w.slots[w.now%wheelSlots]; t != nil; {
			next := t.next
			if t.at <= w.now {
				w.unlink(t)
				due = append(due, t)
			}
			t = next
		}
		if w.n == 0 {
			w.now = target
		}
	}
	w.mu.Unlock()
	for i, t := range due {
		if t.inline {
			t.f()
		} else {
			w.run(t.f)
		}
		due[i] = nil
	}
	w.mu.Lock()
	w.due = due[:0]
	w.mu.Unlock()
}

// close stops the goroutine; timers set or pending never fire.
func (w *wheel) close() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	started := w.started
	w.mu.Unlock()
	close(w.quit)
	if started {
		<-w.done
	}
}
