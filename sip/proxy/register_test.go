package proxy

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transaction"
	"github.com/causeway-edge/causeway/sip/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// registrarUA answers REGISTER like a registrar: 200 listing every
// Contact that was not removed (expires=0) with expires=60, and the Path
// it received (RFC 3327 §5.3). INVITEs are answered 200.
func registrarUA(u *ua, tx *transaction.ServerTx, req *sip.Message) {
	r, err := sip.NewResponse(req, 200, "")
	if err != nil {
		return
	}
	_ = r.SetToTag("reg")
	if req.Method() == sip.MethodRegister {
		cs, _ := req.Contacts()
		for _, c := range cs {
			if v, _ := c.Params.Get("expires"); v == "0" || req.Get("Expires") == "0" {
				continue
			}
			c.Params = c.Params.Set("expires", "60")
			_ = r.AddAddress("Contact", c)
		}
		for _, v := range req.Values("Path") {
			_ = r.Add("Path", v)
		}
	}
	_ = tx.Respond(r)
}

// registerTo routes REGISTERs to the registrar with the given Target
// flags and refuses everything else with 404.
func registerTo(reg *ua, noPath bool) Router {
	return RouterFunc(func(_ context.Context, req *sip.Message, _ transport.Addr) (Decision, error) {
		if req.Method() != sip.MethodRegister {
			return Decision{}, nil
		}
		return Decision{Targets: []Target{{URI: reg.uri("udp"), NoPath: noPath}}}, nil
	})
}

// SIP-59 with RFC3327 Yes: a forwarded REGISTER gets our Path with the
// egress address and transport; the 2xx keeps the Path list.
func TestRegisterPath(t *testing.T) {
	reg := newUA(t, "registrar", registrarUA)
	alice := newUA(t, "alice", nil)
	p := newProxy(t, Config{Router: registerTo(reg, false)})
	req := alice.request(t, "REGISTER", "sip:example.com", "udp")
	_, got := alice.send(t, req, p.addr("udp"))
	final := got[len(got)-1]
	require.Equal(t, 200, final.StatusCode())
	at := recv(t, reg.reqs)
	want := "<sip:" + p.tp.LocalAddr("udp").String() + ";transport=udp;lr>"
	assert.Equal(t, []string{want}, at.Values("Path"))
	assert.Equal(t, req.Get("Contact"), at.Get("Contact"), "Contact untouched with Path")
	assert.Equal(t, []string{want}, final.Values("Path"), "2xx keeps the Path list")
}

// outboundRegister builds an RFC 5626 REGISTER from u over network.
func outboundRegister(t *testing.T, u *ua, network string) *sip.Message {
	req := u.request(t, "REGISTER", "sip:example.com", network, "Supported: outbound, path")
	a := u.tp.LocalAddr(network)
	require.NoError(t, req.Set("Contact", "<sip:"+u.name+"@"+a.String()+";transport="+network+`>;+sip.instance="<urn:uuid:00000000-0000-0000-0000-000000000001>";reg-id=1`))
	return req
}

// SIP-59, SIP-55, RFC 5626 §5.1/§5.3: an outbound REGISTER gets a Path
// with ob and a flow token; a request routed back through that Path goes
// over the flow the REGISTER came on; once that flow's connection is
// gone the request fails with 430 Flow Failed.
func TestRegisterOutboundFlow(t *testing.T) {
	reg := newUA(t, "registrar", registrarUA)
	alice := newUA(t, "alice", ringAnswer)
	p := newProxy(t, Config{Router: registerTo(reg, false), Timers: transaction.Timers{T1: 20 * time.Millisecond, T2: 80 * time.Millisecond}})
	_, got := alice.send(t, outboundRegister(t, alice, "tcp"), p.addr("tcp"))
	require.Equal(t, 200, got[len(got)-1].StatusCode())
	at := recv(t, reg.reqs)
	path, err := at.Paths()
	require.NoError(t, err)
	require.Len(t, path, 1)
	assert.True(t, path[0].URI.Params.Has("ob"), "ob on an outbound REGISTER's Path: %s", at.Get("Path"))
	assert.True(t, path[0].URI.Params.Has("lr"))
	assert.NotEmpty(t, path[0].URI.User, "flow token")
	assert.Equal(t, p.tp.LocalAddr("udp").String(), path[0].URI.HostPort())

	contact, err := at.Contact()
	require.NoError(t, err)
	invite := func() int {
		inv := reg.request(t, "INVITE", contact.URI.String(), "udp", "Route: "+path[0].String())
		_, got := reg.send(t, inv, p.addr("udp"))
		return got[len(got)-1].StatusCode()
	}
	require.Equal(t, 200, invite())
	in := recv(t, alice.reqs)
	assert.Equal(t, "INVITE", in.Method())
	top, _ := in.Via()
	assert.Equal(t, "TCP", top.Transport, "over the registration's TCP flow")

	// A forged token is refused.
	bad := path[0]
	bad.URI.User = "AAAA" + bad.URI.User[4:]
	inv := reg.request(t, "INVITE", contact.URI.String(), "udp", "Route: "+bad.String())
	_, got = reg.send(t, inv, p.addr("udp"))
	assert.Equal(t, 403, got[len(got)-1].StatusCode())

	// The UA goes away: its connection closes and nothing listens on its
	// port, so the flow is gone. The proxy's reader notices the close
	// asynchronously; a request that raced it ends in a Timer B 408, so a
	// few attempts are allowed.
	require.NoError(t, alice.tp.Close())
	code := 0
	for range 5 {
		if code = invite(); code == 430 {
			break
		}
	}
	assert.Equal(t, 430, code)
}

