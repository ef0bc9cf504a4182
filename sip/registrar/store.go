package registrar

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Registration record constants (SIP-60).
const (
	// ProtocolSIP is the Protocol of every binding this registrar holds.
	ProtocolSIP = "SIP"
	// TypeSIPUA is the registration Type of a SIP user agent.
	TypeSIPUA = "SIP UA"
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
	// transport ("udp", "tcp", "tls"), Family "IPv4" or "IPv6".
	Source  netip.AddrPort `json:"source"`
	Network string         `json:"network"`
	Family  string         `json:"family,omitempty"`
	// Flow identifies the connection or flow the REGISTER arrived on
	// (Source.Flow), the flow an outbound binding is bound to (SIP-55).
	Flow string `json:"flow,omitempty"`
	// Zone is the Local Zone subzone or, for a proxied registration, the
	// zone it arrived from.
	Zone          string `json:"zone,omitempty"`
	Proxied       bool   `json:"proxied,omitempty"`
	Authenticated bool   `json:"authenticated,omitempty"`
	Username      string `json:"username,omitempty"`
	UserAgent     string `json:"user_agent,omitempty"`
	// Protocol is always ProtocolSIP, Type TypeSIPUA (SIP-60).
	Protocol string `json:"protocol,omitempty"`
	Type     string `json:"type,omitempty"`
	// DeviceClass is what Config.DeviceClass made of the User-Agent
	// ("room", "desktop"; LIC-26), "" without a classifier.
	DeviceClass string `json:"device_class,omitempty"`
	// Peer is the cluster peer holding the binding (Config.PeerID).
	Peer string `json:"peer,omitempty"`
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

// sameKey reports whether a and b have the same Key, without building it.
func sameKey(a, b *Binding) bool {
	if a.Instance != "" || b.Instance != "" {
		return a.Instance == b.Instance && a.RegID == b.RegID
	}
	return strings.EqualFold(contactURI(a.Contact), contactURI(b.Contact))
}

// Device returns the identity of the device holding the binding: its
// instance when it sent one, else its contact URI (SIP-60 "by device").
func (b *Binding) Device() string {
	if b.Instance != "" {
		return b.Instance
	}
	return contactKey(b.Contact)
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
// once and freed by Sweep, which also returns those an Update dropped, so
// that every expiry is reported exactly once. The zero value is not usable;
// use NewMemoryStore.
//
// A slice held in the map is never written after it is stored (every
// change stores a new one), so the registrar can read the result of an
// update after the shard lock is released.
type MemoryStore struct {
	shard [shards]struct {
		mu   sync.Mutex
		m    map[string][]Binding
		gone []Binding // expired bindings an Update dropped, for Sweep
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

// allLive reports whether no binding of bs has expired at now.
func allLive(bs []Binding, now time.Time) bool {
	for i := range bs {
		if !now.Before(bs[i].Expires) {
			return false
		}
	}
	return true
}

// live returns a new slice of the bindings of bs unexpired at now.
func live(bs []Binding, now time.Time) []Binding {
	n := 0
	for i := range bs {
		if now.Before(bs[i].Expires) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]Binding, 0, n)
	for i := range bs {
		if now.Before(bs[i].Expires) {
			out = append(out, bs[i])
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

// Update implements Store: fn gets a copy it may modify, and the result is
// a copy the caller owns.
func (s *MemoryStore) Update(_ context.Context, aor string, now time.Time, fn func([]Binding) ([]Binding, error)) ([]Binding, error) {
	nb, err := s.update(aor, now, func(cur []Binding) ([]Binding, error) {
		return fn(append([]Binding(nil), cur...))
	})
	if err != nil {
		return nil, err
	}
	return append([]Binding(nil), nb...), nil
}

// update is Update without the copies: fn gets a view it must not modify
// and returns a slice nobody else holds; the result is the stored slice,
// which the caller must only read.
func (s *MemoryStore) update(aor string, now time.Time, fn func([]Binding) ([]Binding, error)) ([]Binding, error) {
	sh := &s.shard[shardOf(aor)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	cur := sh.m[aor]
	if !allLive(cur, now) {
		for i := range cur {
			if !now.Before(cur[i].Expires) {
				sh.gone = append(sh.gone, cur[i])
			}
		}
		cur = live(cur, now)
		if len(cur) == 0 {
			delete(sh.m, aor)
		} else {
			sh.m[aor] = cur
		}
	}
	nb, err := fn(cur)
	if err != nil {
		return nil, err
	}
	if len(nb) == 0 {
		delete(sh.m, aor)
		return nil, nil
	}
	sh.m[aor] = nb
	return nb, nil
}

// Range implements Store.
func (s *MemoryStore) Range(_ context.Context, now time.Time, f func(Binding) bool) error {
	var all []Binding
	for i := range s.shard {
		sh := &s.shard[i]
		sh.mu.Lock()
		all = all[:0]
		for _, bs := range sh.m {
			for j := range bs {
				if now.Before(bs[j].Expires) {
					all = append(all, bs[j])
				}
			}
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

// Sweep removes the bindings expired at now and returns them, with those
// an Update dropped since the last Sweep.
func (s *MemoryStore) Sweep(now time.Time) []Binding {
	var gone []Binding
	for i := range s.shard {
		sh := &s.shard[i]
		sh.mu.Lock()
		gone = append(gone, sh.gone...)
		sh.gone = nil
		for aor, bs := range sh.m {
			if allLive(bs, now) {
				continue
			}
			for _, b := range bs {
				if !now.Before(b.Expires) {
					gone = append(gone, b)
				}
			}
			if keep := live(bs, now); len(keep) == 0 {
				delete(sh.m, aor)
			} else {
				sh.m[aor] = keep // a new slice: readers may hold bs
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

// contactURI returns the URI text of a contact: what lies between the
// angle brackets, or the whole value without them.
func contactURI(c string) string {
	if i := strings.IndexByte(c, '<'); i >= 0 {
		if j := strings.IndexByte(c[i:], '>'); j > 0 {
			return c[i+1 : i+j]
		}
	}
	return c
}

// contactKey reduces a contact to what identifies it: the URI text without
// the angle brackets and header parameters, lower-cased.
func contactKey(c string) string { return strings.ToLower(contactURI(c)) }
