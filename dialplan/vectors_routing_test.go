package dialplan_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/causeway-edge/causeway/dialplan"
	"github.com/causeway-edge/causeway/dialplan/dialplantest"
	"github.com/causeway-edge/causeway/dialplan/pattern"
)

const (
	R  = pattern.Replace
	L  = pattern.Leave
	S  = pattern.Strip
	Rx = pattern.Regex
	Sx = pattern.Suffix
	Px = pattern.Prefix
)

// rsSales is RS-SALES (lines 12803-12835).
func rsSales(t *testing.T) *harness {
	h := newHarness(t)
	h.zone("Sales office")
	h.zone("Head office")
	h.rule("R1", 100, apm(Sx, "@sales.example.com", L, ""), stop, to("Sales office"))
	h.rule("R2", 200, to("Head office"))
	return h
}

// DP-37, DP-38: a Stop rule that matched ends the search even if nothing
// was found.
func TestD01(t *testing.T) {
	r := rsSales(t).route(sip("bob@sales.example.com"))
	assert.Equal(t, []string{"p100 Sales office:bob@sales.example.com"}, prioQueries(r, dialplan.SIP))
	assert.Equal(t, dialplan.NotFound, r.Status)
	assert.Equal(t, dialplan.ReasonStop, r.Reason)
}

// DP-32, DP-33: a rule whose pattern does not match is skipped.
func TestD02(t *testing.T) {
	r := rsSales(t).route(sip("bob@example.com"))
	assert.Equal(t, []string{"p200 Head office:bob@example.com"}, prioQueries(r, dialplan.SIP))
}

func rsOrig(t *testing.T) *harness {
	h := newHarness(t)
	h.zone("Head office")
	h.rule("R1", 100, to("Head office"))
	return h
}

// DP-32: AnyAlias takes a non-IP alias.
func TestD03(t *testing.T) {
	r := rsOrig(t).route(sip("alice"))
	assert.Equal(t, []string{"p100 Head office:alice"}, prioQueries(r, dialplan.SIP))
}

// DP-32: AnyAlias refuses an IP address.
func TestD04(t *testing.T) {
	r := rsOrig(t).route(sip("10.1.1.1"))
	assert.Empty(t, queries(r))
	assert.Equal(t, dialplan.NotFound, r.Status)
	assert.Equal(t, dialplan.ReasonNoRuleMatched, r.Reason)
}

// DP-34: the zone transform applies only to its own rule's query.
func TestD05(t *testing.T) {
	h := newHarness(t)
	h.zone("Overseas office").Add("name", dialplan.AnyProtocol)
	h.rule("R1", 100, to("Overseas office"))
	h.rule("R2", 100, apm(Sx, "@example.com", S, ""), to("Overseas office"))
	r := h.route(sip("name@example.com"))
	assert.Equal(t, []string{"p100 Overseas office:name@example.com", "p100 Overseas office:name"}, prioQueries(r, dialplan.SIP))
	require.Equal(t, dialplan.Found, r.Status)
	assert.Equal(t, "Overseas office", r.Route0().Zone)
	assert.Equal(t, "name", r.Route0().Alias)
}

func rsTwo(t *testing.T, second string) *harness {
	h := newHarness(t)
	h.zone("Head office")
	h.rule("R1", 100, apm(Sx, "example.com", R, "example.co.uk"), to("Head office"))
	h.rule("R2", 100, apm(Sx, "example.com", R, second), to("Head office"))
	return h
}

// DP-33, DP-34: same-priority rules each send their own transformed alias.
func TestD06(t *testing.T) {
	r := rsTwo(t, "example.net").route(sip("name@example.com"))
	assert.Equal(t, []string{"p100 Head office:name@example.co.uk", "p100 Head office:name@example.net"}, prioQueries(r, dialplan.SIP))
}

// DP-35: identical queries in a group are sent once.
func TestD07(t *testing.T) {
	h := rsTwo(t, "example.co.uk")
	r := h.route(sip("name@example.com"))
	assert.Equal(t, []string{"p100 Head office:name@example.co.uk"}, prioQueries(r, dialplan.SIP))
	// Two runs (indexed and traced), each one SIP query and one
	// interworking retry: the duplicate was never sent.
	assert.Len(t, h.zones["Head office"].Queries(), 4)
}

