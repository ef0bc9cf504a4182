package demux

// Bridge forwards media both ways between two endpoints — the two legs of
// a traversal or B2BUA call (DMX-23): what a receives is written to b and
// the reverse. Only multiplex IDs change; payloads, SRTP included, are
// untouched. It returns a function that undoes the bridge.
func Bridge(a, b Endpoint) (unbridge func()) {
	a.SetSink(func(p *Packet) { _ = b.WritePacket(p) })
	b.SetSink(func(p *Packet) { _ = a.WritePacket(p) })
	return func() {
		a.SetSink(nil)
		b.SetSink(nil)
	}
}
