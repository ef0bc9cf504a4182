//go:build !linux

package turn

import (
	"errors"

	"github.com/causeway-edge/causeway/internal/udpbatch"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// setDontFragment is not supported here: DONT-FRAGMENT gets 420.
func setDontFragment(c *udpbatch.Socket) error {
	return errors.New("turn: DONT-FRAGMENT unsupported on this platform")
}

// setBuffers sizes a socket's kernel buffers (n <= 0: system default).
func setBuffers(c *udpbatch.Socket, n int) {
	if n > 0 {
		_ = c.Conn().SetReadBuffer(n)
		_ = c.Conn().SetWriteBuffer(n)
	}
}

// setTOS sets the traffic class (DSCP << 2) of a socket.
func setTOS(c *udpbatch.Socket, v4 bool, tos int) error {
	if v4 {
		return ipv4.NewConn(c.Conn()).SetTOS(tos)
	}
	return ipv6.NewConn(c.Conn()).SetTrafficClass(tos)
}

func setReuse(fd uintptr) error { return nil }
