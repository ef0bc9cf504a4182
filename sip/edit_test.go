package sip

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// crlf joins lines into a message with CRLF line ends.
func crlf(lines ...string) string { return strings.Join(lines, "\r\n") }

// proxied is an INVITE with odd but legal formatting: compact names, a
// folded line, an unknown header, several values on one Via line.
var proxied = crlf(
	"INVITE sip:bob@biloxi.example.com SIP/2.0",
	"v: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1 , SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK2",
	"Max-Forwards:   70",
	"f: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
	"t: Bob",
	" <sip:bob@biloxi.example.com>",
	"i: 3848276298220188511@atlanta.example.com",
	"CSeq: 1 INVITE",
	"X-Vendor-Thing:  keep   me  exactly ",
	"Allow: INVITE, ACK, CANCEL, BYE, UPDATE, OPTIONS",
	"Proxy-Require: com.example.something",
	"Session-Expires: 3600;refresher=uac",
	"c: application/sdp",
	"l: 4",
	"",
	"v=0\n")

func parseStr(t *testing.T, s string) *Message {
	t.Helper()
	return must(ParseMessage([]byte(s)))(t)
}

// TestUneditedIsByteIdentical: SIP-16 — without edits the wire form is the
// input, compact names, spacing, folding and unknown headers included.
func TestUneditedIsByteIdentical(t *testing.T) {
	m := parseStr(t, proxied)
	assert.Equal(t, proxied, m.String())
	assert.Equal(t, len(proxied), m.Len())
	var b strings.Builder
	n, err := m.WriteTo(&b)
	require.NoError(t, err)
	assert.Equal(t, int64(len(proxied)), n)
	assert.Equal(t, proxied, b.String())
	// Reading typed values is not an edit.
	_, _ = m.Vias()
	_, _ = m.To()
	assert.Equal(t, proxied, m.String())
}

