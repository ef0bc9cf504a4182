package demux

// Role is a node's role: only the Expressway-E demultiplexes (DMX-10).
type Role uint8

// Roles.
const (
	RoleC Role = iota
	RoleE
)

// LegPeer is what is at the far end of a leg.
type LegPeer uint8

// Leg peers.
const (
	PeerExpresswayC    LegPeer = iota // a C, through a traversal zone
	PeerAssentEndpoint                // an Assent endpoint
	PeerH46019Endpoint                // a locally registered H.460.19 endpoint
	PeerPlainEndpoint                 // a SIP/H.323 endpoint with neither
)

// LegInfo are the facts of a leg that decide demultiplexing (DMX-10).
type LegInfo struct {
	Peer LegPeer
	H323 bool
	// Assent: the traversal zone uses Assent (rows a, d).
	Assent bool
	// TraversalServerH46019Demux: the traversal server zone's "H.460.19
	// demultiplexing mode" (rows b, c).
	TraversalServerH46019Demux bool
	// LocalZoneH46019Demux: the Local Zone "H46019 Demultiplexing Mode"
	// (row e).
	LocalZoneH46019Demux bool
}

// IsDemuxed reports whether a leg's media uses the shared ports (the
// DMX-10 table, rows a–g).
func IsDemuxed(r Role, leg LegInfo) bool {
	if r != RoleE { // row g
		return false
	}
	switch leg.Peer {
	case PeerExpresswayC:
		if leg.Assent { // row a
			return true
		}
		return leg.H323 && leg.TraversalServerH46019Demux // rows b, c
	case PeerAssentEndpoint: // row d
		return true
	case PeerH46019Endpoint: // row e
		return leg.LocalZoneH46019Demux
	}
	return false // row f
}
