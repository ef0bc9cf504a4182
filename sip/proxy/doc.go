// Package proxy is a stateful SIP proxy core (RFC 3261 §16): it validates
// each request, enforces Max-Forwards and loop detection, applies the
// route-set rules, asks a Router where the request goes, forks it in
// parallel to every target with its own client transaction and Timer C,
// relays provisional responses, forwards any 2xx at once, aggregates the
// best final response, and propagates CANCEL. Record-Route, Via handling
// and the session-timer rules of RFC 4028 §8 are applied on the way.
//
// A Proxy sits on a transaction.Layer that it creates over a transport:
//
//	p, err := proxy.New(proxy.Config{Transport: tp, Router: router})
//	go p.Serve(ctx) // binds the transport's listeners
//
// Requests that the box answers itself (a registrar, OPTIONS to the box)
// are handed to Config.Local before routing.
package proxy
