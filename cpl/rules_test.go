package cpl

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// T3: the rules of spec §3 reproduce E9's vectors 1-5.
var t3Rules = []Rule{
	{Source: SourceZone, Zone: "TraversalZone", DestinationPattern: "9.*", Action: Deny},
	{Source: SourceFromAddress, AppliesTo: Authenticated, DestinationPattern: ".*", Action: Allow},
}

func TestRulesReproduceE9(t *testing.T) {
	// CPL-35 CPL-36 CPL-38 CPL-39
	src, err := RulesToCPL(t3Rules)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(src)
	if err != nil {
		t.Fatalf("rendering does not compile: %v\n%s", err, src)
	}
	for i, v := range e9Vectors[:5] {
		res, err := p.Evaluate(context.Background(), v.in.input())
		if err != nil || res.String() != v.want {
			t.Errorf("E9-%d via rules: got %v %v, want %s", i+1, res, err, v.want)
		}
	}
}

// CPL-39 CPL-40, T3: RulesFromCPL(RulesToCPL(r)) == r, and an edited
// rendering is a hand-written script.
func TestRulesRoundTrip(t *testing.T) {
	tables := [][]Rule{
		t3Rules,
		{},
		{{Source: SourceZone, Zone: `Zone.With (Meta)*+?[]{}|^$\%#`, DestinationPattern: `(\d+)@x`, Action: Allow}},
		{{Source: SourceFromAddress, AppliesTo: Unauthenticated, SourcePattern: `alice@.*`, DestinationPattern: `"<&>"`, Action: Deny}},
		{{Source: SourceZone, Zone: "Zöne ünicode", DestinationPattern: ".*", Action: Deny}},
	}
	for _, rules := range tables {
		src, err := RulesToCPL(rules)
		if err != nil {
			t.Fatal(err)
		}
		back, ok := RulesFromCPL(src)
		if !ok {
			t.Errorf("rendering of %+v not recognised:\n%s", rules, src)
			continue
		}
		if len(rules) == 0 && len(back) == 0 {
			continue
		}
		if !reflect.DeepEqual(back, rules) {
			t.Errorf("round trip: got %+v, want %+v", back, rules)
		}
		// Whitespace and comments are insignificant.
		squeezed := strings.NewReplacer("\n", "", "  ", "", "<taa:rule-switch>", "<!-- edited --><taa:rule-switch>").Replace(string(src))
		if back2, ok := RulesFromCPL([]byte(squeezed)); !ok || len(back2) != len(rules) {
			t.Errorf("reformatted rendering not recognised:\n%s", squeezed)
		}
	}
	src, _ := RulesToCPL(t3Rules)
	edits := map[string]string{
		"reason":           strings.Replace(string(src), `reason="Denied by policy"`, `reason="Go away"`, 1),
		"status":           strings.Replace(string(src), `status="403"`, `status="404"`, 1),
		"extra attribute":  strings.Replace(string(src), `<proxy/>`, `<proxy timeout="5"/>`, 1),
		"zone not literal": strings.Replace(string(src), `originating-zone="TraversalZone"`, `originating-zone="Traversal.*"`, 1),
		"message-regex":    strings.Replace(string(src), `destination=".*"`, `destination=".*" message-regex=".*"`, 1),
		"extra node":       strings.Replace(string(src), `<proxy/>`, `<location url="x"><proxy/></location>`, 1),
		"registered":       strings.Replace(string(src), `authenticated-origin`, `registered-origin`, 1),
	}
	for name, s := range edits {
		if s == string(src) {
			t.Fatalf("%s: edit did not apply", name)
		}
		if _, ok := RulesFromCPL([]byte(s)); ok {
			t.Errorf("%s: edited script recognised as rules", name)
		}
	}
	if _, ok := RulesFromCPL([]byte("<not xml")); ok {
		t.Error("garbage recognised as rules")
	}
}

