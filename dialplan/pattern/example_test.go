package pattern_test

import (
	"fmt"
	"net/netip"

	"github.com/causeway-edge/causeway/dialplan/pattern"
)

func ExampleCompile() {
	p, err := pattern.Compile(pattern.Spec{
		Type:     pattern.Regex,
		Pattern:  `(.*)@example\.com`,
		Behavior: pattern.Replace,
		Replace:  `\1@example.net`,
	}, pattern.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, alias := range []string{"alice@example.com", "Bob@EXAMPLE.COM", "carol@example.org"} {
		res, err := p.Apply(alias)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(res.Matched, res.Alias)
	}
	// Output:
	// true alice@example.net
	// true Bob@example.net
	// false carol@example.org
}

func ExampleCompile_syntaxError() {
	_, err := pattern.Compile(pattern.Spec{Type: pattern.Regex, Pattern: `9(\d+`}, pattern.Options{})
	fmt.Println(err)
	// Output:
	// pattern_string: position 1: missing closing ) for this (
}

func ExampleCompile_variables() {
	facts := &pattern.Facts{
		SystemName: "MainHQ",
		Peers:      []pattern.Peer{{LAN1IPv4: netip.MustParseAddr("10.0.0.1")}},
		Domains:    []string{"example.com"},
	}
	// Calls dialled to user@<our address> become user@<our first domain>.
	p := pattern.MustCompile(pattern.Spec{
		Type:     pattern.Suffix,
		Pattern:  "@%ip%",
		Behavior: pattern.Replace,
		Replace:  "@%localdomain1%",
	}, pattern.Options{Facts: facts})
	res, _ := p.Apply("alice@10.0.0.1")
	fmt.Println(res.Alias, "via", res.Literal)
	// Output:
	// alice@example.com via @10.0.0.1
}

func ExamplePattern_Match() {
	p := pattern.MustCompile(pattern.Spec{Type: pattern.Regex, Pattern: `(\d+)@(.*)`, Behavior: pattern.Replace, Replace: `\2/\1`}, pattern.Options{})
	m, _ := p.Match("1234@example.com")
	fmt.Println(m.Matched, m.Group(1), m.Group(2), p.Rewrite(m))
	// Output:
	// true 1234 example.com example.com/1234
}

func ExampleParseAlias() {
	for _, s := range []string{"sip:alice@example.com;transport=tls", "h323:1234@example.com", "+441189876432", "10.44.10.1:1720", "john.smith"} {
		a, err := pattern.ParseAlias(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(a.Type, a.Value)
	}
	// Output:
	// URI alice@example.com
	// URI 1234@example.com
	// E164 +441189876432
	// IPv4 10.44.10.1:1720
	// H323ID john.smith
}
