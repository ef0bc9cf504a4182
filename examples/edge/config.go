package main

import (
	_ "embed"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/causeway-edge/causeway/cpl"
	"github.com/causeway-edge/causeway/dialplan"
	"github.com/causeway-edge/causeway/dialplan/pattern"
	"github.com/causeway-edge/causeway/sip/registrar"
	"go.yaml.in/yaml/v3"
)

//go:embed default.yaml
var defaultConfig []byte

// Config is the edge's configuration file: the dial plan's own keys
// (transforms, search_rules, zones, ... as in package dialplan) plus the
// sections below. See README.md for the schema.
type Config struct {
	SIP        SIPConfig         `yaml:"sip"`
	Registrar  RegistrarConfig   `yaml:"registrar"`
	Users      map[string]string `yaml:"users"`
	CallPolicy CallPolicyConfig  `yaml:"call_policy"`
	Proxy      ProxyConfig       `yaml:"proxy"`
	HTTP       HTTPConfig        `yaml:"http"`
	CDR        CDRConfig         `yaml:"cdr"`
	Log        LogConfig         `yaml:"log"`

	// Neighbors are the SIP next hops of the zones, by zone name.
	Neighbors map[string]Neighbor `yaml:"-"`
	// Dialplan is the dial plan part of the file.
	Dialplan dialplan.Config `yaml:"-"`
}

// SIPConfig is the sip: section.
type SIPConfig struct {
	Addresses  []string `yaml:"addresses"`  // default [127.0.0.1]
	Transports []string `yaml:"transports"` // udp, tcp, tls; default all three
	UDPPort    int      `yaml:"udp_port"`   // default 5060; -1 ephemeral
	TCPPort    int      `yaml:"tcp_port"`   // default 5060
	TLSPort    int      `yaml:"tls_port"`   // default 5061
	TLSCert    string   `yaml:"tls_cert"`   // PEM files; self-signed when empty
	TLSKey     string   `yaml:"tls_key"`
}

// RegistrarConfig is the registrar: section.
type RegistrarConfig struct {
	Domains        []string      `yaml:"domains"`
	Standard       *ExpiryConfig `yaml:"standard"`
	Outbound       *ExpiryConfig `yaml:"outbound"`
	FlowTimer      int           `yaml:"flow_timer"`
	GRUU           *bool         `yaml:"gruu"` // default on
	Restriction    string        `yaml:"restriction_policy"`
	AllowList      []ListEntry   `yaml:"allow_list"`
	DenyList       []ListEntry   `yaml:"deny_list"`
	Authentication bool          `yaml:"authentication"` // digest on REGISTER (needs users)
	Realm          string        `yaml:"realm"`
	HistorySize    int           `yaml:"history_size"` // ended registrations kept; default 10000 (SIP-58)
	CallRemove     bool          `yaml:"call_remove"`  // release a device's calls when its registration ends (SIP-58)
	PeerID         string        `yaml:"peer_id"`      // this peer's name in registration records (SIP-60)
}

// ExpiryConfig is a refresh strategy triple.
type ExpiryConfig struct {
	Strategy string `yaml:"strategy"` // Maximum | Variable
	Minimum  int    `yaml:"minimum"`
	Maximum  int    `yaml:"maximum"`
}

// ListEntry is an allow or deny list entry.
type ListEntry struct {
	Description string `yaml:"description"`
	Pattern     string `yaml:"pattern_string"`
	Type        string `yaml:"pattern_type"`
}

// CallPolicyConfig is the call_policy: section, applied in LocalCPL mode:
// either a rule table in the dial plan's call_policy_rules format, or a CPL
// script (package cpl, Expressway dialect) given inline or as a file that
// is reloaded when it changes.
type CallPolicyConfig struct {
	Rules          []dialplan.CallPolicyRule `yaml:"rules"`
	Script         string                    `yaml:"script"`          // CPL document or fragment
	ScriptFile     string                    `yaml:"script_file"`     // path; watched for changes
	ReloadInterval time.Duration             `yaml:"reload_interval"` // script_file poll; default 5s
}

// hasScript reports whether the call policy is a CPL script.
func (c CallPolicyConfig) hasScript() bool { return c.Script != "" || c.ScriptFile != "" }

