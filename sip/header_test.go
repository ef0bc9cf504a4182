package sip

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withHeaders builds a valid INVITE around extra header lines.
func withHeaders(lines ...string) []byte {
	base := []string{
		"INVITE sip:bob@biloxi.example.com SIP/2.0",
		"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds",
		"Max-Forwards: 70",
		"To: Bob <sip:bob@biloxi.example.com>",
		"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774",
		"Call-ID: a84b4c76e66710@pc33.atlanta.example.com",
		"CSeq: 314159 INVITE",
	}
	base = append(base, lines...)
	base = append(base, "Content-Length: 0", "", "")
	return []byte(strings.Join(base, "\r\n"))
}

// TestHeaderTyped drives the typed accessor of every header SIP-11 lists,
// each with a value it must decode and one Validate must refuse.
func TestHeaderTyped(t *testing.T) {
	cases := []struct {
		req   string // SIP-n the header serves
		line  string
		check func(t *testing.T, m *Message)
		bad   string // a malformed line of the same header, "" if none
	}{
		{"SIP-11 Via, SIP-39 rport/received", "Via: SIP/2.0/TCP [2001:db8::9]:5061;received=192.0.2.7;rport=5062;branch=z9hG4bKnashds8;maddr=224.2.0.1;ttl=16",
			func(t *testing.T, m *Message) {
				vias := must(m.Vias())(t)
				require.Len(t, vias, 2)
				v := vias[1]
				assert.Equal(t, "TCP", v.Transport)
				assert.Equal(t, "[2001:db8::9]", v.Host)
				assert.Equal(t, 5061, v.Port)
				assert.Equal(t, "[2001:db8::9]:5061", v.SentBy())
				assert.Equal(t, "z9hG4bKnashds8", v.Branch())
				assert.Equal(t, "192.0.2.7", v.Received())
				p, ok := v.RPort()
				assert.True(t, ok)
				assert.Equal(t, 5062, p)
				ttl, _ := v.Params.Get("ttl")
				assert.Equal(t, "16", ttl)
				assert.Equal(t, 2, m.ViaCount())
			}, "Via: SIP/2.0/UDP"},
		{"SIP-11 Via comma list", "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TLS b.example.com:5061;branch=z9hG4bK2",
			func(t *testing.T, m *Message) {
				vias := must(m.Vias())(t)
				require.Len(t, vias, 3)
				assert.Equal(t, "TLS", vias[2].Transport)
				assert.Equal(t, "z9hG4bK2", vias[2].Branch())
			}, "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com:99999"},
		{"SIP-11 Contact expires/q/+sip.instance/reg-id (SIP-54..59)",
			`Contact: "John" <sip:john.smith@192.0.2.10:5061;transport=tls;ob>;expires=600;q=0.7;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1;pub-gruu="sip:john.smith@example.com;gr=urn:uuid:00000000-0000-1000-8000-000A95A0E128"`,
			func(t *testing.T, m *Message) {
				c := must(m.Contact())(t)
				assert.Equal(t, "John", c.Display)
				assert.Equal(t, "tls", c.URI.Transport())
				assert.True(t, c.URI.Params.Has("ob"))
				e, _ := c.Params.Get("expires")
				assert.Equal(t, "600", e)
				q, _ := c.Params.Get("q")
				assert.Equal(t, "0.7", q)
				inst, _ := c.Params.Get("+sip.instance")
				assert.Equal(t, "<urn:uuid:00000000-0000-1000-8000-000A95A0E128>", Unquote(inst))
				rid, _ := c.Params.Get("reg-id")
				assert.Equal(t, "1", rid)
				g, _ := c.Params.Get("pub-gruu")
				gruu := must(ParseURI(Unquote(g)))(t)
				gr, _ := gruu.Params.Get("gr")
				assert.Equal(t, "urn:uuid:00000000-0000-1000-8000-000A95A0E128", gr)
			}, "Contact: <sip:a@example.com>;expires=99999999999"},
		{"SIP-11 Contact list and wildcard", "Contact: <sip:a@h1.example.com>, \"B, C\" <sip:b@h2.example.com>;q=1",
			func(t *testing.T, m *Message) {
				cs := must(m.Contacts())(t)
				require.Len(t, cs, 2)
				assert.Equal(t, "B, C", cs[1].Display)
				assert.Equal(t, 2, m.Count("m"))
			}, "Contact: *, <sip:a@example.com>"},
		{"SIP-11 Route/Record-Route (SIP-81, SIP-84)", "Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>\r\nRoute: <sip:192.0.2.99;lr>",
			func(t *testing.T, m *Message) {
				rr := must(m.RecordRoutes())(t)
				require.Len(t, rr, 2)
				assert.Equal(t, "p2.example.com", rr[0].URI.Host)
				assert.True(t, rr[1].URI.Params.Has("lr"))
				r := must(m.Route())(t)
				assert.Equal(t, "192.0.2.99", r.URI.Host)
			}, "Route: sip:192.0.2.99;lr"},
		{"SIP-11 Path (SIP-59)", "Path: <sip:192.0.2.1:5061;transport=tls;lr;ob>",
			func(t *testing.T, m *Message) {
				p := must(m.Paths())(t)
				require.Len(t, p, 1)
				assert.Equal(t, 5061, p[0].URI.Port)
				assert.True(t, p[0].URI.Params.Has("ob"))
			}, "Path: <sip:192.0.2.1;lr"},
		{"SIP-11 Expires/Min-Expires (SIP-54)", "Expires: 3600\r\nMin-Expires: 45",
			func(t *testing.T, m *Message) {
				assert.Equal(t, 3600, must(m.Expires())(t))
				assert.Equal(t, 45, must(m.MinExpires())(t))
			}, "Expires: -1"},
		{"SIP-11 Flow-Timer (SIP-55)", "Flow-Timer: 120",
			func(t *testing.T, m *Message) { assert.Equal(t, 120, must(m.FlowTimer())(t)) }, "Flow-Timer: two"},
		{"SIP-11 Supported/Require/Proxy-Require/Unsupported", "Supported: path, outbound, gruu\r\nRequire: outbound\r\nProxy-Require: com.example.something\r\nUnsupported: foo",
			func(t *testing.T, m *Message) {
				assert.Equal(t, []string{"path", "outbound", "gruu"}, must(m.Tokens(HdrSupported))(t))
				assert.True(t, m.HasToken("k", "GRUU"), "compact form, case-insensitive tag")
				assert.True(t, m.HasToken(HdrRequire, "outbound"))
				assert.True(t, m.HasToken(HdrProxyRequire, "com.example.something"))
				assert.Equal(t, []string{"foo"}, must(m.Tokens(HdrUnsupported))(t))
				assert.False(t, m.HasToken(HdrSupported, "timer"))
			}, "Supported: path outbound"},
		{"SIP-11 Allow (SIP-87)", "Allow: INVITE, ACK, CANCEL, BYE, UPDATE, OPTIONS",
			func(t *testing.T, m *Message) {
				assert.Len(t, must(m.Tokens(HdrAllow))(t), 6)
				assert.True(t, m.HasToken(HdrAllow, "UPDATE"))
			}, "Allow: INVITE,,BYE"},
		{"SIP-11 Session-Expires/Min-SE (SIP-100)", "Session-Expires: 3600;refresher=uac\r\nMin-SE: 90",
			func(t *testing.T, m *Message) {
				se := must(m.SessionExpires())(t)
				assert.Equal(t, 3600, se.Delta)
				assert.Equal(t, "uac", se.Refresher)
				assert.Equal(t, 90, must(m.MinSE())(t))
			}, "Session-Expires: soon"},
		{"SIP-11 Authorization (SIP-71..77)", `Authorization: Digest username="meetingroom1", realm="TANDBERG", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:example.com", qop=auth, nc=00000001, cnonce="0a4f113b", response="282f27418570e0574caadf7299cc98e3", algorithm=MD5`,
			func(t *testing.T, m *Message) {
				a := must(m.Auth(HdrAuthorization))(t)
				assert.Equal(t, "Digest", a.Scheme)
				for k, v := range map[string]string{"username": "meetingroom1", "realm": "TANDBERG", "uri": "sip:example.com",
					"qop": "auth", "nc": "00000001", "response": "282f27418570e0574caadf7299cc98e3", "algorithm": "MD5"} {
					got, ok := a.Params.Get(k)
					assert.True(t, ok, k)
					assert.Equal(t, v, got, k)
				}
			}, `Authorization: Digest username="x, realm=y`},
		{"SIP-11 Proxy-Authorization", `Proxy-Authorization: Digest username="alice", realm="atlanta.example.com", nonce="wf84f1ceczx41ae6cbe5aea9c8e88d359", uri="sip:bob@biloxi.example.com", response="42ce3cef44b22f50c6a6071bc8"`,
			func(t *testing.T, m *Message) {
				a := must(m.Auth(HdrProxyAuthorization))(t)
				n, _ := a.Params.Get("nonce")
				assert.Equal(t, "wf84f1ceczx41ae6cbe5aea9c8e88d359", n)
			}, "Proxy-Authorization: Digest realm="},
		{"SIP-11 WWW-Authenticate/Proxy-Authenticate", `WWW-Authenticate: Digest realm="TANDBERG", nonce="abc", algorithm=SHA-256, qop="auth", stale=TRUE` + "\r\n" + `WWW-Authenticate: Digest realm="TANDBERG", nonce="abc", algorithm=MD5, qop="auth"` + "\r\n" + `Proxy-Authenticate: Digest realm="atlanta.example.com", nonce="xyz"`,
			func(t *testing.T, m *Message) {
				ch := must(m.Auths(HdrWWWAuthenticate))(t)
				require.Len(t, ch, 2, "one challenge per line, several algorithms offered (RFC 8760)")
				alg, _ := ch[0].Params.Get("algorithm")
				assert.Equal(t, "SHA-256", alg)
				st, _ := ch[0].Params.Get("stale")
				assert.Equal(t, "TRUE", st)
				pa := must(m.Auth(HdrProxyAuthenticate))(t)
				r, _ := pa.Params.Get("realm")
				assert.Equal(t, "atlanta.example.com", r)
			}, `WWW-Authenticate: Digest realm="x",`},
		{"SIP-11 P-Asserted-Identity (SIP-70)", "P-Asserted-Identity: <sip:john.smith@example.com>, <tel:+14085551212>",
			func(t *testing.T, m *Message) {
				ids := must(m.Addresses(HdrPAssertedIdentity))(t)
				require.Len(t, ids, 2)
				assert.Equal(t, "john.smith@example.com", ids[0].URI.AOR())
				assert.True(t, ids[1].URI.IsTel())
				assert.Equal(t, "+14085551212", ids[1].URI.User)
			}, "P-Asserted-Identity: <sip:john smith@example.com>"},
		{"SIP-11 Event/Subscription-State/Allow-Events (SIP-89)", "Event: presence;id=7\r\nSubscription-State: active;expires=3600\r\nAllow-Events: presence, dialog",
			func(t *testing.T, m *Message) {
				e := must(m.Event())(t)
				assert.Equal(t, "presence", e.Value)
				id, _ := e.Params.Get("id")
				assert.Equal(t, "7", id)
				ss := must(m.SubscriptionState())(t)
				assert.Equal(t, "active", ss.Value)
				assert.True(t, m.HasToken("u", "dialog"))
			}, "Event: pres ence"},
		{"SIP-11 Refer-To/Referred-By/Replaces (SIP-111)", "Refer-To: <sip:carol@chicago.example.com?Replaces=12345%40192.0.2.1%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994>\r\nReferred-By: <sip:alice@atlanta.example.com>\r\nReplaces: 98732@sip.example.com;from-tag=r33th4x0r;to-tag=ff87ff",
			func(t *testing.T, m *Message) {
				rt := must(m.ReferTo())(t)
				assert.Contains(t, rt.URI.Headers, "Replaces=")
				assert.Equal(t, "alice", must(m.ReferredBy())(t).URI.User)
				r := must(m.ParamValue(HdrReplaces))(t)
				assert.Equal(t, "98732@sip.example.com", r.Value)
				ft, _ := r.Params.Get("from-tag")
				assert.Equal(t, "r33th4x0r", ft)
			}, "Refer-To: <sip:carol@chicago.example.com"},
		{"SIP-11 Reason/Diversion (pass-through)", "Reason: SIP;cause=200;text=\"Call completed elsewhere\"\r\nDiversion: <sip:+15551234@example.com>;reason=unconditional;counter=1",
			func(t *testing.T, m *Message) {
				r := must(m.ParamValue(HdrReason))(t)
				assert.Equal(t, "SIP", r.Value)
				d := must(m.Addresses(HdrDiversion))(t)
				rs, _ := d[0].Params.Get("reason")
				assert.Equal(t, "unconditional", rs)
			}, "Reason: SIP;cause=200;text=\"unterminated"},
		{"SIP-11 Content-Type/Content-Length", "Content-Type: multipart/mixed;boundary=unique-boundary-1",
			func(t *testing.T, m *Message) {
				ct := must(m.ContentType())(t)
				assert.True(t, ct.Is("Multipart", "MIXED"))
				b, _ := ct.Params.Get("boundary")
				assert.Equal(t, "unique-boundary-1", b)
				assert.Equal(t, 0, must(m.ContentLength())(t))
			}, "Content-Type: application"},
		{"SIP-11 User-Agent/Server (LIC-26)", "User-Agent: TANDBERG/529 (TC7.3.6.30a1fb9)\r\nServer: Causeway/1.0",
			func(t *testing.T, m *Message) {
				assert.Equal(t, "TANDBERG/529 (TC7.3.6.30a1fb9)", m.UserAgent())
				assert.Equal(t, "Causeway/1.0", m.Server())
			}, ""},
		{"SIP-11 Warning", `Warning: 370 devnull "Choose a bigger pipe", 399 [2001:db8::1]:5060 "Quoted \"text\""`,
			func(t *testing.T, m *Message) {
				w := must(m.Warnings())(t)
				require.Len(t, w, 2)
				assert.Equal(t, Warning{Code: 370, Agent: "devnull", Text: "Choose a bigger pipe"}, w[0])
				assert.Equal(t, `Quoted "text"`, w[1].Text)
				assert.Equal(t, `399 [2001:db8::1]:5060 "Quoted \"text\""`, w[1].String())
			}, `Warning: 37 devnull "x"`},
		{"SIP-11 Date", "Date: Sat, 13 Nov 2010 23:29:00 GMT",
			func(t *testing.T, m *Message) {
				d := must(m.Date())(t)
				assert.Equal(t, time.Date(2010, 11, 13, 23, 29, 0, 0, time.UTC), d.UTC())
			}, "Date: Sat, 13 Nov 2010 23:29:00 PST"},
		{"SIP-11 SIP-ETag/SIP-If-Match (SIP-121)", "SIP-ETag: dx200xyz\r\nSIP-If-Match: dx200xyz",
			func(t *testing.T, m *Message) {
				assert.Equal(t, "dx200xyz", m.Get(HdrSIPETag))
				assert.Equal(t, "dx200xyz", m.Get("sip-if-match"))
			}, ""},
	}
	for _, c := range cases {
		t.Run(c.req, func(t *testing.T) {
			m := must(ParseMessage(withHeaders(c.line)))(t)
			require.NoError(t, m.Validate())
			c.check(t, m)
			if c.bad == "" {
				return
			}
			bm, err := ParseMessage(withHeaders(c.bad))
			require.NoError(t, err, "the lazy parser indexes it")
			verr := bm.Validate()
			require.Error(t, verr)
			var ve *ValidationError
			require.True(t, errors.As(verr, &ve))
			assert.Equal(t, 400, ve.Status)
			name, _, _ := strings.Cut(c.bad, ":")
			assert.Contains(t, ve.Headers(), name, "the fault names the header")
			assert.Greater(t, ve.Faults[0].Offset, 0)
		})
	}
}

