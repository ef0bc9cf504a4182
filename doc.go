// Package causeway is a Go toolkit of collaboration-edge building blocks: the
// parts a video and voice edge proxy is made of, each an independent package
// that can be imported on its own.
//
// The blocks are:
//
//   - sip and its sub-packages: the SIP message codec (sip), transports
//     (sip/transport), RFC 3261 transactions (sip/transaction), digest
//     authentication (sip/digest), the registrar (sip/registrar) and the
//     stateful proxy core (sip/proxy).
//   - h323: an ASN.1 PER runtime (h323/per), the generated H.225.0, H.245,
//     H.235 and H.460 codecs, Q.931 and TPKT framing, the RAS gatekeeper
//     engine and H.460.18/19 traversal.
//   - dialplan/pattern: alias classification and the pattern matcher (Exact,
//     Prefix, Suffix, Regex with replace strings and %variables%), the one
//     leaf every block may share.
//   - dialplan: transforms, search rules, zones as targets and the routing
//     engine that turns a dialled alias into a list of places to try.
//   - cpl: the call-policy language (RFC 3880 and the product's dialect),
//     rule tables and external policy services.
//   - turn: a TURN server (RFC 5766/8656, RFC 6156, RFC 6062).
//   - demux: the media plane — port allocation, RFC 7983 classification,
//     multiplexed RTP/RTCP ports and latching relay legs.
//   - licensing and bandwidth: call admission by licence/capacity and by
//     network bandwidth.
//
// Blocks import none of each other; a block that needs another's service
// declares a small interface for it (dialplan.Target, dialplan.Policy,
// sip/proxy.Router). The programs under examples/ plug the real blocks into
// those interfaces; examples/edge composes all of them into a full edge
// proxy: SIP and H.323 signalling routed by the dial plan, screened by call
// policy, admitted by licensing and bandwidth, with TURN and demultiplexed
// media at the edge.
package causeway
