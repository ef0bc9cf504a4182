package cpl

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/dialplan/pattern"
)

func eval(t *testing.T, src string, in *Input, opts ...Option) *Result {
	t.Helper()
	p, err := Compile([]byte(src), opts...)
	if err != nil {
		t.Fatalf("compile: %v\n%s", err, src)
	}
	res, err := p.Evaluate(context.Background(), in)
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	return res
}

// selected returns the value an address-switch on field/subfield matched
// with regex ".*", or "(not present)".
func selected(t *testing.T, field, sub string, in *Input) string {
	t.Helper()
	attr := ""
	if sub != "" {
		attr = ` subfield="` + sub + `"`
	}
	res := eval(t, doc(`<address-switch field="`+field+`"`+attr+`><address regex=".*"><proxy/></address><not-present><reject status="404"/></not-present></address-switch>`), in)
	if res.Action == Reject {
		return "(not present)"
	}
	return res.Trace[0].Value
}

// CPL-8, CPL-10: subfields by alias type.
func TestSubfields(t *testing.T) {
	cases := []struct {
		alias Alias
		h323  bool
		sub   string
		want  string
	}{
		{Alias{Value: "alice@example.com"}, false, "", "alice@example.com"},
		{Alias{Value: "alice@example.com"}, false, "user", "alice"},
		{Alias{Value: "alice@example.com"}, false, "host", "example.com"},
		{Alias{Value: "alice@example.com"}, false, "tel", "(not present)"},
		{Alias{Value: "alice@example.com"}, false, "alias-type", "url-ID"},
		{Alias{Value: "alice@example.com"}, false, "address-type", "sip"},
		{Alias{Value: "alice@example.com"}, true, "address-type", "h323"},
		{Alias{Value: "lobby"}, true, "user", "lobby"},
		{Alias{Value: "lobby"}, true, "host", "(not present)"},
		{Alias{Value: "lobby"}, true, "alias-type", "h323-ID"},
		{Alias{Value: "5551234"}, true, "user", "5551234"},
		{Alias{Value: "5551234"}, true, "tel", "5551234"},
		{Alias{Value: "5551234"}, true, "alias-type", "dialedDigits"},
		{Alias{Value: "5551234"}, true, "host", "(not present)"},
		{Alias{Value: "10.0.0.1"}, false, "host", "10.0.0.1"},
		{Alias{Value: "10.0.0.1"}, false, "user", "(not present)"},
		{Alias{Value: "10.0.0.1"}, false, "alias-type", "(not present)"},
		{Alias{Value: "5551234", Type: H323ID}, true, "tel", "(not present)"}, // explicit type wins
		// RFC subfields yield no value in the Expressway dialect.
		{Alias{Value: "alice@example.com", Display: "Alice"}, false, "display", "(not present)"},
		{Alias{Value: "alice@example.com"}, false, "port", "(not present)"},
		{Alias{Value: "alice@example.com"}, false, "password", "(not present)"},
	}
	for _, c := range cases {
		in := &Input{Destination: []Alias{c.alias}}
		if c.h323 {
			in.Protocol = H323
		}
		if got := selected(t, "destination", c.sub, in); got != c.want {
			t.Errorf("%+v subfield %q: got %q, want %q", c.alias, c.sub, got, c.want)
		}
	}
	// Mixed types: the aliases that define the subfield are used (§2.13-13).
	in := &Input{Protocol: H323, Destination: Aliases("lobby", "bob@example.com")}
	if got := selected(t, "destination", "host", in); got != "example.com" {
		t.Errorf("mixed aliases host: %q", got)
	}
	// CPL-9: single-valued fields.
	if got := selected(t, "originating-zone", "", &Input{}); got != "DefaultZone" {
		t.Errorf("zone default: %q", got)
	}
	if got := selected(t, "originating-user", "", &Input{}); got != "(not present)" {
		t.Errorf("user: %q", got)
	}
	if got := selected(t, "originating-user", "", &Input{OriginatingUser: "alice"}); got != "alice" {
		t.Errorf("user: %q", got)
	}
	if got := selected(t, "original-destination", "", &Input{Destination: Aliases("new")}); got != "new" {
		t.Errorf("original-destination default: %q", got)
	}
	if got := selected(t, "original-destination", "", &Input{Destination: Aliases("new"), OriginalDestination: Aliases("old")}); got != "old" {
		t.Errorf("original-destination: %q", got)
	}
	if got := selected(t, "origin", "", &Input{UnauthenticatedOrigin: Aliases("a")}); got != "(not present)" {
		t.Errorf("origin is authenticated origin: %q", got)
	}
	if got := selected(t, "unauthenticated-origin", "", &Input{UnauthenticatedOrigin: Aliases("a")}); got != "a" {
		t.Errorf("unauthenticated-origin: %q", got)
	}
}

