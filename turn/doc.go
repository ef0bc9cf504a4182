// Package turn is a TURN server (RFC 5766 / RFC 8656, with RFC 6156 IPv6
// relays and RFC 6062 TCP allocations) as an edge offers it to ICE clients
// behind NAT.
//
// A [Server] is built from a validated [Config]: listeners on UDP, TCP, TLS
// and DTLS, the relay address and port range, the realm and a
// [CredentialStore] (static users, a callback, or REST-style ephemeral
// credentials), quotas, lifetimes and the peer filter that keeps a relay
// from becoming a proxy into the server's own network. STUN messages go
// through github.com/pion/stun/v3; the relay path — ChannelData and Data
// indications both ways — allocates nothing per packet and reads UDP in
// batches, several sockets per port. UDP listener and relay sockets are
// served by a few pollers (Config.Pollers), each one goroutine over one
// epoll: a wake-up serves every socket that is ready, so the cost per
// relayed packet stays low at low packet rates too. The relays of one
// poller share its read buffers, so an allocation costs no buffers of its
// own, and the datagrams of a batch bound for one address leave as one
// segmented send where Linux offers UDP segmentation offload
// (Config.NoSegmentationOffload).
//
// The configuration is fixed while the server runs (TURN-3): Reconfigure
// keeps a new one pending and Restart applies it. A node in the C role
// refuses to Start (TURN-1).
//
// Counters are available as a [Stats] snapshot, allocation events go to
// log/slog and to an optional callback.
package turn
