package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// udpEnd is a SIP endpoint on a UDP socket written with the sip codec: a
// user agent or a neighbor zone's peer, as a test needs.
type udpEnd struct {
	t    *testing.T
	conn *net.UDPConn
	in   chan udpMsg
}

type udpMsg struct {
	m    *sip.Message
	from *net.UDPAddr
}

func newUDPEnd(t *testing.T) *udpEnd {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	u := &udpEnd{t: t, conn: conn, in: make(chan udpMsg, 32)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			buf := make([]byte, 65536)
			n, from, err := conn.ReadFromUDP(buf)
			if err != nil {
				return
			}
			if m, err := sip.ParseMessage(buf[:n]); err == nil {
				u.in <- udpMsg{m, from}
			}
		}
	}()
	t.Cleanup(func() { conn.Close(); <-done })
	return u
}

func (u *udpEnd) addr() string { return u.conn.LocalAddr().String() }
func (u *udpEnd) port() int    { return u.conn.LocalAddr().(*net.UDPAddr).Port }

func (u *udpEnd) sendTo(to string, format string, args ...any) {
	u.t.Helper()
	a, err := net.ResolveUDPAddr("udp", to)
	require.NoError(u.t, err)
	msg := strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", "\r\n")
	_, err = u.conn.WriteToUDP([]byte(msg), a)
	require.NoError(u.t, err)
}

// next returns the next message other than 100 Trying, and where it came from.
func (u *udpEnd) next() udpMsg {
	u.t.Helper()
	for {
		select {
		case m := <-u.in:
			if !m.m.IsRequest() && m.m.StatusCode() == 100 {
				continue
			}
			return m
		case <-time.After(10 * time.Second):
			u.t.Fatal("no SIP message within 10 s")
			return udpMsg{}
		}
	}
}

// nextRequest skips responses and requests of other methods (OPTIONS
// probes, say) until a request of method arrives.
func (u *udpEnd) nextRequest(method string) udpMsg {
	u.t.Helper()
	for {
		m := u.next()
		if m.m.IsRequest() && m.m.Method() == method {
			return m
		}
	}
}

// reply answers a request received from its sender, editing the response
// with edit first.
func (u *udpEnd) reply(req udpMsg, code int, edit func(*sip.Message)) {
	u.t.Helper()
	resp, err := sip.NewResponse(req.m, code, "")
	require.NoError(u.t, err)
	if edit != nil {
		edit(resp)
	}
	_, err = u.conn.WriteToUDP(resp.Bytes(), req.from)
	require.NoError(u.t, err)
}

// zonesConfig routes every alias of example.org to the zone Peer at peer.
func zonesConfig(mode, peer, zoneExtra string) string {
	return fmt.Sprintf(`  - name: ToPeer
    priority: 10
    mode: AliasPatternMatch
    pattern_type: Suffix
    pattern_string: "@example.org"
    pattern_behavior: Leave
    target_name: Peer
zones:
  - name: Peer
    type: Neighbor
    address: %s
    transport: udp
%s
proxy:
  mode: %s
`, peer, zoneExtra, mode)
}

func registerFor(ua *udpEnd, edge, aor, callID string) {
	ua.sendTo(edge, `REGISTER sip:example.org SIP/2.0
Via: SIP/2.0/UDP %[1]s;branch=z9hG4bK-%[3]s;rport
Max-Forwards: 70
From: <sip:%[2]s>;tag=r1
To: <sip:%[2]s>
Call-ID: %[3]s
CSeq: 1 REGISTER
Contact: <sip:ua@%[1]s>;expires=600
Content-Length: 0

`, ua.addr(), aor, callID)
}

// SIP-59 with Proxy Mode ProxyToKnownOnly and RFC3327 On: a REGISTER for a
// foreign domain goes through the dial plan to the Neighbor zone with the
// edge's Path (lr), the Request-URI unchanged, and the registrar's 2xx comes
// back with the Path list.
func TestRegisterProxiedWithPath(t *testing.T) {
	peer, ua := newUDPEnd(t), newUDPEnd(t)
	e := startEdge(t, zonesConfig("ProxyToKnownOnly", peer.addr(), ""))
	edge := e.target("udp")
	registerFor(ua, edge, "bob@example.org", "reg-path-1")

	got := peer.nextRequest(sip.MethodRegister)
	assert.Equal(t, "sip:example.org", got.m.RequestURIString())
	paths, err := got.m.Paths()
	require.NoError(t, err)
	require.Len(t, paths, 1)
	assert.Equal(t, "127.0.0.1", paths[0].URI.Host)
	_, lr := paths[0].URI.Param("lr")
	assert.True(t, lr, "Path carries lr")
	assert.Equal(t, e.SIPAddr("udp").Port(), uint16(paths[0].URI.Port))
	peer.reply(got, 200, func(r *sip.Message) {
		require.NoError(t, r.Add(sip.HdrPath, got.m.Get(sip.HdrPath)))
		require.NoError(t, r.Add(sip.HdrContact, got.m.Get(sip.HdrContact)))
	})
	ok := ua.next()
	require.Equal(t, 200, ok.m.StatusCode())
	assert.Equal(t, got.m.Get(sip.HdrPath), ok.m.Get(sip.HdrPath), "the 2xx keeps the Path list")
}

