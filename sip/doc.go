// Package sip is a SIP message codec: it parses, inspects, edits, builds
// and serialises RFC 3261 requests and responses, and frames them on
// datagram and stream transports. Transports, transactions, digest
// authentication, the registrar and the proxy live in the sub-packages and
// build on this one.
//
// # Parsing
//
// ParseMessage parses a datagram; a Reader frames messages on a stream by
// Content-Length, skips and reports CRLF keep-alives and refuses messages
// over the size limit (32768 bytes by default) before parsing them:
//
//	m, err := sip.ParseMessage(datagram)
//	r := sip.NewReader(conn)
//	m, err := r.ReadMessage()
//
// The parser checks the start line and the structure of the header block,
// indexes every header once and keeps the received bytes without copying
// them: a datagram must be read into a buffer the caller then leaves alone. A header is
// decoded only when asked for, by typed accessors that return values, not
// pointers, which are views into the message and cost no allocation:
// Via, Vias, From, To, CallID, CSeq, MaxForwards, Contact, Contacts,
// Routes, RecordRoutes, Paths, Expires, ContentType, Tokens and HasToken
// (Supported, Require, Allow …), Auth (Authorization, WWW-Authenticate …),
// SessionExpires, MinSE, Event, SubscriptionState, Warnings, Date. Header
// names are case-insensitive and accept the compact forms ("v", "m", "i"
// …); Get, Values and All give raw access to any header, known or not.
//
// Validate checks everything the lazy parser defers: the grammar of every
// known header, mandatory and single-instance headers, the SIP version and
// Request-URI, and value ranges. It reports every fault with its header
// and byte offset, and the status to answer (400, or 505 for a foreign SIP
// version). Parse errors are *ParseError values with the byte offset, the
// header name and a reason; nothing in the package panics on bad input.
//
// # Editing and building
//
// Edits — Set, Add, Prepend, Del, PopFirst, ReplaceFirst, RemoveToken,
// PushVia, PopVia, SetTopVia, SetRequestURI, SetBody and the typed
// setters — rewrite only the header lines they touch. A message that has not
// been edited serialises byte for byte as it was received, unknown headers,
// compact names, odd spacing and line folding included; an edited line is
// written canonically as "Name: value". SetBody keeps Content-Length right.
// NewRequest and NewResponse build messages, the latter copying Via, From,
// To, Call-ID and CSeq from the request as RFC 3261 §8.2.6 requires.
//
// # Values
//
// URI (sip, sips, tel and opaque absolute URIs, bracketed IPv6 hosts per
// RFC 5118), Address (name-addr with display name and parameters), Via,
// CSeq, Params, MediaType, Auth and Warning are plain values with String
// methods; ParseURI, ParseAddress, ParseVia and their kin parse them on
// their own.
//
// The codec is checked against the RFC 4475 and RFC 5118 torture messages
// (testdata/torture) and fuzzed; see BENCHMARKS.md for its speed against
// other Go SIP parsers.
package sip
