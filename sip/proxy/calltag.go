package proxy

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/causeway-edge/causeway/sip"
)

// DefaultCallTagHeader carries the call tag (SIP-85 b, spec §2.15-10).
const DefaultCallTagHeader = "X-Call-Tag"

// newCallTag returns a fresh call tag: 128 random bits in hex.
func newCallTag() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ensureCallTag gives req a call tag when it arrived without one; a tag
// that came from upstream is carried on unchanged.
func (p *Proxy) ensureCallTag(req *sip.Message) {
	if req.Get(p.cfg.CallTagHeader) != "" {
		return
	}
	_ = req.Set(p.cfg.CallTagHeader, newCallTag())
}

// CallTag returns the call tag of a request the proxy handed to the
// Router (SIP-85 b): the dial plan keys its loop table on it.
func (p *Proxy) CallTag(req *sip.Message) string { return req.Get(p.cfg.CallTagHeader) }
