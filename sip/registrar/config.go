package registrar

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"time"

	"github.com/causeway-edge/causeway/dialplan/pattern"
	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/digest"
)

// Strategy is a refresh strategy (SIP-54).
type Strategy uint8

// Strategies.
const (
	// Maximum grants min(requested, max).
	Maximum Strategy = iota
	// Variable grants a uniform random value in [min, min(requested, max)].
	Variable
)

// Expiry is a (strategy, minimum, maximum) triple in seconds (SIP-54).
type Expiry struct {
	Strategy Strategy
	Min, Max int
}

// Product defaults (SIP-1, SIP-55).
var (
	DefaultStandard = Expiry{Strategy: Maximum, Min: 45, Max: 60}
	DefaultOutbound = Expiry{Strategy: Variable, Min: 300, Max: 3600}
)

// DefaultRequested is the expiry used when a REGISTER asks for none
// (spec §2.15-7).
const DefaultRequested = 3600

// Restriction is the registration restriction policy (SIP-52).
type Restriction uint8

// Restriction policies.
const (
	None Restriction = iota
	AllowList
	DenyList
	PolicyService
)

// MaxListEntries bounds each allow/deny list (SIP-53).
const MaxListEntries = 2500

// ListEntry is one allow or deny list entry (SIP-53).
type ListEntry struct {
	Description string
	Pattern     string
	// Type is Exact (default, ""), Prefix, Suffix or Regex, any case.
	Type string
}

func (e ListEntry) compile() (*pattern.Pattern, error) {
	t := pattern.Exact
	if e.Type != "" {
		var err error
		if t, err = pattern.ParseType(e.Type); err != nil {
			return nil, err
		}
	}
	return pattern.Compile(pattern.Spec{Type: t, Pattern: e.Pattern, Behavior: pattern.Leave}, pattern.Options{})
}

// Source describes where a REGISTER came from (SIP-51 step 1).
type Source struct {
	Network string
	Addr    netip.AddrPort
	// Flow identifies the connection or flow the REGISTER arrived on, when
	// the transport has one (recorded in Binding.Flow; SIP-55, SIP-60).
	Flow string
	// Zone is the subzone of the Local Zone or the external zone.
	Zone string
	// Proxied is true when the REGISTER came from an external zone.
	Proxied bool
}

// Request is what a policy service decides on (SIP-52 PolicyService).
type Request struct {
	AOR           string
	Source        Source
	Authenticated bool
	Username      string
	Message       *sip.Message
}

// Authenticator checks a REGISTER's credentials; *digest.Server is one.
type Authenticator interface {
	Authenticate(ctx context.Context, req *sip.Message, src netip.Addr) (digest.Decision, error)
}

// Config configures a Registrar.
type Config struct {
	// Domains are the local SIP domains (SIP-50); IsLocal may accept more
	// hosts (the system FQDN, the box's addresses).
	Domains []string
	IsLocal func(host string) bool

	Standard, Outbound Expiry // zero values take DefaultStandard/DefaultOutbound
	FlowTimer          int    // Flow-Timer seconds on outbound 2xx, 0..600 (0: none)
	GRUU               bool   // issue public GRUUs (SIP-56)

	Restriction Restriction
	AllowList   []ListEntry
	DenyList    []ListEntry
	// Policy decides under PolicyService: allow, or the status and reason
	// to reject with (0 means 403).
	Policy func(ctx context.Context, r Request) (allow bool, status int, reason string, err error)

	// Authenticator, when set, authenticates every REGISTER (SIP-51 step 2).
	Authenticator Authenticator
	// Classify maps the transport source to a subzone or zone (step 1);
	// nil puts every source in the Local Zone.
	Classify func(network string, src netip.AddrPort) Source
	// AcceptProxied is the zone's "Accept proxied registrations" (step 3);
	// nil denies proxied registrations.
	AcceptProxied func(zone string) bool
	// SubzoneAllows is the subzone registration policy (step 5); nil allows.
	SubzoneAllows func(s Source, aor string) bool
	// Admit is the licence/capacity gate (step 6): an error answers 503.
	Admit func(ctx context.Context, b Binding) error

	Store Store            // default: a new MemoryStore
	Now   func() time.Time // default time.Now
	// Rand returns a uniform integer in [0, n); default math/rand/v2.
	Rand func(n int) int
	// OnEvent receives registration events (SIP-130).
	OnEvent func(Event)

	// HistorySize bounds the registration history (SIP-58); 0 means
	// DefaultHistorySize.
	HistorySize int
	// OnEnd, when set, receives every binding that ends — expired (on
	// Sweep), unregistered, superseded, removed by the operator — with its
	// reason (SIP-58). It runs on the goroutine that ended the binding
	// (Register, Sweep, an operator call), outside the store's locks, and
	// may run on several goroutines at once.
	OnEnd func(Ended)
	// CallRemove is "SIP Registration Call Remove": when on, Ended values
	// carry ReleaseCalls and the caller releases the calls of the ended
	// registration (SIP-42, SIP-58). The registrar itself holds no calls.
	CallRemove bool
	// DeviceClass classifies a device from its User-Agent ("room",
	// "desktop"; LIC-26) for Binding.DeviceClass; the licensing block's
	// classifier plugs in here. Nil leaves the class empty.
	DeviceClass func(userAgent string) string
	// PeerID names this cluster peer in Binding.Peer (SIP-60).
	PeerID string
	// MaxBindingsPerAOR bounds the bindings one AOR may hold, so that one
	// AOR cannot fill memory nor make its 2xx (which lists every binding)
	// too large to send; a REGISTER that would go over it is refused with
	// 403. 0 means DefaultMaxBindingsPerAOR.
	MaxBindingsPerAOR int
}