func rsH323Num(t *testing.T) *harness {
	h := newHarness(t)
	h.transform(1, Rx, `(\d+)`, R, `\1@domain`)
	h.rule("R1", 50, apm(Rx, `(\d+)@domain`, R, `\1`), to(dialplan.LocalZone))
	h.rule("R2", 60, apm(Rx, `(\d+)@domain`, L, ""), to(dialplan.LocalZone))
	return h
}

// DP-23, DP-24, DP-34: a pre-search transform then a zone transform.
func TestD08(t *testing.T) {
	h := rsH323Num(t)
	h.local.Register("123", dialplan.H323, "")
	req := sip("123")
	req.Protocol = dialplan.H323
	r := h.route(req)
	assert.Equal(t, []string{"p50 LocalZone:123"}, prioQueries(r, dialplan.H323))
	require.Equal(t, dialplan.Found, r.Status)
	assert.Equal(t, dialplan.LocalZone, r.Route0().Zone)
	steps := r.Trace.Steps
	found := false
	for _, s := range steps {
		if s.Kind == dialplan.StepTransform && s.Alias == "123@domain" {
			found = true
		}
	}
	assert.True(t, found, "pre-search transform to 123@domain in trace:\n%s", r.Trace)
}

// DP-39: interworking retry in the same group, before the next group.
func TestD09(t *testing.T) {
	h := rsH323Num(t)
	h.local.Register("123", dialplan.H323, "")
	r := h.route(sip("123@domain"))
	assert.Equal(t, []string{"LocalZone:123/SIP", "LocalZone:123/H323"}, queries(r))
	require.Equal(t, dialplan.Found, r.Status)
	assert.Equal(t, dialplan.H323, r.Route0().Protocol)
	assert.Equal(t, 50, r.Route0().Priority)
}

// DP-33, DP-39: both protocols of group 50, then group 60.
func TestD10(t *testing.T) {
	h := rsH323Num(t)
	h.local.Register("456@domain", dialplan.SIP, "")
	r := h.route(sip("456"))
	assert.Equal(t, []string{"LocalZone:456/SIP", "LocalZone:456/H323", "LocalZone:456@domain/SIP"}, queries(r))
	require.Equal(t, dialplan.Found, r.Status)
	assert.Equal(t, 60, r.Route0().Priority)
}

// DP-24, DP-34 (RS-H323ID).
func TestD11(t *testing.T) {
	h := newHarness(t)
	h.transform(1, Rx, `([^@]*)`, R, `\1@domain`)
	h.rule("R1", 40, apm(Rx, `(.+)@domain`, R, `\1`), to(dialplan.LocalZone))
	h.rule("R2", 50, apm(Rx, `(.+)@domain`, L, ""), to(dialplan.LocalZone))
	h.local.Register("123abc", dialplan.AnyProtocol, "")
	r := h.route(sip("123abc"))
	assert.Equal(t, []string{"p40 LocalZone:123abc"}, prioQueries(r, dialplan.SIP))
	assert.Equal(t, dialplan.Found, r.Status)
}

func rsIPKnown(t *testing.T) *harness {
	h := newHarness(t)
	h.zone("Overseas office")
	h.rule("R1", 100, source(dialplan.SourceAllZones, ""), anyIP, to("Overseas office"))
	return h
}

// DP-31, DP-32, DP-46.
func TestD12(t *testing.T) {
	r := rsIPKnown(t).route(sip("10.44.10.1"))
	assert.Equal(t, []string{"p100 Overseas office:10.44.10.1"}, prioQueries(r, dialplan.SIP))
}

// DP-31: AllZones excludes the Default Zone.
func TestD13(t *testing.T) {
	req := sip("10.44.10.1")
	req.Source = dialplan.Source{Zone: dialplan.DefaultZone}
	r := rsIPKnown(t).route(req)
	assert.Empty(t, queries(r))
	assert.Equal(t, dialplan.NotFound, r.Status)
}

// DP-32: AnyIPAddress refuses a URI.
func TestD14(t *testing.T) {
	r := rsIPKnown(t).route(sip("alice@example.com"))
	assert.Empty(t, queries(r))
	assert.Equal(t, dialplan.NotFound, r.Status)
}

