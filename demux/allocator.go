package demux

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Allocation errors.
var (
	ErrNoMediaPorts   = errors.New("demux: no free media ports")
	ErrB2BUACapacity  = errors.New("demux: B2BUA call capacity reached")
	ErrNotAllocated   = errors.New("demux: port not allocated")
	ErrTooManyInNeeds = errors.New("demux: an allocation instance has at most 3 pairs and 2 single ports")
)

// PortQuarantine is how long a released port stays out of the pool, so
// late packets of an old call cannot reach a new one.
const PortQuarantine = 60 * time.Second

// Needs is what one allocation instance asks for: up to 3 RTP/RTCP pairs
// (audio, main video, second video) and 2 single ports (BFCP, H.224).
type Needs struct {
	Pairs   int
	Singles int
}

// Instance is the ports of one allocation instance (DMX-2).
type Instance struct {
	Pairs   []Pair
	Singles []uint16
}

// Ports lists every port of the instance.
func (in Instance) Ports() []uint16 {
	out := make([]uint16, 0, 2*len(in.Pairs)+len(in.Singles))
	for _, p := range in.Pairs {
		out = append(out, p.RTP, p.RTCP)
	}
	return append(out, in.Singles...)
}

// AllocatorOption configures an Allocator.
type AllocatorOption func(*Allocator)

// WithClock sets the clock used for quarantine (tests).
func WithClock(now func() time.Time) AllocatorOption { return func(a *Allocator) { a.now = now } }

// WithQuarantine sets how long released ports rest (default PortQuarantine;
// 0 returns them at once).
func WithQuarantine(d time.Duration) AllocatorOption { return func(a *Allocator) { a.quarantine = d } }

// Allocator hands out per-leg ports from the traversal media range, lowest
// free first, never the demux pairs (DMX-7, DMX-8, DMX-22). It is safe for
// concurrent use.
type Allocator struct {
	cfg        RangeConfig
	now        func() time.Time
	quarantine time.Duration

	mu    sync.Mutex
	state []int64 // per port from Start: 0 free, inUse, reserved, or quarantined until (unix nanos)
	inUse int
	b2bua int
	b2Max int
}

const (
	portInUse    = -1
	portReserved = -2
)

// NewAllocator validates cfg and returns an allocator over its range.
func NewAllocator(cfg RangeConfig, opts ...AllocatorOption) (*Allocator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &Allocator{cfg: cfg, now: time.Now, quarantine: PortQuarantine,
		state: make([]int64, int(cfg.End)-int(cfg.Start)+1), b2Max: B2BUALimit(cfg.Size)}
	for _, o := range opts {
		o(a)
	}
	for _, p := range cfg.reserved() {
		a.state[p-cfg.Start] = portReserved
	}
	return a, nil
}

// B2BUALimit is the concurrent encryption-B2BUA call limit of a node: 100,
// or 500 on Large systems (DMX-12).
func B2BUALimit(s Size) int {
	if s == Large {
		return 500
	}
	return 100
}

func (a *Allocator) free(i int, now int64) bool {
	s := a.state[i]
	return s == 0 || (s > 0 && s <= now)
}

// take finds n single ports or pairs (pair=true) without marking them.
func (a *Allocator) find(pairs, singles int, now int64) ([]int, bool) {
	var got []int
	taken := func(i int) bool {
		for _, g := range got {
			if g == i {
				return true
			}
		}
		return false
	}
	for i := 0; i+1 < len(a.state) && pairs > 0; i += 2 {
		if a.free(i, now) && a.free(i+1, now) {
			got = append(got, i, i+1)
			pairs--
		}
	}
	for i := 0; i < len(a.state) && singles > 0; i++ {
		if a.free(i, now) && !taken(i) {
			got = append(got, i)
			singles--
		}
	}
	return got, pairs == 0 && singles == 0
}

// AllocInstance takes the ports of one allocation instance, all or nothing
// (DMX-22).
func (a *Allocator) AllocInstance(ctx context.Context, n Needs) (Instance, error) {
	if n.Pairs < 0 || n.Singles < 0 || n.Pairs > 3 || n.Singles > 2 {
		return Instance{}, ErrTooManyInNeeds
	}
	if err := ctx.Err(); err != nil {
		return Instance{}, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	got, ok := a.find(n.Pairs, n.Singles, a.now().UnixNano())
	if !ok {
		return Instance{}, fmt.Errorf("%w: wanted %d pairs and %d singles, %d in use", ErrNoMediaPorts, n.Pairs, n.Singles, a.inUse)
	}
	var in Instance
	for k, i := range got {
		a.state[i] = portInUse
		port := a.cfg.Start + uint16(i)
		switch {
		case k < 2*n.Pairs && k%2 == 0:
			in.Pairs = append(in.Pairs, Pair{RTP: port, RTCP: port + 1})
		case k >= 2*n.Pairs:
			in.Singles = append(in.Singles, port)
		}
	}
	a.inUse += len(got)
	return in, nil
}

// AllocPair takes the lowest free even/odd pair.
func (a *Allocator) AllocPair(ctx context.Context) (Pair, error) {
	in, err := a.AllocInstance(ctx, Needs{Pairs: 1})
	if err != nil {
		return Pair{}, err
	}
	return in.Pairs[0], nil
}

// AllocSingle takes the lowest free port.
func (a *Allocator) AllocSingle(ctx context.Context) (uint16, error) {
	in, err := a.AllocInstance(ctx, Needs{Singles: 1})
	if err != nil {
		return 0, err
	}
	return in.Singles[0], nil
}

// Release returns ports to the pool after the quarantine. Releasing a port
// that is not allocated is an error wrapping ErrNotAllocated, and releases
// nothing.
func (a *Allocator) Release(ports ...uint16) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, p := range ports {
		if p < a.cfg.Start || p > a.cfg.End || a.state[p-a.cfg.Start] != portInUse {
			return fmt.Errorf("%w: %d", ErrNotAllocated, p)
		}
	}
	until := a.now().Add(a.quarantine).UnixNano()
	if a.quarantine <= 0 {
		until = 0
	}
	for _, p := range ports {
		a.state[p-a.cfg.Start] = until
	}
	a.inUse -= len(ports)
	return nil
}

// InUse is the number of allocated ports.
func (a *Allocator) InUse() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.inUse
}

// AcquireB2BUA counts one more call through the encryption B2BUA; the
// 101st (501st on Large) gets ErrB2BUACapacity (DMX-12).
func (a *Allocator) AcquireB2BUA() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.b2bua >= a.b2Max {
		return fmt.Errorf("%w: %d calls", ErrB2BUACapacity, a.b2Max)
	}
	a.b2bua++
	return nil
}

// ReleaseB2BUA ends a B2BUA call.
func (a *Allocator) ReleaseB2BUA() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.b2bua > 0 {
		a.b2bua--
	}
}