// SIP-59 with RFC3327 Off: the Contact is rewritten to an opaque URI at the
// edge, mapped back in the 2xx, and a request the foreign registrar sends to
// the opaque URI reaches the original contact.
func TestRegisterProxiedContactRewrite(t *testing.T) {
	peer, ua := newUDPEnd(t), newUDPEnd(t)
	e := startEdge(t, zonesConfig("ProxyToKnownOnly", peer.addr(), "    rfc3327: off\n"))
	edge := e.target("udp")
	registerFor(ua, edge, "carol@example.org", "reg-rw-1")

	got := peer.nextRequest(sip.MethodRegister)
	assert.False(t, got.m.Has(sip.HdrPath), "no Path with RFC3327 off")
	c, err := got.m.Contact()
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1", c.URI.Host)
	assert.Equal(t, int(e.SIPAddr("udp").Port()), c.URI.Port)
	assert.NotEqual(t, "ua", c.URI.User, "the Contact is rewritten")
	exp, _ := c.Param("expires")
	assert.Equal(t, "600", exp, "other Contact parameters are kept")
	peer.reply(got, 200, func(r *sip.Message) { require.NoError(t, r.Add(sip.HdrContact, got.m.Get(sip.HdrContact))) })
	ok := ua.next()
	require.Equal(t, 200, ok.m.StatusCode())
	back, err := ok.m.Contact()
	require.NoError(t, err)
	assert.Equal(t, "ua", back.URI.User, "the 2xx maps the Contact back")
	assert.Equal(t, ua.port(), back.URI.Port)

	peer.sendTo(edge, `MESSAGE %[1]s SIP/2.0
Via: SIP/2.0/UDP %[2]s;branch=z9hG4bK-msg-rw;rport
Max-Forwards: 70
From: <sip:registrar@example.org>;tag=p1
To: <sip:carol@example.org>
Call-ID: msg-rw-1
CSeq: 1 MESSAGE
Content-Length: 0

`, c.URI.String(), peer.addr())
	msg := ua.nextRequest(sip.MethodMessage)
	assert.Equal(t, "msg-rw-1", msg.m.Get(sip.HdrCallID))
	ua.reply(msg, 200, nil)
	assert.Equal(t, 200, peer.next().m.StatusCode())
}

// SIP-59: Proxy Mode Off answers a foreign REGISTER 403; ProxyToKnownOnly
// with no Neighbor route answers 404.
func TestRegisterProxyModes(t *testing.T) {
	ua := newUDPEnd(t)
	off := startEdge(t, zonesConfig("Off", "127.0.0.1:9", ""))
	registerFor(ua, off.target("udp"), "dave@example.org", "reg-off-1")
	assert.Equal(t, 403, ua.next().m.StatusCode())

	known := startEdge(t, zonesConfig("ProxyToKnownOnly", "127.0.0.1:9", ""))
	registerFor(ua, known.target("udp"), "dave@elsewhere.example", "reg-known-1")
	assert.Equal(t, 404, ua.next().m.StatusCode())
}

// SIP-89: a developer SIP route forwards a matching request to its next
// hop before any dial-plan search; SIP-92: the Conference Factory answers
// its alias 302 with the next conference number; SIP-88: the Peer zone's
// UPDATE strip removes UPDATE from Allow on the way out.
func TestSIPRouteConferenceFactoryAndRewrites(t *testing.T) {
	peer, ua := newUDPEnd(t), newUDPEnd(t)
	extra := zonesConfig("Off", peer.addr(), "    update_strip: on\n") + fmt.Sprintf(`  sip_routes:
    - index: 1
      tag: test
      method: MESSAGE
      request_line_pattern: "route-me@"
      address: 127.0.0.1
      port: %d
      transport: udp
  conference_factory:
    alias: meet@causeway.local
    template: "sip:conf%%%%@causeway.local"
    start: 1
    end: 99
`, peer.port())
	e := startEdge(t, extra)
	edge := e.target("udp")

	ua.sendTo(edge, `MESSAGE sip:route-me@causeway.local SIP/2.0
Via: SIP/2.0/UDP %[1]s;branch=z9hG4bK-route-1;rport
Max-Forwards: 70
From: <sip:alice@causeway.local>;tag=a1
To: <sip:route-me@causeway.local>
Call-ID: route-1
CSeq: 1 MESSAGE
Content-Length: 0

`, ua.addr())
	routed := peer.nextRequest(sip.MethodMessage)
	assert.Equal(t, "route-1", routed.m.Get(sip.HdrCallID))
	peer.reply(routed, 200, nil)
	assert.Equal(t, 200, ua.next().m.StatusCode())

	for _, want := range []string{"conf01", "conf02"} {
		ua.sendTo(edge, `INVITE sip:meet@causeway.local SIP/2.0
Via: SIP/2.0/UDP %[1]s;branch=z9hG4bK-conf-%[2]s;rport
Max-Forwards: 70
From: <sip:alice@causeway.local>;tag=a1
To: <sip:meet@causeway.local>
Call-ID: conf-%[2]s
CSeq: 1 INVITE
Contact: <sip:alice@%[1]s>
Content-Length: 0

`, ua.addr(), want)
		r := ua.next()
		require.Equal(t, 302, r.m.StatusCode())
		c, err := r.m.Contact()
		require.NoError(t, err)
		assert.Equal(t, want, c.URI.User)
	}

	ua.sendTo(edge, `MESSAGE sip:someone@example.org SIP/2.0
Via: SIP/2.0/UDP %[1]s;branch=z9hG4bK-strip-1;rport
Max-Forwards: 70
From: <sip:alice@causeway.local>;tag=a1
To: <sip:someone@example.org>
Call-ID: strip-1
CSeq: 1 MESSAGE
Allow: INVITE, ACK, UPDATE, BYE
Content-Length: 0

`, ua.addr())
	out := peer.nextRequest(sip.MethodMessage)
	toks, err := out.m.Tokens(sip.HdrAllow)
	require.NoError(t, err)
	assert.Equal(t, []string{"INVITE", "ACK", "BYE"}, toks)
	peer.reply(out, 200, nil)
	assert.Equal(t, 200, ua.next().m.StatusCode())
}

