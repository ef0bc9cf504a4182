package bandwidth

import (
	"fmt"
	"math"
)

// Mode says how a bandwidth limit restricts calls (BW-4).
type Mode uint8

const (
	// Unlimited places no restriction. It is the zero value and the default
	// of every limit.
	Unlimited Mode = iota
	// Limited restricts to Limit.Kbps.
	Limited
	// NoBandwidth allocates nothing: no call of the class can be made.
	NoBandwidth
)

// String returns the mode's configuration name.
func (m Mode) String() string {
	switch m {
	case Unlimited:
		return "Unlimited"
	case Limited:
		return "Limited"
	case NoBandwidth:
		return "NoBandwidth"
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// Limits of the configuration (BW-1, BW-4, BW-6, BW-7, BW-3).
const (
	MaxLimitKbps         = 100000000 // upper bound of a Limited value
	DefaultPerCallKbps   = 1920      // suggested value when a per-call limit is switched to Limited
	DefaultTotalKbps     = 500000    // suggested value when a total limit is switched to Limited
	DefaultCallKbps      = 384       // Bandwidth Default
	MinDefaultCallKbps   = 64
	MaxDefaultCallKbps   = 65535
	MaxPipes             = 1000
	MaxLinks             = 3000
	MaxSubzones          = 1000
	MaxNameLen           = 50
	MaxPipesPerLink      = 2
	unlimitedKbps        = math.MaxInt64
	defaultReservedLease = 60 // seconds a lost peer's reservations survive (BW-20)
)

// Limit is one bandwidth limit: a mode and, when Limited, a value in kbps.
// The zero Limit is Unlimited.
type Limit struct {
	Mode Mode
	Kbps int64
}

// Limit constructors.
var (
	// NoLimit is the Unlimited limit.
	NoLimit = Limit{}
	// Nothing is the NoBandwidth limit.
	Nothing = Limit{Mode: NoBandwidth}
)

// LimitOf returns a Limited limit of kbps.
func LimitOf(kbps int64) Limit { return Limit{Mode: Limited, Kbps: kbps} }

// ceiling returns the limit as a number: +inf for Unlimited, 0 for
// NoBandwidth.
func (l Limit) ceiling() int64 {
	switch l.Mode {
	case Limited:
		return l.Kbps
	case NoBandwidth:
		return 0
	}
	return unlimitedKbps
}

func (l Limit) validate(what string) error {
	switch l.Mode {
	case Unlimited, NoBandwidth:
		return nil
	case Limited:
		if l.Kbps < 1 || l.Kbps > MaxLimitKbps {
			return fmt.Errorf("%s: limit %d kbps out of range 1..%d", what, l.Kbps, MaxLimitKbps)
		}
		return nil
	}
	return fmt.Errorf("%s: unknown mode %d", what, l.Mode)
}

// String renders the limit as the status pages do.
func (l Limit) String() string {
	if l.Mode == Limited {
		return fmt.Sprintf("%d kbps", l.Kbps)
	}
	return l.Mode.String()
}
