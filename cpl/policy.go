package cpl

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Mode is the admin (Call) policy mode (CPL-42).
type Mode uint8

const (
	// Off: no call policy; every call proceeds without evaluation (the
	// default).
	Off Mode = iota
	// LocalCPL: the uploaded script, else the rule table, else the
	// default allow-all script.
	LocalCPL
	// LocalService: accepted as configuration and treated as LocalCPL.
	LocalService
	// PolicyService: an external HTTP policy service decides.
	PolicyService
)

func (m Mode) String() string {
	switch m {
	case LocalCPL:
		return "LocalCPL"
	case LocalService:
		return "LocalService"
	case PolicyService:
		return "PolicyService"
	}
	return "Off"
}

// MarshalText implements encoding.TextMarshaler.
func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (case-insensitive).
func (m *Mode) UnmarshalText(b []byte) error {
	for _, c := range []Mode{Off, LocalCPL, LocalService, PolicyService} {
		if strings.EqualFold(string(b), c.String()) {
			*m = c
			return nil
		}
	}
	return fmt.Errorf("cpl: unknown policy mode %q", b)
}

// EventKind classifies what a Policy reports through PolicyConfig.OnEvent.
type EventKind uint8

const (
	// EventPolicyChange: a new policy replaced the running one (the
	// product's "Policy Change" event).
	EventPolicyChange EventKind = iota + 1
	// EventLoadFailed: an uploaded or watched script was refused and the
	// running policy stays in force (warning 45001, "Failed to load Call
	// Policy file").
	EventLoadFailed
)

// WarningLoadFailed is the product's alarm number for a refused script.
const WarningLoadFailed = 45001

// Event is a policy change or a refused script (CPL-33).
type Event struct {
	Kind    EventKind
	Code    int // WarningLoadFailed for EventLoadFailed
	Message string
	Err     error
}

// PolicyConfig configures a Policy.
type PolicyConfig struct {
	// Mode is the initial mode (default Off).
	Mode Mode
	// Service decides calls in PolicyService mode; required for it.
	Service *ServiceClient
	// Request builds the policy-service request for a call; nil means
	// NewRequest(PolicyAdmin, in).
	Request func(in *Input) *Request
	// OnError is the result of a failed local evaluation; nil means
	// Reject 500 "Policy evaluation error" (CPL-34).
	OnError *OnError
	// Options are extra compile options for uploaded scripts (limits,
	// facts). The dialect is always Expressway.
	Options []Option
	// OnEvent, if set, receives policy changes and refused scripts. It is
	// called synchronously after the change, outside the Policy's lock
	// (it may call back into the Policy), and must not block.
	OnEvent func(Event)
	// Logger receives the same events; nil means slog.Default().
	Logger *slog.Logger
}

// Validate reports every fault at once.
func (c *PolicyConfig) Validate() error {
	var errs []error
	if c.Mode > PolicyService {
		errs = append(errs, fmt.Errorf("policy mode %d is not Off, LocalCPL, LocalService or PolicyService", c.Mode))
	}
	if c.Mode == PolicyService && c.Service == nil {
		errs = append(errs, errors.New("PolicyService mode needs a Service"))
	}
	if c.OnError != nil && c.OnError.Action != Reject && c.OnError.Action != Proceed {
		errs = append(errs, errors.New("OnError action must be Reject or Proceed"))
	}
	if c.OnError != nil && c.OnError.Action == Reject && (c.OnError.Status < 400 || c.OnError.Status > 699) {
		errs = append(errs, fmt.Errorf("OnError status %d is outside 400..699", c.OnError.Status))
	}
	return errors.Join(errs...)
}

// Policy is the admin Call Policy (CPL-41..CPL-47): its mode, the uploaded
// script or the rule table, and the program in force. Replacement is
// atomic: evaluations in flight finish on the program they started with,
// and a script that does not compile never replaces the running one
// (CPL-33). A Policy is safe for concurrent use.
type Policy struct {
	cfg   PolicyConfig
	log   *slog.Logger
	mode  atomic.Uint32
	state atomic.Pointer[policyState]
	mu    sync.Mutex // serialises writers
}

