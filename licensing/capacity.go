package licensing

import "fmt"

// Platform is a system size (LIC-31).
type Platform uint8

// Platforms.
const (
	Small Platform = iota // Small VM (M5-based BE6000)
	Medium
	Large
	CE1200
	CE1100 // partial: registration figures only
)

func (p Platform) String() string {
	switch p {
	case Small:
		return "Small VM"
	case Medium:
		return "Medium VM"
	case Large:
		return "Large VM"
	case CE1200:
		return "CE1200"
	case CE1100:
		return "CE1100"
	}
	return fmt.Sprintf("Platform(%d)", uint8(p))
}

// Capacity is the guideline capacity of a node or cluster (LIC-31, LIC-32).
// A zero figure means the seed gives none.
type Capacity struct {
	Registrations    int // room + desktop registrations
	VideoCalls       int // non-MRA video calls
	MRAVideoCalls    int // video calls when all are MRA (Small VM: 20)
	AudioCalls       int
	RMS              int // RMS licences the platform can carry
	MRARegistrations int // MRA (proxied) registrations
	TURNRelays       int // with TURN port multiplexing on Large / CE1200
}

var standalone = map[Platform]Capacity{
	CE1200: {5000, 500, 500, 1000, 500, 5000, 6000},
	Large:  {5000, 500, 500, 1000, 500, 2500, 6000},
	Medium: {2500, 100, 100, 200, 100, 2500, 1800},
	Small:  {2000, 40, 20, 40, 75, 200, 1800},
	CE1100: {Registrations: 5000, MRARegistrations: 2500},
}

// StandaloneCapacity returns the capacity of one node (LIC-31).
func StandaloneCapacity(p Platform) (Capacity, error) {
	c, ok := standalone[p]
	if !ok {
		return Capacity{}, fmt.Errorf("%w: %v", ErrUnknownPlatform, p)
	}
	return c, nil
}

// ClusterFactor is how many peers' capacity a cluster of peers has: at
// most 4 (peers 5 and 6 add resilience), and 1 on a Small VM, where
// clustering is redundancy only (LIC-32).
func ClusterFactor(p Platform, peers int) (int, error) {
	if peers < 1 || peers > 6 {
		return 0, fmt.Errorf("%w: %d", ErrClusterSize, peers)
	}
	if p == Small {
		return 1, nil
	}
	return min(peers, 4), nil
}

// ClusterCapacity returns the capacity of a cluster of peers nodes of one
// platform (LIC-32).
func ClusterCapacity(p Platform, peers int) (Capacity, error) {
	c, err := StandaloneCapacity(p)
	if err != nil {
		return Capacity{}, err
	}
	f, err := ClusterFactor(p, peers)
	if err != nil {
		return Capacity{}, err
	}
	return Capacity{c.Registrations * f, c.VideoCalls * f, c.MRAVideoCalls * f, c.AudioCalls * f,
		c.RMS * f, c.MRARegistrations * f, c.TURNRelays * f}, nil
}

// Units is a node's physical capacity in units (LIC-30): the node has
// AudioCalls units; an audio-only call costs 1, a video call Video units
// and an MRA video call MRAVideo units.
type Units struct {
	Total    int
	Video    int
	MRAVideo int
	Audio    int
}

// PhysicalUnits returns the unit model of a platform (LIC-30).
func PhysicalUnits(p Platform) (Units, error) {
	c, err := StandaloneCapacity(p)
	if err != nil {
		return Units{}, err
	}
	if c.AudioCalls == 0 || c.VideoCalls == 0 {
		return Units{}, fmt.Errorf("%w: %v has no call capacity figures", ErrUnknownPlatform, p)
	}
	return Units{Total: c.AudioCalls, Video: c.AudioCalls / c.VideoCalls, MRAVideo: c.AudioCalls / c.MRAVideoCalls, Audio: 1}, nil
}

// B2BUALimit is the most concurrent calls through the encryption/ICE B2BUA
// on one node: 500 on Large systems (Large VM and CE1200), else 100
// (LIC-33).
func B2BUALimit(p Platform) int {
	if p == Large || p == CE1200 {
		return 500
	}
	return 100
}

// Traversal media port sizing (LIC-34).
const (
	MediaPortsPerCall   = 48 // 8 ports x 6 allocations
	DefaultMediaPortLow = 36000
	DefaultMediaPortHi  = 59999
)

// NominalTraversalCalls is the nominal concurrent traversal call count of
// a platform (LIC-34).
func NominalTraversalCalls(p Platform) int {
	switch p {
	case Small:
		return 75
	case Medium:
		return 100
	}
	return 500
}

// MediaPortRangeShort reports whether a media port range of size ports is
// smaller than 48 ports per licensed RMS (LIC-34 warning).
func MediaPortRangeShort(ports, rms int) bool { return ports < MediaPortsPerCall*rms }

// Multitenant sizing constants (LIC-36), informational.
const (
	MultitenantSharedEPeers          = 6
	MultitenantSharedMRARegs         = 10000
	MultitenantSharedVideo           = 2000
	MultitenantSharedAudio           = 4000
	MultitenantMaxCustomers          = 50
	MultitenantPerCustomerRegs       = 200
	MultitenantPerCustomerVideo      = 40
	MultitenantPerCustomerAudio      = 80
	MultitenantDedicatedCRegs        = 2500
	MultitenantDedicatedCVideo       = 100
	MultitenantDedicatedCAudio       = 200
	MultitenantUseCase1Users         = 500
	MultitenantUseCase1MRAPercent    = 40
	MultitenantUseCase2Users         = 200
	MultitenantUseCase2MRAPercent    = 100
	ResourceWarningActivationDefault = 90
)
