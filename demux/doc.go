// Package demux is the media plane of a traversal edge: it owns the
// traversal media port range, multiplexes many calls' RTP and RTCP onto a
// few shared UDP ports, and relays media between call legs.
//
// [RangeConfig] and [Allocator] manage the port range: the shared
// demultiplexing pair(s) at its start (one pair on Small and Medium
// systems, six on Large), per-leg pairs and single ports handed out lowest
// first, all-or-nothing allocation instances and the 48-ports-per-call
// budget. [IsDemuxed] says which legs use the shared ports.
//
// [Mux] owns the shared sockets. Packets on them carry the H.460.19
// multiplexed-media framing — a 4-byte multiplex ID, then the unchanged RTP
// or RTCP packet; the even port carries RTP and the odd port RTCP. Each
// registered [Stream] has its own receive ID; the first packet carrying it
// latches the stream's return address, keep-alives latch without being
// forwarded, and everything else is dropped and counted by reason. [Leg] is
// a per-leg pair of ports for legs that are not demuxed, with RFC 7983
// first-byte classification ([ClassifyFirstByte], [IsRTCP]) so that STUN,
// DTLS and RTP sharing a port reach the right consumer, and the symmetric
// media (latching) modes of the product. [Bridge] joins two endpoints —
// streams or legs — both ways without touching the payload.
//
// The packet path allocates nothing: buffers are pooled with 4 bytes of
// headroom so a forwarded packet gets its multiplex ID written in place,
// and on Linux sockets are read and written in batches with
// recvmmsg/sendmmsg.
package demux
