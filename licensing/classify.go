package licensing

import "slices"

// Endpoint is where a call party is registered or how it is reached — the
// rows and columns of the RMS License Consumption Table (LIC-18).
type Endpoint uint8

// Endpoints.
const (
	// RegisteredC is registered directly to an Expressway-C.
	RegisteredC Endpoint = iota
	// RemoteProxyC is a SIP registration proxied through E to C
	// ("Expressway-C (Remote [SIP] - proxy)").
	RemoteProxyC
	// RegisteredE is registered directly to an Expressway-E.
	RegisteredE
	// UnifiedCM is registered to Unified CM, neighbored to C.
	UnifiedCM
	// MRA is a Unified CM remote session (mobile and remote access) via E
	// and C.
	MRA
	// External is reached via E and registered to nothing of ours: B2B.
	External
	// ThirdPartyGatekeeper is an H.323 gatekeeper connected to C.
	ThirdPartyGatekeeper
	// ThirdPartySIPServer is a SIP server connected to C.
	ThirdPartySIPServer
	// Lync is Microsoft Lync / Skype for Business via the C gateway.
	Lync
	// CiscoMeetingServer is Cisco Meeting Server (Cisco infrastructure).
	CiscoMeetingServer
	// ConductorBridge is a TelePresence Server or MCU managed by
	// TelePresence Conductor.
	ConductorBridge
	// UnmanagedMCU is an MCU not managed by Conductor.
	UnmanagedMCU
	// CollaborationCloud is the Cisco Collaboration Cloud.
	CollaborationCloud
	// CloudCMR is a cloud collaboration meeting room (e.g.
	// user@site.webex.com), reached via E.
	CloudCMR
	// JabberGuest is a Jabber Guest (B2C) caller via E.
	JabberGuest
)

// Protocol is a party's signalling protocol.
type Protocol uint8

// Protocols.
const (
	SIP Protocol = iota
	H323
)

// Party is one end of a call.
type Party struct {
	Endpoint Endpoint
	Protocol Protocol
	// Peer is the cluster peer the party is registered to or enters by,
	// if known.
	Peer string
}

// CallFacts are the facts of a call that decide its licence cost.
type CallFacts struct {
	Caller, Callee Party

	// B2BUA: the call goes through the encryption/ICE B2BUA (a zone or
	// subzone with media encryption other than Auto, or an ICE mismatch;
	// LIC-13), or media traverses cluster peers (LIC-15). B2BUARole and
	// B2BUAPeer say where; by default the callee's box and peer.
	B2BUA     bool
	B2BUARole *Role
	B2BUAPeer string

	// Interworked: SIP<->H.323 interworking happens (also set implicitly
	// when the parties' protocols differ; LIC-14), on InterworkRole (default
	// the callee's box).
	Interworked   bool
	InterworkRole *Role

	// MediaTaken: the box takes the media (a traversal call). Needed for
	// the audio-only SIP discount (LIC-20).
	MediaTaken bool

	// Transformed: a transform rewrote the dialled alias (loses the cloud
	// CMR bypass, LIC-16).
	Transformed bool

	// SignalingOptimized: Call signaling optimization is On and the box
	// removes itself after setup (LIC-17); only a non-traversal call can.
	SignalingOptimized bool
}

// Class is a call class (LIC-10).
type Class uint8

// Classes. NoLicence is a call the box drops out of (LIC-17).
const (
	Registered Class = iota
	RMSCall
	NoLicence
)

func (c Class) String() string {
	switch c {
	case Registered:
		return "Registered"
	case RMSCall:
		return "RMS"
	}
	return "None"
}

// Charge is licence consumption on one box: tokens of the RMS pool (one
// RMS = 2 tokens, LIC-20).
type Charge struct {
	Role   Role
	Peer   string
	Tokens int
}

// TokensPerRMS is the number of tokens in one rich media session.
const TokensPerRMS = 2

// Decision is what a call costs (LIC-10..LIC-18).
type Decision struct {
	Class Class
	// Charges holds the RMS charge: exactly one entry for an RMS call, none
	// otherwise. Tokens is the setup charge (2, LIC-22).
	Charges []Charge
	// Path lists the boxes that carry the call and count it against their
	// physical capacity (LIC-10, LIC-24).
	Path []Role
	// NeedsB2BUA: the call counts against the B2BUA limit (LIC-33) on
	// B2BUARole/B2BUAPeer.
	NeedsB2BUA bool
	B2BUARole  Role
	B2BUAPeer  string
	// AudioDiscount: settled as audio-only, the call costs 1 token
	// (an audio-only SIP traversal call, LIC-20).
	AudioDiscount bool
	// MRA: an MRA party is in the call (video weight on Small VMs, LIC-30).
	MRA bool
	// Reason names the rule that decided, e.g. "LIC-12/B2B".
	Reason string
}