func rsMS(t *testing.T) *harness {
	h := newHarness(t)
	h.zone("Cisco Meeting Server")
	h.zone("Unified CM")
	h.rule("R1", 100, func(r *dialplan.SearchRule) { r.Protocol, r.TrafficType = dialplan.SIP, dialplan.AnyMicrosoft }, stop, to("Cisco Meeting Server"))
	h.rule("R2", 200, to("Unified CM"))
	return h
}

// DP-30: traffic type.
func TestD15(t *testing.T) {
	req := sip("x@example.com")
	req.Traffic = dialplan.MicrosoftSIP
	r := rsMS(t).route(req)
	assert.Equal(t, []string{"p100 Cisco Meeting Server:x@example.com"}, prioQueries(r, dialplan.SIP))
	assert.Equal(t, dialplan.ReasonStop, r.Reason)
}

// DP-30: traffic type Standard skips the Microsoft rule.
func TestD16(t *testing.T) {
	req := sip("x@example.com")
	req.Traffic = dialplan.Standard
	r := rsMS(t).route(req)
	assert.Equal(t, []string{"p200 Unified CM:x@example.com"}, prioQueries(r, dialplan.SIP))
}

// DP-30: protocol.
func TestD17(t *testing.T) {
	req := sip("x@example.com")
	req.Protocol = dialplan.H323
	r := rsMS(t).route(req)
	assert.Equal(t, []string{"p200 Unified CM:x@example.com"}, prioQueries(r, dialplan.H323))
}

const (
	re911   = `911|(911@%localdomains%)`
	re00911 = `00(911|911@%localdomains%)`
)

func rs911A(t *testing.T) *harness {
	h := newHarness(t)
	h.cfg.System.Domains = []string{"example.com"}
	h.zone("PSTNGateway")
	h.zone("Neighbor")
	h.rule("R1", 1, source(dialplan.SourceLocalZone, ""), apm(Rx, re911, L, ""), stop, to("PSTNGateway"))
	h.rule("R2", 2, source(dialplan.SourceLocalZone, ""), apm(Rx, re00911, R, `\1`), stop, to("PSTNGateway"))
	h.rule("R3", 100, to("Neighbor"))
	return h
}

// DP-15, DP-19, DP-37 (Kari's Law rules).
func TestD18(t *testing.T) {
	r := rs911A(t).route(sip("911"))
	assert.Equal(t, []string{"p1 PSTNGateway:911"}, prioQueries(r, dialplan.SIP))
	assert.Equal(t, dialplan.ReasonStop, r.Reason)
}

// DP-15, DP-17, DP-34: the 00 prefix is replaced away.
func TestD19(t *testing.T) {
	r := rs911A(t).route(sip("00911@example.com"))
	assert.Equal(t, []string{"p2 PSTNGateway:911@example.com"}, prioQueries(r, dialplan.SIP))
}

// DP-31: Source LocalZone rules do not apply to the Default Zone.
func TestD20(t *testing.T) {
	req := sip("911")
	req.Source = dialplan.Source{}
	r := rs911A(t).route(req)
	assert.Equal(t, []string{"p100 Neighbor:911"}, prioQueries(r, dialplan.SIP))
}

func rs911B(t *testing.T) *harness {
	h := newHarness(t)
	h.cfg.System.Domains = []string{"example.com"}
	h.zone("PSTNGateway1")
	h.zone("PSTNGateway2")
	lz := source(dialplan.SourceLocalZone, "")
	h.rule("R1", 1, lz, apm(Rx, re911, L, ""), to("PSTNGateway1"))
	h.rule("R2", 2, lz, apm(Rx, re911, L, ""), stop, to("PSTNGateway2"))
	h.rule("R3", 3, lz, apm(Rx, re00911, R, `\1`), to("PSTNGateway1"))
	h.rule("R4", 4, lz, apm(Rx, re00911, R, `\1`), stop, to("PSTNGateway2"))
	return h
}

