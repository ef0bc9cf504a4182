package registrar

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// Device is a registered device and every binding it holds: the
// "Registrations by device" view (SIP-60). A device is known by its
// +sip.instance, or without one by its contact URI.
type Device struct {
	ID       string    `json:"id"`
	Bindings []Binding `json:"bindings"`
}

// Alias is a registered AOR and its bindings: the "Registrations by
// alias" view (SIP-60).
type Alias struct {
	AOR      string    `json:"aor"`
	Bindings []Binding `json:"bindings"`
}

// Devices returns the registered devices, sorted by ID, each binding
// sorted by AOR.
func (r *Registrar) Devices(ctx context.Context) ([]Device, error) {
	bs, err := r.Bindings(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(bs, func(a, b Binding) int {
		return cmp.Or(cmp.Compare(a.Device(), b.Device()), cmp.Compare(a.AOR, b.AOR), cmp.Compare(a.Key(), b.Key()))
	})
	var out []Device
	for _, b := range bs {
		if id := b.Device(); len(out) == 0 || out[len(out)-1].ID != id {
			out = append(out, Device{ID: id})
		}
		d := &out[len(out)-1]
		d.Bindings = append(d.Bindings, b)
	}
	return out, nil
}

// Aliases returns the registered AORs, sorted, each with its bindings.
func (r *Registrar) Aliases(ctx context.Context) ([]Alias, error) {
	bs, err := r.Bindings(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(bs, func(a, b Binding) int {
		return cmp.Or(cmp.Compare(a.AOR, b.AOR), cmp.Compare(a.Key(), b.Key()))
	})
	var out []Alias
	for _, b := range bs {
		if len(out) == 0 || out[len(out)-1].AOR != b.AOR {
			out = append(out, Alias{AOR: b.AOR})
		}
		a := &out[len(out)-1]
		a.Bindings = append(a.Bindings, b)
	}
	return out, nil
}

// Remove removes every binding of aor, an operator's "unregister" of an
// alias: each is recorded with ReasonOperatorAll (SIP-60). It returns how
// many it removed.
func (r *Registrar) Remove(ctx context.Context, aor string) (int, error) {
	return r.removeWhere(ctx, strings.ToLower(aor), ReasonOperatorAll, nil)
}

// RemoveBinding removes the binding of aor whose Key is key, recorded with
// ReasonOperator (SIP-60). It reports whether there was one.
func (r *Registrar) RemoveBinding(ctx context.Context, aor, key string) (bool, error) {
	n, err := r.removeWhere(ctx, strings.ToLower(aor), ReasonOperator, func(b *Binding) bool { return b.Key() == key })
	return n > 0, err
}

// RemoveDevice removes every binding of the device with this ID (see
// Device), whatever its AOR, recorded with ReasonOperator (SIP-60). It
// returns how many it removed.
func (r *Registrar) RemoveDevice(ctx context.Context, id string) (int, error) {
	bs, err := r.Bindings(ctx)
	if err != nil {
		return 0, err
	}
	var aors []string
	for _, b := range bs {
		if b.Device() == id && !slices.Contains(aors, b.AOR) {
			aors = append(aors, b.AOR)
		}
	}
	n := 0
	for _, aor := range aors {
		m, err := r.removeWhere(ctx, aor, ReasonOperator, func(b *Binding) bool { return b.Device() == id })
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// removeWhere removes the bindings of aor that match (all when match is
// nil) and records them as ended for reason.
func (r *Registrar) removeWhere(ctx context.Context, aor, reason string, match func(*Binding) bool) (int, error) {
	var gone []Binding
	now := r.cfg.Now()
	_, err := r.cfg.Store.Update(ctx, aor, now, func(cur []Binding) ([]Binding, error) {
		gone = gone[:0]
		var keep []Binding
		for i := range cur {
			if match == nil || match(&cur[i]) {
				gone = append(gone, cur[i])
			} else {
				keep = append(keep, cur[i])
			}
		}
		return keep, nil
	})
	if err != nil {
		return 0, fmt.Errorf("registrar: remove: %w", err)
	}
	r.ended(gone, now, reason, nil)
	return len(gone), nil
}
