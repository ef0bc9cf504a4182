package proxy

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transaction"
	"github.com/causeway-edge/causeway/sip/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ringAnswer(u *ua, tx *transaction.ServerTx, req *sip.Message) {
	switch req.Method() {
	case sip.MethodInvite:
		answer(tx, req, 180, u.tp.LocalAddr("udp").String())
		answer(tx, req, 200, u.tp.LocalAddr("udp").String())
	default:
		answer(tx, req, 200, "")
	}
}

// SIP-80, SIP-83, SIP-84, SIP-41: a call through the proxy over UDP and
// TCP — 180 and 200 relayed, our Via pushed and popped, Record-Route
// inserted, and ACK and BYE follow the recorded route.
func TestCallThroughProxy(t *testing.T) {
	for _, tc := range []struct{ in, out string }{{"udp", "udp"}, {"tcp", "tcp"}, {"udp", "tcp"}} {
		t.Run(tc.in+"-"+tc.out, func(t *testing.T) {
			callee := newUA(t, "callee", ringAnswer)
			caller := newUA(t, "caller", nil)
			var events []string
			evc := make(chan string, 16)
			p := newProxy(t, Config{Router: to(callee.uri(tc.out)), OnCall: func(e CallEvent) { evc <- e.Kind }})
			inv := caller.request(t, "INVITE", "sip:callee@example.com", tc.in)
			_, got := caller.send(t, inv, p.addr(tc.in))
			require.Equal(t, []int{180, 200}, codes(got)[len(got)-2:])
			final := got[len(got)-1]
			assert.Equal(t, 1, final.ViaCount(), "our Via is popped")

			at := recv(t, callee.reqs)
			require.Equal(t, "INVITE", at.Method())
			assert.Equal(t, 2, at.ViaCount())
			top, _ := at.Via()
			assert.Equal(t, tc.out, map[string]string{"UDP": "udp", "TCP": "tcp"}[top.Transport])
			assert.Contains(t, top.Branch(), "z9hG4bK")
			mf, _ := at.MaxForwards()
			assert.Equal(t, 69, mf)
			rr := at.Values("Record-Route")
			if tc.in == tc.out {
				require.Len(t, rr, 1)
			} else {
				require.Len(t, rr, 2, "double Record-Route across transports")
			}
			assert.Contains(t, rr[0], ";lr")

			// In-dialog ACK and BYE with the route set from Record-Route.
			rrs, err := final.RecordRoutes()
			require.NoError(t, err)
			for _, m := range []string{"ACK", "BYE"} {
				req := caller.request(t, m, callee.uri(tc.out).String(), tc.in)
				_ = req.SetFrom(mustFrom(inv))
				_ = req.Set("Call-ID", inv.Get("Call-ID"))
				to, _ := final.To()
				_ = req.SetTo(to)
				for i := len(rrs) - 1; i >= 0; i-- { // UAC reverses the Record-Route
					_ = req.PrependAddress("Route", rrs[i])
				}
				_ = req.SetCSeq(sip.CSeq{Seq: map[string]uint32{"ACK": 1, "BYE": 2}[m], Method: m})
				if m == "ACK" {
					require.NoError(t, caller.tp.Send(context.Background(), req, p.addr(tc.in)))
					ack := recv(t, callee.reqs)
					assert.Equal(t, "ACK", ack.Method())
					assert.False(t, ack.Has("Route"), "our Route entries are popped")
					continue
				}
				_, got := caller.send(t, req, p.addr(tc.in))
				assert.Equal(t, 200, got[len(got)-1].StatusCode())
				assert.Equal(t, "BYE", recv(t, callee.reqs).Method())
			}
			for len(events) < 3 {
				events = append(events, <-evc)
			}
			assert.Equal(t, []string{CallAttempt, CallAnswered, CallDisconnected}, events)
		})
	}
}

func mustFrom(m *sip.Message) sip.Address { a, _ := m.From(); return a }

