package bandwidth

// plan is everything about a (source, destination, call type) that does not
// depend on usage: the route, the per-call ceiling and the charges. Plans
// are computed once per pair and cached by the Controller.
type plan struct {
	route       []string // node names, repeated where the route revisits
	links       []string
	pipes       []string
	perCall     int64 // P of BW-13
	noBandwidth bool  // some applicable limit is NoBandwidth (BW-15 step 1)
	charges     []Charge
}

// newPlan applies BW-11..BW-13 to a route.
func (t *topology) newPlan(src, dst int32, traversal bool) (*plan, bool) {
	var links, nodes []int32
	if traversal {
		l1, n1, ok1 := t.shortest(src, t.traversal, false)
		l2, n2, ok2 := t.shortest(t.traversal, dst, false)
		if !ok1 || !ok2 {
			return nil, false
		}
		links = append(l1, l2...)
		nodes = append(n1, n2[1:]...)
	} else {
		var ok bool
		if links, nodes, ok = t.shortest(src, dst, false); !ok {
			return nil, false
		}
	}

	p := &plan{perCall: unlimitedKbps}
	apply := func(l Limit) {
		if l.Mode == NoBandwidth {
			p.noBandwidth = true
		}
		if c := l.ceiling(); c < p.perCall {
			p.perCall = c
		}
	}
	// Charges are ordered: nodes in route order, then links, then pipes;
	// a key charged k times appears once with Times k (BW-12).
	times := make(map[string]int)
	charge := func(key string, limit Limit) {
		if i, seen := times[key]; seen {
			p.charges[i].Times++
			return
		}
		times[key] = len(p.charges)
		if limit.Mode == NoBandwidth {
			p.noBandwidth = true
		}
		p.charges = append(p.charges, Charge{Key: key, Times: 1, Limit: limit.ceiling()})
	}

	sameSubzone := src == dst
	traversalSeen := false
	for _, n := range nodes {
		nd := &t.nodes[n]
		p.route = append(p.route, nd.name)
		switch nd.kind {
		case kindZone, kindCluster:
			charge(nd.key, NoLimit) // status only (BW-3)
		case kindTraversal:
			charge(nd.key, nd.total)
			if !traversalSeen {
				apply(nd.per)
				traversalSeen = true
			}
		case kindSubzone:
			charge(nd.key, nd.total)
			switch {
			case (n == src || n == dst) && sameSubzone:
				apply(nd.intra)
			default: // an endpoint's subzone across nodes, or an intermediate (BW-13)
				apply(nd.inter)
			}
		}
	}
	pipeSeen := make(map[int32]bool)
	for _, li := range links {
		l := &t.links[li]
		p.links = append(p.links, l.name)
		charge(l.key, NoLimit)
		for _, pi := range l.pipes {
			pp := &t.pipes[pi]
			charge(pp.key, pp.total)
			apply(pp.perCall)
			if !pipeSeen[pi] {
				pipeSeen[pi] = true
				p.pipes = append(p.pipes, pp.name)
			}
		}
	}
	return p, true
}
