package cpl

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// SourceType says what a Call Policy rule matches the caller on (CPL-35).
type SourceType uint8

const (
	// SourceZone matches the originating zone name.
	SourceZone SourceType = iota
	// SourceFromAddress matches the caller's address.
	SourceFromAddress
)

func (s SourceType) String() string {
	if s == SourceFromAddress {
		return "FromAddress"
	}
	return "Zone"
}

// MarshalText implements encoding.TextMarshaler.
func (s SourceType) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (case-insensitive).
func (s *SourceType) UnmarshalText(b []byte) error {
	switch strings.ToLower(string(b)) {
	case "zone":
		*s = SourceZone
	case "fromaddress", "from_address", "from-address":
		*s = SourceFromAddress
	default:
		return fmt.Errorf("cpl: unknown rule source type %q", b)
	}
	return nil
}

// AppliesTo says which callers a FromAddress rule applies to (CPL-35).
type AppliesTo uint8

const (
	Authenticated AppliesTo = iota
	Unauthenticated
)

func (a AppliesTo) String() string {
	if a == Unauthenticated {
		return "Unauthenticated"
	}
	return "Authenticated"
}

// MarshalText implements encoding.TextMarshaler.
func (a AppliesTo) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (case-insensitive).
func (a *AppliesTo) UnmarshalText(b []byte) error {
	switch strings.ToLower(string(b)) {
	case "authenticated":
		*a = Authenticated
	case "unauthenticated":
		*a = Unauthenticated
	default:
		return fmt.Errorf("cpl: unknown rule applies-to %q", b)
	}
	return nil
}

// RuleAction is what a matching rule does (CPL-36).
type RuleAction uint8

const (
	Allow RuleAction = iota
	Deny
)

func (r RuleAction) String() string {
	if r == Deny {
		return "Reject"
	}
	return "Allow"
}

// MarshalText implements encoding.TextMarshaler.
func (r RuleAction) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (case-insensitive).
func (r *RuleAction) UnmarshalText(b []byte) error {
	switch strings.ToLower(string(b)) {
	case "allow":
		*r = Allow
	case "reject", "deny":
		*r = Deny
	default:
		return fmt.Errorf("cpl: unknown rule action %q", b)
	}
	return nil
}

// Rule is one row of the Call Policy rule table (CPL-35): a source (an
// originating zone name, or the caller's address with a pattern), a
// destination pattern and Allow or Reject.
type Rule struct {
	Source SourceType `json:"source_type" yaml:"source_type"`
	// Zone is the originating zone name of a Zone rule, compared literally
	// and ignoring case.
	Zone string `json:"zone,omitempty" yaml:"zone,omitempty"`
	// AppliesTo selects authenticated or unauthenticated callers for a
	// FromAddress rule.
	AppliesTo AppliesTo `json:"applies_to" yaml:"applies_to"`
	// SourcePattern is the caller regex of a FromAddress rule; blank
	// matches every caller of that kind (".*" is the same and reads back
	// blank).
	SourcePattern string `json:"source_pattern,omitempty" yaml:"source_pattern,omitempty"`
	// DestinationPattern is the destination regex (required).
	DestinationPattern string     `json:"destination_pattern" yaml:"destination_pattern"`
	Action             RuleAction `json:"action" yaml:"action"`
}

// Validate reports every fault of the rule at once.
func (r Rule) Validate() error {
	var errs []error
	check := func(what, re string) {
		if _, err := pattern.Compile(pattern.Spec{Type: pattern.Regex, Pattern: re, Behavior: pattern.Leave}, pattern.Options{}); err != nil {
			errs = append(errs, fmt.Errorf("%s %q: %w", what, re, err))
		}
	}
	switch r.Source {
	case SourceZone:
		if r.Zone == "" {
			errs = append(errs, errors.New("a Zone rule needs a zone name"))
		}
		if r.SourcePattern != "" {
			errs = append(errs, errors.New("a Zone rule takes no source pattern"))
		}
	case SourceFromAddress:
		if r.Zone != "" {
			errs = append(errs, errors.New("a FromAddress rule takes no zone name"))
		}
		if r.AppliesTo > Unauthenticated {
			errs = append(errs, fmt.Errorf("applies-to %d is not Authenticated or Unauthenticated", r.AppliesTo))
		}
		if r.SourcePattern != "" {
			check("source pattern", r.SourcePattern)
		}
	default:
		errs = append(errs, fmt.Errorf("source type %d is not Zone or FromAddress", r.Source))
	}
	if r.DestinationPattern == "" {
		errs = append(errs, errors.New("the destination pattern is required"))
	} else {
		check("destination pattern", r.DestinationPattern)
	}
	if r.Action > Deny {
		errs = append(errs, fmt.Errorf("action %d is not Allow or Reject", r.Action))
	}
	return errors.Join(errs...)
}