// SIP-82, spec §3.9: Max-Forwards min(received-1, HopCount); 0 → 483,
// except an OPTIONS to us, answered 200.
func TestMaxForwards(t *testing.T) {
	callee := newUA(t, "callee", ringAnswer)
	caller := newUA(t, "caller", nil)
	var hop atomic.Int64
	p := newProxy(t, Config{Router: RouterFunc(func(context.Context, *sip.Message, transport.Addr) (Decision, error) {
		return Decision{Targets: []Target{{URI: callee.uri("udp"), HopCount: int(hop.Load())}}}, nil
	})})
	for _, tc := range []struct {
		recv, hop, want int
	}{{70, 15, 15}, {10, 15, 9}, {1, 15, 0}, {-1, 15, 15}, {70, 255, 69}} {
		hop.Store(int64(tc.hop))
		m := caller.request(t, "MESSAGE", "sip:callee@example.com", "udp")
		if tc.recv < 0 {
			m.Del("Max-Forwards")
		} else {
			m.SetMaxForwards(tc.recv)
		}
		_, got := caller.send(t, m, p.addr("udp"))
		require.Equal(t, 200, got[len(got)-1].StatusCode())
		at := recv(t, callee.reqs)
		mf, _ := at.MaxForwards()
		assert.Equal(t, tc.want, mf, "received %d hop %d", tc.recv, tc.hop)
	}
	m := caller.request(t, "INVITE", "sip:callee@example.com", "udp", "Max-Forwards: 0")
	m.SetMaxForwards(0)
	_, got := caller.send(t, m, p.addr("udp"))
	assert.Equal(t, 483, got[len(got)-1].StatusCode())
	opt := caller.request(t, "OPTIONS", "sip:"+p.tp.LocalAddr("udp").String(), "udp")
	opt.SetMaxForwards(0)
	_, got = caller.send(t, opt, p.addr("udp"))
	assert.Equal(t, 200, got[len(got)-1].StatusCode())
	assert.True(t, got[len(got)-1].Has("Allow"))
}

// SIP-85 (c), §16.3 step 4: a request routed back to the proxy with the
// same Request-URI is a loop → 482; SIP-85 (a): a poisoned request that
// returns → 482.
func TestLoops(t *testing.T) {
	caller := newUA(t, "caller", nil)
	for _, poison := range []bool{false, true} {
		var ptr atomic.Pointer[testProxy]
		self := newProxy(t, Config{Router: RouterFunc(func(_ context.Context, req *sip.Message, _ transport.Addr) (Decision, error) {
			self := ptr.Load()
			u, _ := req.RequestURI()
			if poison { // a different Request-URI each time: only the poison catches it
				u, _ = sip.ParseURI(fmt.Sprintf("sip:%d@%s", req.ViaCount(), self.tp.LocalAddr("udp")))
			}
			return Decision{Targets: []Target{{URI: u, Dest: self.addr("udp"), Poison: poison}}}, nil
		})})
		ptr.Store(self)
		_, got := caller.send(t, caller.request(t, "INVITE", "sip:loop@example.com", "udp"), self.addr("udp"))
		assert.Equal(t, 482, got[len(got)-1].StatusCode(), "poison=%v", poison)
	}
}

