package pattern

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkVector is one row of spec §3.1 or §3.3: CheckPattern semantics.
type checkVector struct {
	id       string
	typ      Type
	pat      string
	beh      Behavior
	repl     string
	in       string
	match    bool
	out      string
	errField string // non-empty: Compile must fail naming this field
}

func runCheckVectors(t *testing.T, facts *Facts, vectors []checkVector) {
	t.Helper()
	for _, v := range vectors {
		t.Run(v.id, func(t *testing.T) {
			p, err := Compile(Spec{Type: v.typ, Pattern: v.pat, Behavior: v.beh, Replace: v.repl}, Options{Facts: facts})
			if v.errField != "" {
				require.Error(t, err)
				var se *SyntaxError
				require.True(t, errors.As(err, &se), "want *SyntaxError, got %T %v", err, err)
				assert.Equal(t, v.errField, se.Field)
				return
			}
			require.NoError(t, err)
			res, err := p.Apply(v.in)
			require.NoError(t, err)
			assert.Equal(t, v.match, res.Matched, "matched")
			assert.Equal(t, v.out, res.Alias, "output")
		})
	}
}

// Spec §3.1, DP-12..DP-21 (the DP-n for each row is in the spec table).
func TestVectorsA(t *testing.T) {
	facts := &Facts{Domains: []string{"example.com"}} // %localdomains% = {example.com}
	const R, L, S, AP, AS = Replace, Leave, Strip, AddPrefix, AddSuffix
	runCheckVectors(t, facts, []checkVector{
		{"A-01", Suffix, `@a.net`, R, `@a.com`, `bob@a.net`, true, `bob@a.com`, ""}, // DP-16
		{"A-02", Suffix, `example.net`, R, `example.com`, `alice@example.net`, true, `alice@example.com`, ""},
		{"A-03", Suffix, `@sales.example.com`, L, ``, `alice@sales.example.com`, true, `alice@sales.example.com`, ""},
		{"A-04", Suffix, `@sales.example.com`, L, ``, `alice@example.com`, false, `alice@example.com`, ""},
		{"A-05", Suffix, `example.com`, R, `example.co.uk`, `name@example.com`, true, `name@example.co.uk`, ""},
		{"A-06", Suffix, `example.com`, R, `example.net`, `name@example.com`, true, `name@example.net`, ""},
		{"A-07", Suffix, `@example.com`, S, ``, `name@example.com`, true, `name`, ""},
		{"A-08", Regex, `(\d+)`, R, `\1@domain`, `123`, true, `123@domain`, ""}, // DP-15
		{"A-09", Regex, `(\d+)`, R, `\1@domain`, `123@domain`, false, `123@domain`, ""},
		{"A-10", Regex, `(\d+)`, R, `\1@domain`, `abc`, false, `abc`, ""},
		{"A-11", Regex, `(\d+)@domain`, R, `\1`, `123@domain`, true, `123`, ""},
		{"A-12", Regex, `(\d+)@domain`, L, ``, `123@domain`, true, `123@domain`, ""},
		{"A-13", Regex, `([^@]*)`, R, `\1@domain`, `123abc`, true, `123abc@domain`, ""},
		{"A-14", Regex, `([^@]*)`, R, `\1@domain`, `123abc@domain`, false, `123abc@domain`, ""},
		{"A-15", Regex, `(.+)@domain`, R, `\1`, `123abc@domain`, true, `123abc`, ""},
		{"A-16", Regex, `(.+)@domain`, L, ``, `123abc@domain`, true, `123abc@domain`, ""},
		{"A-17", Regex, `911|(911@%localdomains%)`, L, ``, `911`, true, `911`, ""}, // DP-15, DP-19
		{"A-18", Regex, `911|(911@%localdomains%)`, L, ``, `911@example.com`, true, `911@example.com`, ""},
		{"A-19", Regex, `911|(911@%localdomains%)`, L, ``, `911@other.com`, false, `911@other.com`, ""},
		{"A-20", Regex, `911|(911@%localdomains%)`, L, ``, `9110`, false, `9110`, ""},
		{"A-21", Regex, `911|(911@%localdomains%)`, L, ``, `00911`, false, `00911`, ""},
		{"A-22", Regex, `00(911|911@%localdomains%)`, R, `\1`, `00911`, true, `911`, ""},
		{"A-23", Regex, `00(911|911@%localdomains%)`, R, `\1`, `00911@example.com`, true, `911@example.com`, ""},
		{"A-24", Regex, `00(911|911@%localdomains%)`, R, `\1`, `911`, false, `911`, ""},
		{"A-25", Regex, `.*\.meet@example.com`, L, ``, `team.meet@example.com`, true, `team.meet@example.com`, ""},
		{"A-26", Regex, `.*\.meet@example.com`, L, ``, `teammeet@example.com`, false, `teammeet@example.com`, ""},
		{"A-27", Regex, `.*\.meet@example.com`, L, ``, `team.meet@exampleXcom`, true, `team.meet@exampleXcom`, ""},
		{"A-28", Regex, `.*@.*`, L, ``, `alice@example.com`, true, `alice@example.com`, ""},
		{"A-29", Regex, `.*@.*`, L, ``, `alice`, false, `alice`, ""},
		{"A-30", Regex, `(?!.*@example.com$).*`, L, ``, `bob@example.org`, true, `bob@example.org`, ""}, // DP-14
		{"A-31", Regex, `(?!.*@example.com$).*`, L, ``, `bob@example.com`, false, `bob@example.com`, ""},
		{"A-32", Regex, `(?!.*@example.com$).*`, L, ``, `bob`, true, `bob`, ""},
		{"A-33", Prefix, `44`, L, ``, `441189876432`, true, `441189876432`, ""},
		{"A-34", Prefix, `44`, L, ``, `0044118987`, false, `0044118987`, ""},
		{"A-35", Regex, `8(\d{4})`, R, `44123123(\1)`, `81234`, true, `441231231234`, ""}, // DP-17
		{"A-36", Regex, `8(\d{4})`, R, `44123123(\1)`, `812345`, false, `812345`, ""},
		{"A-37", Regex, `(.).*_(.).*(@example.com)`, R, `\1\2\3`, `john_smith@example.com`, true, `js@example.com`, ""},
		{"A-38", Prefix, `9`, S, ``, `9123`, true, `123`, ""},
		{"A-39", Prefix, `9`, R, `0`, `9123`, true, `0123`, ""},
		{"A-40", Prefix, `9`, AP, `0`, `9123`, true, `09123`, ""},
		{"A-41", Prefix, `9`, AP, `0`, `8123`, false, `8123`, ""},
		{"A-42", Suffix, `@example.com`, AS, `.uk`, `name@example.com`, true, `name@example.com.uk`, ""},
		{"A-43", Exact, `reception`, R, `reception@example.com`, `reception`, true, `reception@example.com`, ""},
		{"A-44", Exact, `reception`, R, `reception@example.com`, `reception2`, false, `reception2`, ""},
		{"A-45", Exact, `ALICE@Example.com`, L, ``, `alice@example.com`, true, `alice@example.com`, ""}, // DP-13
		{"A-46", Prefix, `ABC`, S, ``, `abcDEF`, true, `DEF`, ""},
		{"A-47", Suffix, `@EXAMPLE.COM`, R, `@example.net`, `Bob@Example.com`, true, `Bob@example.net`, ""},
		{"A-48", Exact, `abc`, S, ``, `abc`, true, ``, ""},        // DP-20
		{"A-49", Prefix, `1.2`, S, ``, `1x23`, false, `1x23`, ""}, // DP-12: literal '.'
		{"A-50", Regex, `(\d+)`, R, `a\(\1\)`, `12`, true, `a(12)`, ""},
		{"A-51", Regex, `(\d+)`, R, `\2`, `12`, false, ``, FieldReplace}, // DP-6, DP-17
		{"A-52", Regex, `(a)|(b)`, R, `x\1y`, `b`, true, `xy`, ""},
		{"A-53", Regex, `(\d+)`, S, ``, `123`, true, ``, ""},
	})
}