// connChecker is a transport that reports a flow closed, as a transport
// implementing FlowChecker does.
type connChecker struct {
	*transport.Transport
	sends chan transport.Addr
}

func (c connChecker) Connected(transport.Addr) bool { return false }

func (c connChecker) Send(ctx context.Context, m *sip.Message, d transport.Addr) error {
	if m.IsRequest() {
		c.sends <- d
	}
	return c.Transport.Send(ctx, m, d)
}

// SIP-55: with a transport that knows its connections, a FlowOnly target
// whose connection is closed is answered 430 without sending anything.
func TestFlowCheckerNoDial(t *testing.T) {
	tp := newTransport(t)
	ct := connChecker{Transport: tp, sends: make(chan transport.Addr, 8)}
	flow := transport.Addr{Network: "tcp", AddrPort: tp.LocalAddr("tcp")}
	u, _ := sip.ParseURI("sip:alice@" + flow.AddrPort.String() + ";transport=tcp")
	px, err := New(Config{Transport: ct, Logger: quiet(), Router: RouterFunc(func(context.Context, *sip.Message, transport.Addr) (Decision, error) {
		return Decision{Targets: []Target{{URI: u, Dest: flow, FlowOnly: true}}}, nil
	})})
	require.NoError(t, err)
	require.NoError(t, tp.Start(context.Background(), px.Layer()))
	t.Cleanup(func() { px.Close() })
	caller := newUA(t, "caller", nil)
	_, got := caller.send(t, caller.request(t, "MESSAGE", "sip:alice@example.com", "udp"), transport.Addr{Network: "udp", AddrPort: tp.LocalAddr("udp")})
	assert.Equal(t, 430, got[len(got)-1].StatusCode())
	select {
	case d := <-ct.sends:
		t.Fatalf("a request was sent to %v", d)
	default:
	}
}

// SIP-59 with RFC3327 No: Contacts are rewritten to opaque URIs of the
// box (other Contact parameters kept), mapped back in the 2xx; a request
// to the opaque URI reaches the original contact over the original flow
// until the granted expiry passes; an unregistration forgets it.
func TestRegisterContactRewrite(t *testing.T) {
	clk := transaction.NewManualClock(time.Unix(1000, 0))
	reg := newUA(t, "registrar", registrarUA)
	alice := newUA(t, "alice", ringAnswer)
	p := newProxy(t, Config{Router: registerTo(reg, true), Clock: clk})
	req := alice.request(t, "REGISTER", "sip:example.com", "udp")
	orig := "<sip:alice@" + alice.tp.LocalAddr("udp").String() + ";ob>"
	require.NoError(t, req.Set("Contact", orig+`;expires=60;+sip.instance="<urn:uuid:1>";q=0.5`))
	_, got := alice.send(t, req, p.addr("udp"))
	final := got[len(got)-1]
	require.Equal(t, 200, final.StatusCode())

	at := recv(t, reg.reqs)
	assert.False(t, at.Has("Path"), "no Path with RFC3327 No")
	c, err := at.Contact()
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(c.URI.User, "cw"), c.String())
	assert.Equal(t, p.tp.LocalAddr("udp").String(), c.URI.HostPort())
	assert.Equal(t, "udp", c.URI.Transport())
	for _, k := range []string{"expires", "+sip.instance", "q"} {
		assert.True(t, c.Params.Has(k), "Contact parameter %s kept", k)
	}
	back, err := final.Contact()
	require.NoError(t, err)
	assert.Equal(t, orig, "<"+back.URI.String()+">", "2xx maps the Contact back")
	assert.Equal(t, 1, p.RewrittenContacts())

	// A refresh gives the same opaque user, so the registrar updates its
	// binding instead of adding one.
	_, got = alice.send(t, renew(req, 2), p.addr("udp"))
	require.Equal(t, 200, got[len(got)-1].StatusCode())
	c2, _ := recv(t, reg.reqs).Contact()
	assert.Equal(t, c.URI.User, c2.URI.User)

	invite := func() int {
		_, got := reg.send(t, reg.request(t, "INVITE", c.URI.String(), "udp"), p.addr("udp"))
		return got[len(got)-1].StatusCode()
	}
	require.Equal(t, 200, invite())
	in := recv(t, alice.reqs)
	assert.Equal(t, "sip:alice@"+alice.tp.LocalAddr("udp").String()+";ob", in.RequestURIString())

	clk.Advance(59 * time.Second)
	require.Equal(t, 200, invite(), "still bound")
	recv(t, alice.reqs)
	clk.Advance(2 * time.Second)
	assert.Equal(t, 404, invite(), "the mapping expires with the granted expiry")

	// Unregistration: the 2xx no longer lists the Contact, so it goes.
	_, got = alice.send(t, renew(req, 3), p.addr("udp"))
	require.Equal(t, 200, got[len(got)-1].StatusCode())
	recv(t, reg.reqs)
	require.Equal(t, 200, invite())
	recv(t, alice.reqs)
	un := renew(req, 4)
	require.NoError(t, un.Set("Expires", "0"))
	require.NoError(t, un.Set("Contact", orig+";expires=0"))
	_, got = alice.send(t, un, p.addr("udp"))
	require.Equal(t, 200, got[len(got)-1].StatusCode())
	recv(t, reg.reqs)
	assert.Equal(t, 404, invite())
}

// renew is a new transaction of req (fresh branch) with CSeq seq.
func renew(req *sip.Message, seq uint32) *sip.Message {
	m := req.Clone()
	v, _ := m.Via()
	v.Params = v.Params.Set("branch", sip.NewBranch())
	_ = m.SetTopVia(v)
	_ = m.SetCSeq(sip.CSeq{Seq: seq, Method: m.Method()})
	return m
}