// CPL-37: no rules allow every call; no match allows the call.
func TestRulesDefaults(t *testing.T) {
	src, err := RulesToCPL(nil)
	if err != nil || string(src) != DefaultScript {
		t.Fatalf("zero rules: %v\n%s", err, src)
	}
	p := MustCompile(string(src))
	res, _ := p.Evaluate(context.Background(), call{dst: d("a")}.input())
	if res.Action != Proceed {
		t.Errorf("no rules: %s", res)
	}
	src, _ = RulesToCPL([]Rule{{Source: SourceZone, Zone: "Z", DestinationPattern: "x", Action: Deny}})
	p = MustCompile(string(src))
	res, _ = p.Evaluate(context.Background(), call{dst: d("a"), zone: "Z"}.input())
	if res.Action != Proceed {
		t.Errorf("no match: %s", res)
	}
	res, _ = p.Evaluate(context.Background(), call{dst: d("X"), zone: "z"}.input())
	if res.String() != d403 {
		t.Errorf("zone match is literal and case-insensitive (CPL-38): %s", res)
	}
}

// CPL-38: Unauthenticated rules match the claimed identity of any caller;
// Authenticated rules only authenticated callers.
func TestRulesSourceMatching(t *testing.T) {
	rules := []Rule{
		{Source: SourceFromAddress, AppliesTo: Authenticated, SourcePattern: "boss@.*", DestinationPattern: ".*", Action: Allow},
		{Source: SourceFromAddress, AppliesTo: Unauthenticated, SourcePattern: ".*@evil\\.com", DestinationPattern: ".*", Action: Deny},
		{Source: SourceFromAddress, AppliesTo: Unauthenticated, DestinationPattern: "secret", Action: Deny},
	}
	src, err := RulesToCPL(rules)
	if err != nil {
		t.Fatal(err)
	}
	p := MustCompile(string(src))
	cases := []struct {
		c    call
		want string
	}{
		{call{dst: d("x"), src: d("boss@evil.com"), auth: true}, "PROXY[x]"}, // Allow renders as <proxy/>
		{call{dst: d("x"), src: d("boss@evil.com")}, d403},
		{call{dst: d("x"), src: d("eve@evil.com"), auth: true}, d403},
		{call{dst: d("secret"), src: d("a@b"), auth: true}, d403},
		{call{dst: d("secret")}, "PROCEED"}, // no source alias at all: not present
		{call{dst: d("public"), src: d("a@b")}, "PROCEED"},
	}
	for _, c := range cases {
		res, err := p.Evaluate(context.Background(), c.c.input())
		if err != nil || res.String() != c.want {
			t.Errorf("%+v: got %v %v, want %s", c.c, res, err, c.want)
		}
	}
}

// CPL-35: validation reports every fault at once.
func TestRuleValidation(t *testing.T) {
	bad := []Rule{
		{Source: SourceZone, DestinationPattern: ".*"},
		{Source: SourceZone, Zone: "z", SourcePattern: "x", DestinationPattern: ".*"},
		{Source: SourceFromAddress, Zone: "z", DestinationPattern: ".*"},
		{Source: SourceFromAddress, SourcePattern: "(", DestinationPattern: ".*"},
		{Source: SourceFromAddress},
		{Source: 7, DestinationPattern: ".*"},
		{Source: SourceZone, Zone: "z", DestinationPattern: "[", Action: 9},
	}
	err := ValidateRules(bad)
	if err == nil {
		t.Fatal("no error")
	}
	for i := range bad {
		if !strings.Contains(err.Error(), "rule "+string(rune('1'+i))+":") {
			t.Errorf("rule %d not reported: %v", i+1, err)
		}
	}
	if _, err := RulesToCPL(bad); err == nil {
		t.Error("RulesToCPL rendered invalid rules")
	}
	var st SourceType
	var at AppliesTo
	var ra RuleAction
	if st.UnmarshalText([]byte("fromaddress")) != nil || st != SourceFromAddress ||
		at.UnmarshalText([]byte("Unauthenticated")) != nil || at != Unauthenticated ||
		ra.UnmarshalText([]byte("REJECT")) != nil || ra != Deny || ra.UnmarshalText([]byte("maybe")) == nil {
		t.Error("text unmarshalling")
	}
}
