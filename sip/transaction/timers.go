package transaction

import (
	"errors"
	"fmt"
	"time"
)

// Timers are the RFC 3261 §17 timer values (SIP-40). Zero fields take the
// defaults derived from T1, T2 and T4; timers that only apply to
// unreliable transports are 0 on reliable ones regardless.
type Timers struct {
	T1, T2, T4 time.Duration
	A, B, D    time.Duration // INVITE client: retransmit, timeout, wait in Completed
	E, F, K    time.Duration // non-INVITE client
	G, H, I    time.Duration // INVITE server: retransmit final, wait for ACK, wait in Confirmed
	J          time.Duration // non-INVITE server: wait in Completed
	L, M       time.Duration // RFC 6026: Accepted states of server and client INVITE
}

// DefaultTimers are RFC 3261's values: T1 500 ms, T2 4 s, T4 5 s.
var DefaultTimers = Timers{T1: 500 * time.Millisecond, T2: 4 * time.Second, T4: 5 * time.Second}

// withDefaults derives the unset timers.
func (t Timers) withDefaults() Timers {
	if t.T1 == 0 {
		t.T1 = DefaultTimers.T1
	}
	if t.T2 == 0 {
		t.T2 = DefaultTimers.T2
	}
	if t.T4 == 0 {
		t.T4 = DefaultTimers.T4
	}
	set := func(p *time.Duration, v time.Duration) {
		if *p == 0 {
			*p = v
		}
	}
	set(&t.A, t.T1)
	set(&t.B, 64*t.T1)
	set(&t.D, 32*time.Second)
	set(&t.E, t.T1)
	set(&t.F, 64*t.T1)
	set(&t.K, t.T4)
	set(&t.G, t.T1)
	set(&t.H, 64*t.T1)
	set(&t.I, t.T4)
	set(&t.J, 64*t.T1)
	set(&t.L, 64*t.T1)
	set(&t.M, 64*t.T1)
	return t
}

// Validate reports every fault at once: negative values, T2 below T1,
// D below 32 s (RFC 3261 §17.1.1.2).
func (t Timers) Validate() error {
	var errs []error
	for name, v := range map[string]time.Duration{"T1": t.T1, "T2": t.T2, "T4": t.T4, "A": t.A, "B": t.B, "D": t.D,
		"E": t.E, "F": t.F, "K": t.K, "G": t.G, "H": t.H, "I": t.I, "J": t.J, "L": t.L, "M": t.M} {
		if v < 0 {
			errs = append(errs, fmt.Errorf("transaction: timer %s is negative", name))
		}
	}
	d := t.withDefaults()
	if d.T2 < d.T1 {
		errs = append(errs, fmt.Errorf("transaction: T2 %v below T1 %v", d.T2, d.T1))
	}
	if d.D < 32*time.Second {
		errs = append(errs, fmt.Errorf("transaction: timer D %v below 32 s", d.D))
	}
	return errors.Join(errs...)
}
