package licensing

import (
	"fmt"
	"slices"
	"time"
)

// Role is the kind of box a node is.
type Role uint8

// Roles. RoleCGateway is an Expressway-C acting as the Microsoft gateway
// (B2BUA).
const (
	RoleC Role = iota
	RoleE
	RoleCGateway
)

func (r Role) String() string {
	switch r {
	case RoleC:
		return "Expressway-C"
	case RoleE:
		return "Expressway-E"
	case RoleCGateway:
		return "Expressway-C (Lync Gateway)"
	}
	return fmt.Sprintf("Role(%d)", uint8(r))
}

// Profile selects which keys take effect (LIC-4).
type Profile uint8

// Key profiles.
const (
	// Current is X12.6 and later / CE1200: only RMS, Desktop, Room, Advanced
	// Account Security and Microsoft Interoperability keys have effect.
	Current Profile = iota
	// Legacy honours every key of the LIC-3 table.
	Legacy
)

// Licences are licence counts: the pooled kinds of LIC-7 and TURN.
type Licences struct {
	RMS     int
	Room    int
	Desktop int
	TURN    int
}

// Add returns the sum of two counts.
func (l Licences) Add(o Licences) Licences {
	return Licences{l.RMS + o.RMS, l.Room + o.Room, l.Desktop + o.Desktop, l.TURN + o.TURN}
}

// Alarm is a raised or lowered alarm or event of the product.
type Alarm struct {
	ID     int    // product alarm id (30001..30046), 0 for events
	Name   string // short description, or the event name
	Level  string // Warning, Error, Alert, Critical; or "1" for level-1 events
	Raised bool   // false when the condition cleared
	Detail string
}

// KeySet is the option keys installed on one peer, in installation order
// (LIC-5, LIC-6). The zero value is empty and ready.
type KeySet struct {
	keys []slot
}

type slot struct {
	index int
	key   Key
}

// Install adds a key at the next free CLI index (1..64; 0 past that: the
// key is stored and listed but only the first MaxEffectiveKeys count). It
// reports whether the key needs a restart to take effect (alarm 30025).
func (s *KeySet) Install(k Key) (restartRequired bool) {
	used := make(map[int]bool, len(s.keys))
	for _, sl := range s.keys {
		used[sl.index] = true
	}
	idx := 0
	for i := 1; i <= MaxKeyIndex; i++ {
		if !used[i] {
			idx = i
			break
		}
	}
	s.keys = append(s.keys, slot{idx, k})
	return options[k.Option].restart
}

// InstallAt writes a key at CLI index 1..64, overwriting (and removing) the
// key that held the index.
func (s *KeySet) InstallAt(index int, k Key) (restartRequired bool, err error) {
	if index < 1 || index > MaxKeyIndex {
		return false, fmt.Errorf("licensing: key index %d out of range 1..%d", index, MaxKeyIndex)
	}
	s.keys = slices.DeleteFunc(s.keys, func(sl slot) bool { return sl.index == index })
	s.keys = append(s.keys, slot{index, k})
	return options[k.Option].restart, nil
}

// Keys lists every installed key in installation order, effective or not.
func (s *KeySet) Keys() []Key {
	out := make([]Key, len(s.keys))
	for i, sl := range s.keys {
		out[i] = sl.key
	}
	return out
}

// Effective returns the keys that take effect at now on a box of role r
// under profile p: the first MaxEffectiveKeys installed, minus expired keys,
// release keys, keys not valid on the role (a TURN key on C raises alarm
// 30009, LIC-8) and keys the profile does not honour (LIC-4).
func (s *KeySet) Effective(now time.Time, r Role, p Profile, alarm func(Alarm)) []Key {
	var out []Key
	for i, sl := range s.keys {
		if i >= MaxEffectiveKeys {
			break
		}
		k := sl.key
		info := options[k.Option]
		switch {
		case k.Release:
			continue
		case !k.Expires.IsZero() && !now.Before(k.Expires):
			continue
		case p == Current && !info.current:
			continue
		}
		onThisRole := (r == RoleE && info.onE) || (r != RoleE && info.onC)
		if !onThisRole {
			if k.Option == OptTURN && r != RoleE && alarm != nil {
				alarm(Alarm{ID: 30009, Name: "TURN relay licenses not valid on Expressway-C", Level: "Warning", Raised: true})
			}
			continue
		}
		out = append(out, k)
	}
	return out
}

// Licences sums the counts of the effective keys (see Effective).
func (s *KeySet) Licences(now time.Time, r Role, p Profile) Licences {
	var l Licences
	for _, k := range s.Effective(now, r, p, nil) {
		switch k.Option {
		case OptRMS:
			l.RMS += k.Count
		case OptRoom:
			l.Room += k.Count
		case OptDesktop:
			l.Desktop += k.Count
		case OptTURN:
			l.TURN += k.Count
		}
	}
	return l
}

// Features returns the effective feature keys, sorted.
func (s *KeySet) Features(now time.Time, r Role, p Profile) []Option {
	var out []Option
	for _, k := range s.Effective(now, r, p, nil) {
		if k.Option.Feature() && !slices.Contains(out, k.Option) {
			out = append(out, k.Option)
		}
	}
	slices.Sort(out)
	return out
}

// CheckFeatureKeys reports a mismatch when cluster peers do not hold the
// identical set of feature keys (LIC-7; a validation warning).
func CheckFeatureKeys(peers map[string][]Option) error {
	var ref []Option
	var refPeer string
	names := make([]string, 0, len(peers))
	for n := range peers {
		names = append(names, n)
	}
	slices.Sort(names)
	for i, n := range names {
		set := slices.Clone(peers[n])
		slices.Sort(set)
		if i == 0 {
			ref, refPeer = set, n
			continue
		}
		if !slices.Equal(set, ref) {
			return fmt.Errorf("%w: %s has %v, %s has %v", ErrFeatureKeyMismatch, n, set, refPeer, ref)
		}
	}
	return nil
}