// DP-36, DP-37.
func TestD21(t *testing.T) {
	h := rs911B(t)
	h.zones["PSTNGateway2"].Add("911", dialplan.AnyProtocol)
	r := h.route(sip("911"))
	assert.Equal(t, []string{"p1 PSTNGateway1:911", "p2 PSTNGateway2:911"}, prioQueries(r, dialplan.SIP))
	require.Equal(t, dialplan.Found, r.Status)
	assert.Equal(t, "PSTNGateway2", r.Route0().Zone)
}

// DP-37: Stop after nothing found.
func TestD22(t *testing.T) {
	r := rs911B(t).route(sip("911"))
	assert.Equal(t, []string{"p1 PSTNGateway1:911", "p2 PSTNGateway2:911"}, prioQueries(r, dialplan.SIP))
	assert.Equal(t, dialplan.ReasonStop, r.Reason)
}

// DP-34, DP-37.
func TestD23(t *testing.T) {
	r := rs911B(t).route(sip("00911"))
	assert.Equal(t, []string{"p3 PSTNGateway1:911", "p4 PSTNGateway2:911"}, prioQueries(r, dialplan.SIP))
	assert.Equal(t, dialplan.ReasonStop, r.Reason)
}

func rsPolicy(t *testing.T) (*harness, *dialplantest.Policy) {
	h := newHarness(t)
	h.cfg.PolicyServices = []dialplan.PolicyService{{Name: "Conf"}}
	h.rule("R1", 10, apm(Rx, `.*\.meet@example.com`, L, ""), stop, toService("Conf"))
	h.rule("R2", 100, to(dialplan.LocalZone))
	pol := dialplantest.NewPolicy()
	h.opts = append(h.opts, dialplan.WithPolicyService("Conf", pol))
	return h, pol
}

// DP-29, DP-40: a policy service redirect restarts the search.
func TestD24(t *testing.T) {
	h, pol := rsPolicy(t)
	pol.Redirect("team.meet@example.com", "conf123@example.com")
	h.local.Register("conf123@example.com", dialplan.AnyProtocol, "")
	r := h.route(sip("team.meet@example.com"))
	assert.Equal(t, []string{"p10 Conf:team.meet@example.com", "p100 LocalZone:conf123@example.com"}, prioQueries(r, dialplan.SIP))
	require.Equal(t, dialplan.Found, r.Status)
	assert.Equal(t, dialplan.LocalZone, r.Route0().Zone)
	assert.Equal(t, "conf123@example.com", r.Route0().Alias)
}

// DP-4, DP-40: an unreachable service applies its DefaultCPL.
func TestD25(t *testing.T) {
	h, pol := rsPolicy(t)
	pol.Fail(errors.New("connection refused"))
	r := h.route(sip("team.meet@example.com"))
	assert.Equal(t, []string{"p10 Conf:team.meet@example.com"}, prioQueries(r, dialplan.SIP))
	assert.Equal(t, dialplan.Rejected, r.Status)
	assert.Equal(t, 504, r.RejectStatus)
	assert.Equal(t, "Policy Service Unavailable", r.RejectReason)
}

// DP-44, DP-29: ENUM restart keeps the hop count.
func TestD26(t *testing.T) {
	h := newHarness(t)
	h.dnsZone("ENUM", dialplan.ENUMZone, func(z *dialplan.Zone) { z.DNSSuffix = "e164.arpa" })
	h.rule("R0", 50, to(dialplan.LocalZone))
	h.rule("R1", 100, to("ENUM"))
	h.local.Register("fred@example.com", dialplan.AnyProtocol, "")
	h.res.Add("9.8.7.6.5.4.3.2.1.4.4.e164.arpa", dialplantest.NAPTR(10, 100, "u", "E2U+SIP", "!^(.*)$!sip:fred@example.com!", "."))
	req := sip("44123456789")
	req.HopCount = 10
	r := h.route(req)
	assert.Equal(t, []string{"p50 LocalZone:44123456789", "p100 ENUM:44123456789", "p50 LocalZone:fred@example.com"}, prioQueries(r, dialplan.SIP))
	require.Equal(t, dialplan.Found, r.Status)
	assert.Equal(t, "fred@example.com", r.Route0().Alias)
	assert.Equal(t, 9, r.Route0().HopCount)
	assert.Contains(t, h.res.Asked(), "NAPTR 9.8.7.6.5.4.3.2.1.4.4.e164.arpa")
}

