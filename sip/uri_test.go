package sip

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseURI: SIP-12 — sip/sips URIs with userinfo, host (FQDN, IPv4,
// bracketed IPv6 per RFC 5118), port, parameters (transport, lr, maddr,
// user, gr, ob) and headers; tel URIs (RFC 3966); other schemes opaque.
func TestParseURI(t *testing.T) {
	cases := []struct {
		in   string
		want URI
	}{
		{"sip:alice@atlanta.example.com", URI{Scheme: "sip", User: "alice", Host: "atlanta.example.com"}},
		{"sips:alice@atlanta.example.com:5061", URI{Scheme: "sips", User: "alice", Host: "atlanta.example.com", Port: 5061}},
		{"SIP:Alice@AtLanTa.CoM", URI{Scheme: "SIP", User: "Alice", Host: "AtLanTa.CoM"}},
		{"sip:alice:secretword@atlanta.example.com;transport=tcp", URI{Scheme: "sip", User: "alice", Password: "secretword",
			Host: "atlanta.example.com", Params: ";transport=tcp"}},
		{"sip:+1-212-555-1212:1234@gateway.example.com;user=phone", URI{Scheme: "sip", User: "+1-212-555-1212",
			Password: "1234", Host: "gateway.example.com", Params: ";user=phone"}},
		{"sip:192.0.2.4", URI{Scheme: "sip", Host: "192.0.2.4"}},
		{"sip:proxy.example.com;lr", URI{Scheme: "sip", Host: "proxy.example.com", Params: ";lr"}},
		{"sip:atlanta.example.com;method=REGISTER?to=alice%40atlanta.example.com", URI{Scheme: "sip", Host: "atlanta.example.com",
			Params: ";method=REGISTER", Headers: "to=alice%40atlanta.example.com"}},
		{"sip:alice;day=tuesday@atlanta.example.com", URI{Scheme: "sip", User: "alice;day=tuesday", Host: "atlanta.example.com"}},
		{"sip:alice@192.0.2.1;maddr=239.255.255.1;ttl=15", URI{Scheme: "sip", User: "alice", Host: "192.0.2.1",
			Params: ";maddr=239.255.255.1;ttl=15"}},
		{"sip:john.smith@example.com;gr=urn:uuid:00000000-0000-1000-8000-000A95A0E128", URI{Scheme: "sip", User: "john.smith",
			Host: "example.com", Params: ";gr=urn:uuid:00000000-0000-1000-8000-000A95A0E128"}},
		{"sip:192.0.2.1:5061;transport=tls;lr;ob", URI{Scheme: "sip", Host: "192.0.2.1", Port: 5061, Params: ";transport=tls;lr;ob"}},
		{"sip:host.example.com.", URI{Scheme: "sip", Host: "host.example.com."}},
		// RFC 5118
		{"sip:[2001:db8::10]", URI{Scheme: "sip", Host: "[2001:db8::10]"}},
		{"sip:[2001:db8::10]:5070", URI{Scheme: "sip", Host: "[2001:db8::10]", Port: 5070}},
		{"sip:[2001:db8::10:5070]", URI{Scheme: "sip", Host: "[2001:db8::10:5070]"}},
		{"sip:user@[::ffff:192.0.2.2]", URI{Scheme: "sip", User: "user", Host: "[::ffff:192.0.2.2]"}},
		{"sip:user@[2001:db8::192.0.2.1];maddr=[2001:db8::1]", URI{Scheme: "sip", User: "user", Host: "[2001:db8::192.0.2.1]",
			Params: ";maddr=[2001:db8::1]"}},
		// RFC 3966
		{"tel:+1-201-555-0123", URI{Scheme: "tel", User: "+1-201-555-0123"}},
		{"tel:7042;phone-context=example.com", URI{Scheme: "tel", User: "7042", Params: ";phone-context=example.com"}},
		{"tel:+1-201-555-0123;ext=1234", URI{Scheme: "tel", User: "+1-201-555-0123", Params: ";ext=1234"}},
		{"TEL:*67#;phone-context=+1", URI{Scheme: "TEL", User: "*67#", Params: ";phone-context=+1"}},
		// opaque
		{"urn:service:sos", URI{Scheme: "urn", Opaque: "service:sos"}},
		{"mailto:alice@example.com", URI{Scheme: "mailto", Opaque: "alice@example.com"}},
		{"http://[2001:db8::1]/x?y=1", URI{Scheme: "http", Opaque: "//[2001:db8::1]/x?y=1"}},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			u, err := ParseURI(c.in)
			require.NoError(t, err)
			assert.Equal(t, c.want, u)
			assert.Equal(t, c.in, u.String(), "String gives back the text")
		})
	}
}

