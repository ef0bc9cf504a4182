package dialplan

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// Errors returned by Route and Locate.
var (
	// ErrTooManySearches: the concurrency cap was reached (DP-53).
	ErrTooManySearches = errors.New("dialplan: too many concurrent searches")
	// ErrBadRequest wraps faults in a Request or LocateRequest.
	ErrBadRequest = errors.New("dialplan: bad request")
)

// Engine routes aliases through a compiled dial plan. It is safe for
// concurrent use; Reload swaps the dial plan atomically while searches run
// (searches in flight finish on the plan they started with).
type Engine struct {
	plan atomic.Pointer[plan]

	targets   map[string]Target // by folded zone name
	resolver  Resolver
	callPol   Policy
	userPol   Policy
	services  map[string]Policy // by folded service name
	admission Admission
	log       *slog.Logger
	now       func() time.Time
	newTag    func() string

	// searches recycles search states: they are large (inline buffers)
	// and nothing refers to one once its Route call has returned.
	searches sync.Pool

	inflight atomic.Int64
	searchID atomic.Uint64
	loops    loopTable
	hist     history
}

// Option configures an Engine: the implementations of the interfaces the
// dial plan depends on.
type Option func(*Engine)

// WithTarget binds the Target that answers for zone name (LocalZone for the
// Local Zone). Zones without a bound Target answer from their configured
// static Registrations, or not at all.
func WithTarget(zone string, t Target) Option {
	return func(e *Engine) { e.targets[pattern.Fold(zone)] = t }
}

// WithLocalZone binds the Local Zone's Target (the registrations, DP-41).
// If t implements AddressKnower it also decides which IP addresses are known
// (DP-46).
func WithLocalZone(t Target) Option { return WithTarget(LocalZone, t) }

// WithResolver sets the DNS resolver used by DNS and ENUM zones.
func WithResolver(r Resolver) Option { return func(e *Engine) { e.resolver = r } }

// WithCallPolicy sets the Call Policy hook (DP-26).
func WithCallPolicy(p Policy) Option { return func(e *Engine) { e.callPol = p } }

// WithUserPolicy sets the User Policy / FindMe hook (DP-28).
func WithUserPolicy(p Policy) Option { return func(e *Engine) { e.userPol = p } }

// WithPolicyService binds the Policy that implements policy service name
// (DP-40). An unbound service counts as unreachable.
func WithPolicyService(name string, p Policy) Option {
	return func(e *Engine) { e.services[pattern.Fold(name)] = p }
}

// WithAdmission sets the admission hook applied to found routes (DP-54).
func WithAdmission(a Admission) Option { return func(e *Engine) { e.admission = a } }

// WithLogger sets the logger (default slog.Default()). Loop detection is
// logged at Warn with event_level=2 (DP-49).
func WithLogger(l *slog.Logger) Option { return func(e *Engine) { e.log = l } }

// WithClock sets the clock used for history records.
func WithClock(now func() time.Time) Option { return func(e *Engine) { e.now = now } }

// WithCallTags sets the generator of call tags for requests that arrive
// without one (DP-50). The default is 128 random bits in hex.
func WithCallTags(gen func() string) Option { return func(e *Engine) { e.newTag = gen } }

// NewEngine compiles cfg and returns an Engine. The error is that of
// cfg.Validate.
func NewEngine(cfg Config, opts ...Option) (*Engine, error) {
	p, _, err := compilePlan(&cfg)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		targets:  map[string]Target{},
		services: map[string]Policy{},
		log:      slog.Default(),
		now:      time.Now,
		newTag:   randomTag,
		loops:    loopTable{m: map[loopKey]int{}},
	}
	for _, o := range opts {
		o(e)
	}
	e.plan.Store(p)
	return e, nil
}

// Reload compiles cfg and, if it is valid, makes it the dial plan for every
// search that starts afterwards. Searches in flight finish on the old plan.
// On error the current plan stays.
func (e *Engine) Reload(cfg Config) error {
	p, _, err := compilePlan(&cfg)
	if err != nil {
		return err
	}
	e.plan.Store(p)
	return nil
}

