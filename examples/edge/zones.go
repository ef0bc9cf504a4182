package main

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/causeway-edge/causeway/dialplan"
	"github.com/causeway-edge/causeway/sip/proxy"
	"go.yaml.in/yaml/v3"
)

// Neighbor is the SIP side of a configured zone: its next hop and the
// per-zone SIP behaviours, read from the zone's entry in zones: beside the
// dial plan's own keys (which the dial plan never sees).
type Neighbor struct {
	Address   string // host:port
	Transport string // udp | tcp | tls
	// Type is the zone's dial-plan type (ProxyToKnownOnly, SIP-59, SIP-81).
	Type dialplan.ZoneType
	// RFC3327 On (default) pushes Path on REGISTERs forwarded to the zone;
	// Off rewrites their Contacts instead (SIP-59).
	RFC3327 bool
	// PreloadedRoutes (preloaded_sip_routes: accept) lets an INVITE from
	// the zone follow its Route set whatever the proxy mode (SIP-81).
	PreloadedRoutes bool
	// Monitor sends OPTIONS to the zone's peer and stops routing to the
	// zone while it does not answer (SIP-90).
	Monitor bool
	// Rules are the zone's SIP-87/SIP-88 rewrites and SIP-101 refresh rule.
	Rules proxy.ZoneRules
}

// zoneSIPKeys are the zone keys the edge takes for itself.
var zoneSIPKeys = []string{"address", "transport", "rfc3327", "preloaded_sip_routes", "monitor_peer_status",
	"proxy_require_strip", "mime_strip", "update_strip", "udp_bfcp_filter", "udp_ix_filter", "update_refresh"}

// takeNeighbor moves the SIP keys of one zones: entry into c.Neighbors and
// leaves the dial plan's keys in the node.
func (c *Config) takeNeighbor(z *yaml.Node) error {
	if z.Kind != yaml.MappingNode {
		return nil
	}
	var (
		name string
		errs []error
	)
	nb := Neighbor{RFC3327: true, Transport: "udp"}
	keep := z.Content[:0:0]
	for i := 0; i+1 < len(z.Content); i += 2 {
		k, v := z.Content[i], z.Content[i+1]
		flag := func(dst *bool) {
			b, err := parseSwitch(v.Value)
			if err != nil {
				errs = append(errs, fmt.Errorf("zones[%s].%s: %w", name, k.Value, err))
			}
			*dst = b
		}
		switch k.Value {
		case "address":
			nb.Address = v.Value
		case "transport":
			nb.Transport = strings.ToLower(v.Value)
		case "rfc3327":
			flag(&nb.RFC3327)
		case "preloaded_sip_routes":
			switch strings.ToLower(v.Value) {
			case "accept", "on", "true", "yes":
				nb.PreloadedRoutes = true
			case "reject", "off", "false", "no":
			default:
				errs = append(errs, fmt.Errorf("zones[%s].preloaded_sip_routes: %q is not Accept or Reject", name, v.Value))
			}
		case "monitor_peer_status":
			flag(&nb.Monitor)
		case "proxy_require_strip":
			if len(v.Value) > 255 {
				errs = append(errs, fmt.Errorf("zones[%s].proxy_require_strip: longer than 255 characters", name))
			}
			for _, t := range strings.Split(v.Value, ",") {
				if t = strings.TrimSpace(t); t != "" {
					nb.Rules.ProxyRequireStrip = append(nb.Rules.ProxyRequireStrip, t)
				}
			}
		case "mime_strip":
			flag(&nb.Rules.MIMEStrip)
		case "update_strip":
			flag(&nb.Rules.UpdateStrip)
		case "udp_bfcp_filter":
			flag(&nb.Rules.UDPBFCPFilter)
		case "udp_ix_filter":
			flag(&nb.Rules.UDPIXFilter)
		case "update_refresh":
			flag(&nb.Rules.UpdateRefresh)
		default:
			switch k.Value {
			case "name":
				name = v.Value
			case "type":
				_ = nb.Type.UnmarshalText([]byte(v.Value)) // the dial plan reports a bad type
			}
			keep = append(keep, k, v)
		}
	}
	z.Content = keep
	nb.Rules.Zone = name
	if nb.Address == "" {
		return errors.Join(errs...)
	}
	c.Neighbors[name] = nb
	return errors.Join(errs...)
}

func (nb Neighbor) validate(name string) error {
	var errs []error
	if _, _, err := net.SplitHostPort(nb.Address); err != nil {
		errs = append(errs, fmt.Errorf("zones[%s].address: %v", name, err))
	}
	if nb.Transport != "udp" && nb.Transport != "tcp" && nb.Transport != "tls" {
		errs = append(errs, fmt.Errorf("zones[%s].transport: unknown transport %q", name, nb.Transport))
	}
	return errors.Join(errs...)
}

// known reports whether the zone is one ProxyToKnownOnly trusts: a
// Neighbor or a traversal zone (spec §2.15-4).
func (nb Neighbor) known() bool {
	return nb.Type == dialplan.Neighbor || nb.Type == dialplan.TraversalClient || nb.Type == dialplan.TraversalServer
}

// parseSwitch reads the product's On/Off (and YAML's true/false, yes/no).
func parseSwitch(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "on", "true", "yes":
		return true, nil
	case "off", "false", "no":
		return false, nil
	}
	return false, fmt.Errorf("%q is not On or Off", s)
}

// zoneIndex classifies peers into the configured zones by IP address.
type zoneIndex struct {
	byAddr  map[netip.Addr]string
	rulesBy map[netip.Addr]*proxy.ZoneRules
	zones   map[string]Neighbor
}

func newZoneIndex(neighbors map[string]Neighbor) *zoneIndex {
	zi := &zoneIndex{byAddr: map[netip.Addr]string{}, rulesBy: map[netip.Addr]*proxy.ZoneRules{}, zones: neighbors}
	for name, nb := range neighbors {
		if ap, err := netip.ParseAddrPort(nb.Address); err == nil {
			zi.byAddr[ap.Addr().Unmap()] = name
			r := nb.Rules
			zi.rulesBy[ap.Addr().Unmap()] = &r
		}
	}
	return zi
}

// zoneOf returns the name of the zone a peer address belongs to.
func (zi *zoneIndex) zoneOf(a netip.Addr) (string, bool) {
	name, ok := zi.byAddr[a.Unmap()]
	return name, ok
}

// rules returns the SIP-87/88 rules of the zone of a peer, nil for the
// Default Zone.
func (zi *zoneIndex) rules(a netip.Addr) *proxy.ZoneRules { return zi.rulesBy[a.Unmap()] }
