package bandwidth

import (
	"fmt"
	"strconv"
)

// Names of the built-in nodes and default links (BW-3, BW-8).
const (
	DefaultSubzoneName   = "DefaultSubzone"
	TraversalSubzoneName = "TraversalSubzone"
	ClusterSubzoneName   = "ClusterSubzone"
	DefaultZoneName      = "DefaultZone"

	LinkDefaultToTraversal = "DefaultSZtoTraversalSZ"
	LinkDefaultToZone      = "DefaultSZtoDefaultZ"
	LinkTraversalToZone    = "TraversalSZtoDefaultZ"
	LinkDefaultToCluster   = "DefaultSZtoClusterSZ"
)

// ZoneKind is the kind of a zone; it decides which links a new zone gets
// (BW-8). Zones carry no limits of their own (BW-3).
type ZoneKind uint8

// Zone kinds.
const (
	NeighborZone ZoneKind = iota
	TraversalClientZone
	TraversalServerZone
	DNSZone
	ENUMZone
	DefaultZoneKind
)

// Subzone is a manual subzone or the Default Subzone with its limits
// (BW-5). The zero limits are Unlimited.
type Subzone struct {
	Name  string
	Total Limit // all concurrent bandwidth to, from or within the subzone
	Intra Limit // one call with both endpoints in the subzone
	Inter Limit // one call between the subzone and another node
}

// TraversalSubzone holds the limits of the Traversal Subzone (BW-5).
type TraversalSubzone struct {
	Total   Limit // all concurrent traversal calls
	PerCall Limit // one traversal call
}

// Zone is a zone node: reachable over links, limited only by pipes.
type Zone struct {
	Name string
	Kind ZoneKind
}

// Pipe is a bandwidth-limited network segment attached to links (BW-6).
type Pipe struct {
	Name    string
	Total   Limit // sum over all calls on all links the pipe is on
	PerCall Limit // any one call on those links
}

// Link joins two nodes and carries at most two pipes (BW-7). A link with an
// empty node name is kept but ignored for routing. Links are ordered by
// creation: their position in Config.Links breaks ties between routes of
// equal length (BW-10).
type Link struct {
	Name  string
	Node1 string
	Node2 string
	Pipe1 string
	Pipe2 string
}

// Config is the bandwidth configuration of a node or cluster (BW-1..BW-8).
// Build one with [NewConfig] so that the default links exist, edit it with
// its methods or directly, and check it with Validate.
type Config struct {
	// DefaultKbps is used when the initiator gave no bandwidth and is the
	// minimum of interworked calls (BW-1). 64..65535, default 384.
	DefaultKbps int64
	// DownspeedPerCall and DownspeedTotal choose downspeeding (true) or
	// rejection (false) when a per-call or total limit is exceeded (BW-2).
	DownspeedPerCall bool
	DownspeedTotal   bool
	// MinKbps is the lowest rate a total-limit downspeed may grant
	// (BW-15; our decision, default 1).
	MinKbps int64

	// Clustered adds the Cluster Subzone and its default link (BW-3, BW-8).
	Clustered bool

	DefaultSubzone   Subzone // Name is always DefaultSubzoneName
	TraversalSubzone TraversalSubzone
	Subzones         []Subzone // manual subzones, at most MaxSubzones
	Zones            []Zone    // besides the Default Zone
	Pipes            []Pipe
	Links            []Link
}

// NewConfig returns the fresh configuration of BW-1/BW-8 (vector B-01):
// default rate 384 kbps, both downspeed modes On, every limit Unlimited and
// the default links.
func NewConfig(clustered bool) Config {
	c := Config{
		DefaultKbps:      DefaultCallKbps,
		DownspeedPerCall: true,
		DownspeedTotal:   true,
		MinKbps:          1,
		Clustered:        clustered,
		DefaultSubzone:   Subzone{Name: DefaultSubzoneName},
	}
	c.DefaultLinksAdd()
	return c
}

// DefaultLinksAdd re-creates the default links that are missing and leaves
// the others alone, like xCommand DefaultLinksAdd (BW-8).
func (c *Config) DefaultLinksAdd() {
	want := []Link{
		{Name: LinkDefaultToTraversal, Node1: DefaultSubzoneName, Node2: TraversalSubzoneName},
		{Name: LinkDefaultToZone, Node1: DefaultSubzoneName, Node2: DefaultZoneName},
		{Name: LinkTraversalToZone, Node1: TraversalSubzoneName, Node2: DefaultZoneName},
	}
	if c.Clustered {
		want = append(want, Link{Name: LinkDefaultToCluster, Node1: DefaultSubzoneName, Node2: ClusterSubzoneName})
	}
	for _, l := range want {
		if c.linkIndex(l.Name) < 0 {
			c.Links = append(c.Links, l)
		}
	}
}

