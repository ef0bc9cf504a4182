package main

import (
	"net/netip"

	"github.com/causeway-edge/causeway/internal/udpbatch"
)

// echo is the built-in peer: it returns every datagram to its sender,
// reading a batch with recvmmsg and writing it back with one sendmmsg,
// on its own poller goroutine.
type echo struct {
	s *udpbatch.Socket
	p *udpbatch.Poller
	r *udpbatch.Reader
	w *udpbatch.Writer
}

// startEcho binds the peer on addr (port 0: any) for datagrams of up to
// size+4 bytes.
func startEcho(addr netip.AddrPort, size int) (*echo, error) {
	s, err := udpbatch.ListenSocket(addr, false)
	if err != nil {
		return nil, err
	}
	setBuffers(s, peerBuffer)
	p, err := udpbatch.NewPoller()
	if err != nil {
		s.Close()
		return nil, err
	}
	e := &echo{s: s, p: p, r: udpbatch.NewSocketReader(s, max(2048, size+4), 0), w: udpbatch.NewSocketWriter(s)}
	if err := p.Add(s, e.r, e.handle); err != nil {
		p.Close()
		s.Close()
		return nil, err
	}
	return e, nil
}

// Addr is the peer's address.
func (e *echo) Addr() netip.AddrPort { return e.s.LocalAddr() }

func (e *echo) handle(n int) {
	for i := range e.r.Msgs[:n] {
		m := &e.r.Msgs[i]
		if m.N > 0 {
			_ = e.w.Queue(m.Buf[:m.N], m.From)
		}
	}
	_ = e.w.Flush() // what a full buffer refuses is lost, as on a network
}

// Close stops the peer.
func (e *echo) Close() {
	e.p.Close()
	e.s.Close()
}
