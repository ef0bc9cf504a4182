package bandwidth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
)

// CallType says whether the node takes the call's media: traversal calls
// are routed through the Traversal Subzone (BW-11).
type CallType uint8

// Call types.
const (
	NonTraversal CallType = iota
	Traversal
)

// Request asks for bandwidth for one call.
type Request struct {
	CallID string
	From   string // source node (subzone or zone name)
	To     string // destination node
	// Kbps requested; 0 means the initiator gave none and Config.DefaultKbps
	// is used (BW-1).
	Kbps int64
	Type CallType
	// Interworked marks a SIP<->H.323 call: the request is raised to at
	// least Config.DefaultKbps (BW-1).
	Interworked bool
}

// Grant is an admitted (or checked) call. Route, Links and Pipes are shared
// with the Controller and must not be modified.
type Grant struct {
	CallID      string
	Kbps        int64 // granted
	Requested   int64 // after the default rule
	Downspeeded bool
	Route       []string // nodes, in order
	Links       []string
	Pipes       []string
}

// Event is something the Controller reports to the operator (the seed's
// events): "Call Bandwidth Changed" (level 1) and "Security Alert".
type Event struct {
	Name   string
	Level  int
	CallID string
	Detail string
}

// Option configures a Controller.
type Option func(*Controller)

// WithStore shares usage through s (a cluster's common store); the default
// is a private MemoryStore.
func WithStore(s Store) Option { return func(c *Controller) { c.store = s } }

// WithPeer names the cluster peer the Controller runs on.
func WithPeer(name string) Option { return func(c *Controller) { c.peer = name } }

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(c *Controller) { c.log = l } }

// WithEvents sets a callback for events.
func WithEvents(f func(Event)) Option { return func(c *Controller) { c.onEvent = f } }

// Controller admits calls against a compiled configuration. It is safe for
// concurrent use.
type Controller struct {
	cfg     Config
	top     *topology
	store   Store
	peer    string
	log     *slog.Logger
	onEvent func(Event)

	mu    sync.RWMutex
	plans map[uint64]*plan
}

// maxReserveAttempts bounds the optimistic retries when usage changes
// between reading it and booking (BW-15 step 4; our decision: each conflict
// means another call was booked or released in between, so the loop makes
// progress).
const maxReserveAttempts = 64

// New validates cfg, compiles it and publishes its fingerprint to the store.
func New(ctx context.Context, cfg Config, opts ...Option) (*Controller, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("bandwidth: invalid configuration: %w", err)
	}
	c := &Controller{cfg: cfg, peer: "local", log: slog.Default(), plans: make(map[uint64]*plan)}
	c.cfg.Subzones = append([]Subzone(nil), cfg.Subzones...)
	c.cfg.Zones = append([]Zone(nil), cfg.Zones...)
	c.cfg.Pipes = append([]Pipe(nil), cfg.Pipes...)
	c.cfg.Links = append([]Link(nil), cfg.Links...)
	for _, o := range opts {
		o(c)
	}
	if c.store == nil {
		c.store = NewMemoryStore()
	}
	c.top = compile(&c.cfg)
	if err := c.store.Publish(ctx, c.peer, c.top.hash); err != nil {
		c.securityAlert(err)
	}
	return c, nil
}

// ConfigHash is the fingerprint peers compare (BW-20).
func (c *Controller) ConfigHash() string { return c.top.hash }

// Admit books bandwidth for a call (BW-12..BW-15). A refusal is an
// *AdmissionError; an unknown node name wraps ErrUnknownName.
func (c *Controller) Admit(ctx context.Context, req Request) (Grant, error) {
	if req.CallID == "" {
		return Grant{}, fmt.Errorf("%w: empty call ID", ErrInvalidRequest)
	}
	return c.admit(ctx, req, true)
}

// Check answers like Admit but books nothing (xCommand CheckBandwidth,
// BW-18). Refusals come back in the error, as from Admit.
func (c *Controller) Check(ctx context.Context, from, to string, kbps int64, t CallType) (Grant, error) {
	if len(from) < 1 || len(from) > MaxNameLen || len(to) < 1 || len(to) > MaxNameLen {
		return Grant{}, fmt.Errorf("%w: node names must be 1..%d characters", ErrInvalidRequest, MaxNameLen)
	}
	if kbps < 1 || kbps > MaxLimitKbps {
		return Grant{}, fmt.Errorf("%w: bandwidth %d out of range 1..%d", ErrInvalidRequest, kbps, MaxLimitKbps)
	}
	return c.admit(ctx, Request{From: from, To: to, Kbps: kbps, Type: t}, false)
}