// TestMandatoryAccessorErrors: an absent header is ErrNoHeader, a malformed
// one a *ParseError naming the header and its offset.
func TestMandatoryAccessorErrors(t *testing.T) {
	m := must(ParseMessage(withHeaders()))(t)
	_, err := m.Contact()
	assert.ErrorIs(t, err, ErrNoHeader)
	_, err = m.Expires()
	assert.ErrorIs(t, err, ErrNoHeader)

	raw := strings.Replace(string(withHeaders()), "CSeq: 314159 INVITE", "CSeq: x INVITE", 1)
	m = must(ParseMessage([]byte(raw)))(t)
	_, err = m.CSeq()
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "CSeq", pe.Header)
	assert.Equal(t, strings.Index(raw, "CSeq:"), pe.Offset)
	assert.Equal(t, 400, pe.Status)
}

// TestCompactForms: SIP-11 — every compact form of RFC 3261 §7.3.3 and its
// successors names the same header as the long form, in any case (spec §4.1).
func TestCompactForms(t *testing.T) {
	forms := []struct {
		compact, long, value string
	}{
		{"a", HdrAcceptContact, "*;audio"},
		{"b", HdrReferredBy, "<sip:alice@example.com>"},
		{"c", HdrContentType, "application/sdp"},
		{"d", HdrRequestDisposition, "proxy"},
		{"e", HdrContentEncoding, "gzip"},
		{"f", HdrFrom, "<sip:alice@example.com>;tag=1"},
		{"i", HdrCallID, "a84b4c76e66710"},
		{"j", HdrRejectContact, "*;video"},
		{"k", HdrSupported, "timer"},
		{"l", HdrContentLength, "0"},
		{"m", HdrContact, "<sip:alice@192.0.2.1>"},
		{"o", HdrEvent, "presence"},
		{"r", HdrReferTo, "<sip:carol@example.com>"},
		{"s", HdrSubject, "lunch"},
		{"t", HdrTo, "<sip:bob@example.com>"},
		{"u", HdrAllowEvents, "presence"},
		{"v", HdrVia, "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1"},
		{"x", HdrSessionExpires, "1800"},
		{"y", HdrIdentity, "\"ZYNBbHC00VMZr2kZt6VmCvPonWJMGvQTBDqghoWeLxJfzB2a1pxAr3VgrB0SsSAa\""},
	}
	for _, f := range forms {
		for _, name := range []string{f.compact, strings.ToUpper(f.compact)} {
			raw := "OPTIONS sip:example.com SIP/2.0\r\n" + name + ": " + f.value + "\r\n\r\n"
			m := must(ParseMessage([]byte(raw)))(t)
			assert.True(t, m.Has(f.long), "%s names %s", name, f.long)
			assert.Equal(t, f.value, m.Get(f.long))
			assert.Equal(t, f.value, m.Get(strings.ToLower(f.long)))
			assert.Equal(t, f.value, m.Get(f.compact))
			assert.Equal(t, raw, m.String(), "serialised in the form received")
		}
		assert.Equal(t, f.long, CanonicalHeaderName(f.compact))
		assert.Equal(t, f.long, CanonicalHeaderName(strings.ToUpper(f.long)))
		assert.Equal(t, f.compact, CompactHeaderName(f.long))
	}
	assert.Equal(t, "X-Custom", CanonicalHeaderName("X-Custom"))
	assert.Equal(t, HdrCSeq, CompactHeaderName(HdrCSeq))
	assert.Equal(t, HdrWWWAuthenticate, CanonicalHeaderName("www-authenticate"))
}

