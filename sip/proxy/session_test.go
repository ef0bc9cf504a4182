package proxy

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transaction"
	"github.com/causeway-edge/causeway/sip/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// timerUA answers INVITE and UPDATE 200 echoing Session-Expires (as a UAS
// that supports RFC 4028), and BYE 200.
func timerUA(u *ua, tx *transaction.ServerTx, req *sip.Message) {
	r, err := sip.NewResponse(req, 200, "")
	if err != nil {
		return
	}
	if to, _ := req.To(); to.Tag() == "" {
		_ = r.SetToTag("tag-" + u.name)
	}
	if m := req.Method(); m == sip.MethodInvite || m == sip.MethodUpdate {
		if v := req.Get("Session-Expires"); v != "" {
			_ = r.Set("Session-Expires", v)
		}
		_ = r.Set("Contact", "<"+u.uri("udp").String()+">")
	}
	_ = tx.Respond(r)
}

// inDialog builds a request of the dialog that inv and its 2xx formed,
// sent by the caller along the recorded route.
func inDialog(t *testing.T, caller *ua, method string, seq uint32, inv, ok *sip.Message, extra ...string) *sip.Message {
	t.Helper()
	contact, err := ok.Contact()
	require.NoError(t, err)
	m := caller.request(t, method, contact.URI.String(), "udp", extra...)
	require.NoError(t, m.SetFrom(mustFrom(inv)))
	require.NoError(t, m.SetTo(mustTo(ok)))
	require.NoError(t, m.Set("Call-ID", inv.Get("Call-ID")))
	require.NoError(t, m.SetCSeq(sip.CSeq{Seq: seq, Method: method}))
	rrs, err := ok.RecordRoutes()
	require.NoError(t, err)
	for i := len(rrs) - 1; i >= 0; i-- {
		require.NoError(t, m.PrependAddress("Route", rrs[i]))
	}
	return m
}

func noRequest(t *testing.T, ch <-chan *sip.Message) {
	t.Helper()
	select {
	case m := <-ch:
		t.Fatalf("unexpected %s", m.Method())
	default:
	}
}

// SIP-102: a call whose session is not refreshed within the interval is
// released at SE − min(32, SE/3): BYE to both parties, and a later
// in-dialog request gets 481 (SIP-42). A 2xx to a re-INVITE refresh
// restarts the interval.
func TestSessionExpiry(t *testing.T) {
	require.Equal(t, 60*time.Second, expiryDeadline(90))
	require.Equal(t, 1768*time.Second, expiryDeadline(1800))
	clk := transaction.NewManualClock(time.Unix(0, 0))
	callee := newUA(t, "callee", timerUA)
	caller := newUA(t, "caller", timerUA)
	events := make(chan CallEvent, 8)
	p := newProxy(t, Config{Router: to(callee.uri("udp")), Clock: clk, SessionExpires: 90, MinSE: 90,
		OnCall: func(e CallEvent) { events <- e }})
	inv := caller.request(t, "INVITE", "sip:callee@example.com", "udp")
	_, got := caller.send(t, inv, p.addr("udp"))
	ok := got[len(got)-1]
	require.Equal(t, 200, ok.StatusCode())
	assert.Equal(t, "90", ok.Get("Session-Expires"), "inserted by the proxy (SIP-100), echoed by the UAS")
	assert.Equal(t, "INVITE", recv(t, callee.reqs).Method())
	assert.Equal(t, 1, p.Sessions())

	clk.Advance(50 * time.Second)
	noRequest(t, callee.reqs)
	reinv := inDialog(t, caller, "INVITE", 2, inv, ok, "Session-Expires: 90;refresher=uac")
	_, got = caller.send(t, reinv, p.addr("udp"))
	require.Equal(t, 200, got[len(got)-1].StatusCode())
	assert.Equal(t, "INVITE", recv(t, callee.reqs).Method())

	clk.Advance(59 * time.Second) // 109 s: the refresh moved the deadline to 110 s
	noRequest(t, callee.reqs)
	noRequest(t, caller.reqs)
	clk.Advance(time.Second)
	bye := recv(t, callee.reqs)
	require.Equal(t, "BYE", bye.Method())
	assert.Equal(t, mustFrom(inv).Tag(), mustFrom(bye).Tag())
	assert.Equal(t, mustTo(ok).Tag(), mustTo(bye).Tag())
	cs, _ := bye.CSeq()
	assert.Equal(t, uint32(3), cs.Seq, "above the caller's last CSeq")
	assert.Equal(t, callee.uri("udp").String(), bye.RequestURIString())
	back := recv(t, caller.reqs)
	require.Equal(t, "BYE", back.Method())
	assert.Equal(t, mustTo(ok).Tag(), mustFrom(back).Tag(), "from the callee's side")
	assert.Equal(t, mustFrom(inv).Tag(), mustTo(back).Tag())
	assert.Equal(t, 0, p.Sessions())
	var kinds []string
	for len(kinds) < 3 {
		kinds = append(kinds, (<-events).Kind)
	}
	assert.Equal(t, []string{CallAttempt, CallAnswered, CallDisconnected}, kinds)

	// SIP-42: the released dialog is gone.
	_, got = caller.send(t, inDialog(t, caller, "BYE", 4, inv, ok), p.addr("udp"))
	assert.Equal(t, 481, got[len(got)-1].StatusCode())
}

