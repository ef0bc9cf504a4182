package cpl

// AuthPolicy is a zone's authentication policy (the seed's "Authentication
// policy" of a zone or subzone).
type AuthPolicy uint8

const (
	// DoNotCheckCredentials: the caller is never authenticated.
	DoNotCheckCredentials AuthPolicy = iota
	// CheckCredentials: the caller is authenticated when its credentials
	// were checked and passed.
	CheckCredentials
	// TreatAsAuthenticated: every caller counts as authenticated.
	TreatAsAuthenticated
)

// ZoneKind is where a call came from, for the originating-zone field.
type ZoneKind uint8

const (
	// FromDefaultZone: none of the below (an unknown caller).
	FromDefaultZone ZoneKind = iota
	// FromNeighbor, FromTraversalServer, FromTraversalClient: a configured
	// zone; the field is its name.
	FromNeighbor
	FromTraversalServer
	FromTraversalClient
	// FromSubZone: a locally registered endpoint in a configured subzone;
	// the field is the subzone name.
	FromSubZone
	// FromRegistered: a locally registered endpoint in no configured
	// subzone: DefaultSubZone.
	FromRegistered
)

// CallFacts are the raw facts an adaptor knows about a call; DeriveInput
// turns them into an Input exactly as CPL-9 says.
type CallFacts struct {
	Protocol Protocol
	// SourceAliases are the caller's claimed aliases (SIP From and
	// Reply-To; H.323 source aliases of the LRQ/ARQ that started the call,
	// or of the SETUP when no RAS preceded it).
	SourceAliases []Alias
	// SetupWithoutRAS is an H.323 call whose SETUP had no preceding
	// LRQ/ARQ: it is never authenticated.
	SetupWithoutRAS bool
	// Authenticated is true when the caller's credentials were checked and
	// passed.
	Authenticated bool
	// ZonePolicy is the authentication policy of the zone the message
	// arrived from.
	ZonePolicy AuthPolicy
	// Username is the authentication username, if any.
	Username string
	// RegisteredAliases are all aliases the calling endpoint registered;
	// nil when it is not registered.
	RegisteredAliases []Alias
	ZoneKind          ZoneKind
	// ZoneName is the zone or subzone name for the kinds that have one.
	ZoneName string

	Destination         []Alias
	OriginalDestination []Alias
	Message             []byte
}

// DeriveInput builds the Input of a call from raw facts (CPL-29), following
// the field table of CPL-9.
func DeriveInput(f CallFacts) *Input {
	in := &Input{
		Protocol:              f.Protocol,
		Destination:           f.Destination,
		OriginalDestination:   f.OriginalDestination,
		UnauthenticatedOrigin: nonEmpty(f.SourceAliases),
		RegisteredOrigin:      nonEmpty(f.RegisteredAliases),
		Message:               f.Message,
	}
	authenticated := f.ZonePolicy == TreatAsAuthenticated || f.ZonePolicy == CheckCredentials && f.Authenticated
	if f.Protocol == H323 && f.SetupWithoutRAS {
		// SETUP messages are not authenticated.
		authenticated = false
	}
	if authenticated {
		in.AuthenticatedOrigin = in.UnauthenticatedOrigin
	}
	if f.ZonePolicy != DoNotCheckCredentials {
		in.OriginatingUser = f.Username
	}
	switch f.ZoneKind {
	case FromNeighbor, FromTraversalServer, FromTraversalClient, FromSubZone:
		in.OriginatingZone = f.ZoneName
		if in.OriginatingZone == "" {
			in.OriginatingZone = DefaultZone
		}
	case FromRegistered:
		in.OriginatingZone = DefaultSubZone
	default:
		in.OriginatingZone = DefaultZone
	}
	return in
}

func nonEmpty(a []Alias) []Alias {
	if len(a) == 0 {
		return nil
	}
	return a
}
