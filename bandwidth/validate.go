package bandwidth

import (
	"errors"
	"fmt"
)

// Validate reports every fault of the configuration at once (BW-22):
// counts, name lengths, limit ranges, the default rate, pipes per link,
// unknown references, duplicate names, self links and zone-to-zone links.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	addErr := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	if c.DefaultKbps < MinDefaultCallKbps || c.DefaultKbps > MaxDefaultCallKbps {
		add("default bandwidth %d kbps out of range %d..%d", c.DefaultKbps, MinDefaultCallKbps, MaxDefaultCallKbps)
	}
	if c.MinKbps < 1 {
		add("minimum downspeed rate %d kbps must be at least 1", c.MinKbps)
	}
	if len(c.Subzones) > MaxSubzones {
		add("%d subzones: at most %d", len(c.Subzones), MaxSubzones)
	}
	if len(c.Pipes) > MaxPipes {
		add("%d pipes: at most %d", len(c.Pipes), MaxPipes)
	}
	if len(c.Links) > MaxLinks {
		add("%d links: at most %d", len(c.Links), MaxLinks)
	}

	// Nodes: name -> is zone.
	nodes := map[string]bool{DefaultSubzoneName: false, TraversalSubzoneName: false, DefaultZoneName: true}
	if c.Clustered {
		nodes[ClusterSubzoneName] = false
	}
	addErr(c.DefaultSubzone.Total.validate("DefaultSubzone total"))
	addErr(c.DefaultSubzone.Intra.validate("DefaultSubzone intra"))
	addErr(c.DefaultSubzone.Inter.validate("DefaultSubzone inter"))
	addErr(c.TraversalSubzone.Total.validate("TraversalSubzone total"))
	addErr(c.TraversalSubzone.PerCall.validate("TraversalSubzone per-call"))
	checkName := func(kind, name string) bool {
		if name == "" || len(name) > MaxNameLen {
			add("%s name %q: length must be 1..%d", kind, name, MaxNameLen)
			return false
		}
		return true
	}
	for _, s := range c.Subzones {
		if !checkName("subzone", s.Name) {
			continue
		}
		if _, dup := nodes[s.Name]; dup {
			add("subzone %q: duplicate node name", s.Name)
		}
		nodes[s.Name] = false
		addErr(s.Total.validate("subzone " + s.Name + " total"))
		addErr(s.Intra.validate("subzone " + s.Name + " intra"))
		addErr(s.Inter.validate("subzone " + s.Name + " inter"))
	}
	for _, z := range c.Zones {
		if !checkName("zone", z.Name) {
			continue
		}
		if _, dup := nodes[z.Name]; dup {
			add("zone %q: duplicate node name", z.Name)
		}
		nodes[z.Name] = true
	}

	pipes := make(map[string]bool, len(c.Pipes))
	for _, p := range c.Pipes {
		if !checkName("pipe", p.Name) {
			continue
		}
		if pipes[p.Name] {
			add("pipe %q: duplicate name", p.Name)
		}
		pipes[p.Name] = true
		addErr(p.Total.validate("pipe " + p.Name + " total"))
		addErr(p.PerCall.validate("pipe " + p.Name + " per-call"))
	}

	links := make(map[string]bool, len(c.Links))
	for _, l := range c.Links {
		if !checkName("link", l.Name) {
			continue
		}
		if links[l.Name] {
			add("link %q: duplicate name", l.Name)
		}
		links[l.Name] = true
		for _, n := range [2]string{l.Node1, l.Node2} {
			if len(n) > MaxNameLen {
				add("link %q: node name %q longer than %d", l.Name, n, MaxNameLen)
			} else if _, ok := nodes[n]; n != "" && !ok {
				add("link %q: node %q: %w", l.Name, n, ErrUnknownName)
			}
		}
		if l.Node1 != "" && l.Node1 == l.Node2 {
			add("link %q joins node %q to itself", l.Name, l.Node1)
		}
		if z1, z2 := nodes[l.Node1], nodes[l.Node2]; z1 && z2 {
			add("link %q: %w", l.Name, ErrZoneToZoneLink)
		}
		for _, p := range [2]string{l.Pipe1, l.Pipe2} {
			if len(p) > MaxNameLen {
				add("link %q: pipe name %q longer than %d", l.Name, p, MaxNameLen)
			} else if p != "" && !pipes[p] {
				add("link %q: pipe %q: %w", l.Name, p, ErrUnknownName)
			}
		}
		if l.Pipe1 != "" && l.Pipe1 == l.Pipe2 {
			add("link %q: pipe %q attached twice", l.Name, l.Pipe1)
		}
	}
	return errors.Join(errs...)
}
