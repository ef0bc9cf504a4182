package bandwidth

import (
	"errors"
	"fmt"
)

// Configuration errors.
var (
	ErrPipeInUse      = errors.New("bandwidth: pipe is in use by a link")
	ErrUnknownName    = errors.New("bandwidth: unknown name")
	ErrZoneToZoneLink = errors.New("bandwidth: links between two zones are not supported")
)

// Admission errors. An [*AdmissionError] wraps one of the first four, so
// callers branch with errors.Is.
var (
	ErrNoRoute         = errors.New("bandwidth: no chain of links between the nodes")
	ErrNoBandwidth     = errors.New("bandwidth: a limit on the route is NoBandwidth")
	ErrPerCallExceeded = errors.New("bandwidth: request exceeds the per-call limit")
	ErrTotalExceeded   = errors.New("bandwidth: not enough total bandwidth left")
	ErrConfigMismatch  = errors.New("bandwidth: peer bandwidth configuration differs from the cluster's")
	ErrUnknownCall     = errors.New("bandwidth: unknown call")
	ErrDuplicateCall   = errors.New("bandwidth: call already admitted")
	ErrConflict        = errors.New("bandwidth: usage changed during the reservation")
	ErrInvalidRequest  = errors.New("bandwidth: invalid request")
)

// Reason is why a call was not admitted (BW-15, BW-16).
type Reason uint8

// Reasons.
const (
	ReasonNone Reason = iota
	ReasonNoRoute
	ReasonNoBandwidth
	ReasonPerCallExceeded
	ReasonTotalExceeded
)

var reasonErr = [...]error{nil, ErrNoRoute, ErrNoBandwidth, ErrPerCallExceeded, ErrTotalExceeded}

// String names the reason as CheckBandwidth reports it.
func (r Reason) String() string {
	switch r {
	case ReasonNone:
		return "OK"
	case ReasonNoRoute:
		return "NoRoute"
	case ReasonNoBandwidth:
		return "NoBandwidth"
	case ReasonPerCallExceeded:
		return "PerCallExceeded"
	case ReasonTotalExceeded:
		return "TotalExceeded"
	}
	return fmt.Sprintf("Reason(%d)", uint8(r))
}

// AdmissionError is a refused admission: the reason, where it was decided
// and the figures involved. Signalling layers map it to an ARJ/LRJ reason or
// SIP 503 (BW-16).
type AdmissionError struct {
	Reason    Reason
	From, To  string
	Requested int64 // kbps asked for (after the default rule)
	Available int64 // kbps that could have been granted, if any
}

func (e *AdmissionError) Error() string {
	return fmt.Sprintf("bandwidth: call %s -> %s at %d kbps refused: %s (available %d kbps)",
		e.From, e.To, e.Requested, e.Reason, e.Available)
}

// Unwrap returns the sentinel of the reason.
func (e *AdmissionError) Unwrap() error {
	if int(e.Reason) < len(reasonErr) {
		return reasonErr[e.Reason]
	}
	return nil
}