// DP-44: ENUM only for matching aliases.
func TestD27(t *testing.T) {
	h := newHarness(t)
	h.dnsZone("ENUM-UK", dialplan.ENUMZone, func(z *dialplan.Zone) { z.DNSSuffix = "e164.arpa" })
	h.rule("R", 100, apm(Px, "44", L, ""), to("ENUM-UK"))
	h.route(sip("441189876432"))
	assert.Contains(t, h.res.Asked(), "NAPTR 2.3.4.6.7.8.9.8.1.1.4.4.e164.arpa")
	n := len(h.res.Asked())
	r := h.route(sip("331234"))
	assert.Len(t, h.res.Asked(), n)
	assert.Equal(t, dialplan.NotFound, r.Status)
}

// DP-44: the zone transform runs before the ENUM conversion.
func TestD28(t *testing.T) {
	h := newHarness(t)
	h.dnsZone("ENUM", dialplan.ENUMZone, func(z *dialplan.Zone) { z.DNSSuffix = "e164.arpa" })
	h.rule("R", 100, apm(Rx, `8(\d{4})`, R, `44123123(\1)`), to("ENUM"))
	h.route(sip("81234"))
	assert.Contains(t, h.res.Asked(), "NAPTR 4.3.2.1.3.2.1.3.2.1.4.4.e164.arpa")
}

// DP-43: only URIs go to DNS.
func TestD29(t *testing.T) {
	h := newHarness(t)
	h.dnsZone("DNS", dialplan.DNSZone)
	h.rule("R1", 100, apm(Rx, `.*@.*`, L, ""), to("DNS"))
	h.route(sip("alice"))
	assert.Empty(t, h.res.Asked())
	h.route(sip("alice@remote.com"))
	assert.Contains(t, h.res.Asked(), "NAPTR remote.com")
}

// DP-14: negative lookahead keeps local domains away from DNS.
func TestD30(t *testing.T) {
	h := newHarness(t)
	h.dnsZone("DNS", dialplan.DNSZone)
	h.rule("R1", 100, apm(Rx, `(?!.*@example.com$).*`, L, ""), to("DNS"))
	h.route(sip("bob@example.com"))
	assert.Empty(t, h.res.Asked())
	h.route(sip("bob@remote.com"))
	assert.Contains(t, h.res.Asked(), "NAPTR remote.com")
}

func rsStop(t *testing.T, r1Stop bool) *harness {
	h := newHarness(t)
	h.zone("Z1")
	h.zone("Z2")
	h.zone("Z3")
	if r1Stop {
		h.rule("R1", 10, stop, to("Z1"))
	} else {
		h.rule("R1", 10, to("Z1"))
	}
	h.rule("R2", 10, to("Z2"))
	h.rule("R3", 20, to("Z3"))
	return h
}

// DP-36: found in a group ends the search.
func TestD31(t *testing.T) {
	h := rsStop(t, true)
	h.zones["Z2"].Add("a", dialplan.AnyProtocol)
	r := h.route(sip("a"))
	assert.Equal(t, []string{"p10 Z1:a", "p10 Z2:a"}, prioQueries(r, dialplan.SIP))
	require.Equal(t, dialplan.Found, r.Status)
	assert.Equal(t, "Z2", r.Route0().Zone)
	assert.Empty(t, h.zones["Z3"].Queries())
}

// DP-37: Stop completes its group, then ends the search.
func TestD32(t *testing.T) {
	h := rsStop(t, true)
	r := h.route(sip("a"))
	assert.Equal(t, []string{"p10 Z1:a", "p10 Z2:a"}, prioQueries(r, dialplan.SIP))
	assert.Equal(t, dialplan.ReasonStop, r.Reason)
	assert.Empty(t, h.zones["Z3"].Queries())
}

// DP-37: Continue goes on to the next group.
func TestD33(t *testing.T) {
	r := rsStop(t, false).route(sip("a"))
	assert.Equal(t, []string{"p10 Z1:a", "p10 Z2:a", "p20 Z3:a"}, prioQueries(r, dialplan.SIP))
}

