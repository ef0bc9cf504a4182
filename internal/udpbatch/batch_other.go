//go:build !linux

package udpbatch

import (
	"net"
	"syscall"
)

// BatchSize is how many datagrams one read may return: one here.
const BatchSize = 1

// Reader reads one datagram at a time where recvmmsg is not available.
type Reader struct {
	Msgs     []Message
	c        *net.UDPConn
	headroom int
}

// NewReader prepares a reader over c.
func NewReader(c *net.UDPConn, bufSize, headroom int) (*Reader, error) {
	return &Reader{c: c, Msgs: []Message{{Buf: make([]byte, bufSize)}}, headroom: headroom}, nil
}

// Read blocks until a datagram arrives.
func (r *Reader) Read() (int, error) {
	m := &r.Msgs[0]
	n, from, err := r.c.ReadFromUDPAddrPort(m.Buf[r.headroom:])
	if err != nil {
		return 0, err
	}
	m.N, m.From = n, from
	return 1, nil
}

func socketControl(reusePort bool) func(network, address string, c syscall.RawConn) error {
	return nil // SO_REUSEPORT spreading is used on Linux only
}