// TestEditTouchesOnlyEditedLines: SIP-16 — an edit rewrites only the lines
// it touches; body edits recompute Content-Length.
func TestEditTouchesOnlyEditedLines(t *testing.T) {
	t.Run("Max-Forwards rewrite (SIP-82)", func(t *testing.T) {
		m := parseStr(t, proxied)
		assert.Equal(t, 70, must(m.MaxForwards())(t))
		m.SetMaxForwards(15)
		assert.Equal(t, strings.Replace(proxied, "Max-Forwards:   70", "Max-Forwards: 15", 1), m.String())
	})
	t.Run("Via push and pop (RFC 3261 §16.6, §16.7)", func(t *testing.T) {
		m := parseStr(t, proxied)
		require.NoError(t, m.PushVia(Via{Transport: "TLS", Host: "192.0.2.1", Port: 5061, Params: ";branch=z9hG4bKpx1"}))
		want := strings.Replace(proxied, "v: SIP/2.0/UDP p1", "Via: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bKpx1\r\nv: SIP/2.0/UDP p1", 1)
		assert.Equal(t, want, m.String())
		assert.Equal(t, 3, m.ViaCount())
		top, err := m.PopVia()
		require.NoError(t, err)
		assert.Equal(t, "z9hG4bKpx1", top.Branch())
		assert.Equal(t, proxied, m.String(), "popping our Via gives back the received bytes")
		// Popping a value that shares a line rewrites that line only.
		v, err := m.PopVia()
		require.NoError(t, err)
		assert.Equal(t, "p1.example.com", v.Host)
		assert.Equal(t, strings.Replace(proxied, "v: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1 , SIP", "v: SIP", 1), m.String())
		v, err = m.PopVia()
		require.NoError(t, err)
		assert.Equal(t, "192.0.2.10", v.Host)
		_, err = m.PopVia()
		assert.ErrorIs(t, err, ErrNoHeader)
		assert.False(t, m.Has(HdrVia))
	})
	t.Run("received and rport stamping (SIP-39)", func(t *testing.T) {
		m := parseStr(t, crlf("OPTIONS sip:example.com SIP/2.0",
			"Via: SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bK7", "Via: SIP/2.0/UDP p.example.com;branch=z9hG4bK6", "", ""))
		v := must(m.Via())(t)
		v.Params = v.Params.Set("received", "192.0.2.77").Set("rport", "40123")
		require.NoError(t, m.SetTopVia(v))
		assert.Equal(t, crlf("OPTIONS sip:example.com SIP/2.0",
			"Via: SIP/2.0/UDP 10.0.0.5:5060;rport=40123;branch=z9hG4bK7;received=192.0.2.77",
			"Via: SIP/2.0/UDP p.example.com;branch=z9hG4bK6", "", ""), m.String())
		// On a shared line the other values keep their bytes.
		m = parseStr(t, proxied)
		v = must(m.Via())(t)
		v.Params = v.Params.Set("received", "192.0.2.1")
		require.NoError(t, m.SetTopVia(v))
		assert.Equal(t, strings.Replace(proxied, "v: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1 , SIP",
			"v: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1;received=192.0.2.1, SIP", 1), m.String())
	})
	t.Run("Record-Route insert at top (SIP-84, spec 3.10)", func(t *testing.T) {
		m := parseStr(t, proxied)
		rr := Address{URI: URI{Scheme: "sip", Host: "192.0.2.1", Port: 5061, Params: ";transport=tls;lr"}}
		require.NoError(t, m.PrependAddress(HdrRecordRoute, rr))
		require.NoError(t, m.PrependAddress(HdrRecordRoute, Address{URI: URI{Scheme: "sip", Host: "vcs1.example.com", Port: 5061, Params: ";transport=tls;lr"}}))
		rrs := must(m.RecordRoutes())(t)
		require.Len(t, rrs, 2)
		assert.Equal(t, "vcs1.example.com", rrs[0].URI.Host)
		assert.True(t, strings.HasPrefix(m.String(), crlf("INVITE sip:bob@biloxi.example.com SIP/2.0",
			"Record-Route: <sip:vcs1.example.com:5061;transport=tls;lr>",
			"Record-Route: <sip:192.0.2.1:5061;transport=tls;lr>", "v: SIP/2.0/UDP")), m.String())
	})
	t.Run("UPDATE strip from Allow (SIP-87, spec 3.10)", func(t *testing.T) {
		m := parseStr(t, proxied)
		assert.Equal(t, 1, m.RemoveToken(HdrAllow, "update"))
		assert.Equal(t, strings.Replace(proxied, "Allow: INVITE, ACK, CANCEL, BYE, UPDATE, OPTIONS",
			"Allow: INVITE, ACK, CANCEL, BYE, OPTIONS", 1), m.String())
		only := parseStr(t, crlf("OPTIONS sip:example.com SIP/2.0", "Allow: UPDATE", "Supported: timer", "", ""))
		assert.Equal(t, 1, only.RemoveToken(HdrAllow, "UPDATE"))
		assert.Equal(t, crlf("OPTIONS sip:example.com SIP/2.0", "Supported: timer", "", ""), only.String(), "Allow: UPDATE disappears")
		off := parseStr(t, proxied)
		assert.Equal(t, 0, off.RemoveToken(HdrAllow, "PRACK"))
		assert.Equal(t, proxied, off.String(), "no match, byte-identical")
	})
	t.Run("Proxy-Require strip (SIP-88, spec 3.10)", func(t *testing.T) {
		m := parseStr(t, proxied)
		assert.Equal(t, 1, m.RemoveToken(HdrProxyRequire, "com.example.something"))
		assert.False(t, m.Has(HdrProxyRequire))
		n := parseStr(t, crlf("INVITE sip:b@example.com SIP/2.0", "Proxy-Require: com.nortelnetworks.firewall, foo", "", ""))
		n.RemoveToken(HdrProxyRequire, "com.nortelnetworks.firewall")
		assert.Equal(t, "foo", n.Get(HdrProxyRequire))
	})
	t.Run("Session-Expires rewrite (SIP-100, spec 3.13)", func(t *testing.T) {
		m := parseStr(t, proxied)
		se := must(m.SessionExpires())(t)
		se.Delta = 1800
		require.NoError(t, m.Set(HdrSessionExpires, se.String()))
		require.NoError(t, m.Set(HdrMinSE, "500"))
		want := strings.Replace(proxied, "Session-Expires: 3600;refresher=uac", "Session-Expires: 1800;refresher=uac", 1)
		want = strings.Replace(want, "l: 4\r\n", "Min-SE: 500\r\nl: 4\r\n", 1) // a new header goes before a final Content-Length
		assert.Equal(t, want, m.String())
		assert.Equal(t, "1800;refresher=uac", m.Get("x"))
		assert.Equal(t, 500, must(m.MinSE())(t))
	})
	t.Run("P-Asserted-Identity insert and remove all (SIP-70, spec 3.12)", func(t *testing.T) {
		m := parseStr(t, proxied)
		require.NoError(t, m.AddAddress(HdrPAssertedIdentity, must(ParseAddress("<sip:john.smith@example.com>"))(t)))
		require.NoError(t, m.Add(HdrPAssertedIdentity, "<tel:+15551234>"))
		assert.Equal(t, 2, m.Count(HdrPAssertedIdentity))
		assert.Equal(t, 2, m.Del(HdrPAssertedIdentity))
		assert.Equal(t, proxied, m.String())
	})
	t.Run("Request-URI, body and To tag", func(t *testing.T) {
		m := parseStr(t, proxied)
		require.NoError(t, m.SetRequestURI(must(ParseURI("sip:bob@192.0.2.4:5060;transport=tcp"))(t)))
		require.NoError(t, m.SetBody("application/sdp", []byte("v=0\r\no=- 1 1 IN IP4 192.0.2.4\r\n")))
		require.NoError(t, m.SetToTag("a6c85cf"))
		want := strings.Replace(proxied, "INVITE sip:bob@biloxi.example.com SIP/2.0", "INVITE sip:bob@192.0.2.4:5060;transport=tcp SIP/2.0", 1)
		want = strings.Replace(want, "t: Bob\r\n <sip:bob@biloxi.example.com>", `t: "Bob" <sip:bob@biloxi.example.com>;tag=a6c85cf`, 1)
		want = strings.Replace(want, "l: 4\r\n\r\nv=0\n", "l: 31\r\n\r\nv=0\r\no=- 1 1 IN IP4 192.0.2.4\r\n", 1)
		assert.Equal(t, want, m.String())
		require.NoError(t, m.Validate())
		m2 := parseStr(t, m.String())
		assert.Equal(t, "a6c85cf", must(m2.To())(t).Tag())
		assert.Len(t, m2.Body(), 31)
		// Removing the body removes its type too.
		require.NoError(t, m.SetBody("", nil))
		assert.False(t, m.Has(HdrContentType))
		assert.Equal(t, "0", m.Get(HdrContentLength))
		assert.Nil(t, m.Body())
	})
	t.Run("Set keeps position and spelling, removes duplicates", func(t *testing.T) {
		m := parseStr(t, crlf("OPTIONS sip:example.com SIP/2.0", "x-a: 1", "Subject: a", "X-A: 2", "", ""))
		require.NoError(t, m.Set("X-A", "3"))
		assert.Equal(t, crlf("OPTIONS sip:example.com SIP/2.0", "x-a: 3", "Subject: a", "", ""), m.String())
		require.NoError(t, m.Add("x-a", "4"))
		require.NoError(t, m.Add(HdrSubject, "b"))
		require.NoError(t, m.Prepend("X-B", "0"))
		assert.Equal(t, crlf("OPTIONS sip:example.com SIP/2.0", "X-B: 0", "x-a: 3", "x-a: 4", "Subject: a", "Subject: b", "", ""), m.String())
		require.NoError(t, m.ReplaceFirst("X-B", "00"))
		assert.Equal(t, "00", m.Get("x-b"))
		v, ok := m.PopFirst("x-a")
		assert.True(t, ok)
		assert.Equal(t, "3", v)
		_, ok = m.PopFirst("nope")
		assert.False(t, ok)
	})
	t.Run("status line", func(t *testing.T) {
		m := parseStr(t, crlf("SIP/2.0 180 Ringing", "Via: SIP/2.0/UDP h;branch=z9hG4bK1", "", ""))
		require.NoError(t, m.SetStatus(183, ""))
		assert.Equal(t, crlf("SIP/2.0 183 Session Progress", "Via: SIP/2.0/UDP h;branch=z9hG4bK1", "", ""), m.String())
		assert.ErrorIs(t, m.SetStatus(99, "x"), ErrInvalidValue)
		assert.ErrorIs(t, m.SetRequestURI(URI{Scheme: "sip", Host: "h"}), ErrInvalidValue, "a response has no Request-URI")
	})
}