func rsAuth(t *testing.T) *harness {
	h := newHarness(t)
	h.zone("Z1")
	h.zone("Z2")
	h.rule("R1", 10, func(r *dialplan.SearchRule) { r.Authentication = true }, to("Z1"))
	h.rule("R2", 20, to("Z2"))
	return h
}

// DP-30: Authentication.
func TestD34(t *testing.T) {
	r := rsAuth(t).route(sip("a"))
	assert.Equal(t, []string{"p20 Z2:a"}, prioQueries(r, dialplan.SIP))
}

// DP-30: an authenticated request sees both rules.
func TestD35(t *testing.T) {
	req := sip("a")
	req.Authenticated = true
	r := rsAuth(t).route(req)
	assert.Equal(t, []string{"p10 Z1:a", "p20 Z2:a"}, prioQueries(r, dialplan.SIP))
}

// DP-31: Named source by subzone.
func TestD36(t *testing.T) {
	h := newHarness(t)
	h.zone("Z")
	h.cfg.Subzones = []dialplan.Subzone{{Name: "Branch"}}
	h.rule("R", 10, source(dialplan.SourceNamed, dialplan.DefaultSubZone), to("Z"))
	r := h.route(sip("a"))
	assert.Equal(t, []string{"p10 Z:a"}, prioQueries(r, dialplan.SIP))
	req := sip("a")
	req.Source = dialplan.FromLocalZone("Branch")
	r = h.route(req)
	assert.Empty(t, queries(r))
	assert.Equal(t, dialplan.NotFound, r.Status)
}

func rsPre(t *testing.T) *harness {
	h := newHarness(t)
	h.transform(1, Px, "9", S, "")
	h.transform(2, Px, "1", S, "")
	h.rule("R", 100, to(dialplan.LocalZone))
	return h
}

// DP-24: one transform per search.
func TestD37(t *testing.T) {
	r := rsPre(t).route(sip("9123"))
	assert.Equal(t, []string{"p100 LocalZone:123"}, prioQueries(r, dialplan.SIP))
}

// DP-24: the second transform applies when the first does not match.
func TestD38(t *testing.T) {
	r := rsPre(t).route(sip("1234"))
	assert.Equal(t, []string{"p100 LocalZone:234"}, prioQueries(r, dialplan.SIP))
}

// DP-23: cluster peers are not transformed again.
func TestD39(t *testing.T) {
	req := sip("9123")
	req.Source = dialplan.Source{ClusterPeer: true}
	r := rsPre(t).route(req)
	assert.Equal(t, []string{"p100 LocalZone:9123"}, prioQueries(r, dialplan.SIP))
}

// DP-24: disabled transforms are ignored.
func TestD40(t *testing.T) {
	h := rsPre(t)
	h.cfg.Transforms[1].State = dialplan.Disabled
	r := h.route(sip("1234"))
	assert.Equal(t, []string{"p100 LocalZone:1234"}, prioQueries(r, dialplan.SIP))
}

// DP-30: disabled rules are ignored.
func TestD41(t *testing.T) {
	h := rsOrig(t)
	h.cfg.SearchRules[0].State = dialplan.Disabled
	r := h.route(sip("alice"))
	assert.Empty(t, queries(r))
	assert.Equal(t, dialplan.NotFound, r.Status)
}

func rsIW(t *testing.T) *harness {
	h := newHarness(t)
	h.zone("N1")
	h.zone("N2")
	h.rule("R1", 100, to(dialplan.LocalZone))
	h.rule("R2", 100, to("N2"))
	return h
}

// DP-39: RegisteredOnly retries only the Local Zone for a neighbor source.
func TestD42(t *testing.T) {
	h := rsIW(t)
	h.local.Register("alice@example.com", dialplan.SIP, "")
	req := dialplan.Request{Alias: "alice@example.com", Protocol: dialplan.H323, Source: dialplan.FromZone("N1")}
	r := h.route(req)
	assert.Equal(t, []string{"LocalZone:alice@example.com/H323", "N2:alice@example.com/H323", "LocalZone:alice@example.com/SIP"}, queries(r))
	require.Equal(t, dialplan.Found, r.Status)
	assert.Equal(t, dialplan.SIP, r.Route0().Protocol)
}

