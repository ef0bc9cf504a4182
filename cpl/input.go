package cpl

import (
	"time"

	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// Protocol is the signalling protocol of the call being decided.
type Protocol uint8

const (
	SIP Protocol = iota
	H323
)

func (p Protocol) String() string {
	if p == H323 {
		return "H323"
	}
	return "SIP"
}

// Direction selects the top-level action of an RFC 3880 script: incoming
// or outgoing. Expressway scripts have only taa:routed, which runs for every
// call whatever the direction; a call left at Routed runs the incoming
// action of a script that has no taa:routed.
type Direction uint8

const (
	Routed Direction = iota
	Incoming
	Outgoing
)

// AliasType is the class of an alias (CPL-8). The zero value, AutoType,
// classifies the value the way the dial plan does (pattern.Classify).
type AliasType uint8

const (
	AutoType  AliasType = iota
	URI                 // user@host
	H323ID              // any other string
	E164                // 0-9, * and #, optional leading +
	IPAddress           // IPv4 or IPv6 address
)

func (t AliasType) String() string {
	switch t {
	case URI:
		return "URI"
	case H323ID:
		return "H323ID"
	case E164:
		return "E164"
	case IPAddress:
		return "IPAddress"
	}
	return "Auto"
}

// Alias is one alias of a call: its value (scheme already removed by the
// adaptor in the Expressway dialect; a full URI in the RFC dialect), its
// type, and an optional display name (RFC display subfield).
type Alias struct {
	Value   string
	Type    AliasType
	Display string
}

// Aliases builds an alias list from values, each classified automatically.
// It returns nil for no values: the field is not present.
func Aliases(values ...string) []Alias {
	if len(values) == 0 {
		return nil
	}
	out := make([]Alias, len(values))
	for i, v := range values {
		out[i] = Alias{Value: v}
	}
	return out
}

func (a *Alias) kind() AliasType {
	if a.Type != AutoType {
		return a.Type
	}
	switch pattern.Classify(a.Value) {
	case pattern.URI:
		return URI
	case pattern.E164:
		return E164
	case pattern.IPv4, pattern.IPv6:
		return IPAddress
	}
	return H323ID
}

// Input is the normalized description of a call that a program decides on
// (CPL-29). A nil alias list means the field is not present. Input is only
// read by Evaluate; one Input may be shared by concurrent evaluations.
type Input struct {
	Protocol  Protocol
	Direction Direction

	// Destination holds the destination aliases.
	Destination []Alias
	// OriginalDestination is the pre-retarget destination list; nil means
	// Destination (CPL-9).
	OriginalDestination []Alias
	// UnauthenticatedOrigin holds the caller's claimed source aliases (SIP
	// From and Reply-To, H.323 source aliases).
	UnauthenticatedOrigin []Alias
	// AuthenticatedOrigin holds the same aliases when the caller
	// authenticated (or its zone treats it as authenticated); nil otherwise.
	// This is the Expressway "origin" field.
	AuthenticatedOrigin []Alias
	// RegisteredOrigin holds every alias the calling endpoint registered;
	// nil when it is not registered.
	RegisteredOrigin []Alias
	// OriginatingZone is the zone or subzone name; "" means DefaultZone.
	OriginatingZone string
	// OriginatingUser is the authentication username, "" when none.
	OriginatingUser string
	// Message is the raw incoming SIP message, for message-regex.
	Message []byte

	// RFC 3880 string-switch fields; "" means not present. Display is the
	// caller's display name.
	Subject, Organization, UserAgent, Display string
	// Languages are the caller's language ranges in preference order
	// (Accept-Language), for language-switch.
	Languages []string
	// Priority is the call's priority (SIP Priority header); "" means
	// normal.
	Priority string

	// Now is the clock (time-switch); nil means time.Now.
	Now func() time.Time
	// Rand draws priority="random" values in [0,1); nil means math/rand/v2.
	Rand func() float64
}

func (in *Input) now() time.Time {
	if in.Now != nil {
		return in.Now()
	}
	return time.Now()
}

// DefaultZone is the originating zone of a call that came from neither a
// configured zone nor a locally registered endpoint; DefaultSubZone that of
// a locally registered endpoint outside every configured subzone (CPL-9).
const (
	DefaultZone    = "DefaultZone"
	DefaultSubZone = "DefaultSubZone"
)
