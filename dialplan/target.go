package dialplan

import (
	"context"
	"net/netip"
)

// Source says where a request came from (DP-31). The zero value is the
// Default Zone: an unknown or unregistered system, the least trusted
// source.
type Source struct {
	// Zone is LocalZone for a local registration, DefaultZone (or "") for
	// an unknown system, or the name of a configured zone.
	Zone string `json:"zone,omitempty"`
	// Subzone is, for a local registration, its subzone ("" means
	// DefaultSubZone).
	Subzone string `json:"subzone,omitempty"`
	// ClusterPeer marks a request relayed by a cluster peer: it counts as
	// the Local Zone and is not transformed again (DP-23).
	ClusterPeer bool `json:"cluster_peer,omitempty"`
}

// FromLocalZone is the source of a local registration in subzone sub (""
// for DefaultSubZone).
func FromLocalZone(sub string) Source { return Source{Zone: LocalZone, Subzone: sub} }

// FromZone is the source of a request received from a configured zone.
func FromZone(name string) Source { return Source{Zone: name} }

// Query is one search sent to a Target (DP-41, DP-42).
type Query struct {
	// Zone is the target zone's name (LocalZone for the Local Zone).
	Zone     string   `json:"zone"`
	ZoneType ZoneType `json:"zone_type"`
	// Alias is the alias after the rule's zone transform.
	Alias    string   `json:"alias"`
	Protocol Protocol `json:"protocol"`
	// HopCount is the hop count to send (DP-47).
	HopCount      int    `json:"hop_count"`
	CallTag       string `json:"call_tag"`
	Source        Source `json:"source"`
	Authenticated bool   `json:"authenticated,omitempty"`
	// Rule is the name of the search rule that sent the query.
	Rule string `json:"rule,omitempty"`
}

// Answer is a Target's reply.
type Answer struct {
	Found bool `json:"found"`
	// Alias is the alias as found, if the target rewrote it; "" means the
	// query's alias.
	Alias string `json:"alias,omitempty"`
	// Address is where to send signalling, if the target knows it.
	Address string `json:"address,omitempty"`
}

// Target answers searches for one zone: the Local Zone (registrations),
// neighbor and traversal zones. A Target must return when ctx is done; an
// error means the zone did not answer and counts as not found.
type Target interface {
	Search(ctx context.Context, q Query) (Answer, error)
}

// TargetFunc adapts a function to Target.
type TargetFunc func(ctx context.Context, q Query) (Answer, error)

// Search calls f(ctx, q).
func (f TargetFunc) Search(ctx context.Context, q Query) (Answer, error) { return f(ctx, q) }

// AddressKnower is implemented by Local Zone targets that can say whether
// an IP address belongs to a registration, which makes it "known" (DP-46).
type AddressKnower interface {
	KnowsAddress(addr netip.Addr) bool
}

// PolicyKind says which hook a PolicyRequest is for.
type PolicyKind uint8

// Policy kinds.
const (
	CallPolicy    PolicyKind = iota // the Call Policy / administrator policy hook (DP-26)
	UserPolicy                      // the User Policy / FindMe hook (DP-28)
	ServicePolicy                   // a policy service targeted by a search rule (DP-40)
)

var policyKindNames = [...]string{"CallPolicy", "UserPolicy", "PolicyService"}

func (k PolicyKind) String() string {
	if int(k) < len(policyKindNames) {
		return policyKindNames[k]
	}
	return "PolicyKind(?)"
}

// MarshalText implements encoding.TextMarshaler.
func (k PolicyKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// PolicyRequest is what a Policy decides on.
type PolicyRequest struct {
	Kind PolicyKind `json:"kind"`
	// Service is the policy service name (ServicePolicy, and CallPolicy in
	// PolicyService mode).
	Service string `json:"service,omitempty"`
	// Alias is the destination.
	Alias string `json:"alias"`
	// SourceAliases are the origin's aliases.
	SourceAliases []string `json:"source_aliases,omitempty"`
	Source        Source   `json:"source"`
	Authenticated bool     `json:"authenticated,omitempty"`
	Protocol      Protocol `json:"protocol"`
	CallTag       string   `json:"call_tag"`
}

// Action is a policy decision's verb.
type Action uint8

// Actions.
const (
	// Proxy lets the search go on with the alias unchanged. From a User
	// Policy it means "not a FindMe ID"; from a policy-service target it
	// means the service routed nothing.
	Proxy Action = iota
	// Redirect restarts the search with Decision.Aliases (DP-29).
	Redirect
	// Reject ends the search with Decision.Status and Reason.
	RejectCall
)

var actionNames = [...]string{"Proxy", "Redirect", "Reject"}

func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return "Action(?)"
}

