package pattern

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// DefaultBudget is the time one regex match may take before it is cut off
// and counted as no match (DP-14).
const DefaultBudget = 10 * time.Millisecond

// MaxExpansions bounds the literal alternatives a pattern with several
// variables may expand to (the product of their value counts).
const MaxExpansions = 4096

// Spec is a pattern as configured: the four fields shared by transforms,
// search rules and CheckPattern. The zero value is a Prefix pattern with
// the Strip behaviour, the product's defaults.
type Spec struct {
	Type     Type
	Pattern  string
	Behavior Behavior
	// Replace is the replace string for Replace, or the "additional text"
	// for AddPrefix and AddSuffix. It is ignored by Strip and Leave.
	Replace string
}

// Options are the environment a pattern is compiled in.
type Options struct {
	// Facts supply the %variables% (DP-18). Nil means no facts: every
	// variable has no value.
	Facts *Facts
	// CaseSensitive turns off case-insensitive matching (DP-13; beyond the
	// seed, default off).
	CaseSensitive bool
	// Budget bounds each regex match; 0 means DefaultBudget.
	Budget time.Duration
}

// Pattern is a compiled Spec. It is immutable and safe for concurrent use;
// compile once, match many times.
type Pattern struct {
	spec     Spec
	fold     bool
	lits     []string // Exact/Prefix/Suffix: every expansion, longest first
	re       *regexp2.Regexp
	info     regexInfo
	repl     replacement
	warnings []string
}

