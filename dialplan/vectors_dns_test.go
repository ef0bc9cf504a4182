package dialplan_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/causeway-edge/causeway/dialplan"
	"github.com/causeway-edge/causeway/dialplan/dialplantest"
)

// DP-44: ENUM domain construction.
func TestG01G02(t *testing.T) {
	d, ok := dialplan.ENUMDomain("44123456789", "e164.arpa")
	require.True(t, ok)
	assert.Equal(t, "9.8.7.6.5.4.3.2.1.4.4.e164.arpa", d) // G-01
	d, ok = dialplan.ENUMDomain("+44123456789", "e164.arpa.")
	require.True(t, ok)
	assert.Equal(t, "9.8.7.6.5.4.3.2.1.4.4.e164.arpa", d) // G-02
	for _, bad := range []string{"alice", "", "+", "12#4", "++1"} {
		_, ok = dialplan.ENUMDomain(bad, "e164.arpa")
		assert.False(t, ok, bad)
	}
}

func enumHarness(t *testing.T, mods ...func(*dialplan.Zone)) *harness {
	h := newHarness(t)
	mods = append([]func(*dialplan.Zone){func(z *dialplan.Zone) { z.DNSSuffix = "e164.arpa" }}, mods...)
	h.dnsZone("ENUM", dialplan.ENUMZone, mods...)
	h.rule("R0", 50, to(dialplan.LocalZone))
	h.rule("R1", 100, to("ENUM"))
	return h
}

// DP-44: a NAPTR rule with a back-reference, and scheme removal.
func TestG03(t *testing.T) {
	h := enumHarness(t)
	h.res.Add("4.3.2.1.e164.arpa", dialplantest.NAPTR(10, 100, "u", "E2U+h323", `!^(.*)$!h323:\1@example.com!`, "."))
	h.local.Register("1234@example.com", dialplan.AnyProtocol, "")
	r := h.route(sip("1234"))
	require.Equal(t, dialplan.Found, r.Status)
	assert.Equal(t, "1234@example.com", r.Route0().Alias)
}

// DP-44: NAPTR records by order, then preference.
func TestG04(t *testing.T) {
	h := enumHarness(t)
	h.res.Add("4.3.2.1.e164.arpa",
		dialplantest.NAPTR(20, 10, "u", "E2U+SIP", "!^.*$!sip:c@x!", "."),
		dialplantest.NAPTR(10, 100, "u", "E2U+SIP", "!^.*$!sip:b@x!", "."),
		dialplantest.NAPTR(10, 50, "u", "E2U+SIP", "!^.*$!sip:a@x!", "."))
	r := h.route(sip("1234"))
	// Each restart is a full search (the ENUM rule sees the URI too and
	// refuses it as not E.164).
	assert.Equal(t, []string{"p50 LocalZone:1234", "p100 ENUM:1234",
		"p50 LocalZone:a@x", "p100 ENUM:a@x", "p50 LocalZone:b@x", "p100 ENUM:b@x", "p50 LocalZone:c@x", "p100 ENUM:c@x"}, prioQueries(r, dialplan.SIP))
	// First found wins: with b@x registered, c@x is never searched.
	h2 := enumHarness(t)
	h2.res.Add("4.3.2.1.e164.arpa",
		dialplantest.NAPTR(20, 10, "u", "E2U+SIP", "!^.*$!sip:c@x!", "."),
		dialplantest.NAPTR(10, 100, "u", "E2U+SIP", "!^.*$!sip:b@x!", "."),
		dialplantest.NAPTR(10, 50, "u", "E2U+SIP", "!^.*$!sip:a@x!", "."))
	h2.local.Register("b@x", dialplan.AnyProtocol, "")
	r = h2.route(sip("1234"))
	require.Equal(t, dialplan.Found, r.Status)
	assert.Equal(t, "b@x", r.Route0().Alias)
	assert.NotContains(t, prioQueries(r, dialplan.SIP), "p50 LocalZone:c@x")
}

