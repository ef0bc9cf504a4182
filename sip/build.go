package sip

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
)

// NewRequest returns a request with the start line "method uri SIP/2.0",
// Max-Forwards: 70 and Content-Length: 0. Add the other headers with the
// edit operations: PushVia for the Via, SetFrom, SetTo, Set(HdrCallID, …),
// SetCSeq, AddAddress(HdrContact, …), and SetBody, which keeps
// Content-Length right.
func NewRequest(method string, uri URI) (*Message, error) {
	if !isToken(method) {
		return nil, ErrInvalidValue
	}
	s := uri.String()
	if _, err := ParseURI(s); err != nil || !validRequestURIText(s) {
		return nil, ErrInvalidValue
	}
	m := &Message{request: true, method: method, ruri: s, version: "SIP/2.0", edited: true}
	m.fields = append(m.inline[:0], m.newField(HdrMaxForwards, "70"), m.newField(HdrContentLength, "0"))
	return m, nil
}

// NewResponse builds a response to req per RFC 3261 §8.2.6: the Via
// values (all, in order), From, To, Call-ID and CSeq are copied byte for
// byte, Timestamp too for a 100 (§8.2.6.1), and Content-Length: 0 is
// added. An empty reason takes the code's standard phrase. A UAS adds its
// To tag with SetToTag; a 100 Trying carries none.
func NewResponse(req *Message, code int, reason string) (*Message, error) {
	if req == nil || !req.request || code < 100 || code > 699 || hasCtl(reason) {
		return nil, ErrInvalidValue
	}
	if reason == "" {
		reason = ReasonPhrase(code)
	}
	// The copied fields keep their offsets: the response shares the
	// request's immutable text and edit text.
	m := &Message{version: "SIP/2.0", status: uint16(code), reason: reason, hs: req.hs,
		es: req.es, edited: true}
	m.fields = m.inline[:0]
	for i := range req.fields {
		f := &req.fields[i]
		switch f.kind() {
		case hVia, hFrom, hTo, hCallID, hCSeq:
		case hTimestamp:
			if code != 100 {
				continue
			}
		default:
			continue
		}
		m.fields = append(m.fields, *f)
	}
	m.fields = append(m.fields, m.newField(HdrContentLength, "0"))
	return m, nil
}

// NewOptionsResponse builds the 200 OK answering an OPTIONS addressed to
// the server (SIP-23), listing the methods, body types and extensions the
// server supports in Allow, Accept and Supported.
func NewOptionsResponse(req *Message, allow, accept, supported []string) (*Message, error) {
	m, err := NewResponse(req, 200, "")
	if err != nil {
		return nil, err
	}
	for _, h := range []struct {
		name string
		vals []string
	}{{HdrAllow, allow}, {HdrAccept, accept}, {HdrSupported, supported}} {
		if err := m.Add(h.name, strings.Join(h.vals, ", ")); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// NewBranch returns a fresh RFC 3261 branch: the magic cookie followed by
// 96 random bits in hex.
func NewBranch() string { return BranchMagicCookie + randomHex(12) }

// NewTag returns a fresh From/To tag of 64 random bits in hex.
func NewTag() string { return randomHex(8) }

// NewCallID returns a fresh Call-ID of 128 random bits in hex.
func NewCallID() string { return randomHex(16) }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