func TestParseURIErrors(t *testing.T) {
	bad := []string{
		"", "sip", ":alice@example.com", "1sip:host", "si p:host",
		"sip:", "sip:@example.com", "sip:alice@", "sip:alice@:5060",
		"sip:alice@exa mple.com", "sip:alice@-a.com", "sip:alice@a-.com", "sip:alice@example.123", "sip:alice@a..com",
		"sip:alice@256.1.1.1", "sip:alice@1.2.3", "sip:alice@example.com:", "sip:alice@example.com:65536", "sip:alice@example.com:5x",
		"sip:2001:db8::10",                     // RFC 5118 ipv6-bad
		"sip:user@[2001:db8:::192.0.2.1]",      // RFC 5954
		"sip:user@[2001:db8::1",                // unterminated
		"sip:user@[192.0.2.1]",                 // IPv4 in brackets
		"sip:user@[fe80::1%25eth0]",            // zone
		"sip:user@[2001:db8::1]x",              //
		"sip:alice@example.com;;lr",            // empty parameter
		"sip:alice@example.com;lr=",            // empty value
		"sip:alice@example.com;a=b c",          //
		"sip:alice@example.com?",               // empty headers
		"sip:alice@example.com?subject",        // header without '='
		"sip:al ice@example.com",               //
		"sip:alice@example.com?a=b&",           //
		"sip:a%2@example.com",                  // truncated escape
		"sip:a%zz@example.com",                 //
		"tel:", "tel:+", "tel:abc", "tel:1234", // local number needs phone-context
		"tel:+1;=x",
		"mailto:", "urn:a b",
		"sip:" + string(make([]byte, 2100)),
	}
	for _, in := range bad {
		_, err := ParseURI(in)
		assert.Error(t, err, "%q", in)
		var pe *ParseError
		assert.ErrorAs(t, err, &pe)
	}
}

// TestURIEqual follows RFC 3261 §19.1.4's own examples (SIP-12 binding and
// route matching).
func TestURIEqual(t *testing.T) {
	equal := [][2]string{
		{"sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"},
		{"sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"},
		{"sip:carol@chicago.com", "sip:carol@chicago.com;security=on"},
		{"sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on"},
		{"sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com", "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"},
		{"sip:alice@atlanta.com?subject=project%20x&priority=urgent", "sip:alice@atlanta.com?priority=urgent&subject=project%20x"},
		{"sip:[2001:db8::1]", "sip:[2001:DB8:0::1]"},
		{"tel:+1-201-555-0123", "tel:+12015550123"},
		{"urn:service:sos", "URN:service:sos"},
	}
	notEqual := [][2]string{
		{"SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"},
		{"sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"},
		{"sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"},
		{"sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"},
		{"sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"},
		{"sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"},
		{"sip:bob@biloxi.com", "sips:bob@biloxi.com"},
		{"sip:bob@biloxi.com;maddr=192.0.2.1", "sip:bob@biloxi.com"},
		{"sip:bob@biloxi.com;user=phone", "sip:bob@biloxi.com"},
		{"tel:+1-201-555-0123", "tel:+1-201-555-0124"},
		{"tel:+1-201-555-0123;ext=1", "tel:+1-201-555-0123"},
	}
	// A repeated parameter compares by its first occurrence, so every URI
	// equals itself (found by FuzzParseURI).
	for _, in := range []string{"tel:+0;mXt=0;mXt", "sip:h;a=1;a=2", "sip:h;%61=1;a=2"} {
		u := must(ParseURI(in))(t)
		assert.True(t, u.Equal(u), in)
	}
	for _, p := range equal {
		a, b := must(ParseURI(p[0]))(t), must(ParseURI(p[1]))(t)
		assert.True(t, a.Equal(b), "%s == %s", p[0], p[1])
		assert.True(t, b.Equal(a), "%s == %s", p[1], p[0])
	}
	for _, p := range notEqual {
		a, b := must(ParseURI(p[0]))(t), must(ParseURI(p[1]))(t)
		assert.False(t, a.Equal(b), "%s != %s", p[0], p[1])
		assert.False(t, b.Equal(a), "%s != %s", p[1], p[0])
	}
}

