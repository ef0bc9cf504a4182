package dialplan

import (
	"errors"
	"sort"
)

// ErrNoPrioritySlots is returned by AddTransform when shifting the existing
// transforms up would take a priority past 65534 (DP-25).
var ErrNoPrioritySlots = errors.New("dialplan: no free transform priority slots")

// AddTransform adds t the way the product's add command does (DP-25): if a
// transform already has t.Priority, every transform with a priority at or
// above it moves up by one first. If any would pass 65534 the config is
// left unchanged and the error is ErrNoPrioritySlots. Bulk loading
// (LoadConfig, Validate) refuses duplicate priorities instead.
func (c *Config) AddTransform(t Transform) error {
	if t.Priority < MinPriority || t.Priority > MaxPriority {
		return &FieldError{Field: "transforms[new].priority", Err: errPriorityRange(t.Priority)}
	}
	collide := false
	for _, x := range c.Transforms {
		if x.Priority == t.Priority {
			collide = true
			break
		}
	}
	if collide {
		for _, x := range c.Transforms {
			if x.Priority >= t.Priority && x.Priority+1 > MaxPriority {
				return ErrNoPrioritySlots
			}
		}
		for i := range c.Transforms {
			if c.Transforms[i].Priority >= t.Priority {
				c.Transforms[i].Priority++
			}
		}
	}
	c.Transforms = append(c.Transforms, t)
	sort.SliceStable(c.Transforms, func(a, b int) bool { return c.Transforms[a].Priority < c.Transforms[b].Priority })
	return nil
}

// DefaultRuleSet returns search rules that reproduce the product's default
// routing (DP-45): the Local Zone first (priority 50), then every neighbor
// and traversal zone (100), then every DNS and ENUM zone (150), all
// AnyAlias and Continue. The priorities are our decision; the seed
// describes the order but does not list the rules.
func DefaultRuleSet(zones []Zone) []SearchRule {
	rules := []SearchRule{{Name: "LocalZoneMatch", Priority: 50, TargetName: LocalZone}}
	for _, z := range zones {
		switch z.Type {
		case Neighbor, TraversalClient, TraversalServer:
			rules = append(rules, SearchRule{Name: z.Name + "Match", Priority: 100, TargetName: z.Name})
		}
	}
	for _, z := range zones {
		switch z.Type {
		case DNSZone, ENUMZone:
			rules = append(rules, SearchRule{Name: z.Name + "Match", Priority: 150, TargetName: z.Name})
		}
	}
	return rules
}
