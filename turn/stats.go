package turn

import "sync/atomic"

// Stats is a snapshot of the server's counters (TURN-28).
type Stats struct {
	Allocations      int64 // current
	AllocationsTotal uint64
	Permissions      int64 // current
	Channels         int64 // current
	TCPConnections   int64 // current RFC 6062 data connections
	Requests         uint64
	SuccessResponses uint64
	ErrorResponses   uint64
	AuthFailures     uint64
	PacketsToPeer    uint64
	BytesToPeer      uint64
	PacketsToClient  uint64
	BytesToClient    uint64
	// Dropped counts relayed packets dropped: no permission, filtered
	// peer, bandwidth cap, malformed ChannelData.
	Dropped uint64
}

type counters struct {
	allocations, permissions, channels, tcpConns                      atomic.Int64
	allocationsTotal, requests, success, errors, authFailures         atomic.Uint64
	packetsToPeer, bytesToPeer, packetsToClient, bytesToClient, drops atomic.Uint64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Allocations: c.allocations.Load(), AllocationsTotal: c.allocationsTotal.Load(),
		Permissions: c.permissions.Load(), Channels: c.channels.Load(), TCPConnections: c.tcpConns.Load(),
		Requests: c.requests.Load(), SuccessResponses: c.success.Load(), ErrorResponses: c.errors.Load(),
		AuthFailures: c.authFailures.Load(), PacketsToPeer: c.packetsToPeer.Load(), BytesToPeer: c.bytesToPeer.Load(),
		PacketsToClient: c.packetsToClient.Load(), BytesToClient: c.bytesToClient.Load(), Dropped: c.drops.Load(),
	}
}