// MarshalText implements encoding.TextMarshaler.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// Decision is a Policy's answer: the CPL-equivalent of proxy, redirect and
// reject (DP-26, DP-40).
type Decision struct {
	Action  Action   `json:"action"`
	Aliases []string `json:"aliases,omitempty"`
	Status  int      `json:"status,omitempty"`
	Reason  string   `json:"reason,omitempty"`
}

// Policy decides on a call: the Call Policy hook, the User Policy (FindMe)
// hook, or one policy service. An error means the policy is unreachable;
// the engine then applies the configured DefaultCPL (DP-4).
type Policy interface {
	Decide(ctx context.Context, r PolicyRequest) (Decision, error)
}

// PolicyFunc adapts a function to Policy.
type PolicyFunc func(ctx context.Context, r PolicyRequest) (Decision, error)

// Decide calls f(ctx, r).
func (f PolicyFunc) Decide(ctx context.Context, r PolicyRequest) (Decision, error) { return f(ctx, r) }

// RRType is a DNS record type.
type RRType uint16

// The record types DNS and ENUM zones look up.
const (
	TypeA     RRType = 1
	TypeAAAA  RRType = 28
	TypeSRV   RRType = 33
	TypeNAPTR RRType = 35
)

func (t RRType) String() string {
	switch t {
	case TypeA:
		return "A"
	case TypeAAAA:
		return "AAAA"
	case TypeSRV:
		return "SRV"
	case TypeNAPTR:
		return "NAPTR"
	}
	return "TYPE?"
}

// MarshalText implements encoding.TextMarshaler.
func (t RRType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// DNSRecord is one resource record; which fields are set depends on Type.
type DNSRecord struct {
	Type RRType `json:"type"`
	// NAPTR (RFC 3403).
	Order       uint16 `json:"order,omitempty"`
	Preference  uint16 `json:"preference,omitempty"`
	Flags       string `json:"flags,omitempty"`
	Service     string `json:"service,omitempty"`
	Regexp      string `json:"regexp,omitempty"`
	Replacement string `json:"replacement,omitempty"`
	// SRV (RFC 2782).
	Priority uint16 `json:"priority,omitempty"`
	Weight   uint16 `json:"weight,omitempty"`
	Port     uint16 `json:"port,omitempty"`
	Target   string `json:"target,omitempty"`
	// A and AAAA.
	Addr netip.Addr `json:"addr,omitzero"`
}

// Resolver looks up DNS records for DNS and ENUM zones (DP-43, DP-44). It
// returns no records and no error for a name that does not exist; an error
// means the lookup failed.
type Resolver interface {
	Lookup(ctx context.Context, name string, t RRType) ([]DNSRecord, error)
}

// ResolverFunc adapts a function to Resolver.
type ResolverFunc func(ctx context.Context, name string, t RRType) ([]DNSRecord, error)

// Lookup calls f(ctx, name, t).
func (f ResolverFunc) Lookup(ctx context.Context, name string, t RRType) ([]DNSRecord, error) {
	return f(ctx, name, t)
}

// Admission may refuse a found call, for example for lack of bandwidth
// (DP-54). A non-nil error refuses it: Rejected(AdmissionDenied).
type Admission interface {
	Admit(ctx context.Context, r Route) error
}

// AdmissionFunc adapts a function to Admission.
type AdmissionFunc func(ctx context.Context, r Route) error

// Admit calls f(ctx, r).
func (f AdmissionFunc) Admit(ctx context.Context, r Route) error { return f(ctx, r) }