// DP-39: RegisteredOnly retries every zone for a local registration.
func TestD43(t *testing.T) {
	req := dialplan.Request{Alias: "bob@x.com", Protocol: dialplan.H323, Source: dialplan.FromLocalZone("")}
	r := rsIW(t).route(req)
	assert.Equal(t, []string{"LocalZone:bob@x.com/H323", "N2:bob@x.com/H323", "LocalZone:bob@x.com/SIP", "N2:bob@x.com/SIP"}, queries(r))
}

// DP-39: Interworking Off.
func TestD44(t *testing.T) {
	h := rsIW(t)
	h.cfg.Interworking = dialplan.InterworkingOff
	r := h.route(sip("bob@x.com"))
	assert.Equal(t, []string{"LocalZone:bob@x.com/SIP", "N2:bob@x.com/SIP"}, queries(r))
}

// DP-39: a zone with SIP Mode Off is never queried in SIP.
func TestD45(t *testing.T) {
	h := newHarness(t)
	h.zone("N2", func(z *dialplan.Zone) { z.SIPMode = dialplan.Off })
	h.rule("R1", 100, to(dialplan.LocalZone))
	h.rule("R2", 100, to("N2"))
	h.cfg.Interworking = dialplan.InterworkingOff
	r := h.route(sip("bob@x.com"))
	assert.Equal(t, []string{"LocalZone:bob@x.com/SIP"}, queries(r))
	assert.Empty(t, h.zones["N2"].Queries())
}

// DP-48: policy redirect loops end the branch.
func TestD46(t *testing.T) {
	h := newHarness(t)
	h.rule("R", 100, to(dialplan.LocalZone))
	h.cfg.CallPolicyMode = dialplan.CallPolicyLocalCPL
	pol := dialplantest.NewPolicy().Redirect("a", "b").Redirect("b", "a")
	h.opts = append(h.opts, dialplan.WithCallPolicy(pol))
	r := h.route(sip("a"))
	assert.Equal(t, dialplan.NotFound, r.Status)
	assert.Equal(t, dialplan.ReasonPolicyLoop, r.Reason)
	assert.Empty(t, queries(r))
}