// RMSRole returns the box charged one RMS, if any.
func (d Decision) RMSRole() (Role, bool) {
	if len(d.Charges) == 0 {
		return 0, false
	}
	return d.Charges[0].Role, true
}

func boxes(e Endpoint) []Role {
	switch e {
	case RegisteredE, External, CloudCMR, JabberGuest, CollaborationCloud:
		return []Role{RoleE}
	case MRA, RemoteProxyC:
		return []Role{RoleE, RoleC}
	case Lync:
		return []Role{RoleCGateway}
	}
	return []Role{RoleC}
}

// home is the box a party is charged on when it is the reason for an RMS:
// the box the call leaves by to reach it (LIC-12: charged on the exit node).
func home(e Endpoint) Role {
	b := boxes(e)
	return b[len(b)-1]
}

func registeredSystem(e Endpoint) bool {
	switch e {
	case RegisteredC, RemoteProxyC, RegisteredE, UnifiedCM, MRA:
		return true
	}
	return false
}

// entitledCallee: a registered system or Cisco infrastructure (LIC-11).
func entitledCallee(e Endpoint) bool {
	switch e {
	case CiscoMeetingServer, ConductorBridge, CollaborationCloud:
		return true
	}
	return registeredSystem(e)
}

// Classify decides what a call costs (LIC-10..LIC-18). It is a pure
// function; the result is admitted by a Ledger.
func Classify(f CallFacts) Decision {
	d := Decision{Path: path(f), MRA: f.Caller.Endpoint == MRA || f.Callee.Endpoint == MRA}
	interworked := f.Interworked || f.Caller.Protocol != f.Callee.Protocol
	if f.B2BUA {
		d.NeedsB2BUA = true
		d.B2BUARole, d.B2BUAPeer = home(f.Callee.Endpoint), f.Callee.Peer
		if f.B2BUARole != nil {
			d.B2BUARole = *f.B2BUARole
		}
		if f.B2BUAPeer != "" {
			d.B2BUAPeer = f.B2BUAPeer
		}
	}
	mediaTaken := f.MediaTaken || f.B2BUA || interworked
	if f.SignalingOptimized && !mediaTaken {
		d.Class, d.Path, d.Reason = NoLicence, nil, "LIC-17/optimized"
		return d
	}
	rms := func(r Role, peer, reason string) Decision {
		d.Class = RMSCall
		d.Charges = []Charge{{Role: r, Peer: peer, Tokens: TokensPerRMS}}
		d.AudioDiscount = mediaTaken && !interworked && f.Caller.Protocol == SIP && f.Callee.Protocol == SIP
		d.Reason = reason
		if !slices.Contains(d.Path, r) {
			d.Path = append(d.Path, r)
		}
		return d
	}
	caller, callee := f.Caller.Endpoint, f.Callee.Endpoint
	switch {
	case caller == Lync || callee == Lync:
		p := f.Callee.Peer
		if caller == Lync {
			p = f.Caller.Peer
		}
		return rms(RoleCGateway, p, "LIC-12/gateway")
	case caller == CloudCMR || callee == CloudCMR:
		if f.Caller.Protocol == H323 || f.Callee.Protocol == H323 {
			d.Reason = "LIC-16/cmr-h323"
			return d
		}
		if !f.Transformed {
			d.Reason = "LIC-16/cmr-bypass"
			return d
		}
		return rms(RoleE, "", "LIC-16/cmr-transformed")
	case interworked:
		r, peer := home(callee), f.Callee.Peer
		if f.InterworkRole != nil {
			r = *f.InterworkRole
		}
		return rms(r, peer, "LIC-14/interworking")
	case f.B2BUA:
		return rms(d.B2BUARole, d.B2BUAPeer, "LIC-13/b2bua")
	case !entitledCallee(callee):
		return rms(home(callee), f.Callee.Peer, "LIC-12/exit")
	case !registeredSystem(caller):
		return rms(home(caller), f.Caller.Peer, "LIC-12/entry")
	}
	d.Reason = "LIC-11/registered"
	return d
}

// path lists the boxes a call crosses, caller side first.
func path(f CallFacts) []Role {
	var p []Role
	add := func(rs []Role) {
		for _, r := range rs {
			if !slices.Contains(p, r) {
				p = append(p, r)
			}
		}
	}
	cb, eb := boxes(f.Caller.Endpoint), boxes(f.Callee.Endpoint)
	add(cb)
	// Crossing from the inside to the outside (or back) goes through
	// both C and E.
	if (slices.Contains(cb, RoleE) && !slices.Contains(cb, RoleC) && slices.Contains(eb, RoleC)) ||
		(slices.Contains(cb, RoleC) && !slices.Contains(cb, RoleE) && slices.Contains(eb, RoleE)) {
		add([]Role{RoleC, RoleE})
	}
	add(eb)
	return p
}
