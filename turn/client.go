package turn

import (
	"net"
	"net/netip"
	"sync"

	"github.com/causeway-edge/causeway/internal/udpbatch"
)

type proto uint8

const (
	protoUDP proto = iota
	protoTCP
	protoTLS
	protoDTLS
)

func (p proto) String() string { return [...]string{"UDP", "TCP", "TLS", "DTLS"}[p] }

// fiveTuple identifies an allocation: client transport, client address and
// the server address it talks to.
type fiveTuple struct {
	proto  proto
	client netip.AddrPort
	server netip.AddrPort
}

// client is the way back to a client: the UDP listener socket and the
// client's address, or a stream (TCP, TLS) or DTLS connection.
type client struct {
	proto  proto
	udp    *udpbatch.Socket
	conn   *streamConn
	remote netip.AddrPort
	local  netip.AddrPort
}

func (c *client) key() fiveTuple { return fiveTuple{c.proto, c.remote, c.local} }

// stream: ChannelData is padded to 4 bytes on TCP and TLS (TURN-24).
func (c *client) stream() bool { return c.proto == protoTCP || c.proto == protoTLS }

func (c *client) write(b []byte) error {
	if c.udp != nil {
		return c.udp.WriteTo(b, c.remote)
	}
	return c.conn.write(b)
}

// streamConn is a connection-oriented client transport with serialised
// writes.
type streamConn struct {
	mu sync.Mutex
	c  net.Conn
}

func (s *streamConn) write(b []byte) error {
	s.mu.Lock()
	_, err := s.c.Write(b)
	s.mu.Unlock()
	return err
}
