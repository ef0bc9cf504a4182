package pattern

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var fuzzFacts = &Facts{
	SystemName: "MainHQ",
	Peers:      []Peer{{LAN1IPv4: netip.MustParseAddr("10.0.0.1"), LAN1IPv6: netip.MustParseAddr("2001:db8::1")}},
	Domains:    []string{"example.com", "example.net"},
}

// FuzzCompileMatch drives the compiler and matcher with arbitrary patterns,
// replace strings and aliases: no panic, errors are *SyntaxError or wrap
// ErrBudgetExceeded, and the result is consistent with the behaviour.
func FuzzCompileMatch(f *testing.F) {
	seeds := []struct {
		typ           uint8
		pat, repl, in string
		beh           uint8
	}{
		{3, `(\d+)`, `\1@domain`, "123", 2},
		{3, `911|(911@%localdomains%)`, ``, "911@example.com", 1},
		{3, `(?!.*@example.com$).*`, ``, "bob@example.org", 1},
		{3, `.*(?<!net)`, ``, "a@example.com", 1},
		{3, `8(\d{4})`, `44123123(\1)`, "81234", 2},
		{3, `[\d]`, ``, `\`, 1},
		{3, `(.).*_(.).*(@example.com)`, `\1\2\3`, "john_smith@example.com", 2},
		{3, `(a+)+b`, ``, strings.Repeat("a", 30), 1},
		{2, `@%ip%`, `@example.com`, "alice@10.0.0.1", 2},
		{0, `9`, `0`, "9123", 3},
		{1, `%systemname%`, `x`, "mainhq", 2},
		{2, `@example.com`, `.uk`, "name@example.com", 4},
		{3, `(\d+`, ``, "1", 1},
		{3, `[^]a-]{2,3}?`, `\\\(\%`, "bb", 2},
	}
	for _, s := range seeds {
		f.Add(s.typ, s.pat, s.beh, s.repl, s.in)
	}
	f.Fuzz(func(t *testing.T, typ uint8, pat string, beh uint8, repl, in string) {
		if len(pat) > 200 || len(repl) > 200 || len(in) > 300 {
			return
		}
		// A hang is a bug: turn it into a crash that records the input.
		watchdog := time.AfterFunc(10*time.Second, func() {
			panic(fmt.Sprintf("hang: type %d pattern %q behavior %d replace %q alias %q", typ%4, pat, beh%5, repl, in))
		})
		defer watchdog.Stop()
		spec := Spec{Type: Type(typ % 4), Pattern: pat, Behavior: Behavior(beh % 5), Replace: repl}
		p, err := Compile(spec, Options{Facts: fuzzFacts, Budget: 20 * time.Millisecond})
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("Compile error %T %v is not a *SyntaxError", err, err)
			}
			return
		}
		res, err := p.Apply(in)
		if err != nil {
			if !IsBudgetExceeded(err) {
				t.Fatalf("Apply error %v", err)
			}
			if res.Matched || res.Alias != in {
				t.Fatalf("budget error must mean no match")
			}
			return
		}
		if !res.Matched {
			if res.Alias != in {
				t.Fatalf("no match changed %q to %q", in, res.Alias)
			}
			return
		}
		if utf8.ValidString(in) && !utf8.ValidString(res.Alias) {
			t.Fatalf("valid input %q gave invalid UTF-8 %q", in, res.Alias)
		}
		switch spec.Behavior {
		case Leave:
			if res.Alias != in {
				t.Fatalf("Leave changed %q to %q", in, res.Alias)
			}
		case Strip:
			if len(res.Alias) > len(in) {
				t.Fatalf("Strip grew %q to %q", in, res.Alias)
			}
		}
		// Literal types agree with a plain folded comparison.
		if spec.Type != Regex && utf8.ValidString(in) {
			lit := res.Literal
			fin, flit := Fold(in), Fold(lit)
			ok := false
			switch spec.Type {
			case Exact:
				ok = fin == flit
			case Prefix:
				ok = strings.HasPrefix(fin, flit)
			case Suffix:
				ok = strings.HasSuffix(fin, flit)
			}
			if !ok {
				t.Fatalf("%v %q matched %q but folded comparison disagrees", spec.Type, lit, in)
			}
		}
	})
}

// FuzzParseAlias: normalisation and classification never panic, and the
// value is always a substring of the input.
func FuzzParseAlias(f *testing.F) {
	for _, s := range []string{"10.44.10.1", "3ffe:80ee:3706::10:35", "[::1]:5060", "sip:alice@example.com;transport=tls",
		"h323:1234@example.com", "tel:+441234", "0#*5", "john.smith", "", "sip:", "a\tb", "[1:2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAlias(s)
		if err != nil {
			return
		}
		if !strings.Contains(s, a.Value) || a.Value == "" {
			t.Fatalf("value %q not in %q", a.Value, s)
		}
		if a.Type != Classify(a.Value) {
			t.Fatalf("type mismatch")
		}
		if a.Type.IsIP() {
			if _, ok := ParseIP(a.Value); !ok {
				t.Fatalf("IP class without an address")
			}
		}
	})
}