// SIP-102: a BYE from a party ends the watch; no release follows.
func TestSessionEndsWithBye(t *testing.T) {
	clk := transaction.NewManualClock(time.Unix(0, 0))
	callee := newUA(t, "callee", timerUA)
	caller := newUA(t, "caller", timerUA)
	p := newProxy(t, Config{Router: to(callee.uri("udp")), Clock: clk, SessionExpires: 90, MinSE: 90})
	inv := caller.request(t, "INVITE", "sip:callee@example.com", "udp")
	_, got := caller.send(t, inv, p.addr("udp"))
	ok := got[len(got)-1]
	require.Equal(t, 200, ok.StatusCode())
	recv(t, callee.reqs)
	_, got = caller.send(t, inDialog(t, caller, "BYE", 2, inv, ok), p.addr("udp"))
	require.Equal(t, 200, got[len(got)-1].StatusCode())
	assert.Equal(t, "BYE", recv(t, callee.reqs).Method())
	assert.Equal(t, 0, p.Sessions())
	clk.Advance(2 * time.Minute)
	noRequest(t, callee.reqs)
	noRequest(t, caller.reqs)
}

// SIP-101: an UPDATE refresh from, or toward, a zone with
// SipUpdateRefresh Off gets 405 with an Allow without UPDATE; On lets it
// through.
func TestUpdateRefreshPerZone(t *testing.T) {
	callee := newUA(t, "callee", timerUA)
	caller := newUA(t, "caller", nil)
	var ingress, egress atomic.Bool
	p := newProxy(t, Config{
		ZoneOf: func(transport.Addr) *ZoneRules { return &ZoneRules{UpdateRefresh: ingress.Load()} },
		Router: RouterFunc(func(context.Context, *sip.Message, transport.Addr) (Decision, error) {
			return Decision{Targets: []Target{{URI: callee.uri("udp"), Rules: &ZoneRules{UpdateRefresh: egress.Load()}}}}, nil
		}),
	})
	send := func(extra ...string) *sip.Message {
		_, got := caller.send(t, caller.request(t, "UPDATE", "sip:callee@example.com", "udp", extra...), p.addr("udp"))
		return got[len(got)-1]
	}
	r := send("Session-Expires: 1800;refresher=uac")
	assert.Equal(t, 405, r.StatusCode(), "ingress zone Off")
	assert.NotContains(t, r.Get("Allow"), "UPDATE")
	assert.Contains(t, r.Get("Allow"), "INVITE")
	assert.Equal(t, 200, send().StatusCode(), "an UPDATE that is not a refresh passes")
	recv(t, callee.reqs)

	ingress.Store(true)
	r = send("Session-Expires: 1800;refresher=uac")
	assert.Equal(t, 405, r.StatusCode(), "egress zone Off")
	assert.NotContains(t, r.Get("Allow"), "UPDATE")
	egress.Store(true)
	assert.Equal(t, 200, send("Session-Expires: 1800;refresher=uac").StatusCode())
	assert.Equal(t, "UPDATE", recv(t, callee.reqs).Method())
}
