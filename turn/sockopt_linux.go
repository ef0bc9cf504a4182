//go:build linux

package turn

import (
	"github.com/causeway-edge/causeway/internal/udpbatch"
	"golang.org/x/sys/unix"
)

// setDontFragment sets the DF bit on everything a relay socket sends
// (DONT-FRAGMENT, RFC 5766 §14.8).
func setDontFragment(c *udpbatch.Socket) error {
	return c.Control(func(fd uintptr) error {
		return unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_MTU_DISCOVER, unix.IP_PMTUDISC_DO)
	})
}

// setBuffers sizes a socket's kernel buffers (n <= 0: system default).
func setBuffers(c *udpbatch.Socket, n int) {
	if n > 0 {
		_ = c.Control(func(fd uintptr) error {
			_ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, n)
			return unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUF, n)
		})
	}
}

// setTOS sets the traffic class (DSCP << 2) of a socket.
func setTOS(c *udpbatch.Socket, v4 bool, tos int) error {
	return c.Control(func(fd uintptr) error {
		if v4 {
			return unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_TOS, tos)
		}
		return unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_TCLASS, tos)
	})
}

// setReuse lets a TCP relay listen and dial from the same address
// (RFC 6062 §5.2).
func setReuse(fd uintptr) error {
	if err := unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return err
	}
	return unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
}
