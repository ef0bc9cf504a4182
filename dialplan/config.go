package dialplan

import (
	"net/netip"
	"time"

	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// Limits from the seed (DP-1..DP-5).
const (
	MaxTransforms      = 100
	MaxSearchRules     = 2000
	MaxZones           = 1000
	MaxSubzones        = 1000
	MaxPolicyServices  = 20
	MaxServiceServers  = 3
	MaxNameLen         = 50
	MaxDescriptionLen  = 64
	MaxPatternLen      = 60
	MaxDNSSuffixLen    = 128
	MaxDefaultCPLLen   = 255
	MinPriority        = 1
	MaxPriority        = 65534
	DefaultHopCount    = 15
	MaxHopCount        = 255
	DefaultMaxAliasLen = 255
	// MaxRestarts bounds the depth of restarts one search may make
	// (DP-48 backstop).
	MaxRestarts = 16
	// DefaultMaxSearches is the concurrency cap (DP-53).
	DefaultMaxSearches = 500
	// HistorySize is the number of searches kept by the history (DP-52).
	HistorySize = 255
)

// Names of the built-in zones and subzone (DP-3).
const (
	LocalZone      = "LocalZone"
	DefaultZone    = "DefaultZone"
	DefaultSubZone = "DefaultSubZone"
)

// Config is a dial plan: everything the engine needs that can be written in
// a file. It is a plain value; Validate reports every fault at once, and
// NewEngine and Engine.Reload compile it.
//
// Zero values of the enum fields are the product's defaults. Priorities and
// hop counts have no usable zero value: use NewTransform, NewSearchRule and
// NewZone (or LoadConfig, which starts every entry from them) to get the
// documented defaults.
type Config struct {
	Transforms     []Transform     `yaml:"transforms,omitempty" json:"transforms,omitempty"`
	SearchRules    []SearchRule    `yaml:"search_rules,omitempty" json:"search_rules,omitempty"`
	Zones          []Zone          `yaml:"zones,omitempty" json:"zones,omitempty"`
	Subzones       []Subzone       `yaml:"subzones,omitempty" json:"subzones,omitempty"`
	PolicyServices []PolicyService `yaml:"policy_services,omitempty" json:"policy_services,omitempty"`

	// LocalRegistrations is a static registration table answered for the
	// Local Zone when no Target is bound to it (for Locate runs from a
	// file and for tests).
	LocalRegistrations []Registration `yaml:"local_registrations,omitempty" json:"local_registrations,omitempty"`

	// System holds the facts %variables% expand to (DP-18).
	System pattern.Facts `yaml:"system,omitempty" json:"system,omitempty"`

	// CallsToUnknownIPAddresses: Indirect (default), Direct or Off (DP-46).
	CallsToUnknownIPAddresses UnknownIPMode `yaml:"calls_to_unknown_ip_addresses,omitempty" json:"calls_to_unknown_ip_addresses,omitempty"`
	// FallbackAlias is routed when a request names no callee (DP-11).
	FallbackAlias string `yaml:"fallback_alias,omitempty" json:"fallback_alias,omitempty"`
	// CallLoopDetection: On (default) or Off (DP-49).
	CallLoopDetection Switch `yaml:"call_loop_detection_mode,omitempty" json:"call_loop_detection_mode,omitempty"`
	// Interworking: RegisteredOnly (default), On or Off (DP-39).
	Interworking InterworkingMode `yaml:"interworking_mode,omitempty" json:"interworking_mode,omitempty"`
	// CallPolicyMode: Off (default), LocalCPL, LocalService or
	// PolicyService (DP-26).
	CallPolicyMode CallPolicyMode `yaml:"call_policy_mode,omitempty" json:"call_policy_mode,omitempty"`
	// CallPolicyService names the entry of PolicyServices whose DefaultCPL
	// applies when the Call Policy service is unreachable (PolicyService
	// mode). Empty means the Call Policy default (DP-4).
	CallPolicyService string `yaml:"call_policy_service,omitempty" json:"call_policy_service,omitempty"`
	// CallPolicyRules are the built-in rules evaluated in LocalCPL mode
	// when no Call Policy hook is bound (DP-27).
	CallPolicyRules []CallPolicyRule `yaml:"call_policy_rules,omitempty" json:"call_policy_rules,omitempty"`

	// CaseSensitive turns off case-insensitive pattern matching (beyond
	// the seed; default off, DP-13).
	CaseSensitive bool `yaml:"case_sensitive,omitempty" json:"case_sensitive,omitempty"`
	// RegexBudget bounds each regex match; 0 means 10 ms (DP-14).
	RegexBudget time.Duration `yaml:"regex_budget,omitempty" json:"regex_budget,omitempty"`
	// MaxAliasLength bounds aliases in live routing; 0 means 255 (DP-9).
	MaxAliasLength int `yaml:"max_alias_length,omitempty" json:"max_alias_length,omitempty"`
	// SearchRuleLimit raises the number of search rules allowed; 0 means
	// the product's 2000 (DP-2). Beyond the seed: generated dial plans with
	// many literal rules route in near-constant time thanks to the index.
	SearchRuleLimit int `yaml:"search_rule_limit,omitempty" json:"search_rule_limit,omitempty"`
	// MaxConcurrentSearches is the concurrency cap; 0 means 500 (DP-53).
	MaxConcurrentSearches int `yaml:"max_concurrent_searches,omitempty" json:"max_concurrent_searches,omitempty"`
}

// Transform is a pre-search transform (DP-1).
type Transform struct {
	Priority        int              `yaml:"priority" json:"priority"`
	Description     string           `yaml:"description,omitempty" json:"description,omitempty"`
	PatternType     pattern.Type     `yaml:"pattern_type" json:"pattern_type"`
	PatternString   string           `yaml:"pattern_string" json:"pattern_string"`
	PatternBehavior pattern.Behavior `yaml:"pattern_behavior" json:"pattern_behavior"`
	ReplaceString   string           `yaml:"replace_string,omitempty" json:"replace_string,omitempty"`
	State           State            `yaml:"state" json:"state"`
}

// NewTransform returns a transform with the product's defaults (I-15):
// priority 1, Prefix, Strip, Enabled.
func NewTransform() Transform { return Transform{Priority: 1} }

// SearchRule is a search rule (DP-1, DP-2, DP-30..DP-40).
type SearchRule struct {
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	Priority    int    `yaml:"priority" json:"priority"`
	// Protocol is the source protocol the rule applies to.
	Protocol    Protocol    `yaml:"protocol" json:"protocol"`
	TrafficType TrafficType `yaml:"traffic_type" json:"traffic_type"`
	SourceMode  SourceMode  `yaml:"source_mode" json:"source_mode"`
	SourceName  string      `yaml:"source_name,omitempty" json:"source_name,omitempty"`
	// Authentication: the request must be authenticated.
	Authentication  bool             `yaml:"authentication" json:"authentication"`
	Mode            RuleMode         `yaml:"mode" json:"mode"`
	PatternType     pattern.Type     `yaml:"pattern_type" json:"pattern_type"`
	PatternString   string           `yaml:"pattern_string,omitempty" json:"pattern_string,omitempty"`
	PatternBehavior pattern.Behavior `yaml:"pattern_behavior" json:"pattern_behavior"`
	ReplaceString   string           `yaml:"replace_string,omitempty" json:"replace_string,omitempty"`
	Progress        Progress         `yaml:"progress" json:"progress"`
	TargetType      TargetType       `yaml:"target_type" json:"target_type"`
	TargetName      string           `yaml:"target_name" json:"target_name"`
	State           State            `yaml:"state" json:"state"`
}

// NewSearchRule returns a search rule with the product's defaults (I-14):
// priority 100, AnyAlias, Prefix, Strip, Continue, source Any,
// authentication No, Enabled.
func NewSearchRule(name string) SearchRule { return SearchRule{Name: name, Priority: 100} }

// Registration is one static entry of a zone's or the Local Zone's
// registration table.
type Registration struct {
	Alias string `yaml:"alias" json:"alias"`
	// Protocol the alias is registered with; AnyProtocol means both.
	Protocol Protocol `yaml:"protocol,omitempty" json:"protocol,omitempty"`
	// Address is where the endpoint is reached; for the Local Zone it
	// also makes the IP address "known" (DP-46).
	Address string `yaml:"address,omitempty" json:"address,omitempty"`
	// Subzone is the Local Zone subzone (default DefaultSubZone).
	Subzone string `yaml:"subzone,omitempty" json:"subzone,omitempty"`
}

// Zone is a configured zone as the dial plan sees it (DP-3).
type Zone struct {
	Name     string   `yaml:"name" json:"name"`
	Type     ZoneType `yaml:"type" json:"type"`
	HopCount int      `yaml:"hop_count" json:"hop_count"`
	// H323Mode and SIPMode: default On.
	H323Mode Switch `yaml:"h323_mode,omitempty" json:"h323_mode,omitempty"`
	SIPMode  Switch `yaml:"sip_mode,omitempty" json:"sip_mode,omitempty"`
	// SearchAutoResponse answers "found" without a query (DP-42); default
	// Off.
	SearchAutoResponse Switch `yaml:"search_auto_response,omitempty" json:"search_auto_response,omitempty"`
	// IncludeAddressRecord (DNS zones) falls back to A/AAAA records;
	// default Off.
	IncludeAddressRecord Switch `yaml:"include_address_record,omitempty" json:"include_address_record,omitempty"`
	// DomainToSearchFor (DNS zones) replaces the domain looked up.
	DomainToSearchFor string `yaml:"domain_to_search_for,omitempty" json:"domain_to_search_for,omitempty"`
	// DNSSuffix (ENUM zones), e.g. e164.arpa.
	DNSSuffix string `yaml:"dns_suffix,omitempty" json:"dns_suffix,omitempty"`
	// Registrations is a static table answered when no Target is bound to
	// the zone.
	Registrations []Registration `yaml:"registrations,omitempty" json:"registrations,omitempty"`
}

// NewZone returns a zone with the product's defaults: hop count 15, H.323
// and SIP modes On, search auto response Off, include address record Off
// (the Switch fields are left at SwitchDefault, which means exactly that).
func NewZone(name string, typ ZoneType) Zone {
	return Zone{Name: name, Type: typ, HopCount: DefaultHopCount}
}

// Subzone is a Local Zone subzone; IP addresses inside its subnets are
// "known" (DP-46).
type Subzone struct {
	Name    string         `yaml:"name" json:"name"`
	Subnets []netip.Prefix `yaml:"subnets,omitempty" json:"subnets,omitempty"`
}

// PolicyService is an external policy service (DP-4). The dial plan uses
// its name, its reachability and DefaultCPL; the transport is a Policy
// bound with WithPolicyService.
type PolicyService struct {
	Name        string          `yaml:"name" json:"name"`
	Description string          `yaml:"description,omitempty" json:"description,omitempty"`
	Servers     []string        `yaml:"servers,omitempty" json:"servers,omitempty"`
	Protocol    ServiceProtocol `yaml:"protocol" json:"protocol"`
	// DefaultCPL is the decision used when the service is unreachable. Empty
	// means the default for its use: <reject status='504' reason='Policy
	// Service Unavailable'/> for a search-rule target and <reject
	// status='403' reason='Service Unavailable'/> for Call Policy.
	DefaultCPL string `yaml:"default_cpl,omitempty" json:"default_cpl,omitempty"`
}

// Default CPL fallbacks (DP-4).
const (
	DefaultServiceCPL    = `<reject status='504' reason='Policy Service Unavailable'/>`
	DefaultCallPolicyCPL = `<reject status='403' reason='Service Unavailable'/>`
)

// CallPolicyRule is a built-in Call Policy rule (DP-27).
type CallPolicyRule struct {
	Source CallPolicySource `yaml:"source_type" json:"source_type"`
	// SourceZone is the originating zone for Source Zone.
	SourceZone string `yaml:"originating_zone,omitempty" json:"originating_zone,omitempty"`
	// SourcePattern is a regex matched against the source aliases for the
	// From-address sources; blank means any.
	SourcePattern string `yaml:"source_pattern,omitempty" json:"source_pattern,omitempty"`
	// DestinationPattern is a regex matched against the destination.
	DestinationPattern string           `yaml:"destination_pattern" json:"destination_pattern"`
	Action             CallPolicyAction `yaml:"action" json:"action"`
}
