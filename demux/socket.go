package demux

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// sock is one bound UDP socket with its reader goroutine.
type sock struct {
	conn  *net.UDPConn
	local netip.AddrPort
	rtcp  bool // the odd port of a shared pair, or a leg's RTCP port
	batch *batchReader
}

// listenUDP binds addr:port; reusePort sets SO_REUSEPORT so several sockets
// can share one port (one reader each).
func listenUDP(ctx context.Context, addr netip.Addr, port uint16, reusePort bool) (*net.UDPConn, error) {
	lc := net.ListenConfig{Control: socketControl(reusePort)}
	pc, err := lc.ListenPacket(ctx, "udp", netip.AddrPortFrom(addr, port).String())
	if err != nil {
		return nil, fmt.Errorf("demux: binding %s port %d: %w", addr, port, err)
	}
	return pc.(*net.UDPConn), nil
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
		n, err := s.batch.read()
		for i := 0; i < n; i++ {
			if p := &s.batch.pkts[i]; p.n >= 0 {
				handle(s, p)
			}
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
