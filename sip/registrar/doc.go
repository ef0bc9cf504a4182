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
//
// Every binding is a full registration record (SIP-60), listed by device
// (Devices) and by alias (Aliases) and removable by the operator (Remove,
// RemoveBinding, RemoveDevice). Every binding that ends — expired,
// unregistered, superseded by a new Call-ID, removed — goes to a bounded
// History and to Config.OnEnd with its reason, which is how a caller
// implements "Registration Call Remove" (SIP-58). The restriction policy can
// be changed at run time (SetRestrictionPolicy, UnregisterAndBlock) by an
// atomic swap: it applies from the next REGISTER, refreshes included, and
// leaves existing bindings alone.
package registrar
