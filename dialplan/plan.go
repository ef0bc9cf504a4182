package dialplan

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// FieldError is one configuration fault, naming the field the way the file
// spells it: "search_rules[3].pattern_string".
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string {
	var se *pattern.SyntaxError
	if errors.As(e.Err, &se) {
		if se.Pos >= 0 {
			return fmt.Sprintf("%s: position %d: %s", e.Field, se.Pos, se.Msg)
		}
		return e.Field + ": " + se.Msg
	}
	return e.Field + ": " + e.Err.Error()
}

// Unwrap returns the cause (for example a *pattern.SyntaxError).
func (e *FieldError) Unwrap() error { return e.Err }

// Diagnostic is a warning: the configuration is valid but probably not what
// was meant (DP-6 SHOULD warn).
type Diagnostic struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (d Diagnostic) String() string { return d.Field + ": " + d.Message }

func errPriorityRange(p int) error {
	return fmt.Errorf("priority %d out of range %d..%d", p, MinPriority, MaxPriority)
}

// Validate checks c and reports every fault at once, joined with
// errors.Join; each is a *FieldError (DP-6). It compiles every pattern, so
// a nil error means NewEngine(c) succeeds.
func (c *Config) Validate() error {
	_, _, err := compilePlan(c)
	return err
}

// Lint returns the warnings about c (DP-6): Strip with an Exact or Regex
// pattern, variables without a value, AnyAlias rules aimed at DNS or ENUM
// zones, rules no alias can reach, rules that can never match. It returns
// nil when c does not validate.
func (c *Config) Lint() []Diagnostic {
	_, d, err := compilePlan(c)
	if err != nil {
		return nil
	}
	return d
}

// plan is a compiled, immutable Config.
type plan struct {
	cfg        Config
	facts      *pattern.Facts
	popts      pattern.Options
	transforms []cTransform // enabled, by priority
	tIndex     *patternIndex
	rules      []cRule // enabled, by (priority, configuration order)
	rIndex     *patternIndex
	anyAlias   []int32           // AnyAlias rules
	anyIP      []int32           // AnyIPAddress rules
	zones      map[string]*cZone // by folded name; includes LocalZone
	services   map[string]*cService
	subnets    []subnet
	cpRules    []cCallPolicyRule
	cpFallback Decision
	// systemAddrs and domains (folded) recognise a request with no callee
	// alias (DP-11).
	systemAddrs map[netip.Addr]bool
	domains     map[string]bool
	maxAlias    int
	maxSearches int
}

type cTransform struct {
	cfgIndex int
	priority int
	pat      *pattern.Pattern
}

type cRule struct {
	cfgIndex   int
	name       string
	priority   int
	protocol   Protocol
	traffic    TrafficType
	sourceMode SourceMode
	sourceName string // folded
	auth       bool
	mode       RuleMode
	pat        *pattern.Pattern // AliasPatternMatch only
	stop       bool
	zone       *cZone    // TargetZone
	service    *cService // TargetPolicyService
}

func (r *cRule) targetName() string {
	if r.zone != nil {
		return r.zone.name
	}
	return r.service.name
}

type cZone struct {
	name   string // as configured
	key    string // folded
	cfg    Zone
	static *staticTable // nil when the zone has no registrations
}

func (z *cZone) isLocal() bool { return z.cfg.Type == LocalZoneType }

// speaks reports whether the zone's mode for protocol p is On.
func (z *cZone) speaks(p Protocol) bool {
	if p == H323 {
		return z.cfg.H323Mode.on(true)
	}
	return z.cfg.SIPMode.on(true)
}

type cService struct {
	name     string
	key      string
	fallback Decision
}

type subnet struct {
	name   string
	prefix netip.Prefix
}

type cCallPolicyRule struct {
	source CallPolicySource
	zone   string // folded
	src    *pattern.Pattern
	dst    *pattern.Pattern
	action CallPolicyAction
}

// faults collects FieldErrors.
type faults struct{ errs []error }

func (f *faults) add(field string, err error) {
	f.errs = append(f.errs, &FieldError{Field: field, Err: err})
}
func (f *faults) addf(field, format string, args ...any) {
	f.add(field, fmt.Errorf(format, args...))
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}

