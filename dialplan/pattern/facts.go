package pattern

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// MaxDomains is the number of SIP domains the system may hold (line 8052),
// hence the highest N in %localdomainN%.
const MaxDomains = 200

// Peer holds the LAN addresses of one cluster peer. An unset address is the
// zero netip.Addr.
type Peer struct {
	LAN1IPv4 netip.Addr `yaml:"lan1_ipv4,omitempty" json:"lan1_ipv4,omitzero"`
	LAN2IPv4 netip.Addr `yaml:"lan2_ipv4,omitempty" json:"lan2_ipv4,omitzero"`
	LAN1IPv6 netip.Addr `yaml:"lan1_ipv6,omitempty" json:"lan1_ipv6,omitzero"`
	LAN2IPv6 netip.Addr `yaml:"lan2_ipv6,omitempty" json:"lan2_ipv6,omitzero"`
}

// Facts are the system facts that pattern variables expand to (DP-18). A
// change to them means every pattern that uses a variable must be compiled
// again (DP-19).
type Facts struct {
	// SystemName is %systemname%.
	SystemName string `yaml:"system_name,omitempty" json:"system_name,omitempty"`
	// Peers are the cluster peers, this system included; a standalone
	// system has one.
	Peers []Peer `yaml:"peers,omitempty" json:"peers,omitempty"`
	// LocalPeer is the index in Peers of this system; replace strings use
	// its addresses.
	LocalPeer int `yaml:"local_peer,omitempty" json:"local_peer,omitempty"`
	// Domains are the SIP domains; Domains[0] is %localdomain1%.
	Domains []string `yaml:"domains,omitempty" json:"domains,omitempty"`
}

// Validate reports every fault in f at once.
func (f *Facts) Validate() error {
	var errs []error
	if len(f.Domains) > MaxDomains {
		errs = append(errs, fmt.Errorf("domains: %d domains, at most %d allowed", len(f.Domains), MaxDomains))
	}
	for i, d := range f.Domains {
		if d == "" || hasControl(d) {
			errs = append(errs, fmt.Errorf("domains[%d]: empty or contains control characters", i))
		}
	}
	if hasControl(f.SystemName) {
		errs = append(errs, errors.New("system_name: contains control characters"))
	}
	if len(f.Peers) > 0 && (f.LocalPeer < 0 || f.LocalPeer >= len(f.Peers)) {
		errs = append(errs, fmt.Errorf("local_peer: %d is not an index into %d peers", f.LocalPeer, len(f.Peers)))
	}
	for i, p := range f.Peers {
		for _, c := range []struct {
			name string
			a    netip.Addr
			v4   bool
		}{{"lan1_ipv4", p.LAN1IPv4, true}, {"lan2_ipv4", p.LAN2IPv4, true}, {"lan1_ipv6", p.LAN1IPv6, false}, {"lan2_ipv6", p.LAN2IPv6, false}} {
			if c.a.IsValid() && c.a.Is4() != c.v4 {
				errs = append(errs, fmt.Errorf("peers[%d].%s: %s is the wrong address family", i, c.name, c.a))
			}
		}
	}
	return errors.Join(errs...)
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}

// Variable kinds, as returned by Facts.Lookup.
type varKind uint8

const (
	varIP varKind = iota
	varIPv4
	varIPv6
	varIPv4_1
	varIPv4_2
	varIPv6_1
	varIPv6_2
	varSystemName
	varLocalDomains
	varLocalDomainN
)

var fixedVars = map[string]varKind{
	"ip": varIP, "ipv4": varIPv4, "ipv6": varIPv6,
	"ipv4_1": varIPv4_1, "ipv4_2": varIPv4_2, "ipv6_1": varIPv6_1, "ipv6_2": varIPv6_2,
	"systemname": varSystemName, "localdomains": varLocalDomains,
}

// parseVar recognises a variable name (without the % signs,
// case-insensitively, DP-7). n is the domain index for %localdomainN%.
func parseVar(name string) (k varKind, n int, ok bool) {
	l := strings.ToLower(name)
	if k, ok := fixedVars[l]; ok {
		return k, 0, true
	}
	if d, found := strings.CutPrefix(l, "localdomain"); found && d != "" && d[0] != '0' {
		n, err := strconv.Atoi(d)
		if err == nil && n >= 1 && n <= MaxDomains {
			return varLocalDomainN, n, true
		}
	}
	return 0, 0, false
}

