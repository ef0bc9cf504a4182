package transport

import (
	"net/netip"
	"strings"
)

// Addr is a transport address: the network ("udp", "tcp", "tls") and the
// IP address and port.
type Addr struct {
	Network  string
	AddrPort netip.AddrPort
}

// Reliable reports a stream transport: no retransmissions, zero wait
// timers (RFC 3261 §17).
func (a Addr) Reliable() bool { return !strings.EqualFold(a.Network, "udp") }

func (a Addr) String() string { return a.Network + ":" + a.AddrPort.String() }
