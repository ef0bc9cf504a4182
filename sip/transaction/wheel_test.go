package transaction

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// SIP-40: the default clock's timers fire once, not before their
// deadline, in deadline order across slots and turns; stopped timers never
// fire; Stop reports whether it stopped a pending timer.
func TestWheelFiresInOrderAndStops(t *testing.T) {
	p := newPool()
	w := newWheel(p.run)
	defer func() { w.close(); p.close() }()
	start := time.Now()
	type fired struct {
		i  int
		at time.Duration
	}
	ch := make(chan fired, 8)
	delays := []time.Duration{30 * time.Millisecond, 0, 15 * time.Millisecond, 60 * time.Millisecond}
	for i, d := range delays {
		i, d := i, d
		w.AfterFunc(d, func() { ch <- fired{i, time.Since(start)} })
	}
	stopped := w.AfterFunc(20*time.Millisecond, func() { ch <- fired{-1, 0} })
	if !stopped.Stop() {
		t.Fatal("Stop of a pending timer reported false")
	}
	if stopped.Stop() {
		t.Fatal("second Stop reported true")
	}
	want := []int{1, 2, 0, 3}
	for _, i := range want {
		select {
		case f := <-ch:
			if f.i != i {
				t.Fatalf("timer %d fired, want %d", f.i, i)
			}
			if f.at < delays[i] {
				t.Fatalf("timer %d fired after %v, before its %v", i, f.at, delays[i])
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("timer %d never fired", i)
		}
	}
	if w.AfterFunc(time.Hour, func() {}).Stop() != true {
		t.Fatal("a timer a turn and more away could not be stopped")
	}
	w.mu.Lock()
	n := w.n
	w.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d timers left in the wheel", n)
	}
}

// A timer set from a firing callback, and many timers in one slot, all
// fire; a fired timer's Stop reports false.
func TestWheelManyAndRearm(t *testing.T) {
	p := newPool()
	w := newWheel(p.run)
	defer func() { w.close(); p.close() }()
	const n = 500
	var wg sync.WaitGroup
	var count atomic.Int32
	wg.Add(n + 1)
	var first Timer
	first = w.AfterFunc(time.Millisecond, func() {
		w.AfterFunc(time.Millisecond, func() { wg.Done() })
	})
	for i := 0; i < n; i++ {
		w.AfterFunc(time.Duration(i%7)*time.Millisecond, func() { count.Add(1); wg.Done() })
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("%d of %d timers fired", count.Load(), n)
	}
	if first.Stop() {
		t.Fatal("Stop of a fired timer reported true")
	}
}

// Close stops the wheel's goroutine: pending timers never fire, and timers
// set afterwards neither (the layer is gone).
func TestWheelClose(t *testing.T) {
	p := newPool()
	w := newWheel(p.run)
	var fired atomic.Bool
	w.AfterFunc(10*time.Millisecond, func() { fired.Store(true) })
	w.close()
	w.AfterFunc(0, func() { fired.Store(true) })
	p.close()
	select {
	case <-w.done:
	default:
		t.Fatal("the wheel's goroutine is still running after close")
	}
	if fired.Load() {
		t.Fatal("a timer fired after close")
	}
}

// The pool reuses idle workers, never blocks its caller when every worker
// is busy, and close waits for running calls.
func TestPoolNeverBlocks(t *testing.T) {
	p := newPool()
	p.max = 2
	release := make(chan struct{})
	var ran atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ { // more than max: the rest get goroutines
		wg.Add(1)
		p.run(func() { defer wg.Done(); <-release; ran.Add(1) })
	}
	close(release)
	wg.Wait()
	if ran.Load() != 5 {
		t.Fatalf("%d of 5 calls ran", ran.Load())
	}
	p.mu.Lock()
	workers := p.workers
	p.mu.Unlock()
	if workers != 2 {
		t.Fatalf("%d workers, want the bound 2", workers)
	}
	p.close()
	after := make(chan struct{})
	p.run(func() { close(after) }) // after close: still runs, on a goroutine
	select {
	case <-after:
	case <-time.After(5 * time.Second):
		t.Fatal("a call after close did not run")
	}
}

// BenchmarkWheelSetStop is the cost of arming and stopping a timer (most
// SIP timers are stopped before they fire).
func BenchmarkWheelSetStop(b *testing.B) {
	p := newPool()
	w := newWheel(p.run)
	defer func() { w.close(); p.close() }()
	b.ReportAllocs()
	for b.Loop() {
		w.AfterFunc(32*time.Second, func() {}).Stop()
	}
}
