package bandwidth

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

type nodeKind uint8

const (
	kindSubzone nodeKind = iota
	kindTraversal
	kindCluster
	kindZone
)

// node is a compiled subzone or zone.
type node struct {
	name  string
	kind  nodeKind
	total Limit // Subzone Total or Traversal Subzone Total
	intra Limit
	inter Limit
	per   Limit // Traversal Subzone PerCall
	key   string
}

type edge struct {
	to   int32
	link int32 // index in topology.links, i.e. creation order
}

type link struct {
	name  string
	pipes []int32
	key   string
}

type pipe struct {
	name    string
	total   Limit
	perCall Limit
	key     string
}

// topology is the immutable graph compiled from a validated Config.
type topology struct {
	nodes     []node
	index     map[string]int32
	adj       [][]edge // per node, ordered by link index
	links     []link
	pipes     []pipe
	traversal int32
	hash      string
}

func compile(cfg *Config) *topology {
	t := &topology{index: make(map[string]int32)}
	addNode := func(n node) {
		n.key = "node:" + n.name
		t.index[n.name] = int32(len(t.nodes))
		t.nodes = append(t.nodes, n)
	}
	ds := cfg.DefaultSubzone
	addNode(node{name: DefaultSubzoneName, kind: kindSubzone, total: ds.Total, intra: ds.Intra, inter: ds.Inter})
	addNode(node{name: TraversalSubzoneName, kind: kindTraversal, total: cfg.TraversalSubzone.Total, per: cfg.TraversalSubzone.PerCall})
	t.traversal = 1
	if cfg.Clustered {
		addNode(node{name: ClusterSubzoneName, kind: kindCluster})
	}
	addNode(node{name: DefaultZoneName, kind: kindZone})
	for _, s := range cfg.Subzones {
		addNode(node{name: s.Name, kind: kindSubzone, total: s.Total, intra: s.Intra, inter: s.Inter})
	}
	for _, z := range cfg.Zones {
		addNode(node{name: z.Name, kind: kindZone})
	}
	pipeIdx := make(map[string]int32, len(cfg.Pipes))
	for _, p := range cfg.Pipes {
		pipeIdx[p.Name] = int32(len(t.pipes))
		t.pipes = append(t.pipes, pipe{name: p.Name, total: p.Total, perCall: p.PerCall, key: "pipe:" + p.Name})
	}
	t.adj = make([][]edge, len(t.nodes))
	for _, l := range cfg.Links {
		li := int32(len(t.links))
		cl := link{name: l.Name, key: "link:" + l.Name}
		for _, p := range [2]string{l.Pipe1, l.Pipe2} {
			if p != "" {
				cl.pipes = append(cl.pipes, pipeIdx[p])
			}
		}
		t.links = append(t.links, cl)
		a, okA := t.index[l.Node1]
		b, okB := t.index[l.Node2]
		if !okA || !okB || a == b {
			continue // a link with an empty node name is ignored for routing (BW-7)
		}
		t.adj[a] = append(t.adj[a], edge{to: b, link: li})
		t.adj[b] = append(t.adj[b], edge{to: a, link: li})
	}
	t.hash = configHash(cfg)
	return t
}

// configHash fingerprints everything that affects admission, so cluster
// peers can tell that they share one configuration (BW-20).
func configHash(cfg *Config) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d|%t|%t|%d|%t|%v|%v\n", cfg.DefaultKbps, cfg.DownspeedPerCall, cfg.DownspeedTotal,
		cfg.MinKbps, cfg.Clustered, cfg.DefaultSubzone, cfg.TraversalSubzone)
	for _, s := range cfg.Subzones {
		fmt.Fprintf(h, "s%v\n", s)
	}
	for _, z := range cfg.Zones {
		fmt.Fprintf(h, "z%v\n", z)
	}
	for _, p := range cfg.Pipes {
		fmt.Fprintf(h, "p%v\n", p)
	}
	for _, l := range cfg.Links {
		fmt.Fprintf(h, "l%v\n", l)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// shortest returns the links of the route with the fewest links from src to
// dst, ties broken by the lexicographically smallest sequence of link
// indexes (BW-10). Zones are never intermediate nodes, and neither is the
// Traversal Subzone unless viaTraversal. ok is false when no chain exists
// (BW-9).
func (t *topology) shortest(src, dst int32, viaTraversal bool) (links, nodes []int32, ok bool) {
	if src == dst {
		return nil, []int32{src}, true
	}
	canPass := func(n int32) bool {
		k := t.nodes[n].kind
		return k != kindZone && (viaTraversal || k != kindTraversal)
	}
	dist := make([]int32, len(t.nodes))
	for i := range dist {
		dist[i] = -1
	}
	dist[dst] = 0
	queue := []int32{dst}
	for len(queue) > 0 && dist[src] < 0 {
		u := queue[0]
		queue = queue[1:]
		if u != dst && !canPass(u) {
			continue
		}
		for _, e := range t.adj[u] {
			if dist[e.to] < 0 {
				dist[e.to] = dist[u] + 1
				queue = append(queue, e.to)
			}
		}
	}
	if dist[src] < 0 {
		return nil, nil, false
	}
	nodes = append(nodes, src)
	for u := src; u != dst; {
		for _, e := range t.adj[u] { // ordered by link index
			if dist[e.to] == dist[u]-1 && (e.to == dst || canPass(e.to)) {
				links = append(links, e.link)
				nodes = append(nodes, e.to)
				u = e.to
				break
			}
		}
	}
	return links, nodes, true
}
