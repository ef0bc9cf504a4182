package cpl

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// ruleTable50 is a 50-rule Call Policy table of regex rules of the three
// kinds; the benchmark call matches rule 40 only.
func ruleTable50() []Rule {
	var rules []Rule
	for i := 1; i <= 50; i++ {
		switch i % 3 {
		case 0:
			rules = append(rules, Rule{Source: SourceZone, Zone: fmt.Sprintf("Zone%d", i),
				DestinationPattern: fmt.Sprintf(`(\d{4})@site%d\.example\.com`, i), Action: Deny})
		case 1:
			rules = append(rules, Rule{Source: SourceFromAddress, AppliesTo: Authenticated,
				SourcePattern: fmt.Sprintf(`.*@dept%d\.example\.com`, i), DestinationPattern: fmt.Sprintf(`9%d\d+`, i), Action: Allow})
		case 2:
			rules = append(rules, Rule{Source: SourceFromAddress, AppliesTo: Unauthenticated,
				SourcePattern: fmt.Sprintf(`guest%d\.(.*)@example\.com`, i), DestinationPattern: fmt.Sprintf(`.*@room%d\.example\.com`, i), Action: Deny})
		}
	}
	return rules
}

var ruleTableCall = &Input{
	Destination:           Aliases("9401234"),
	UnauthenticatedOrigin: Aliases("alice@dept40.example.com"),
	AuthenticatedOrigin:   Aliases("alice@dept40.example.com"),
	OriginatingZone:       "Neighbor7",
}

func TestRuleTableBenchmarkCall(t *testing.T) {
	src, err := RulesToCPL(ruleTable50())
	if err != nil {
		t.Fatal(err)
	}
	res, err := MustCompile(string(src)).Evaluate(context.Background(), ruleTableCall)
	if err != nil || res.String() != "PROXY[9401234]" || res.Trace[0].Output != "rule[40]" {
		t.Fatalf("%v %v %v", res, err, res.Trace)
	}
}

// BenchmarkEvaluateRuleTable: a 50-rule table with regex patterns, a call
// matching rule 40 (target ≤ 3 µs/op, ≤ 4 allocs/op).
func BenchmarkEvaluateRuleTable(b *testing.B) {
	src, err := RulesToCPL(ruleTable50())
	if err != nil {
		b.Fatal(err)
	}
	p := MustCompile(string(src))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := p.Evaluate(ctx, ruleTableCall)
		if err != nil || res.Action != Proxy {
			b.Fatal(res, err)
		}
	}
}

// BenchmarkEvaluateE9: the seed's rule-switch example (BX-8 target < 1 µs).
func BenchmarkEvaluateE9(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("testdata", "seed", "E9.xml"))
	if err != nil {
		b.Fatal(err)
	}
	p := MustCompile(string(src))
	in := call{dst: d("123"), zone: "TraversalZone", src: d("a@example.com"), auth: true}.input()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if res, err := p.Evaluate(ctx, in); err != nil || res.Action != Proxy {
			b.Fatal(res, err)
		}
	}
}

// BenchmarkEvaluateE4: nested address-switches with a regex.
func BenchmarkEvaluateE4(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("testdata", "seed", "E4.xml"))
	if err != nil {
		b.Fatal(err)
	}
	p := MustCompile(string(src))
	in := call{dst: d("ceo"), src: d("intern", "vpmarketing"), auth: true, h323: true}.input()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if res, err := p.Evaluate(ctx, in); err != nil || res.Action != Proxy {
			b.Fatal(res, err)
		}
	}
}

// BenchmarkCompile: the largest seed example (E5).
func BenchmarkCompile(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("testdata", "seed", "E5.xml"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompileRules1000: a 1,000-rule table (BX-8 target < 50 ms).
func BenchmarkCompileRules1000(b *testing.B) {
	var rules []Rule
	for len(rules) < 1000 {
		rules = append(rules, ruleTable50()...)
	}
	src, err := RulesToCPL(rules)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServiceRoundTrip: one admin decision from a policy service on
// 127.0.0.1: form encoding, HTTP POST, cached compile, evaluation.
func BenchmarkServiceRoundTrip(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		_, _ = w.Write([]byte(`<reject status='403' reason='Denied by policy'/>`))
	}))
	defer srv.Close()
	c, err := NewServiceClient(ServiceConfig{Name: "bench", Protocol: "http", Servers: []string{srv.Listener.Addr().String()},
		Path: "policy", Timeout: 5 * time.Second, Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := c.Evaluate(ctx, NewRequest(PolicyAdmin, sipCall), sipCall)
		if err != nil || res.Action != Reject {
			b.Fatal(res, err)
		}
	}
}
