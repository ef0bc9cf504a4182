//go:build !linux

package transport

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/causeway-edge/causeway/internal/udpbatch"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// udpSock is a UDP socket read one datagram at a time through the Go
// runtime's network poller (the Linux build reads batches in blocking
// threads).
type udpSock struct {
	c       *net.UDPConn
	local   netip.AddrPort
	closing atomic.Bool
	readers sync.WaitGroup
	mu      sync.Mutex
}

const udpBatchSize = 1

func listenUDP(addr netip.AddrPort) (*udpSock, error) {
	c, err := udpbatch.Listen(context.Background(), addr, false)
	if err != nil {
		return nil, err
	}
	return &udpSock{c: c, local: c.LocalAddr().(*net.UDPAddr).AddrPort()}, nil
}

func (s *udpSock) setDSCP(d int) {
	if s.local.Addr().Is4() {
		_ = ipv4.NewConn(s.c).SetTOS(d << 2)
	} else {
		_ = ipv6.NewConn(s.c).SetTrafficClass(d << 2)
	}
}

func (s *udpSock) writeTo(b []byte, to netip.AddrPort) error {
	_, err := s.c.WriteToUDPAddrPort(b, to)
	return err
}

func (s *udpSock) shutdown() {
	if s.closing.Swap(true) {
		return
	}
	s.mu.Lock()
	_ = s.c.SetReadDeadline(time.Unix(1, 0))
	s.mu.Unlock()
}

func (s *udpSock) close() error {
	s.shutdown()
	s.readers.Wait()
	return s.c.Close()
}

type udpReader struct {
	s   *udpSock
	buf []byte
}

type udpDatagram struct {
	data      []byte
	from      netip.AddrPort
	truncated bool
}

func (s *udpSock) newReader(maxSize int) (*udpReader, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		return nil, false
	}
	s.readers.Add(1)
	return &udpReader{s: s, buf: make([]byte, maxSize+1)}, true
}

func (r *udpReader) done() { r.s.readers.Done() }

func (r *udpReader) read(out []udpDatagram) ([]udpDatagram, error) {
	for {
		n, from, err := r.s.c.ReadFromUDPAddrPort(r.buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) || r.s.closing.Load() {
				return out, net.ErrClosed
			}
			continue
		}
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		return append(out, udpDatagram{data: r.buf[:min(n, len(r.buf)-1)], from: from, truncated: n == len(r.buf)}), nil
	}
}
