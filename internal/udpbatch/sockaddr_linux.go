//go:build linux

package udpbatch

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// BindUDP creates a UDP socket for addr with the socket-type flags
// (unix.SOCK_NONBLOCK, say; SOCK_DGRAM and SOCK_CLOEXEC are always set),
// lets prep set options on it before it is bound, binds it and reports the
// bound address. An IPv4 address gives an IPv4 socket and an IPv6 one an
// IPv6 socket; with dualStack an unspecified address (0.0.0.0 or ::) gives
// a dual-stack IPv6 socket where the host has IPv6, as the net package's
// listeners do. The caller owns the descriptor.
func BindUDP(addr netip.AddrPort, flags int, dualStack bool, prep func(fd int) error) (int, netip.AddrPort, error) {
	a := addr.Addr().Unmap()
	fam := unix.AF_INET
	if a.Is6() {
		fam = unix.AF_INET6
	}
	flags |= unix.SOCK_DGRAM | unix.SOCK_CLOEXEC
	fd, err := -1, error(nil)
	if dualStack && a.IsUnspecified() {
		if fd, err = unix.Socket(unix.AF_INET6, flags, unix.IPPROTO_UDP); err == nil {
			fam, a = unix.AF_INET6, netip.IPv6Unspecified()
		}
	}
	if fd < 0 {
		fd, err = unix.Socket(fam, flags, unix.IPPROTO_UDP)
	}
	if err != nil {
		return -1, netip.AddrPort{}, fmt.Errorf("udp socket: %w", err)
	}
	fail := func(what string, err error) (int, netip.AddrPort, error) {
		unix.Close(fd)
		return -1, netip.AddrPort{}, fmt.Errorf("binding udp %s: %s: %w", addr, what, err)
	}
	if prep != nil {
		if err := prep(fd); err != nil {
			return fail("socket options", err)
		}
	}
	var sa unix.Sockaddr
	if fam == unix.AF_INET {
		sa = &unix.SockaddrInet4{Port: int(addr.Port()), Addr: a.As4()}
	} else {
		if a.IsUnspecified() {
			if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0); err != nil {
				return fail("IPV6_V6ONLY", err)
			}
		}
		sa = &unix.SockaddrInet6{Port: int(addr.Port()), Addr: a.As16()}
	}
	if err := unix.Bind(fd, sa); err != nil {
		return fail("bind", err)
	}
	bound, err := unix.Getsockname(fd)
	if err != nil {
		return fail("getsockname", err)
	}
	var local netip.AddrPort
	switch b := bound.(type) {
	case *unix.SockaddrInet4:
		local = netip.AddrPortFrom(netip.AddrFrom4(b.Addr), uint16(b.Port))
	case *unix.SockaddrInet6:
		local = netip.AddrPortFrom(netip.AddrFrom16(b.Addr).Unmap(), uint16(b.Port))
	}
	return fd, local, nil
}

// PutSockaddr writes to as a raw sockaddr (an IPv4 one in the same
// storage) and returns its length, for sendto and sendmmsg.
func PutSockaddr(sa *unix.RawSockaddrInet6, to netip.AddrPort) uint32 {
	if a := to.Addr(); a.Is4() {
		s4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		s4.Family = unix.AF_INET
		binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&s4.Port))[:], to.Port())
		s4.Addr = a.As4()
		return unix.SizeofSockaddrInet4
	}
	sa.Family = unix.AF_INET6
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:], to.Port())
	sa.Addr = to.Addr().As16()
	sa.Scope_id = 0
	return unix.SizeofSockaddrInet6
}

// AddrPortOf reads a raw sockaddr filled by recvmsg/recvmmsg; an
// IPv4-mapped IPv6 address is unmapped.
func AddrPortOf(sa *unix.RawSockaddrAny) netip.AddrPort {
	switch sa.Addr.Family {
	case unix.AF_INET:
		s := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		port := binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&s.Port))[:])
		return netip.AddrPortFrom(netip.AddrFrom4(s.Addr), port)
	case unix.AF_INET6:
		s := (*unix.RawSockaddrInet6)(unsafe.Pointer(sa))
		port := binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&s.Port))[:])
		return netip.AddrPortFrom(netip.AddrFrom16(s.Addr).Unmap(), port)
	}
	return netip.AddrPort{}
}

// SendTo sends one datagram on fd without blocking (MSG_DONTWAIT) through a
// raw system call: it returns at once, so the scheduler's system-call
// bookkeeping (and a sysmon wake) is skipped. A full send buffer is
// EAGAIN. The caller keeps fd open across the call.
func SendTo(fd int, b []byte, to netip.AddrPort) error {
	var sa unix.RawSockaddrInet6
	l := PutSockaddr(&sa, to)
	var p unsafe.Pointer
	if len(b) > 0 {
		p = unsafe.Pointer(&b[0])
	}
	_, _, e := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(p), uintptr(len(b)), unix.MSG_DONTWAIT,
		uintptr(unsafe.Pointer(&sa)), uintptr(l))
	if e != 0 {
		return e
	}
	return nil
}
