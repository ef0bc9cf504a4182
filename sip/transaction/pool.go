package transaction

import (
	"runtime"
	"sync"
)

// pool runs the layer's handler calls and timer callbacks on long-lived
// worker goroutines, whose stacks stay grown between calls, instead of a
// goroutine each. It never blocks the caller: a call that finds no idle
// worker starts a new one, up to max, and beyond that runs in a goroutine
// of its own, as every call did before (a handler may block: a router
// asking a policy service).
type pool struct {
	jobs chan func() // unbuffered: a send succeeds only to an idle worker
	quit chan struct{}
	wg   sync.WaitGroup

	mu      sync.Mutex
	workers int
	max     int
	closed  bool
}

func newPool() *pool {
	return &pool{jobs: make(chan func()), quit: make(chan struct{}), max: 16 * runtime.GOMAXPROCS(0)}
}

// run calls f on a worker.
func (p *pool) run(f func()) {
	select {
	case p.jobs <- f:
		return
	default:
	}
	p.mu.Lock()
	if !p.closed && p.workers < p.max {
		p.workers++
		p.wg.Add(1)
		p.mu.Unlock()
		go p.work(f)
		return
	}
	p.mu.Unlock()
	go f()
}

func (p *pool) work(f func()) {
	defer p.wg.Done()
	for {
		f()
		select {
		case f = <-p.jobs:
		case <-p.quit:
			return
		}
	}
}

// close stops the idle workers and waits for the busy ones to finish.
func (p *pool) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.mu.Unlock()
	close(p.quit)
	p.wg.Wait()
}
