package dialplan_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/causeway-edge/causeway/dialplan"
	"github.com/causeway-edge/causeway/dialplan/dialplantest"
	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// Route a call through a pre-search transform and two search rules: the
// Local Zone first, then a neighbor that gets the alias with its domain
// rewritten.
func ExampleEngine_Route() {
	cfg := dialplan.Config{
		Zones: []dialplan.Zone{dialplan.NewZone("Head office", dialplan.Neighbor)},
	}
	strip9 := dialplan.NewTransform()
	strip9.PatternType, strip9.PatternString, strip9.PatternBehavior = pattern.Prefix, "9", pattern.Strip
	cfg.Transforms = []dialplan.Transform{strip9}

	local := dialplan.NewSearchRule("Local")
	local.Priority, local.TargetName = 50, dialplan.LocalZone
	head := dialplan.NewSearchRule("To head office")
	head.Priority, head.TargetName = 100, "Head office"
	head.Mode, head.PatternType, head.PatternString = dialplan.AliasPatternMatch, pattern.Suffix, "@branch.example.com"
	head.PatternBehavior, head.ReplaceString = pattern.Replace, "@example.com"
	cfg.SearchRules = []dialplan.SearchRule{local, head}

	// Plug in the zones: here the in-memory doubles from dialplantest.
	regs := dialplantest.NewRegistrations()
	regs.Register("1234", dialplan.AnyProtocol, "192.0.2.10:5060")
	headOffice := dialplantest.NewZone("bob@example.com")

	e, err := dialplan.NewEngine(cfg, dialplan.WithLocalZone(regs), dialplan.WithTarget("Head office", headOffice))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, alias := range []string{"91234", "bob@branch.example.com", "carol"} {
		res, err := e.Route(context.Background(), dialplan.Request{Alias: alias, Protocol: dialplan.SIP, Source: dialplan.FromLocalZone("")})
		if err != nil {
			fmt.Println(err)
			continue
		}
		if res.Status == dialplan.Found {
			r := res.Route0()
			fmt.Printf("%s: %v in %s as %s\n", alias, res.Status, r.Zone, r.Alias)
		} else {
			fmt.Printf("%s: %v (%s)\n", alias, res.Status, res.Reason)
		}
	}
	// Output:
	// 91234: Found in LocalZone as 1234
	// bob@branch.example.com: Found in Head office as bob@example.com
	// carol: NotFound (NotFound)
}

// Locate runs the whole pipeline with a trace, from a dial plan file whose
// zones are static registration tables.
func ExampleEngine_Locate() {
	cfg, err := dialplan.LoadConfig(strings.NewReader(`
local_registrations:
  - alias: alice@example.com
search_rules:
  - name: Local
    priority: 50
    mode: AliasPatternMatch
    pattern_type: Regex
    pattern_string: '(.*)@example\.(com|net)'
    pattern_behavior: Replace
    replace_string: '\1@example.com'
    target_name: LocalZone
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	e, err := dialplan.NewEngine(cfg, dialplan.WithCallTags(func() string { return "tag-1" }))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := e.Locate(context.Background(), dialplan.LocateRequest{Alias: "alice@example.net", HopCount: 15, Protocol: dialplan.SIP})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, res.Route0().Zone, res.Route0().Alias)
	fmt.Print(res.Trace)
	// Output:
	// Found LocalZone alice@example.com
	// call tag tag-1
	//   AliasIn alias=alice@example.net detail="locate from source alias xcom-locate in DefaultZone"
	//   RuleMatched alias=alice@example.com priority=50 rule=Local target=LocalZone detail="AliasPatternMatch, Continue"
	//   Query alias=alice@example.com priority=50 rule=Local target=LocalZone protocol=SIP hops=15
	//   Response alias=alice@example.com priority=50 rule=Local target=LocalZone protocol=SIP result=found
	//   Result alias=alice@example.net result=Found
}

// CheckPattern is the Check pattern tool: a pure function.
func ExampleCheckPattern() {
	res, err := dialplan.CheckPattern(dialplan.CheckRequest{
		Alias:    "81234",
		Type:     pattern.Regex,
		Pattern:  `8(\d{4})`,
		Behavior: pattern.Replace,
		Replace:  `44123123(\1)`,
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Matched, res.Result)
	// Output:
	// true 441231231234
}

// Config.Validate reports every fault at once, naming each field.
func ExampleConfig_Validate() {
	r := dialplan.NewSearchRule("bad")
	r.Mode, r.PatternType, r.PatternString, r.TargetName = dialplan.AliasPatternMatch, pattern.Regex, `(\d+`, "Nowhere"
	cfg := dialplan.Config{SearchRules: []dialplan.SearchRule{r}}
	fmt.Println(cfg.Validate())
	// Output:
	// search_rules[0].pattern_string: position 0: missing closing ) for this (
	// search_rules[0].target_name: unknown zone "Nowhere"
}

// dialplantest doubles make "first responder" deterministic: hold one zone,
// and the other one answers first.
func Example_dialplantest() {
	var cfg dialplan.Config
	for _, z := range []string{"Slow", "Fast"} {
		cfg.Zones = append(cfg.Zones, dialplan.NewZone(z, dialplan.Neighbor))
		r := dialplan.NewSearchRule("to " + z)
		r.TargetName = z
		cfg.SearchRules = append(cfg.SearchRules, r)
	}
	slow, fast := dialplantest.NewZone("bob"), dialplantest.NewZone("bob")
	e, _ := dialplan.NewEngine(cfg, dialplan.WithTarget("Slow", slow), dialplan.WithTarget("Fast", fast))

	release := slow.Hold() // Slow's query waits; it is cancelled when Fast finds bob
	defer release()
	res, _ := e.Route(context.Background(), dialplan.Request{Alias: "bob", Protocol: dialplan.SIP})
	fmt.Println(res.Status, res.Route0().Zone)
	// Output:
	// Found Fast
}
