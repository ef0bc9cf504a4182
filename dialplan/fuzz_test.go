package dialplan_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/dialplan"
	"github.com/causeway-edge/causeway/dialplan/dialplantest"
	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// FuzzLoadConfig: any input gives a Config or an error, never a panic; a
// config that loads also builds an engine that can route.
func FuzzLoadConfig(f *testing.F) {
	if b, err := os.ReadFile("testdata/dialplan.yaml"); err == nil {
		f.Add(string(b))
	}
	for _, s := range []string{
		"", "{}", "[]", "a: b", "transforms: [{pattern_string: '9'}]",
		`{"search_rules":[{"name":"r","target_name":"LocalZone","mode":"AliasPatternMatch","pattern_type":"Regex","pattern_string":"(.*)@x","pattern_behavior":"Replace","replace_string":"\\1"}]}`,
		"zones: [{name: z, type: ENUM, dns_suffix: e164.arpa}]\nsearch_rules: [{name: r, target_name: z}]",
		"zones: [{name: z, hop_count: 999}]", "system: {domains: [a, b], peers: [{lan1_ipv4: 10.0.0.1}]}",
		"a: &a [*a, *a]", "subzones: [{name: s, subnets: [10.0.0.0/8]}]", "regex_budget: 5ms",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		cfg, err := dialplan.LoadConfig(strings.NewReader(src))
		if err != nil {
			return
		}
		cfg.RegexBudget = time.Millisecond
		e, err := dialplan.NewEngine(cfg)
		if err != nil {
			t.Fatalf("LoadConfig accepted a config NewEngine refuses: %v", err)
		}
		for _, a := range []string{"alice@example.com", "1234", "10.0.0.1"} {
			if _, err := e.Route(context.Background(), dialplan.Request{Alias: a, Protocol: dialplan.SIP}); err != nil && !errors.Is(err, dialplan.ErrBadRequest) {
				t.Fatalf("route %q: %v", a, err)
			}
		}
	})
}

// FuzzRoute drives the pipeline (normalisation, classification,
// transforms, IP gating, rules, ENUM and DNS) with arbitrary aliases.
func FuzzRoute(f *testing.F) {
	h := newHarness(nil)
	h.cfg.System = pattern.Facts{SystemName: "HQ", Domains: []string{"example.com"}}
	h.cfg.RegexBudget = 5 * time.Millisecond
	h.cfg.FallbackAlias = "reception@example.com"
	h.transform(1, Rx, `(\d+)`, R, `\1@example.com`)
	h.transform(2, Sx, "@%systemname%", S, "")
	h.zone("N")
	h.dnsZone("ENUM", dialplan.ENUMZone, func(z *dialplan.Zone) { z.DNSSuffix = "e164.arpa" })
	h.dnsZone("DNS", dialplan.DNSZone, func(z *dialplan.Zone) { z.IncludeAddressRecord = dialplan.On })
	h.rule("ip", 5, anyIP, to(dialplan.LocalZone))
	h.rule("re", 10, apm(Rx, `(.+)@example\.com`, R, `\1`), to(dialplan.LocalZone))
	h.rule("enum", 20, apm(Px, "+", L, ""), to("ENUM"))
	h.rule("n", 30, to("N"))
	h.rule("dns", 40, apm(Rx, `.*@.*`, L, ""), to("DNS"))
	h.res.Add("1.e164.arpa", dialplantest.NAPTR(1, 1, "u", "E2U+SIP", "!^(.*)$!sip:\\1@example.com!", "."))
	h.res.Add("example.org", dialplantest.Addr("192.0.2.1"))
	e, err := dialplan.NewEngine(h.cfg, dialplan.WithLocalZone(h.local), dialplan.WithTarget("N", h.zones["N"]), dialplan.WithResolver(h.res))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"alice@example.com", "1234", "+1", "10.0.0.1:5060", "[::1]", "sip:bob@example.org;transport=tcp", "a@HQ", "", "example.com", "é@ß"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, alias string, h323 bool) {
		req := dialplan.Request{Alias: alias, Protocol: dialplan.SIP, Source: dialplan.FromLocalZone(""), Trace: len(alias)%2 == 0}
		if h323 {
			req.Protocol = dialplan.H323
		}
		res, err := e.Route(context.Background(), req)
		if err != nil {
			if !errors.Is(err, dialplan.ErrBadRequest) {
				t.Fatalf("route %q: %v", alias, err)
			}
			return
		}
		if res.Status == dialplan.Found && len(res.Routes) == 0 {
			t.Fatalf("found without a route")
		}
	})
}

// FuzzParseFallbackCPL: the DefaultCPL reader never panics.
func FuzzParseFallbackCPL(f *testing.F) {
	for _, s := range []string{dialplan.DefaultServiceCPL, dialplan.DefaultCallPolicyCPL, "<proxy/>", `<location url="sip:a@b"/>`, "<", "<reject status='9999999999999'/>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := dialplan.ParseFallbackCPL(s)
		if err == nil && d.Action == dialplan.RejectCall && (d.Status < 300 || d.Status > 699) {
			t.Fatalf("bad status %d", d.Status)
		}
	})
}
