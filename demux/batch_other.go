//go:build !linux

package demux

import (
	"net"
	"syscall"
)

// batchReader reads one datagram at a time where recvmmsg is not
// available.
type batchReader struct {
	c    *net.UDPConn
	pkts []Packet
}

func newBatchReader(c *net.UDPConn) (*batchReader, error) {
	return &batchReader{c: c, pkts: []Packet{{buf: make([]byte, bufSize)}}}, nil
}

func (r *batchReader) read() (int, error) {
	p := &r.pkts[0]
	n, from, err := r.c.ReadFromUDPAddrPort(p.buf[Headroom:])
	if err != nil {
		return 0, err
	}
	p.off, p.n, p.RTCP, p.From = Headroom, n, false, from
	return 1, nil
}

func socketControl(reusePort bool) func(network, address string, c syscall.RawConn) error {
	return nil // SO_REUSEPORT spreading is a Linux feature here
}
