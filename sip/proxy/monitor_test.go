package proxy

import (
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transaction"
	"github.com/causeway-edge/causeway/sip/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func answerAll(code int) func(*ua, *transaction.ServerTx, *sip.Message) {
	return func(u *ua, tx *transaction.ServerTx, req *sip.Message) { answer(tx, req, code, "") }
}

func waitStatus(t *testing.T, ch <-chan PeerStatus, n int) map[transport.Addr]PeerStatus {
	t.Helper()
	out := map[transport.Addr]PeerStatus{}
	for len(out) < n {
		select {
		case s := <-ch:
			out[s.Peer] = s
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d of %d peer results", len(out), n)
		}
	}
	return out
}

// SIP-90: OPTIONS to every peer, at once and then every interval; any
// final response is alive except a 5xx with ClassFiveResponseLiveness
// No; Timer F marks a silent peer inactive; a zone without an alive peer
// is inactive. Driven by an injected clock.
func TestMonitor(t *testing.T) {
	for _, classFive := range []bool{false, true} {
		clk := transaction.NewManualClock(time.Unix(0, 0))
		good := newUA(t, "good", answerAll(200))
		busy := newUA(t, "busy", answerAll(503))
		mute := newUA(t, "mute", nil)
		p := newProxy(t, Config{Router: to(), Clock: clk})
		ch := make(chan PeerStatus, 16)
		m, err := p.NewMonitor(MonitorConfig{
			Peers: map[string][]transport.Addr{
				"z1": {good.addr("udp")},
				"z2": {busy.addr("udp"), mute.addr("tcp")},
			},
			ClassFiveResponseLiveness: classFive,
			OnChange:                  func(s PeerStatus) { ch <- s },
		})
		require.NoError(t, err)
		got := waitStatus(t, ch, 2)
		assert.True(t, got[good.addr("udp")].Alive)
		assert.Equal(t, 200, got[good.addr("udp")].Status)
		assert.Equal(t, classFive, got[busy.addr("udp")].Alive, "5xx with ClassFiveResponseLiveness %v", classFive)
		assert.True(t, m.ZoneActive("z1"))
		assert.Equal(t, classFive, m.ZoneActive("z2"))
		assert.True(t, m.ZoneActive("unmonitored"))
		assert.Equal(t, "OPTIONS", recv(t, good.reqs).Method())
		assert.Equal(t, "OPTIONS", recv(t, mute.reqs).Method())

		clk.Advance(30 * time.Second) // the next round for the answering peers
		assert.Equal(t, "OPTIONS", recv(t, good.reqs).Method())
		assert.Equal(t, "OPTIONS", recv(t, busy.reqs).Method())
		clk.Advance(2 * time.Second) // 32 s: Timer F of the silent peer
		st := waitStatus(t, ch, 1)[mute.addr("tcp")]
		assert.False(t, st.Alive)
		assert.Equal(t, 0, st.Status)
		assert.False(t, m.PeerAlive("z2", mute.addr("tcp")))
		assert.Equal(t, classFive, m.ZoneActive("z2"))
		require.NoError(t, m.Close())
		require.NoError(t, m.Close())
		clk.Advance(time.Minute)
		select {
		case r := <-good.reqs:
			t.Fatalf("%s after Close", r.Method())
		default:
		}
	}
}