// TestEditRefusesInjection: spec §4.2 — builders reject CR, LF and NUL in
// values and non-token names, so no edit can inject a header line.
func TestEditRefusesInjection(t *testing.T) {
	m := parseStr(t, proxied)
	for _, v := range []string{"a\r\nVia: evil", "a\nb", "a\rb", "a\x00b"} {
		assert.ErrorIs(t, m.Set("Subject", v), ErrInvalidValue)
		assert.ErrorIs(t, m.Add("Subject", v), ErrInvalidValue)
		assert.ErrorIs(t, m.Prepend("Subject", v), ErrInvalidValue)
		assert.ErrorIs(t, m.ReplaceFirst("Subject", v), ErrInvalidValue)
	}
	for _, n := range []string{"", "Sub ject", "Sub:ject", "X\r\nY", strings.Repeat("x", 256)} {
		assert.ErrorIs(t, m.Set(n, "v"), ErrInvalidValue, "%q", n)
	}
	assert.ErrorIs(t, m.SetToTag("a b"), ErrInvalidValue)
	assert.ErrorIs(t, m.SetCSeq(CSeq{Seq: 1, Method: "IN VITE"}), ErrInvalidValue)
	assert.ErrorIs(t, m.SetFrom(Address{Display: "x\r\ny", URI: URI{Scheme: "sip", Host: "h"}}), ErrInvalidValue)
	assert.Equal(t, proxied, m.String(), "refused edits change nothing")
}

