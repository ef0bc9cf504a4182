package proxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transaction"
	"github.com/causeway-edge/causeway/sip/transport"
)

// Transport is what the proxy needs of the transport layer;
// *transport.Transport implements it. The transport validates every
// message (sip.Message.Validate) before the proxy sees it.
type Transport interface {
	Send(ctx context.Context, msg *sip.Message, dest transport.Addr) error
	LocalAddr(network string) netip.AddrPort
	Start(ctx context.Context, r transport.Receiver) error
}

// DefaultTimerC is Timer C (RFC 3261 §16.6 step 11: more than 3 minutes).
const DefaultTimerC = 181 * time.Second

// Config configures a Proxy.
type Config struct {
	Transport Transport // required
	Router    Router    // required

	// Local gets each request before routing, after validation,
	// Max-Forwards, loop and Route processing; it returns true when it
	// answered the request itself (a registrar, a local service).
	Local func(tx *transaction.ServerTx, req *sip.Message, src transport.Addr) bool
	// IsLocalHost reports whether a host name (not an address) is the box,
	// for Route and Request-URI checks; the box's listening addresses
	// always are.
	IsLocalHost func(host string) bool
	// SIPRoutes are the developer SIP routes (SIP-89), tried in index
	// order after authentication and before Local and the Router.
	SIPRoutes *SIPRoutes
	// Authenticated reports the SIP-70 outcome for a request (SIP-78),
	// for SIP routes with Authenticated On; nil means not authenticated.
	Authenticated func(req *sip.Message, src transport.Addr) bool
	// FollowRoute decides whether a dialog-forming request that still
	// carries a Route set after ours are popped follows it (SIP-81);
	// nil follows it (Proxy Mode ProxyToAny). false answers 403.
	FollowRoute func(req *sip.Message, src transport.Addr) bool

	// FlowAlive, when set, reports whether a connection-oriented flow of
	// an outbound binding is still open (FlowOnly targets, SIP-55); a
	// Transport that implements FlowChecker is asked first.
	FlowAlive func(flow transport.Addr) bool

	// NoRecordRoute turns off Record-Route on dialog-forming requests
	// (SIP-84); by default the proxy stays in the signalling path.
	NoRecordRoute bool
	// SessionExpires and MinSE are the session-timer values SE and MS of
	// SIP-100 (1800 and 500 in the product); both 0 turn the rules off.
	SessionExpires, MinSE int
	// ProxyRequireStrip lists option tags removed from Proxy-Require
	// of every request before the 420 check (SIP-87 a); ZoneRules adds
	// per-zone lists.
	ProxyRequireStrip []string
	// ZoneOf classifies a peer address into its zone and returns that
	// zone's rules (SIP-87, SIP-88, SIP-101), or nil for none: it is asked
	// for the source of every request (ingress) and for the next hop of a
	// target without Rules (egress).
	ZoneOf func(peer transport.Addr) *ZoneRules
	// CallTagHeader names the header that carries the call tag hop to hop
	// (SIP-85 b); default "X-Call-Tag". The proxy adds one to every
	// request other than ACK and CANCEL that arrives without it, before the
	// Router sees the request, so every fork shares it and the Router's
	// loop detection can read it (Proxy.CallTag).
	CallTagHeader string
	// PoisonParam is the Via parameter carrying the poison token (SIP-85);
	// default "x-edge-poison". BoxID is the token; default random.
	PoisonParam, BoxID string

	Timers transaction.Timers
	Clock  transaction.Clock // default: the real clock
	TimerC time.Duration     // default DefaultTimerC; must exceed 3 minutes

	Logger *slog.Logger
	// OnCall gets call events: attempt, answered, rejected, disconnected.
	OnCall func(CallEvent)
}

// CallEvent is a call milestone seen by the proxy (SIP-130, CDR records).
type CallEvent struct {
	Kind       string // CallAttempt, CallAnswered, CallRejected, CallDisconnected
	CallID     string
	From, To   string
	RequestURI string
	Source     transport.Addr
	Status     int
	Time       time.Time
}

// Call event kinds.
const (
	CallAttempt      = "Call Attempt"
	CallAnswered     = "Call Answered"
	CallRejected     = "Call Rejected"
	CallDisconnected = "Call Disconnected"
)

// Validate reports every fault at once.
func (c Config) Validate() error {
	var errs []error
	if c.Transport == nil {
		errs = append(errs, errors.New("proxy: Transport is required"))
	}
	if c.Router == nil {
		errs = append(errs, errors.New("proxy: Router is required"))
	}
	if c.TimerC != 0 && c.TimerC <= 3*time.Minute {
		errs = append(errs, fmt.Errorf("proxy: Timer C %v must exceed 3 minutes", c.TimerC))
	}
	if c.SessionExpires != 0 || c.MinSE != 0 {
		if c.SessionExpires < 90 || c.SessionExpires > 86400 {
			errs = append(errs, fmt.Errorf("proxy: session refresh value %d outside 90..86400", c.SessionExpires))
		}
		if c.MinSE < 90 || c.MinSE > 7200 {
			errs = append(errs, fmt.Errorf("proxy: session refresh minimum %d outside 90..7200", c.MinSE))
		}
		if c.MinSE > c.SessionExpires {
			errs = append(errs, fmt.Errorf("proxy: session refresh minimum %d above value %d", c.MinSE, c.SessionExpires))
		}
	}
	if err := c.Timers.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
