package dialplan_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/causeway-edge/causeway/dialplan"
	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// benchConfig builds a large dial plan: 100 transforms and nRules search
// rules, ≈70% Prefix, 20% Exact and 10% Regex (regex only when withRegex),
// aimed at 20 neighbor zones, each rule at its own priority. The alias
// "0010234567" is stripped of "00" by a transform and then hits the
// Local Zone through the Prefix rule "10234" at the middle priority.
func benchConfig(nRules int, withRegex bool) dialplan.Config {
	var c dialplan.Config
	c.SearchRuleLimit = nRules
	for i := 0; i < 20; i++ {
		c.Zones = append(c.Zones, dialplan.NewZone(fmt.Sprintf("Z%02d", i), dialplan.Neighbor))
	}
	for i := 0; i < 99; i++ {
		t := dialplan.NewTransform()
		t.Priority = i + 1
		switch {
		case i%10 == 9:
			t.PatternType, t.PatternString, t.PatternBehavior, t.ReplaceString = pattern.Regex, fmt.Sprintf(`x%02d(\d+)@(.*)`, i), pattern.Replace, `\1@\2`
		case i%10 == 8:
			t.PatternType, t.PatternString, t.PatternBehavior, t.ReplaceString = pattern.Suffix, fmt.Sprintf("@dom%02d.example.com", i), pattern.Replace, "@example.com"
		default:
			t.PatternString = fmt.Sprintf("*%02d", i)
		}
		c.Transforms = append(c.Transforms, t)
	}
	last := dialplan.NewTransform()
	last.Priority, last.PatternString = 100, "00" // the one that applies
	c.Transforms = append(c.Transforms, last)

	hitPrio := nRules / 2
	for i := 0; i < nRules; i++ {
		r := dialplan.NewSearchRule(fmt.Sprintf("r%d", i))
		r.Priority = 1 + i*65000/nRules
		r.Mode = dialplan.AliasPatternMatch
		r.TargetName = fmt.Sprintf("Z%02d", i%20)
		switch k := i % 10; {
		case k == 9 && withRegex:
			r.PatternType, r.PatternString, r.PatternBehavior, r.ReplaceString = pattern.Regex, fmt.Sprintf(`r%05d(\d+)@example\.com`, i), pattern.Replace, `\1`
		case k >= 7:
			r.PatternType, r.PatternString, r.PatternBehavior = pattern.Exact, fmt.Sprintf("user%d@example.com", i), pattern.Leave
		default:
			r.PatternType, r.PatternString, r.PatternBehavior = pattern.Prefix, fmt.Sprintf("2%07d", i), pattern.Leave
		}
		if i == hitPrio {
			r.PatternType, r.PatternString, r.PatternBehavior, r.TargetName = pattern.Prefix, "10234", pattern.Leave, dialplan.LocalZone
		}
		c.SearchRules = append(c.SearchRules, r)
	}
	c.LocalRegistrations = []dialplan.Registration{{Alias: "10234567", Address: "192.0.2.1:5060"}}
	return c
}

var benchReq = dialplan.Request{Alias: "0010234567", Protocol: dialplan.SIP, Source: dialplan.FromLocalZone(""), CallTag: "bench-tag"}

func benchRoute(b *testing.B, cfg dialplan.Config) {
	e, err := dialplan.NewEngine(cfg)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	r, err := e.Route(ctx, benchReq)
	if err != nil || r.Status != dialplan.Found || r.Route0().Zone != dialplan.LocalZone {
		b.Fatalf("setup: %v %v", r, err)
	}
	runtime.GC() // do not bill the plan's construction garbage to the loop
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, _ := e.Route(ctx, benchReq)
		if r.Status != dialplan.Found {
			b.Fatal(r)
		}
	}
}

// BenchmarkRoute2000: 2000 search rules (70% prefix, 20% exact, 10% regex)
// and 100 transforms, Local Zone hit.
func BenchmarkRoute2000(b *testing.B) { benchRoute(b, benchConfig(2000, true)) }

// BenchmarkRoute100k: 100,000 prefix/exact rules.
func BenchmarkRoute100k(b *testing.B) { benchRoute(b, benchConfig(100000, false)) }

// BenchmarkRoute2000Naive: the same 2000-rule plan through the test-only
// linear reference evaluation.
func BenchmarkRoute2000Naive(b *testing.B) {
	n := newNaive(b, benchConfig(2000, true))
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if z, _ := n.route(benchReq.Alias, benchReq.Protocol); z != "localzone" {
			b.Fatal(z)
		}
	}
}

// BenchmarkRouteTraced: the 2000-rule plan with a trace (explain mode scans
// every rule to say why each was skipped).
func BenchmarkRouteTraced2000(b *testing.B) {
	e, err := dialplan.NewEngine(benchConfig(2000, true))
	if err != nil {
		b.Fatal(err)
	}
	req := benchReq
	req.Trace = true
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if r, _ := e.Route(context.Background(), req); r.Status != dialplan.Found {
			b.Fatal(r)
		}
	}
}

// BenchmarkRouteFanout: one priority group of four rules queried in
// parallel (goroutines), the third finds.
func BenchmarkRouteFanout(b *testing.B) {
	var c dialplan.Config
	zones := []string{"A", "B", "C", "D"}
	var opts []dialplan.Option
	for i, z := range zones {
		c.Zones = append(c.Zones, dialplan.NewZone(z, dialplan.Neighbor))
		r := dialplan.NewSearchRule("r" + z)
		r.TargetName = z
		c.SearchRules = append(c.SearchRules, r)
		found := i == 2
		opts = append(opts, dialplan.WithTarget(z, dialplan.TargetFunc(func(ctx context.Context, q dialplan.Query) (dialplan.Answer, error) {
			return dialplan.Answer{Found: found}, nil
		})))
	}
	e, err := dialplan.NewEngine(c, opts...)
	if err != nil {
		b.Fatal(err)
	}
	req := dialplan.Request{Alias: "alice@example.com", Protocol: dialplan.SIP, Source: dialplan.FromLocalZone(""), CallTag: "t"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if r, _ := e.Route(context.Background(), req); r.Status != dialplan.Found {
			b.Fatal(r)
		}
	}
}