// Config returns a copy of the configuration in use.
func (e *Engine) Config() Config { return e.plan.Load().cfg.Clone() }

func randomTag() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}

// Request is one search request (an INVITE, an ARQ/LRQ/Setup, ...).
type Request struct {
	// Alias is the destination as dialled. When it is empty, Aliases[0] is
	// used: of several destination aliases only the first is searched
	// (DP-10). If both are empty the request names no callee (DP-11).
	Alias   string
	Aliases []string
	// Protocol is the source protocol: SIP or H323 (required).
	Protocol Protocol
	// Traffic is the SIP traffic type; the zero value means Standard.
	Traffic TrafficType
	// Source is where the request came from; the zero value is the Default
	// Zone.
	Source        Source
	Authenticated bool
	// SourceAliases are the caller's aliases, for Call Policy.
	SourceAliases []string
	// CallTag is the incoming call tag; empty means generate one (DP-50).
	CallTag string
	// HopCount is the received hop count (SIP Max-Forwards); 0 means the
	// search originates here (DP-47).
	HopCount int
	// Trace asks for a structured trace in the Result.
	Trace bool

	kind     string // history type
	locate   bool
	locateH  int
	srcAlias string
}

// Route runs the routing pipeline (DP-22) for req and returns the decision.
// The error is non-nil only for a request that cannot be searched at all
// (ErrBadRequest, ErrTooManySearches) or a context that ended; every routing
// outcome, rejections included, is a Result.
func (e *Engine) Route(ctx context.Context, req Request) (Result, error) {
	return e.route(ctx, req)
}

func (e *Engine) route(ctx context.Context, req Request) (Result, error) {
	p := e.plan.Load()
	if req.Protocol != SIP && req.Protocol != H323 {
		return Result{}, fmt.Errorf("%w: protocol must be SIP or H323", ErrBadRequest)
	}
	if req.HopCount < 0 || req.HopCount > MaxHopCount {
		return Result{}, fmt.Errorf("%w: hop count %d out of range 0..%d", ErrBadRequest, req.HopCount, MaxHopCount)
	}
	if n := e.inflight.Add(1); n > int64(p.maxSearches) {
		e.inflight.Add(-1)
		return Result{}, ErrTooManySearches
	}
	defer e.inflight.Add(-1)

	dialled := req.Alias
	if dialled == "" && len(req.Aliases) > 0 {
		dialled = req.Aliases[0]
	}
	noAlias := false
	a, err := pattern.ParseAlias(dialled)
	switch {
	case errors.Is(err, pattern.ErrEmptyAlias):
		noAlias = true
	case err != nil:
		return Result{}, fmt.Errorf("%w: alias: %w", ErrBadRequest, err)
	case len(a.Value) > p.maxAlias:
		return Result{}, fmt.Errorf("%w: alias of %d bytes, at most %d allowed", ErrBadRequest, len(a.Value), p.maxAlias)
	}
	tag := req.CallTag
	if tag == "" {
		tag = e.newTag()
	}
	s, _ := e.searches.Get().(*search)
	if s == nil {
		s = new(search)
	}
	*s = search{e: e, p: p, req: req, tag: tag}
	defer e.searches.Put(s)
	s.init()
	if req.Trace || req.locate {
		s.trace = &Trace{CallTag: tag}
	}
	if req.locate {
		src := req.srcAlias
		if src == "" {
			src = DefaultLocateSourceAlias
		}
		s.trace.add(Step{Kind: StepAliasIn, Alias: dialled, Detail: "locate from source alias " + src + " in " + sourceName(req.Source)})
	}
	start := e.now()
	alias := a.Value
	var out outcome
	switch {
	case noAlias || p.isSystemAddress(alias):
		if p.cfg.FallbackAlias == "" {
			s.trace.add(Step{Kind: StepResult, Alias: dialled, Result: "rejected", Reason: ReasonNoAlias})
			out = outcome{status: Rejected, reason: ReasonNoAlias}
			break
		}
		fa, err := pattern.ParseAlias(p.cfg.FallbackAlias)
		if err != nil {
			out = outcome{status: Rejected, reason: ReasonNoAlias}
			break
		}
		s.trace.add(Step{Kind: StepAliasIn, Alias: fa.Value, Reason: ReasonFallback, Detail: "no callee alias in " + dialled})
		alias = fa.Value
		out = e.searchLoopChecked(ctx, s, alias)
	default:
		out = e.searchLoopChecked(ctx, s, alias)
	}
	if out.status == Found && e.admission != nil {
		for _, r := range out.routes {
			if err := e.admission.Admit(ctx, r); err != nil {
				s.trace.add(Step{Kind: StepResult, Alias: r.Alias, Target: r.Zone, Result: "rejected", Reason: ReasonAdmissionDenied, Detail: err.Error()})
				out = outcome{status: Rejected, reason: ReasonAdmissionDenied, rejReason: err.Error()}
				break
			}
		}
	}
	res := Result{Status: out.status, Reason: out.reason, RejectStatus: out.rejStatus, RejectReason: out.rejReason,
		Routes: out.routes, Alias: alias, CallTag: tag, Trace: s.trace}
	s.trace.add(Step{Kind: StepResult, Alias: alias, Result: out.status.String(), Reason: out.reason})
	e.record(&s.req, dialled, start, s, &res)
	if err := ctx.Err(); err != nil && out.status != Found {
		return res, err
	}
	return res, nil
}

