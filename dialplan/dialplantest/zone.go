package dialplantest

import (
	"context"
	"sync"

	"github.com/causeway-edge/causeway/dialplan"
)

// Zone is a fake neighbor or traversal zone: it finds the aliases it was
// given, and can be told to fail or to hold queries until released.
type Zone struct {
	// Log, if set, records every query.
	Log *Log

	regs     *Registrations
	mu       sync.Mutex
	err      error
	gate     chan struct{} // non-nil while held
	received chan dialplan.Query
	queries  []dialplan.Query
}

// NewZone returns a zone that finds aliases (case-insensitively, with any
// protocol).
func NewZone(aliases ...string) *Zone {
	z := &Zone{regs: NewRegistrations()}
	for _, a := range aliases {
		z.regs.Register(a, dialplan.AnyProtocol, "")
	}
	return z
}

// Add makes the zone find alias in protocol proto (AnyProtocol for both).
func (z *Zone) Add(alias string, proto dialplan.Protocol) { z.regs.Register(alias, proto, "") }

// Fail makes every query return err (nil to stop failing).
func (z *Zone) Fail(err error) {
	z.mu.Lock()
	z.err = err
	z.mu.Unlock()
}

// Hold makes queries wait until the returned release function is called
// or their context ends (a cancelled query returns ctx.Err()). Use it to
// script which target answers first.
func (z *Zone) Hold() (release func()) {
	z.mu.Lock()
	defer z.mu.Unlock()
	g := make(chan struct{})
	z.gate = g
	var once sync.Once
	return func() {
		once.Do(func() {
			z.mu.Lock()
			if z.gate == g {
				z.gate = nil
			}
			z.mu.Unlock()
			close(g)
		})
	}
}

// Received returns a channel that receives every query when it arrives
// (before any hold), so a test can wait for a query without sleeping. The
// channel has room for n queries; later ones are dropped when it is full.
func (z *Zone) Received(n int) <-chan dialplan.Query {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.received = make(chan dialplan.Query, n)
	return z.received
}

// Search implements dialplan.Target.
func (z *Zone) Search(ctx context.Context, q dialplan.Query) (dialplan.Answer, error) {
	z.mu.Lock()
	gate, err, rc := z.gate, z.err, z.received
	z.queries = append(z.queries, q)
	z.mu.Unlock()
	z.Log.add(q)
	if rc != nil {
		select {
		case rc <- q:
		default:
		}
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return dialplan.Answer{}, ctx.Err()
		}
	}
	if err != nil {
		return dialplan.Answer{}, err
	}
	// An answer that is ready is given even if the search has meanwhile
	// been cancelled: that is what makes a tie between two zones that
	// answer at once deterministic (the lowest rule index wins).
	return z.regs.find(q), nil
}

// Queries returns the queries this zone received, oldest first.
func (z *Zone) Queries() []dialplan.Query {
	z.mu.Lock()
	defer z.mu.Unlock()
	return append([]dialplan.Query(nil), z.queries...)
}
