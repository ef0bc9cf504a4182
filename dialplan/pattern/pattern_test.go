package pattern

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// DP-6, DP-14: a regex that does not compile names the offending position.
func TestSyntaxErrorPositions(t *testing.T) {
	for _, c := range []struct {
		pat  string
		pos  int
		frag string
	}{
		{`(\d+`, 0, "missing closing )"}, // I-09
		{`ab(c(d)`, 2, "missing closing )"},
		{`abc)`, 3, "unmatched )"},
		{`*abc`, 0, "nothing to repeat"},
		{`a|+`, 2, "nothing to repeat"},
		{`a**`, 2, "nested quantifier"},
		{`a{2}{3}`, 4, "nested quantifier"},
		{`a{5,2}`, 1, "max below min"},
		{`ab[cd`, 2, "missing closing ]"},
		{`[z-a]`, 0, "out of order"},
		{`abc\`, 3, "trailing backslash"},
		{`(?<name>x)`, 0, "named groups"},
		{`(?P<n>x)`, 0, "named groups"},
		{`(?(1)a|b)`, 0, "unsupported group"},
		{`a\q`, 1, "unsupported escape"},
		{`\1(a)`, 0, "not yet defined"},
		{`x\xZZ`, 1, `\x needs`},
		{`(?x)a b`, 0, "not supported"},
	} {
		_, err := Compile(Spec{Type: Regex, Pattern: c.pat, Behavior: Leave}, Options{})
		var se *SyntaxError
		require.True(t, errors.As(err, &se), "%q: got %v", c.pat, err)
		assert.Equal(t, FieldPattern, se.Field, c.pat)
		assert.Equal(t, c.pos, se.Pos, "%q: %v", c.pat, err)
		assert.Contains(t, se.Error(), c.frag, c.pat)
		assert.Contains(t, se.Error(), "position", c.pat)
	}
}

// DP-14 SHOULD: non-capturing groups, lookahead/behind, \w, \s, lazy
// quantifiers, literal braces and escapes.
func TestRegexDialect(t *testing.T) {
	for _, c := range []struct {
		pat, in string
		want    bool
	}{
		{`(?:ab)+`, "ABAB", true},
		{`.*(?=@x\.com)@x\.com`, "a@x.com", true},
		{`.*(?<=net)`, "a.net", true},
		{`\w+\s\w+`, "ab cd", true},
		{`(a+?)(a*)`, "aaa", true},
		{`a{2,}`, "aaaa", true},
		{`a{,2}`, "a{,2}", true}, // not a quantifier: literal braces, as in .NET
		{`\d`, "٣", false},       // \d is ASCII only
		{`\D`, "x", true},
		{`[]a]`, "]", true},          // ] first in a class is literal
		{`[^]a]`, "b", true},         // also after ^
		{`[a-]`, "-", true},          // trailing - is literal
		{`[(|)]`, "|", true},         // all literal in a class
		{`a\+b`, "a+b", true},        // escaped punctuation
		{`100%`, "100%", true},       // lone % is literal
		{`%nope%x`, "%nope%x", true}, // unknown token is literal
		{`%NOPE%`, "%nope%", true},
		{`(?i)abc`, "ABC", true},
		{`a(?-i:B)c`, "abc", false}, // inline option still works
		{`^abc$`, "abc", true},      // explicit anchors are harmless (DP-15)
		{`ab|cd`, "abcd", false},    // top-level alternation is anchored as a whole
		{`\p{L}+`, "héllo", true},
		{`\x41`, "a", true},
		{`a\u00e9`, "aÉ", true},
		{`a b`, "a b", true},
		{`a#b`, "a#b", true},
	} {
		p, err := Compile(Spec{Type: Regex, Pattern: c.pat, Behavior: Leave}, Options{})
		require.NoError(t, err, c.pat)
		m, err := p.Match(c.in)
		require.NoError(t, err)
		assert.Equal(t, c.want, m.Matched, "%q on %q (%s)", c.pat, c.in, p.RegexSource())
	}
}

// DP-14: a catastrophic regex is cut off by the budget, counted as no
// match, and reported as ErrBudgetExceeded — never a hang.
func TestRegexBudget(t *testing.T) {
	p, err := Compile(Spec{Type: Regex, Pattern: `(a+)+b`, Behavior: Leave}, Options{Budget: time.Millisecond})
	require.NoError(t, err)
	in := strings.Repeat("a", 60) + "c"
	m, err := p.Match(in)
	assert.False(t, m.Matched)
	require.Error(t, err)
	assert.True(t, IsBudgetExceeded(err))
	res, err := p.Apply(in)
	assert.True(t, errors.Is(err, ErrBudgetExceeded))
	assert.False(t, res.Matched)
	assert.Equal(t, in, res.Alias)

	// Same with capture groups (the FindRunesMatch path).
	p, err = Compile(Spec{Type: Regex, Pattern: `(a+)+b`, Behavior: Replace, Replace: `\1`}, Options{Budget: time.Millisecond})
	require.NoError(t, err)
	_, err = p.Match(in)
	assert.True(t, IsBudgetExceeded(err))
}