// SIP-86, SIP-41: parallel forking; the best final response wins, a 2xx
// at once with the other branches cancelled.
func TestForking(t *testing.T) {
	busy := func(u *ua, tx *transaction.ServerTx, req *sip.Message) {
		if req.Method() == sip.MethodInvite {
			answer(tx, req, 486, "")
		} else {
			answer(tx, req, 200, "")
		}
	}
	decline := func(u *ua, tx *transaction.ServerTx, req *sip.Message) {
		if req.Method() == sip.MethodInvite {
			answer(tx, req, 603, "")
		}
	}
	ringing := func(u *ua, tx *transaction.ServerTx, req *sip.Message) {
		switch req.Method() {
		case sip.MethodInvite:
			answer(tx, req, 180, "r")
			u.mu.Lock()
			u.txs["inv"] = tx
			u.mu.Unlock()
		case sip.MethodCancel:
			answer(tx, req, 200, "")
			u.mu.Lock()
			inv := u.txs["inv"]
			u.mu.Unlock()
			answer(inv, inv.Request(), 487, "r")
		}
	}
	unavailable := func(u *ua, tx *transaction.ServerTx, req *sip.Message) {
		if req.Method() == sip.MethodInvite {
			answer(tx, req, 503, "")
		}
	}
	for _, tc := range []struct {
		name string
		a, b func(*ua, *transaction.ServerTx, *sip.Message)
		want int
	}{
		{"busy+answer", busy, ringAnswer, 200},
		{"busy+busy", busy, busy, 486},
		{"busy+decline", busy, decline, 603},
		{"ringing+answer cancels ringing", ringing, ringAnswer, 200},
		{"503 becomes 500", unavailable, unavailable, 500},
		{"busy+503", busy, unavailable, 486},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := newUA(t, "a", tc.a), newUA(t, "b", tc.b)
			caller := newUA(t, "caller", nil)
			p := newProxy(t, Config{Router: to(a.uri("udp"), b.uri("tcp"))})
			_, got := caller.send(t, caller.request(t, "INVITE", "sip:ab@example.com", "udp"), p.addr("udp"))
			assert.Equal(t, tc.want, got[len(got)-1].StatusCode())
			if tc.name == "ringing+answer cancels ringing" {
				recv(t, a.reqs) // INVITE
				assert.Equal(t, "CANCEL", recv(t, a.reqs).Method())
			}
		})
	}
}

// SIP-41, §16.10: CANCEL is answered hop by hop and propagated; the
// callee's 487 reaches the caller.
func TestCancel(t *testing.T) {
	callee := newUA(t, "callee", func(u *ua, tx *transaction.ServerTx, req *sip.Message) {
		switch req.Method() {
		case sip.MethodInvite:
			answer(tx, req, 180, "c")
			u.mu.Lock()
			u.txs["inv"] = tx
			u.mu.Unlock()
		case sip.MethodCancel:
			answer(tx, req, 200, "")
			u.mu.Lock()
			inv := u.txs["inv"]
			u.mu.Unlock()
			answer(inv, inv.Request(), 487, "c")
		}
	})
	caller := newUA(t, "caller", nil)
	p := newProxy(t, Config{Router: to(callee.uri("udp"))})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tx, err := caller.l.Request(ctx, caller.request(t, "INVITE", "sip:callee@example.com", "udp"), p.addr("udp"))
	require.NoError(t, err)
	for r := range tx.Responses() {
		if r.StatusCode() == 180 {
			break
		}
	}
	ch, err := caller.l.Cancel(ctx, tx)
	require.NoError(t, err)
	ctx2 := <-ch
	require.NotNil(t, ctx2)
	cr := recv(t, ctx2.Responses())
	assert.Equal(t, 200, cr.StatusCode())
	var final int
	for r := range tx.Responses() {
		if r.StatusCode() >= 200 {
			final = r.StatusCode()
			break
		}
	}
	assert.Equal(t, 487, final)
	// A CANCEL that matches nothing → 481.
	_, got := caller.send(t, caller.request(t, "CANCEL", "sip:nobody@example.com", "udp"), p.addr("udp"))
	assert.Equal(t, 481, got[len(got)-1].StatusCode())
}

// SIP-41, §16.8: Timer C cancels a branch that rings too long (driven by
// an injected clock).
func TestTimerC(t *testing.T) {
	clk := transaction.NewManualClock(time.Unix(0, 0))
	callee := newUA(t, "callee", func(u *ua, tx *transaction.ServerTx, req *sip.Message) {
		switch req.Method() {
		case sip.MethodInvite:
			answer(tx, req, 180, "c")
			u.mu.Lock()
			u.txs["inv"] = tx
			u.mu.Unlock()
		case sip.MethodCancel:
			answer(tx, req, 200, "")
			u.mu.Lock()
			inv := u.txs["inv"]
			u.mu.Unlock()
			answer(inv, inv.Request(), 487, "c")
		}
	})
	caller := newUA(t, "caller", nil)
	p := newProxy(t, Config{Router: to(callee.uri("tcp")), Clock: clk})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tx, err := caller.l.Request(ctx, caller.request(t, "INVITE", "sip:callee@example.com", "tcp"), p.addr("tcp"))
	require.NoError(t, err)
	for r := range tx.Responses() {
		if r.StatusCode() == 180 {
			break
		}
	}
	assert.Equal(t, "INVITE", recv(t, callee.reqs).Method())
	clk.Advance(DefaultTimerC - time.Second)
	select {
	case m := <-callee.reqs:
		t.Fatalf("early %s", m.Method())
	default:
	}
	clk.Advance(time.Second)
	assert.Equal(t, "CANCEL", recv(t, callee.reqs).Method())
	final := recv(t, tx.Responses())
	assert.Equal(t, 487, final.StatusCode())
}

