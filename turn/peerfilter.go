package turn

import "net/netip"

// Peers denied by default: a relay must not become a proxy into the
// server's own network.
var defaultDenied = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("224.0.0.0/3"), // multicast and reserved
	netip.MustParsePrefix("::/128"),
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("ff00::/8"),
}

// peerFilter decides which peer addresses a relay may reach.
type peerFilter struct {
	allowed, denied []netip.Prefix
}

func newPeerFilter(allowed, denied []netip.Prefix) peerFilter {
	return peerFilter{allowed: allowed, denied: append(append([]netip.Prefix(nil), defaultDenied...), denied...)}
}

// permitted: the allow-list wins, then the deny-list.
func (f peerFilter) permitted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range f.allowed {
		if p.Contains(a) {
			return true
		}
	}
	for _, p := range f.denied {
		if p.Contains(a) {
			return false
		}
	}
	return true
}
