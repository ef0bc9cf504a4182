// Package transport carries SIP over UDP, TCP, TLS and mutual TLS: the
// listeners, the connection table that reuses connections per peer,
// outbound connections from a configured source port range, stream framing
// with the product's malformed-message tolerance, RFC 3581 received/rport
// stamping and RFC 5626 CRLF keep-alives.
//
// A [Transport] is built from a validated [Config]; received messages go
// to a [Receiver] (a transaction.Layer), and Send delivers messages per
// RFC 3261 §18: requests to a target address, responses back on the
// connection (or to the address) the request came from.
package transport
