package registrar

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Binding is one registered contact of an address-of-record: the
// registration record of SIP-60.
type Binding struct {
	// AOR is the address-of-record, user@host, host lower-cased.
	AOR string `json:"aor"`
	// Contact is the contact as registered, without its expires parameter.
	Contact string `json:"contact"`
	// Instance and RegID are the RFC 5626 +sip.instance and reg-id.
	Instance string `json:"instance,omitempty"`
	RegID    string `json:"reg_id,omitempty"`
	// Outbound marks an RFC 5626 registration bound to its flow.
	Outbound bool `json:"outbound,omitempty"`
	// GRUU is the public GRUU handed out for this binding (SIP-56).
	GRUU string `json:"gruu,omitempty"`
	// Q is the contact's q-value times 1000 (1000 when absent).
	Q int `json:"q"`
	// Path is the Path set received with the REGISTER, topmost first: the
	// preloaded route set toward this binding (RFC 3327).
	Path []string `json:"path,omitempty"`
	// CallID and CSeq identify the REGISTER that last refreshed it.
	CallID string `json:"call_id"`
	CSeq   uint32 `json:"cseq"`
	// Source is the transport address the REGISTER came from, Network its
	// transport ("udp", "tcp", "tls").
	Source  netip.AddrPort `json:"source"`
	Network string         `json:"network"`
	// Zone is the Local Zone subzone or, for a proxied registration, the
	// zone it arrived from.
	Zone          string `json:"zone,omitempty"`
	Proxied       bool   `json:"proxied,omitempty"`
	Authenticated bool   `json:"authenticated,omitempty"`
	Username      string `json:"username,omitempty"`
	UserAgent     string `json:"user_agent,omitempty"`
	// Created is when the binding was first made; Expires when it ends.
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
}

// Key identifies a binding within its AOR: the instance and reg-id for an
// outbound registration, the instance for a GRUU-capable one, else the
// contact URI.
func (b *Binding) Key() string {
	switch {
	case b.Instance != "" && b.RegID != "":
		return "i:" + b.Instance + ";" + b.RegID
	case b.Instance != "":
		return "i:" + b.Instance
	}
	return "c:" + contactKey(b.Contact)
}

// Store holds bindings. Implementations must be safe for concurrent use;
// Update must be atomic per AOR. A clustered deployment plugs in a store
// backed by a distributed engine.
type Store interface {
	// Lookup returns the unexpired bindings of aor at time now.
	Lookup(ctx context.Context, aor string, now time.Time) ([]Binding, error)
	// Update replaces the bindings of aor with what fn returns, fn getting
	// the unexpired ones at time now; the change is atomic.
	Update(ctx context.Context, aor string, now time.Time, fn func([]Binding) ([]Binding, error)) ([]Binding, error)
	// Range calls f for every unexpired binding until f returns false.
	Range(ctx context.Context, now time.Time, f func(Binding) bool) error
}

const shards = 64

// MemoryStore is the in-memory Store. Expired bindings are invisible at
// once and freed by Sweep. The zero value is not usable; use
// NewMemoryStore.
type MemoryStore struct {
	shard [shards]struct {
		mu sync.Mutex
		m  map[string][]Binding
	}
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	s := &MemoryStore{}
	for i := range s.shard {
		s.shard[i].m = make(map[string][]Binding)
	}
	return s
}

func shardOf(aor string) int {
	var h uint32 = 2166136261
	for i := 0; i < len(aor); i++ {
		h ^= uint32(aor[i])
		h *= 16777619
	}
	return int(h % shards)
}

func live(bs []Binding, now time.Time) []Binding {
	out := bs[:0:0]
	for _, b := range bs {
		if now.Before(b.Expires) {
			out = append(out, b)
		}
	}
	return out
}

// Lookup implements Store.
func (s *MemoryStore) Lookup(_ context.Context, aor string, now time.Time) ([]Binding, error) {
	sh := &s.shard[shardOf(aor)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return live(sh.m[aor], now), nil
}

// Update implements Store.
func (s *MemoryStore) Update(_ context.Context, aor string, now time.Time, fn func([]Binding) ([]Binding, error)) ([]Binding, error) {
	sh := &s.shard[shardOf(aor)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	nb, err := fn(live(sh.m[aor], now))
	if err != nil {
		return nil, err
	}
	if len(nb) == 0 {
		delete(sh.m, aor)
	} else {
		sh.m[aor] = nb
	}
	return append([]Binding(nil), nb...), nil
}

// Range implements Store.
func (s *MemoryStore) Range(_ context.Context, now time.Time, f func(Binding) bool) error {
	for i := range s.shard {
		sh := &s.shard[i]
		sh.mu.Lock()
		var all []Binding
		for _, bs := range sh.m {
			all = append(all, live(bs, now)...)
		}
		sh.mu.Unlock()
		for _, b := range all {
			if !f(b) {
				return nil
			}
		}
	}
	return nil
}

// Sweep removes the bindings expired at now and returns them.
func (s *MemoryStore) Sweep(now time.Time) []Binding {
	var gone []Binding
	for i := range s.shard {
		sh := &s.shard[i]
		sh.mu.Lock()
		for aor, bs := range sh.m {
			keep := bs[:0]
			for _, b := range bs {
				if now.Before(b.Expires) {
					keep = append(keep, b)
				} else {
					gone = append(gone, b)
				}
			}
			if len(keep) == 0 {
				delete(sh.m, aor)
			} else {
				sh.m[aor] = keep
			}
		}
		sh.mu.Unlock()
	}
	return gone
}

// Len returns the number of bindings held, expired or not yet swept.
func (s *MemoryStore) Len() int {
	n := 0
	for i := range s.shard {
		sh := &s.shard[i]
		sh.mu.Lock()
		for _, bs := range sh.m {
			n += len(bs)
		}
		sh.mu.Unlock()
	}
	return n
}

// contactKey reduces a contact to what identifies it: the URI text without
// the angle brackets and header parameters, lower-cased host part.
func contactKey(c string) string {
	if i := strings.IndexByte(c, '<'); i >= 0 {
		if j := strings.IndexByte(c[i:], '>'); j > 0 {
			return strings.ToLower(c[i+1 : i+j])
		}
	}
	return strings.ToLower(c)
}