func TestURIHelpers(t *testing.T) {
	u := must(ParseURI("sips:John.Smith@[2001:db8::1]:5061;transport=TLS;lr"))(t)
	assert.True(t, u.IsSIP())
	assert.True(t, u.IsSecure())
	assert.False(t, u.IsTel())
	assert.Equal(t, "[2001:db8::1]:5061", u.HostPort())
	assert.Equal(t, "2001:db8::1", u.Hostname())
	a, ok := u.Addr()
	assert.True(t, ok)
	assert.True(t, a.Is6())
	assert.Equal(t, "tls", u.Transport())
	assert.Equal(t, "John.Smith@[2001:db8::1]", u.AOR(), "SIP-12: scheme, port, parameters removed, the rest byte for byte")
	_, ok = must(ParseURI("sip:example.com"))(t).Addr()
	assert.False(t, ok)
	assert.Equal(t, "example.com", must(ParseURI("sip:example.com"))(t).AOR())
	assert.Equal(t, "+1-201-555-0123", must(ParseURI("tel:+1-201-555-0123;ext=1"))(t).AOR())

	// A URI built by hand gets its IPv6 brackets.
	b := URI{Scheme: "sip", User: "bob", Host: "2001:db8::2", Port: 5060, Params: ";lr"}
	assert.Equal(t, "sip:bob@[2001:db8::2]:5060;lr", b.String())
	assert.Equal(t, "user@ex.com", Unescape("user%40ex.com"))
}

// TestParseAddress: name-addr and addr-spec forms (RFC 3261 §20.10, §25.1).
func TestParseAddress(t *testing.T) {
	cases := []struct {
		in      string
		display string
		uri     string
		params  Params
		out     string
	}{
		{`"A. G. Bell" <sip:agb@bell-telephone.com> ;tag=a48s`, "A. G. Bell", "sip:agb@bell-telephone.com", " ;tag=a48s",
			`"A. G. Bell" <sip:agb@bell-telephone.com>;tag=a48s`},
		{"sip:+12125551212@server.phone2net.com;tag=887s", "", "sip:+12125551212@server.phone2net.com", ";tag=887s",
			"<sip:+12125551212@server.phone2net.com>;tag=887s"},
		{"Anonymous <sip:c8oqz84zk7z@privacy.org>;tag=hyh8", "Anonymous", "sip:c8oqz84zk7z@privacy.org", ";tag=hyh8",
			`"Anonymous" <sip:c8oqz84zk7z@privacy.org>;tag=hyh8`},
		{"Mr. Watson <sip:watson@worcester.bell-telephone.com>;q=0.7; expires=3600", "Mr. Watson",
			"sip:watson@worcester.bell-telephone.com", ";q=0.7; expires=3600",
			`"Mr. Watson" <sip:watson@worcester.bell-telephone.com>;q=0.7;expires=3600`},
		{"<sip:alice@atlanta.example.com;transport=tcp;lr>", "", "sip:alice@atlanta.example.com;transport=tcp;lr", "",
			"<sip:alice@atlanta.example.com;transport=tcp;lr>"},
		{`"\"quoted\" \\ name" <tel:+1555>`, `"quoted" \ name`, "tel:+1555", "", `"\"quoted\" \\ name" <tel:+1555>`},
		{"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>", "", "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "",
			"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>"},
	}
	for _, c := range cases {
		a, err := ParseAddress(c.in)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.display, a.Display, c.in)
		assert.Equal(t, c.uri, a.URI.String(), c.in)
		assert.Equal(t, c.params, a.Params, c.in)
		assert.Equal(t, c.out, a.String(), c.in)
		again := must(ParseAddress(a.String()))(t)
		assert.Equal(t, a.Display, again.Display)
		assert.True(t, a.URI.Equal(again.URI))
	}
	w := must(ParseAddress(" * "))(t)
	assert.True(t, w.Wildcard)
	assert.Equal(t, "*", w.String())

	for _, in := range []string{"", "<sip:a@b", "\"unterminated <sip:a@b>", "< sip:a@b.com >", "<>", "Bell, A <sip:a@b.com>",
		"sip:a@b.com?x=y", "<sip:a@b.com>;;", "<sip:a@b.com> junk", "<sip:a@b.com>;tag=\"x", "\"x\" sip:a@b.com",
		"\"ctl\x01\" <sip:a@b.com>"} {
		_, err := ParseAddress(in)
		assert.Error(t, err, "%q", in)
	}
}