// CPL-11..CPL-13: is, contains and subdomain-of.
func TestAddressMatching(t *testing.T) {
	cases := []struct {
		attr, value string
		want        bool
	}{
		{`is="Fred"`, "freD", true},
		{`is="Fred"`, "Freddy", false},
		{`is="Ünïcode"`, "üNÏCODE", true},
		{`contains="EXAMPLE"`, "bob@sales.example.com", true},
		{`contains="xyz"`, "bob@sales.example.com", false},
		{`contains="ß"`, "strasSe", false},
		{`subdomain-of="555"`, "5556734", true},
		{`subdomain-of="555"`, "555", true},
		{`subdomain-of="555"`, "5455", false},
		{`subdomain-of="555"`, "+5556734", false},
		{`subdomain-of="company.com"`, "nodeA.company.com", true},
		{`subdomain-of="company.com"`, "COMPANY.com", true},
		{`subdomain-of="company.com"`, "notcompany.com", false},
		{`subdomain-of="company.com"`, "company.com.evil", false},
		{`regex="9(.*)"`, "9", true},
		{`regex="9(.*)"`, "alice9", false},
		{`regex="(?!.*@example\.com$).*"`, "bob@example.org", true},
		{`regex="(?!.*@example\.com$).*"`, "bob@example.com", false},
		{`regex=".*(?&lt;!net)"`, "a@example.net", false},
		{`regex="\d{3,4}"`, "1234", true},
		{`regex="\d{3,4}"`, "12345", false},
		{`regex="[^x]+|x"`, "x", true},
		{`regex="a.c"`, "a\nc", false},
	}
	for _, c := range cases {
		src := doc(`<address-switch field="destination"><address ` + c.attr + `><proxy/></address><otherwise><reject status="404"/></otherwise></address-switch>`)
		res := eval(t, src, &Input{Destination: Aliases(c.value)})
		if got := res.Action == Proxy; got != c.want {
			t.Errorf("%s vs %q: got %v, want %v", c.attr, c.value, got, c.want)
		}
	}
}

// The regex shortcuts (BX-7) agree with the dial plan's regex engine.
func TestRegexShortcutsAgree(t *testing.T) {
	pats := []string{".*", "(.*)", "TraversalZone", `reception@example\.com`, "9(.*)", "9.*", `.*@example\.com`,
		"(.*)@x", "abc.*", `a\.b`, `\-x`, "9(\\d+)", `(\d{4})@site\.example\.com`, `.*@dept7\.example\.com`, "x-y"}
	vals := []string{"", "9", "9123", "alice9", "TRAVERSALZONE", "traversalzone ", "reception@EXAMPLE.com",
		"receptionXexample.com", "a@example.com", "a@example.com\n", "9\n", "abc", "ABCdef", "a.b", "ab", "-x",
		"1234@site.example.com", "ü@example.com", "9ü", "x@dept7.example.com", "X-Y", "K", "\u212a"}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200; i++ {
		var b strings.Builder
		for j := 0; j < r.IntN(8); j++ {
			b.WriteByte("9aAbB.@-_\n"[r.IntN(10)])
		}
		vals = append(vals, b.String())
	}
	for _, ps := range pats {
		p := pattern.MustCompile(pattern.Spec{Type: pattern.Regex, Pattern: ps, Behavior: pattern.Leave}, pattern.Options{})
		m := newRegexMatcher(p, ps)
		for _, v := range vals {
			want, err := p.Match(v)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.match(v)
			if err != nil || got != want.Matched {
				t.Errorf("%q vs %q: shortcut %v, engine %v", ps, v, got, want.Matched)
			}
		}
	}
}

