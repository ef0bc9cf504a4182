package licensing

import (
	"sort"
	"strings"
	"sync"
	"time"
)

// LostPeerGrace is how long a peer that lost contact keeps its licences
// in the cluster pool (LIC-41).
const LostPeerGrace = 14 * 24 * time.Hour

// Pool is the cluster-wide pool of licence keys (LIC-7, LIC-40, LIC-41):
// the sum of every peer's licence counts, whichever peer holds them; a
// peer that lost contact keeps contributing for LostPeerGrace. It is safe
// for concurrent use; the zero value is empty and ready.
type Pool struct {
	mu    sync.Mutex
	peers map[string]*contribution
}

type contribution struct {
	lic  Licences
	lost time.Time // zero while in contact
}

// Set records the licences a peer holds (from its KeySet) and that it is
// in contact.
func (p *Pool) Set(peer string, l Licences) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.peers == nil {
		p.peers = make(map[string]*contribution)
	}
	p.peers[peer] = &contribution{lic: l}
}

// Lost records that a peer lost contact at t.
func (p *Pool) Lost(peer string, t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.peers[peer]; c != nil && c.lost.IsZero() {
		c.lost = t
	}
}

// Total returns the pooled licences at now.
func (p *Pool) Total(now time.Time) Licences {
	p.mu.Lock()
	defer p.mu.Unlock()
	var l Licences
	for _, c := range p.peers {
		if c.lost.IsZero() || now.Sub(c.lost) < LostPeerGrace {
			l = l.Add(c.lic)
		}
	}
	return l
}

// Alarms returns the lost-peer alarms in force at now (LIC-41): 30012/30013
// while less than a day has passed (one/several peers), 30014/30015 while
// within the grace period, and 30016/30017 once the licences were removed.
func (p *Pool) Alarms(now time.Time) []Alarm {
	p.mu.Lock()
	var hours, days, removed []string
	for name, c := range p.peers {
		if c.lost.IsZero() {
			continue
		}
		switch age := now.Sub(c.lost); {
		case age >= LostPeerGrace:
			removed = append(removed, name)
		case age >= 24*time.Hour:
			days = append(days, name)
		default:
			hours = append(hours, name)
		}
	}
	p.mu.Unlock()
	var out []Alarm
	add := func(peers []string, one, several int, name string) {
		if len(peers) == 0 {
			return
		}
		sort.Strings(peers)
		id := one
		if len(peers) > 1 {
			id = several
		}
		out = append(out, Alarm{ID: id, Name: name, Level: "Warning", Raised: true, Detail: strings.Join(peers, ", ")})
	}
	add(hours, 30012, 30013, "Cluster peer licences held (hours since contact lost)")
	add(days, 30014, 30015, "Cluster peer licences held (days since contact lost)")
	add(removed, 30016, 30017, "Cluster peer licences removed")
	return out
}