// searchLoopChecked applies call loop detection (DP-49) around the search.
func (e *Engine) searchLoopChecked(ctx context.Context, s *search, alias string) outcome {
	if s.p.cfg.CallLoopDetection.on(true) && s.req.CallTag != "" {
		key := loopKey{tag: s.tag, alias: pattern.Fold(alias), proto: s.req.Protocol, zone: s.srcKey}
		if !e.loops.enter(key) {
			s.trace.add(Step{Kind: StepLoop, Alias: alias, Reason: ReasonLoopDetected, Detail: "call tag " + s.tag + " already searching this alias from " + sourceName(s.req.Source)})
			e.log.LogAttrs(ctx, slog.LevelWarn, "loop detected", slog.Int("event_level", 2), slog.String("call_tag", s.tag),
				slog.String("alias", alias), slog.String("protocol", s.req.Protocol.String()), slog.String("source_zone", sourceName(s.req.Source)))
			return outcome{status: NotFound, reason: ReasonLoopDetected}
		}
		defer e.loops.leave(key)
	}
	return s.run(ctx, alias, 0, nil)
}

func sourceName(src Source) string {
	switch {
	case src.ClusterPeer:
		return LocalZone + " (cluster peer)"
	case src.Zone == "":
		return DefaultZone
	case pattern.Fold(src.Zone) == pattern.Fold(LocalZone):
		if src.Subzone == "" {
			return LocalZone + "/" + DefaultSubZone
		}
		return LocalZone + "/" + src.Subzone
	}
	return src.Zone
}

// isSystemAddress reports whether alias names this system rather than a
// callee: one of its IP addresses, or one of its SIP domains with no user
// part (DP-11).
func (p *plan) isSystemAddress(alias string) bool {
	if a, ok := pattern.ParseIP(alias); ok {
		return p.systemAddrs[a]
	}
	if len(p.domains) > 0 {
		return p.domains[pattern.Fold(alias)]
	}
	return false
}

// loopTable tracks the searches in flight for call loop detection.
type loopKey struct {
	tag, alias string
	proto      Protocol
	zone       string
}

type loopTable struct {
	mu sync.Mutex
	m  map[loopKey]int
}

func (t *loopTable) enter(k loopKey) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m[k] > 0 {
		return false
	}
	t.m[k]++
	return true
}

func (t *loopTable) leave(k loopKey) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m[k]--; t.m[k] <= 0 {
		delete(t.m, k)
	}
}