// CPL-18: message-regex matches the whole raw SIP message, . matching
// newlines and ^/$ at line boundaries; never an H.323 call; an origin
// selector on a not-present field never matches, even with .*.
func TestRuleSwitchDetails(t *testing.T) {
	msg := "INVITE sip:bob@example.com SIP/2.0\r\nSubject: urgent\r\nVia: x\r\n\r\n"
	src := doc(`<taa:rule-switch>
	  <taa:rule origin=".*" message-regex=".*^subject: urgent\s*$.*"><reject status="486" reason="msg"/></taa:rule>
	  <taa:rule registered-origin=".*"><reject status="404" reason="registered"/></taa:rule>
	  <taa:rule originating-user="alice" destination="bob"><reject status="403" reason="user"/></taa:rule>
	  <taa:rule unauthenticated-origin=".*" destination="nobody"><proxy/></taa:rule>
	</taa:rule-switch>`)
	cases := []struct {
		in   *Input
		want string
	}{
		{&Input{AuthenticatedOrigin: Aliases("a"), Message: []byte(msg)}, `REJECT 486 "msg"`},
		{&Input{AuthenticatedOrigin: Aliases("a"), Message: []byte(strings.Replace(msg, "urgent", "calm", 1))}, "PROCEED"},
		{&Input{Protocol: H323, AuthenticatedOrigin: Aliases("a"), Message: []byte(msg)}, "PROCEED"},
		{&Input{AuthenticatedOrigin: Aliases("a")}, "PROCEED"},
		{&Input{RegisteredOrigin: Aliases("r")}, `REJECT 404 "registered"`},
		{&Input{OriginatingUser: "ALICE", Destination: Aliases("x", "Bob")}, `REJECT 403 "user"`},
		{&Input{OriginatingUser: "alice", Destination: Aliases("x")}, "PROCEED"},
		{&Input{Destination: Aliases("nobody")}, "PROCEED"},
		{&Input{UnauthenticatedOrigin: Aliases("u"), Destination: Aliases("nobody")}, "PROXY[nobody]"},
	}
	p := MustCompile(src)
	for i, c := range cases {
		res, err := p.Evaluate(context.Background(), c.in)
		if err != nil || res.String() != c.want {
			t.Errorf("case %d: got %v %v, want %s", i, res, err, c.want)
		}
	}
}