// TestCloneIsIndependent: edits of a clone (a forked branch) do not show in
// the original or in other clones.
func TestCloneIsIndependent(t *testing.T) {
	m := parseStr(t, proxied)
	require.NoError(t, m.Add("X-Orig", "1"))
	a, b := m.Clone(), m.Clone()
	require.NoError(t, a.Add("X-Branch", "a"))
	require.NoError(t, b.Add("X-Branch", "b"))
	require.NoError(t, m.Add("X-Orig", "2"))
	assert.Equal(t, "a", a.Get("X-Branch"))
	assert.Equal(t, "b", b.Get("X-Branch"))
	assert.Equal(t, []string{"1", "2"}, m.Values("X-Orig"))
	assert.Equal(t, []string{"1"}, a.Values("X-Orig"))
	assert.False(t, m.Has("X-Branch"))
	c := parseStr(t, proxied).Clone()
	assert.Equal(t, proxied, c.String())
	// A clone with more fields than the inline index still copies.
	many := parseStr(t, proxied)
	for i := 0; i < 20; i++ {
		require.NoError(t, many.Add("X-N", "v"))
	}
	cm := many.Clone()
	cm.Del("X-N")
	assert.Equal(t, 20, many.Count("X-N"))
	assert.Equal(t, proxied, cm.String(), "every remaining line is still the received bytes")
}