// checkName checks a name (DP-7): 1..max characters, no control characters,
// none of < > &.
func (f *faults) checkName(field, s string, max int, required bool) {
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0 && required:
		f.addf(field, "required")
	case n > max:
		f.addf(field, "%d characters, at most %d allowed", n, max)
	}
	f.checkText(field, s)
}

func (f *faults) checkText(field, s string) {
	if !utf8.ValidString(s) {
		f.addf(field, "not valid UTF-8")
	} else if hasControl(s) {
		f.addf(field, "control characters (tabs included) are not allowed")
	} else if strings.ContainsAny(s, "<>&") {
		f.addf(field, "the characters < > & are not allowed")
	}
}

// checkPatternText checks a pattern or replace field: length and control
// characters only, since regexes need the special characters (DP-7).
func (f *faults) checkPatternText(field, s string, max int) {
	if n := utf8.RuneCountInString(s); n > max {
		f.addf(field, "%d characters, at most %d allowed", n, max)
	}
	if !utf8.ValidString(s) {
		f.addf(field, "not valid UTF-8")
	} else if hasControl(s) {
		f.addf(field, "control characters (tabs included) are not allowed")
	}
}

func enumOK[T ~uint8](f *faults, field string, v T, n int) {
	if int(v) >= n {
		f.addf(field, "invalid value %d", uint8(v))
	}
}

// compilePat compiles a pattern and reports errors under prefix.
func (f *faults) compilePat(prefix string, spec pattern.Spec, o pattern.Options, diags *[]Diagnostic) *pattern.Pattern {
	p, err := pattern.Compile(spec, o)
	if err != nil {
		var se *pattern.SyntaxError
		field := prefix + ".pattern_string"
		if errors.As(err, &se) {
			field = prefix + "." + se.Field
		}
		f.add(field, err)
		return nil
	}
	for _, w := range p.Warnings() {
		*diags = append(*diags, Diagnostic{Field: prefix, Message: w})
	}
	return p
}

