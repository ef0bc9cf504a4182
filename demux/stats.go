package demux

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
)

// Stats are the counters of a Stream or Leg.
type Stats struct {
	Packets     uint64 // RTP and RTCP delivered
	Bytes       uint64
	RTCPPackets uint64
	KeepAlives  uint64 // absorbed, not forwarded
	Drops       uint64
	Latches     uint64
	Relatches   uint64
	Sent        uint64 // packets written to the far end
	Unsent      uint64 // written while no return address was known
	LastSeen    time.Time
	// From the last RTCP receiver report block received (RFC 3550 §6.4):
	// what the far end reports about the media it receives.
	FractionLost uint8
	TotalLost    uint32
	Jitter       uint32 // in RTP timestamp units
}

// counters is the lock-free part of the stats, updated per packet.
type counters struct {
	packets, bytes, rtcp, keepalives, drops, latches, relatches, sent, unsent atomic.Uint64
	lastSeen                                                                  atomic.Int64 // unix nanos
	lastLatch                                                                 atomic.Int64

	rrMu  sync.Mutex
	rrBuf [bufSize]byte // last RTCP compound packet, parsed when Stats is read
	rrLen int
}

func (c *counters) seen(now int64, n int, isRTCP bool) {
	c.packets.Add(1)
	c.bytes.Add(uint64(n))
	c.lastSeen.Store(now)
	if isRTCP {
		c.rtcp.Add(1)
	}
}

// keepRTCP copies an RTCP packet for later report parsing (no allocation).
func (c *counters) keepRTCP(b []byte) {
	c.rrMu.Lock()
	c.rrLen = copy(c.rrBuf[:], b)
	c.rrMu.Unlock()
}

func (c *counters) stats() Stats {
	s := Stats{
		Packets: c.packets.Load(), Bytes: c.bytes.Load(), RTCPPackets: c.rtcp.Load(),
		KeepAlives: c.keepalives.Load(), Drops: c.drops.Load(), Latches: c.latches.Load(),
		Relatches: c.relatches.Load(), Sent: c.sent.Load(), Unsent: c.unsent.Load(),
	}
	if ns := c.lastSeen.Load(); ns != 0 {
		s.LastSeen = time.Unix(0, ns)
	}
	c.rrMu.Lock()
	raw := append([]byte(nil), c.rrBuf[:c.rrLen]...)
	c.rrMu.Unlock()
	if len(raw) == 0 {
		return s
	}
	pkts, err := rtcp.Unmarshal(raw)
	if err != nil {
		return s
	}
	for _, p := range pkts {
		var reports []rtcp.ReceptionReport
		switch r := p.(type) {
		case *rtcp.ReceiverReport:
			reports = r.Reports
		case *rtcp.SenderReport:
			reports = r.Reports
		}
		if len(reports) > 0 {
			s.FractionLost, s.TotalLost, s.Jitter = reports[0].FractionLost, reports[0].TotalLost, reports[0].Jitter
		}
	}
	return s
}

// latch is a learned return path: the far end's address and the local
// socket to answer from.
type latch struct {
	addr netip.AddrPort
	via  *sock
}

// RemoteMode says where a stream's media is sent (DMX-13).
type RemoteMode uint8

// Remote modes.
const (
	// LatchAfterFirst sends to the signalled address until the first
	// packet arrives, then to the learned source.
	LatchAfterFirst RemoteMode = iota
	// Signaled always sends to the signalled address.
	Signaled
	// Latching sends only to the learned source: nothing goes out before
	// the first packet arrives.
	Latching
)

// RelatchInterval is the least time between two re-latches of a stream
// (DMX-18).
const RelatchInterval = time.Second
