package dialplan_test

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/causeway-edge/causeway/dialplan"
	"github.com/causeway-edge/causeway/dialplan/pattern"
)

func ipRules(t *testing.T, mode dialplan.UnknownIPMode) *harness {
	h := newHarness(t)
	h.zone("ExpE")
	h.cfg.CallsToUnknownIPAddresses = mode
	h.rule("R10", 10, anyIP, to(dialplan.LocalZone))
	h.rule("R20", 20, anyIP, to("ExpE"))
	return h
}

// DP-46: Indirect searches the zones of AnyIPAddress rules.
func TestE01(t *testing.T) {
	r := ipRules(t, dialplan.Indirect).route(sip("10.44.10.1"))
	assert.Equal(t, []string{"p10 LocalZone:10.44.10.1", "p20 ExpE:10.44.10.1"}, prioQueries(r, dialplan.SIP))
}

// DP-46: Direct routes to the address without a query.
func TestE02(t *testing.T) {
	r := ipRules(t, dialplan.Direct).route(sip("10.44.10.1"))
	assert.Empty(t, queries(r))
	require.Equal(t, dialplan.Found, r.Status)
	assert.True(t, r.Route0().Direct)
	assert.Equal(t, "10.44.10.1", r.Route0().Address)
}

// DP-46: Off blocks unknown addresses.
func TestE03(t *testing.T) {
	r := ipRules(t, dialplan.UnknownIPOff).route(sip("10.44.10.1"))
	assert.Empty(t, queries(r))
	assert.Equal(t, dialplan.NotFound, r.Status)
	assert.Equal(t, dialplan.ReasonUnknownIPBlocked, r.Reason)
}

// DP-46: a known address (subzone subnet) goes through the Local Zone.
func TestE04(t *testing.T) {
	h := ipRules(t, dialplan.UnknownIPOff)
	h.cfg.Subzones = []dialplan.Subzone{{Name: "Branch", Subnets: []netip.Prefix{netip.MustParsePrefix("10.44.0.0/16")}}}
	r := h.route(sip("10.44.10.1"))
	assert.Equal(t, []string{"p10 LocalZone:10.44.10.1"}, prioQueries(r, dialplan.SIP))
	require.Equal(t, dialplan.Found, r.Status)
	assert.Equal(t, dialplan.LocalZone, r.Route0().Zone)
	// Known by registration, too.
	h2 := ipRules(t, dialplan.UnknownIPOff)
	h2.local.Register("ep1", dialplan.AnyProtocol, "10.44.10.1:5060")
	r = h2.route(sip("10.44.10.1"))
	require.Equal(t, dialplan.Found, r.Status)
	assert.Equal(t, "10.44.10.1:5060", r.Route0().Address)
}

// DP-8, DP-32.
func TestE05(t *testing.T) {
	h := newHarness(t)
	h.zone("Z")
	h.rule("R", 10, to("Z"))
	r := h.route(sip("3ffe:80ee:3706::10:35"))
	assert.Empty(t, queries(r))
	assert.Equal(t, dialplan.NotFound, r.Status)
}

// DP-8: user@IP is a URI, so AnyAlias takes it.
func TestE06(t *testing.T) {
	h := newHarness(t)
	h.zone("Z")
	h.rule("R", 10, to("Z"))
	r := h.route(sip("alice@10.0.0.1"))
	assert.Equal(t, []string{"p10 Z:alice@10.0.0.1"}, prioQueries(r, dialplan.SIP))
}

// DP-11: fallback alias for a request with no user part.
func TestE07(t *testing.T) {
	h := newHarness(t)
	h.zone("Z")
	h.cfg.FallbackAlias = "reception@example.com"
	h.cfg.System.Domains = []string{"example.com"}
	h.rule("R", 10, to("Z"))
	for _, dialled := range []string{"example.com", "sip:example.com", ""} {
		r := h.route(sip(dialled))
		assert.Equal(t, []string{"p10 Z:reception@example.com"}, prioQueries(r, dialplan.SIP), dialled)
		assert.Equal(t, "reception@example.com", r.Alias)
	}
}

// DP-11: no fallback alias means NoAlias.
func TestE08(t *testing.T) {
	h := newHarness(t)
	h.zone("Z")
	h.cfg.System.Peers = []pattern.Peer{{LAN1IPv4: netip.MustParseAddr("192.0.2.10")}}
	h.rule("R", 10, to("Z"))
	for _, dialled := range []string{"192.0.2.10", "192.0.2.10:5060", ""} {
		r := h.route(sip(dialled))
		assert.Equal(t, dialplan.Rejected, r.Status, dialled)
		assert.Equal(t, dialplan.ReasonNoAlias, r.Reason, dialled)
		assert.Empty(t, queries(r))
	}
}

func hopHarness(t *testing.T, zoneHops int) *harness {
	h := newHarness(t)
	h.zone("N", func(z *dialplan.Zone) { z.HopCount = zoneHops })
	h.rule("R1", 10, to(dialplan.LocalZone))
	h.rule("R2", 20, to("N"))
	return h
}

