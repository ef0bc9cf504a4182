package proxy

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transaction"
	"github.com/causeway-edge/causeway/sip/transport"
	"github.com/stretchr/testify/require"
)

var lo = netip.MustParseAddr("127.0.0.1")

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newTransport(t testing.TB) *transport.Transport {
	t.Helper()
	tp, err := transport.New(transport.Config{Addrs: []netip.Addr{lo}, UDP: true, TCP: true, UDPPort: -1, TCPPort: -1, Logger: quiet()})
	require.NoError(t, err)
	t.Cleanup(func() { tp.Close() })
	return tp
}

// ua is a user agent on the real layers, for the far ends of the proxy.
type ua struct {
	tp   *transport.Transport
	l    *transaction.Layer
	reqs chan *sip.Message // every request received, ACKs included
	mu   sync.Mutex
	h    func(tx *transaction.ServerTx, req *sip.Message)
	txs  map[string]*transaction.ServerTx
	name string
}

func newUA(t testing.TB, name string, h func(u *ua, tx *transaction.ServerTx, req *sip.Message)) *ua {
	t.Helper()
	u := &ua{tp: newTransport(t), reqs: make(chan *sip.Message, 64), name: name, txs: map[string]*transaction.ServerTx{}}
	u.h = func(tx *transaction.ServerTx, req *sip.Message) {
		u.reqs <- req
		if h != nil && tx != nil {
			h(u, tx, req)
		}
	}
	l, err := transaction.NewLayer(transaction.Config{Logger: quiet(), No100: true}, u.tp, transaction.HandlerFunc(func(tx *transaction.ServerTx, req *sip.Message) { u.h(tx, req) }))
	require.NoError(t, err)
	u.l = l
	require.NoError(t, u.tp.Start(context.Background(), l))
	t.Cleanup(func() { l.Close() })
	return u
}

func (u *ua) addr(network string) transport.Addr {
	return transport.Addr{Network: network, AddrPort: u.tp.LocalAddr(network)}
}

func (u *ua) uri(network string) sip.URI {
	a := u.tp.LocalAddr(network)
	s := fmt.Sprintf("sip:%s@%s", u.name, a)
	if network != "udp" {
		s += ";transport=" + network
	}
	uri, _ := sip.ParseURI(s)
	return uri
}

// answer responds to req on tx with code; To tag from the UA's name.
func answer(tx *transaction.ServerTx, req *sip.Message, code int, contact string) {
	r, err := sip.NewResponse(req, code, "")
	if err != nil {
		return
	}
	if code > 100 {
		_ = r.SetToTag("tag-" + contact)
	}
	if contact != "" && code < 300 && req.Method() == sip.MethodInvite {
		_ = r.Set("Contact", "<sip:"+contact+">")
	}
	_ = tx.Respond(r)
}

// request builds a request from u toward ruri over network.
func (u *ua) request(t testing.TB, method, ruri, network string, extra ...string) *sip.Message {
	t.Helper()
	a := u.tp.LocalAddr(network)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s SIP/2.0\r\nVia: SIP/2.0/%s %s;branch=%s;rport\r\nMax-Forwards: 70\r\n", method, ruri, strings.ToUpper(network), a, sip.NewBranch())
	fmt.Fprintf(&b, "From: <sip:%s@example.com>;tag=%s\r\nTo: <sip:callee@example.com>\r\nCall-ID: %s\r\nCSeq: 1 %s\r\nContact: <sip:%s@%s>\r\n", u.name, sip.NewTag(), sip.NewCallID(), method, u.name, a)
	for _, e := range extra {
		b.WriteString(e + "\r\n")
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	m, err := sip.ParseMessage([]byte(b.String()))
	require.NoError(t, err)
	return m
}

// finalOf sends req to dest and returns every response code received,
// the last being the final one.
func (u *ua) send(t testing.TB, req *sip.Message, dest transport.Addr) (*transaction.ClientTx, []*sip.Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tx, err := u.l.Request(ctx, req, dest)
	require.NoError(t, err)
	var got []*sip.Message
	for {
		select {
		case r, ok := <-tx.Responses():
			if !ok {
				return tx, got
			}
			got = append(got, r)
			if r.StatusCode() >= 200 {
				return tx, got
			}
		case <-ctx.Done():
			t.Fatalf("no final response to %s; got %v", req.Method(), codes(got))
		}
	}
}

func codes(ms []*sip.Message) []int {
	var out []int
	for _, m := range ms {
		out = append(out, m.StatusCode())
	}
	return out
}

type testProxy struct {
	*Proxy
	tp *transport.Transport
}

func (p *testProxy) addr(network string) transport.Addr {
	return transport.Addr{Network: network, AddrPort: p.tp.LocalAddr(network)}
}

func newProxy(t testing.TB, cfg Config) *testProxy {
	t.Helper()
	tp := newTransport(t)
	cfg.Transport = tp
	if cfg.Logger == nil {
		cfg.Logger = quiet()
	}
	p, err := New(cfg)
	require.NoError(t, err)
	require.NoError(t, tp.Start(context.Background(), p.Layer()))
	t.Cleanup(func() { p.Close() })
	return &testProxy{Proxy: p, tp: tp}
}

// to routes every request to the given URIs.
func to(uris ...sip.URI) Router {
	return RouterFunc(func(_ context.Context, req *sip.Message, _ transport.Addr) (Decision, error) {
		var d Decision
		for _, u := range uris {
			d.Targets = append(d.Targets, Target{URI: u})
		}
		return d, nil
	})
}

func recv(t testing.TB, ch <-chan *sip.Message) *sip.Message {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("nothing received")
		return nil
	}
}