// Compile checks and compiles s. Syntax errors are *SyntaxError values that
// name the field and the byte offset in the string as written.
func Compile(s Spec, o Options) (*Pattern, error) {
	if s.Type > Regex {
		return nil, fmt.Errorf("pattern: invalid pattern type %d", s.Type)
	}
	if s.Behavior > AddSuffix {
		return nil, fmt.Errorf("pattern: invalid pattern behavior %d", s.Behavior)
	}
	facts := o.Facts
	if facts == nil {
		facts = &Facts{}
	}
	if !utf8.ValidString(s.Pattern) {
		return nil, syntaxErr(FieldPattern, -1, "not valid UTF-8")
	}
	if !utf8.ValidString(s.Replace) {
		return nil, syntaxErr(FieldReplace, -1, "not valid UTF-8")
	}
	p := &Pattern{spec: s, fold: !o.CaseSensitive}
	if s.Type == Regex {
		info, warns, err := translateRegex(s.Pattern, facts)
		if err != nil {
			return nil, err
		}
		opt := regexp2.RegexOptions(regexp2.None)
		if p.fold {
			opt = regexp2.IgnoreCase
		}
		re, err := regexp2.Compile(info.source, opt)
		if err != nil {
			return nil, syntaxErr(FieldPattern, -1, "%v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		budget := o.Budget
		if budget <= 0 {
			budget = DefaultBudget
		}
		re.MatchTimeout = budget
		p.re, p.info = re, info
		p.warnings = append(p.warnings, warns...)
	} else {
		lits, warns, err := expandLiteral(s.Pattern, facts)
		if err != nil {
			return nil, err
		}
		p.lits = lits
		p.warnings = append(p.warnings, warns...)
	}
	switch s.Behavior {
	case Replace, AddPrefix, AddSuffix:
		r, warns, err := compileReplace(s.Replace, s.Type, facts)
		if err != nil {
			return nil, err
		}
		if r.maxGroup > p.info.groups {
			return nil, syntaxErr(FieldReplace, strings.Index(s.Replace, fmt.Sprintf(`\%d`, r.maxGroup)),
				"\\%d refers to group %d but the pattern has %d", r.maxGroup, r.maxGroup, p.info.groups)
		}
		p.repl = r
		p.warnings = append(p.warnings, warns...)
	case Strip:
		if s.Type == Exact || s.Type == Regex {
			p.warnings = append(p.warnings, "Strip with an "+s.Type.String()+" pattern always gives an empty alias")
		}
	}
	return p, nil
}

// MustCompile is like Compile but panics on error. It is meant for
// patterns that are constants in a program or test.
func MustCompile(s Spec, o Options) *Pattern {
	p, err := Compile(s, o)
	if err != nil {
		panic(err)
	}
	return p
}

// expandLiteral splits an Exact/Prefix/Suffix pattern into text and
// variables and returns every combination, longest first. A variable with
// no value makes the pattern match nothing (no combinations).
func expandLiteral(s string, facts *Facts) ([]string, []string, error) {
	out := []string{""}
	var warnings []string
	var cur strings.Builder
	appendAll := func(suffixes []string) error {
		if len(out)*len(suffixes) > MaxExpansions {
			return syntaxErr(FieldPattern, -1, "variables expand to more than %d alternatives", MaxExpansions)
		}
		next := make([]string, 0, len(out)*len(suffixes))
		for _, o := range out {
			for _, sfx := range suffixes {
				next = append(next, o+sfx)
			}
		}
		out = next
		return nil
	}
	for i := 0; i < len(s); {
		if s[i] == '%' {
			if name, end, ok := scanVar(s, i); ok && IsVariable(name) {
				vals, _ := facts.MatchValues(name)
				if len(vals) == 0 {
					warnings = append(warnings, "%"+name+"% has no value and matches nothing")
				}
				if err := appendAll([]string{cur.String()}); err != nil {
					return nil, nil, err
				}
				cur.Reset()
				if err := appendAll(vals); err != nil {
					return nil, nil, err
				}
				i = end
				continue
			}
		}
		cur.WriteByte(s[i])
		i++
	}
	if err := appendAll([]string{cur.String()}); err != nil {
		return nil, nil, err
	}
	sort.SliceStable(out, func(a, b int) bool { return len(out[a]) > len(out[b]) })
	// Drop duplicates (two variables sharing a value).
	uniq := out[:0]
	seen := map[string]bool{}
	for _, v := range out {
		if !seen[v] {
			seen[v] = true
			uniq = append(uniq, v)
		}
	}
	return uniq, warnings, nil
}

// Spec returns the specification p was compiled from.
func (p *Pattern) Spec() Spec { return p.spec }

// Warnings returns what compiling noticed but did not refuse: a variable
// with no value, Strip with an Exact or Regex pattern (DP-6, DP-20).
func (p *Pattern) Warnings() []string { return p.warnings }

// Groups returns the number of capturing groups of a Regex pattern (0 for
// the other types).
func (p *Pattern) Groups() int { return p.info.groups }

// Literals returns, for an Exact, Prefix or Suffix pattern, every literal the
// pattern stands for after variable expansion, longest first (one element
// when there are no variables, none when a variable has no value). It
// returns nil for a Regex pattern.
func (p *Pattern) Literals() []string { return p.lits }

// RegexSource returns the regexp2 expression a Regex pattern was translated
// to (variables expanded, wrapped for a whole-alias match), or "".
func (p *Pattern) RegexSource() string { return p.info.source }

// Affixes returns, for a Regex pattern, ASCII literals that every alias the
// pattern matches starts and ends with, compared case-insensitively unless
// the pattern is case-sensitive; "" means nothing is known. Indexes use them
// to skip regexes that cannot match.
func (p *Pattern) Affixes() (prefix, suffix string) { return p.info.prefix, p.info.suffix }

// CaseSensitive reports whether p compares case-sensitively.
func (p *Pattern) CaseSensitive() bool { return !p.fold }

// Match is the outcome of matching one alias. The zero Match did not match.
type Match struct {
	Matched bool
	alias   string
	// start and end delimit the matched part of alias (the prefix, the
	// suffix, or the whole alias).
	start, end int
	lit        int // index into Pattern.Literals of the literal that matched
	ngroups    int
	groups     [2 * 10]int32 // byte offsets of groups 0..9; -1 when unset
}

// Alias returns the alias that was matched.
func (m Match) Alias() string { return m.alias }

// Span returns the byte offsets in the alias of the part that matched: the
// prefix, the suffix, or the whole alias.
func (m Match) Span() (start, end int) { return m.start, m.end }

// Group returns the text of capture group i (1..9) of a Regex match, or ""
// when the group did not take part or does not exist.
func (m Match) Group(i int) string {
	if i < 0 || i >= m.ngroups || i >= 10 || m.groups[2*i] < 0 {
		return ""
	}
	return m.alias[m.groups[2*i]:m.groups[2*i+1]]
}

// Match matches alias against p. A regex that runs past its budget returns
// a non-matching Match and an error wrapping ErrBudgetExceeded.
func (p *Pattern) Match(alias string) (Match, error) {
	m := Match{alias: alias}
	switch p.spec.Type {
	case Exact:
		for i, l := range p.lits {
			if equalString(alias, l, p.fold) {
				m.Matched, m.start, m.end, m.lit = true, 0, len(alias), i
				return m, nil
			}
		}
	case Prefix:
		for i, l := range p.lits {
			if end, ok := hasPrefix(alias, l, p.fold); ok {
				m.Matched, m.start, m.end, m.lit = true, 0, end, i
				return m, nil
			}
		}
	case Suffix:
		for i, l := range p.lits {
			if start, ok := hasSuffix(alias, l, p.fold); ok {
				m.Matched, m.start, m.end, m.lit = true, start, len(alias), i
				return m, nil
			}
		}
	case Regex:
		return p.matchRegex(m)
	}
	return m, nil
}

func (p *Pattern) matchRegex(m Match) (Match, error) {
	alias := m.alias
	runes := []rune(alias)
	if p.repl.maxGroup == 0 {
		ok, err := p.re.MatchRunes(runes)
		if err != nil {
			return m, fmt.Errorf("%w: %s", ErrBudgetExceeded, p.spec.Pattern)
		}
		if ok {
			m.Matched, m.start, m.end = true, 0, len(alias)
		}
		return m, nil
	}
	rm, err := p.re.FindRunesMatch(runes)
	if err != nil {
		return m, fmt.Errorf("%w: %s", ErrBudgetExceeded, p.spec.Pattern)
	}
	if rm == nil {
		return m, nil
	}
	m.Matched, m.start, m.end = true, 0, len(alias)
	n := p.repl.maxGroup + 1
	m.ngroups = n
	var offs []int // rune index -> byte offset, only for non-ASCII aliases
	if len(runes) != len(alias) {
		offs = make([]int, len(runes)+1)
		i := 0
		for k := range alias {
			offs[i] = k
			i++
		}
		offs[len(runes)] = len(alias)
	}
	byteOff := func(r int) int32 {
		if offs == nil {
			return int32(r)
		}
		return int32(offs[r])
	}
	m.groups[0], m.groups[1] = 0, int32(len(alias))
	for g := 1; g < n; g++ {
		grp := rm.GroupByNumber(g)
		if grp == nil || len(grp.Captures) == 0 {
			m.groups[2*g], m.groups[2*g+1] = -1, -1
			continue
		}
		m.groups[2*g] = byteOff(grp.Index)
		m.groups[2*g+1] = byteOff(grp.Index + grp.Length)
	}
	return m, nil
}

// Rewrite applies p's behaviour to a match made by p.Match (DP-16). For a
// Match that did not match it returns the alias unchanged.
func (p *Pattern) Rewrite(m Match) string {
	if !m.Matched {
		return m.alias
	}
	a := m.alias
	switch p.spec.Behavior {
	case Leave:
		return a
	case Strip:
		switch p.spec.Type {
		case Prefix:
			return a[m.end:]
		case Suffix:
			return a[:m.start]
		default:
			return ""
		}
	case Replace:
		r := p.repl.expand(m.Group)
		switch p.spec.Type {
		case Prefix:
			return r + a[m.end:]
		case Suffix:
			return a[:m.start] + r
		default:
			return r
		}
	case AddPrefix:
		return p.repl.expand(m.Group) + a
	case AddSuffix:
		return a + p.repl.expand(m.Group)
	}
	return a
}

// Result is the outcome of Apply.
type Result struct {
	Matched bool
	// Alias is the transformed alias, or the input when nothing matched.
	Alias string
	// Literal is, for Exact, Prefix and Suffix patterns, the expansion that
	// matched (the pattern with its variables filled in).
	Literal string
}

// Apply matches alias and, when it matches, applies the behaviour. Errors
// are those of Match (the result is then the unchanged alias).
func (p *Pattern) Apply(alias string) (Result, error) {
	m, err := p.Match(alias)
	if err != nil || !m.Matched {
		return Result{Alias: alias}, err
	}
	res := Result{Matched: true, Alias: p.Rewrite(m)}
	if p.lits != nil {
		res.Literal = p.lits[m.lit]
	}
	return res, nil
}

// IsBudgetExceeded reports whether err says a regex ran out of budget.
func IsBudgetExceeded(err error) bool { return errors.Is(err, ErrBudgetExceeded) }
