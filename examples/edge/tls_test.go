package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tlsUA is a minimal user agent on one TLS connection to the edge, written
// with the sip codec: Debian's sipp is built without TLS.
type tlsUA struct {
	t    *testing.T
	user string
	conn *tls.Conn
	rd   *sip.Reader
	seq  int
}

func dialTLSUA(t *testing.T, addr, user string) *tlsUA {
	t.Helper()
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, &tls.Config{
		InsecureSkipVerify: true, // the edge's start-up certificate is self-signed; checked below
		MinVersion:         tls.VersionTLS12,
	})
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	cert := conn.ConnectionState().PeerCertificates[0]
	require.NoError(t, cert.VerifyHostname("127.0.0.1"), "SIP-32: the certificate names the listening address")
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	_, err = cert.Verify(x509.VerifyOptions{Roots: pool, DNSName: "causeway.local"})
	require.NoError(t, err, "the self-signed certificate names the SIP domain")
	return &tlsUA{t: t, user: user, conn: conn, rd: sip.NewReader(conn)}
}

func (u *tlsUA) local() string { return u.conn.LocalAddr().String() }

func (u *tlsUA) send(format string, args ...any) {
	u.t.Helper()
	msg := strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", "\r\n")
	require.NoError(u.t, u.conn.SetWriteDeadline(time.Now().Add(5*time.Second)))
	_, err := u.conn.Write([]byte(msg))
	require.NoError(u.t, err)
}

// read returns the next message that is not a 100 Trying.
func (u *tlsUA) read() *sip.Message {
	u.t.Helper()
	for {
		require.NoError(u.t, u.conn.SetReadDeadline(time.Now().Add(10*time.Second)))
		m, err := u.rd.ReadMessage()
		require.NoError(u.t, err)
		require.NoError(u.t, m.Validate())
		if !m.IsRequest() && m.StatusCode() == 100 {
			continue
		}
		return m
	}
}

// respond answers req with code, copying the headers RFC 3261 §8.2.6 asks for.
func (u *tlsUA) respond(req *sip.Message, code int, reason, toTag string) {
	u.t.Helper()
	resp, err := sip.NewResponse(req, code, reason)
	require.NoError(u.t, err)
	if toTag != "" {
		to, err := req.To()
		require.NoError(u.t, err)
		if to.Tag() == "" {
			require.NoError(u.t, resp.Set(sip.HdrTo, req.Get(sip.HdrTo)+";tag="+toTag))
		}
	}
	require.NoError(u.t, resp.Add(sip.HdrContact, fmt.Sprintf("<sip:%s@%s;transport=tls>", u.user, u.local())))
	for _, rr := range req.Values(sip.HdrRecordRoute) {
		require.NoError(u.t, resp.Add(sip.HdrRecordRoute, rr))
	}
	_, err = u.conn.Write(resp.Bytes())
	require.NoError(u.t, err)
}

