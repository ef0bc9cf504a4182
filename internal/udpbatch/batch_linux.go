//go:build linux

package udpbatch

import (
	"net"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// BatchSize is how many datagrams one read may return.
const BatchSize = 32

// Reader reads up to BatchSize datagrams per system call with recvmmsg
// into fixed buffers, without allocating. It is not safe for concurrent
// use: one goroutine reads.
type Reader struct {
	// Msgs holds the datagrams of the last Read.
	Msgs     []Message
	rc       syscall.RawConn
	hdrs     []unix.Mmsghdr
	iovs     []unix.Iovec
	names    []unix.RawSockaddrAny
	headroom int
	n        int
	errno    syscall.Errno
	fn       func(fd uintptr) bool
	sock     *Socket                // set for a reader served by a Poller
	owner    atomic.Pointer[Poller] // the one poller a shared reader serves
}

// NewReader prepares a reader over c with buffers of bufSize bytes, the
// first headroom of which are left free in front of each datagram.
func NewReader(c *net.UDPConn, bufSize, headroom int) (*Reader, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	r := newReader(bufSize, headroom)
	r.rc = rc
	return r, nil
}

func newReader(bufSize, headroom int) *Reader {
	r := &Reader{Msgs: make([]Message, BatchSize), hdrs: make([]unix.Mmsghdr, BatchSize),
		iovs: make([]unix.Iovec, BatchSize), names: make([]unix.RawSockaddrAny, BatchSize), headroom: headroom}
	for i := range r.Msgs {
		r.Msgs[i].Buf = make([]byte, bufSize)
		r.iovs[i].Base = &r.Msgs[i].Buf[headroom]
		r.iovs[i].SetLen(bufSize - headroom)
		r.hdrs[i].Hdr.Iov = &r.iovs[i]
		r.hdrs[i].Hdr.SetIovlen(1)
		r.hdrs[i].Hdr.Name = (*byte)(unsafe.Pointer(&r.names[i]))
	}
	r.fn = r.recv
	return r
}

func (r *Reader) recv(fd uintptr) bool {
	for i := range r.hdrs {
		r.hdrs[i].Hdr.Namelen = unix.SizeofSockaddrAny
		r.hdrs[i].Hdr.Flags = 0
	}
	n, _, e := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&r.hdrs[0])), uintptr(len(r.hdrs)),
		unix.MSG_DONTWAIT, 0, 0)
	if e == unix.EAGAIN || e == unix.EINTR {
		return false // wait for readiness in the netpoller
	}
	r.n, r.errno = int(n), e
	return true
}

// Read blocks until at least one datagram arrives and returns how many
// are in Msgs. A truncated datagram has N < 0. After the socket is
// closed it returns an error wrapping net.ErrClosed. A reader made by
// NewSocketReader is read by its Poller, not with Read.
func (r *Reader) Read() (int, error) {
	if r.rc == nil {
		return 0, errPolled
	}
	if err := r.rc.Read(r.fn); err != nil {
		return 0, err
	}
	if r.errno != 0 {
		return 0, r.errno
	}
	r.fill()
	return r.n, nil
}

// fill sets Msgs from the headers of the last recvmmsg.
func (r *Reader) fill() {
	for i := 0; i < r.n; i++ {
		m, h := &r.Msgs[i], &r.hdrs[i]
		m.N = int(h.Len)
		if h.Hdr.Flags&unix.MSG_TRUNC != 0 {
			m.N = -1
		}
		m.From = AddrPortOf(&r.names[i])
	}
}

func socketControl(reusePort bool) func(network, address string, c syscall.RawConn) error {
	if !reusePort {
		return nil
	}
	return func(network, address string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
		})
		if err != nil {
			return err
		}
		return serr
	}
}