type policyState struct {
	script []byte // the uploaded script, nil when none
	rules  []Rule
	prog   *Program
	text   string // what ShowPolicy returns
}

// ErrScriptActive is returned by SetRules while an uploaded script exists:
// it takes precedence and the rules cannot be edited (CPL-41).
var ErrScriptActive = errors.New("cpl: a CPL script is uploaded; delete it to edit the rules")

// NewPolicy validates cfg and returns a Policy running the default
// allow-all script.
func NewPolicy(cfg PolicyConfig) (*Policy, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Policy{cfg: cfg, log: cfg.Logger}
	if p.log == nil {
		p.log = slog.Default()
	}
	p.mode.Store(uint32(cfg.Mode))
	st, err := p.build(nil, nil)
	if err != nil {
		return nil, err
	}
	p.state.Store(st)
	return p, nil
}

func (p *Policy) compileOptions() []Option {
	opts := append([]Option{}, p.cfg.Options...)
	opts = append(opts, Expressway)
	if p.cfg.OnError != nil {
		opts = append(opts, WithOnError(*p.cfg.OnError))
	}
	return opts
}

// build compiles the policy a script or rule table stands for.
func (p *Policy) build(script []byte, rules []Rule) (*policyState, error) {
	st := &policyState{script: script, rules: rules}
	src := script
	if src == nil {
		if len(rules) == 0 {
			st.rules = nil
		}
		var err error
		if src, err = RulesToCPL(rules); err != nil {
			return nil, err
		}
	}
	prog, err := Compile(src, p.compileOptions()...)
	if err != nil {
		return nil, err
	}
	st.prog, st.text = prog, string(src)
	return st, nil
}

// Mode returns the current mode.
func (p *Policy) Mode() Mode { return Mode(p.mode.Load()) }

// SetMode changes the mode. PolicyService needs a configured Service.
func (p *Policy) SetMode(m Mode) error {
	if m > PolicyService {
		return fmt.Errorf("cpl: unknown policy mode %d", m)
	}
	if m == PolicyService && p.cfg.Service == nil {
		return errors.New("cpl: PolicyService mode needs a Service")
	}
	if Mode(p.mode.Swap(uint32(m))) != m {
		p.event(Event{Kind: EventPolicyChange, Message: "Call Policy mode changed to " + m.String()})
	}
	return nil
}

func (p *Policy) event(e Event) {
	switch e.Kind {
	case EventLoadFailed:
		p.log.Warn("Failed to load Call Policy file", "code", e.Code, "detail", e.Message, "err", e.Err)
	default:
		p.log.Info("Policy Change", "detail", e.Message)
	}
	if p.cfg.OnEvent != nil {
		p.cfg.OnEvent(e)
	}
}

// Upload replaces the policy with a script (CPL-33, CPL-40). A canonical
// rule-table rendering restores the rule table instead of becoming a
// script. A script that does not compile is refused with its errors, warning
// 45001 is raised, and the running policy stays in force.
func (p *Policy) Upload(src []byte) error {
	e, err := p.upload(src)
	p.event(e) // outside the lock: OnEvent may call back into p
	return err
}

func (p *Policy) upload(src []byte) (Event, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var (
		st  *policyState
		err error
	)
	if rules, ok := RulesFromCPL(src); ok {
		st, err = p.build(nil, rules)
	} else {
		// The rule table stays, locked, behind the script (CPL-41).
		st, err = p.build(bytes.Clone(src), p.state.Load().rules)
	}
	if err != nil {
		return Event{Kind: EventLoadFailed, Code: WarningLoadFailed, Message: err.Error(), Err: err}, err
	}
	p.state.Store(st)
	if st.script != nil {
		return Event{Kind: EventPolicyChange, Message: "CPL script uploaded"}, nil
	}
	return Event{Kind: EventPolicyChange, Message: fmt.Sprintf("rule table restored from CPL (%d rules)", len(st.rules))}, nil
}

