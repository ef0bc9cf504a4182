package dialplan

import (
	"context"
	"net/netip"

	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// staticTable answers queries from a zone's configured Registrations when no
// Target is bound to the zone. Aliases compare case-insensitively; an IP
// alias is found by the registration's address.
type staticTable struct {
	byAlias map[string][]Registration // folded alias (normalised)
	byAddr  map[netip.Addr][]Registration
}

func newStaticTable(regs []Registration) *staticTable {
	t := &staticTable{byAlias: map[string][]Registration{}, byAddr: map[netip.Addr][]Registration{}}
	for _, r := range regs {
		v := r.Alias
		if a, err := pattern.ParseAlias(r.Alias); err == nil {
			v = a.Value
		}
		k := pattern.Fold(v)
		t.byAlias[k] = append(t.byAlias[k], r)
		if addr, ok := addressOf(r.Address); ok {
			t.byAddr[addr] = append(t.byAddr[addr], r)
		}
	}
	return t
}

// addressOf extracts the IP address of "addr", "addr:port" or "[v6]:port".
func addressOf(s string) (netip.Addr, bool) {
	if s == "" {
		return netip.Addr{}, false
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr(), true
	}
	return pattern.ParseIP(s)
}

func (t *staticTable) Search(_ context.Context, q Query) (Answer, error) {
	regs := t.byAlias[pattern.Fold(q.Alias)]
	if len(regs) == 0 {
		if addr, ok := pattern.ParseIP(q.Alias); ok {
			regs = t.byAddr[addr]
		}
	}
	for _, r := range regs {
		if r.Protocol == AnyProtocol || r.Protocol == q.Protocol {
			return Answer{Found: true, Alias: r.Alias, Address: r.Address}, nil
		}
	}
	return Answer{}, nil
}

func (t *staticTable) KnowsAddress(a netip.Addr) bool { return len(t.byAddr[a]) > 0 }