// ValidateRules validates every rule and reports every fault, each naming
// its rule (1-based).
func ValidateRules(rules []Rule) error {
	var errs []error
	for i, r := range rules {
		if err := r.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("rule %d: %w", i+1, err))
		}
	}
	return errors.Join(errs...)
}

// DefaultScript is the policy in force when Call Policy is LocalCPL and
// neither a script nor rules exist: it allows every call (CPL-42).
const DefaultScript = `<?xml version="1.0" encoding="UTF-8"?>
<cpl xmlns="urn:ietf:params:xml:ns:cpl" xmlns:taa="http://www.tandberg.net/cpl-extensions" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:ietf:params:xml:ns:cpl cpl.xsd">
  <taa:routed>
    <!-- Allow all calls -->
  </taa:routed>
</cpl>
`

// The reject a rendered Reject rule performs (CPL-39).
const (
	ruleRejectStatus = 403
	ruleRejectReason = "Denied by policy"
)

// RulesToCPL renders the rule table as its canonical CPL (CPL-39): one
// taa:rule per rule inside a taa:rule-switch, Allow as <proxy/> and Reject
// as <reject status="403" reason="Denied by policy"/>. Evaluating a rule
// table is evaluating this script. No rules render as DefaultScript.
func RulesToCPL(rules []Rule) ([]byte, error) {
	if err := ValidateRules(rules); err != nil {
		return nil, err
	}
	if len(rules) == 0 {
		return []byte(DefaultScript), nil
	}
	var b bytes.Buffer
	head, _, _ := strings.Cut(DefaultScript, "  <taa:routed>")
	b.WriteString(head)
	b.WriteString("  <taa:routed>\n    <taa:rule-switch>\n")
	for _, r := range rules {
		b.WriteString("      <taa:rule ")
		switch r.Source {
		case SourceZone:
			writeAttr(&b, "originating-zone", quoteRegex(r.Zone))
		default:
			name := "authenticated-origin"
			if r.AppliesTo == Unauthenticated {
				name = "unauthenticated-origin"
			}
			src := r.SourcePattern
			if src == "" {
				src = ".*"
			}
			writeAttr(&b, name, src)
		}
		b.WriteByte(' ')
		writeAttr(&b, "destination", r.DestinationPattern)
		b.WriteString(">\n")
		if r.Action == Deny {
			b.WriteString(`        <reject status="` + strconv.Itoa(ruleRejectStatus) + `" reason="` + ruleRejectReason + `"/>` + "\n")
		} else {
			b.WriteString("        <proxy/>\n")
		}
		b.WriteString("      </taa:rule>\n")
	}
	b.WriteString("    </taa:rule-switch>\n  </taa:routed>\n</cpl>\n")
	return b.Bytes(), nil
}

