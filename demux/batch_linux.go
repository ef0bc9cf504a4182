//go:build linux

package demux

import (
	"encoding/binary"
	"net"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// batchSize is how many datagrams one recvmmsg call may return.
const batchSize = 32

// batchReader reads up to batchSize datagrams per system call with
// recvmmsg into fixed buffers, without allocating.
type batchReader struct {
	rc    syscall.RawConn
	pkts  []Packet
	hdrs  []unix.Mmsghdr
	iovs  []unix.Iovec
	names []unix.RawSockaddrAny
	n     int
	errno syscall.Errno
	fn    func(fd uintptr) bool
}

func newBatchReader(c *net.UDPConn) (*batchReader, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	r := &batchReader{rc: rc, pkts: make([]Packet, batchSize), hdrs: make([]unix.Mmsghdr, batchSize),
		iovs: make([]unix.Iovec, batchSize), names: make([]unix.RawSockaddrAny, batchSize)}
	for i := range r.pkts {
		r.pkts[i].buf = make([]byte, bufSize)
		r.iovs[i].Base = &r.pkts[i].buf[Headroom]
		r.iovs[i].SetLen(bufSize - Headroom)
		r.hdrs[i].Hdr.Iov = &r.iovs[i]
		r.hdrs[i].Hdr.SetIovlen(1)
		r.hdrs[i].Hdr.Name = (*byte)(unsafe.Pointer(&r.names[i]))
	}
	r.fn = r.recv
	return r, nil
}

func (r *batchReader) recv(fd uintptr) bool {
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

// read returns the number of datagrams read into r.pkts[:n]. Each packet
// starts at Headroom; a truncated datagram (larger than any media packet
// we relay) has n < 0 and is skipped by the caller.
func (r *batchReader) read() (int, error) {
	if err := r.rc.Read(r.fn); err != nil {
		return 0, err
	}
	if r.errno != 0 {
		return 0, r.errno
	}
	for i := 0; i < r.n; i++ {
		p, h := &r.pkts[i], &r.hdrs[i]
		p.off, p.n, p.RTCP = Headroom, int(h.Len), false
		if h.Hdr.Flags&unix.MSG_TRUNC != 0 {
			p.n = -1
		}
		p.From = sockaddrToAddrPort(&r.names[i])
	}
	return r.n, nil
}

func sockaddrToAddrPort(sa *unix.RawSockaddrAny) netip.AddrPort {
	switch sa.Addr.Family {
	case unix.AF_INET:
		s := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		port := binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&s.Port))[:])
		return netip.AddrPortFrom(netip.AddrFrom4(s.Addr), port)
	case unix.AF_INET6:
		s := (*unix.RawSockaddrInet6)(unsafe.Pointer(sa))
		port := binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&s.Port))[:])
		a := netip.AddrFrom16(s.Addr)
		if a.Is4In6() {
			a = a.Unmap()
		}
		return netip.AddrPortFrom(a, port)
	}
	return netip.AddrPort{}
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
