//go:build !linux

package udpbatch

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
)

// Socket is a UDP socket served by a Poller. Here (no epoll) it is a
// net.UDPConn and each socket gets its own reading goroutine.
type Socket struct {
	c     *net.UDPConn
	local netip.AddrPort
}

// ListenSocket binds a UDP socket on addr.
func ListenSocket(addr netip.AddrPort, reusePort bool) (*Socket, error) {
	c, err := Listen(context.Background(), addr, reusePort)
	if err != nil {
		return nil, err
	}
	l := c.LocalAddr().(*net.UDPAddr).AddrPort()
	return &Socket{c: c, local: netip.AddrPortFrom(l.Addr().Unmap(), l.Port())}, nil
}

// LocalAddr is the bound address.
func (s *Socket) LocalAddr() netip.AddrPort { return s.local }

// Conn is the underlying connection (for socket options).
func (s *Socket) Conn() *net.UDPConn { return s.c }

// Control runs f with the descriptor.
func (s *Socket) Control(f func(fd uintptr) error) error {
	rc, err := s.c.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = f(fd) }); err != nil {
		return err
	}
	return ferr
}

// WriteTo sends one datagram.
func (s *Socket) WriteTo(b []byte, to netip.AddrPort) error {
	_, err := s.c.WriteToUDPAddrPort(b, to)
	return err
}

// Close closes the socket; its reading goroutine ends.
func (s *Socket) Close() error { return s.c.Close() }

// NewSocketReader prepares a reader over s for a Poller.
func NewSocketReader(s *Socket, bufSize, headroom int) *Reader {
	r, _ := NewReader(s.c, bufSize, headroom)
	return r
}

// NewSharedReader prepares a reader for Poller.AddShared.
func NewSharedReader(bufSize, headroom int) *Reader {
	return &Reader{Msgs: []Message{{Buf: make([]byte, bufSize)}}, headroom: headroom}
}

// NewSocketWriter prepares a writer over s.
func NewSocketWriter(s *Socket) *Writer {
	w, _ := NewWriter(s.c)
	return w
}

// Poller serves Sockets: here one goroutine per socket, handlers run one
// at a time per poller.
type Poller struct {
	mu     sync.Mutex // guards closed
	run    sync.Mutex // one handler at a time
	closed bool
	wg     sync.WaitGroup
}

// ErrPollerClosed is returned by Add after Close.
var ErrPollerClosed = errors.New("udpbatch: poller closed")

// NewPoller creates a poller.
func NewPoller() (*Poller, error) { return &Poller{}, nil }

// Add registers s, read through r: each batch read calls fn.
func (p *Poller) Add(s *Socket, r *Reader, fn func(n int)) error {
	return p.add(r, fn, nil)
}

// AddShared registers s, read through the shared reader r: here each
// socket reads into a private reader whose batch is swapped into r for
// fn, one handler at a time.
func (p *Poller) AddShared(s *Socket, r *Reader, fn func(n int)) error {
	priv := &Reader{c: s.c, Msgs: []Message{{Buf: make([]byte, len(r.Msgs[0].Buf))}}, headroom: r.headroom}
	return p.add(priv, fn, r)
}

func (p *Poller) add(r *Reader, fn func(n int), shared *Reader) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrPollerClosed
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			n, err := r.Read()
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				continue
			}
			p.mu.Lock()
			closed := p.closed
			p.mu.Unlock()
			if closed {
				return
			}
			p.run.Lock()
			if shared != nil {
				shared.Msgs, r.Msgs = r.Msgs, shared.Msgs
			}
			fn(n)
			p.run.Unlock()
		}
	}()
	return nil
}

// Close stops calling handlers; the reading goroutines end when their
// sockets are closed.
func (p *Poller) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	return nil
}
