package dialplantest

import (
	"context"
	"net/netip"
	"strings"
	"sync"

	"github.com/causeway-edge/causeway/dialplan"
	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// Registrations is an in-memory registration table, to bind as the Local
// Zone (dialplan.WithLocalZone). Aliases compare case-insensitively after
// normalisation (a sip: scheme and URI parameters are ignored). An IP
// alias is found by a registration's address, and KnowsAddress makes those
// addresses "known" (DP-46).
type Registrations struct {
	// Log, if set, records every query.
	Log *Log

	mu      sync.Mutex
	regs    []dialplan.Registration
	queries []dialplan.Query
}

// NewRegistrations returns a table holding regs.
func NewRegistrations(regs ...dialplan.Registration) *Registrations {
	return &Registrations{regs: append([]dialplan.Registration(nil), regs...)}
}

// Register adds alias, registered with protocol proto (AnyProtocol for
// both) at address addr (may be empty).
func (r *Registrations) Register(alias string, proto dialplan.Protocol, addr string) {
	r.mu.Lock()
	r.regs = append(r.regs, dialplan.Registration{Alias: alias, Protocol: proto, Address: addr})
	r.mu.Unlock()
}

// Unregister removes every registration of alias.
func (r *Registrations) Unregister(alias string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := normal(alias)
	out := r.regs[:0]
	for _, g := range r.regs {
		if normal(g.Alias) != key {
			out = append(out, g)
		}
	}
	r.regs = out
}

func normal(alias string) string {
	if a, err := pattern.ParseAlias(alias); err == nil {
		return pattern.Fold(a.Value)
	}
	return pattern.Fold(alias)
}

func addrOf(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr(), true
	}
	return pattern.ParseIP(s)
}

// Search implements dialplan.Target.
func (r *Registrations) Search(_ context.Context, q dialplan.Query) (dialplan.Answer, error) {
	r.Log.add(q)
	r.mu.Lock()
	r.queries = append(r.queries, q)
	r.mu.Unlock()
	return r.find(q), nil
}

// find looks q up without recording it.
func (r *Registrations) find(q dialplan.Query) dialplan.Answer {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := normal(q.Alias)
	ip, isIP := pattern.ParseIP(q.Alias)
	for _, g := range r.regs {
		if g.Protocol != dialplan.AnyProtocol && g.Protocol != q.Protocol {
			continue
		}
		if normal(g.Alias) == key {
			return dialplan.Answer{Found: true, Alias: g.Alias, Address: g.Address}
		}
		if a, ok := addrOf(g.Address); isIP && ok && a == ip {
			return dialplan.Answer{Found: true, Alias: q.Alias, Address: g.Address}
		}
	}
	return dialplan.Answer{}
}

// KnowsAddress implements dialplan.AddressKnower.
func (r *Registrations) KnowsAddress(addr netip.Addr) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, g := range r.regs {
		if a, ok := addrOf(g.Address); ok && a == addr.Unmap() {
			return true
		}
	}
	return false
}

// Queries returns the queries this table received, oldest first.
func (r *Registrations) Queries() []dialplan.Query {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]dialplan.Query(nil), r.queries...)
}

// String lists the registrations.
func (r *Registrations) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for i, g := range r.regs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(g.Alias + "/" + g.Protocol.String())
	}
	return b.String()
}
