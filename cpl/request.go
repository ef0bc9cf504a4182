package cpl

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// PolicyType is the kind of decision a policy service is asked for
// (CPL-49): registration (R), search rule (S) or admin/call (C).
type PolicyType uint8

const (
	PolicyAdmin PolicyType = iota
	PolicySearch
	PolicyRegistration
)

func (t PolicyType) String() string {
	switch t {
	case PolicySearch:
		return "SEARCH"
	case PolicyRegistration:
		return "REGISTRATION"
	}
	return "ADMIN"
}

// DefaultCPL returns the Default CPL of the policy type (CPL-52): 403
// "Service Unavailable" for admin and registration policy, 504 "Policy
// Service Unavailable" for search-rule services.
func (t PolicyType) DefaultCPL() string {
	if t == PolicySearch {
		return `<reject status='504' reason='Policy Service Unavailable'/>`
	}
	return `<reject status='403' reason='Service Unavailable'/>`
}

// Request is what a policy service is told about one decision (CPL-49).
// Empty fields are not sent.
type Request struct {
	Type PolicyType
	// Method is INVITE, ARQ, LRQ, OPTIONS, SETUP or REGISTER.
	Method   string
	Protocol Protocol
	// Alias is the alias being registered (registration only).
	Alias                      string
	AllowInterworking          *bool
	Authenticated              bool
	AuthenticatedSourceAlias   []string
	AuthenticationUserName     string
	ClusterName                string
	DestinationAlias           []string
	DestinationAliasParams     string
	GlobalCallSerialNumber     string
	LocalCallSerialNumber      string
	NetworkType                string // IPV4 or IPV6
	RegisteredAlias            []string
	SourceAddress              string
	SourceIP                   string
	SourcePort                 int
	TraversalType              string // TYPE_UNDEF, TYPE_ASSENTSERVER, ...
	UnauthenticatedSourceAlias []string
	UTCTime                    time.Time
	ZoneName                   string
}

// NewRequest fills a request from a call's Input: protocol, method
// (INVITE for SIP, ARQ for H.323, REGISTER for registrations),
// authentication, aliases, zone, user and time. Callers add what the Input
// does not carry (serial numbers, source address, cluster name...).
func NewRequest(t PolicyType, in *Input) *Request {
	if in == nil {
		in = emptyInput
	}
	r := &Request{Type: t, Protocol: in.Protocol, UTCTime: in.now().UTC()}
	switch {
	case t == PolicyRegistration:
		r.Method = "REGISTER"
	case in.Protocol == H323:
		r.Method = "ARQ"
	default:
		r.Method = "INVITE"
	}
	vals := func(a []Alias) []string {
		if len(a) == 0 {
			return nil
		}
		out := make([]string, len(a))
		for i := range a {
			out[i] = a[i].Value
		}
		return out
	}
	r.Authenticated = len(in.AuthenticatedOrigin) > 0
	if t == PolicyRegistration {
		if len(in.UnauthenticatedOrigin) > 0 {
			r.Alias = in.UnauthenticatedOrigin[0].Value
		}
		return r
	}
	r.AuthenticatedSourceAlias = vals(in.AuthenticatedOrigin)
	r.UnauthenticatedSourceAlias = vals(in.UnauthenticatedOrigin)
	r.AuthenticationUserName = in.OriginatingUser
	r.DestinationAlias = vals(in.Destination)
	r.RegisteredAlias = vals(in.RegisteredOrigin)
	r.ZoneName = in.OriginatingZone
	if r.ZoneName == "" {
		r.ZoneName = DefaultZone
	}
	return r
}

// Values encodes the request as the name/value pairs of CPL-49: only the
// parameters of the request's type, only those with a value, repeated once
// per alias of a multi-valued field, UTCTIME in RFC 3339 UTC.
func (r *Request) Values() url.Values {
	v := url.Values{}
	reg := r.Type == PolicyRegistration
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	multi := func(k string, vals []string) {
		for _, s := range vals {
			if s != "" {
				v.Add(k, s)
			}
		}
	}
	tf := func(b bool) string {
		if b {
			return "TRUE"
		}
		return "FALSE"
	}
	// R, S and C
	v.Set("AUTHENTICATED", tf(r.Authenticated))
	set("CLUSTER_NAME", r.ClusterName)
	set("METHOD", strings.ToUpper(r.Method))
	v.Set("POLICY_TYPE", r.Type.String())
	if r.Protocol == H323 {
		v.Set("PROTOCOL", "H323")
	} else {
		v.Set("PROTOCOL", "SIP")
	}
	set("SOURCE_ADDRESS", r.SourceAddress)
	set("SOURCE_IP", r.SourceIP)
	if r.SourcePort > 0 {
		v.Set("SOURCE_PORT", strconv.Itoa(r.SourcePort))
	}
	if !r.UTCTime.IsZero() {
		v.Set("UTCTIME", r.UTCTime.UTC().Format(time.RFC3339))
	}
	if reg {
		set("ALIAS", r.Alias)
		return v
	}
	// S and C only
	if r.AllowInterworking != nil {
		v.Set("ALLOW_INTERWORKING", tf(*r.AllowInterworking))
	}
	multi("AUTHENTICATED_SOURCE_ALIAS", r.AuthenticatedSourceAlias)
	set("AUTHENTICATION_USER_NAME", r.AuthenticationUserName)
	multi("DESTINATION_ALIAS", r.DestinationAlias)
	set("DESTINATION_ALIAS_PARAMS", r.DestinationAliasParams)
	set("GLOBAL_CALL_SERIAL_NUMBER", r.GlobalCallSerialNumber)
	set("LOCAL_CALL_SERIAL_NUMBER", r.LocalCallSerialNumber)
	set("NETWORK_TYPE", r.NetworkType)
	multi("REGISTERED_ALIAS", r.RegisteredAlias)
	set("TRAVERSAL_TYPE", r.TraversalType)
	multi("UNAUTHENTICATED_SOURCE_ALIAS", r.UnauthenticatedSourceAlias)
	set("ZONE_NAME", r.ZoneName)
	return v
}
