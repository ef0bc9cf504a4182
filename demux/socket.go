package demux

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"

	"github.com/causeway-edge/causeway/internal/udpbatch"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// sock is one bound UDP socket with its reader goroutine.
type sock struct {
	conn  *net.UDPConn
	local netip.AddrPort
	rtcp  bool // the odd port of a shared pair, or a leg's RTCP port
	batch *udpbatch.Reader
	pkts  []Packet // one per batch message, over the same buffers
}

// listenUDP binds addr:port; reusePort sets SO_REUSEPORT so several sockets
// can share one port (one reader each).
func listenUDP(ctx context.Context, addr netip.Addr, port uint16, reusePort bool) (*net.UDPConn, error) {
	c, err := udpbatch.Listen(ctx, netip.AddrPortFrom(addr, port), reusePort)
	if err != nil {
		return nil, fmt.Errorf("demux: %w", err)
	}
	return c, nil
}

// newSock prepares the batch reader of a bound socket.
func newSock(c *net.UDPConn, local netip.AddrPort, rtcp bool) (*sock, error) {
	br, err := udpbatch.NewReader(c, bufSize, Headroom)
	if err != nil {
		return nil, err
	}
	s := &sock{conn: c, local: local, rtcp: rtcp, batch: br, pkts: make([]Packet, len(br.Msgs))}
	for i := range s.pkts {
		s.pkts[i].buf = br.Msgs[i].Buf
	}
	return s, nil
}

// setDSCP marks every packet sent from c with a DSCP code point (DMX-14).
func setDSCP(c *net.UDPConn, local netip.Addr, dscp int) error {
	if dscp < 0 {
		return nil
	}
	if local.Is4() || local.Is4In6() {
		return ipv4.NewConn(c).SetTOS(dscp << 2)
	}
	return ipv6.NewConn(c).SetTrafficClass(dscp << 2)
}

// dscpOf reads the DSCP mark of a socket.
func dscpOf(c *net.UDPConn, local netip.Addr) (int, error) {
	if local.Is4() || local.Is4In6() {
		tos, err := ipv4.NewConn(c).TOS()
		return tos >> 2, err
	}
	tc, err := ipv6.NewConn(c).TrafficClass()
	return tc >> 2, err
}

// serve reads batches until the socket is closed and hands each packet to
// handle. The packet's buffer is reused after handle returns.
func (s *sock) serve(handle func(*sock, *Packet), wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		n, err := s.batch.Read()
		for i := 0; i < n; i++ {
			m := &s.batch.Msgs[i]
			if m.N < 0 {
				continue // truncated: larger than any media packet we relay
			}
			p := &s.pkts[i]
			p.off, p.n, p.RTCP, p.From = Headroom, m.N, false, m.From
			handle(s, p)
		}
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue // transient errors (ICMP unreachable surfacing as ECONNREFUSED...)
		}
	}
}

func (s *sock) writeTo(b []byte, to netip.AddrPort) error {
	_, err := s.conn.WriteToUDPAddrPort(b, to)
	return err
}
