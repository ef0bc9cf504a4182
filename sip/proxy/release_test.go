package proxy

import (
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip/transaction"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// SIP-42: after Release (a Registration Call Remove or an operator
// disconnect) the call's state is gone: its session watch stops and a later
// in-dialog request is answered 481 without reaching the callee, with or
// without session timers.
func TestRelease(t *testing.T) {
	for _, se := range []int{0, 90} {
		clk := transaction.NewManualClock(time.Unix(0, 0))
		callee := newUA(t, "callee", timerUA)
		caller := newUA(t, "caller", timerUA)
		p := newProxy(t, Config{Router: to(callee.uri("udp")), Clock: clk, SessionExpires: se, MinSE: se})
		inv := caller.request(t, "INVITE", "sip:callee@example.com", "udp")
		_, got := caller.send(t, inv, p.addr("udp"))
		ok := got[len(got)-1]
		require.Equal(t, 200, ok.StatusCode())
		recv(t, callee.reqs)
		p.Release(inv.Get("Call-ID"))
		assert.Equal(t, 0, p.Sessions())
		_, got = caller.send(t, inDialog(t, caller, "BYE", 2, inv, ok), p.addr("udp"))
		assert.Equal(t, 481, got[len(got)-1].StatusCode(), "session-expires %d", se)
		noRequest(t, callee.reqs)
		clk.Advance(2 * time.Minute)
		noRequest(t, caller.reqs)
	}
}
