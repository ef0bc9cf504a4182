// Package udpbatch reads UDP datagrams in batches — recvmmsg on Linux, one
// at a time elsewhere — into fixed buffers with headroom, without
// allocating, and binds sockets with SO_REUSEPORT so several readers can
// share a port. A Poller serves many Sockets from one epoll on one
// goroutine, so that a packet costs one thread wake-up and no goroutine
// scheduling; the sockets of one poller may share one reader's buffers.
// A socket writer sends a batch's datagrams to one address as one
// segmented send where the kernel offers UDP segmentation offload. It is
// the socket plumbing under the media relays (demux, turn); it knows
// nothing of their protocols.
package udpbatch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// Message is one received datagram: its bytes are Buf[Headroom :
// Headroom+N]. N < 0 marks a datagram that was truncated (larger than the
// buffer) and must be skipped.
type Message struct {
	Buf  []byte
	N    int
	From netip.AddrPort
}

// Data returns the datagram.
func (m *Message) Data(headroom int) []byte { return m.Buf[headroom : headroom+m.N] }

// Listen binds a UDP socket on addr; reusePort sets SO_REUSEPORT (Linux)
// so that several sockets, one reader each, can share the port.
func Listen(ctx context.Context, addr netip.AddrPort, reusePort bool) (*net.UDPConn, error) {
	lc := net.ListenConfig{Control: socketControl(reusePort)}
	pc, err := lc.ListenPacket(ctx, "udp", addr.String())
	if err != nil {
		return nil, fmt.Errorf("udpbatch: binding %s: %w", addr, err)
	}
	return pc.(*net.UDPConn), nil
}

// errPolled: Read on a reader that a Poller serves.
var errPolled = errors.New("udpbatch: this reader is served by a Poller")
