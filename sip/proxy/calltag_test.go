package proxy

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// SIP-85 (b), SIP-86: a request without a call tag gets one before the
// Router sees it; every fork carries the same tag; a tag from upstream is
// kept; the header name is configurable.
func TestCallTag(t *testing.T) {
	for _, name := range []string{"", "X-Loop-Tag"} {
		a, b := newUA(t, "a", ringAnswer), newUA(t, "b", ringAnswer)
		caller := newUA(t, "caller", nil)
		seen := make(chan string, 4)
		var ptr atomic.Pointer[testProxy]
		px := newProxy(t, Config{CallTagHeader: name, Router: RouterFunc(func(_ context.Context, req *sip.Message, _ transport.Addr) (Decision, error) {
			seen <- ptr.Load().CallTag(req)
			return Decision{Targets: []Target{{URI: a.uri("udp")}, {URI: b.uri("tcp")}}}, nil
		})})
		ptr.Store(px)
		hdr := name
		if hdr == "" {
			hdr = DefaultCallTagHeader
		}
		_, got := caller.send(t, caller.request(t, "INVITE", "sip:ab@example.com", "udp"), px.addr("udp"))
		require.Equal(t, 200, got[len(got)-1].StatusCode())
		tag := <-seen
		assert.Len(t, tag, 32, "a tag is created when absent")
		assert.Equal(t, tag, recv(t, a.reqs).Get(hdr))
		assert.Equal(t, tag, recv(t, b.reqs).Get(hdr), "all forks share the tag")

		_, got = caller.send(t, caller.request(t, "MESSAGE", "sip:ab@example.com", "udp", hdr+": upstream-tag"), px.addr("udp"))
		require.Equal(t, 200, got[len(got)-1].StatusCode())
		assert.Equal(t, "upstream-tag", <-seen, "carried hop to hop")
		assert.Equal(t, "upstream-tag", recvMethod(t, a.reqs, "MESSAGE").Get(hdr))
		assert.Equal(t, "upstream-tag", recvMethod(t, b.reqs, "MESSAGE").Get(hdr))
	}
}

// recvMethod returns the next request of a method, skipping others (the
// CANCEL of a losing fork).
func recvMethod(t testing.TB, ch <-chan *sip.Message, method string) *sip.Message {
	t.Helper()
	for {
		if m := recv(t, ch); m.Method() == method {
			return m
		}
	}
}