// ProxyConfig is the proxy: section.
type ProxyConfig struct {
	RecordRoute    *bool `yaml:"record_route"`    // default on
	SessionExpires int   `yaml:"session_expires"` // 0 off; product 1800
	MinSE          int   `yaml:"min_se"`          // product 500
	// Mode is the SIP registration proxy mode: Off (default) answers a
	// REGISTER for a foreign domain 403 and refuses a preloaded Route set
	// on a dialog-forming request; ProxyToKnownOnly routes them only to
	// Neighbor and traversal zones; ProxyToAny to any zone (SIP-59, SIP-81).
	Mode string `yaml:"mode"`
	// CallTagHeader carries the call tag hop to hop (SIP-85 b); default
	// X-Call-Tag.
	CallTagHeader string `yaml:"call_tag_header"`
	// SIPRoutes are the developer SIP routes (SIP-89), at most 20.
	SIPRoutes []SIPRouteConfig `yaml:"sip_routes"`
	// ConferenceFactory answers INVITEs to its alias 302 (SIP-92).
	ConferenceFactory *ConferenceFactoryConfig `yaml:"conference_factory"`
	// MonitorInterval is the OPTIONS period toward monitored zone peers
	// (SIP-90); default 30s.
	MonitorInterval time.Duration `yaml:"monitor_interval"`
	// ClassFiveResponseLiveness: a 5xx answer counts as alive; default on.
	ClassFiveResponseLiveness *bool `yaml:"class_five_response_liveness"`
}

// HTTPConfig is the http: section.
type HTTPConfig struct {
	Address string `yaml:"address"` // "off" disables
}

// CDRConfig is the cdr: section.
type CDRConfig struct {
	File string `yaml:"file"` // JSON lines; empty: no records
}

// LogConfig is the log: section.
type LogConfig struct {
	Level string `yaml:"level"` // debug | info | warn | error
}

var edgeKeys = []string{"sip", "registrar", "users", "call_policy", "proxy", "http", "cdr", "log"}

// LoadConfig reads a YAML configuration and validates it, reporting every
// fault at once.
func LoadConfig(data []byte) (*Config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	cfg := &Config{Neighbors: map[string]Neighbor{}}
	var errs []error
	dp := &yaml.Node{Kind: yaml.MappingNode}
	if len(doc.Content) == 1 {
		root := doc.Content[0]
		if root.Kind != yaml.MappingNode {
			return nil, errors.New("config: top level must be a mapping")
		}
		mine := &yaml.Node{Kind: yaml.MappingNode}
		for i := 0; i+1 < len(root.Content); i += 2 {
			k, v := root.Content[i], root.Content[i+1]
			switch {
			case slices.Contains(edgeKeys, k.Value):
				mine.Content = append(mine.Content, k, v)
			case k.Value == "zones" && v.Kind == yaml.SequenceNode:
				for _, z := range v.Content {
					errs = append(errs, cfg.takeNeighbor(z))
				}
				dp.Content = append(dp.Content, k, v)
			default:
				dp.Content = append(dp.Content, k, v)
			}
		}
		if err := mine.Decode(cfg); err != nil {
			errs = append(errs, fmt.Errorf("config: %w", err))
		}
	}
	if len(cfg.CallPolicy.Rules) > 0 {
		rules, err := yaml.Marshal(cfg.CallPolicy.Rules)
		if err == nil {
			var n yaml.Node
			if err = yaml.Unmarshal(rules, &n); err == nil {
				dp.Content = append(dp.Content,
					&yaml.Node{Kind: yaml.ScalarNode, Value: "call_policy_mode"}, &yaml.Node{Kind: yaml.ScalarNode, Value: "LocalCPL"},
					&yaml.Node{Kind: yaml.ScalarNode, Value: "call_policy_rules"}, n.Content[0])
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("config: call_policy: %w", err))
		}
	}
	dpBytes, err := yaml.Marshal(dp)
	if err == nil {
		cfg.Dialplan, err = dialplan.LoadConfig(strings.NewReader(string(dpBytes)))
	}
	if err != nil {
		errs = append(errs, err)
	}
	cfg.defaults()
	errs = append(errs, cfg.Validate())
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return cfg, nil
}

func (c *Config) defaults() {
	if len(c.SIP.Addresses) == 0 {
		c.SIP.Addresses = []string{"127.0.0.1"}
	}
	if len(c.SIP.Transports) == 0 {
		c.SIP.Transports = []string{"udp", "tcp", "tls"}
	}
	if c.HTTP.Address == "" {
		c.HTTP.Address = "127.0.0.1:8080"
	}
	// The system facts behind %localdomains%, %ip% and the like (DP-18)
	// default to the registrar's domains and the SIP addresses.
	if len(c.Dialplan.System.Domains) == 0 {
		c.Dialplan.System.Domains = c.Registrar.Domains
	}
	if len(c.Dialplan.System.Peers) == 0 {
		var p pattern.Peer
		for _, a := range c.SIP.Addresses {
			ip, err := netip.ParseAddr(a)
			switch {
			case err != nil:
			case ip.Is4() && !p.LAN1IPv4.IsValid():
				p.LAN1IPv4 = ip
			case ip.Is6() && !p.LAN1IPv6.IsValid():
				p.LAN1IPv6 = ip
			}
		}
		c.Dialplan.System.Peers = []pattern.Peer{p}
	}
	if c.Registrar.Realm == "" {
		c.Registrar.Realm = "causeway.local"
	}
}