func enumRecords(t *testing.T, h *harness, recs ...dialplan.DNSRecord) []string {
	h.res.Add("4.3.2.1.e164.arpa", recs...)
	r := h.route(sip("1234"))
	var restarts []string
	for _, q := range prioQueries(r, dialplan.SIP) {
		if q != "p50 LocalZone:1234" && strings.HasPrefix(q, "p50 LocalZone:") {
			restarts = append(restarts, q)
		}
	}
	return restarts
}

// DP-44: only flag u.
func TestG05(t *testing.T) {
	got := enumRecords(t, enumHarness(t),
		dialplantest.NAPTR(10, 10, "s", "E2U+SIP", "!^.*$!sip:s@x!", "."),
		dialplantest.NAPTR(10, 20, "", "E2U+SIP", "!^.*$!sip:e@x!", "."),
		dialplantest.NAPTR(10, 30, "U", "E2U+SIP", "!^.*$!sip:u@x!", "."))
	assert.Equal(t, []string{"p50 LocalZone:u@x"}, got)
}

// DP-44: only E2U+h323 and E2U+SIP.
func TestG06(t *testing.T) {
	got := enumRecords(t, enumHarness(t),
		dialplantest.NAPTR(10, 10, "u", "E2U+email", "!^.*$!mailto:m@x!", "."),
		dialplantest.NAPTR(10, 20, "u", "e2u+sip", "!^.*$!sip:s@x!", "."))
	assert.Equal(t, []string{"p50 LocalZone:s@x"}, got)
}

// DP-44: a protocol that is off in the zone is ignored.
func TestG07(t *testing.T) {
	got := enumRecords(t, enumHarness(t, func(z *dialplan.Zone) { z.H323Mode = dialplan.Off }),
		dialplantest.NAPTR(10, 10, "u", "E2U+h323", "!^.*$!h323:h@x!", "."),
		dialplantest.NAPTR(10, 20, "u", "E2U+SIP", "!^.*$!sip:s@x!", "."))
	assert.Equal(t, []string{"p50 LocalZone:s@x"}, got)
}

// DP-44: a non-E.164 alias is not looked up.
func TestG08(t *testing.T) {
	h := enumHarness(t)
	r := h.route(sip("alice"))
	assert.Empty(t, h.res.Asked())
	assert.Equal(t, dialplan.NotFound, r.Status)
	var reason dialplan.Reason
	for _, s := range r.Trace.Steps {
		if s.Kind == dialplan.StepResponse && s.Target == "ENUM" {
			reason = s.Reason
		}
	}
	assert.Equal(t, dialplan.ReasonNotE164, reason)
}

func dnsHarness(t *testing.T, mods ...func(*dialplan.Zone)) *harness {
	h := newHarness(t)
	h.dnsZone("DNS", dialplan.DNSZone, mods...)
	h.zone("Z")
	h.cfg.Interworking = dialplan.InterworkingOff
	h.rule("R1", 100, apm(Rx, ".*@.*", L, ""), to("DNS"))
	h.rule("R2", 200, to("Z"))
	return h
}

// DP-43: RFC 3263 SRV order without NAPTR.
func TestG09(t *testing.T) {
	h := dnsHarness(t)
	h.route(sip("bob@example.com"))
	asked := h.res.Asked()
	// Two runs (indexed and traced) ask the same sequence.
	require.Len(t, asked, 8)
	assert.Equal(t, []string{"NAPTR example.com", "SRV _sips._tcp.example.com", "SRV _sip._tcp.example.com", "SRV _sip._udp.example.com"}, asked[:4])
}

// DP-43: no SRV and no address-record fallback: not found, search goes on.
func TestG10(t *testing.T) {
	h := dnsHarness(t)
	h.res.Add("example.com", dialplantest.Addr("192.0.2.7"))
	r := h.route(sip("bob@example.com"))
	assert.Equal(t, []string{"p100 DNS:bob@example.com", "p200 Z:bob@example.com"}, prioQueries(r, dialplan.SIP))
	assert.Equal(t, dialplan.NotFound, r.Status)
}

