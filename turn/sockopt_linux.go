//go:build linux

package turn

import (
	"net"

	"golang.org/x/sys/unix"
)

// setDontFragment sets the DF bit on everything a relay socket sends
// (DONT-FRAGMENT, RFC 5766 §14.8).
func setDontFragment(c *net.UDPConn) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_MTU_DISCOVER, unix.IP_PMTUDISC_DO)
	})
	if err != nil {
		return err
	}
	return serr
}

// setReuse lets a TCP relay listen and dial from the same address
// (RFC 6062 §5.2).
func setReuse(fd uintptr) error {
	if err := unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return err
	}
	return unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
}