// Validate reports every fault of the edge sections at once.
func (c *Config) Validate() error {
	var errs []error
	for _, a := range c.SIP.Addresses {
		if _, err := netip.ParseAddr(a); err != nil {
			errs = append(errs, fmt.Errorf("sip.addresses: %q is not an IP address", a))
		}
	}
	for _, t := range c.SIP.Transports {
		if t != "udp" && t != "tcp" && t != "tls" {
			errs = append(errs, fmt.Errorf("sip.transports: unknown transport %q", t))
		}
	}
	for name, p := range map[string]int{"udp_port": c.SIP.UDPPort, "tcp_port": c.SIP.TCPPort, "tls_port": c.SIP.TLSPort} {
		if p < -1 || p > 65535 {
			errs = append(errs, fmt.Errorf("sip.%s: %d out of range", name, p))
		}
	}
	if (c.SIP.TLSCert == "") != (c.SIP.TLSKey == "") {
		errs = append(errs, errors.New("sip: tls_cert and tls_key go together"))
	}
	errs = append(errs, c.CallPolicy.validate())
	if len(c.Registrar.Domains) == 0 {
		errs = append(errs, errors.New("registrar.domains: at least one domain is required"))
	}
	if c.Registrar.Authentication && len(c.Users) == 0 {
		errs = append(errs, errors.New("registrar.authentication: on, but users: is empty"))
	}
	if _, err := c.registrarConfig(); err != nil {
		errs = append(errs, err)
	}
	for name, nb := range c.Neighbors {
		errs = append(errs, nb.validate(name))
	}
	errs = append(errs, c.Proxy.validate(&c.Dialplan.System))
	if c.HTTP.Address != "off" {
		if _, _, err := net.SplitHostPort(c.HTTP.Address); err != nil {
			errs = append(errs, fmt.Errorf("http.address: %v", err))
		}
	}
	switch strings.ToLower(c.Log.Level) {
	case "", "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log.level: unknown level %q", c.Log.Level))
	}
	return errors.Join(errs...)
}

func (c CallPolicyConfig) validate() error {
	var errs []error
	if c.Script != "" && c.ScriptFile != "" {
		errs = append(errs, errors.New("call_policy: script and script_file exclude each other"))
	}
	if c.hasScript() && len(c.Rules) > 0 {
		errs = append(errs, errors.New("call_policy: a script and rules exclude each other"))
	}
	if c.ReloadInterval < 0 {
		errs = append(errs, fmt.Errorf("call_policy.reload_interval: %v is negative", c.ReloadInterval))
	}
	src := []byte(c.Script)
	if c.ScriptFile != "" {
		b, err := os.ReadFile(c.ScriptFile)
		if err != nil {
			errs = append(errs, fmt.Errorf("call_policy.script_file: %w", err))
		}
		src = b
	}
	if len(src) > 0 {
		if _, err := cpl.Compile(src); err != nil {
			errs = append(errs, fmt.Errorf("call_policy: script: %w", err))
		}
	}
	return errors.Join(errs...)
}

// registrarConfig maps the registrar: section to a registrar.Config
// (without the run-time hooks).
func (c *Config) registrarConfig() (registrar.Config, error) {
	var errs []error
	rc := registrar.Config{Domains: c.Registrar.Domains, FlowTimer: c.Registrar.FlowTimer, GRUU: c.Registrar.GRUU == nil || *c.Registrar.GRUU,
		HistorySize: c.Registrar.HistorySize, CallRemove: c.Registrar.CallRemove}
	exp := func(name string, e *ExpiryConfig, def registrar.Expiry) registrar.Expiry {
		if e == nil {
			return def
		}
		x := registrar.Expiry{Min: e.Minimum, Max: e.Maximum, Strategy: def.Strategy}
		switch strings.ToLower(e.Strategy) {
		case "":
		case "maximum":
			x.Strategy = registrar.Maximum
		case "variable":
			x.Strategy = registrar.Variable
		default:
			errs = append(errs, fmt.Errorf("registrar.%s.strategy: unknown %q", name, e.Strategy))
		}
		return x
	}
	rc.Standard = exp("standard", c.Registrar.Standard, registrar.DefaultStandard)
	rc.Outbound = exp("outbound", c.Registrar.Outbound, registrar.DefaultOutbound)
	var err error
	if rc.Restriction, err = registrar.ParseRestriction(c.Registrar.Restriction); err != nil {
		errs = append(errs, err)
	}
	if rc.Restriction == registrar.PolicyService {
		errs = append(errs, errors.New("registrar.restriction_policy: PolicyService is not available in the edge yet"))
		rc.Restriction = registrar.None
	}
	for _, e := range c.Registrar.AllowList {
		rc.AllowList = append(rc.AllowList, registrar.ListEntry(e))
	}
	for _, e := range c.Registrar.DenyList {
		rc.DenyList = append(rc.DenyList, registrar.ListEntry(e))
	}
	errs = append(errs, rc.Validate())
	return rc, errors.Join(errs...)
}
