//go:build !linux

package turn

import (
	"errors"
	"net"
)

// setDontFragment is not supported here: DONT-FRAGMENT gets 420.
func setDontFragment(c *net.UDPConn) error {
	return errors.New("turn: DONT-FRAGMENT unsupported on this platform")
}

func setReuse(fd uintptr) error { return nil }
