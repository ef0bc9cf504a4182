// Package registrar is a SIP registrar and location service (RFC 3261 §10,
// RFC 3327 Path, RFC 5626 outbound, RFC 5627 public GRUU) with the product's
// registration policy: the order of checks of SIP-51 (authentication,
// proxied-registration gate, allow/deny lists or a policy service, subzone
// policy, capacity), the Maximum and Variable expiry strategies with 423
// below the minimum (SIP-54, SIP-55), many contacts per AOR (SIP-57),
// refresh, removal and wildcard unregistration (SIP-58).
//
// Bindings live behind the Store interface; MemoryStore is the in-memory
// default with an injectable clock, under which a binding stops being
// returned the instant it expires and Sweep frees it. A Registrar answers
// REGISTER requests with Register and serves the proxy's location lookups
// with Lookup.
package registrar
