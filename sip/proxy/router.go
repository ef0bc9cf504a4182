package proxy

import (
	"context"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transport"
)

// Target is one place a request is forwarded to.
type Target struct {
	// URI becomes the Request-URI of the forwarded request.
	URI sip.URI
	// Dest, when valid, is the next-hop transport address; otherwise it is
	// derived from the top Route (after Route is prepended) or URI.
	Dest transport.Addr
	// Route is a preloaded route set to prepend (a registration's Path).
	Route []string
	// HopCount is the zone's hop count (SIP-82); 0 means no cap.
	HopCount int
	// Zone names the target zone, for events and records.
	Zone string
	// Poison marks the request so that it is refused if it comes back
	// (SIP-85 a).
	Poison bool
	// NoPath is the zone's "RFC3327 Enabled" No (SIP-59): a REGISTER
	// forwarded to this target gets its Contacts rewritten to opaque URIs
	// of the box instead of a Path header; the 2xx maps them back and
	// requests to an opaque URI go to the original contact over the
	// original flow. With NoPath false a REGISTER gets
	// Path: <sip:addr:port;transport=t;lr> (with ob and a flow token for
	// an outbound REGISTER, RFC 5626 §5.1).
	NoPath bool
	// FlowOnly says Dest is an RFC 5626 flow (an outbound binding's
	// connection or UDP 5-tuple): the request goes over that flow or not at
	// all, and a flow that is gone fails the branch with 430 Flow Failed
	// (SIP-55, RFC 5626 §5.3).
	FlowOnly bool
	// Rules are the target zone's egress rewrites (SIP-88) and refresh
	// rule (SIP-101); nil asks Config.ZoneOf for the next hop's zone.
	Rules *ZoneRules
}

// Decision is a Router's answer: targets to fork to in parallel, or a
// status to reject with when there are none.
type Decision struct {
	Targets []Target
	// Status and Reason answer the request when Targets is empty; 0 means
	// 404 Not Found.
	Status int
	Reason string
}

// Router decides where a request goes. Route must return when ctx is done.
type Router interface {
	Route(ctx context.Context, req *sip.Message, src transport.Addr) (Decision, error)
}

// RouterFunc adapts a function to Router.
type RouterFunc func(ctx context.Context, req *sip.Message, src transport.Addr) (Decision, error)

// Route implements Router.
func (f RouterFunc) Route(ctx context.Context, req *sip.Message, src transport.Addr) (Decision, error) {
	return f(ctx, req, src)
}
