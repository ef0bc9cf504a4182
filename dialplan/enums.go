package dialplan

import (
	"fmt"
	"strings"
)

// enum implements the text forms shared by the configuration enums: the
// product's names, parsed case-insensitively, with a few accepted aliases.
type enum[T ~uint8] struct {
	kind    string
	names   []string     // canonical name per value
	aliases map[string]T // extra accepted spellings (lower case)
}

func (e enum[T]) str(v T) string {
	if int(v) < len(e.names) {
		return e.names[v]
	}
	return fmt.Sprintf("%s(%d)", e.kind, uint8(v))
}

func (e enum[T]) parse(s string) (T, error) {
	for i, n := range e.names {
		if strings.EqualFold(s, n) {
			return T(i), nil
		}
	}
	if v, ok := e.aliases[strings.ToLower(s)]; ok {
		return v, nil
	}
	return 0, fmt.Errorf("unknown %s %q (want %s)", e.kind, s, strings.Join(e.names, ", "))
}

func (e enum[T]) marshal(v T) ([]byte, error) {
	if int(v) >= len(e.names) {
		return nil, fmt.Errorf("invalid %s %d", e.kind, uint8(v))
	}
	return []byte(e.names[v]), nil
}

func (e enum[T]) unmarshal(p *T, b []byte) error {
	v, err := e.parse(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Protocol is a signalling protocol. In a search rule it is the source
// protocol the rule applies to, where the zero value AnyProtocol means both
// (DP-1 default, a decision); in a Request and a Query it is SIP or H323.
type Protocol uint8

// Protocols.
const (
	AnyProtocol Protocol = iota
	H323
	SIP
)

var protocolEnum = enum[Protocol]{kind: "protocol", names: []string{"Any", "H323", "SIP"}, aliases: map[string]Protocol{"h.323": H323}}

func (p Protocol) String() string                { return protocolEnum.str(p) }
func (p Protocol) MarshalText() ([]byte, error)  { return protocolEnum.marshal(p) }
func (p *Protocol) UnmarshalText(b []byte) error { return protocolEnum.unmarshal(p, b) }
func (p Protocol) other() Protocol {
	if p == SIP {
		return H323
	}
	return SIP
}

// TrafficType is the kind of SIP traffic a search rule applies to (DP-30).
// In a Request the zero value means Standard.
type TrafficType uint8

// Traffic types.
const (
	AnyTraffic TrafficType = iota
	Standard
	AnyMicrosoft
	MicrosoftSIP
	MicrosoftIMP // Microsoft IM and Presence
)

var trafficEnum = enum[TrafficType]{kind: "traffic type", names: []string{"Any", "Standard", "AnyMicrosoft", "MicrosoftSIP", "MicrosoftIMP"},
	aliases: map[string]TrafficType{"any microsoft": AnyMicrosoft, "microsoft sip": MicrosoftSIP, "microsoft im and presence": MicrosoftIMP, "microsoftimandpresence": MicrosoftIMP}}

func (t TrafficType) String() string                { return trafficEnum.str(t) }
func (t TrafficType) MarshalText() ([]byte, error)  { return trafficEnum.marshal(t) }
func (t *TrafficType) UnmarshalText(b []byte) error { return trafficEnum.unmarshal(t, b) }

// SourceMode says which request sources a search rule applies to (DP-31).
type SourceMode uint8

// Source modes; the zero value Any is the default.
const (
	SourceAny       SourceMode = iota // registrations, zones and the Default Zone
	SourceAllZones                    // registrations and configured zones, not the Default Zone
	SourceLocalZone                   // local registrations in any subzone
	SourceNamed                       // the zone or subzone named in SourceName
)

var sourceModeEnum = enum[SourceMode]{kind: "source mode", names: []string{"Any", "AllZones", "LocalZone", "Named"}}

func (s SourceMode) String() string                { return sourceModeEnum.str(s) }
func (s SourceMode) MarshalText() ([]byte, error)  { return sourceModeEnum.marshal(s) }
func (s *SourceMode) UnmarshalText(b []byte) error { return sourceModeEnum.unmarshal(s, b) }

// RuleMode is how a search rule decides that an alias is for it (DP-32).
type RuleMode uint8

// Rule modes; the zero value AnyAlias is the default.
const (
	AnyAlias          RuleMode = iota // any alias that is not an IP address
	AliasPatternMatch                 // the alias matches the rule's pattern
	AnyIPAddress                      // any IP-address alias
)

var ruleModeEnum = enum[RuleMode]{kind: "mode", names: []string{"AnyAlias", "AliasPatternMatch", "AnyIPAddress"}}

func (m RuleMode) String() string                { return ruleModeEnum.str(m) }
func (m RuleMode) MarshalText() ([]byte, error)  { return ruleModeEnum.marshal(m) }
func (m *RuleMode) UnmarshalText(b []byte) error { return ruleModeEnum.unmarshal(m, b) }

// Progress is what happens after a search rule matched (DP-37).
type Progress uint8

// Progress values; the zero value Continue is the default.
const (
	Continue Progress = iota
	Stop
)

var progressEnum = enum[Progress]{kind: "progress", names: []string{"Continue", "Stop"}}

func (p Progress) String() string                { return progressEnum.str(p) }
func (p Progress) MarshalText() ([]byte, error)  { return progressEnum.marshal(p) }
func (p *Progress) UnmarshalText(b []byte) error { return progressEnum.unmarshal(p, b) }

// TargetType is what a search rule sends matching aliases to.
type TargetType uint8

// Target types; the zero value is Zone.
const (
	TargetZone TargetType = iota
	TargetPolicyService
)

var targetTypeEnum = enum[TargetType]{kind: "target type", names: []string{"Zone", "PolicyService"}}

func (t TargetType) String() string                { return targetTypeEnum.str(t) }
func (t TargetType) MarshalText() ([]byte, error)  { return targetTypeEnum.marshal(t) }
func (t *TargetType) UnmarshalText(b []byte) error { return targetTypeEnum.unmarshal(t, b) }

// State enables or disables a transform or search rule.
type State uint8

// States; the zero value Enabled is the default.
const (
	Enabled State = iota
	Disabled
)

var stateEnum = enum[State]{kind: "state", names: []string{"Enabled", "Disabled"}}

func (s State) String() string                { return stateEnum.str(s) }
func (s State) MarshalText() ([]byte, error)  { return stateEnum.marshal(s) }
func (s *State) UnmarshalText(b []byte) error { return stateEnum.unmarshal(s, b) }

// Switch is an On/Off setting. The zero value SwitchDefault stands for the
// field's documented default (On for zone H.323 and SIP modes and for call
// loop detection; Off for search auto response and include address
// record), so a Go literal that leaves the field out gets the product's
// default.
type Switch uint8

// Switch values.
const (
	SwitchDefault Switch = iota
	On
	Off
)

var switchEnum = enum[Switch]{kind: "switch", names: []string{"Default", "On", "Off"}, aliases: map[string]Switch{"true": On, "false": Off, "yes": On, "no": Off}}

func (s Switch) String() string                { return switchEnum.str(s) }
func (s Switch) MarshalText() ([]byte, error)  { return switchEnum.marshal(s) }
func (s *Switch) UnmarshalText(b []byte) error { return switchEnum.unmarshal(s, b) }

// on resolves s against the field's default.
func (s Switch) on(def bool) bool {
	switch s {
	case On:
		return true
	case Off:
		return false
	}
	return def
}

// ZoneType is the kind of a configured zone (DP-3).
type ZoneType uint8

// Zone types. LocalZone is the built-in zone of registrations; it is never
// configured but appears in queries and routes.
const (
	Neighbor ZoneType = iota
	TraversalClient
	TraversalServer
	ENUMZone
	DNSZone
	LocalZoneType
)

var zoneTypeEnum = enum[ZoneType]{kind: "zone type", names: []string{"Neighbor", "TraversalClient", "TraversalServer", "ENUM", "DNS", "LocalZone"}}

func (z ZoneType) String() string                { return zoneTypeEnum.str(z) }
func (z ZoneType) MarshalText() ([]byte, error)  { return zoneTypeEnum.marshal(z) }
func (z *ZoneType) UnmarshalText(b []byte) error { return zoneTypeEnum.unmarshal(z, b) }

// UnknownIPMode is the CallsToUnknownIPAddresses setting (DP-46).
type UnknownIPMode uint8

// Unknown-IP modes; the zero value Indirect is the default.
const (
	Indirect     UnknownIPMode = iota // search zones targeted by AnyIPAddress rules
	Direct                            // call the address directly, no zone queried
	UnknownIPOff                      // refuse: NotFound(UnknownIPBlocked)
)

var unknownIPEnum = enum[UnknownIPMode]{kind: "calls to unknown IP addresses", names: []string{"Indirect", "Direct", "Off"}}

func (m UnknownIPMode) String() string                { return unknownIPEnum.str(m) }
func (m UnknownIPMode) MarshalText() ([]byte, error)  { return unknownIPEnum.marshal(m) }
func (m *UnknownIPMode) UnmarshalText(b []byte) error { return unknownIPEnum.unmarshal(m, b) }

// InterworkingMode says which targets are retried in the other protocol
// (DP-39).
type InterworkingMode uint8

// Interworking modes; the zero value RegisteredOnly is the default.
const (
	InterworkingRegisteredOnly InterworkingMode = iota
	InterworkingOn
	InterworkingOff
)

var interworkingEnum = enum[InterworkingMode]{kind: "interworking mode", names: []string{"RegisteredOnly", "On", "Off"}}

func (m InterworkingMode) String() string                { return interworkingEnum.str(m) }
func (m InterworkingMode) MarshalText() ([]byte, error)  { return interworkingEnum.marshal(m) }
func (m *InterworkingMode) UnmarshalText(b []byte) error { return interworkingEnum.unmarshal(m, b) }

// CallPolicyMode is the Call Policy (administrator policy) mode (DP-26).
type CallPolicyMode uint8

// Call Policy modes; the zero value Off is the default.
const (
	CallPolicyOff CallPolicyMode = iota
	CallPolicyLocalCPL
	CallPolicyLocalService
	CallPolicyService
)

var callPolicyEnum = enum[CallPolicyMode]{kind: "call policy mode", names: []string{"Off", "LocalCPL", "LocalService", "PolicyService"}}

func (m CallPolicyMode) String() string                { return callPolicyEnum.str(m) }
func (m CallPolicyMode) MarshalText() ([]byte, error)  { return callPolicyEnum.marshal(m) }
func (m *CallPolicyMode) UnmarshalText(b []byte) error { return callPolicyEnum.unmarshal(m, b) }

// ServiceProtocol is how a policy service is reached.
type ServiceProtocol uint8

// Service protocols; the zero value HTTPS is the default.
const (
	HTTPS ServiceProtocol = iota
	HTTP
)

var serviceProtoEnum = enum[ServiceProtocol]{kind: "policy service protocol", names: []string{"HTTPS", "HTTP"}}

func (p ServiceProtocol) String() string                { return serviceProtoEnum.str(p) }
func (p ServiceProtocol) MarshalText() ([]byte, error)  { return serviceProtoEnum.marshal(p) }
func (p *ServiceProtocol) UnmarshalText(b []byte) error { return serviceProtoEnum.unmarshal(p, b) }

// CallPolicySource is the source type of a built-in Call Policy rule (DP-27).
type CallPolicySource uint8

// Call Policy rule source types.
const (
	PolicyFromUnauthenticated CallPolicySource = iota // From address, unauthenticated callers
	PolicyFromAuthenticated                           // From address, authenticated callers
	PolicyFromZone                                    // the originating zone
)

var cpSourceEnum = enum[CallPolicySource]{kind: "call policy source", names: []string{"Unauthenticated", "Authenticated", "Zone"}}

func (s CallPolicySource) String() string                { return cpSourceEnum.str(s) }
func (s CallPolicySource) MarshalText() ([]byte, error)  { return cpSourceEnum.marshal(s) }
func (s *CallPolicySource) UnmarshalText(b []byte) error { return cpSourceEnum.unmarshal(s, b) }

// CallPolicyAction is the action of a built-in Call Policy rule.
type CallPolicyAction uint8

// Call Policy rule actions.
const (
	Allow CallPolicyAction = iota
	Reject
)

var cpActionEnum = enum[CallPolicyAction]{kind: "call policy action", names: []string{"Allow", "Reject"}}

func (a CallPolicyAction) String() string                { return cpActionEnum.str(a) }
func (a CallPolicyAction) MarshalText() ([]byte, error)  { return cpActionEnum.marshal(a) }
func (a *CallPolicyAction) UnmarshalText(b []byte) error { return cpActionEnum.unmarshal(a, b) }