func writeAttr(b *bytes.Buffer, name, value string) {
	b.WriteString(name)
	b.WriteString(`="`)
	for _, r := range value {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\t':
			b.WriteString("&#9;")
		case '\n':
			b.WriteString("&#10;")
		case '\r':
			b.WriteString("&#13;")
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

const regexMeta = `\.*+?|{}[]()^$%#`

// quoteRegex escapes s so that, as a regex, it matches exactly s.
func quoteRegex(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 && strings.IndexByte(regexMeta, byte(r)) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// unquoteRegex reverses quoteRegex; ok is false for a regex that is not a
// quoted literal.
func unquoteRegex(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' {
			if i+1 >= len(s) || strings.IndexByte(regexMeta, s[i+1]) < 0 {
				return "", false
			}
			b.WriteByte(s[i+1])
			i++
			continue
		}
		if strings.IndexByte(regexMeta, c) >= 0 {
			return "", false
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

// RulesFromCPL recognises the canonical rendering of a rule table (CPL-40):
// it returns the rules and true when src is, apart from whitespace,
// comments, namespace prefixes and attribute order, exactly what
// RulesToCPL renders for them; any other script gives false and is a
// hand-written script.
func RulesFromCPL(src []byte) ([]Rule, bool) {
	lim := DefaultLimits()
	sink := &errSink{m: newSrcMap(src), max: 1}
	tree := parseTree(src, lim, sink)
	if tree == nil || len(sink.errs) > 0 {
		return nil, false
	}
	rules, ok := extractRules(tree)
	if !ok {
		return nil, false
	}
	canon, err := RulesToCPL(rules)
	if err != nil {
		return nil, false
	}
	csink := &errSink{m: newSrcMap(canon), max: 1}
	ctree := parseTree(canon, lim, csink)
	if ctree == nil || !sameTree(tree, ctree) {
		return nil, false
	}
	return rules, true
}

func extractRules(root *xnode) ([]Rule, bool) {
	if !root.is(nsKindCPL, "cpl") || len(root.kids) != 1 || !root.kids[0].is(nsKindTAA, "routed") {
		return nil, false
	}
	routed := root.kids[0]
	rules := []Rule{}
	switch len(routed.kids) {
	case 0:
		return rules, true
	case 1:
	default:
		return nil, false
	}
	rs := routed.kids[0]
	if !rs.is(nsKindTAA, "rule-switch") || len(rs.kids) == 0 {
		return nil, false
	}
	for _, k := range rs.kids {
		if !k.is(nsKindTAA, "rule") || len(k.kids) != 1 {
			return nil, false
		}
		var r Rule
		switch {
		case hasAttr(k, "originating-zone"):
			z, ok := unquoteRegex(attrValue(k, "originating-zone"))
			if !ok {
				return nil, false
			}
			r.Source, r.Zone = SourceZone, z
		case hasAttr(k, "authenticated-origin"):
			r.Source, r.AppliesTo, r.SourcePattern = SourceFromAddress, Authenticated, attrValue(k, "authenticated-origin")
		case hasAttr(k, "unauthenticated-origin"):
			r.Source, r.AppliesTo, r.SourcePattern = SourceFromAddress, Unauthenticated, attrValue(k, "unauthenticated-origin")
		default:
			return nil, false
		}
		if r.SourcePattern == ".*" {
			r.SourcePattern = ""
		}
		r.DestinationPattern = attrValue(k, "destination")
		switch act := k.kids[0]; {
		case act.is(nsKindCPL, "proxy"):
			r.Action = Allow
		case act.is(nsKindCPL, "reject"):
			r.Action = Deny
		default:
			return nil, false
		}
		rules = append(rules, r)
	}
	return rules, true
}

func hasAttr(x *xnode, name string) bool {
	for _, a := range x.attrs {
		if a.space == "" && a.local == name {
			return true
		}
	}
	return false
}

// sameTree compares two element trees: names, namespaces, attributes as a
// set (schema-instance attributes ignored) and children in order.
func sameTree(a, b *xnode) bool {
	if a.ns != b.ns || a.local != b.local || (a.ns == nsKindOther && a.space != b.space) {
		return false
	}
	attrs := func(x *xnode) map[string]string {
		m := map[string]string{}
		for _, at := range x.attrs {
			if at.space == nsXSI || at.space == "xsi" {
				continue
			}
			m[at.space+" "+at.local] = at.value
		}
		return m
	}
	am, bm := attrs(a), attrs(b)
	if len(am) != len(bm) {
		return false
	}
	for k, v := range am {
		if w, ok := bm[k]; !ok || w != v {
			return false
		}
	}
	if len(a.kids) != len(b.kids) {
		return false
	}
	for i := range a.kids {
		if !sameTree(a.kids[i], b.kids[i]) {
			return false
		}
	}
	return true
}
