package dialplan_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/causeway-edge/causeway/dialplan"
	"github.com/causeway-edge/causeway/dialplan/pattern"
)

func transformAt(prio int) dialplan.Transform {
	t := dialplan.NewTransform()
	t.Priority, t.PatternString = prio, fmt.Sprint("p", prio)
	return t
}

func ruleTo(name string, prio int, target string) dialplan.SearchRule {
	r := dialplan.NewSearchRule(name)
	r.Priority, r.TargetName = prio, target
	return r
}

// requireField checks that err reports a fault for field (and mentions
// frag).
func requireField(t *testing.T, err error, field, frag string) {
	t.Helper()
	require.Error(t, err)
	var fe *dialplan.FieldError
	require.True(t, errors.As(err, &fe), "%v", err)
	found := false
	for _, line := range strings.Split(err.Error(), "\n") {
		if strings.HasPrefix(line, field+":") && strings.Contains(line, frag) {
			found = true
		}
	}
	assert.True(t, found, "no fault for %s (%s) in:\n%v", field, frag, err)
}

// DP-1, DP-6: at most 100 transforms.
func TestI01(t *testing.T) {
	var c dialplan.Config
	for i := 1; i <= 101; i++ {
		c.Transforms = append(c.Transforms, transformAt(i))
	}
	requireField(t, c.Validate(), "transforms", "at most 100")
	c.Transforms = c.Transforms[:100]
	assert.NoError(t, c.Validate())
}

// DP-2: at most 2000 search rules.
func TestI02(t *testing.T) {
	var c dialplan.Config
	for i := 0; i < 2001; i++ {
		c.SearchRules = append(c.SearchRules, ruleTo("r", 100, dialplan.LocalZone))
	}
	requireField(t, c.Validate(), "search_rules", "at most 2000")
	c.SearchRules = c.SearchRules[:2000]
	assert.NoError(t, c.Validate())
}

// DP-1, DP-2: priorities 1..65534.
func TestI03(t *testing.T) {
	for _, p := range []int{0, 65535} {
		c := dialplan.Config{Transforms: []dialplan.Transform{transformAt(p)}, SearchRules: []dialplan.SearchRule{ruleTo("r", p, dialplan.LocalZone)}}
		err := c.Validate()
		requireField(t, err, "transforms[0].priority", "out of range")
		requireField(t, err, "search_rules[0].priority", "out of range")
	}
	c := dialplan.Config{Transforms: []dialplan.Transform{transformAt(65534)}, SearchRules: []dialplan.SearchRule{ruleTo("r", 1, dialplan.LocalZone)}}
	assert.NoError(t, c.Validate())
}

// DP-2: rule priorities may repeat.
func TestI04(t *testing.T) {
	c := dialplan.Config{SearchRules: []dialplan.SearchRule{ruleTo("a", 100, dialplan.LocalZone), ruleTo("b", 100, dialplan.LocalZone)}}
	assert.NoError(t, c.Validate())
}

// DP-1, DP-25: bulk loading refuses duplicate transform priorities.
func TestI05(t *testing.T) {
	c := dialplan.Config{Transforms: []dialplan.Transform{transformAt(5), transformAt(5)}}
	requireField(t, c.Validate(), "transforms[1].priority", "unique")
	_, err := dialplan.LoadConfig(strings.NewReader("transforms:\n  - {priority: 5, pattern_string: a}\n  - {priority: 5, pattern_string: b}\n"))
	requireField(t, err, "transforms[1].priority", "unique")
}

// DP-25: adding at a used priority shifts every priority at or above it.
func TestI06(t *testing.T) {
	c := dialplan.Config{Transforms: []dialplan.Transform{transformAt(1), transformAt(2), transformAt(5)}}
	nt := transformAt(2)
	nt.PatternString = "new"
	require.NoError(t, c.AddTransform(nt))
	var got []string
	for _, t := range c.Transforms {
		got = append(got, fmt.Sprint(t.Priority, "=", t.PatternString))
	}
	assert.Equal(t, []string{"1=p1", "2=new", "3=p2", "6=p5"}, got)
	require.NoError(t, c.Validate())
	// A free priority is simply taken.
	require.NoError(t, c.AddTransform(transformAt(4)))
	assert.Equal(t, 4, c.Transforms[3].Priority)
}

