package dialplan

import (
	"encoding/json"
	"fmt"
)

// Status is the outcome of a search.
type Status uint8

// Statuses.
const (
	NotFound Status = iota
	Found
	Rejected
)

var statusNames = [...]string{"NotFound", "Found", "Rejected"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// MarshalText implements encoding.TextMarshaler.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Reason says why a search or one query ended the way it did. It appears in
// results and trace steps.
type Reason string

// Reasons.
const (
	ReasonNone               Reason = ""
	ReasonNoRuleMatched      Reason = "NoRuleMatched"      // no eligible rule matched the alias
	ReasonNotFound           Reason = "NotFound"           // rules matched, no target found the alias
	ReasonStop               Reason = "Stop"               // a Stop rule's group ended the search
	ReasonNoAlias            Reason = "NoAlias"            // no callee alias and no fallback (DP-11)
	ReasonUnknownIPBlocked   Reason = "UnknownIPBlocked"   // DP-46
	ReasonPolicyLoop         Reason = "PolicyLoopDetected" // DP-48
	ReasonLoopDetected       Reason = "LoopDetected"       // DP-49
	ReasonRestartLimit       Reason = "RestartLimit"       // more than MaxRestarts restarts (DP-48)
	ReasonHopLimit           Reason = "HopLimit"           // DP-47
	ReasonEmptyAlias         Reason = "EmptyAlias"         // DP-20
	ReasonPolicy             Reason = "Policy"             // a policy rejected the call
	ReasonAdmissionDenied    Reason = "AdmissionDenied"    // DP-54
	ReasonTargetError        Reason = "TargetError"        // the target did not answer
	ReasonUnbound            Reason = "NoTarget"           // no Target bound and no static table
	ReasonModeOff            Reason = "ProtocolModeOff"    // the zone's mode for the protocol is Off
	ReasonRegexBudget        Reason = "RegexBudget"        // a regex ran out of budget (DP-14)
	ReasonNotE164            Reason = "NotE164"            // ENUM zone, alias not a number (DP-44)
	ReasonNotURI             Reason = "NotURI"             // DNS zone, alias not a URI (DP-43)
	ReasonDNSError           Reason = "DNSError"           // the resolver failed
	ReasonDuplicate          Reason = "Duplicate"          // identical query already sent in the group (DP-35)
	ReasonDirectIP           Reason = "DirectIP"           // unknown IP routed directly (DP-46)
	ReasonKnownIP            Reason = "KnownIP"            // known IP routed via the Local Zone (DP-46)
	ReasonCanceled           Reason = "Canceled"           // the search's context ended
	ReasonAutoResponse       Reason = "SearchAutoResponse" // DP-42
	ReasonFallback           Reason = "FallbackAlias"      // DP-11
	ReasonServiceUnreachable Reason = "PolicyServiceUnavailable"
)

// Location is one place a DNS zone resolved an alias to (DP-43).
type Location struct {
	// Host and Port to contact; Transport is "udp", "tcp" or "tls" for
	// SIP, "" for H.323.
	Host      string `json:"host"`
	Port      uint16 `json:"port,omitempty"`
	Transport string `json:"transport,omitempty"`
	// LRQ is set for H.323 locations to send a location request to
	// (_h323ls, or a dial string with a port) rather than call directly.
	LRQ bool `json:"lrq,omitempty"`
}

// Route is one place a found alias can be reached.
type Route struct {
	Zone     string   `json:"zone"`
	ZoneType ZoneType `json:"zone_type"`
	// Alias is the alias as sent to (or found by) the zone.
	Alias    string   `json:"alias"`
	Protocol Protocol `json:"protocol"`
	// Rule and Priority identify the search rule; empty for a direct IP
	// route.
	Rule     string `json:"rule,omitempty"`
	Priority int    `json:"priority,omitempty"`
	HopCount int    `json:"hop_count,omitempty"`
	// Address is the signalling address, when known.
	Address string `json:"address,omitempty"`
	// Locations are set for DNS zones, in the order to try them.
	Locations []Location `json:"locations,omitempty"`
	// Direct marks a route straight to an IP address (DP-46).
	Direct bool `json:"direct,omitempty"`
}

// Result is the outcome of Route or Locate.
type Result struct {
	Status Status `json:"status"`
	Reason Reason `json:"reason,omitempty"`
	// RejectStatus and RejectReason are the policy's status code and text
	// for a Rejected result.
	RejectStatus int    `json:"reject_status,omitempty"`
	RejectReason string `json:"reject_reason,omitempty"`
	// Routes holds the route of a Found result; several when a policy
	// forked the call (DP-29).
	Routes []Route `json:"routes,omitempty"`
	// Alias is the alias searched, after normalisation and any fallback.
	Alias   string `json:"alias"`
	CallTag string `json:"call_tag"`
	// Trace is set when the request asked for one (and always by Locate).
	Trace *Trace `json:"trace,omitempty"`
}

// Route0 returns the first route of a Found result, or the zero Route.
func (r *Result) Route0() Route {
	if len(r.Routes) == 0 {
		return Route{}
	}
	return r.Routes[0]
}

// String renders r as compact JSON, for logs and tests.
func (r Result) String() string {
	r.Trace = nil
	b, _ := json.Marshal(r)
	return string(b)
}