func hopsSent(h *harness, received int) (int, bool) {
	req := sip("any")
	req.HopCount = received
	h.route(req)
	q := h.zones["N"].Queries()
	if len(q) == 0 {
		return 0, false
	}
	return q[len(q)-1].HopCount, true
}

// DP-47: hop counts.
func TestE09(t *testing.T) {
	n, ok := hopsSent(hopHarness(t, 15), 0)
	require.True(t, ok)
	assert.Equal(t, 15, n)
}

// DP-47: received hop count minus one.
func TestE10(t *testing.T) {
	n, ok := hopsSent(hopHarness(t, 15), 10)
	require.True(t, ok)
	assert.Equal(t, 9, n)
}

// DP-47: the zone's lower count wins.
func TestE11(t *testing.T) {
	n, ok := hopsSent(hopHarness(t, 5), 10)
	require.True(t, ok)
	assert.Equal(t, 5, n)
}

// DP-47: an exhausted count is not sent; the Local Zone is still searched.
func TestE12(t *testing.T) {
	h := hopHarness(t, 15)
	req := sip("any")
	req.HopCount = 1
	r := h.route(req)
	assert.Empty(t, h.zones["N"].Queries())
	assert.Equal(t, []string{"p10 LocalZone:any"}, prioQueries(r, dialplan.SIP))
	hopLimited := false
	for _, s := range r.Trace.Steps {
		hopLimited = hopLimited || s.Reason == dialplan.ReasonHopLimit && s.Target == "N"
	}
	assert.True(t, hopLimited, r.Trace.String())
}

// DP-47, DP-51: Locate with hop count 0 searches only the Local Zone.
func TestE13(t *testing.T) {
	h := hopHarness(t, 15)
	e := h.engine()
	r, err := e.Locate(context.Background(), dialplan.LocateRequest{Alias: "alice", HopCount: 0, Protocol: dialplan.SIP})
	require.NoError(t, err)
	assert.Empty(t, h.zones["N"].Queries())
	assert.Equal(t, []string{"p10 LocalZone:alice"}, prioQueries(r, dialplan.SIP))
	r, err = e.Locate(context.Background(), dialplan.LocateRequest{Alias: "alice", HopCount: 7, Protocol: dialplan.SIP})
	require.NoError(t, err)
	q := h.zones["N"].Queries()
	require.NotEmpty(t, q)
	assert.Equal(t, 7, q[0].HopCount) // min(H, zone)
}

// DP-52: the history keeps the last 255 searches.
func TestE14(t *testing.T) {
	h := newHarness(t)
	h.rule("R", 10, to(dialplan.LocalZone))
	e := h.engine()
	for i := 0; i < 256; i++ {
		_, err := e.Route(context.Background(), sip(fmt.Sprintf("alias%d", i)))
		require.NoError(t, err)
	}
	hist := e.History()
	require.Len(t, hist, 255)
	assert.Equal(t, "alias1", hist[0].Destination)
	assert.Equal(t, "alias255", hist[254].Destination)
	assert.Equal(t, []string{dialplan.LocalZone}, hist[254].Zones)
	assert.NotEmpty(t, hist[254].CallTag)
	assert.Equal(t, "Route", hist[254].Type)
}

// DP-53: the 501st concurrent search is refused.
func TestE15(t *testing.T) {
	h := newHarness(t)
	z := h.zone("Z")
	h.rule("R", 10, to("Z"))
	e := h.engine()
	release := z.Hold()
	got := z.Received(dialplan.DefaultMaxSearches)
	var wg sync.WaitGroup
	for i := 0; i < dialplan.DefaultMaxSearches; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = e.Route(context.Background(), sip("a"))
		}()
	}
	for i := 0; i < dialplan.DefaultMaxSearches; i++ {
		<-got
	}
	_, err := e.Route(context.Background(), sip("a"))
	assert.ErrorIs(t, err, dialplan.ErrTooManySearches)
	release()
	wg.Wait()
	_, err = e.Route(context.Background(), sip("a"))
	assert.NoError(t, err)
}

// DP-51: Locate's default source alias.
func TestE16(t *testing.T) {
	h := newHarness(t)
	h.rule("R", 10, to(dialplan.LocalZone))
	r, err := h.engine().Locate(context.Background(), dialplan.LocateRequest{Alias: "alice", HopCount: 15, Protocol: dialplan.SIP})
	require.NoError(t, err)
	assert.Contains(t, r.Trace.String(), "xcom-locate")
	hist := h.engine().History()
	assert.Equal(t, "xcom-locate", hist[len(hist)-1].SourceAlias)
	assert.Equal(t, "Locate", hist[len(hist)-1].Type)
}

// DP-10: only the first destination alias is searched.
func TestE17(t *testing.T) {
	h := newHarness(t)
	h.rule("R", 10, to(dialplan.LocalZone))
	r := h.route(dialplan.Request{Aliases: []string{"a", "b"}, Protocol: dialplan.H323, Source: dialplan.FromLocalZone("")})
	assert.Equal(t, []string{"p10 LocalZone:a"}, prioQueries(r, dialplan.H323))
	for _, q := range queries(r) {
		assert.False(t, strings.HasPrefix(q, "LocalZone:b"))
	}
}