// DP-25: no room to shift.
func TestI07(t *testing.T) {
	c := dialplan.Config{Transforms: []dialplan.Transform{transformAt(10), transformAt(65534)}}
	before := append([]dialplan.Transform(nil), c.Transforms...)
	assert.ErrorIs(t, c.AddTransform(transformAt(10)), dialplan.ErrNoPrioritySlots)
	assert.ErrorIs(t, c.AddTransform(transformAt(65534)), dialplan.ErrNoPrioritySlots)
	assert.Equal(t, before, c.Transforms)
	require.NoError(t, c.AddTransform(transformAt(65533))) // no collision, no shift
}

// DP-1: pattern strings of at most 60 characters.
func TestI08(t *testing.T) {
	r := ruleTo("r", 1, dialplan.LocalZone)
	r.Mode, r.PatternString = dialplan.AliasPatternMatch, strings.Repeat("a", 61)
	tr := transformAt(1)
	tr.PatternString = strings.Repeat("é", 61)
	c := dialplan.Config{SearchRules: []dialplan.SearchRule{r}, Transforms: []dialplan.Transform{tr}}
	err := c.Validate()
	requireField(t, err, "search_rules[0].pattern_string", "at most 60")
	requireField(t, err, "transforms[0].pattern_string", "at most 60")
	c.SearchRules[0].PatternString = strings.Repeat("a", 60)
	c.Transforms[0].PatternString = strings.Repeat("é", 60)
	assert.NoError(t, c.Validate())
}

// DP-6: regex errors name their position.
func TestI09(t *testing.T) {
	r := ruleTo("r", 1, dialplan.LocalZone)
	r.Mode, r.PatternType, r.PatternString = dialplan.AliasPatternMatch, pattern.Regex, `(\d+`
	c := dialplan.Config{SearchRules: []dialplan.SearchRule{r}}
	err := c.Validate()
	requireField(t, err, "search_rules[0].pattern_string", "position 0")
	var se *pattern.SyntaxError
	require.True(t, errors.As(err, &se))
	assert.Equal(t, 0, se.Pos)
}

// DP-6: search rules have no AddPrefix/AddSuffix.
func TestI10(t *testing.T) {
	for _, b := range []pattern.Behavior{pattern.AddPrefix, pattern.AddSuffix} {
		r := ruleTo("r", 1, dialplan.LocalZone)
		r.Mode, r.PatternString, r.PatternBehavior = dialplan.AliasPatternMatch, "9", b
		c := dialplan.Config{SearchRules: []dialplan.SearchRule{r}}
		requireField(t, c.Validate(), "search_rules[0].pattern_behavior", "not a search rule behavior")
	}
}

// DP-6: transforms have no Leave.
func TestI11(t *testing.T) {
	tr := transformAt(1)
	tr.PatternBehavior = pattern.Leave
	c := dialplan.Config{Transforms: []dialplan.Transform{tr}}
	requireField(t, c.Validate(), "transforms[0].pattern_behavior", "not a transform behavior")
}

// DP-3: zone hop counts 1..255.
func TestI12(t *testing.T) {
	for _, n := range []int{0, 256} {
		z := dialplan.NewZone("z", dialplan.Neighbor)
		z.HopCount = n
		c := dialplan.Config{Zones: []dialplan.Zone{z}}
		requireField(t, c.Validate(), "zones[0].hop_count", "out of range")
	}
}