// regexVector is one row of spec §3.2: full match, case-insensitive.
type regexVector struct {
	id      string
	pat     string
	match   []string
	noMatch []string
}

// Spec §3.2, DP-13..DP-15.
func TestVectorsB(t *testing.T) {
	for _, v := range []regexVector{
		{"B-01", `.*`, []string{"anything@example.com", ""}, nil},
		{"B-02", `9?123`, []string{"9123", "123"}, []string{"99123", "0123"}},
		{"B-03", `\d{3}`, []string{"123"}, []string{"12", "1234", "12a"}},
		{"B-04", `\d{3,5}`, []string{"123", "1234", "12345"}, []string{"12", "123456"}},
		{"B-05", `[a-z]`, []string{"a", "Z"}, []string{"1", "ab"}},
		{"B-06", `[0-9#*]`, []string{"5", "#", "*"}, []string{"a", "+"}},
		{"B-07", `[^a-z]`, []string{"1", "#"}, []string{"a", "A"}},
		{"B-08", `[^0-9#*]`, []string{"a"}, []string{"#", "*", "7"}},
		{"B-09", `.*@example.(net|com)`, []string{"alice@example.com", "alice@example.net", "alice@exampleXnet"}, []string{"alice@example.org"}},
		{"B-10", `[^abc]`, []string{"d"}, []string{"a", "B"}},
		{"B-11", `^\d\d\d$`, []string{"123"}, []string{"1234", "12"}},
		{"B-12", `(?!.*@example.com$).*`, []string{"a@example.net", "bob"}, []string{"a@example.com", "A@EXAMPLE.COM"}},
		{"B-13", `(?!alice).*`, []string{"bob@example.com", "alicia"}, []string{"alice@example.com", "ALICE"}},
		{"B-14", `.*(?<!net)`, []string{"a@example.com"}, []string{"a@example.net"}},
		{"B-15", `.`, []string{"x"}, []string{"xy", ""}},
		{"B-16", `[.]`, []string{"."}, []string{"a"}},
		{"B-17", `[\d]`, []string{`\`, "d"}, []string{"5"}},
		{"B-18", `a+`, []string{"a", "aaa"}, []string{"", "ab"}},
		{"B-19", `a\.b`, []string{"a.b"}, []string{"axb"}},
		{"B-20", `vpsales|vpmarketing|vpengineering`, []string{"vpmarketing", "VPSALES"}, []string{"vpfinance", "vpsalesx"}},
		{"B-21", `9(.*)`, []string{"9", "90123"}, []string{"8123"}},
		{"B-22", `(.*)`, []string{"anything"}, nil},
	} {
		t.Run(v.id, func(t *testing.T) {
			p, err := Compile(Spec{Type: Regex, Pattern: v.pat, Behavior: Leave}, Options{})
			require.NoError(t, err)
			for _, s := range v.match {
				m, err := p.Match(s)
				require.NoError(t, err)
				assert.True(t, m.Matched, "%q should match %q", v.pat, s)
			}
			for _, s := range v.noMatch {
				m, err := p.Match(s)
				require.NoError(t, err)
				assert.False(t, m.Matched, "%q should not match %q", v.pat, s)
			}
		})
	}
}

// vectorFactsC are the system facts of spec §3.3.
func vectorFactsC() *Facts {
	return &Facts{
		SystemName: "MainHQ",
		Peers: []Peer{
			{ // peer A (local)
				LAN1IPv4: netip.MustParseAddr("10.0.0.1"),
				LAN2IPv4: netip.MustParseAddr("192.168.1.1"),
				LAN1IPv6: netip.MustParseAddr("2001:db8::1"),
			},
			{LAN1IPv4: netip.MustParseAddr("10.0.0.2")}, // peer B
		},
		LocalPeer: 0,
		Domains:   []string{"example.com", "example.net"},
	}
}

// Spec §3.3, DP-18, DP-19.
func TestVectorsC(t *testing.T) {
	const R, L, S = Replace, Leave, Strip
	runCheckVectors(t, vectorFactsC(), []checkVector{
		{"C-01", Suffix, `@%ip%`, R, `@example.com`, `alice@10.0.0.1`, true, `alice@example.com`, ""},
		{"C-02", Suffix, `@%ip%`, R, `@example.com`, `alice@10.0.0.2`, true, `alice@example.com`, ""},
		{"C-03", Suffix, `@%ip%`, R, `@example.com`, `alice@10.9.9.9`, false, `alice@10.9.9.9`, ""},
		{"C-04", Suffix, `@%ip%`, S, ``, `alice@2001:db8::1`, true, `alice`, ""},
		{"C-05", Regex, `.*@%ipv4%`, L, ``, `bob@192.168.1.1`, true, `bob@192.168.1.1`, ""},
		{"C-06", Regex, `.*@%ipv4%`, L, ``, `bob@2001:db8::1`, false, `bob@2001:db8::1`, ""},
		{"C-07", Regex, `.*@%ipv4_1%`, L, ``, `bob@10.0.0.2`, true, `bob@10.0.0.2`, ""},
		{"C-08", Regex, `.*@%ipv4_1%`, L, ``, `bob@192.168.1.1`, false, `bob@192.168.1.1`, ""},
		{"C-09", Regex, `.*@%ipv6_2%`, L, ``, `bob@2001:db8::1`, false, `bob@2001:db8::1`, ""},
		{"C-10", Regex, `(.*)@.*`, R, `\1@%ipv4_1%`, `bob@foo`, true, `bob@10.0.0.1`, ""},
		{"C-11", Exact, `%systemname%`, R, `reception@example.com`, `mainhq`, true, `reception@example.com`, ""},
		{"C-12", Suffix, `@%systemname%`, S, ``, `alice@MainHQ`, true, `alice`, ""},
		{"C-13", Regex, `(.*)`, R, `\1.%systemname%`, `conf`, true, `conf.MainHQ`, ""},
		{"C-14", Regex, `.*@(%localdomains%|%ip%)`, L, ``, `alice@example.net`, true, `alice@example.net`, ""},
		{"C-15", Regex, `.*@(%localdomains%|%ip%)`, L, ``, `alice@10.0.0.1`, true, `alice@10.0.0.1`, ""},
		{"C-16", Regex, `.*@(%localdomains%|%ip%)`, L, ``, `alice@example.org`, false, `alice@example.org`, ""},
		{"C-17", Regex, `.*@%localdomain2%`, L, ``, `alice@example.net`, true, `alice@example.net`, ""},
		{"C-18", Regex, `.*@%localdomain2%`, L, ``, `alice@example.com`, false, `alice@example.com`, ""},
		{"C-19", Regex, `911@%localdomains%`, L, ``, `911@exampleXcom`, false, `911@exampleXcom`, ""},
		{"C-20", Suffix, `x`, R, `%ip%`, `anyx`, false, ``, FieldReplace},
	})
}

// Spec §3.6, DP-8, DP-9.
func TestVectorsF(t *testing.T) {
	for _, v := range []struct {
		id, in string
		typ    AliasType
		value  string
	}{
		{"F-01", "10.44.10.1", IPv4, "10.44.10.1"},
		{"F-02", "3ffe:80ee:3706::10:35", IPv6, "3ffe:80ee:3706::10:35"},
		{"F-03", "john.smith", H323ID, "john.smith"},
		{"F-04", "john.smith@example.com", URI, "john.smith@example.com"},
		{"F-05", "441189876432", E164, "441189876432"},
		{"F-06", "6432", E164, "6432"},
		{"F-07", "0#*5", E164, "0#*5"},
		{"F-08", "h323:1234@example.com", URI, "1234@example.com"},
		{"F-09", "sip:alice@example.com;transport=tls", URI, "alice@example.com"},
		{"F-10", "123abc", H323ID, "123abc"},
	} {
		t.Run(v.id, func(t *testing.T) {
			a, err := ParseAlias(v.in)
			require.NoError(t, err)
			assert.Equal(t, v.typ, a.Type)
			assert.Equal(t, v.value, a.Value)
			assert.Equal(t, v.typ, Classify(a.Value))
		})
	}
}
