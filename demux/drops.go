package demux

import "sync/atomic"

// DropReason is why a packet was dropped (DMX-21).
type DropReason uint8

// Drop reasons.
const (
	DropUnknownID DropReason = iota
	DropTooShort
	DropBadID
	DropClassMismatch
	DropNotLatched
	DropNoSink
	numDropReasons
)

func (r DropReason) String() string {
	return [...]string{"unknown_id", "too_short", "bad_id", "class_mismatch", "not_latched", "no_sink"}[r]
}

// Drops counts dropped packets by reason.
type Drops [numDropReasons]uint64

type dropCounters [numDropReasons]atomic.Uint64

func (d *dropCounters) add(r DropReason) { d[r].Add(1) }

func (d *dropCounters) snapshot() Drops {
	var s Drops
	for i := range d {
		s[i] = d[i].Load()
	}
	return s
}