// DP-6: unknown targets.
func TestI13(t *testing.T) {
	r := ruleTo("r", 1, "Nope")
	p := ruleTo("p", 1, "Nope")
	p.TargetType = dialplan.TargetPolicyService
	c := dialplan.Config{SearchRules: []dialplan.SearchRule{r, p}}
	err := c.Validate()
	requireField(t, err, "search_rules[0].target_name", "unknown zone")
	requireField(t, err, "search_rules[1].target_name", "unknown policy service")
}

// DP-2: defaults of a new rule.
func TestI14(t *testing.T) {
	r := dialplan.NewSearchRule("r")
	assert.Equal(t, 100, r.Priority)
	assert.Equal(t, dialplan.AnyAlias, r.Mode)
	assert.Equal(t, pattern.Prefix, r.PatternType)
	assert.Equal(t, pattern.Strip, r.PatternBehavior)
	assert.Equal(t, dialplan.Continue, r.Progress)
	assert.Equal(t, dialplan.SourceAny, r.SourceMode)
	assert.False(t, r.Authentication)
	assert.Equal(t, dialplan.Enabled, r.State)
	assert.Equal(t, dialplan.AnyProtocol, r.Protocol)
	assert.Equal(t, dialplan.AnyTraffic, r.TrafficType)
	assert.Equal(t, dialplan.TargetZone, r.TargetType)
}

// DP-1: defaults of a new transform.
func TestI15(t *testing.T) {
	tr := dialplan.NewTransform()
	assert.Equal(t, 1, tr.Priority)
	assert.Equal(t, pattern.Prefix, tr.PatternType)
	assert.Equal(t, pattern.Strip, tr.PatternBehavior)
	assert.Equal(t, dialplan.Enabled, tr.State)
}

// DP-7: names resolve case-insensitively.
func TestI16(t *testing.T) {
	c := dialplan.Config{Zones: []dialplan.Zone{dialplan.NewZone("sales office", dialplan.Neighbor)},
		SearchRules: []dialplan.SearchRule{ruleTo("r", 1, "Sales Office")}}
	require.NoError(t, c.Validate())
	c.Zones = append(c.Zones, dialplan.NewZone("SALES OFFICE", dialplan.Neighbor))
	requireField(t, c.Validate(), "zones[1].name", "duplicate")
}

// DP-7: < > & are refused in names and descriptions.
func TestI17(t *testing.T) {
	r := ruleTo("r", 1, dialplan.LocalZone)
	r.Description = "a <b>"
	tr := transformAt(1)
	tr.Description = "x & y"
	z := dialplan.NewZone("a>b", dialplan.Neighbor)
	c := dialplan.Config{SearchRules: []dialplan.SearchRule{r}, Transforms: []dialplan.Transform{tr}, Zones: []dialplan.Zone{z}}
	err := c.Validate()
	requireField(t, err, "search_rules[0].description", "< > &")
	requireField(t, err, "transforms[0].description", "< > &")
	requireField(t, err, "zones[0].name", "< > &")
}

// DP-6, DP-31: a Named source needs a known name.
func TestI18(t *testing.T) {
	r := ruleTo("r", 1, dialplan.LocalZone)
	r.SourceMode = dialplan.SourceNamed
	c := dialplan.Config{SearchRules: []dialplan.SearchRule{r}}
	requireField(t, c.Validate(), "search_rules[0].source_name", "required")
	c.SearchRules[0].SourceName = "Elsewhere"
	requireField(t, c.Validate(), "search_rules[0].source_name", "unknown")
	for _, ok := range []string{"DefaultZone", "defaultsubzone", "LocalZone"} {
		c.SearchRules[0].SourceName = ok
		assert.NoError(t, c.Validate(), ok)
	}
}

