//go:build linux

package udpbatch

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Socket is a non-blocking UDP socket kept out of the Go runtime's
// network poller: a Poller waits for it, so that a datagram wakes only
// the poller's thread and no goroutine is scheduled per packet. Reads,
// writes and Close may be called from any goroutine; Close waits for the
// system calls in flight, so a closed descriptor number is never used
// again by mistake.
type Socket struct {
	mu    sync.RWMutex
	fd    int // -1 once closed
	local netip.AddrPort
	p     *Poller
	id    uint64
}

// ListenSocket binds a UDP socket on addr (port 0: any); reusePort sets
// SO_REUSEPORT so that several sockets can share the port. An IPv4
// address gives an IPv4 socket, an IPv6 one an IPv6 socket; an
// unspecified address (0.0.0.0 or ::) a dual-stack socket where the host
// has IPv6, as the net package's listeners do.
func ListenSocket(addr netip.AddrPort, reusePort bool) (*Socket, error) {
	fd, local, err := BindUDP(addr, unix.SOCK_NONBLOCK, true, func(fd int) error {
		if reusePort {
			return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("udpbatch: %w", err)
	}
	return &Socket{fd: fd, local: local}, nil
}

// LocalAddr is the bound address.
func (s *Socket) LocalAddr() netip.AddrPort { return s.local }

// Control runs f with the descriptor (for socket options); after Close it
// returns net.ErrClosed.
func (s *Socket) Control(f func(fd uintptr) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.fd < 0 {
		return net.ErrClosed
	}
	return f(uintptr(s.fd))
}

// WriteTo sends one datagram without blocking: a full send buffer is an
// error (EAGAIN) and the datagram is dropped, as a congested UDP path
// would.
func (s *Socket) WriteTo(b []byte, to netip.AddrPort) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.fd < 0 {
		return net.ErrClosed
	}
	return SendTo(s.fd, b, to)
}

// Close removes the socket from its poller, waits for the system calls in
// flight and closes the descriptor.
func (s *Socket) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fd < 0 {
		return net.ErrClosed
	}
	if s.p != nil {
		s.p.remove(s)
	}
	err := unix.Close(s.fd)
	s.fd = -1
	return err
}

// NewSocketReader prepares a batch reader over s for a Poller (see
// NewReader for the buffers).
func NewSocketReader(s *Socket, bufSize, headroom int) *Reader {
	r := newReader(bufSize, headroom)
	r.sock = s
	return r
}

// NewSharedReader prepares a batch reader that many Sockets of one Poller
// share (see Poller.AddShared): the poller reads each ready socket into
// it in turn, so its buffers cost once per poller instead of once per
// socket.
func NewSharedReader(bufSize, headroom int) *Reader { return newReader(bufSize, headroom) }

// readSocket reads one batch from s without blocking; 0 when nothing is
// there (or the socket failed or closed).
func (r *Reader) readSocket(s *Socket) int {
	for i := range r.hdrs {
		r.hdrs[i].Hdr.Namelen = unix.SizeofSockaddrAny
		r.hdrs[i].Hdr.Flags = 0
	}
	s.mu.RLock()
	if s.fd < 0 {
		s.mu.RUnlock()
		return 0
	}
	// A raw system call: it cannot block, and entering the scheduler's
	// syscall state would wake sysmon on every batch.
	n, _, e := unix.RawSyscall6(unix.SYS_RECVMMSG, uintptr(s.fd), uintptr(unsafe.Pointer(&r.hdrs[0])), uintptr(len(r.hdrs)),
		unix.MSG_DONTWAIT, 0, 0)
	s.mu.RUnlock()
	if e != 0 {
		return 0 // EAGAIN, or an error (such as a queued ICMP error) now consumed
	}
	r.n = int(n)
	r.fill()
	return r.n
}

// NewSocketWriter prepares a batch writer over s. Its Flush never blocks:
// what the kernel refuses with EAGAIN is dropped. Where the kernel offers
// UDP segmentation offload (Linux 4.18+), consecutive datagrams to one
// destination leave as one segmented send (see gsoBatch).
func NewSocketWriter(s *Socket) *Writer {
	w := newWriter()
	w.sock = s
	w.gso.on = gsoSupported() // arrays made with the writer's own, on first use
	return w
}

func (w *Writer) flushSocket() error {
	var first error
	s := w.sock
	for w.sent < w.n {
		hdrs, spans := w.hdrs[w.sent:w.n], []int(nil)
		if w.gso.on {
			hdrs, spans = w.gso.group(w, w.sent)
		}
		s.mu.RLock()
		if s.fd < 0 {
			s.mu.RUnlock()
			first = net.ErrClosed
			break
		}
		n, _, e := unix.RawSyscall6(unix.SYS_SENDMMSG, uintptr(s.fd), uintptr(unsafe.Pointer(&hdrs[0])),
			uintptr(len(hdrs)), unix.MSG_DONTWAIT, 0, 0)
		s.mu.RUnlock()
		if e == unix.EINTR {
			continue
		}
		if e == unix.EAGAIN {
			if first == nil {
				first = e
			}
			break
		}
		if e != 0 {
			if spans != nil && spans[0] > 1 && (e == unix.EIO || e == unix.EINVAL || e == unix.EMSGSIZE) {
				// The route cannot segment (no checksum offload, an MTU
				// below the segment): send one by one from now on.
				w.gso.on = false
				continue
			}
			if first == nil {
				first = e
			}
			w.sent += spanAt(spans, 0) // skip what failed: one destination
			continue
		}
		for g := 0; g < int(n); g++ {
			w.sent += spanAt(spans, g)
		}
	}
	w.n, w.sent = 0, 0
	return first
}

// spanAt is how many datagrams header g carries: spans[g], or 1 when
// nothing was grouped.
func spanAt(spans []int, g int) int {
	if spans == nil {
		return 1
	}
	return spans[g]
}
