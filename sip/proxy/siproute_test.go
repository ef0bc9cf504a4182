package proxy

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/causeway-edge/causeway/dialplan/pattern"
	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var routeFacts = &pattern.Facts{Domains: []string{"example.com"},
	Peers: []pattern.Peer{{LAN1IPv4: netip.MustParseAddr("192.0.2.5")}}}

func parseReq(t *testing.T, method, ruri string, hdrs ...string) *sip.Message {
	t.Helper()
	m, err := sip.ParseMessage([]byte(method + " " + ruri + " SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nFrom: <sip:a@example.org>;tag=1\r\nTo: <" + ruri + ">\r\nCall-ID: x\r\nCSeq: 1 " + method + "\r\n" +
		strings.Join(append(hdrs, ""), "\r\n") + "Content-Length: 0\r\n\r\n"))
	require.NoError(t, err)
	return m
}

// SIP-89: criteria — Method exact and case-sensitive, request line regex
// searched (the seed's `.*@(%localdomains%|%ip%)`), header name and
// pattern over every value, Authenticated; routes tried in index order.
func TestSIPRouteMatch(t *testing.T) {
	rs, err := CompileSIPRoutes([]SIPRoute{
		{Index: 5, Tag: "any-local", Method: "INVITE", RequestLinePattern: `.*@(%localdomains%|%ip%)`, Address: "192.0.2.50"},
		{Index: 2, Tag: "lync", Method: "INVITE", HeaderName: "User-Agent", HeaderPattern: `Lync`, Address: "192.0.2.20", Port: 5061, Transport: "TLS"},
		{Index: 3, Tag: "authed-msg", Method: "MESSAGE", Authenticated: true, Address: "192.0.2.30", Transport: "udp"},
		{Index: 4, Tag: "sub", RequestLinePattern: `^SUBSCRIBE sip:presence\.`, Address: "host.invalid"},
	}, routeFacts)
	require.NoError(t, err)
	for _, tc := range []struct {
		name  string
		req   *sip.Message
		auth  bool
		want  string
		match bool
	}{
		{"local domain", parseReq(t, "INVITE", "sip:alice@example.com"), false, "any-local", true},
		{"box ip with port", parseReq(t, "INVITE", "sip:alice@192.0.2.5:5060"), false, "any-local", true},
		{"foreign domain", parseReq(t, "INVITE", "sip:alice@example.org"), false, "", false},
		{"lower index first", parseReq(t, "INVITE", "sip:alice@example.com", "User-Agent: Microsoft Lync 2013"), false, "lync", true},
		{"header on another line", parseReq(t, "INVITE", "sip:bob@example.net", "User-Agent: x", "User-Agent: Lync"), false, "lync", true},
		{"method is case-sensitive", parseReq(t, "invite", "sip:alice@example.com"), false, "", false},
		{"authenticated required", parseReq(t, "MESSAGE", "sip:a@example.net"), false, "", false},
		{"authenticated", parseReq(t, "MESSAGE", "sip:a@example.net"), true, "authed-msg", true},
		{"any method, anchored search", parseReq(t, "SUBSCRIBE", "sip:presence.example.net"), false, "sub", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := rs.Match(tc.req, tc.auth)
			assert.Equal(t, tc.match, ok)
			assert.Equal(t, tc.want, r.Tag)
		})
	}
	r, _ := rs.Match(parseReq(t, "INVITE", "sip:alice@example.com", "User-Agent: Lync"), false)
	assert.Equal(t, 5061, r.Port)
	assert.Equal(t, "tls", r.Transport)
	r, _ = rs.Match(parseReq(t, "INVITE", "sip:alice@example.com"), false)
	assert.Equal(t, 5060, r.Port, "default port")
	assert.Equal(t, "tcp", r.Transport, "default transport")
}

// SIP-89, spec §3.1: configuration faults are reported together.
func TestSIPRouteValidate(t *testing.T) {
	var many []SIPRoute
	for i := 1; i <= 21; i++ {
		many = append(many, SIPRoute{Index: i, Address: "192.0.2.1"})
	}
	_, err := CompileSIPRoutes(many, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "at most 20")
	assert.Contains(t, err.Error(), "index outside 1..20")
	_, err = CompileSIPRoutes([]SIPRoute{
		{Index: 1, Address: "192.0.2.1", Port: 65535},
		{Index: 1, Address: "", Transport: "sctp"},
		{Index: 2, Address: "192.0.2.1", HeaderName: "User-Agent"},
		{Index: 3, Address: "192.0.2.1", RequestLinePattern: "(unclosed"},
		{Index: 4, Address: "192.0.2.1", HeaderName: "To", HeaderPattern: "a)|(b"},
	}, nil)
	require.Error(t, err)
	for _, s := range []string{"port 65535", "index used twice", "address is required", `"sctp"`, "go together", "request line pattern", "route 4: header pattern"} {
		assert.Contains(t, err.Error(), s)
	}
	_, err = CompileSIPRoutes([]SIPRoute{{Index: 20, Address: "192.0.2.1", Port: 65534}, {Index: 1, Address: "192.0.2.1", Port: 1}}, nil)
	assert.NoError(t, err)
}

// SIP-89 over sockets: a matching request is forwarded to the route's
// Address:Port over its Transport before the Router is asked; others go
// to the Router.
func TestSIPRouteForwards(t *testing.T) {
	dev := newUA(t, "dev", ringAnswer)
	caller := newUA(t, "caller", nil)
	a := dev.tp.LocalAddr("tcp")
	rs, err := CompileSIPRoutes([]SIPRoute{{Index: 1, Method: "INVITE", RequestLinePattern: `.*@(%localdomains%|%ip%)`,
		Address: a.Addr().String(), Port: int(a.Port())}}, routeFacts)
	require.NoError(t, err)
	routed := make(chan string, 4)
	p := newProxy(t, Config{SIPRoutes: rs, Router: RouterFunc(func(_ context.Context, req *sip.Message, _ transport.Addr) (Decision, error) {
		routed <- req.RequestURIString()
		return Decision{}, nil
	})})
	_, got := caller.send(t, caller.request(t, "INVITE", "sip:alice@example.com", "udp"), p.addr("udp"))
	require.Equal(t, 200, got[len(got)-1].StatusCode())
	at := recv(t, dev.reqs)
	assert.Equal(t, "sip:alice@example.com", at.RequestURIString(), "Request-URI kept")
	top, _ := at.Via()
	assert.Equal(t, "TCP", top.Transport, "default transport TCP")
	select {
	case u := <-routed:
		t.Fatalf("router asked for %s", u)
	default:
	}
	_, got = caller.send(t, caller.request(t, "INVITE", "sip:alice@example.org", "udp"), p.addr("udp"))
	assert.Equal(t, 404, got[len(got)-1].StatusCode())
	assert.Equal(t, "sip:alice@example.org", <-routed)
}