// SIP-80: unknown Proxy-Require → 420 with Unsupported; a strip list
// removes tags first (SIP-87 a); the router's 404; SIP-81 route-set policy.
func TestPipelineRejections(t *testing.T) {
	callee := newUA(t, "callee", ringAnswer)
	caller := newUA(t, "caller", nil)
	p := newProxy(t, Config{Router: RouterFunc(func(_ context.Context, req *sip.Message, _ transport.Addr) (Decision, error) {
		if u, _ := req.RequestURI(); u.User == "nobody" {
			return Decision{}, nil
		}
		return Decision{Targets: []Target{{URI: callee.uri("udp")}}}, nil
	}), ProxyRequireStrip: []string{"com.nortelnetworks.firewall"},
		FollowRoute: func(*sip.Message, transport.Addr) bool { return false }})
	send := func(m *sip.Message) *sip.Message {
		_, got := caller.send(t, m, p.addr("udp"))
		return got[len(got)-1]
	}
	r := send(caller.request(t, "INVITE", "sip:callee@example.com", "udp", "Proxy-Require: com.nortelnetworks.firewall, foo"))
	assert.Equal(t, 420, r.StatusCode())
	assert.Equal(t, "foo", r.Get("Unsupported"))
	r = send(caller.request(t, "INVITE", "sip:callee@example.com", "udp", "Proxy-Require: com.nortelnetworks.firewall"))
	assert.Equal(t, 200, r.StatusCode())
	assert.False(t, recv(t, callee.reqs).Has("Proxy-Require"))
	r = send(caller.request(t, "INVITE", "sip:nobody@example.com", "udp"))
	assert.Equal(t, 404, r.StatusCode())
	assert.NotEmpty(t, mustTo(r).Tag())
	// SIP-81: a foreign Route on a dialog-forming request under a policy
	// that refuses it → 403; our own Route alone is popped.
	r = send(caller.request(t, "INVITE", "sip:callee@example.com", "udp", "Route: <sip:192.0.2.99;lr>"))
	assert.Equal(t, 403, r.StatusCode())
	r = send(caller.request(t, "INVITE", "sip:callee@example.com", "udp", "Route: <sip:"+p.tp.LocalAddr("udp").String()+";lr>"))
	assert.Equal(t, 200, r.StatusCode())
	// SIP-81: NOTIFY with a Route set follows it in every mode.
	r = send(caller.request(t, "NOTIFY", "sip:callee@example.com", "udp", "Route: <"+callee.uri("udp").String()+";lr>", "Event: presence", "Subscription-State: active"))
	assert.Equal(t, 200, r.StatusCode())
}

func mustTo(m *sip.Message) sip.Address { a, _ := m.To(); return a }

// SIP-100, spec §3.13: session-timer rules with SE 1800, MS 500.
func TestSessionTimerVectors(t *testing.T) {
	p := &Proxy{cfg: Config{SessionExpires: 1800, MinSE: 500}}
	for _, tc := range []struct {
		name      string
		hdrs      []string
		code      int
		se, minSE string
	}{
		{"none", nil, 0, "1800", "500"},
		{"too small with timer", []string{"Session-Expires: 300", "Supported: timer"}, 422, "", ""},
		{"too small without timer", []string{"Session-Expires: 300"}, 0, "500", "500"},
		{"too large", []string{"Session-Expires: 3600;refresher=uac"}, 0, "1800;refresher=uac", "500"},
		{"in range", []string{"Session-Expires: 1000", "Min-SE: 600"}, 0, "1000", "600"},
		{"low Min-SE", []string{"Session-Expires: 1000", "Min-SE: 90"}, 0, "1000", "500"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := "INVITE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n"
			for _, h := range tc.hdrs {
				raw += h + "\r\n"
			}
			m, err := sip.ParseMessage([]byte(raw + "Content-Length: 0\r\n\r\n"))
			require.NoError(t, err)
			code, min := p.sessionTimer(m)
			assert.Equal(t, tc.code, code)
			if code == 422 {
				assert.Equal(t, 500, min)
				return
			}
			assert.Equal(t, tc.se, m.Get("Session-Expires"))
			assert.Equal(t, tc.minSE, m.Get("Min-SE"))
		})
	}
}

