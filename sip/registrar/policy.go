package registrar

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// Errors of the restriction-policy operations.
var (
	// ErrNotDenyList: "Unregister and block" needs the DenyList policy.
	ErrNotDenyList = errors.New("registrar: unregister and block needs the DenyList restriction policy")
	// ErrListFull: the deny list already holds MaxListEntries entries.
	ErrListFull = errors.New("registrar: deny list full")
)

// RestrictionPolicy is the registration restriction policy and its lists
// (SIP-52, SIP-53), as configured or as changed at run time.
type RestrictionPolicy struct {
	Restriction Restriction
	AllowList   []ListEntry
	DenyList    []ListEntry
}

// policy is a compiled RestrictionPolicy. It is never modified once
// published: a change publishes a new one (an atomic swap), so Register
// reads a consistent policy without a lock.
type policy struct {
	RestrictionPolicy
	allow, deny []*pattern.Pattern
}

func validateLists(allow, deny []ListEntry) []error {
	var errs []error
	for _, l := range []struct {
		name    string
		entries []ListEntry
	}{{"allow", allow}, {"deny", deny}} {
		if len(l.entries) > MaxListEntries {
			errs = append(errs, fmt.Errorf("registrar: %s list has %d entries, at most %d", l.name, len(l.entries), MaxListEntries))
		}
		for i, e := range l.entries {
			if len(e.Description) > 64 {
				errs = append(errs, fmt.Errorf("registrar: %s list entry %d: description longer than 64", l.name, i+1))
			}
			if n := len(e.Pattern); n < 1 || n > 60 {
				errs = append(errs, fmt.Errorf("registrar: %s list entry %d: pattern string length %d outside 1..60", l.name, i+1, n))
			} else if _, err := e.compile(); err != nil {
				errs = append(errs, fmt.Errorf("registrar: %s list entry %d: %w", l.name, i+1, err))
			}
		}
	}
	return errs
}

// compilePolicy compiles validated lists.
func compilePolicy(p RestrictionPolicy) (*policy, error) {
	c := &policy{RestrictionPolicy: RestrictionPolicy{Restriction: p.Restriction,
		AllowList: append([]ListEntry(nil), p.AllowList...), DenyList: append([]ListEntry(nil), p.DenyList...)}}
	for _, e := range c.AllowList {
		pt, err := e.compile()
		if err != nil {
			return nil, err
		}
		c.allow = append(c.allow, pt)
	}
	for _, e := range c.DenyList {
		pt, err := e.compile()
		if err != nil {
			return nil, err
		}
		c.deny = append(c.deny, pt)
	}
	return c, nil
}

// listsAllow applies the AllowList or DenyList policy to aor; other
// policies allow here (SIP-52, SIP-53).
func (p *policy) listsAllow(aor string) bool {
	switch p.Restriction {
	case AllowList:
		return matchAny(p.allow, aor)
	case DenyList:
		return !matchAny(p.deny, aor)
	}
	return true
}

func matchAny(ps []*pattern.Pattern, alias string) bool {
	for _, p := range ps {
		if m, err := p.Match(alias); err == nil && m.Matched {
			return true
		}
	}
	return false
}

// RestrictionPolicy returns the restriction policy in force.
func (r *Registrar) RestrictionPolicy() RestrictionPolicy {
	p := r.pol.Load()
	return RestrictionPolicy{Restriction: p.Restriction,
		AllowList: append([]ListEntry(nil), p.AllowList...), DenyList: append([]ListEntry(nil), p.DenyList...)}
}

// SetRestrictionPolicy validates p and puts it in force for every REGISTER
// from now on, refreshes included. Existing bindings are not re-checked:
// one the new policy would refuse lives until its refresh is refused or it
// expires (SIP-58).
func (r *Registrar) SetRestrictionPolicy(p RestrictionPolicy) error {
	errs := validateLists(p.AllowList, p.DenyList)
	if p.Restriction > PolicyService {
		errs = append(errs, fmt.Errorf("registrar: restriction policy %d unknown", p.Restriction))
	}
	if p.Restriction == PolicyService && r.cfg.Policy == nil {
		errs = append(errs, errors.New("registrar: PolicyService restriction without a Policy function"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	c, err := compilePolicy(p)
	if err != nil {
		return err
	}
	r.polMu.Lock()
	r.pol.Store(c)
	r.polMu.Unlock()
	return nil
}

// UnregisterAndBlock removes every binding of each AOR and adds one Exact
// entry per AOR to the deny list, so that the device cannot register again
// (SIP-58 "Unregister and block"). It needs the DenyList policy
// (ErrNotDenyList). An AOR already denied by an identical Exact entry gets
// no second one. The block is in force before the bindings are removed,
// and a REGISTER racing with it re-checks the lists under the AOR's store
// lock, so no binding of a blocked AOR survives the call. It returns the
// number of bindings removed.
func (r *Registrar) UnregisterAndBlock(ctx context.Context, aors ...string) (int, error) {
	keys := make([]string, 0, len(aors))
	for _, a := range aors {
		k := strings.ToLower(a)
		if n := len(k); n < 1 || n > 60 {
			return 0, fmt.Errorf("registrar: cannot block %q: a deny list pattern holds 1..60 characters", a)
		}
		keys = append(keys, k)
	}
	r.polMu.Lock()
	cur := r.pol.Load()
	if cur.Restriction != DenyList {
		r.polMu.Unlock()
		return 0, ErrNotDenyList
	}
	next := cur.RestrictionPolicy
	next.DenyList = append([]ListEntry(nil), cur.DenyList...)
	for _, k := range keys {
		dup := false
		for _, e := range next.DenyList {
			t, _ := pattern.ParseType(e.Type)
			dup = dup || ((e.Type == "" || t == pattern.Exact) && strings.EqualFold(e.Pattern, k))
		}
		if !dup {
			next.DenyList = append(next.DenyList, ListEntry{Description: "Blocked by operator", Pattern: k})
		}
	}
	if len(next.DenyList) > MaxListEntries {
		r.polMu.Unlock()
		return 0, fmt.Errorf("%w: %d entries", ErrListFull, MaxListEntries)
	}
	c, err := compilePolicy(next)
	if err != nil {
		r.polMu.Unlock()
		return 0, fmt.Errorf("registrar: block: %w", err)
	}
	r.pol.Store(c)
	r.polMu.Unlock()
	n := 0
	for _, k := range keys {
		m, err := r.removeWhere(ctx, k, ReasonOperator, nil)
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
