package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/registrar"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// registerUA registers user@causeway.local at ua's address over UDP.
func registerUA(t *testing.T, ua *udpEnd, edge, user, userAgent string) {
	t.Helper()
	ua.sendTo(edge, `REGISTER sip:causeway.local SIP/2.0
Via: SIP/2.0/UDP %[1]s;branch=z9hG4bK-reg-%[2]s;rport
Max-Forwards: 70
From: <sip:%[2]s@causeway.local>;tag=r1
To: <sip:%[2]s@causeway.local>
Call-ID: reg-%[2]s
CSeq: 1 REGISTER
Contact: <sip:%[2]s@%[1]s>
User-Agent: %[3]s
Expires: 600
Content-Length: 0

`, ua.addr(), user, userAgent)
	require.Equal(t, 200, ua.next().m.StatusCode())
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(v))
}

// SIP-58 and SIP-60 through the edge: the registration record carries the
// device class the licensing block gives its User-Agent; the operator
// removes bob's registration over HTTP; with registrar.call_remove on his
// call is released (SIP-42: the caller's BYE then gets 481) and the ended
// registration is in the history with its reason.
func TestOperatorRemovalReleasesCalls(t *testing.T) {
	text := strings.Replace(fmt.Sprintf(testConfig, filepath.Join(t.TempDir(), "cdr.jsonl"), ""),
		"registrar:\n  domains: [causeway.local]\n", "registrar:\n  domains: [causeway.local]\n  call_remove: true\n", 1)
	e := startEdgeConfig(t, text)
	edge := e.target("udp")
	bob, alice := newUDPEnd(t), newUDPEnd(t)
	registerUA(t, bob, edge, "bob", "Cisco DX80 CE9.12.3")
	registerUA(t, alice, edge, "alice", "TANDBERG/529 (TC7.3.6) Room Kit")

	base := "http://" + e.HTTPAddr()
	var devices []registrar.Device
	getJSON(t, base+"/registrations/devices", &devices)
	require.Len(t, devices, 2)
	classes := map[string]string{}
	for _, d := range devices {
		require.NotEmpty(t, d.Bindings)
		classes[d.Bindings[0].AOR] = d.Bindings[0].DeviceClass
		assert.Equal(t, "SIP", d.Bindings[0].Protocol)
	}
	assert.Equal(t, map[string]string{"bob@causeway.local": "desktop", "alice@causeway.local": "room"}, classes)

	alice.sendTo(edge, `INVITE sip:bob@causeway.local SIP/2.0
Via: SIP/2.0/UDP %[1]s;branch=z9hG4bK-inv-cr;rport
Max-Forwards: 70
From: <sip:alice@causeway.local>;tag=a1
To: <sip:bob@causeway.local>
Call-ID: call-remove-1
CSeq: 1 INVITE
Contact: <sip:alice@%[1]s>
Content-Length: 0

`, alice.addr())
	inv := bob.nextRequest(sip.MethodInvite)
	bob.reply(inv, 200, func(r *sip.Message) {
		require.NoError(t, r.SetToTag("b1"))
		require.NoError(t, r.Add(sip.HdrContact, "<sip:bob@"+bob.addr()+">"))
		for _, v := range inv.m.Values(sip.HdrRecordRoute) {
			require.NoError(t, r.Add(sip.HdrRecordRoute, v))
		}
	})
	ok := alice.next()
	require.Equal(t, 200, ok.m.StatusCode())
	require.Eventually(t, func() bool { return len(e.status(t.Context()).ActiveCalls) == 1 }, 5*time.Second, 5*time.Millisecond)

	resp, err := http.PostForm(base+"/registrations/remove", url.Values{"aor": {"bob@causeway.local"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Eventually(t, func() bool { return len(e.status(t.Context()).ActiveCalls) == 0 }, 5*time.Second, 5*time.Millisecond)

	rr, err := ok.m.RecordRoutes()
	require.NoError(t, err)
	require.NotEmpty(t, rr)
	alice.sendTo(edge, `BYE sip:bob@%[2]s SIP/2.0
Via: SIP/2.0/UDP %[1]s;branch=z9hG4bK-bye-cr;rport
Max-Forwards: 70
Route: %[3]s
From: <sip:alice@causeway.local>;tag=a1
To: <sip:bob@causeway.local>;tag=b1
Call-ID: call-remove-1
CSeq: 2 BYE
Content-Length: 0

`, alice.addr(), bob.addr(), rr[0].String())
	assert.Equal(t, 481, alice.next().m.StatusCode(), "SIP-42: the released call is gone")

	var hist []registrar.Ended
	getJSON(t, base+"/registrations/history", &hist)
	require.Len(t, hist, 1)
	assert.Equal(t, "bob@causeway.local", hist[0].Binding.AOR)
	assert.Equal(t, registrar.ReasonOperatorAll, hist[0].Reason)
	assert.True(t, hist[0].ReleaseCalls)
	var aliases []registrar.Alias
	getJSON(t, base+"/registrations/aliases", &aliases)
	require.Len(t, aliases, 1)
	assert.Equal(t, "alice@causeway.local", aliases[0].AOR)

	// Unregister and block needs a DenyList policy (SIP-58).
	resp, err = http.PostForm(base+"/registrations/block", url.Values{"aor": {"alice@causeway.local"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusConflict, resp.StatusCode)
}
