package dialplantest_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/causeway-edge/causeway/dialplan"
	"github.com/causeway-edge/causeway/dialplan/dialplantest"
)

func TestRegistrations(t *testing.T) {
	log := &dialplantest.Log{}
	r := dialplantest.NewRegistrations(dialplan.Registration{Alias: "sip:Alice@Example.com", Protocol: dialplan.SIP, Address: "192.0.2.1:5060"})
	r.Log = log
	r.Register("1234", dialplan.H323, "")
	ctx := context.Background()
	a, err := r.Search(ctx, dialplan.Query{Zone: "LocalZone", Alias: "alice@example.com", Protocol: dialplan.SIP})
	require.NoError(t, err)
	assert.True(t, a.Found)
	assert.Equal(t, "192.0.2.1:5060", a.Address)
	a, _ = r.Search(ctx, dialplan.Query{Alias: "alice@example.com", Protocol: dialplan.H323})
	assert.False(t, a.Found, "registered for SIP only")
	a, _ = r.Search(ctx, dialplan.Query{Alias: "192.0.2.1", Protocol: dialplan.SIP})
	assert.True(t, a.Found, "found by address")
	assert.True(t, r.KnowsAddress(netip.MustParseAddr("192.0.2.1")))
	assert.False(t, r.KnowsAddress(netip.MustParseAddr("192.0.2.2")))
	r.Unregister("ALICE@example.com")
	a, _ = r.Search(ctx, dialplan.Query{Alias: "alice@example.com", Protocol: dialplan.SIP})
	assert.False(t, a.Found)
	assert.Len(t, r.Queries(), 4)
	assert.Equal(t, "LocalZone:alice@example.com/SIP", log.Strings()[0])
	assert.Equal(t, "1234/H323", r.String())
}

func TestZoneHoldFailReceived(t *testing.T) {
	z := dialplantest.NewZone("bob")
	ctx, cancel := context.WithCancel(context.Background())
	release := z.Hold()
	got := z.Received(1)
	done := make(chan error, 1)
	go func() {
		_, err := z.Search(ctx, dialplan.Query{Alias: "bob"})
		done <- err
	}()
	<-got
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
	release()
	release() // idempotent
	a, err := z.Search(context.Background(), dialplan.Query{Alias: "BOB"})
	require.NoError(t, err)
	assert.True(t, a.Found)
	z.Fail(errors.New("down"))
	_, err = z.Search(context.Background(), dialplan.Query{Alias: "bob"})
	assert.Error(t, err)
	assert.Len(t, z.Queries(), 3)
}

func TestResolverAndPolicy(t *testing.T) {
	r := dialplantest.NewResolver()
	r.Add("example.com.", dialplantest.Addr("192.0.2.1"), dialplantest.Addr("2001:db8::1"), dialplantest.SRV(1, 2, 3, "x"))
	r.Fail("bad.example", dialplan.TypeA, errors.New("servfail"))
	ctx := context.Background()
	recs, err := r.Lookup(ctx, "EXAMPLE.com", dialplan.TypeA)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	recs, _ = r.Lookup(ctx, "example.com", dialplan.TypeAAAA)
	assert.Len(t, recs, 1)
	_, err = r.Lookup(ctx, "bad.example", dialplan.TypeA)
	assert.Error(t, err)
	assert.Equal(t, []string{"A EXAMPLE.com", "AAAA example.com", "A bad.example"}, r.Asked())

	p := dialplantest.NewPolicy().Redirect("a", "b", "c").Reject("x", 403, "no")
	d, err := p.Decide(ctx, dialplan.PolicyRequest{Alias: "A"})
	require.NoError(t, err)
	assert.Equal(t, dialplan.Decision{Action: dialplan.Redirect, Aliases: []string{"b", "c"}}, d)
	d, _ = p.Decide(ctx, dialplan.PolicyRequest{Alias: "x"})
	assert.Equal(t, dialplan.RejectCall, d.Action)
	d, _ = p.Decide(ctx, dialplan.PolicyRequest{Alias: "other"})
	assert.Equal(t, dialplan.Proxy, d.Action)
	p.Fail(errors.New("down"))
	_, err = p.Decide(ctx, dialplan.PolicyRequest{Alias: "a"})
	assert.Error(t, err)
	assert.Len(t, p.Requests(), 4)
}

// A test of a program that routes with dialplan: the Local Zone and a
// neighbor are in-memory doubles, and the Log shows the queries.
func Example() {
	var cfg dialplan.Config
	cfg.Zones = []dialplan.Zone{dialplan.NewZone("Neighbor", dialplan.Neighbor)}
	local := dialplan.NewSearchRule("local")
	local.Priority, local.TargetName = 10, dialplan.LocalZone
	neighbor := dialplan.NewSearchRule("neighbor")
	neighbor.Priority, neighbor.TargetName = 20, "Neighbor"
	cfg.SearchRules = []dialplan.SearchRule{local, neighbor}
	cfg.Interworking = dialplan.InterworkingOff

	log := &dialplantest.Log{}
	regs := dialplantest.NewRegistrations()
	regs.Log = log
	nb := dialplantest.NewZone("carol@example.com")
	nb.Log = log
	e, err := dialplan.NewEngine(cfg, dialplan.WithLocalZone(regs), dialplan.WithTarget("Neighbor", nb))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, _ := e.Route(context.Background(), dialplan.Request{Alias: "carol@example.com", Protocol: dialplan.SIP})
	fmt.Println(res.Status, res.Route0().Zone)
	for _, q := range log.Strings() {
		fmt.Println(q)
	}
	// Output:
	// Found Neighbor
	// LocalZone:carol@example.com/SIP
	// Neighbor:carol@example.com/SIP
}