// DP-43: IncludeAddressRecord On routes to the A record and stops.
func TestG11(t *testing.T) {
	h := dnsHarness(t, func(z *dialplan.Zone) { z.IncludeAddressRecord = dialplan.On })
	h.res.Add("example.com", dialplantest.Addr("192.0.2.7"))
	r := h.route(sip("bob@example.com"))
	assert.Equal(t, []string{"p100 DNS:bob@example.com"}, prioQueries(r, dialplan.SIP))
	require.Equal(t, dialplan.Found, r.Status)
	assert.Equal(t, []dialplan.Location{{Host: "192.0.2.7", Port: 5060}}, r.Route0().Locations)
	assert.Empty(t, h.zones["Z"].Queries())
}

// DP-43: H.323 dial string with a port means an LRQ to it.
func TestG12(t *testing.T) {
	h := dnsHarness(t)
	h.res.Add("_h323cs._tcp.example.com", dialplantest.SRV(10, 10, 1720, "gk.example.com"))
	h.res.Add("gk.example.com", dialplantest.Addr("192.0.2.8"))
	req := sip("user@example.com:1719")
	req.Protocol = dialplan.H323
	r := h.route(req)
	require.Equal(t, dialplan.Found, r.Status)
	assert.Equal(t, []dialplan.Location{{Host: "example.com", Port: 1719, LRQ: true}}, r.Route0().Locations)
	// Without a port, _h323cs gives a call location.
	req.Alias = "user@example.com"
	r = h.route(req)
	require.Equal(t, dialplan.Found, r.Status)
	assert.Equal(t, []dialplan.Location{{Host: "192.0.2.8", Port: 1720}}, r.Route0().Locations)
}

// DP-43: "Domain to search for" replaces the domain looked up, not the
// alias.
func TestG13(t *testing.T) {
	h := dnsHarness(t, func(z *dialplan.Zone) { z.DomainToSearchFor = "cs.example.net" })
	h.res.Add("_sip._tcp.cs.example.net", dialplantest.SRV(10, 10, 5060, "sip.example.net"))
	h.res.Add("sip.example.net", dialplantest.Addr("192.0.2.9"))
	r := h.route(sip("bob@example.com"))
	require.Equal(t, dialplan.Found, r.Status)
	assert.Equal(t, "bob@example.com", r.Route0().Alias)
	assert.Equal(t, []dialplan.Location{{Host: "192.0.2.9", Port: 5060, Transport: "tcp"}}, r.Route0().Locations)
	assert.Contains(t, h.res.Asked(), "SRV _sip._tcp.cs.example.net")
	assert.NotContains(t, h.res.Asked(), "NAPTR example.com")
}

// DP-43: NAPTR records drive the SRV names when present.
func TestDNSNAPTR(t *testing.T) {
	h := dnsHarness(t)
	h.res.Add("example.com",
		dialplantest.NAPTR(20, 10, "s", "SIP+D2U", "", "_sip._udp.example.com."),
		dialplantest.NAPTR(10, 10, "s", "SIPS+D2T", "", "_sips._tcp.example.com."))
	h.res.Add("_sips._tcp.example.com", dialplantest.SRV(10, 10, 5061, "a.example.com"))
	h.res.Add("_sip._udp.example.com", dialplantest.SRV(10, 10, 5060, "b.example.com"))
	h.res.Add("a.example.com", dialplantest.Addr("2001:db8::a"))
	r := h.route(sip("bob@example.com"))
	require.Equal(t, dialplan.Found, r.Status)
	assert.Equal(t, []dialplan.Location{{Host: "2001:db8::a", Port: 5061, Transport: "tls"}, {Host: "b.example.com", Port: 5060, Transport: "udp"}}, r.Route0().Locations)
	assert.Equal(t, "[2001:db8::a]:5061", r.Route0().Address)
}
