//go:build linux

package transport

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"github.com/causeway-edge/causeway/internal/udpbatch"
	"golang.org/x/sys/unix"
)

// udpSock is a blocking UDP socket kept out of the Go runtime's network
// poller, read the way a Kamailio worker reads: a reader waits in
// recvmmsg in its own thread, so a datagram costs the kernel one thread
// wake-up and no goroutine scheduling, netpoller round or sysmon wake.
// Sends are raw non-blocking sendto calls from any goroutine (a full send
// buffer drops the datagram, as a congested UDP path would). Close shuts
// the socket down, which wakes every reader, and closes the descriptor
// once they have all left.
type udpSock struct {
	mu      sync.RWMutex // held for reading around every system call on fd
	fd      int          // -1 once closed
	local   netip.AddrPort
	closing atomic.Bool
	readers sync.WaitGroup
}

// udpBatchSize is how many datagrams one recvmmsg may return.
const udpBatchSize = 16

// listenUDP binds a blocking UDP socket on addr.
func listenUDP(addr netip.AddrPort) (*udpSock, error) {
	fd, local, err := udpbatch.BindUDP(addr, 0, false, func(fd int) error {
		// Room for bursts (the kernel caps these at net.core.[rw]mem_max).
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, 4<<20)
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, 4<<20)
		// A safety net for Close: a reader wakes at least once a second.
		return unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 1})
	})
	if err != nil {
		return nil, fmt.Errorf("transport: %w", err)
	}
	return &udpSock{fd: fd, local: local}, nil
}

// setDSCP marks outgoing datagrams (SIP-37).
func (s *udpSock) setDSCP(d int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.fd < 0 {
		return
	}
	if s.local.Addr().Is4() {
		_ = unix.SetsockoptInt(s.fd, unix.IPPROTO_IP, unix.IP_TOS, d<<2)
	} else {
		_ = unix.SetsockoptInt(s.fd, unix.IPPROTO_IPV6, unix.IPV6_TCLASS, d<<2)
	}
}

// writeTo sends one datagram without blocking.
func (s *udpSock) writeTo(b []byte, to netip.AddrPort) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.fd < 0 {
		return net.ErrClosed
	}
	if err := udpbatch.SendTo(s.fd, b, to); err != nil {
		return fmt.Errorf("transport: udp send to %s: %w", to, err)
	}
	return nil
}

// shutdown wakes the readers; they return net.ErrClosed.
func (s *udpSock) shutdown() {
	if s.closing.Swap(true) {
		return
	}
	// Exclusive, so that a reader registering now either counts before
	// close's Wait or sees closing.
	s.mu.Lock()
	if s.fd >= 0 {
		// On an unconnected UDP socket shutdown reports ENOTCONN but
		// still marks it shut and wakes the threads blocked in it.
		_ = unix.Shutdown(s.fd, unix.SHUT_RDWR)
	}
	s.mu.Unlock()
}

// close shuts the socket down, waits for the readers to leave, and
// closes the descriptor.
func (s *udpSock) close() error {
	s.shutdown()
	s.readers.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fd < 0 {
		return nil
	}
	err := unix.Close(s.fd)
	s.fd = -1
	return err
}

// udpReader reads batches of datagrams from a udpSock into fixed
// buffers. One goroutine uses it.
type udpReader struct {
	s     *udpSock
	bufs  [udpBatchSize][]byte
	hdrs  [udpBatchSize]unix.Mmsghdr
	iovs  [udpBatchSize]unix.Iovec
	names [udpBatchSize]unix.RawSockaddrAny
}

// udpDatagram is one datagram of a batch: its bytes are valid until the
// next read. truncated marks one larger than the buffer.
type udpDatagram struct {
	data      []byte
	from      netip.AddrPort
	truncated bool
}

// newReader registers a reader (false once the socket is closing); its
// buffers take maxSize bytes, a larger datagram is reported truncated.
func (s *udpSock) newReader(maxSize int) (*udpReader, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closing.Load() || s.fd < 0 {
		return nil, false
	}
	s.readers.Add(1)
	r := &udpReader{s: s}
	for i := range r.bufs {
		r.bufs[i] = make([]byte, maxSize)
		r.iovs[i].Base = &r.bufs[i][0]
		r.iovs[i].SetLen(maxSize)
		r.hdrs[i].Hdr.Iov = &r.iovs[i]
		r.hdrs[i].Hdr.SetIovlen(1)
		r.hdrs[i].Hdr.Name = (*byte)(unsafe.Pointer(&r.names[i]))
	}
	return r, true
}

// done unregisters the reader.
func (r *udpReader) done() { r.s.readers.Done() }

// read blocks until at least one datagram arrives and fills out with the
// batch; net.ErrClosed once the socket is closing.
func (r *udpReader) read(out []udpDatagram) ([]udpDatagram, error) {
	s := r.s
	for {
		if s.closing.Load() {
			return out, net.ErrClosed
		}
		for i := range r.hdrs {
			r.hdrs[i].Hdr.Namelen = unix.SizeofSockaddrAny
			r.hdrs[i].Hdr.Flags = 0
		}
		// fd stays open while a reader is registered (close waits for
		// the readers before closing it), so no lock is held across the
		// blocking call. A blocking system call: the runtime hands the
		// P on if it lasts.
		n, _, e := unix.Syscall6(unix.SYS_RECVMMSG, uintptr(s.fd), uintptr(unsafe.Pointer(&r.hdrs[0])), udpBatchSize,
			unix.MSG_WAITFORONE, 0, 0)
		if e != 0 {
			if e == unix.EAGAIN || e == unix.EINTR || e == unix.ECONNREFUSED || errors.Is(e, syscall.EHOSTUNREACH) {
				continue // the receive timeout, a signal, or a queued ICMP error now consumed
			}
			if s.closing.Load() {
				return out, net.ErrClosed
			}
			continue
		}
		for i := 0; i < int(n); i++ {
			h := &r.hdrs[i]
			if h.Len == 0 && s.closing.Load() {
				return out, net.ErrClosed // woken by shutdown
			}
			out = append(out, udpDatagram{data: r.bufs[i][:h.Len], from: udpbatch.AddrPortOf(&r.names[i]),
				truncated: h.Hdr.Flags&unix.MSG_TRUNC != 0})
		}
		if len(out) > 0 {
			return out, nil
		}
	}
}
