package proxy

import "time"

// Release drops the state of the call with this Call-ID, as after an
// operator disconnect or a Registration Call Remove (SIP-42): a session
// timer the proxy watches for it stops, and for releasedFor every later
// in-dialog request of the call is answered 481 Call/Transaction Does Not
// Exist (an ACK is absorbed). The proxy sends no BYE for a proxied call;
// the endpoints learn of the release from the 481.
func (p *Proxy) Release(callID string) {
	now := p.clock.Now()
	p.sess.mu.Lock()
	defer p.sess.mu.Unlock()
	if p.sess.releasedCalls == nil {
		p.sess.releasedCalls = map[string]time.Time{}
	}
	if len(p.sess.releasedCalls) >= maxReleased {
		for id, until := range p.sess.releasedCalls {
			if !now.Before(until) || len(p.sess.releasedCalls) >= maxReleased {
				delete(p.sess.releasedCalls, id)
			}
		}
	}
	p.sess.releasedCalls[callID] = now.Add(releasedFor)
	p.sess.anyReleased.Store(true)
	for key, s := range p.sess.m {
		if s.callID == callID {
			delete(p.sess.m, key)
			if s.timer != nil {
				s.timer.Stop()
			}
		}
	}
}