// TestParseVia covers the via-parm grammar with RFC 3261's white space.
func TestParseVia(t *testing.T) {
	v := must(ParseVia("SIP / 2.0 / UDP  first.example.com : 4000 ; ttl=16 ;maddr=224.2.0.1 ;branch=z9hG4bKa7c6a8dlze.1"))(t)
	assert.Equal(t, Via{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "UDP", Host: "first.example.com", Port: 4000,
		Params: " ; ttl=16 ;maddr=224.2.0.1 ;branch=z9hG4bKa7c6a8dlze.1"}, v)
	assert.Equal(t, "SIP/2.0/UDP first.example.com:4000;ttl=16;maddr=224.2.0.1;branch=z9hG4bKa7c6a8dlze.1", v.String())
	r := must(ParseVia("SIP/2.0/UDP 192.0.2.1;rport;branch=z9hG4bK1"))(t)
	p, ok := r.RPort()
	assert.True(t, ok)
	assert.Zero(t, p)
	_, ok = must(ParseVia("SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKx"))(t).RPort()
	assert.False(t, ok)
	for _, in := range []string{"", "SIP/2.0", "SIP/2.0/UDP", "SIP/2.0/UDP ", "SIP/2.0UDP host", "SIP/2.0/UDP host:port",
		"SIP/2.0/UDP host;", "SIP/2.0/UDP [::1", "SIP/2.0/UDP bad_host-.com", "SIP/2.0/UDP host;branch=a b"} {
		_, err := ParseVia(in)
		assert.Error(t, err, "%q", in)
	}
}

func TestParamsEdit(t *testing.T) {
	p := Params(";transport=tcp;lr")
	assert.Equal(t, Params(";transport=udp;lr"), p.Set("Transport", "udp"), "the received spelling stays")
	assert.Equal(t, Params(";transport=tcp;lr;ob"), p.Set("ob", ""))
	assert.Equal(t, Params(";lr"), p.Del("transport"))
	assert.Equal(t, p, p.Del("maddr"))
	assert.Equal(t, 2, p.Len())
	folded := Params(" ;\r\n tag = x ; q = 0.5")
	assert.Equal(t, Params(";tag=x;q=1"), folded.Set("q", "1"), "a rewritten list is one clean line")
	var got []string
	for n, v := range Params(`;a;b=1;c="x;y"`).All() {
		got = append(got, n+"="+v)
	}
	assert.Equal(t, []string{"a=", "b=1", `c="x;y"`}, got)
	for _, p := range []Params{";a;b=1;c=\"x;y\"", " ; tag = x ;\r\n q=0.5", ";A=1;a=2", ";x=\"a\\\"b\";y", ";;lr;;", ";e=", ";n%61me=v"} {
		checkGetMatchesAll(t, p)
	}
	assert.Equal(t, `"a \"b\""`, Quote(`a "b"`))
	assert.Equal(t, `a "b"`, Unquote(` "a \"b\"" `))
}