// DefaultMaxBindingsPerAOR is the default of Config.MaxBindingsPerAOR.
const DefaultMaxBindingsPerAOR = 32

// MaxHistorySize is the largest HistorySize accepted.
const MaxHistorySize = 1_000_000

// Validate reports every fault at once.
func (c Config) Validate() error {
	var errs []error
	for _, e := range []struct {
		name string
		x    Expiry
	}{{"standard", c.Standard}, {"outbound", c.Outbound}} {
		if e.x == (Expiry{}) {
			continue
		}
		if e.x.Min < 30 || e.x.Min > 7200 {
			errs = append(errs, fmt.Errorf("registrar: %s minimum %d outside 30..7200", e.name, e.x.Min))
		}
		if e.x.Max < 30 || e.x.Max > 7200 {
			errs = append(errs, fmt.Errorf("registrar: %s maximum %d outside 30..7200", e.name, e.x.Max))
		}
		if e.x.Min > e.x.Max {
			errs = append(errs, fmt.Errorf("registrar: %s minimum %d above maximum %d", e.name, e.x.Min, e.x.Max))
		}
		if e.x.Strategy > Variable {
			errs = append(errs, fmt.Errorf("registrar: %s strategy %d unknown", e.name, e.x.Strategy))
		}
	}
	if c.FlowTimer < 0 || c.FlowTimer > 600 {
		errs = append(errs, fmt.Errorf("registrar: flow timer %d outside 0..600", c.FlowTimer))
	}
	if len(c.Domains) > 200 {
		errs = append(errs, fmt.Errorf("registrar: %d domains, at most 200", len(c.Domains)))
	}
	errs = append(errs, validateLists(c.AllowList, c.DenyList)...)
	if c.MaxBindingsPerAOR < 0 || c.MaxBindingsPerAOR > 10000 {
		errs = append(errs, fmt.Errorf("registrar: bindings per AOR %d outside 0..10000", c.MaxBindingsPerAOR))
	}
	if c.HistorySize < 0 || c.HistorySize > MaxHistorySize {
		errs = append(errs, fmt.Errorf("registrar: history size %d outside 0..%d", c.HistorySize, MaxHistorySize))
	}
	if c.Restriction > PolicyService {
		errs = append(errs, fmt.Errorf("registrar: restriction policy %d unknown", c.Restriction))
	}
	if c.Restriction == PolicyService && c.Policy == nil {
		errs = append(errs, errors.New("registrar: PolicyService restriction without a Policy function"))
	}
	return errors.Join(errs...)
}

func (c *Config) defaults() {
	if c.Standard == (Expiry{}) {
		c.Standard = DefaultStandard
	}
	if c.Outbound == (Expiry{}) {
		c.Outbound = DefaultOutbound
	}
	if c.Store == nil {
		c.Store = NewMemoryStore()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.IntN
	}
	if c.MaxBindingsPerAOR == 0 {
		c.MaxBindingsPerAOR = DefaultMaxBindingsPerAOR
	}
	if c.HistorySize == 0 {
		c.HistorySize = DefaultHistorySize
	}
}

// Grant applies an expiry triple to a requested expiry r > 0 (SIP-54):
// ok is false when r is below the minimum (423).
func (e Expiry) Grant(r int, rnd func(int) int) (g int, ok bool) {
	if r < e.Min {
		return 0, false
	}
	hi := min(r, e.Max)
	if e.Strategy == Variable && hi > e.Min {
		return e.Min + rnd(hi-e.Min+1), true
	}
	if e.Strategy == Variable {
		return hi, true
	}
	return hi, true
}

// RecommendedRefresh returns the refresh minimum and maximum the product
// recommends for a number of active registrations (SIP-61).
func RecommendedRefresh(active int) (lo, hi int, err error) {
	switch {
	case active < 1:
		return 0, 0, fmt.Errorf("registrar: %d active registrations, need at least 1", active)
	case active <= 100:
		return 45, 60, nil
	case active <= 500:
		return 150, 200, nil
	case active <= 1000:
		return 300, 400, nil
	case active <= 1500:
		return 450, 800, nil
	}
	return 750, 1000, nil
}

// ParseRestriction parses a restriction policy name, ignoring case.
func ParseRestriction(s string) (Restriction, error) {
	switch strings.ToLower(s) {
	case "", "none":
		return None, nil
	case "allowlist":
		return AllowList, nil
	case "denylist":
		return DenyList, nil
	case "policyservice":
		return PolicyService, nil
	}
	return 0, fmt.Errorf("registrar: unknown restriction policy %q", s)
}
