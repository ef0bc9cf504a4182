package turn

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
)

func addrPortOf(a net.Addr) netip.AddrPort {
	var ap netip.AddrPort
	switch v := a.(type) {
	case *net.TCPAddr:
		ap = v.AddrPort()
	case *net.UDPAddr:
		ap = v.AddrPort()
	default:
		ap, _ = netip.ParseAddrPort(a.String())
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// serveStream reads STUN messages and ChannelData frames from a TCP, TLS
// or DTLS client connection. When the connection closes, the allocation it
// created is deleted. A connection that completes an RFC 6062
// ConnectionBind becomes a raw data connection to its peer.
func (s *Server) serveStream(c net.Conn, p proto) {
	defer s.wg.Done()
	sc := &streamConn{c: c}
	cl := client{proto: p, conn: sc, remote: addrPortOf(c.RemoteAddr()), local: addrPortOf(c.LocalAddr())}
	h := s.newHandler()
	buf := make([]byte, relayBufSize)
	done := make(chan struct{})
	defer close(done)
	go func() { // unblock reads on server close
		select {
		case <-s.done:
			c.Close()
		case <-done:
		}
	}()
	var err error
	if p == protoDTLS {
		err = s.readDatagrams(c, &cl, h, buf)
	} else {
		err = s.readFrames(c, &cl, h, buf)
	}
	if h.hijack != nil && errors.Is(err, errHijacked) {
		s.pipe(h.hijack, c, h.leftover)
		return
	}
	c.Close()
	if a := s.lookup(cl.key()); a != nil {
		s.deleteAllocation(a, "Relay Deleted")
	}
}

var errHijacked = errors.New("turn: connection became an RFC 6062 data connection")

// readDatagrams: each DTLS record carries one message.
func (s *Server) readDatagrams(c net.Conn, cl *client, h *handler, buf []byte) error {
	for {
		n, err := c.Read(buf[relayHeadroom:])
		if err != nil {
			return err
		}
		h.packet(cl, buf[relayHeadroom:relayHeadroom+n])
		h.flush()
	}
}

// readFrames splits a byte stream into STUN messages (20-byte header plus
// length) and ChannelData frames (4-byte header plus length, padded to 4).
// A frame that cannot fit the buffer or is neither kind closes the
// connection.
func (s *Server) readFrames(c net.Conn, cl *client, h *handler, buf []byte) error {
	br := bufio.NewReaderSize(c, 4096)
	max := len(buf) - relayHeadroom
	for {
		hdr, err := br.Peek(4)
		if err != nil {
			return err
		}
		var total int
		switch {
		case hdr[0] >= 0x40 && hdr[0] <= 0x7F:
			total = 4 + pad4(int(binary.BigEndian.Uint16(hdr[2:])))
		case hdr[0]&0xC0 == 0:
			total = headerLen + int(binary.BigEndian.Uint16(hdr[2:]))
		default:
			s.stats.drops.Add(1)
			return errors.New("turn: stream out of sync")
		}
		if total > max {
			s.stats.drops.Add(1)
			return errors.New("turn: frame too large")
		}
		frame := buf[relayHeadroom : relayHeadroom+total]
		if _, err := io.ReadFull(br, frame); err != nil {
			return err
		}
		h.packet(cl, frame)
		h.flush()
		if h.hijack != nil {
			if n := br.Buffered(); n > 0 {
				h.leftover, _ = br.Peek(n)
				h.leftover = append([]byte(nil), h.leftover...)
			}
			return errHijacked
		}
	}
}