// TestHeaderNamesCaseAndSpacing: header names are case-insensitive and may
// be followed by white space before the colon (RFC 3261 §7.3.1).
func TestHeaderNamesCaseAndSpacing(t *testing.T) {
	raw := "OPTIONS sip:example.com SIP/2.0\r\nvIA  : SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nX-Thing\t: a\r\n x-thing: b\r\nX-THING:c\r\n\r\n"
	m := must(ParseMessage([]byte(raw)))(t)
	assert.Equal(t, "z9hG4bK1", must(m.Via())(t).Branch())
	assert.Equal(t, []string{"a x-thing: b", "c"}, m.Values("x-thing"), "a line starting with white space continues the previous one")
	assert.Equal(t, 3, m.NumFields())
	var names []string
	for n := range m.All() {
		names = append(names, n)
	}
	assert.Equal(t, []string{"vIA", "X-Thing", "X-THING"}, names)
}

// TestMultiValueSplitting: comma-separated values split only outside
// quotes and angle brackets, across all lines of the header (spec §4.1).
func TestMultiValueSplitting(t *testing.T) {
	raw := "REGISTER sip:example.com SIP/2.0\r\n" +
		"Contact: \"Doe, John\" <sip:jd,x@192.0.2.1>;q=0.5,<sip:jd@192.0.2.2>\r\n" +
		"m: sip:jd@192.0.2.3;expires=10\r\n" +
		"Supported:\r\n" +
		"Supported: path , gruu\r\n\r\n"
	m := must(ParseMessage([]byte(raw)))(t)
	vals := m.Values(HdrContact)
	require.Len(t, vals, 3)
	assert.Equal(t, `"Doe, John" <sip:jd,x@192.0.2.1>;q=0.5`, vals[0])
	cs := must(m.Contacts())(t)
	assert.Equal(t, "Doe, John", cs[0].Display)
	assert.Equal(t, "jd", cs[2].URI.User)
	e, _ := cs[2].Params.Get("expires")
	assert.Equal(t, "10", e, "bare addr-spec: the parameter is the header's")
	assert.Equal(t, []string{"path", "gruu"}, must(m.Tokens(HdrSupported))(t), "an empty Supported has no values")
}

// TestKindLookup: the parser's hashed header lookup agrees with the plain
// one for every known name in any case, and for names it does not know.
func TestKindLookup(t *testing.T) {
	names := []string{"X-Custom", "Viaa", "Fro", "P-Asserted-Identit", "Content-Lengths", "a", "Z", "CSEQ", "call-id"}
	for k := hkind(1); k < hkindCount; k++ {
		n := hinfos[k].name
		names = append(names, n, strings.ToUpper(n), strings.ToLower(n))
	}
	for _, n := range names {
		lo, hi := nameWords(n)
		assert.Equal(t, kindOf(n), kindWords(n, lo, hi), n)
		// In a buffer: the word read past the name is masked off.
		buf := n + ": value\r\n\r\n"
		lo, hi = nameWordsIn(buf, 0, len(n))
		assert.Equal(t, kindOf(n), kindWords(n, lo, hi), n)
	}
	lo, hi := nameWords("vIa")
	assert.Equal(t, hVia, kindWords("vIa", lo, hi))
	lo, hi = nameWords("X-Custom")
	assert.Equal(t, hUnknown, kindWords("X-Custom", lo, hi))
	for _, e := range kindHash {
		assert.NotEqual(t, hkindCount, e.k, "two known names share a slot")
	}
}