// TLS through the edge (SIP-32, RFC 5626): bob registers over TLS as an
// outbound flow, alice calls him over TLS, and INVITE/200/ACK/BYE cross
// the edge on the two TLS connections, the edge reaching bob over the flow
// he registered on.
func TestTLSCall(t *testing.T) {
	text := strings.Replace(fmt.Sprintf(testConfig, t.TempDir()+"/cdr.jsonl", ""),
		"  transports: [udp, tcp]\n", "  transports: [udp, tcp, tls]\n  tls_port: -1\n", 1)
	e := startEdgeConfig(t, text)
	addr := e.SIPAddr("tls")
	require.True(t, addr.IsValid())

	bob := dialTLSUA(t, addr.String(), "bob")
	bob.send(`REGISTER sip:causeway.local SIP/2.0
Via: SIP/2.0/TLS %[1]s;branch=z9hG4bK-reg-1;rport
Max-Forwards: 70
From: <sip:bob@causeway.local>;tag=b1
To: <sip:bob@causeway.local>
Call-ID: reg-bob-tls
CSeq: 1 REGISTER
Supported: outbound, path
Contact: <sip:bob@%[1]s;transport=tls;ob>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-00000000b0b0>";reg-id=1
Expires: 600
Content-Length: 0

`, bob.local())
	reg := bob.read()
	require.Equal(t, 200, reg.StatusCode(), string(reg.Bytes()))
	assert.True(t, reg.HasToken(sip.HdrRequire, "outbound"), "SIP-55: the 2xx of an outbound REGISTER requires outbound")

	alice := dialTLSUA(t, addr.String(), "alice")
	sdp := "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
	alice.send(`INVITE sip:bob@causeway.local SIP/2.0
Via: SIP/2.0/TLS %[1]s;branch=z9hG4bK-inv-1;rport
Max-Forwards: 70
From: "Alice" <sip:alice@causeway.local>;tag=a1
To: <sip:bob@causeway.local>
Call-ID: call-tls-1
CSeq: 1 INVITE
Contact: <sip:alice@%[1]s;transport=tls>
Content-Type: application/sdp
Content-Length: %[2]d

`, alice.local(), len(sdp))
	_, err := alice.conn.Write([]byte(sdp))
	require.NoError(t, err)

	inv := bob.read()
	require.Equal(t, sip.MethodInvite, inv.Method())
	via, err := inv.Via()
	require.NoError(t, err)
	assert.Equal(t, "TLS", via.Transport, "SIP-83: the edge's Via names TLS")
	rr, err := inv.RecordRoutes()
	require.NoError(t, err)
	require.NotEmpty(t, rr, "SIP-84: the edge stays on the path")
	tp, _ := rr[0].URI.Param("transport")
	assert.Equal(t, "tls", strings.ToLower(tp))
	bob.respond(inv, 200, "OK", "b-tag")

	ok := alice.read()
	require.Equal(t, 200, ok.StatusCode())
	rrs, err := ok.RecordRoutes()
	require.NoError(t, err)
	contact, err := ok.Contact()
	require.NoError(t, err)
	route := make([]string, 0, len(rrs))
	for i := len(rrs) - 1; i >= 0; i-- { // a UAC reverses the Record-Route
		route = append(route, "Route: "+rrs[i].String())
	}
	dialog := func(method string, cseq int, branch string) {
		alice.send(`%[1]s %[2]s SIP/2.0
Via: SIP/2.0/TLS %[3]s;branch=%[4]s;rport
Max-Forwards: 70
%[5]s
From: "Alice" <sip:alice@causeway.local>;tag=a1
To: %[6]s
Call-ID: call-tls-1
CSeq: %[7]d %[1]s
Content-Length: 0

`, method, contact.URI.String(), alice.local(), branch, strings.Join(route, "\n"), ok.Get(sip.HdrTo), cseq)
	}
	dialog("ACK", 1, "z9hG4bK-ack-1")
	ack := bob.read()
	require.Equal(t, sip.MethodAck, ack.Method())

	dialog("BYE", 2, "z9hG4bK-bye-1")
	bye := bob.read()
	require.Equal(t, sip.MethodBye, bye.Method())
	bob.respond(bye, 200, "OK", "")
	byeOK := alice.read()
	assert.Equal(t, 200, byeOK.StatusCode())
	cs, err := byeOK.CSeq()
	require.NoError(t, err)
	assert.Equal(t, sip.MethodBye, cs.Method)
	assert.Eventually(t, func() bool { return e.callsEnded.Load() == 1 }, 5*time.Second, 10*time.Millisecond)
}

// SIP-55, RFC 5626 §5.3: once the flow an outbound registration arrived on
// is gone, a call to it fails with 430 Flow Failed instead of being sent
// elsewhere.
func TestTLSFlowFailed(t *testing.T) {
	text := strings.Replace(fmt.Sprintf(testConfig, t.TempDir()+"/cdr.jsonl", ""),
		"  transports: [udp, tcp]\n", "  transports: [udp, tcp, tls]\n  tls_port: -1\n", 1)
	e := startEdgeConfig(t, text)
	addr := e.SIPAddr("tls").String()

	bob := dialTLSUA(t, addr, "bob")
	bob.send(`REGISTER sip:causeway.local SIP/2.0
Via: SIP/2.0/TLS %[1]s;branch=z9hG4bK-reg-ff;rport
Max-Forwards: 70
From: <sip:bob@causeway.local>;tag=b1
To: <sip:bob@causeway.local>
Call-ID: reg-bob-ff
CSeq: 1 REGISTER
Supported: outbound
Contact: <sip:bob@%[1]s;transport=tls;ob>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-00000000b0b1>";reg-id=1
Expires: 600
Content-Length: 0

`, bob.local())
	require.Equal(t, 200, bob.read().StatusCode())
	require.NoError(t, bob.conn.Close())

	alice := dialTLSUA(t, addr, "alice")
	alice.send(`INVITE sip:bob@causeway.local SIP/2.0
Via: SIP/2.0/TLS %[1]s;branch=z9hG4bK-inv-ff;rport
Max-Forwards: 70
From: <sip:alice@causeway.local>;tag=a1
To: <sip:bob@causeway.local>
Call-ID: call-ff-1
CSeq: 1 INVITE
Contact: <sip:alice@%[1]s;transport=tls>
Content-Length: 0

`, alice.local())
	resp := alice.read()
	assert.Equal(t, 430, resp.StatusCode(), string(resp.Bytes()))
}