// DP-49, DP-50: call loop detection on (tag, alias, protocol, zone).
func TestD47(t *testing.T) {
	for _, c := range []struct {
		name     string
		second   dialplan.Request
		mode     dialplan.Switch
		wantLoop bool
	}{
		{"same search", dialplan.Request{Alias: "X@Y", Protocol: dialplan.SIP, Source: dialplan.FromZone("N1"), CallTag: "T"}, dialplan.SwitchDefault, true},
		{"other zone", dialplan.Request{Alias: "X@Y", Protocol: dialplan.SIP, Source: dialplan.FromZone("N3"), CallTag: "T"}, dialplan.On, false},
		{"other protocol", dialplan.Request{Alias: "X@Y", Protocol: dialplan.H323, Source: dialplan.FromZone("N1"), CallTag: "T"}, dialplan.On, false},
		{"other tag", dialplan.Request{Alias: "X@Y", Protocol: dialplan.SIP, Source: dialplan.FromZone("N1"), CallTag: "U"}, dialplan.On, false},
		{"mode off", dialplan.Request{Alias: "X@Y", Protocol: dialplan.SIP, Source: dialplan.FromZone("N1"), CallTag: "T"}, dialplan.Off, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			n2 := h.zone("N2")
			h.zone("N1")
			h.zone("N3")
			h.cfg.CallLoopDetection = c.mode
			h.rule("R", 100, to("N2"))
			var logBuf bytes.Buffer
			var mu sync.Mutex
			h.opts = append(h.opts, dialplan.WithLogger(slog.New(slog.NewJSONHandler(&lockedWriter{w: &logBuf, mu: &mu}, nil))))
			e := h.engine()
			release := n2.Hold()
			got := n2.Received(4)
			first := make(chan dialplan.Result, 1)
			go func() {
				r, _ := e.Route(context.Background(), dialplan.Request{Alias: "x@y", Protocol: dialplan.SIP, Source: dialplan.FromZone("N1"), CallTag: "T"})
				first <- r
			}()
			<-got // the first search is in flight
			c.second.Trace = true
			if !c.wantLoop {
				// The second search would block on the held zone too;
				// release it first so it completes.
				release()
			}
			r, err := e.Route(context.Background(), c.second)
			require.NoError(t, err)
			release()
			<-first
			if c.wantLoop {
				assert.Equal(t, dialplan.ReasonLoopDetected, r.Reason)
				mu.Lock()
				assert.Contains(t, logBuf.String(), `"msg":"loop detected"`)
				assert.Contains(t, logBuf.String(), `"event_level":2`)
				mu.Unlock()
				loopStep := false
				for _, s := range r.Trace.Steps {
					loopStep = loopStep || s.Kind == dialplan.StepLoop
				}
				assert.True(t, loopStep)
			} else {
				assert.NotEqual(t, dialplan.ReasonLoopDetected, r.Reason)
			}
		})
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// DP-27: built-in Call Policy rules.
func TestD48(t *testing.T) {
	mk := func(rules bool) *harness {
		h := newHarness(t)
		h.zone("N1")
		h.cfg.CallPolicyMode = dialplan.CallPolicyLocalCPL
		if rules {
			h.cfg.CallPolicyRules = []dialplan.CallPolicyRule{
				{Source: dialplan.PolicyFromUnauthenticated, DestinationPattern: ".*", Action: dialplan.Reject},
				{Source: dialplan.PolicyFromZone, SourceZone: "N1", DestinationPattern: "9(.*)", Action: dialplan.Allow},
			}
		}
		h.rule("R", 100, to(dialplan.LocalZone))
		h.local.Register("9123", dialplan.AnyProtocol, "")
		return h
	}
	r := mk(true).route(sip("9123"))
	assert.Equal(t, dialplan.Rejected, r.Status)
	assert.Equal(t, dialplan.ReasonPolicy, r.Reason)
	assert.Empty(t, queries(r))
	req := sip("9123")
	req.Authenticated = true
	r = mk(true).route(req)
	assert.Equal(t, dialplan.Found, r.Status)
	r = mk(false).route(sip("9123"))
	assert.Equal(t, dialplan.Found, r.Status)
}

// DP-45: the default rule set's order.
func TestD49(t *testing.T) {
	h := newHarness(t)
	h.zone("N")
	h.dnsZone("D", dialplan.DNSZone)
	h.cfg.SearchRules = dialplan.DefaultRuleSet(h.cfg.Zones)
	r := h.route(sip("x@y.com"))
	assert.Equal(t, []string{"p50 LocalZone:x@y.com", "p100 N:x@y.com", "p150 D:x@y.com"}, prioQueries(r, dialplan.SIP))
}

// DP-16, DP-34: structured dial plan.
func TestD50(t *testing.T) {
	h := newHarness(t)
	h.zone("UK")
	h.rule("R", 50, apm(Px, "44", S, ""), to("UK"))
	r := h.route(sip("441234"))
	assert.Equal(t, []string{"p50 UK:1234"}, prioQueries(r, dialplan.SIP))
}

// DP-36: first responder wins; a simultaneous tie goes to the lowest rule
// index.
func TestD51(t *testing.T) {
	mk := func() (*harness, *dialplantest.Zone, *dialplantest.Zone) {
		h := newHarness(t)
		za := h.zone("Z-a")
		zb := h.zone("Z-b")
		za.Add("a", dialplan.AnyProtocol)
		zb.Add("a", dialplan.AnyProtocol)
		h.rule("R1", 100, to("Z-a"))
		h.rule("R2", 100, to("Z-b"))
		return h, za, zb
	}
	// Z-a is held: Z-b answers first, Z-a's query is cancelled.
	h, za, _ := mk()
	release := za.Hold()
	defer release()
	r, err := h.engine().Route(context.Background(), sip("a"))
	require.NoError(t, err)
	require.Equal(t, dialplan.Found, r.Status)
	assert.Equal(t, "Z-b", r.Route0().Zone)
	// Both answer at once: the lowest rule index wins.
	h, _, _ = mk()
	for i := 0; i < 20; i++ {
		r := h.route(sip("a"))
		require.Equal(t, dialplan.Found, r.Status)
		assert.Equal(t, "Z-a", r.Route0().Zone)
	}
}
