package proxy

import (
	"context"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transaction"
	"github.com/causeway-edge/causeway/sip/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// SIP-92: %% numbering zero-padded to the digits of End, wrapping to
// Start after End.
func TestConferenceFactoryNumbering(t *testing.T) {
	f, err := NewConferenceFactory("meet@example.com", "563%%@example.com", 8, 10)
	require.NoError(t, err)
	var got []string
	for range 5 {
		got = append(got, f.Next())
	}
	assert.Equal(t, []string{"56308@example.com", "56309@example.com", "56310@example.com", "56308@example.com", "56309@example.com"}, got)
	f, err = NewConferenceFactory("sip:meet@example.com", "c%%", 0, 0)
	require.NoError(t, err)
	assert.Equal(t, "c0", f.Next())
	assert.Equal(t, "c0", f.Next())
	_, err = NewConferenceFactory("", "no-marker", 5, 4)
	require.Error(t, err)
	for _, s := range []string{"alias is required", "has no %%", "range 5..4"} {
		assert.Contains(t, err.Error(), s)
	}
}

// SIP-92 over sockets: an INVITE to the alias is answered 302 with the
// next conference as Contact; other requests go on to the Router.
func TestConferenceFactory302(t *testing.T) {
	f, err := NewConferenceFactory("meet@example.com", "conf%%@example.com", 1, 100)
	require.NoError(t, err)
	caller := newUA(t, "caller", nil)
	p := newProxy(t, Config{Router: to(), Local: f.Handle})
	for _, want := range []string{"<sip:conf001@example.com>", "<sip:conf002@example.com>"} {
		_, got := caller.send(t, caller.request(t, "INVITE", "sip:Meet@example.com", "udp"), p.addr("udp"))
		r := got[len(got)-1]
		require.Equal(t, 302, r.StatusCode())
		assert.Equal(t, want, r.Get("Contact"))
	}
	_, got := caller.send(t, caller.request(t, "INVITE", "sip:other@example.com", "udp"), p.addr("udp"))
	assert.Equal(t, 404, got[len(got)-1].StatusCode())
}

// SIP-91: the interworking search probe sends OPTIONS (default) or INFO
// for the alias and reports found on a 2xx; auto-response answers found
// without sending anything.
func TestSearchProbe(t *testing.T) {
	zone := newUA(t, "zone", func(u *ua, tx *transaction.ServerTx, req *sip.Message) {
		if ru, _ := req.RequestURI(); ru.User == "known" {
			answer(tx, req, 200, "")
			return
		}
		answer(tx, req, 404, "")
	})
	p := newProxy(t, Config{Router: to()})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	known, _ := sip.ParseURI("sip:known@example.com")
	unknown, _ := sip.ParseURI("sip:unknown@example.com")
	for _, tc := range []struct {
		alias  sip.URI
		method SearchMethod
		want   SearchResult
		sent   string
	}{
		{known, "", SearchResult{Found: true, Status: 200}, "OPTIONS"},
		{unknown, SearchOptions, SearchResult{Status: 404}, "OPTIONS"},
		{known, SearchInfo, SearchResult{Found: true, Status: 200}, "INFO"},
	} {
		res, err := p.Search(ctx, tc.alias, zone.addr("tcp"), tc.method, false)
		require.NoError(t, err)
		assert.Equal(t, tc.want, res)
		m := recv(t, zone.reqs)
		assert.Equal(t, tc.sent, m.Method())
		assert.Equal(t, tc.alias.String(), m.RequestURIString())
	}
	res, err := p.Search(ctx, unknown, zone.addr("tcp"), SearchOptions, true)
	require.NoError(t, err)
	assert.Equal(t, SearchResult{Found: true, Auto: true}, res)
	select {
	case m := <-zone.reqs:
		t.Fatalf("auto-response sent %s", m.Method())
	default:
	}
	_, err = p.Search(ctx, known, transport.Addr{Network: "udp", AddrPort: zone.tp.LocalAddr("udp")}, "REGISTER", false)
	assert.Error(t, err)
}
