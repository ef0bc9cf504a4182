package registrar

import (
	"sync"
	"time"
)

// Reasons a binding ends (SIP-58, SIP-130 "Registration Removed").
const (
	ReasonExpired      = "Registration expired"
	ReasonUnregistered = "Unregistered"
	ReasonSuperseded   = "Registration superseded"
	ReasonOperator     = "Operator forced removal"
	ReasonOperatorAll  = "Operator forced removal (all registrations removed)"
)

// DefaultHistorySize bounds the registration history (SIP-58).
const DefaultHistorySize = 10000

// Ended is a registration that is no longer current: an entry of the
// registration history (SIP-58) and what Config.OnEnd receives.
type Ended struct {
	Binding Binding `json:"binding"`
	// End is when the binding ended: its expiry time for an expired one.
	End time.Time `json:"end"`
	// Duration is End minus Binding.Created.
	Duration time.Duration `json:"duration"`
	Reason   string        `json:"reason"`
	// ReleaseCalls is set when Config.CallRemove is on and the device's
	// registration is gone (every reason but ReasonSuperseded, where the
	// same device registered again): the caller releases the calls of this
	// binding (Registration Call Remove, SIP-42).
	ReleaseCalls bool `json:"release_calls,omitempty"`
}

// history is a bounded ring of ended registrations, oldest overwritten
// first.
type history struct {
	mu   sync.Mutex
	max  int
	ring []Ended // grows to max, then wraps
	next int     // where the next entry goes once the ring is full
}

func newHistory(size int) *history { return &history{max: size} }

func (h *history) add(e Ended) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.ring) < h.max {
		h.ring = append(h.ring, e)
		return
	}
	h.ring[h.next] = e
	h.next = (h.next + 1) % len(h.ring)
}

// list returns the entries oldest first.
func (h *history) list() []Ended {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Ended, 0, len(h.ring))
	out = append(out, h.ring[h.next:]...)
	return append(out, h.ring[:h.next]...)
}

// History returns the registrations that ended since the registrar
// started, oldest first, at most Config.HistorySize of them (SIP-58).
func (r *Registrar) History() []Ended { return r.hist.list() }

// ended records bindings that ended at end for reason: history, the
// "Registration Removed" or "Unregistration Accepted" event, and OnEnd.
func (r *Registrar) ended(bs []Binding, end time.Time, reason string, ev *Event) {
	for i := range bs {
		b := &bs[i]
		at := end
		if reason == ReasonExpired {
			at = b.Expires
		}
		e := Ended{Binding: *b, End: at, Duration: at.Sub(b.Created), Reason: reason,
			ReleaseCalls: r.cfg.CallRemove && reason != ReasonSuperseded}
		r.hist.add(e)
		if r.cfg.OnEvent != nil {
			if reason == ReasonUnregistered && ev != nil {
				r.cfg.OnEvent(Event{Name: "Unregistration Accepted", Level: 1, AOR: b.AOR, Contact: b.Contact,
					CallID: ev.CallID, Source: ev.Source, Code: 200, Auth: ev.Auth, Reason: reason})
			} else {
				r.cfg.OnEvent(Event{Name: "Registration Removed", Level: 1, AOR: b.AOR, Contact: b.Contact,
					CallID: b.CallID, Reason: reason})
			}
		}
		if r.cfg.OnEnd != nil {
			r.cfg.OnEnd(e)
		}
	}
}
