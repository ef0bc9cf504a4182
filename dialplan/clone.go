package dialplan

import "slices"

// Clone returns a deep copy of c: changing the copy's slices never changes
// c. The engine keeps a clone of the Config it compiled, so callers may go
// on editing theirs.
func (c Config) Clone() Config {
	out := c
	out.Transforms = slices.Clone(c.Transforms)
	out.SearchRules = slices.Clone(c.SearchRules)
	out.Zones = slices.Clone(c.Zones)
	for i := range out.Zones {
		out.Zones[i].Registrations = slices.Clone(c.Zones[i].Registrations)
	}
	out.Subzones = slices.Clone(c.Subzones)
	for i := range out.Subzones {
		out.Subzones[i].Subnets = slices.Clone(c.Subzones[i].Subnets)
	}
	out.PolicyServices = slices.Clone(c.PolicyServices)
	for i := range out.PolicyServices {
		out.PolicyServices[i].Servers = slices.Clone(c.PolicyServices[i].Servers)
	}
	out.LocalRegistrations = slices.Clone(c.LocalRegistrations)
	out.CallPolicyRules = slices.Clone(c.CallPolicyRules)
	out.System.Peers = slices.Clone(c.System.Peers)
	out.System.Domains = slices.Clone(c.System.Domains)
	return out
}
