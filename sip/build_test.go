package sip

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// registerFixture is the REGISTER of the spec §3.6.
var registerFixture = crlf(
	"REGISTER sip:example.com SIP/2.0",
	"Via: SIP/2.0/TLS 192.0.2.10:5061;branch=z9hG4bK776asdhds;rport",
	"Max-Forwards: 70",
	"From: <sip:john.smith@example.com>;tag=a73kszlfl",
	"To: <sip:john.smith@example.com>",
	"Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10",
	"CSeq: 1 REGISTER",
	`Contact: <sip:john.smith@192.0.2.10:5061;transport=tls>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1`,
	"Supported: path, outbound, gruu",
	"Expires: 3600",
	"Content-Length: 0",
	"", "")

func TestRegisterFixture(t *testing.T) {
	m := parseStr(t, registerFixture)
	require.NoError(t, m.Validate())
	c := must(m.Contact())(t)
	inst, _ := c.Params.Get("+sip.instance")
	assert.Equal(t, "<urn:uuid:00000000-0000-1000-8000-000A95A0E128>", Unquote(inst))
	assert.True(t, m.HasToken(HdrSupported, "outbound"))
	assert.Equal(t, 3600, must(m.Expires())(t))
	assert.Equal(t, "john.smith@example.com", must(m.To())(t).URI.AOR())
	_, rport := must(m.Via())(t).RPort()
	assert.True(t, rport)
}

// TestNewResponse: RFC 3261 §8.2.6 — Via (all, in order), From, To, Call-ID
// and CSeq copied byte for byte; Timestamp for a 100; To tag added by the UAS.
func TestNewResponse(t *testing.T) {
	req := parseStr(t, crlf(
		"INVITE sip:bob@biloxi.example.com SIP/2.0",
		"v: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1, SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK2",
		"Via: SIP/2.0/TCP  192.0.2.9;branch=z9hG4bK3",
		"Max-Forwards: 69",
		"f: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: Bob <sip:bob@biloxi.example.com>",
		"Call-ID: 3848276298220188511@atlanta.example.com",
		"CSeq: 1 INVITE",
		"Timestamp: 54",
		"Contact: <sip:alice@192.0.2.10>",
		"Content-Type: application/sdp",
		"Content-Length: 4",
		"", "v=0\n"))
	trying := must(NewResponse(req, 100, ""))(t)
	assert.Equal(t, crlf(
		"SIP/2.0 100 Trying",
		"v: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1, SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK2",
		"Via: SIP/2.0/TCP  192.0.2.9;branch=z9hG4bK3",
		"f: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: Bob <sip:bob@biloxi.example.com>",
		"Call-ID: 3848276298220188511@atlanta.example.com",
		"CSeq: 1 INVITE",
		"Timestamp: 54",
		"Content-Length: 0",
		"", ""), trying.String())
	require.NoError(t, trying.Validate())

	ok := must(NewResponse(req, 200, "Fine"))(t)
	require.NoError(t, ok.SetToTag("a6c85cf"))
	require.NoError(t, ok.AddAddress(HdrContact, Address{URI: URI{Scheme: "sip", User: "bob", Host: "192.0.2.4"}}))
	require.NoError(t, ok.SetBody("application/sdp", []byte("v=0\r\n")))
	assert.False(t, ok.Has(HdrTimestamp))
	wire := ok.String()
	assert.True(t, strings.HasPrefix(wire, "SIP/2.0 200 Fine\r\n"), wire)
	back := parseStr(t, wire)
	require.NoError(t, back.Validate())
	assert.Equal(t, "a6c85cf", must(back.To())(t).Tag())
	assert.Equal(t, 3, back.ViaCount())
	assert.Equal(t, MethodInvite, back.Method(), "a response's method is its CSeq's")
	assert.Equal(t, "v=0\r\n", string(back.Body()))
	assert.Equal(t, "5", back.Get("l"))
	// The request is untouched.
	assert.Equal(t, "To: Bob <sip:bob@biloxi.example.com>", "To: "+req.Get(HdrTo))

	// The response to an edited request copies the edited values.
	req2 := req.Clone()
	require.NoError(t, req2.SetTopVia(Via{Transport: "UDP", Host: "p1.example.com", Params: ";branch=z9hG4bK1;received=192.0.2.1"}))
	r2 := must(NewResponse(req2, 486, ""))(t)
	assert.Equal(t, "192.0.2.1", must(r2.Via())(t).Received())
	assert.Equal(t, "Busy Here", r2.Reason())

	for _, bad := range []int{99, 700} {
		_, err := NewResponse(req, bad, "")
		assert.ErrorIs(t, err, ErrInvalidValue)
	}
	_, err := NewResponse(trying, 200, "")
	assert.ErrorIs(t, err, ErrInvalidValue, "no response to a response")
	_, err = NewResponse(req, 200, "a\r\nb")
	assert.ErrorIs(t, err, ErrInvalidValue)
}