func (c *Controller) admit(ctx context.Context, req Request, book bool) (Grant, error) {
	p, err := c.plan(req.From, req.To, req.Type)
	if err != nil {
		return Grant{}, err
	}
	r := req.Kbps
	if r <= 0 {
		r = c.cfg.DefaultKbps
	}
	if req.Interworked && r < c.cfg.DefaultKbps {
		r = c.cfg.DefaultKbps
	}
	g := Grant{CallID: req.CallID, Requested: r, Route: p.route, Links: p.links, Pipes: p.pipes}
	refuse := func(reason Reason, avail int64) (Grant, error) {
		return g, &AdmissionError{Reason: reason, From: req.From, To: req.To, Requested: r, Available: avail}
	}
	if p.noBandwidth {
		return refuse(ReasonNoBandwidth, 0)
	}
	b := r
	if b > p.perCall {
		if !c.cfg.DownspeedPerCall {
			return refuse(ReasonPerCallExceeded, p.perCall)
		}
		b = p.perCall
	}
	var buf [16]Usage
	used := buf[:0]
	if len(p.charges) > len(buf) {
		used = make([]Usage, len(p.charges))
	} else {
		used = buf[:len(p.charges)]
	}
	var res *Reservation
	for attempt := 0; ; attempt++ {
		if err := c.store.Load(ctx, c.top.hash, p.charges, used); err != nil {
			if errors.Is(err, ErrConfigMismatch) {
				c.securityAlert(err)
			}
			return Grant{}, fmt.Errorf("bandwidth: peer %q: %w", c.peer, err)
		}
		grant, reason, avail := c.fit(p, used, b, 0)
		if reason != ReasonNone {
			return refuse(reason, avail)
		}
		g.Kbps = grant
		g.Downspeeded = grant < r
		if !book {
			return g, nil
		}
		if res == nil {
			res = &Reservation{CallID: req.CallID, Peer: c.peer, ConfigHash: c.top.hash, Charges: p.charges,
				From: req.From, To: req.To, Traversal: req.Type == Traversal}
		}
		res.Kbps = grant
		err := c.store.TryReserve(ctx, res)
		if err == nil {
			return g, nil
		}
		if errors.Is(err, ErrConfigMismatch) {
			c.securityAlert(err)
			return Grant{}, err
		}
		if !errors.Is(err, ErrConflict) || attempt+1 >= maxReserveAttempts {
			return Grant{}, fmt.Errorf("bandwidth: reserving call %q: %w", req.CallID, err)
		}
	}
}

// fit applies BW-14/BW-15 step 3: the remaining-total ceiling T over the
// charges, given usage, with own kbps of this call already booked.
func (c *Controller) fit(p *plan, used []Usage, b, own int64) (int64, Reason, int64) {
	t := int64(unlimitedKbps)
	for i, ch := range p.charges {
		if ch.Limit == unlimitedKbps {
			continue
		}
		if left := (ch.Limit - used[i].Kbps + ch.Times*own) / ch.Times; left < t {
			t = left
		}
	}
	if t < 0 {
		t = 0
	}
	if b > t {
		if !c.cfg.DownspeedTotal || t < c.cfg.MinKbps {
			return 0, ReasonTotalExceeded, t
		}
		b = t
	}
	return b, ReasonNone, t
}