// CPL-19..CPL-24: the location set.
func TestLocationSet(t *testing.T) {
	in := &Input{Destination: Aliases("alice@example.com", "1234"), UnauthenticatedOrigin: []Alias{{Value: "bob@example.com", Display: "Bob"}, {Value: "5678"}}}
	cases := []struct {
		name, body, want string
	}{
		{"append", `<location url="x@y"><proxy/></location>`, "PROXY[alice@example.com, 1234, x@y]"},
		{"clear", `<location url="x@y" clear="yes"><proxy/></location>`, "PROXY[x@y]"},
		{"duplicate is a no-op", `<location url="ALICE@example.com"><proxy/></location>`, "PROXY[alice@example.com, 1234]"},
		{"priority groups", `<location url="low" priority="0.2"><location url="mid" priority="0.5"><proxy/></location></location>`, "PROXY[alice@example.com, 1234, mid, low]"},
		{"regex rewrite keeps others", `<taa:location regex="(.*)@example\.com" replace="\1@example.net"><proxy/></taa:location>`, "PROXY[alice@example.net, 1234]"},
		{"regex rewrite clear drops others", `<taa:location regex="(\d+)" replace="44\1" clear="yes"><proxy/></taa:location>`, "PROXY[441234]"},
		{"empty set proxies to the original destination", `<taa:location regex="nomatch" replace="x" clear="yes"><proxy/></taa:location>`, "PROXY[alice@example.com, 1234]"},
		{"location without proxy proceeds", `<location url="x@y" clear="yes"/>`, "PROCEED"},
	}
	for _, c := range cases {
		res := eval(t, doc(c.body), in)
		if got := res.String(); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
	res := eval(t, doc(`<location url="low" priority="0.2"><location url="mid" priority="0.5"><proxy/></location></location>`), in)
	g := res.Groups()
	if len(g) != 3 || len(g[0]) != 2 || g[1][0].URL != "mid" || g[2][0].Priority != 0.2 {
		t.Errorf("groups %v", g)
	}
	// priority="random" draws from the injected source (CPL-21).
	rin := *in
	rin.Rand = func() float64 { return 0.25 }
	res = eval(t, doc(`<taa:location url="r" priority="random" clear="yes"><proxy/></taa:location>`), &rin)
	if res.Locations[0].Priority != 0.25 {
		t.Errorf("random priority %v", res.Locations)
	}
	// CPL-30: retargeting.
	if eval(t, doc(`<proxy/>`), in).Retargeted() {
		t.Error("plain proxy is a retarget")
	}
	if eval(t, doc(`<location url="1234" clear="yes"><location url="ALICE@example.com"><proxy/></location></location>`), in).Retargeted() {
		t.Error("reordered same set is a retarget")
	}
	if !eval(t, doc(`<location url="x"><proxy/></location>`), in).Retargeted() {
		t.Error("added location is not a retarget")
	}
	if eval(t, doc(`<reject/>`), in).Retargeted() {
		t.Error("reject is a retarget")
	}
	// CPL-44, CPL-45: what a search-rule or registration service decided.
	for body, want := range map[string][2]bool{
		`<reject/>`:                             {false, true},
		`<proxy/>`:                              {true, false},
		`<location url="x"><proxy/></location>`: {true, true},
		``:                                      {true, false},
	} {
		r := eval(t, doc(body), in)
		if r.Allowed() != want[0] || r.Resolved() != want[1] {
			t.Errorf("%q: allowed %v resolved %v, want %v", body, r.Allowed(), r.Resolved(), want)
		}
	}
}

// CPL-23: source rewriting; display names follow the new user part.
func TestSourceRewrite(t *testing.T) {
	in := &Input{Protocol: H323, Destination: Aliases("d"), UnauthenticatedOrigin: []Alias{{Value: "bob@example.com", Display: "Bob"}, {Value: "5678"}}}
	res := eval(t, doc(`<taa:location source-url-for-message="reception@example.com"><proxy/></taa:location>`), in)
	if len(res.Source) != 1 || res.Source[0] != (SourceAlias{URL: "reception@example.com", Display: "reception"}) {
		t.Errorf("source-url-for-message: %+v", res.Source)
	}
	res = eval(t, doc(`<taa:location source-url-for-message-regex="(.*)@example\.com" source-url-for-message-replace="\1@example.net"><proxy/></taa:location>`), in)
	if len(res.Source) != 2 || res.Source[0] != (SourceAlias{URL: "bob@example.net", Display: "bob"}) || res.Source[1] != (SourceAlias{URL: "5678"}) {
		t.Errorf("source regex: %+v", res.Source)
	}
	if in.UnauthenticatedOrigin[0].Value != "bob@example.com" {
		t.Error("Input modified")
	}
	// Later fields still see the incoming aliases.
	res = eval(t, doc(`<taa:location source-url-for-message="x@y"><address-switch field="unauthenticated-origin"><address is="bob@example.com"><proxy/></address></address-switch></taa:location>`), in)
	if res.Action != Proxy || res.Source[0].URL != "x@y" {
		t.Errorf("field after rewrite: %s %+v", res, res.Source)
	}
	if eval(t, doc(`<proxy/>`), in).Source != nil {
		t.Error("Source set without rewrite")
	}
}

// CPL-25, CPL-31: proxy outputs, default, redirection targets.
func TestProxyOutputs(t *testing.T) {
	ctx := context.Background()
	p := MustCompile(doc(`<proxy timeout="5" stop-on-busy="yes"><redirection><proxy/></redirection><default><reject status="480" reason="gone"/></default></proxy>`))
	res, err := p.Evaluate(ctx, &Input{Destination: Aliases("a")})
	if err != nil || !res.Pending || res.Timeout != 5*time.Second || !res.StopOnBusy {
		t.Fatalf("%v %v", res, err)
	}
	r2, err := res.Resume(ctx, Redirection, "b@x", "A")
	if err != nil || r2.String() != "PROXY[a, b@x]" || r2.Pending {
		t.Errorf("redirection: %v %v", r2, err)
	}
	r3, err := res.Resume(ctx, Busy)
	if err != nil || r3.String() != `REJECT 480 "gone"` {
		t.Errorf("default: %v %v", r3, err)
	}
	if _, err := res.Resume(ctx, NoOutcome); err == nil {
		t.Error("invalid outcome accepted")
	}
	q := MustCompile(doc(`<proxy/>`))
	res, _ = q.Evaluate(ctx, &Input{Destination: Aliases("a")})
	if res.Pending {
		t.Error("proxy without outputs is pending")
	}
	if _, err := res.Resume(ctx, Busy); !errors.Is(err, ErrNotPending) {
		t.Errorf("resume: %v", err)
	}
	// Resumes are capped (CPL-56).
	loop := MustCompile(doc(`<proxy><busy><proxy><busy><proxy><busy><proxy/></busy></proxy></busy></proxy></busy></proxy>`), WithLimits(Limits{MaxResumes: 2}))
	res, _ = loop.Evaluate(ctx, &Input{Destination: Aliases("a")})
	var rerr error
	for i := 0; i < 3 && rerr == nil; i++ {
		res, rerr = res.Resume(ctx, Busy)
	}
	if !errors.Is(rerr, ErrResumeLimit) || res.String() != `REJECT 500 "Policy evaluation error"` {
		t.Errorf("resume limit: %v %v", res, rerr)
	}
}

// CPL-26: reject status forms and defaults.
func TestReject(t *testing.T) {
	cases := map[string]string{
		`<reject/>`:                             `REJECT 403 ""`,
		`<reject status="busy"/>`:               `REJECT 486 ""`,
		`<reject status="notfound"/>`:           `REJECT 404 ""`,
		`<reject status="reject" reason="no"/>`: `REJECT 603 "no"`,
		`<reject status="error"/>`:              `REJECT 500 ""`,
		`<reject status="699" reason="x"/>`:     `REJECT 699 "x"`,
	}
	for body, want := range cases {
		if got := eval(t, doc(body), &Input{}).String(); got != want {
			t.Errorf("%s: %s, want %s", body, got, want)
		}
	}
}

// CPL-32: the trace names every node visited, where it is, the output taken
// and the value that decided it.
func TestTrace(t *testing.T) {
	p := MustCompile(string(seedVariants(t, "E4")["verbatim"]))
	res, _ := p.Evaluate(context.Background(), call{dst: d("ceo"), src: d("intern", "vpsales"), auth: true}.input())
	want := []Step{
		{Element: "address-switch", Line: 7, Column: 6, Output: "address[1]", Value: "ceo"},
		{Element: "address-switch", Line: 9, Column: 10, Output: "address[1]", Value: "vpsales"},
		{Element: "proxy", Line: 12, Column: 14},
	}
	if len(res.Trace) != len(want) {
		t.Fatalf("trace %v", res.Trace)
	}
	for i := range want {
		if res.Trace[i] != want[i] {
			t.Errorf("step %d: %+v, want %+v", i, res.Trace[i], want[i])
		}
	}
	if s := res.Trace[0].String(); s != `7:6 address-switch -> address[1] ("ceo")` {
		t.Errorf("step text %q", s)
	}
}

// CPL-34, CPL-56, BX-12: bounded evaluation fails closed with a typed error.
func TestEvaluationBounds(t *testing.T) {
	many := make([]string, 1000)
	for i := range many {
		many[i] = fmt.Sprintf("alias%d", i)
	}
	src := doc(`<address-switch field="destination">` + strings.Repeat(`<address is="nomatch"/>`, 200) + `</address-switch>`)
	p := MustCompile(src)
	res, err := p.Evaluate(context.Background(), &Input{Destination: Aliases(many...)})
	if !errors.Is(err, ErrStepLimit) || res.String() != `REJECT 500 "Policy evaluation error"` {
		t.Errorf("step limit: %v %v", res, err)
	}
	// A cancelled context stops evaluation.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err = MustCompile(doc(`<proxy/>`)).Evaluate(ctx, &Input{})
	if !errors.Is(err, context.Canceled) || res.Action != Reject {
		t.Errorf("cancelled: %v %v", res, err)
	}
	// A catastrophic regex runs out of budget: an error, not a hang.
	evil := MustCompile(doc(`<address-switch field="destination"><address regex="(a+)+(b|c)"><proxy/></address></address-switch>`),
		WithLimits(Limits{RegexBudget: time.Millisecond}), WithOnError(OnError{Action: Reject, Status: 503, Reason: "busy"}))
	start := time.Now()
	res, err = evil.Evaluate(context.Background(), &Input{Destination: Aliases(strings.Repeat("a", 40) + "!")})
	if !errors.Is(err, ErrRegexBudget) || !pattern.IsBudgetExceeded(err) || res.String() != `REJECT 503 "busy"` {
		t.Errorf("regex budget: %v %v", res, err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("budgeted regex took %v", el)
	}
	// The location set is bounded.
	var b strings.Builder
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, `<location url="u%d">`, i)
	}
	b.WriteString("<proxy/>")
	for i := 0; i < 20; i++ {
		b.WriteString("</location>")
	}
	_, err = MustCompile(doc(b.String()), WithLimits(Limits{MaxLocations: 10})).Evaluate(context.Background(), &Input{})
	if !errors.Is(err, ErrLocationLimit) {
		t.Errorf("location limit: %v", err)
	}
}

// BX-9: one Program, many goroutines (run with -race).
func TestConcurrentEvaluate(t *testing.T) {
	p := MustCompile(string(seedVariants(t, "E9")["verbatim"]))
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				v := e9Vectors[i%len(e9Vectors)]
				res, err := p.Evaluate(context.Background(), v.in.input())
				if err != nil || res.String() != v.want {
					t.Errorf("got %v %v, want %s", res, err, v.want)
					return
				}
			}
		}()
	}
	wg.Wait()
}
