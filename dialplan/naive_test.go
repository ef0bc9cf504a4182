package dialplan_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/causeway-edge/causeway/dialplan"
	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// naive is a test-only reference evaluation of a dial plan: transforms and
// search rules are scanned linearly in priority order, with no index. It
// covers the subset the benchmarks and the differential test use: SIP from
// the Local Zone, Zone targets answered from static registrations, no
// policy, no interworking, Continue/Stop.
type naive struct {
	transforms []naiveT
	rules      []naiveR
	regs       map[string]map[string]bool // zone (folded) -> folded aliases
}

type naiveT struct {
	prio int
	p    *pattern.Pattern
}

type naiveR struct {
	prio   int
	mode   dialplan.RuleMode
	p      *pattern.Pattern
	stop   bool
	target string
}

func newNaive(tb testing.TB, c dialplan.Config) *naive {
	n := &naive{regs: map[string]map[string]bool{}}
	o := pattern.Options{Facts: &c.System}
	for _, t := range c.Transforms {
		if t.State != dialplan.Enabled {
			continue
		}
		p, err := pattern.Compile(pattern.Spec{Type: t.PatternType, Pattern: t.PatternString, Behavior: t.PatternBehavior, Replace: t.ReplaceString}, o)
		if err != nil {
			tb.Fatal(err)
		}
		n.transforms = append(n.transforms, naiveT{t.Priority, p})
	}
	sort.SliceStable(n.transforms, func(a, b int) bool { return n.transforms[a].prio < n.transforms[b].prio })
	for _, r := range c.SearchRules {
		if r.State != dialplan.Enabled {
			continue
		}
		nr := naiveR{prio: r.Priority, mode: r.Mode, stop: r.Progress == dialplan.Stop, target: strings.ToLower(r.TargetName)}
		if r.Mode == dialplan.AliasPatternMatch {
			p, err := pattern.Compile(pattern.Spec{Type: r.PatternType, Pattern: r.PatternString, Behavior: r.PatternBehavior, Replace: r.ReplaceString}, o)
			if err != nil {
				tb.Fatal(err)
			}
			nr.p = p
		}
		n.rules = append(n.rules, nr)
	}
	sort.SliceStable(n.rules, func(a, b int) bool { return n.rules[a].prio < n.rules[b].prio })
	add := func(zone string, regs []dialplan.Registration) {
		m := map[string]bool{}
		for _, g := range regs {
			m[strings.ToLower(g.Alias)] = true
		}
		n.regs[strings.ToLower(zone)] = m
	}
	add(dialplan.LocalZone, c.LocalRegistrations)
	for _, z := range c.Zones {
		add(z.Name, z.Registrations)
	}
	return n
}

// route returns the zone that finds alias ("" for none) and the queries
// sent, as "zone:alias".
func (n *naive) route(alias string, _ dialplan.Protocol) (string, []string) {
	for _, t := range n.transforms {
		if res, err := t.p.Apply(alias); err == nil && res.Matched {
			alias = res.Alias
			break
		}
	}
	isIP := pattern.Classify(alias).IsIP()
	var queries []string
	for i := 0; i < len(n.rules); {
		prio := n.rules[i].prio
		found, stop := "", false
		for ; i < len(n.rules) && n.rules[i].prio == prio; i++ {
			r := &n.rules[i]
			q := alias
			switch r.mode {
			case dialplan.AnyAlias:
				if isIP {
					continue
				}
			case dialplan.AnyIPAddress:
				if !isIP {
					continue
				}
			default:
				res, err := r.p.Apply(alias)
				if err != nil || !res.Matched {
					continue
				}
				q = res.Alias
			}
			stop = stop || r.stop
			if q == "" {
				continue
			}
			queries = append(queries, r.target+":"+q)
			if found == "" && n.regs[r.target][strings.ToLower(q)] {
				found = r.target
			}
		}
		if found != "" {
			return found, queries
		}
		if stop {
			break
		}
	}
	return "", queries
}
