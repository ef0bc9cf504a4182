package pattern

import (
	"net/netip"
	"testing"
)

func benchApply(b *testing.B, spec Spec, alias string, want bool) {
	f := &Facts{SystemName: "MainHQ", Peers: []Peer{{LAN1IPv4: netip.MustParseAddr("10.0.0.1")}}, Domains: []string{"example.com", "example.net"}}
	p, err := Compile(spec, Options{Facts: f})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := p.Apply(alias)
		if err != nil || res.Matched != want {
			b.Fatal(res, err)
		}
	}
}

func BenchmarkMatchExact(b *testing.B) {
	benchApply(b, Spec{Type: Exact, Pattern: "Reception@Example.com", Behavior: Leave}, "reception@example.com", true)
}

func BenchmarkMatchPrefixStrip(b *testing.B) {
	benchApply(b, Spec{Type: Prefix, Pattern: "9", Behavior: Strip}, "9123456", true)
}

func BenchmarkMatchSuffixReplace(b *testing.B) {
	benchApply(b, Spec{Type: Suffix, Pattern: "@EXAMPLE.com", Behavior: Replace, Replace: "@example.net"}, "Bob@example.com", true)
}

func BenchmarkMatchSuffixVariable(b *testing.B) {
	benchApply(b, Spec{Type: Suffix, Pattern: "@%localdomains%", Behavior: Leave}, "bob@example.net", true)
}

func BenchmarkMatchRegexLeave(b *testing.B) {
	benchApply(b, Spec{Type: Regex, Pattern: `(\d+)@domain`, Behavior: Leave}, "123456@domain", true)
}

func BenchmarkMatchRegexReplace(b *testing.B) {
	benchApply(b, Spec{Type: Regex, Pattern: `(.).*_(.).*(@example.com)`, Behavior: Replace, Replace: `\1\2\3`}, "john_smith@example.com", true)
}

func BenchmarkMatchRegexLookahead(b *testing.B) {
	benchApply(b, Spec{Type: Regex, Pattern: `(?!.*@%localdomains%$).*@.*`, Behavior: Leave}, "bob@remote.example.org", true)
}

func BenchmarkMatchRegexLookbehind(b *testing.B) {
	benchApply(b, Spec{Type: Regex, Pattern: `.*(?<!net)`, Behavior: Leave}, "alice@example.com", true)
}

func BenchmarkMatchRegexNoMatch(b *testing.B) {
	benchApply(b, Spec{Type: Regex, Pattern: `911|(911@%localdomains%)`, Behavior: Leave}, "00911@example.org", false)
}

func BenchmarkCompileRegex(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Compile(Spec{Type: Regex, Pattern: `00(911|911@%localdomains%)`, Behavior: Replace, Replace: `\1`}, Options{Facts: &Facts{Domains: []string{"example.com"}}}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAlias(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if a, err := ParseAlias("sip:alice@example.com;transport=tls"); err != nil || a.Type != URI {
			b.Fatal(a, err)
		}
	}
}