// AddSubzone adds a manual subzone and its automatic links to the Default
// and Traversal Subzones (BW-8).
func (c *Config) AddSubzone(s Subzone) {
	c.Subzones = append(c.Subzones, s)
	c.autoLink(s.Name, DefaultSubzoneName)
	c.autoLink(s.Name, TraversalSubzoneName)
}

// AddZone adds a zone and its automatic links: traversal client and server
// zones link to the Traversal Subzone only, other zones to the Default and
// Traversal Subzones (BW-8).
func (c *Config) AddZone(z Zone) {
	c.Zones = append(c.Zones, z)
	if z.Kind != TraversalClientZone && z.Kind != TraversalServerZone {
		c.autoLink(z.Name, DefaultSubzoneName)
	}
	c.autoLink(z.Name, TraversalSubzoneName)
}

// AddPipe adds a pipe.
func (c *Config) AddPipe(p Pipe) { c.Pipes = append(c.Pipes, p) }

// AddLink adds a link.
func (c *Config) AddLink(l Link) { c.Links = append(c.Links, l) }

// DeleteLink removes the named link; it reports whether one was removed.
func (c *Config) DeleteLink(name string) bool {
	i := c.linkIndex(name)
	if i < 0 {
		return false
	}
	c.Links = append(c.Links[:i], c.Links[i+1:]...)
	return true
}

// DeletePipe removes the named pipe. A pipe still attached to a link is
// not removed: the error wraps ErrPipeInUse (BW-6).
func (c *Config) DeletePipe(name string) error {
	for _, l := range c.Links {
		if l.Pipe1 == name || l.Pipe2 == name {
			return fmt.Errorf("pipe %q is on link %q: %w", name, l.Name, ErrPipeInUse)
		}
	}
	for i, p := range c.Pipes {
		if p.Name == name {
			c.Pipes = append(c.Pipes[:i], c.Pipes[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("pipe %q: %w", name, ErrUnknownName)
}

// DeleteNode removes a manual subzone or a zone together with its links.
func (c *Config) DeleteNode(name string) bool {
	found := false
	for i, s := range c.Subzones {
		if s.Name == name {
			c.Subzones = append(c.Subzones[:i], c.Subzones[i+1:]...)
			found = true
			break
		}
	}
	if !found {
		for i, z := range c.Zones {
			if z.Name == name {
				c.Zones = append(c.Zones[:i], c.Zones[i+1:]...)
				found = true
				break
			}
		}
	}
	if !found {
		return false
	}
	kept := c.Links[:0]
	for _, l := range c.Links {
		if l.Node1 != name && l.Node2 != name {
			kept = append(kept, l)
		}
	}
	c.Links = kept
	return true
}

// autoLink adds a link named <a>To<b>, made unique with a numeric suffix
// (BW-8; the naming is our decision).
func (c *Config) autoLink(a, b string) {
	base := a + "To" + b
	name := clip(base, "")
	for n := 2; c.linkIndex(name) >= 0; n++ {
		name = clip(base, strconv.Itoa(n))
	}
	c.Links = append(c.Links, Link{Name: name, Node1: a, Node2: b})
}

func (c *Config) linkIndex(name string) int {
	for i, l := range c.Links {
		if l.Name == name {
			return i
		}
	}
	return -1
}

// clip returns base+suffix cut to MaxNameLen, keeping the suffix.
func clip(base, suffix string) string {
	if len(base)+len(suffix) > MaxNameLen {
		base = base[:MaxNameLen-len(suffix)]
	}
	return base + suffix
}

// AttachPipe puts a pipe on the first free pipe slot of a link. A link has
// at most two pipes (BW-7): a third is refused.
func (c *Config) AttachPipe(link, pipe string) error {
	i := c.linkIndex(link)
	if i < 0 {
		return fmt.Errorf("link %q: %w", link, ErrUnknownName)
	}
	l := &c.Links[i]
	switch {
	case l.Pipe1 == "":
		l.Pipe1 = pipe
	case l.Pipe2 == "":
		l.Pipe2 = pipe
	default:
		return fmt.Errorf("link %q already has pipes %q and %q: at most %d per link", link, l.Pipe1, l.Pipe2, MaxPipesPerLink)
	}
	return nil
}
