package proxy

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transaction"
	"github.com/causeway-edge/causeway/sip/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testSDP = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" +
	"m=audio 49170 RTP/AVP 0 8\r\n" +
	"m=application 5070 UDP/BFCP *\r\na=floorctrl:c-s\r\n" +
	"m=application 5072 UDP/UDT/IX *\r\n" +
	"m=application 5074 UDP/DTLS/UDT/IX *\r\n" +
	"m=video 49172/2 RTP/AVP 96\r\n"

func multipart(boundary string, parts ...string) string {
	var b strings.Builder
	b.WriteString("preamble\r\n")
	for _, p := range parts {
		b.WriteString("--" + boundary + "\r\n" + p + "\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.String()
}

// SIP-87 (b): multipart bodies keep only their application/sdp part.
func TestSDPPart(t *testing.T) {
	for _, tc := range []struct {
		name, body, boundary, want string
		err                        error
	}{
		{"sdp second", multipart("b1", "Content-Type: text/plain\r\n\r\nhello", "Content-Type: application/sdp\r\n\r\n"+testSDP), "b1", testSDP, nil},
		{"sdp first, LF only", "--b1\nContent-Type: application/SDP\n\nv=0\n\n--b1\nContent-Type: text/plain\n\nx\n--b1--\n", "b1", "v=0\n", nil},
		{"header case and params", multipart("xyz", "content-type : Application/Sdp;charset=utf-8\r\nContent-ID: <a>\r\n\r\nv=0\r\n"), "xyz", "v=0\r\n", nil},
		{"no sdp part", multipart("b1", "Content-Type: application/pidf+xml\r\n\r\n<x/>"), "b1", "", ErrNoSDPPart},
		{"delimiter inside a line is not one", "--b1\r\nContent-Type: text/plain\r\n\r\nx --b1\r\n--b1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--b1--", "b1", "v=0", nil},
		{"unclosed part", "--b1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n", "b1", "", ErrBadMultipart},
		{"no delimiter", "v=0\r\n", "b1", "", ErrBadMultipart},
		{"empty boundary", "--\r\n", "", "", ErrBadMultipart},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SDPPart([]byte(tc.body), tc.boundary)
			if tc.err != nil {
				assert.True(t, errors.Is(err, tc.err), "err %v", err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
}

// SIP-87 (b): StripMIME rewrites the message, Content-Type and length.
func TestStripMIME(t *testing.T) {
	body := multipart("outer", "Content-Type: application/sdp\r\n\r\n"+testSDP, "Content-Type: application/resource-lists+xml\r\n\r\n<r/>")
	m, err := sip.ParseMessage([]byte("INVITE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Type: multipart/mixed;boundary=\"outer\"\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body))
	require.NoError(t, err)
	require.NoError(t, StripMIME(m))
	assert.Equal(t, "application/sdp", m.Get("Content-Type"))
	assert.Equal(t, testSDP, string(m.Body()))
	n, _ := m.ContentLength()
	assert.Equal(t, len(testSDP), n)
	// Not multipart: unchanged.
	assert.ErrorIs(t, StripMIME(m), ErrNotMultipart)
	assert.Equal(t, testSDP, string(m.Body()))
}

// SIP-88: UDP/BFCP and UDP/IX m-line filters; formats, other lines, order
// and line endings kept.
func TestFilterSDP(t *testing.T) {
	for _, tc := range []struct {
		name     string
		bfcp, ix bool
		in, want string
		changed  bool
	}{
		{"bfcp", true, false, testSDP, strings.Replace(testSDP, "m=application 5070 UDP/BFCP *", "m=application 0 TCP/BFCP *", 1), true},
		{"ix", false, true, testSDP, strings.NewReplacer("m=application 5072 UDP/UDT/IX *", "m=application 0 RTP/AVP *", "m=application 5074 UDP/DTLS/UDT/IX *", "m=application 0 RTP/AVP *").Replace(testSDP), true},
		{"both, LF endings", true, true, "v=0\nm=application 9 UDP/BFCP 1 2\nm=application 9 udp/udt/ix *\n", "v=0\nm=application 0 TCP/BFCP 1 2\nm=application 0 RTP/AVP *\n", true},
		{"no final newline", true, false, "m=application 9 UDP/BFCP *", "m=application 0 TCP/BFCP *", true},
		{"tcp bfcp untouched", true, true, "m=application 9 TCP/BFCP *\r\n", "m=application 9 TCP/BFCP *\r\n", false},
		{"filters off", false, false, testSDP, testSDP, false},
		{"short m-line", true, true, "m=audio\r\n", "m=audio\r\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, changed := FilterSDP([]byte(tc.in), tc.bfcp, tc.ix)
			assert.Equal(t, tc.want, string(got))
			assert.Equal(t, tc.changed, changed)
		})
	}
}

// SIP-87 (a, c), SIP-88: ingress and egress rewrites applied to requests.
func TestZoneRewriteTable(t *testing.T) {
	req := func(h ...string) *sip.Message {
		m, err := sip.ParseMessage([]byte("INVITE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n" + strings.Join(h, "\r\n") + "\r\nContent-Length: 0\r\n\r\n"))
		require.NoError(t, err)
		return m
	}
	m := req("Allow: INVITE, ACK, UPDATE, BYE", "Allow: UPDATE")
	applyIngress(m, &ZoneRules{UpdateStrip: true})
	assert.Equal(t, []string{"INVITE", "ACK", "BYE"}, m.Values("Allow"))
	assert.Equal(t, 1, strings.Count(m.String(), "\r\nAllow:"), "the line left empty is removed")
	m = req("Allow: INVITE, UPDATE")
	applyIngress(m, &ZoneRules{})
	assert.Equal(t, "INVITE, UPDATE", m.Get("Allow"), "strip off")
	m = req("Allow: INVITE, UPDATE")
	applyEgress(m, &ZoneRules{UpdateStrip: true})
	assert.Equal(t, "INVITE", m.Get("Allow"))
	applyEgress(m, nil)
	assert.Equal(t, "INVITE", m.Get("Allow"))
}

// SIP-87, SIP-88 over sockets: an INVITE from a zone with MIME strip,
// UPDATE strip and a Proxy-Require strip list, to a zone with both m-line
// filters and UPDATE strip; the callee's 2xx loses UPDATE from Allow on
// its way back.
func TestZoneRewritesThroughProxy(t *testing.T) {
	callee := newUA(t, "callee", func(u *ua, tx *transaction.ServerTx, req *sip.Message) {
		r, _ := sip.NewResponse(req, 200, "")
		_ = r.SetToTag("c")
		_ = r.Set("Allow", "INVITE, ACK, BYE, UPDATE")
		_ = r.Set("Contact", "<"+u.uri("udp").String()+">")
		_ = tx.Respond(r)
	})
	caller := newUA(t, "caller", nil)
	in := &ZoneRules{Zone: "nortel", MIMEStrip: true, UpdateStrip: true, ProxyRequireStrip: []string{"com.nortelnetworks.firewall"}}
	out := &ZoneRules{Zone: "far", UDPBFCPFilter: true, UDPIXFilter: true}
	p := newProxy(t, Config{
		ZoneOf: func(peer transport.Addr) *ZoneRules {
			if peer.AddrPort == caller.tp.LocalAddr("udp") {
				return in
			}
			return nil
		},
		Router: RouterFunc(func(context.Context, *sip.Message, transport.Addr) (Decision, error) {
			return Decision{Targets: []Target{{URI: callee.uri("udp"), Rules: out}}}, nil
		}),
	})
	body := multipart("bb", "Content-Type: application/sdp\r\n\r\n"+testSDP, "Content-Type: text/plain\r\n\r\nx")
	inv := caller.request(t, "INVITE", "sip:callee@example.com", "udp", "Allow: INVITE, ACK, BYE, UPDATE", "Proxy-Require: com.nortelnetworks.firewall")
	require.NoError(t, inv.SetBody(`multipart/mixed;boundary=bb`, []byte(body)))
	_, got := caller.send(t, inv, p.addr("udp"))
	final := got[len(got)-1]
	require.Equal(t, 200, final.StatusCode())
	assert.Equal(t, "INVITE, ACK, BYE", final.Get("Allow"), "UPDATE stripped on the response to the stripping zone")

	at := recvMethod(t, callee.reqs, "INVITE")
	assert.False(t, at.Has("Proxy-Require"))
	assert.Equal(t, "INVITE, ACK, BYE", at.Get("Allow"))
	assert.Equal(t, "application/sdp", at.Get("Content-Type"))
	want, _ := FilterSDP([]byte(testSDP), true, true)
	assert.Equal(t, string(want), string(at.Body()))
	assert.Contains(t, string(at.Body()), "m=application 0 TCP/BFCP *\r\n")
	assert.Contains(t, string(at.Body()), "m=audio 49170 RTP/AVP 0 8\r\n")
}
