package pattern

import (
	"fmt"
	"strings"
)

// Type is how a pattern string is compared with an alias (DP-12). The zero
// value is Prefix, the product's default for both transforms and search rules.
type Type uint8

// The four pattern types.
const (
	Prefix Type = iota // the alias starts with the pattern
	Exact              // the whole alias equals the pattern
	Suffix             // the alias ends with the pattern
	Regex              // the whole alias matches the regular expression (DP-14, DP-15)
)

var typeNames = [...]string{Prefix: "Prefix", Exact: "Exact", Suffix: "Suffix", Regex: "Regex"}

// String returns the product's name for t ("Prefix", "Exact", "Suffix", "Regex").
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// ParseType parses a pattern type name, case-insensitively.
func ParseType(s string) (Type, error) {
	for i, n := range typeNames {
		if strings.EqualFold(s, n) {
			return Type(i), nil
		}
	}
	return 0, fmt.Errorf("pattern: unknown pattern type %q (want Exact, Prefix, Suffix or Regex)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (t Type) MarshalText() ([]byte, error) {
	if int(t) >= len(typeNames) {
		return nil, fmt.Errorf("pattern: invalid pattern type %d", uint8(t))
	}
	return []byte(t.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler (case-insensitive).
func (t *Type) UnmarshalText(b []byte) error {
	v, err := ParseType(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// Behavior is what happens to an alias when its pattern matches (DP-16). The
// zero value is Strip, the product's default.
type Behavior uint8

// The five behaviours. Search rules allow Strip, Leave and Replace;
// transforms allow Strip, Replace, AddPrefix and AddSuffix; CheckPattern
// allows all five. Compile accepts all five; the caller enforces its subset.
const (
	Strip     Behavior = iota // remove the matched part
	Leave                     // keep the alias unchanged
	Replace                   // replace the matched part with the replace string
	AddPrefix                 // put the replace string before the whole alias
	AddSuffix                 // put the replace string after the whole alias
)

var behaviorNames = [...]string{Strip: "Strip", Leave: "Leave", Replace: "Replace", AddPrefix: "AddPrefix", AddSuffix: "AddSuffix"}

// String returns the product's name for b.
func (b Behavior) String() string {
	if int(b) < len(behaviorNames) {
		return behaviorNames[b]
	}
	return fmt.Sprintf("Behavior(%d)", uint8(b))
}

// ParseBehavior parses a behaviour name, case-insensitively.
func ParseBehavior(s string) (Behavior, error) {
	for i, n := range behaviorNames {
		if strings.EqualFold(s, n) {
			return Behavior(i), nil
		}
	}
	return 0, fmt.Errorf("pattern: unknown pattern behavior %q (want Strip, Leave, Replace, AddPrefix or AddSuffix)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (b Behavior) MarshalText() ([]byte, error) {
	if int(b) >= len(behaviorNames) {
		return nil, fmt.Errorf("pattern: invalid pattern behavior %d", uint8(b))
	}
	return []byte(b.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler (case-insensitive).
func (b *Behavior) UnmarshalText(text []byte) error {
	v, err := ParseBehavior(string(text))
	if err != nil {
		return err
	}
	*b = v
	return nil
}