// IsVariable reports whether name (without the % signs) is a pattern
// variable, case-insensitively: ip, ipv4, ipv6, ipv4_1, ipv4_2, ipv6_1,
// ipv6_2, systemname, localdomains, localdomain1..localdomain200.
func IsVariable(name string) bool {
	_, _, ok := parseVar(name)
	return ok
}

// MatchValues returns what variable name (without the % signs) stands for
// in a pattern: every value it matches, without duplicates, in a stable
// order. Unset values are left out; a variable with no values matches
// nothing. ok is false for an unknown name.
func (f *Facts) MatchValues(name string) (values []string, ok bool) {
	k, n, ok := parseVar(name)
	if !ok {
		return nil, false
	}
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			values = append(values, s)
		}
	}
	addr := func(a netip.Addr) {
		if a.IsValid() {
			add(a.String())
		}
	}
	for _, p := range f.Peers {
		switch k {
		case varIP:
			addr(p.LAN1IPv4)
			addr(p.LAN2IPv4)
			addr(p.LAN1IPv6)
			addr(p.LAN2IPv6)
		case varIPv4:
			addr(p.LAN1IPv4)
			addr(p.LAN2IPv4)
		case varIPv6:
			addr(p.LAN1IPv6)
			addr(p.LAN2IPv6)
		case varIPv4_1:
			addr(p.LAN1IPv4)
		case varIPv4_2:
			addr(p.LAN2IPv4)
		case varIPv6_1:
			addr(p.LAN1IPv6)
		case varIPv6_2:
			addr(p.LAN2IPv6)
		}
	}
	switch k {
	case varSystemName:
		add(f.SystemName)
	case varLocalDomains:
		for _, d := range f.Domains {
			add(d)
		}
	case varLocalDomainN:
		if n <= len(f.Domains) {
			add(f.Domains[n-1])
		}
	}
	return values, true
}

// ErrVariableNotAllowed is returned (wrapped) for a variable that has no
// meaning in a replace string: %ip%, %ipv4%, %ipv6% and %localdomains%
// (DP-6, DP-18).
var ErrVariableNotAllowed = errors.New("variable not allowed in a replace string")

// ReplaceValue returns what variable name stands for in a replace string:
// the local peer's address for the %ipvN_M% variables, the system name, or
// the domain at that index. An unset value is "" (the caller records a
// warning). ok is false for an unknown name; err wraps ErrVariableNotAllowed
// for a variable that replace strings may not use.
func (f *Facts) ReplaceValue(name string) (value string, ok bool, err error) {
	k, n, ok := parseVar(name)
	if !ok {
		return "", false, nil
	}
	var local Peer
	if f.LocalPeer >= 0 && f.LocalPeer < len(f.Peers) {
		local = f.Peers[f.LocalPeer]
	}
	str := func(a netip.Addr) string {
		if a.IsValid() {
			return a.String()
		}
		return ""
	}
	switch k {
	case varIP, varIPv4, varIPv6, varLocalDomains:
		return "", true, fmt.Errorf("%%%s%%: %w", name, ErrVariableNotAllowed)
	case varIPv4_1:
		return str(local.LAN1IPv4), true, nil
	case varIPv4_2:
		return str(local.LAN2IPv4), true, nil
	case varIPv6_1:
		return str(local.LAN1IPv6), true, nil
	case varIPv6_2:
		return str(local.LAN2IPv6), true, nil
	case varSystemName:
		return f.SystemName, true, nil
	default: // varLocalDomainN
		if n <= len(f.Domains) {
			return f.Domains[n-1], true, nil
		}
		return "", true, nil
	}
}

// scanVar looks for a variable token starting at s[i] == '%'. It returns the
// name and the index just past the closing '%'. ok is false when there is no
// closing '%' or the text between is not a name made of letters, digits and
// '_' (the token is then literal text).
func scanVar(s string, i int) (name string, end int, ok bool) {
	j := i + 1
	for j < len(s) {
		c := s[j]
		if c == '%' {
			if j == i+1 {
				return "", 0, false
			}
			return s[i+1 : j], j + 1, true
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return "", 0, false
		}
		j++
	}
	return "", 0, false
}
