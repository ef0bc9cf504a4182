package turn

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"runtime"
	"strings"
	"time"

	"github.com/pion/dtls/v3"
)

// Network is a client transport.
type Network string

// Client transports.
const (
	UDP  Network = "udp"
	TCP  Network = "tcp"
	TLS  Network = "tls"
	DTLS Network = "dtls"
)

// Listener is one client-facing listening address.
type Listener struct {
	Network Network
	Addr    netip.AddrPort
	// TLS is required for TLS listeners, DTLS for DTLS listeners.
	TLS  *tls.Config
	DTLS *dtls.Config
}

// Size is the system size; it decides the default relay capacity
// (TURN-12).
type Size uint8

// System sizes.
const (
	Small Size = iota
	Medium
	Large
)

// MaxRelaysFor is the relay capacity of a node of size s (TURN-12): 1800
// on Small and Medium, 6000 on Large.
func MaxRelaysFor(s Size) int {
	if s == Large {
		return 6000
	}
	return 1800
}

// ClusterRelays is the relay capacity of a cluster (TURN-13): per node x
// min(peers, 4); Small VMs gain nothing from clustering.
func ClusterRelays(s Size, peers int) int {
	if s == Small {
		return MaxRelaysFor(s)
	}
	return MaxRelaysFor(s) * min(max(peers, 1), 4)
}

// Defaults (TURN-5, TURN-15, TURN-18, TURN-19, TURN-22..TURN-24).
const (
	DefaultPort                  = 3478
	DefaultRealm                 = "TANDBERG"
	DefaultRelayPortMin          = 24000
	DefaultRelayPortMax          = 29999
	DefaultNonceLifetime         = 600 * time.Second
	DefaultAllocationLifetime    = 600 * time.Second
	MaxAllocationLifetime        = 3600 * time.Second
	DefaultPermissionLifetime    = 300 * time.Second
	DefaultChannelLifetime       = 600 * time.Second
	ChannelRebindQuarantine      = 300 * time.Second
	ReservationLifetime          = 30 * time.Second
	ConnectionBindTimeout        = 30 * time.Second
	DefaultSoftware              = "Causeway TURN"
	MinChannel, MaxChannel       = 0x4000, 0x7FFF
	traversalMediaStart          = 36000
	traversalMediaEnd            = 59999
	maxRealmLength               = 128
	defaultApproachingPercentage = 90
)

// ClusterView reports the free relays of the other cluster peers, for the
// 300 Try Alternate redirect of a full node (TURN-14).
type ClusterView interface {
	// Peers returns each peer's TURN address and free relay count, in peer
	// index order.
	Peers() []PeerLoad
}

// PeerLoad is one cluster peer's TURN address and free relays.
type PeerLoad struct {
	Addr netip.AddrPort
	Free int
}

// Event is a relay lifecycle event (TURN-29).
type Event struct {
	Name     string // "Relay Allocated", "Relay Deleted", "Relay Expired"
	Level    int
	Username string
	Client   netip.AddrPort
	Relay    netip.AddrPort
}

// Role is the node's role in a traversal pair (TURN-1).
type Role uint8

// Roles. The zero value is the Expressway-E (traversal server) role, the
// only one that offers TURN.
const (
	RoleE Role = iota // traversal server (Expressway-E): offers TURN
	RoleC             // traversal client (Expressway-C): refuses Start
)

func (r Role) String() string {
	switch r {
	case RoleE:
		return "E"
	case RoleC:
		return "C"
	}
	return fmt.Sprintf("Role(%d)", uint8(r))
}

