package transport

import (
	"context"
	"errors"
	"strings"
)

// ErrNotConnected: a send that may not dial (WithoutDial) found no
// connection to its destination.
var ErrNotConnected = errors.New("transport: no connection to the destination")

type noDialKey struct{}

// WithoutDial returns a context under which Send uses an existing TCP or
// TLS connection to the destination or fails with ErrNotConnected, never
// dialling a new one: an RFC 5626 flow is the connection the registration
// came on, and a request for a flow that is gone fails (430 Flow Failed)
// rather than opening another.
func WithoutDial(ctx context.Context) context.Context {
	return context.WithValue(ctx, noDialKey{}, true)
}

func mayDial(ctx context.Context) bool {
	no, _ := ctx.Value(noDialKey{}).(bool)
	return !no
}

// Connected reports whether a TCP or TLS connection to dest is in the
// connection table (an RFC 5626 flow is up). UDP has no connections:
// false.
func (t *Transport) Connected(dest Addr) bool {
	network := strings.ToLower(dest.Network)
	if network == "mtls" {
		network = "tls"
	}
	if network != "tcp" && network != "tls" {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.conns[Addr{Network: network, AddrPort: dest.AddrPort}] != nil
}
