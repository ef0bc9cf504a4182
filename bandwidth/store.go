package bandwidth

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Charge is what one call books on one key (a node, link or pipe, named
// "node:<name>", "link:<name>" or "pipe:<name>"): Times × the call's kbps,
// against a total Limit (math.MaxInt64 when unlimited).
type Charge struct {
	Key   string
	Times int64
	Limit int64
}

// Reservation is the booking of one call, as a Store keeps it.
type Reservation struct {
	CallID     string
	Peer       string // cluster peer that admitted the call
	ConfigHash string // the peer's configuration fingerprint (BW-20)
	Kbps       int64
	Charges    []Charge

	// What the call asked for, so Change can re-plan it.
	From, To  string
	Traversal bool
}

// Usage is the bandwidth booked on one key and the number of calls
// booking it (a call counts once however often it crosses the key).
type Usage struct {
	Kbps  int64
	Calls int64
}

// Store keeps usage and reservations. Implementations must make TryReserve
// linearizable: it either books every charge or none, and never lets a
// Limited key exceed its limit. A cluster shares one Store (BW-20); the
// in-memory MemoryStore serves a standalone node and tests.
type Store interface {
	// Load writes the current usage of keys into dst (len(dst) ==
	// len(keys)). A non-empty configHash that is not the cluster's fails
	// with ErrConfigMismatch, so a mismatched peer admits nothing (BW-20).
	Load(ctx context.Context, configHash string, keys []Charge, dst []Usage) error
	// TryReserve books r. If a reservation with r.CallID exists, r replaces
	// it and only the difference is checked. It fails with an error wrapping
	// ErrConflict when a limit would be exceeded, and ErrConfigMismatch when
	// r.ConfigHash is not the cluster's.
	TryReserve(ctx context.Context, r *Reservation) error
	// Lookup returns the reservation of a call, or ErrUnknownCall.
	Lookup(ctx context.Context, callID string) (*Reservation, error)
	// Release removes a call's reservation and returns it, or ErrUnknownCall.
	Release(ctx context.Context, callID string) (*Reservation, error)
	// Publish records the configuration fingerprint of a peer.
	Publish(ctx context.Context, peer, configHash string) error
}

// MemoryStore is the in-memory Store: one mutex over a usage table. Several
// Controllers (cluster peers) may share one MemoryStore. The zero value is
// not usable; call NewMemoryStore.
type MemoryStore struct {
	mu     sync.Mutex
	usage  map[string]*Usage
	calls  map[string]*Reservation
	hashes []peerHash // in publication order
	ref    string     // the cluster's configuration fingerprint
	seen   map[string]time.Time
}

type peerHash struct{ peer, hash string }

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{
		usage: make(map[string]*Usage),
		calls: make(map[string]*Reservation),
		seen:  make(map[string]time.Time),
	}
}

// Load implements Store.
func (s *MemoryStore) Load(_ context.Context, configHash string, keys []Charge, dst []Usage) error {
	s.mu.Lock()
	if configHash != "" && s.ref != "" && configHash != s.ref {
		s.mu.Unlock()
		return ErrConfigMismatch
	}
	for i, k := range keys {
		if u := s.usage[k.Key]; u != nil {
			dst[i] = *u
		} else {
			dst[i] = Usage{}
		}
	}
	s.mu.Unlock()
	return nil
}

// TryReserve implements Store.
func (s *MemoryStore) TryReserve(_ context.Context, r *Reservation) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ref != "" && r.ConfigHash != "" && r.ConfigHash != s.ref {
		return fmt.Errorf("peer %q: %w", r.Peer, ErrConfigMismatch)
	}
	old := s.calls[r.CallID]
	for _, c := range r.Charges {
		u := s.usage[c.Key]
		var used int64
		if u != nil {
			used = u.Kbps
		}
		need := c.Times * r.Kbps
		if old != nil {
			need -= c.Times * old.Kbps // same route: same charges
		}
		if need > 0 && used+need > c.Limit {
			return fmt.Errorf("%s: %d + %d kbps over %d: %w", c.Key, used, need, c.Limit, ErrConflict)
		}
	}
	newCall := old == nil
	for _, c := range r.Charges {
		u := s.usage[c.Key]
		if u == nil {
			u = new(Usage)
			s.usage[c.Key] = u
		}
		if old != nil {
			u.Kbps -= c.Times * old.Kbps
		}
		u.Kbps += c.Times * r.Kbps
		if newCall {
			u.Calls++
		}
	}
	s.calls[r.CallID] = r
	return nil
}

// Lookup implements Store.
func (s *MemoryStore) Lookup(_ context.Context, callID string) (*Reservation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.calls[callID]
	if r == nil {
		return nil, fmt.Errorf("call %q: %w", callID, ErrUnknownCall)
	}
	return r, nil
}

// Release implements Store.
func (s *MemoryStore) Release(_ context.Context, callID string) (*Reservation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.calls[callID]
	if r == nil {
		return nil, fmt.Errorf("call %q: %w", callID, ErrUnknownCall)
	}
	s.releaseLocked(r)
	return r, nil
}

func (s *MemoryStore) releaseLocked(r *Reservation) {
	for _, c := range r.Charges {
		u := s.usage[c.Key]
		u.Kbps -= c.Times * r.Kbps
		u.Calls--
	}
	delete(s.calls, r.CallID)
}

// Publish implements Store. The cluster's fingerprint is the one most
// peers published, ties going to the earliest (BW-20, our decision).
func (s *MemoryStore) Publish(_ context.Context, peer, hash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	found := false
	for i := range s.hashes {
		if s.hashes[i].peer == peer {
			s.hashes[i].hash = hash
			found = true
		}
	}
	if !found {
		s.hashes = append(s.hashes, peerHash{peer, hash})
	}
	count := make(map[string]int)
	best := 0
	for _, ph := range s.hashes {
		count[ph.hash]++
		if count[ph.hash] > best {
			best = count[ph.hash]
		}
	}
	for _, ph := range s.hashes {
		if count[ph.hash] == best {
			s.ref = ph.hash
			break
		}
	}
	if hash != s.ref {
		return fmt.Errorf("peer %q: %w", peer, ErrConfigMismatch)
	}
	return nil
}

// Heartbeat records that a peer is alive at now.
func (s *MemoryStore) Heartbeat(peer string, now time.Time) {
	s.mu.Lock()
	s.seen[peer] = now
	s.mu.Unlock()
}

// Sweep releases the reservations of every peer whose last heartbeat is
// older than lease (60 s by default when lease is 0) and returns how many
// calls were released: a lost peer's bandwidth returns to the cluster
// (BW-20).
func (s *MemoryStore) Sweep(now time.Time, lease time.Duration) int {
	if lease <= 0 {
		lease = defaultReservedLease * time.Second
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.calls {
		if last, ok := s.seen[r.Peer]; ok && now.Sub(last) > lease {
			s.releaseLocked(r)
			n++
		}
	}
	return n
}

// Usage returns the usage of one key ("node:<name>", "link:<name>",
// "pipe:<name>").
func (s *MemoryStore) Usage(key string) Usage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.usage[key]; u != nil {
		return *u
	}
	return Usage{}
}
