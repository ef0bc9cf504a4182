package demux

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Size is the system size; it decides the demultiplexing layout (DMX-4,
// DMX-5).
type Size uint8

// System sizes.
const (
	Small Size = iota
	Medium
	Large
)

func (s Size) String() string {
	switch s {
	case Small:
		return "Small"
	case Medium:
		return "Medium"
	case Large:
		return "Large"
	}
	return fmt.Sprintf("Size(%d)", uint8(s))
}

// Port budget of a traversal call (DMX-2).
const (
	PortsPerAllocation = 8  // 3 RTP/RTCP pairs, BFCP, H.224
	PortsPerCall       = 48 // 8 ports x 6 instances
	LargeDemuxPairs    = 6
)

// Defaults of the traversal media port range (DMX-1).
const (
	DefaultStart uint16 = 36000
	DefaultEnd   uint16 = 59999
)

// AllocationsPerCall is the number of allocation instances of a call: 2,
// or 6 when it goes through the local B2BUA (DMX-2, DMX-12).
func AllocationsPerCall(viaB2BUA bool) int {
	if viaB2BUA {
		return 6
	}
	return 2
}

// RequiredPorts is the range size needed for rms concurrent traversal
// calls: 48 x rms (DMX-3).
func RequiredPorts(rms int) int { return PortsPerCall * rms }

// Pair is an RTP port and its RTCP port.
type Pair struct {
	RTP, RTCP uint16
}

func (p Pair) String() string { return fmt.Sprintf("%d/%d", p.RTP, p.RTCP) }

// RangeConfig is the traversal media port configuration (DMX-1, DMX-4,
// DMX-5, DMX-22).
type RangeConfig struct {
	Start, End uint16
	Size       Size
	// UseConfiguredDemuxPorts selects DemuxRTP/DemuxRTCP as the shared
	// pair on Small/Medium systems; ignored on Large (DMX-5, DMX-7).
	UseConfiguredDemuxPorts bool
	DemuxRTP, DemuxRTCP     uint16
}

// DefaultRangeConfig is the shipped configuration for a size.
func DefaultRangeConfig(s Size) RangeConfig {
	return RangeConfig{Start: DefaultStart, End: DefaultEnd, Size: s, DemuxRTP: DefaultStart, DemuxRTCP: DefaultStart + 1}
}

// ValidationError lists every fault of a configuration.
type ValidationError struct {
	Faults []string
}

func (e *ValidationError) Error() string {
	return "demux: invalid configuration: " + strings.Join(e.Faults, "; ")
}

// Validate reports every fault at once as a *ValidationError (DMX-1,
// DMX-5).
func (c RangeConfig) Validate() error {
	var f []string
	if c.Start < 1024 || c.Start > 65532 {
		f = append(f, fmt.Sprintf("start %d out of range 1024..65532", c.Start))
	}
	if c.Start%2 != 0 {
		f = append(f, fmt.Sprintf("start %d must be even", c.Start))
	}
	if c.End < 1025 || c.End > 65533 {
		f = append(f, fmt.Sprintf("end %d out of range 1025..65533", c.End))
	}
	if c.End%2 != 1 {
		f = append(f, fmt.Sprintf("end %d must be odd", c.End))
	}
	if c.Start >= c.End {
		f = append(f, fmt.Sprintf("start %d must be below end %d", c.Start, c.End))
	}
	if c.Size > Large {
		f = append(f, fmt.Sprintf("unknown size %d", c.Size))
	}
	if c.Size == Large && int(c.End)-int(c.Start)+1 < 2*LargeDemuxPairs {
		f = append(f, "a Large system needs at least 12 ports for its demultiplexing pairs")
	}
	if c.Size != Large && c.UseConfiguredDemuxPorts {
		if c.DemuxRTP < 1024 || c.DemuxRTCP < 1024 {
			f = append(f, fmt.Sprintf("demultiplexing ports %d/%d must be in 1024..65535", c.DemuxRTP, c.DemuxRTCP))
		}
		if c.DemuxRTP == c.DemuxRTCP {
			f = append(f, "demultiplexing RTP and RTCP ports must differ")
		}
	}
	if len(f) > 0 {
		return &ValidationError{Faults: f}
	}
	return nil
}

// DemuxPairs returns the shared pairs: six at the start of the range on
// Large systems, the configured pair on Small/Medium when
// UseConfiguredDemuxPorts, else the range's first pair (DMX-4, DMX-5).
func (c RangeConfig) DemuxPairs() []Pair {
	if c.Size == Large {
		ps := make([]Pair, LargeDemuxPairs)
		for i := range ps {
			ps[i] = Pair{c.Start + uint16(2*i), c.Start + uint16(2*i) + 1}
		}
		return ps
	}
	if c.UseConfiguredDemuxPorts {
		return []Pair{{c.DemuxRTP, c.DemuxRTCP}}
	}
	return []Pair{{c.Start, c.Start + 1}}
}

// reserved reports the ports of the range withheld from per-leg
// allocation: the demux pairs that lie inside it (DMX-7).
func (c RangeConfig) reserved() []uint16 {
	var r []uint16
	for _, p := range c.DemuxPairs() {
		for _, port := range []uint16{p.RTP, p.RTCP} {
			if port >= c.Start && port <= c.End {
				r = append(r, port)
			}
		}
	}
	return r
}

// Allocatable is the number of ports per-leg allocation can hand out.
func (c RangeConfig) Allocatable() int {
	return int(c.End) - int(c.Start) + 1 - len(c.reserved())
}

// Alarm is a raised alarm.
type Alarm struct {
	ID     int
	Name   string
	Detail string
}

// InsufficientPorts returns alarm 45019 when the whole range (demux pairs
// included) is smaller than 48 ports per licensed RMS (DMX-3).
func (c RangeConfig) InsufficientPorts(licensedRMS int) (Alarm, bool) {
	size := int(c.End) - int(c.Start) + 1
	if need := RequiredPorts(licensedRMS); size < need {
		return Alarm{ID: 45019, Name: "Insufficient media ports",
			Detail: fmt.Sprintf("range has %d ports, %d licensed calls need %d", size, licensedRMS, need)}, true
	}
	return Alarm{}, false
}

// ErrRestartRequired: the change takes effect only after a restart
// (DMX-6).
var ErrRestartRequired = errors.New("demux: change takes effect after a restart")

// Relayout compares a running configuration with a new one (DMX-6). It
// returns the shared pairs before and after. A change of
// UseConfiguredDemuxPorts (or of the configured ports) returns
// ErrRestartRequired: listeners keep their ports until restart. A size
// change also returns ErrRestartRequired together with the changed pairs.
func Relayout(running, next RangeConfig) (before, after []Pair, err error) {
	if err := next.Validate(); err != nil {
		return nil, nil, err
	}
	before, after = running.DemuxPairs(), next.DemuxPairs()
	if !slices.Equal(before, after) || running.UseConfiguredDemuxPorts != next.UseConfiguredDemuxPorts {
		return before, after, ErrRestartRequired
	}
	return before, after, nil
}

// PortRange is a configured port range of one transport protocol, for the
// overlap checks of ValidateRanges.
type PortRange struct {
	Name       string
	TCP        bool
	Start, End uint16
}

// ValidateRanges checks every configured range against every other one
// (traversal, TURN, B2BUA, RDP TCP, RDP UDP...; DMX-12): a range with
// start > end is an error, and two ranges of the same protocol that
// overlap are an error (alarm 55029 for the B2BUA range). UDP against TCP
// is allowed. It returns every fault and the alarms to raise.
func ValidateRanges(rs ...PortRange) ([]Alarm, error) {
	var faults []string
	var alarms []Alarm
	for i, a := range rs {
		if a.Start > a.End {
			faults = append(faults, fmt.Sprintf("%s: start %d after end %d", a.Name, a.Start, a.End))
			if a.Name == "B2BUA" {
				alarms = append(alarms, Alarm{ID: 55028, Name: "B2BUA media port range start and end inconsistent"})
			}
			continue
		}
		for _, b := range rs[i+1:] {
			if a.TCP != b.TCP || b.Start > b.End || a.End < b.Start || b.End < a.Start {
				continue
			}
			faults = append(faults, fmt.Sprintf("%s %d-%d overlaps %s %d-%d", a.Name, a.Start, a.End, b.Name, b.Start, b.End))
			if a.Name == "B2BUA" || b.Name == "B2BUA" {
				alarms = append(alarms, Alarm{ID: 55029, Name: "B2BUA media port range overlaps another range"})
			}
		}
	}
	if len(faults) > 0 {
		return alarms, &ValidationError{Faults: faults}
	}
	return alarms, nil
}