// SIP-90: a monitored zone is not routed to until its peer answers the
// edge's OPTIONS; then it is, and /status shows the peer alive.
func TestMonitoredZone(t *testing.T) {
	peer, ua := newUDPEnd(t), newUDPEnd(t)
	e := startEdge(t, zonesConfig("Off", peer.addr(), "    monitor_peer_status: on\n")+"  monitor_interval: 1h\n")
	edge := e.target("udp")
	probe := peer.nextRequest(sip.MethodOptions)

	send := func(id string) {
		ua.sendTo(edge, `MESSAGE sip:someone@example.org SIP/2.0
Via: SIP/2.0/UDP %[1]s;branch=z9hG4bK-mon-%[2]s;rport
Max-Forwards: 70
From: <sip:alice@causeway.local>;tag=a1
To: <sip:someone@example.org>
Call-ID: mon-%[2]s
CSeq: 1 MESSAGE
Content-Length: 0

`, ua.addr(), id)
	}
	send("1")
	r := ua.next()
	assert.True(t, r.m.StatusCode() == 404 || r.m.StatusCode() == 480, "no route while the zone is inactive: %d", r.m.StatusCode())

	peer.reply(probe, 200, nil)
	require.Eventually(t, func() bool { return e.zoneActive("Peer") }, 5*time.Second, 5*time.Millisecond)
	st := e.status(context.Background())
	require.Len(t, st.Peers, 1)
	assert.True(t, st.Peers[0].Alive)
	assert.Equal(t, 200, st.Peers[0].Status)
	assert.Equal(t, "udp:"+peer.addr(), st.Peers[0].Peer)

	send("2")
	got := peer.nextRequest(sip.MethodMessage)
	assert.Equal(t, "mon-2", got.m.Get(sip.HdrCallID))
	peer.reply(got, 200, nil)
	assert.Equal(t, 200, ua.next().m.StatusCode())
}

// SIP-81: a dialog-forming request that still carries a foreign Route set
// is refused 403 with Proxy Mode Off and follows the Route with ProxyToAny.
func TestPreloadedRouteSet(t *testing.T) {
	for _, c := range []struct {
		mode   string
		follow bool
	}{{"Off", false}, {"ProxyToAny", true}} {
		t.Run(c.mode, func(t *testing.T) {
			peer, ua := newUDPEnd(t), newUDPEnd(t)
			e := startEdge(t, zonesConfig(c.mode, "127.0.0.1:9", ""))
			ua.sendTo(e.target("udp"), `INVITE sip:someone@causeway.local SIP/2.0
Via: SIP/2.0/UDP %[1]s;branch=z9hG4bK-route-%[3]s;rport
Max-Forwards: 70
Route: <sip:%[2]s;lr>
From: <sip:alice@causeway.local>;tag=a1
To: <sip:someone@causeway.local>
Call-ID: preload-%[3]s
CSeq: 1 INVITE
Contact: <sip:alice@%[1]s>
Content-Length: 0

`, ua.addr(), peer.addr(), c.mode)
			if !c.follow {
				assert.Equal(t, 403, ua.next().m.StatusCode())
				return
			}
			inv := peer.nextRequest(sip.MethodInvite)
			assert.Equal(t, "preload-"+c.mode, inv.m.Get(sip.HdrCallID))
			peer.reply(inv, 486, nil)
			assert.Equal(t, 486, ua.next().m.StatusCode())
		})
	}
}