// DeleteScript removes the uploaded script; the rule table (or the default
// script) is in force again (CPL-41).
func (p *Policy) DeleteScript() error {
	p.mu.Lock()
	cur := p.state.Load()
	if cur.script == nil {
		p.mu.Unlock()
		return nil
	}
	st, err := p.build(nil, cur.rules)
	if err == nil {
		p.state.Store(st)
	}
	p.mu.Unlock()
	if err != nil {
		return err
	}
	p.event(Event{Kind: EventPolicyChange, Message: "CPL script deleted"})
	return nil
}

// SetRules replaces the rule table. It fails with ErrScriptActive while a
// script is uploaded (CPL-41), and with the validation faults of the rules
// otherwise.
func (p *Policy) SetRules(rules []Rule) error {
	p.mu.Lock()
	if p.state.Load().script != nil {
		p.mu.Unlock()
		return ErrScriptActive
	}
	st, err := p.build(nil, append([]Rule(nil), rules...))
	if err == nil {
		p.state.Store(st)
	}
	p.mu.Unlock()
	if err != nil {
		return err
	}
	p.event(Event{Kind: EventPolicyChange, Message: fmt.Sprintf("rule table replaced (%d rules)", len(rules))})
	return nil
}

// Rules returns a copy of the rule table.
func (p *Policy) Rules() []Rule { return append([]Rule(nil), p.state.Load().rules...) }

// HasScript reports whether an uploaded script is in force.
func (p *Policy) HasScript() bool { return p.state.Load().script != nil }

// ShowPolicy returns the CPL text of the local policy: the uploaded script,
// the rendered rule table, or the default allow-all script (CPL-42).
func (p *Policy) ShowPolicy() string { return p.state.Load().text }

// Program returns the compiled local policy.
func (p *Policy) Program() *Program { return p.state.Load().prog }

// Evaluate decides a call according to the mode (CPL-42, CPL-43, CPL-46).
func (p *Policy) Evaluate(ctx context.Context, in *Input) (*Result, error) {
	switch p.Mode() {
	case Off:
		return &Result{Action: Proceed, in: in}, nil
	case PolicyService:
		var req *Request
		if p.cfg.Request != nil {
			req = p.cfg.Request(in)
		} else {
			req = NewRequest(PolicyAdmin, in)
		}
		return p.cfg.Service.Evaluate(ctx, req, in)
	}
	return p.state.Load().prog.Evaluate(ctx, in)
}

// ReloadFile uploads the script in path when its content differs from
// *last (a SHA-256 of the last content tried, updated on return); it
// reports whether it tried. Watch uses it; it is exported for callers with
// their own schedule.
func (p *Policy) ReloadFile(path string, last *[sha256.Size]byte) (bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	sum := sha256.Sum256(b)
	if last != nil && sum == *last {
		return false, nil
	}
	if last != nil {
		*last = sum
	}
	return true, p.Upload(b)
}

// Watch polls path every interval (CPL-55: 5 s when interval is 0) and
// uploads it when its content changes, until ctx ends. The file is read
// at once on start; after that a change is loaded when two consecutive
// polls see the same new content, so a file caught half-written is not
// loaded. An invalid file raises warning 45001 and leaves the running
// policy in force (CPL-33, CPL-47).
func (p *Policy) Watch(ctx context.Context, path string, interval time.Duration) error {
	if interval <= 0 {
		interval = 5 * time.Second
	}
	var loaded, pending [sha256.Size]byte
	var lastErr string
	first := true
	poll := func() {
		b, err := os.ReadFile(path)
		if err != nil {
			if err.Error() != lastErr {
				p.log.Warn("cpl: policy file unreadable", "path", path, "err", err)
			}
			lastErr = err.Error()
			return
		}
		lastErr = ""
		sum := sha256.Sum256(b)
		switch {
		case sum == loaded:
		case first || sum == pending:
			loaded = sum
			_ = p.Upload(b) // failures are reported as events
		default:
			pending = sum
		}
		first = false
	}
	poll()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			poll()
		}
	}
}