// DP-6: every fault is reported at once, and the remaining checks.
func TestValidateAllFaults(t *testing.T) {
	r := ruleTo("", 0, "Nope")
	r.Mode = dialplan.AliasPatternMatch
	tr := transformAt(1)
	tr.PatternString = ""
	tr.ReplaceString = "a\tb"
	tr2 := transformAt(2)
	tr2.PatternType, tr2.PatternBehavior, tr2.PatternString, tr2.ReplaceString = pattern.Regex, pattern.Replace, "(a)", `\2`
	tr3 := transformAt(3)
	tr3.PatternBehavior, tr3.ReplaceString = pattern.Replace, "%ip%"
	enum := dialplan.NewZone("E", dialplan.ENUMZone)
	c := dialplan.Config{
		SearchRules:    []dialplan.SearchRule{r},
		Transforms:     []dialplan.Transform{tr, tr2, tr3},
		Zones:          []dialplan.Zone{enum, dialplan.NewZone("LocalZone", dialplan.Neighbor)},
		PolicyServices: []dialplan.PolicyService{{Name: "P", DefaultCPL: "<nonsense/>"}, {Name: "Q", DefaultCPL: "<reject status='abc'/>"}},
		FallbackAlias:  "x\x01",
	}
	err := c.Validate()
	for field, frag := range map[string]string{
		"search_rules[0].name":           "required",
		"search_rules[0].priority":       "out of range",
		"search_rules[0].pattern_string": "required",
		"search_rules[0].target_name":    "unknown",
		"transforms[0].pattern_string":   "required",
		"transforms[0].replace_string":   "control",
		"transforms[1].replace_string":   "group 2",
		"transforms[2].replace_string":   "not allowed",
		"zones[0].dns_suffix":            "required",
		"zones[1].name":                  "built-in",
		"policy_services[0].default_cpl": "no reject",
		"policy_services[1].default_cpl": "status",
		"fallback_alias":                 "control",
	} {
		requireField(t, err, field, frag)
	}
	assert.True(t, errors.Is(err, pattern.ErrVariableNotAllowed))
}

// DP-6 SHOULD: warnings.
func TestLint(t *testing.T) {
	dns := dialplan.NewZone("D", dialplan.DNSZone)
	r1 := ruleTo("catchall", 10, dialplan.LocalZone)
	r1.Progress = dialplan.Stop
	r2 := ruleTo("later", 20, "D")
	r3 := ruleTo("strip", 5, dialplan.LocalZone)
	r3.Mode, r3.PatternType, r3.PatternString = dialplan.AliasPatternMatch, pattern.Exact, "x"
	c := dialplan.Config{Zones: []dialplan.Zone{dns}, SearchRules: []dialplan.SearchRule{r1, r2, r3}}
	var msgs []string
	for _, d := range c.Lint() {
		msgs = append(msgs, d.String())
	}
	all := strings.Join(msgs, "\n")
	assert.Contains(t, all, "search_rules[1]: unreachable")
	assert.Contains(t, all, "search_rules[1]: AnyAlias rule targets DNS zone")
	assert.Contains(t, all, "search_rules[2]: Strip with an Exact pattern")
}

func TestParseFallbackCPL(t *testing.T) {
	d, err := dialplan.ParseFallbackCPL(dialplan.DefaultServiceCPL)
	require.NoError(t, err)
	assert.Equal(t, dialplan.Decision{Action: dialplan.RejectCall, Status: 504, Reason: "Policy Service Unavailable"}, d)
	d, err = dialplan.ParseFallbackCPL(`<cpl><incoming><location url="sip:a@x"><location url="b@y"><redirect/></location></location></incoming></cpl>`)
	require.NoError(t, err)
	assert.Equal(t, dialplan.Decision{Action: dialplan.Redirect, Aliases: []string{"a@x", "b@y"}}, d)
	d, err = dialplan.ParseFallbackCPL(`<proxy/>`)
	require.NoError(t, err)
	assert.Equal(t, dialplan.Proxy, d.Action)
	for _, bad := range []string{"", "<", "<location/>", "<reject status='99'/>", "text"} {
		_, err := dialplan.ParseFallbackCPL(bad)
		assert.Error(t, err, bad)
	}
}
