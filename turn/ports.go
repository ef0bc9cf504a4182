package turn

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/causeway-edge/causeway/internal/udpbatch"
)

// ports hands out relay ports from the range, round robin so that a port
// just released is not reused at once, and keeps EVEN-PORT reservations
// (RFC 5766 §14.6, §14.9).
type ports struct {
	mu       sync.Mutex
	min, max uint16
	used     map[uint16]bool
	next     uint16
	reserved map[[8]byte]reservation
}

type reservation struct {
	port    uint16
	addr    netip.Addr
	expires time.Time
}

var errNoPorts = errors.New("turn: no free relay port")

func newPorts(min, max uint16) *ports {
	return &ports{min: min, max: max, used: make(map[uint16]bool), next: min, reserved: make(map[[8]byte]reservation)}
}

// bind opens a relay socket on addr: an even port (with the odd one above
// it free when reserveNext) if even, any port otherwise. It returns the
// socket and, when reserveNext, a token for port+1.
func (p *ports) bind(addr netip.Addr, even, reserveNext bool, now time.Time) (*udpbatch.Socket, uint16, [8]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var token [8]byte
	span := int(p.max) - int(p.min) + 1
	for i := 0; i < span; i++ {
		port := p.next
		if p.next == p.max {
			p.next = p.min
		} else {
			p.next++
		}
		if p.used[port] || (even && port%2 != 0) || (reserveNext && (port == p.max || p.used[port+1])) {
			continue
		}
		c, err := udpbatch.ListenSocket(netip.AddrPortFrom(addr, port), false)
		if err != nil {
			continue // taken by someone else
		}
		p.used[port] = true
		if reserveNext {
			p.used[port+1] = true
			_, _ = rand.Read(token[:])
			p.reserved[token] = reservation{port: port + 1, addr: addr, expires: now.Add(ReservationLifetime)}
		}
		return c, port, token, nil
	}
	return nil, 0, token, errNoPorts
}

// claim binds the port held by a reservation token.
func (p *ports) claim(token [8]byte) (*udpbatch.Socket, uint16, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.reserved[token]
	if !ok {
		return nil, 0, fmt.Errorf("turn: unknown reservation token")
	}
	delete(p.reserved, token)
	c, err := udpbatch.ListenSocket(netip.AddrPortFrom(r.addr, r.port), false)
	if err != nil {
		delete(p.used, r.port)
		return nil, 0, err
	}
	return c, r.port, nil
}

func (p *ports) release(port uint16) {
	p.mu.Lock()
	delete(p.used, port)
	p.mu.Unlock()
}

// expire frees reservations older than their lifetime.
func (p *ports) expire(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for t, r := range p.reserved {
		if now.After(r.expires) {
			delete(p.used, r.port)
			delete(p.reserved, t)
		}
	}
}
