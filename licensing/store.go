package licensing

import (
	"context"
	"errors"
	"sync"
)

// Unlimited is the ceiling of a claim without a limit.
const Unlimited = int64(1<<63 - 1)

// Claim asks a Store for Amount more of a counter, provided the counter
// stays at or under Ceiling.
type Claim struct {
	Key     string
	Amount  int64
	Ceiling int64
}

// Counter is the state of one counter.
type Counter struct {
	Current int64
	Peak    int64 // since the store started (peaks reset on restart, LIC-60)
}

// ErrCeiling is returned by Store.Acquire when a claim would pass its
// ceiling.
var ErrCeiling = errors.New("licensing: counter ceiling reached")

// Store keeps the ledger's counters. Acquire must be linearizable and all
// or nothing: either every claim is added or none. A cluster shares one
// Store (an etcd or Redis adapter does the same with a transaction or a
// script); MemoryStore serves a standalone node and tests.
type Store interface {
	// Acquire adds every claim or none. When a claim would pass its
	// ceiling it returns its index and an error wrapping ErrCeiling.
	Acquire(ctx context.Context, claims []Claim) (failed int, err error)
	// Release subtracts amounts (never below zero).
	Release(ctx context.Context, claims []Claim) error
	// Counter reads one counter.
	Counter(ctx context.Context, key string) (Counter, error)
}

// MemoryStore is the in-memory Store. The zero value is not usable; call
// NewMemoryStore.
type MemoryStore struct {
	mu sync.Mutex
	c  map[string]*Counter
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{c: make(map[string]*Counter)} }

// Acquire implements Store.
func (s *MemoryStore) Acquire(_ context.Context, claims []Claim) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, cl := range claims {
		var cur int64
		if c := s.c[cl.Key]; c != nil {
			cur = c.Current
		}
		if cl.Amount > 0 && cur+cl.Amount > cl.Ceiling {
			return i, ErrCeiling
		}
	}
	for _, cl := range claims {
		c := s.c[cl.Key]
		if c == nil {
			c = new(Counter)
			s.c[cl.Key] = c
		}
		c.Current += cl.Amount
		if c.Current > c.Peak {
			c.Peak = c.Current
		}
	}
	return -1, nil
}

// Release implements Store.
func (s *MemoryStore) Release(_ context.Context, claims []Claim) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, cl := range claims {
		if c := s.c[cl.Key]; c != nil {
			c.Current = max(c.Current-cl.Amount, 0)
		}
	}
	return nil
}

// Counter implements Store.
func (s *MemoryStore) Counter(_ context.Context, key string) (Counter, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.c[key]; c != nil {
		return *c, nil
	}
	return Counter{}, nil
}