func compilePlan(c *Config) (*plan, []Diagnostic, error) {
	var f faults
	var diags []Diagnostic
	cc := c.Clone()
	c = &cc
	p := &plan{
		cfg:         cc,
		zones:       map[string]*cZone{},
		services:    map[string]*cService{},
		systemAddrs: map[netip.Addr]bool{},
		domains:     map[string]bool{},
		tIndex:      newPatternIndex(),
		rIndex:      newPatternIndex(),
		maxAlias:    c.MaxAliasLength,
		maxSearches: c.MaxConcurrentSearches,
	}
	p.facts = &p.cfg.System
	facts := p.cfg.System
	if err := facts.Validate(); err != nil {
		for _, e := range unjoin(err) {
			f.add("system", e)
		}
	}
	if c.RegexBudget < 0 {
		f.addf("regex_budget", "must not be negative")
	}
	if c.RegexBudget > time.Second {
		f.addf("regex_budget", "%v is more than 1s", c.RegexBudget)
	}
	if c.MaxAliasLength < 0 {
		f.addf("max_alias_length", "must not be negative")
	}
	if c.MaxConcurrentSearches < 0 {
		f.addf("max_concurrent_searches", "must not be negative")
	}
	if p.maxAlias == 0 {
		p.maxAlias = DefaultMaxAliasLen
	}
	if p.maxSearches == 0 {
		p.maxSearches = DefaultMaxSearches
	}
	p.popts = pattern.Options{Facts: p.facts, CaseSensitive: c.CaseSensitive, Budget: c.RegexBudget}
	for _, pr := range facts.Peers {
		for _, a := range []netip.Addr{pr.LAN1IPv4, pr.LAN2IPv4, pr.LAN1IPv6, pr.LAN2IPv6} {
			if a.IsValid() {
				p.systemAddrs[a] = true
			}
		}
	}
	for _, d := range facts.Domains {
		p.domains[pattern.Fold(d)] = true
	}
	enumOK(&f, "calls_to_unknown_ip_addresses", c.CallsToUnknownIPAddresses, 3)
	enumOK(&f, "call_loop_detection_mode", c.CallLoopDetection, 3)
	enumOK(&f, "interworking_mode", c.Interworking, 3)
	enumOK(&f, "call_policy_mode", c.CallPolicyMode, 4)
	f.checkPatternText("fallback_alias", c.FallbackAlias, MaxPatternLen)

	// Zones (DP-3).
	if len(c.Zones) > MaxZones {
		f.addf("zones", "%d zones, at most %d allowed", len(c.Zones), MaxZones)
	}
	local := &cZone{name: LocalZone, key: pattern.Fold(LocalZone), cfg: Zone{Name: LocalZone, Type: LocalZoneType, HopCount: DefaultHopCount}}
	if len(c.LocalRegistrations) > 0 {
		local.static = newStaticTable(c.LocalRegistrations)
	}
	p.zones[local.key] = local
	for i, z := range c.Zones {
		fld := fmt.Sprintf("zones[%d]", i)
		f.checkName(fld+".name", z.Name, MaxNameLen, true)
		key := pattern.Fold(z.Name)
		switch {
		case key == pattern.Fold(LocalZone) || key == pattern.Fold(DefaultZone):
			f.addf(fld+".name", "%q is a built-in zone", z.Name)
		case p.zones[key] != nil && z.Name != "":
			f.addf(fld+".name", "duplicate zone name %q", z.Name)
		}
		if z.Type >= LocalZoneType {
			f.addf(fld+".type", "invalid zone type %d", uint8(z.Type))
		}
		if z.HopCount < 1 || z.HopCount > MaxHopCount {
			f.addf(fld+".hop_count", "%d out of range 1..%d", z.HopCount, MaxHopCount)
		}
		enumOK(&f, fld+".h323_mode", z.H323Mode, 3)
		enumOK(&f, fld+".sip_mode", z.SIPMode, 3)
		enumOK(&f, fld+".search_auto_response", z.SearchAutoResponse, 3)
		enumOK(&f, fld+".include_address_record", z.IncludeAddressRecord, 3)
		if n := utf8.RuneCountInString(z.DNSSuffix); n > MaxDNSSuffixLen {
			f.addf(fld+".dns_suffix", "%d characters, at most %d allowed", n, MaxDNSSuffixLen)
		}
		f.checkText(fld+".dns_suffix", z.DNSSuffix)
		if z.Type == ENUMZone && strings.Trim(z.DNSSuffix, ".") == "" {
			f.addf(fld+".dns_suffix", "required for an ENUM zone")
		}
		f.checkText(fld+".domain_to_search_for", z.DomainToSearchFor)
		for k, r := range z.Registrations {
			if r.Alias == "" || hasControl(r.Alias) {
				f.addf(fmt.Sprintf("%s.registrations[%d].alias", fld, k), "empty or contains control characters")
			}
		}
		cz := &cZone{name: z.Name, key: key, cfg: z}
		if len(z.Registrations) > 0 {
			cz.static = newStaticTable(z.Registrations)
		}
		if _, dup := p.zones[key]; !dup {
			p.zones[key] = cz
		}
	}
	for k, r := range c.LocalRegistrations {
		if r.Alias == "" || hasControl(r.Alias) {
			f.addf(fmt.Sprintf("local_registrations[%d].alias", k), "empty or contains control characters")
		}
	}

	// Subzones.
	if len(c.Subzones) > MaxSubzones {
		f.addf("subzones", "%d subzones, at most %d allowed", len(c.Subzones), MaxSubzones)
	}
	subNames := map[string]bool{pattern.Fold(DefaultSubZone): true}
	for i, s := range c.Subzones {
		fld := fmt.Sprintf("subzones[%d]", i)
		f.checkName(fld+".name", s.Name, MaxNameLen, true)
		key := pattern.Fold(s.Name)
		if subNames[key] && key != pattern.Fold(DefaultSubZone) {
			f.addf(fld+".name", "duplicate subzone name %q", s.Name)
		}
		subNames[key] = true
		for k, pr := range s.Subnets {
			if !pr.IsValid() {
				f.addf(fmt.Sprintf("%s.subnets[%d]", fld, k), "invalid prefix")
				continue
			}
			p.subnets = append(p.subnets, subnet{name: s.Name, prefix: pr.Masked()})
		}
	}

	// Policy services (DP-4).
	if len(c.PolicyServices) > MaxPolicyServices {
		f.addf("policy_services", "%d policy services, at most %d allowed", len(c.PolicyServices), MaxPolicyServices)
	}
	for i, s := range c.PolicyServices {
		fld := fmt.Sprintf("policy_services[%d]", i)
		f.checkName(fld+".name", s.Name, MaxNameLen, true)
		f.checkName(fld+".description", s.Description, MaxDescriptionLen, false)
		if len(s.Servers) > MaxServiceServers {
			f.addf(fld+".servers", "%d servers, at most %d allowed", len(s.Servers), MaxServiceServers)
		}
		enumOK(&f, fld+".protocol", s.Protocol, 2)
		key := pattern.Fold(s.Name)
		if p.services[key] != nil {
			f.addf(fld+".name", "duplicate policy service name %q", s.Name)
		}
		cpl := s.DefaultCPL
		if cpl == "" {
			cpl = DefaultServiceCPL
		}
		if n := utf8.RuneCountInString(s.DefaultCPL); n > MaxDefaultCPLLen {
			f.addf(fld+".default_cpl", "%d characters, at most %d allowed", n, MaxDefaultCPLLen)
		}
		d, err := ParseFallbackCPL(cpl)
		if err != nil {
			f.add(fld+".default_cpl", err)
		}
		if p.services[key] == nil {
			p.services[key] = &cService{name: s.Name, key: key, fallback: d}
		}
	}

	// Call Policy (DP-26, DP-27).
	cpCPL := DefaultCallPolicyCPL
	if c.CallPolicyService != "" {
		svc := p.services[pattern.Fold(c.CallPolicyService)]
		if svc == nil {
			f.addf("call_policy_service", "unknown policy service %q", c.CallPolicyService)
		} else {
			for _, s := range c.PolicyServices {
				if pattern.Fold(s.Name) == svc.key && s.DefaultCPL != "" {
					cpCPL = s.DefaultCPL
				}
			}
		}
	}
	p.cpFallback, _ = ParseFallbackCPL(cpCPL)
	for i, r := range c.CallPolicyRules {
		fld := fmt.Sprintf("call_policy_rules[%d]", i)
		enumOK(&f, fld+".source_type", r.Source, 3)
		enumOK(&f, fld+".action", r.Action, 2)
		cr := cCallPolicyRule{source: r.Source, action: r.Action, zone: pattern.Fold(r.SourceZone)}
		if r.Source == PolicyFromZone {
			if r.SourceZone == "" {
				f.addf(fld+".originating_zone", "required for source type Zone")
			} else if !p.knownSource(cr.zone, subNames) {
				f.addf(fld+".originating_zone", "unknown zone %q", r.SourceZone)
			}
		}
		f.checkPatternText(fld+".source_pattern", r.SourcePattern, MaxPatternLen)
		f.checkPatternText(fld+".destination_pattern", r.DestinationPattern, MaxPatternLen)
		if r.SourcePattern != "" {
			cr.src = f.compileCP(fld+".source_pattern", r.SourcePattern, p.popts)
		}
		if r.DestinationPattern == "" {
			f.addf(fld+".destination_pattern", "required")
		} else {
			cr.dst = f.compileCP(fld+".destination_pattern", r.DestinationPattern, p.popts)
		}
		p.cpRules = append(p.cpRules, cr)
	}

	// Transforms (DP-1, DP-6, DP-24).
	if len(c.Transforms) > MaxTransforms {
		f.addf("transforms", "%d transforms, at most %d allowed", len(c.Transforms), MaxTransforms)
	}
	seenPrio := map[int]int{}
	for i, t := range c.Transforms {
		fld := fmt.Sprintf("transforms[%d]", i)
		if t.Priority < MinPriority || t.Priority > MaxPriority {
			f.add(fld+".priority", errPriorityRange(t.Priority))
		} else if j, dup := seenPrio[t.Priority]; dup {
			f.addf(fld+".priority", "priority %d already used by transforms[%d]; transform priorities must be unique", t.Priority, j)
		} else {
			seenPrio[t.Priority] = i
		}
		f.checkName(fld+".description", t.Description, MaxDescriptionLen, false)
		enumOK(&f, fld+".pattern_type", t.PatternType, 4)
		enumOK(&f, fld+".state", t.State, 2)
		f.checkPatternText(fld+".pattern_string", t.PatternString, MaxPatternLen)
		f.checkPatternText(fld+".replace_string", t.ReplaceString, MaxPatternLen)
		if t.PatternString == "" {
			f.addf(fld+".pattern_string", "required")
		}
		switch t.PatternBehavior {
		case pattern.Strip, pattern.Replace, pattern.AddPrefix, pattern.AddSuffix:
		case pattern.Leave:
			f.addf(fld+".pattern_behavior", "Leave is not a transform behavior (Strip, Replace, AddPrefix or AddSuffix)")
		default:
			f.addf(fld+".pattern_behavior", "invalid value %d", uint8(t.PatternBehavior))
		}
		if t.PatternString == "" || t.PatternBehavior > pattern.AddSuffix || t.PatternType > pattern.Regex {
			continue
		}
		pat := f.compilePat(fld, pattern.Spec{Type: t.PatternType, Pattern: t.PatternString, Behavior: t.PatternBehavior, Replace: t.ReplaceString}, p.popts, &diags)
		if pat != nil && t.State == Enabled {
			p.transforms = append(p.transforms, cTransform{cfgIndex: i, priority: t.Priority, pat: pat})
		}
	}
	sort.SliceStable(p.transforms, func(a, b int) bool { return p.transforms[a].priority < p.transforms[b].priority })
	for id, t := range p.transforms {
		p.tIndex.add(int32(id), t.pat)
	}

	// Search rules (DP-2, DP-6, DP-30..DP-40).
	ruleLimit := MaxSearchRules
	if c.SearchRuleLimit > 0 {
		ruleLimit = c.SearchRuleLimit
	}
	if c.SearchRuleLimit < 0 {
		f.addf("search_rule_limit", "must not be negative")
	}
	if len(c.SearchRules) > ruleLimit {
		f.addf("search_rules", "%d search rules, at most %d allowed", len(c.SearchRules), ruleLimit)
	}
	for i, r := range c.SearchRules {
		fld := fmt.Sprintf("search_rules[%d]", i)
		f.checkName(fld+".name", r.Name, MaxNameLen, true)
		f.checkName(fld+".description", r.Description, MaxDescriptionLen, false)
		if r.Priority < MinPriority || r.Priority > MaxPriority {
			f.add(fld+".priority", errPriorityRange(r.Priority))
		}
		enumOK(&f, fld+".protocol", r.Protocol, 3)
		enumOK(&f, fld+".traffic_type", r.TrafficType, 5)
		enumOK(&f, fld+".source_mode", r.SourceMode, 4)
		enumOK(&f, fld+".mode", r.Mode, 3)
		enumOK(&f, fld+".pattern_type", r.PatternType, 4)
		enumOK(&f, fld+".progress", r.Progress, 2)
		enumOK(&f, fld+".target_type", r.TargetType, 2)
		enumOK(&f, fld+".state", r.State, 2)
		f.checkPatternText(fld+".pattern_string", r.PatternString, MaxPatternLen)
		f.checkPatternText(fld+".replace_string", r.ReplaceString, MaxPatternLen)
		cr := cRule{cfgIndex: i, name: r.Name, priority: r.Priority, protocol: r.Protocol, traffic: r.TrafficType,
			sourceMode: r.SourceMode, sourceName: pattern.Fold(r.SourceName), auth: r.Authentication, mode: r.Mode, stop: r.Progress == Stop}
		if r.SourceMode == SourceNamed {
			if r.SourceName == "" {
				f.addf(fld+".source_name", "required when source_mode is Named")
			} else if !p.knownSource(cr.sourceName, subNames) {
				f.addf(fld+".source_name", "unknown zone or subzone %q", r.SourceName)
			}
		} else {
			f.checkName(fld+".source_name", r.SourceName, MaxNameLen, false)
		}
		switch r.PatternBehavior {
		case pattern.Strip, pattern.Leave, pattern.Replace:
		case pattern.AddPrefix, pattern.AddSuffix:
			f.addf(fld+".pattern_behavior", "%v is not a search rule behavior (Strip, Leave or Replace)", r.PatternBehavior)
		default:
			f.addf(fld+".pattern_behavior", "invalid value %d", uint8(r.PatternBehavior))
		}
		if r.Mode == AliasPatternMatch {
			if r.PatternString == "" {
				f.addf(fld+".pattern_string", "required for AliasPatternMatch")
			} else if r.PatternBehavior <= pattern.Replace && r.PatternType <= pattern.Regex {
				cr.pat = f.compilePat(fld, pattern.Spec{Type: r.PatternType, Pattern: r.PatternString, Behavior: r.PatternBehavior, Replace: r.ReplaceString}, p.popts, &diags)
			}
		}
		switch r.TargetType {
		case TargetZone:
			cr.zone = p.zones[pattern.Fold(r.TargetName)]
			if cr.zone == nil {
				f.addf(fld+".target_name", "unknown zone %q", r.TargetName)
			} else if r.Mode == AnyAlias && (cr.zone.cfg.Type == DNSZone || cr.zone.cfg.Type == ENUMZone) {
				diags = append(diags, Diagnostic{Field: fld, Message: fmt.Sprintf("AnyAlias rule targets %v zone %q; every alias will be looked up in DNS", cr.zone.cfg.Type, cr.zone.name)})
			}
		case TargetPolicyService:
			cr.service = p.services[pattern.Fold(r.TargetName)]
			if cr.service == nil {
				f.addf(fld+".target_name", "unknown policy service %q", r.TargetName)
			}
		}
		if r.Protocol == H323 && r.TrafficType != AnyTraffic {
			diags = append(diags, Diagnostic{Field: fld, Message: "an H323 rule with a traffic type other than Any never matches"})
		}
		if r.State == Enabled && (cr.zone != nil || cr.service != nil) && (r.Mode != AliasPatternMatch || cr.pat != nil) {
			p.rules = append(p.rules, cr)
		}
	}
	sort.SliceStable(p.rules, func(a, b int) bool { return p.rules[a].priority < p.rules[b].priority })
	for id := range p.rules {
		r := &p.rules[id]
		switch r.mode {
		case AnyAlias:
			p.anyAlias = append(p.anyAlias, int32(id))
		case AnyIPAddress:
			p.anyIP = append(p.anyIP, int32(id))
		default:
			p.rIndex.add(int32(id), r.pat)
		}
	}
	diags = append(diags, p.unreachable(c)...)
	if len(f.errs) > 0 {
		return nil, diags, errors.Join(f.errs...)
	}
	return p, diags, nil
}