// TestNewRequest builds a request through the API and checks it is valid
// and parses back to the same values.
func TestNewRequest(t *testing.T) {
	uri := must(ParseURI("sip:bob@biloxi.example.com"))(t)
	m := must(NewRequest(MethodInvite, uri))(t)
	branch := NewBranch()
	require.True(t, strings.HasPrefix(branch, BranchMagicCookie))
	require.NoError(t, m.PushVia(Via{Transport: "UDP", Host: "192.0.2.10", Port: 5060, Params: Params(";branch=" + branch)}))
	require.NoError(t, m.SetFrom(Address{Display: "Alice", URI: must(ParseURI("sip:alice@atlanta.example.com"))(t), Params: Params(";tag=" + NewTag())}))
	require.NoError(t, m.SetTo(Address{Display: "Bob", URI: uri}))
	require.NoError(t, m.Set(HdrCallID, NewCallID()))
	require.NoError(t, m.SetCSeq(CSeq{Seq: 1, Method: MethodInvite}))
	require.NoError(t, m.AddAddress(HdrContact, Address{URI: URI{Scheme: "sip", User: "alice", Host: "192.0.2.10"}}))
	require.NoError(t, m.SetBody("application/sdp", []byte("v=0\r\n")))
	require.NoError(t, m.Validate())
	wire := m.String()
	lines := strings.Split(wire, "\r\n")
	assert.Equal(t, "INVITE sip:bob@biloxi.example.com SIP/2.0", lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK"))
	assert.Equal(t, "Max-Forwards: 70", lines[2])
	assert.Equal(t, "Content-Length: 5", lines[len(lines)-4], "Content-Length stays last")
	back := parseStr(t, wire)
	require.NoError(t, back.Validate())
	assert.Equal(t, branch, must(back.Via())(t).Branch())
	assert.Equal(t, "Alice", must(back.From())(t).Display)
	assert.Len(t, must(back.CallID())(t), 32)
	assert.Equal(t, wire, back.String())
	assert.NotEqual(t, NewTag(), NewTag())

	_, err := NewRequest("IN VITE", uri)
	assert.ErrorIs(t, err, ErrInvalidValue)
	_, err = NewRequest(MethodInvite, URI{Scheme: "sip"})
	assert.ErrorIs(t, err, ErrInvalidValue)
}

// TestMethods: SIP-20 method table, SIP-21 dialog-forming requests, SIP-22
// call-related classification, SIP-23 OPTIONS to the server.
func TestMethods(t *testing.T) {
	assert.Len(t, Methods, 14) // SIP-20
	assert.Contains(t, Methods, MethodUpdate)
	assert.Contains(t, Methods, MethodPrack)

	req := func(method, ruri, to string) *Message {
		return parseStr(t, crlf(method+" "+ruri+" SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bK1",
			"To: "+to, "From: <sip:a@example.com>;tag=1", "Call-ID: c", "CSeq: 1 "+method, "", ""))
	}
	// SIP-21
	assert.True(t, req(MethodInvite, "sip:b@example.com", "<sip:b@example.com>").IsDialogForming())
	assert.True(t, req(MethodSubscribe, "sip:b@example.com", "<sip:b@example.com>").IsDialogForming())
	assert.True(t, req(MethodRefer, "sip:b@example.com", "<sip:b@example.com>").IsDialogForming())
	assert.False(t, req(MethodInvite, "sip:b@example.com", "<sip:b@example.com>;tag=x").IsDialogForming(), "re-INVITE")
	assert.False(t, req(MethodNotify, "sip:b@example.com", "<sip:b@example.com>").IsDialogForming())
	assert.False(t, req(MethodBye, "sip:b@example.com", "<sip:b@example.com>").IsDialogForming())
	// SIP-22
	for _, m := range []string{MethodInvite, MethodAck, MethodCancel, MethodBye, MethodUpdate, MethodPrack, MethodInfo} {
		assert.True(t, IsCallRelatedMethod(m), m)
	}
	for _, m := range []string{MethodRegister, MethodOptions, MethodSubscribe, MethodNotify, MethodRefer, MethodPublish, MethodMessage} {
		assert.False(t, IsCallRelatedMethod(m), m)
		assert.False(t, req(m, "sip:b@example.com", "<sip:b@example.com>").IsCallRelated(false), m)
	}
	assert.True(t, req(MethodNotify, "sip:b@example.com", "<sip:b@example.com>;tag=x").IsCallRelated(true), "inside an INVITE dialog")
	resp := must(NewResponse(req(MethodBye, "sip:b@example.com", "<sip:b@example.com>;tag=x"), 200, ""))(t)
	assert.True(t, resp.IsCallRelated(false), "a response is judged by its CSeq method")
	// SIP-23
	local := func(h string) bool { return h == "192.0.2.1" || h == "vcs.example.com" }
	ping := req(MethodOptions, "sip:192.0.2.1", "<sip:192.0.2.1>")
	assert.True(t, ping.IsOptionsToServer(local))
	assert.True(t, req(MethodOptions, "sip:vcs.example.com;transport=tls", "<sip:vcs.example.com>").IsOptionsToServer(local))
	assert.False(t, req(MethodOptions, "sip:alice@192.0.2.1", "<sip:alice@192.0.2.1>").IsOptionsToServer(local), "to a user")
	assert.False(t, req(MethodOptions, "sip:192.0.2.99", "<sip:192.0.2.99>").IsOptionsToServer(local), "to another host")
	assert.False(t, req(MethodInfo, "sip:192.0.2.1", "<sip:192.0.2.1>").IsOptionsToServer(local))
	ok := must(NewOptionsResponse(ping, Methods, []string{"application/sdp"}, []string{"path", "outbound", "gruu", "timer"}))(t)
	assert.Equal(t, 200, ok.StatusCode())
	assert.Len(t, must(ok.Tokens(HdrAllow))(t), 14)
	assert.Equal(t, "application/sdp", ok.Get(HdrAccept))
	assert.True(t, ok.HasToken(HdrSupported, "gruu"))
	require.NoError(t, parseStr(t, ok.String()).Validate())
}

func TestReasonPhrase(t *testing.T) {
	assert.Equal(t, "Message Too Large", ReasonPhrase(513))
	assert.Equal(t, "Interval Too Brief", ReasonPhrase(423))
	assert.Equal(t, "Client Error", ReasonPhrase(499))
	assert.Equal(t, "Global Failure", ReasonPhrase(699))
	assert.Equal(t, "Unknown", ReasonPhrase(42))
}
