// Package digest is SIP digest authentication (RFC 3261 §22 with RFC 2617
// and RFC 8760): the server side that challenges and verifies requests,
// with nonce lifetime, use count, replay and retry limits, and the client
// side that answers a 401 or 407 for requests we originate.
//
// A [Server] issues challenges ([Challenge]) and checks credentials
// ([Server.Check]) against a [CredentialStore]; [Server.Authenticate] runs
// the whole decision for a request and [Respond] turns it into the 401,
// 407 or 403 response. A [Client] answers challenges. The hash functions
// are exposed for tests and tools ([HA1], [Response]).
package digest
