// Package dialplantest provides in-memory implementations of the dial-plan
// interfaces for tests, the way net/http/httptest does for HTTP: a static
// registration table to use as the Local Zone (Registrations), a fake
// neighbor or traversal zone (Zone) that can be held, failed and inspected,
// a fake DNS resolver (Resolver), a scripted policy (Policy), and a Log that
// records every query in the order the targets received it.
//
// Every double is safe for concurrent use, records what it was asked, and
// honours context cancellation, so an Engine's "first responder" behaviour
// can be tested deterministically without sleeps: hold a zone, let another
// answer, release.
package dialplantest
