package dialplantest

import (
	"context"
	"sync"

	"github.com/causeway-edge/causeway/dialplan"
	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// Policy is a scripted policy: a decision per destination alias
// (case-insensitive), Proxy for the rest. Bind it as the Call Policy, the
// User Policy or a policy service.
type Policy struct {
	mu        sync.Mutex
	decisions map[string]dialplan.Decision
	err       error
	requests  []dialplan.PolicyRequest
}

// NewPolicy returns a policy that proxies everything.
func NewPolicy() *Policy { return &Policy{decisions: map[string]dialplan.Decision{}} }

// Redirect makes the policy redirect alias to the given aliases.
func (p *Policy) Redirect(alias string, to ...string) *Policy {
	return p.Set(alias, dialplan.Decision{Action: dialplan.Redirect, Aliases: to})
}

// Reject makes the policy reject alias.
func (p *Policy) Reject(alias string, status int, reason string) *Policy {
	return p.Set(alias, dialplan.Decision{Action: dialplan.RejectCall, Status: status, Reason: reason})
}

// Set sets the decision for alias.
func (p *Policy) Set(alias string, d dialplan.Decision) *Policy {
	p.mu.Lock()
	p.decisions[pattern.Fold(alias)] = d
	p.mu.Unlock()
	return p
}

// Fail makes the policy unreachable: Decide returns err (nil to recover).
func (p *Policy) Fail(err error) *Policy {
	p.mu.Lock()
	p.err = err
	p.mu.Unlock()
	return p
}

// Decide implements dialplan.Policy.
func (p *Policy) Decide(ctx context.Context, r dialplan.PolicyRequest) (dialplan.Decision, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests = append(p.requests, r)
	if err := ctx.Err(); err != nil {
		return dialplan.Decision{}, err
	}
	if p.err != nil {
		return dialplan.Decision{}, p.err
	}
	if d, ok := p.decisions[pattern.Fold(r.Alias)]; ok {
		return d, nil
	}
	return dialplan.Decision{Action: dialplan.Proxy}, nil
}

// Requests returns what the policy was asked, oldest first.
func (p *Policy) Requests() []dialplan.PolicyRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]dialplan.PolicyRequest(nil), p.requests...)
}
