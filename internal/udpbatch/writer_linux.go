//go:build linux

package udpbatch

import (
	"net"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Writer queues datagrams for one socket and sends them with as few
// sendmmsg calls as possible, without allocating. The queued byte slices
// must stay valid until Flush. It is not safe for concurrent use.
type Writer struct {
	rc    syscall.RawConn
	c     *net.UDPConn
	hdrs  []unix.Mmsghdr
	iovs  []unix.Iovec
	names []unix.RawSockaddrInet6
	n     int
	sent  int
	errno syscall.Errno
	fn    func(fd uintptr) bool
	sock  *Socket // set by NewSocketWriter
	gso   gsoBatch
}

// NewWriter prepares a writer over c.
func NewWriter(c *net.UDPConn) (*Writer, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	w := newWriter()
	w.rc, w.c = rc, c
	return w, nil
}

func newWriter() *Writer {
	w := &Writer{}
	w.fn = w.send
	return w
}

// alloc makes the writer's arrays on its first datagram: a writer that
// never sends (a relay no client talks through) costs a few words.
func (w *Writer) alloc() {
	w.hdrs, w.iovs = make([]unix.Mmsghdr, BatchSize), make([]unix.Iovec, BatchSize)
	w.names = make([]unix.RawSockaddrInet6, BatchSize)
	for i := range w.hdrs {
		w.hdrs[i].Hdr.Iov = &w.iovs[i]
		w.hdrs[i].Hdr.SetIovlen(1)
		w.hdrs[i].Hdr.Name = (*byte)(unsafe.Pointer(&w.names[i]))
	}
	if w.gso.on {
		w.gso.init()
	}
}

// Queue adds a datagram; a full queue is flushed first.
func (w *Writer) Queue(b []byte, to netip.AddrPort) error {
	if w.hdrs == nil {
		w.alloc()
	}
	var err error
	if w.n == len(w.hdrs) {
		err = w.Flush()
	}
	i := w.n
	if len(b) == 0 {
		return err
	}
	w.iovs[i].Base = &b[0]
	w.iovs[i].SetLen(len(b))
	w.hdrs[i].Hdr.Namelen = PutSockaddr(&w.names[i], to)
	if w.gso.on {
		w.gso.to[i] = to
	}
	w.n++
	return err
}

func (w *Writer) send(fd uintptr) bool {
	n, _, e := unix.Syscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&w.hdrs[w.sent])), uintptr(w.n-w.sent),
		unix.MSG_DONTWAIT, 0, 0)
	if e == unix.EAGAIN || e == unix.EINTR {
		return false
	}
	w.errno = e
	if e == 0 {
		w.sent += int(n)
	}
	return true
}

// Flush sends everything queued. A datagram the kernel refuses (for
// example ECONNREFUSED from an earlier ICMP) is skipped; the first error
// is returned.
func (w *Writer) Flush() error {
	if w.sock != nil {
		return w.flushSocket()
	}
	var first error
	for w.sent < w.n {
		w.errno = 0
		if err := w.rc.Write(w.fn); err != nil {
			first = err
			break
		}
		if w.errno != 0 {
			if first == nil {
				first = w.errno
			}
			w.sent++ // skip the datagram that failed
		}
	}
	w.n, w.sent = 0, 0
	return first
}

// Len is the number of queued datagrams.
func (w *Writer) Len() int { return w.n }