// Config faults are reported together.
func TestConfigValidate(t *testing.T) {
	err := Config{TimerC: time.Minute, SessionExpires: 100, MinSE: 200}.Validate()
	require.Error(t, err)
	for _, s := range []string{"Transport", "Router", "Timer C", "minimum 200 above"} {
		assert.Contains(t, err.Error(), s)
	}
	assert.NoError(t, Config{Transport: newTransport(t), Router: to(), SessionExpires: 1800, MinSE: 500}.Validate())
}

// SIP-41: 401/407 challenges from the branches are merged into the one
// response sent upstream.
func TestChallengesMerged(t *testing.T) {
	challenge := func(realm string) func(*ua, *transaction.ServerTx, *sip.Message) {
		return func(u *ua, tx *transaction.ServerTx, req *sip.Message) {
			r, _ := sip.NewResponse(req, 407, "")
			_ = r.SetToTag("t-" + realm)
			_ = r.Set("Proxy-Authenticate", `Digest realm="`+realm+`", nonce="n"`)
			_ = tx.Respond(r)
		}
	}
	a, b := newUA(t, "a", challenge("a.example")), newUA(t, "b", challenge("b.example"))
	caller := newUA(t, "caller", nil)
	p := newProxy(t, Config{Router: to(a.uri("udp"), b.uri("udp"))})
	_, got := caller.send(t, caller.request(t, "INVITE", "sip:ab@example.com", "udp"), p.addr("udp"))
	final := got[len(got)-1]
	require.Equal(t, 407, final.StatusCode())
	vals := strings.Join(final.Values("Proxy-Authenticate"), "|")
	auths, err := final.Auths("Proxy-Authenticate")
	require.NoError(t, err)
	assert.Len(t, auths, 2, "one challenge per line")
	assert.Contains(t, vals, "a.example")
	assert.Contains(t, vals, "b.example")
}

// Shutdown: new requests are answered 503 while the in-flight INVITE may
// finish; when the deadline comes its branches are cancelled and the caller
// gets the 487.
func TestShutdownDrains(t *testing.T) {
	callee := newUA(t, "callee", func(u *ua, tx *transaction.ServerTx, req *sip.Message) {
		switch req.Method() {
		case sip.MethodInvite:
			answer(tx, req, 180, "c")
			u.mu.Lock()
			u.txs["inv"] = tx
			u.mu.Unlock()
		case sip.MethodCancel:
			answer(tx, req, 200, "")
			u.mu.Lock()
			inv := u.txs["inv"]
			u.mu.Unlock()
			answer(inv, inv.Request(), 487, "c")
		default:
			answer(tx, req, 200, "")
		}
	})
	caller := newUA(t, "caller", nil)
	p := newProxy(t, Config{Router: to(callee.uri("udp"))})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	inv, err := caller.l.Request(ctx, caller.request(t, "INVITE", "sip:callee@example.com", "udp"), p.addr("udp"))
	require.NoError(t, err)
	for r := range inv.Responses() {
		if r.StatusCode() == 180 {
			break
		}
	}
	require.Equal(t, 1, p.InProgress())
	sctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Shutdown(sctx) }()
	require.Eventually(t, p.draining.Load, 5*time.Second, time.Millisecond)
	_, got := caller.send(t, caller.request(t, "MESSAGE", "sip:callee@example.com", "udp"), p.addr("udp"))
	assert.Equal(t, 503, got[len(got)-1].StatusCode())
	stop() // the deadline: pending branches are cancelled
	final := recv(t, inv.Responses())
	assert.Equal(t, 487, final.StatusCode())
	require.NoError(t, <-done)
}