// Config configures a Server. The zero value of a field means its
// default; Validate reports every fault at once.
type Config struct {
	// Role is the node's role (default RoleE). A RoleC node refuses Start
	// with ErrWrongRole (TURN-1).
	Role Role
	// TURNOptionKey reports that a TURN relay option key is installed.
	// It is not needed on an E node (since X8.11); on a C node it is
	// ignored and raises alarm 30009 at Start.
	TURNOptionKey bool

	// Listeners are the client-facing addresses; default one UDP and one
	// TCP listener on 0.0.0.0:3478.
	Listeners []Listener
	// ReadersPerUDPListener opens that many SO_REUSEPORT sockets per UDP
	// listener, one reader each (default 2 on Linux).
	ReadersPerUDPListener int
	// Pollers is how many goroutines wait (epoll on Linux) for the UDP
	// listener and relay sockets and relay what arrives (default
	// GOMAXPROCS/2, at least 1). A wake-up of a poller reads a batch
	// from every ready socket and sends it on; one poller relays well
	// over 50 000 packets/s, and the other cores are left to the kernel's
	// network work and to the rest of the process.
	Pollers int
	// NoSegmentationOffload turns off UDP generic segmentation offload
	// (Linux 4.18+, UDP_SEGMENT) for relayed datagrams. With it on, the
	// datagrams of one batch bound for one address — a client's
	// ChannelData, a peer's relayed payloads — leave as one segmented send,
	// so the kernel routes and transmits them once; receivers see the
	// same datagrams. A route that cannot segment is detected on the first
	// send and served datagram by datagram.
	NoSegmentationOffload bool
	// ListenerBuffer and RelayBuffer are the SO_RCVBUF/SO_SNDBUF sizes of
	// the UDP listener and relay sockets (default 4 MiB and 256 KiB; the
	// kernel caps them at net.core.rmem_max/wmem_max; -1 keeps the
	// system default). Bursts beyond the buffer are lost.
	ListenerBuffer, RelayBuffer int

	// RelayAddress is the local IPv4 address relays bind on;
	// RelayAddress6 the IPv6 one (optional, RFC 6156). PublicAddress is
	// advertised in XOR-RELAYED-ADDRESS behind static NAT (TURN-16).
	RelayAddress  netip.Addr
	RelayAddress6 netip.Addr
	PublicAddress netip.Addr
	// RelayPortMin..RelayPortMax is the relay range (default
	// 24000-29999, TURN-15).
	RelayPortMin, RelayPortMax uint16

	// Realm is sent in challenges (default "TANDBERG", TURN-19).
	Realm string
	// Credentials gives long-term keys; required unless NoAuth.
	Credentials CredentialStore
	// NoAuth disables authentication (tests; TURN-18 "Authentication
	// Mode: Off").
	NoAuth bool
	// NonceSecret signs nonces (random when empty); NonceLifetime is how
	// long a nonce is valid before 438 (default 600 s).
	NonceSecret   []byte
	NonceLifetime time.Duration

	// Size sets the default MaxRelays (TURN-12).
	Size Size
	// MaxRelays caps concurrent allocations (508 beyond; default by Size).
	MaxRelays int
	// UserQuota caps allocations per username (486 beyond; 0 = none).
	UserQuota int
	// Alternates and Cluster name where to redirect (300) when full.
	Alternates []netip.AddrPort
	Cluster    ClusterView

	AllocationLifetime    time.Duration // default 600 s
	MaxAllocationLifetime time.Duration // default 3600 s
	PermissionLifetime    time.Duration // default 300 s
	ChannelLifetime       time.Duration // default 600 s

	// BandwidthCap limits each allocation's relayed bytes per second in
	// each direction (0 = none).
	BandwidthCap int

	// AllowedPeers are always relayable; DeniedPeers never. By default
	// loopback, unspecified, multicast, link-local and private (RFC 1918,
	// RFC 4193) peers are denied, so a relay cannot reach into the
	// server's own network.
	AllowedPeers []netip.Prefix
	DeniedPeers  []netip.Prefix

	// TCPAllocations enables RFC 6062 TCP relays (Connect, ConnectionBind).
	TCPAllocations bool

	// Software is the SOFTWARE attribute (default "Causeway TURN"; "-"
	// sends none).
	Software string
	// DSCP marks relayed media (default 34, the Video mark; -1 none;
	// TURN-31).
	DSCP *int

	Logger  *slog.Logger
	OnEvent func(Event)
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// Errors of configuration and lifecycle.
var (
	ErrRangeTooSmall = errors.New("turn: relay port range smaller than MaxRelays")
	ErrClosed        = errors.New("turn: server closed")
	// ErrWrongRole: TURN is offered only by a node in the E role (TURN-1).
	ErrWrongRole = errors.New("turn: TURN services are only available on a node in the E (traversal server) role")
	// ErrRestartRequired: Reconfigure kept the configuration as pending;
	// it takes effect at Restart (TURN-3).
	ErrRestartRequired = errors.New("turn: configuration stored; it takes effect when the server restarts")
	// ErrAlreadyStarted: Start on a running server.
	ErrAlreadyStarted = errors.New("turn: already started")
)

// withDefaults returns cfg with every zero field at its default.
func (c Config) withDefaults() Config {
	if len(c.Listeners) == 0 {
		c.Listeners = []Listener{
			{Network: UDP, Addr: netip.AddrPortFrom(netip.IPv4Unspecified(), DefaultPort)},
			{Network: TCP, Addr: netip.AddrPortFrom(netip.IPv4Unspecified(), DefaultPort)},
		}
	}
	if c.ReadersPerUDPListener <= 0 {
		c.ReadersPerUDPListener = 2
	}
	if c.Pollers <= 0 {
		c.Pollers = max(1, runtime.GOMAXPROCS(0)/2)
	}
	if c.ListenerBuffer == 0 {
		c.ListenerBuffer = 4 << 20
	}
	if c.RelayBuffer == 0 {
		c.RelayBuffer = 256 << 10
	}
	if c.RelayPortMin == 0 && c.RelayPortMax == 0 {
		c.RelayPortMin, c.RelayPortMax = DefaultRelayPortMin, DefaultRelayPortMax
	}
	if c.Realm == "" {
		c.Realm = DefaultRealm
	}
	if c.NonceLifetime <= 0 {
		c.NonceLifetime = DefaultNonceLifetime
	}
	if c.MaxRelays <= 0 {
		c.MaxRelays = MaxRelaysFor(c.Size)
	}
	if c.AllocationLifetime <= 0 {
		c.AllocationLifetime = DefaultAllocationLifetime
	}
	if c.MaxAllocationLifetime <= 0 {
		c.MaxAllocationLifetime = MaxAllocationLifetime
	}
	if c.PermissionLifetime <= 0 {
		c.PermissionLifetime = DefaultPermissionLifetime
	}
	if c.ChannelLifetime <= 0 {
		c.ChannelLifetime = DefaultChannelLifetime
	}
	if c.Software == "" {
		c.Software = DefaultSoftware
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Validate reports every fault of the configuration at once.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	add := func(f string, a ...any) { errs = append(errs, fmt.Errorf("turn: "+f, a...)) }
	for i, l := range c.Listeners {
		switch l.Network {
		case UDP, TCP:
		case TLS:
			if l.TLS == nil {
				add("listener %d (%s): TLS needs a tls.Config", i, l.Addr)
			}
		case DTLS:
			if l.DTLS == nil {
				add("listener %d (%s): DTLS needs a dtls.Config", i, l.Addr)
			}
		default:
			add("listener %d: unknown network %q", i, l.Network)
		}
		if !l.Addr.IsValid() {
			add("listener %d: invalid address", i)
		}
	}
	if !c.RelayAddress.IsValid() && !c.RelayAddress6.IsValid() {
		add("a relay address (RelayAddress or RelayAddress6) is required")
	}
	if c.RelayAddress.IsValid() && !c.RelayAddress.Is4() {
		add("RelayAddress %s is not IPv4", c.RelayAddress)
	}
	if c.RelayAddress6.IsValid() && !c.RelayAddress6.Is6() {
		add("RelayAddress6 %s is not IPv6", c.RelayAddress6)
	}
	if c.RelayPortMin < 1024 || c.RelayPortMax < 1024 || c.RelayPortMin > 65534 || c.RelayPortMax > 65534 {
		add("relay ports %d-%d out of range 1024..65534", c.RelayPortMin, c.RelayPortMax)
	}
	if c.RelayPortMin > c.RelayPortMax {
		add("relay port start %d after end %d", c.RelayPortMin, c.RelayPortMax)
	} else if n := int(c.RelayPortMax) - int(c.RelayPortMin) + 1; n < c.MaxRelays {
		errs = append(errs, fmt.Errorf("turn: %d relay ports for %d relays: %w", n, c.MaxRelays, ErrRangeTooSmall))
	}
	if c.RelayPortMin <= traversalMediaEnd && c.RelayPortMax >= traversalMediaStart {
		add("relay range %d-%d overlaps the traversal media range %d-%d (alarm 55029)", c.RelayPortMin, c.RelayPortMax,
			traversalMediaStart, traversalMediaEnd)
	}
	if len(c.Realm) > maxRealmLength {
		add("realm longer than %d characters", maxRealmLength)
	}
	if c.Credentials == nil && !c.NoAuth {
		add("Credentials are required unless NoAuth")
	}
	if c.UserQuota < 0 {
		add("UserQuota %d is negative", c.UserQuota)
	}
	if c.MaxAllocationLifetime < c.AllocationLifetime {
		add("MaxAllocationLifetime %v below AllocationLifetime %v", c.MaxAllocationLifetime, c.AllocationLifetime)
	}
	if c.DSCP != nil && (*c.DSCP < -1 || *c.DSCP > 63) {
		add("DSCP %d out of range 0..63", *c.DSCP)
	}
	if c.Role != RoleE && c.Role != RoleC {
		add("unknown role %v", c.Role)
	}
	if c.BandwidthCap < 0 {
		add("BandwidthCap %d is negative", c.BandwidthCap)
	}
	return errors.Join(errs...)
}

// ServerRef is a TURN server offered to the B2BUA as a relay candidate
// (TURN-33).
type ServerRef struct {
	Address     netip.Addr
	Port        uint16
	Description string
	Username    string
	Password    string
}

// Alarm is a product alarm raised by validation.
type Alarm struct {
	ID     int
	Detail string
}

// ValidateServerRefs checks the B2BUA TURN server list: alarm 55019 for an
// invalid address, 55026 when TURN is offered with no valid server
// (TURN-33).
func ValidateServerRefs(offer bool, refs []ServerRef) []Alarm {
	var alarms []Alarm
	valid := 0
	for _, r := range refs {
		if !r.Address.IsValid() || r.Address.IsUnspecified() || r.Port == 0 {
			alarms = append(alarms, Alarm{ID: 55019, Detail: fmt.Sprintf("invalid TURN server %s:%d", r.Address, r.Port)})
			continue
		}
		valid++
	}
	if offer && valid == 0 {
		alarms = append(alarms, Alarm{ID: 55026, Detail: "TURN services offered but no valid TURN server configured"})
	}
	return alarms
}

// Classify443 tells a new connection on a TCP port shared between TURN
// and a web server apart by its first bytes (TURN-10): STUN (first two bits
// 0 and the magic cookie in bytes 4..7) is TURN; anything else (a TLS
// ClientHello 0x16, HTTP) is not. ChannelData cannot open a connection —
// its channel must first be bound by STUN on that connection — and its
// first byte range (0x40..0x7F) is ASCII, so "GET " would look like it;
// our decision is to route only STUN to TURN.
func Classify443(first []byte) (turn bool) {
	return len(first) >= 8 && first[0]&0xC0 == 0 && string(first[4:8]) == "\x21\x12\xa4\x42"
}

// RecommendedSRV lists the DNS SRV targets for the listeners (TURN-11):
// one _turn._udp / _turn._tcp record per listener port.
func RecommendedSRV(host string, ls []Listener) []string {
	var out []string
	for _, l := range ls {
		proto := "udp"
		if l.Network == TCP {
			proto = "tcp"
		} else if l.Network != UDP {
			continue
		}
		out = append(out, fmt.Sprintf("_turn._%s.%s. SRV 10 10 %d %s.", proto, strings.TrimSuffix(host, "."), l.Addr.Port(), strings.TrimSuffix(host, ".")))
	}
	return out
}