// Change re-prices an admitted call (H.323 BRQ, SIP re-INVITE; BW-17). A
// decrease always succeeds; an increase is checked like an admission with
// the call's own booking counted as free, and may be downspeeded. A refused
// increase leaves the old grant in place.
func (c *Controller) Change(ctx context.Context, callID string, kbps int64) (Grant, error) {
	if kbps < 1 {
		return Grant{}, fmt.Errorf("%w: bandwidth %d", ErrInvalidRequest, kbps)
	}
	old, err := c.store.Lookup(ctx, callID)
	if err != nil {
		return Grant{}, err
	}
	t := NonTraversal
	if old.Traversal {
		t = Traversal
	}
	p, err := c.plan(old.From, old.To, t)
	if err != nil {
		return Grant{}, err
	}
	g := Grant{CallID: callID, Requested: kbps, Route: p.route, Links: p.links, Pipes: p.pipes}
	b := kbps
	if b > old.Kbps {
		if b > p.perCall {
			if !c.cfg.DownspeedPerCall {
				return g, &AdmissionError{Reason: ReasonPerCallExceeded, From: old.From, To: old.To, Requested: kbps, Available: p.perCall}
			}
			b = p.perCall
		}
	}
	want := b
	used := make([]Usage, len(p.charges))
	for attempt := 0; ; attempt++ {
		b = want
		if b > old.Kbps {
			if err := c.store.Load(ctx, c.top.hash, p.charges, used); err != nil {
				return g, fmt.Errorf("bandwidth: loading usage: %w", err)
			}
			nb, reason, avail := c.fit(p, used, b, old.Kbps)
			if reason != ReasonNone {
				return g, &AdmissionError{Reason: reason, From: old.From, To: old.To, Requested: kbps, Available: avail}
			}
			b = nb
		}
		next := *old
		next.Kbps = b
		err := c.store.TryReserve(ctx, &next)
		if err == nil {
			g.Kbps, g.Downspeeded = b, b < kbps
			c.event(Event{Name: "Call Bandwidth Changed", Level: 1, CallID: callID,
				Detail: fmt.Sprintf("%d -> %d kbps", old.Kbps, b)})
			return g, nil
		}
		if !errors.Is(err, ErrConflict) || attempt+1 >= maxReserveAttempts {
			return g, fmt.Errorf("bandwidth: changing call %q: %w", callID, err)
		}
		if old, err = c.store.Lookup(ctx, callID); err != nil {
			return g, err
		}
	}
}

// Release returns exactly what a call booked (BW-17). Releasing an unknown
// or already released call wraps ErrUnknownCall.
func (c *Controller) Release(ctx context.Context, callID string) error {
	_, err := c.store.Release(ctx, callID)
	return err
}

// NodeUsage, LinkUsage and PipeUsage report the status of BW-21: calls and
// kbps booked, cluster-wide.
func (c *Controller) NodeUsage(ctx context.Context, name string) (Usage, error) {
	return c.usage(ctx, "node:"+name)
}

// LinkUsage reports a link's calls and kbps (BW-21).
func (c *Controller) LinkUsage(ctx context.Context, name string) (Usage, error) {
	return c.usage(ctx, "link:"+name)
}

// PipeUsage reports a pipe's calls and kbps (BW-21).
func (c *Controller) PipeUsage(ctx context.Context, name string) (Usage, error) {
	return c.usage(ctx, "pipe:"+name)
}

func (c *Controller) usage(ctx context.Context, key string) (Usage, error) {
	var u [1]Usage
	err := c.store.Load(ctx, "", []Charge{{Key: key}}, u[:])
	return u[0], err
}

// plan returns the cached plan of a node pair and call type.
func (c *Controller) plan(from, to string, t CallType) (*plan, error) {
	src, ok1 := c.top.index[from]
	dst, ok2 := c.top.index[to]
	if !ok1 || !ok2 {
		name := from
		if ok1 {
			name = to
		}
		return nil, fmt.Errorf("node %q: %w", name, ErrUnknownName)
	}
	key := uint64(uint32(src))<<32 | uint64(uint32(dst))<<1 | uint64(t&1)
	c.mu.RLock()
	p := c.plans[key]
	c.mu.RUnlock()
	if p != nil {
		return p, nil
	}
	p, ok := c.top.newPlan(src, dst, t == Traversal)
	if !ok {
		return nil, &AdmissionError{Reason: ReasonNoRoute, From: from, To: to}
	}
	c.mu.Lock()
	c.plans[key] = p
	c.mu.Unlock()
	return p, nil
}

func (c *Controller) securityAlert(err error) {
	c.log.Warn("bandwidth: Security Alert", "peer", c.peer, "err", err)
	c.event(Event{Name: "Security Alert", Level: 1, Detail: err.Error()})
}

func (c *Controller) event(e Event) {
	if c.onEvent != nil {
		c.onEvent(e)
	}
}
