package main

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/causeway-edge/causeway/internal/udpbatch"
)

// Config is one load run.
type Config struct {
	Server     netip.AddrPort // the TURN server's UDP address
	User, Pass string         // long-term credentials
	Clients    int            // clients, one socket and allocation each
	N          int            // packets per client
	Size       int            // ChannelData payload bytes, at least 8
	Window     int            // packets in flight per client
	// Timeout stops the load (not the setup) after this long; default 30 s.
	Timeout time.Duration
	// Peer is the echo peer; the zero value starts a built-in one on
	// 127.0.0.1.
	Peer netip.AddrPort
	// Pollers is how many epoll goroutines serve the client sockets
	// (default 1); Blocking gives each client its own goroutine blocking
	// in recvmmsg instead.
	Pollers  int
	Blocking bool
	// Stall is how long a client waits for any returned packet before it
	// counts those in flight as lost and sends on (default 100 ms).
	Stall time.Duration
}

// Result is what a run measured.
type Result struct {
	Clients        int
	Sent, Received int
	// Lost counts packets given up after a stall or at the end of the
	// run; Late those that came back after they were counted lost (not
	// in Received). Sent = Received + Lost.
	Lost, Late int
	// Elapsed runs from the first send to the last packet returned.
	Elapsed time.Duration
	// CPU is the process's user+system time during the load, the
	// built-in echo peer included.
	CPU time.Duration
	// SendErrors counts batches the kernel did not take whole.
	SendErrors int
}

// String is the one-line report scripts parse.
func (r Result) String() string {
	loss, rate := 0.0, 0.0
	if r.Sent > 0 {
		loss = 100 * float64(r.Lost) / float64(r.Sent)
	}
	if r.Elapsed > 0 {
		rate = float64(r.Received) / r.Elapsed.Seconds()
	}
	return fmt.Sprintf("flood clients=%d sent=%d received=%d lost=%d loss=%.3f%% seconds=%.3f rate=%.0f/s cpu=%.2fs",
		r.Clients, r.Sent, r.Received, r.Lost, loss, r.Elapsed.Seconds(), rate, r.CPU.Seconds())
}

// Setup failures callers (and tests) branch on.
var (
	errAuth      = errors.New("credentials refused (401)")
	errForbidden = errors.New("forbidden (403)")
	errNoAnswer  = errors.New("no answer from the TURN server")
)

const (
	channel        = 0x4000 // the one channel each client binds
	maxPayload     = 65535 - 4
	clientBuffer   = 1 << 20 // SO_RCVBUF/SO_SNDBUF of a client socket
	peerBuffer     = 4 << 20 // of the built-in echo peer
	defaultStall   = 100 * time.Millisecond
	defaultTimeout = 30 * time.Second
)

func (cfg *Config) check() error {
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.Stall <= 0 {
		cfg.Stall = defaultStall
	}
	if cfg.Pollers <= 0 {
		cfg.Pollers = 1
	}
	switch {
	case !cfg.Server.IsValid():
		return errors.New("no server address")
	case cfg.Clients < 1 || cfg.N < 1 || cfg.Window < 1:
		return fmt.Errorf("clients (%d), n (%d) and window (%d) must be at least 1", cfg.Clients, cfg.N, cfg.Window)
	case cfg.Size < 8 || cfg.Size > maxPayload:
		return fmt.Errorf("size %d: want 8..%d bytes", cfg.Size, maxPayload)
	}
	return nil
}

// Run sets up cfg.Clients allocations with a channel to the echo peer,
// floods them closed-loop until every client has had cfg.N packets
// returned or given up, or cfg.Timeout or ctx ends the load, and deletes
// the allocations. A setup failure is an error wrapping errAuth,
// errForbidden or errNoAnswer where one applies.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.check(); err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	local := netip.IPv4Unspecified()
	if cfg.Server.Addr().IsLoopback() {
		local = netip.MustParseAddr("127.0.0.1")
	}
	peer := cfg.Peer
	if !peer.IsValid() {
		e, err := startEcho(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), 0), cfg.Size)
		if err != nil {
			return Result{}, fmt.Errorf("echo peer: %w", err)
		}
		defer e.Close()
		peer = e.Addr()
	}
	var pollers []*udpbatch.Poller
	defer func() {
		for _, p := range pollers {
			p.Close()
		}
	}()
	if !cfg.Blocking {
		for range cfg.Pollers {
			p, err := udpbatch.NewPoller()
			if err != nil {
				return Result{}, err
			}
			pollers = append(pollers, p)
		}
	}

	var remaining atomic.Int64
	remaining.Store(int64(cfg.Clients))
	done := make(chan struct{})
	finish := func() {
		if remaining.Add(-1) == 0 {
			close(done)
		}
	}
	clients := make([]*client, 0, cfg.Clients)
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	for i := range cfg.Clients {
		var p *udpbatch.Poller
		if !cfg.Blocking {
			p = pollers[i%len(pollers)]
		}
		c, err := newClient(&cfg, netip.AddrPortFrom(local, 0), peer, p, finish)
		if err != nil {
			return Result{}, err
		}
		clients = append(clients, c)
	}
	defer release(clients)

	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() { errs[i] = c.setup(ctx) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return Result{}, err
		}
	}

	cpu0 := cpuTime()
	start := time.Now()
	for _, c := range clients {
		c.start(start)
	}
	tick := time.NewTicker(cfg.Stall / 5)
	defer tick.Stop()
	deadline := time.NewTimer(cfg.Timeout)
	defer deadline.Stop()
wait:
	for {
		select {
		case <-done:
			break wait
		case <-deadline.C:
			break wait
		case <-ctx.Done():
			break wait
		case now := <-tick.C:
			for _, c := range clients {
				c.watch(now, cfg.Stall)
			}
		}
	}
	res := Result{Clients: len(clients)}
	var last time.Time
	for _, c := range clients {
		c.stop()
		c.mu.Lock()
		res.Sent += c.sent
		res.Received += c.received
		res.Lost += c.lost
		res.Late += c.late
		res.SendErrors += c.sendErrors
		if c.last.After(last) {
			last = c.last
		}
		c.mu.Unlock()
	}
	res.CPU = cpuTime() - cpu0
	if !last.IsZero() {
		res.Elapsed = last.Sub(start)
	}
	return res, nil
}

// release deletes the clients' allocations (a Refresh with LIFETIME 0),
// so that the next run starts from an empty server; best effort.
func release(clients []*client) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() { c.release(ctx) })
	}
	wg.Wait()
}
