package dialplan

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// DefaultLocateSourceAlias is the source alias of a Locate run that names
// none (DP-51).
const DefaultLocateSourceAlias = "xcom-locate"

// Diagnostic-tool limits (DP-21, DP-51).
const (
	MaxToolAliasLen = 60
)

// LocateRequest is the input of the Locate tool (DP-51).
type LocateRequest struct {
	Alias string `json:"alias"`
	// HopCount 0..255; 0 searches the Local Zone only.
	HopCount int      `json:"hop_count"`
	Protocol Protocol `json:"protocol"`
	// SourceZone: DefaultZone (or ""), LocalZone (its DefaultSubZone), a
	// subzone name, or a zone name.
	SourceZone    string `json:"source_zone,omitempty"`
	Authenticated bool   `json:"authenticated,omitempty"`
	// SourceAlias defaults to xcom-locate.
	SourceAlias string `json:"source_alias,omitempty"`
	CallTag     string `json:"call_tag,omitempty"`
}

// Locate runs the full pipeline for one alias without placing a call and
// returns the outcome with its trace (DP-51).
func (e *Engine) Locate(ctx context.Context, lr LocateRequest) (Result, error) {
	if n := utf8.RuneCountInString(lr.Alias); n < 1 || n > MaxToolAliasLen {
		return Result{}, fmt.Errorf("%w: alias: %d characters, want 1..%d", ErrBadRequest, n, MaxToolAliasLen)
	}
	if lr.HopCount < 0 || lr.HopCount > MaxHopCount {
		return Result{}, fmt.Errorf("%w: hop_count: %d out of range 0..%d", ErrBadRequest, lr.HopCount, MaxHopCount)
	}
	if n := utf8.RuneCountInString(lr.SourceAlias); n > MaxToolAliasLen {
		return Result{}, fmt.Errorf("%w: source_alias: %d characters, at most %d", ErrBadRequest, n, MaxToolAliasLen)
	}
	src, err := e.locateSource(lr.SourceZone)
	if err != nil {
		return Result{}, err
	}
	srcAlias := lr.SourceAlias
	if srcAlias == "" {
		srcAlias = DefaultLocateSourceAlias
	}
	req := Request{Alias: lr.Alias, Protocol: lr.Protocol, Source: src, Authenticated: lr.Authenticated, CallTag: lr.CallTag,
		SourceAliases: []string{srcAlias}, Trace: true, kind: "Locate", locate: true, locateH: lr.HopCount, srcAlias: srcAlias}
	return e.route(ctx, req)
}

func (e *Engine) locateSource(name string) (Source, error) {
	p := e.plan.Load()
	k := pattern.Fold(name)
	switch {
	case k == "" || k == keyDefaultZone:
		return Source{Zone: DefaultZone}, nil
	case k == keyLocalZone || k == keyDefaultSub:
		return Source{Zone: LocalZone, Subzone: DefaultSubZone}, nil
	case p.zones[k] != nil:
		return Source{Zone: p.zones[k].name}, nil
	}
	for _, s := range p.cfg.Subzones {
		if pattern.Fold(s.Name) == k {
			return Source{Zone: LocalZone, Subzone: s.Name}, nil
		}
	}
	return Source{}, fmt.Errorf("%w: source_zone: unknown zone or subzone %q", ErrBadRequest, name)
}

// CheckRequest is the input of the CheckPattern tool (DP-21).
type CheckRequest struct {
	// Alias is the target alias to test (1..60 characters).
	Alias    string           `json:"alias"`
	Type     pattern.Type     `json:"pattern_type"`
	Pattern  string           `json:"pattern_string"`
	Behavior pattern.Behavior `json:"pattern_behavior"`
	Replace  string           `json:"replace_string,omitempty"`
}

// CheckResult is the output of CheckPattern.
type CheckResult struct {
	Matched bool `json:"matched"`
	// Result is the transformed alias, or the input when nothing matched.
	Result string `json:"result"`
	// Expansion is the pattern with its variables expanded: the literal
	// that matched (Exact, Prefix, Suffix) or the regex that ran.
	Expansion string   `json:"expansion,omitempty"`
	Warnings  []string `json:"warnings,omitempty"`
}

// CheckPattern tests a pattern against an alias with the given system
// facts, as the product's Check pattern tool does (DP-21). It is a pure
// function: no zones, no policy. Invalid input gives *FieldError values
// joined (DP-6).
func CheckPattern(req CheckRequest, facts *pattern.Facts) (CheckResult, error) {
	return checkPattern(req, pattern.Options{Facts: facts})
}

// CheckPattern is CheckPattern with the engine's system facts and options.
func (e *Engine) CheckPattern(req CheckRequest) (CheckResult, error) {
	return checkPattern(req, e.plan.Load().popts)
}

func checkPattern(req CheckRequest, o pattern.Options) (CheckResult, error) {
	var f faults
	if n := utf8.RuneCountInString(req.Alias); n < 1 || n > MaxToolAliasLen {
		f.addf("alias", "%d characters, want 1..%d", n, MaxToolAliasLen)
	}
	f.checkPatternText("alias", req.Alias, MaxToolAliasLen)
	if req.Pattern == "" {
		f.addf("pattern_string", "required")
	}
	f.checkPatternText("pattern_string", req.Pattern, MaxPatternLen)
	f.checkPatternText("replace_string", req.Replace, MaxPatternLen)
	enumOK(&f, "pattern_type", req.Type, 4)
	enumOK(&f, "pattern_behavior", req.Behavior, 5)
	if len(f.errs) > 0 {
		return CheckResult{}, joinFaults(f.errs)
	}
	p, err := pattern.Compile(pattern.Spec{Type: req.Type, Pattern: req.Pattern, Behavior: req.Behavior, Replace: req.Replace}, o)
	if err != nil {
		field := "pattern_string"
		if se, ok := err.(*pattern.SyntaxError); ok {
			field = se.Field
		}
		return CheckResult{}, &FieldError{Field: field, Err: err}
	}
	res, err := p.Apply(req.Alias)
	out := CheckResult{Matched: res.Matched, Result: res.Alias, Warnings: p.Warnings()}
	if err != nil {
		out.Warnings = append(out.Warnings, err.Error())
	}
	if req.Type == pattern.Regex {
		out.Expansion = p.RegexSource()
	} else {
		out.Expansion = res.Literal
	}
	return out, nil
}