func (f *faults) compileCP(field, re string, o pattern.Options) *pattern.Pattern {
	p, err := pattern.Compile(pattern.Spec{Type: pattern.Regex, Pattern: re, Behavior: pattern.Leave}, o)
	if err != nil {
		f.add(field, err)
		return nil
	}
	return p
}

// knownSource reports whether a folded name is a valid Named source or
// originating zone: a configured zone, a subzone, DefaultZone,
// DefaultSubZone or LocalZone.
func (p *plan) knownSource(key string, subNames map[string]bool) bool {
	if key == pattern.Fold(DefaultZone) || subNames[key] {
		return true
	}
	return p.zones[key] != nil
}

// unreachable warns about rules that can never be reached: lower priority
// than a catch-all Stop rule of the same mode (DP-6 SHOULD warn).
func (p *plan) unreachable(c *Config) []Diagnostic {
	var diags []Diagnostic
	stopAt := map[RuleMode]int{}
	for _, r := range p.rules {
		if r.stop && r.protocol == AnyProtocol && r.traffic == AnyTraffic && r.sourceMode == SourceAny && !r.auth && r.mode != AliasPatternMatch {
			if _, ok := stopAt[r.mode]; !ok {
				stopAt[r.mode] = r.priority
			}
		}
	}
	for _, r := range p.rules {
		if at, ok := stopAt[r.mode]; ok && r.priority > at && r.mode != AliasPatternMatch {
			diags = append(diags, Diagnostic{Field: fmt.Sprintf("search_rules[%d]", r.cfgIndex),
				Message: fmt.Sprintf("unreachable: a catch-all %v Stop rule at priority %d ends every search first", r.mode, at)})
		}
	}
	return diags
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func joinFaults(errs []error) error { return errors.Join(errs...) }