// DP-13: Unicode simple folding; the unreplaced parts keep their case.
func TestCaseFolding(t *testing.T) {
	p := MustCompile(Spec{Type: Prefix, Pattern: "KÉ", Behavior: Strip}, Options{})
	res, err := p.Apply("\u212Aéllo") // Kelvin sign folds to k, é to É
	require.NoError(t, err)
	assert.True(t, res.Matched)
	assert.Equal(t, "llo", res.Alias)

	p = MustCompile(Spec{Type: Suffix, Pattern: "ſ", Behavior: Replace, Replace: "X"}, Options{}) // long s ~ s
	res, _ = p.Apply("BoSS")
	assert.Equal(t, "BoSX", res.Alias)

	p = MustCompile(Spec{Type: Exact, Pattern: "Alice", Behavior: Leave}, Options{CaseSensitive: true})
	res, _ = p.Apply("alice")
	assert.False(t, res.Matched)
	p = MustCompile(Spec{Type: Regex, Pattern: "Alice", Behavior: Leave}, Options{CaseSensitive: true})
	res, _ = p.Apply("alice")
	assert.False(t, res.Matched)

	assert.Equal(t, Fold("K"), Fold("\u212A"))
	assert.Equal(t, "abc", Fold("ABC"))
}

// DP-17: escapes in replace strings.
func TestReplaceEscapes(t *testing.T) {
	for _, c := range []struct {
		typ       Type
		pat, repl string
		in, want  string
	}{
		{Regex, `(.*)`, `\\\1\%x\y`, "a", `\a%xy`},
		{Regex, `(.*)`, `(\1)`, "a", `a`},
		{Prefix, `9`, `(0)\x`, "91", `(0)\x1`},
		{Prefix, `9`, `\%ip\%`, "91", `%ip%1`},
		{Exact, `a`, `%unknown%`, "a", `%unknown%`},
		{Exact, `a`, `%SystemName%`, "a", `Sys`}, // DP-7: variable names are case-insensitive
	} {
		p, err := Compile(Spec{Type: c.typ, Pattern: c.pat, Behavior: Replace, Replace: c.repl}, Options{Facts: &Facts{SystemName: "Sys"}})
		require.NoError(t, err, c.repl)
		res, err := p.Apply(c.in)
		require.NoError(t, err)
		assert.Equal(t, c.want, res.Alias, c.repl)
	}
	// A back-reference with a literal pattern type is an error (DP-17).
	_, err := Compile(Spec{Type: Prefix, Pattern: `9`, Behavior: Replace, Replace: `\1`}, Options{})
	var se *SyntaxError
	require.True(t, errors.As(err, &se))
	assert.Equal(t, FieldReplace, se.Field)
	assert.Equal(t, 0, se.Pos)
	// %ip% and friends are refused in replace strings (DP-6).
	for _, v := range []string{"%ip%", "%IPV4%", "%ipv6%", "%localdomains%"} {
		_, err := Compile(Spec{Type: Regex, Pattern: `.*`, Behavior: Replace, Replace: "a" + v}, Options{})
		require.Error(t, err, v)
		assert.True(t, errors.Is(err, ErrVariableNotAllowed), v)
		require.True(t, errors.As(err, &se))
		assert.Equal(t, 1, se.Pos)
	}
	// Trailing backslash in a Regex replace string.
	_, err = Compile(Spec{Type: Regex, Pattern: `.*`, Behavior: Replace, Replace: `a\`}, Options{})
	require.Error(t, err)
}

// DP-19: an unset variable matches nothing and warns; in a replace string it
// becomes empty and warns.
func TestVariableNoValue(t *testing.T) {
	p := MustCompile(Spec{Type: Suffix, Pattern: "@%ipv6_2%", Behavior: Leave}, Options{})
	assert.Empty(t, p.Literals())
	assert.NotEmpty(t, p.Warnings())
	m, _ := p.Match("a@")
	assert.False(t, m.Matched)

	p = MustCompile(Spec{Type: Regex, Pattern: "(.*)", Behavior: Replace, Replace: `\1@%localdomain7%`}, Options{})
	res, _ := p.Apply("bob")
	assert.Equal(t, "bob@", res.Alias)
	assert.NotEmpty(t, p.Warnings())

	// Longest expansion is used for Strip (DP-19).
	f := &Facts{Domains: []string{"example.com", "sub.example.com"}}
	p = MustCompile(Spec{Type: Suffix, Pattern: "%localdomains%", Behavior: Strip}, Options{Facts: f})
	res, _ = p.Apply("a@sub.example.com")
	assert.Equal(t, "a@", res.Alias)
	assert.Equal(t, "sub.example.com", res.Literal)

	// Cartesian expansion of two variables.
	f = &Facts{SystemName: "HQ", Domains: []string{"a.com", "b.com"}}
	p = MustCompile(Spec{Type: Exact, Pattern: "%systemname%.%localdomains%", Behavior: Leave}, Options{Facts: f})
	assert.ElementsMatch(t, []string{"HQ.a.com", "HQ.b.com"}, p.Literals())
}

func TestStripWarning(t *testing.T) {
	p := MustCompile(Spec{Type: Exact, Pattern: "x"}, Options{})
	assert.NotEmpty(t, p.Warnings()) // DP-6 SHOULD warn, DP-20
	p = MustCompile(Spec{Type: Prefix, Pattern: "x"}, Options{})
	assert.Empty(t, p.Warnings())
}

func TestAffixes(t *testing.T) {
	for _, c := range []struct{ pat, pre, suf string }{
		{`(\d+)@domain`, "", "@domain"},
		{`123(\d+)`, "123", ""},
		{`^abc.*xyz$`, "abc", "xyz"},
		{`ab?c`, "a", "c"},
		{`a|b`, "", ""},
		{`(?!x).*`, "", ""},
		{`\.meet@x\.com`, ".meet@x.com", ".meet@x.com"},
		{`ab*`, "a", ""},
		{`é1`, "", "1"},
	} {
		p := MustCompile(Spec{Type: Regex, Pattern: c.pat, Behavior: Leave}, Options{})
		pre, suf := p.Affixes()
		assert.Equal(t, c.pre, pre, c.pat)
		assert.Equal(t, c.suf, suf, c.pat)
	}
}

// DP-8: classification corner cases.
func TestClassify(t *testing.T) {
	for in, want := range map[string]AliasType{
		"10.0.0.1:5060":     IPv4,
		"[3ffe::1]:5061":    IPv6,
		"[3ffe::1]":         IPv6,
		"::1":               IPv6,
		"user@10.0.0.1":     URI,
		"+441234":           E164,
		"++441234":          H323ID,
		"44+1234":           H323ID,
		"+":                 H323ID,
		"10.0.0.1:0":        H323ID,
		"10.0.0.1:99999":    H323ID,
		"10.0.0":            H323ID,
		"[3ffe::1]x":        H323ID,
		"alice":             H323ID,
		"*#":                E164,
		"256.1.1.1":         H323ID,
		"ipv4@3ffe:80ee::1": URI,
	} {
		assert.Equal(t, want, Classify(in), in)
	}
	assert.True(t, IPv6.IsIP())
	assert.False(t, URI.IsIP())
}

// DP-9: normalisation.
func TestParseAlias(t *testing.T) {
	a, err := ParseAlias("SIPS:Bob@Example.com?subject=x")
	require.NoError(t, err)
	assert.Equal(t, "Bob@Example.com", a.Value)
	assert.Equal(t, "sips", a.Scheme)
	assert.Equal(t, "?subject=x", a.Params)
	a, err = ParseAlias("tel:+1234;phone-context=example.com")
	require.NoError(t, err)
	assert.Equal(t, "+1234", a.Value)
	assert.Equal(t, E164, a.Type)
	a, err = ParseAlias("alice;x")
	require.NoError(t, err)
	assert.Equal(t, "alice;x", a.Value) // not a URI, no scheme: kept byte for byte
	_, err = ParseAlias("sip:")
	assert.ErrorIs(t, err, ErrEmptyAlias)
	_, err = ParseAlias("")
	assert.ErrorIs(t, err, ErrEmptyAlias)
	_, err = ParseAlias("a\tb")
	assert.ErrorIs(t, err, ErrControlChars)
	_, err = ParseAlias("a\xffb")
	assert.ErrorIs(t, err, ErrInvalidUTF8)
}

func TestFactsValidate(t *testing.T) {
	f := vectorFactsC()
	require.NoError(t, f.Validate())
	f.LocalPeer = 5
	f.Domains = append(f.Domains, "")
	f.Peers[1].LAN1IPv6 = f.Peers[0].LAN1IPv4
	err := f.Validate()
	require.Error(t, err)
	for _, s := range []string{"local_peer", "domains[2]", "peers[1].lan1_ipv6"} {
		assert.Contains(t, err.Error(), s)
	}
}

func TestParseNames(t *testing.T) {
	for i, n := range typeNames {
		v, err := ParseType(strings.ToUpper(n))
		require.NoError(t, err)
		assert.Equal(t, Type(i), v)
	}
	_, err := ParseType("glob")
	assert.Error(t, err)
	var b Behavior
	require.NoError(t, b.UnmarshalText([]byte("addsuffix")))
	assert.Equal(t, AddSuffix, b)
	assert.Error(t, b.UnmarshalText([]byte("nope")))
	_, err = Compile(Spec{Type: 9}, Options{})
	assert.Error(t, err)
	_, err = Compile(Spec{Behavior: 9}, Options{})
	assert.Error(t, err)
}

func TestNonASCIIGroups(t *testing.T) {
	p := MustCompile(Spec{Type: Regex, Pattern: `(.)é(.+)`, Behavior: Replace, Replace: `\2-\1`}, Options{})
	res, err := p.Apply("ÀÉçà")
	require.NoError(t, err)
	assert.Equal(t, "çà-À", res.Alias)
}
