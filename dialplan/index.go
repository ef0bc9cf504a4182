package dialplan

import (
	"slices"
	"unicode/utf8"

	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// The index narrows thousands of patterns down to the few that can match an
// alias (spec §4.2): a hash of Exact literals, a trie of Prefix literals and
// a trie of reversed Suffix literals, all keyed on the case-folded text, and
// for regexes the same tries keyed on the literal prefix or suffix every
// match must have. Candidates are only candidates: the caller still runs the
// pattern, so the index may over-approximate but never miss.

// trie is a byte trie with sparse edges; node 0 is the root.
type trie struct {
	nodes []trieNode
}

type trieNode struct {
	ids  []int32
	keys []byte
	kids []int32
	// dense replaces keys/kids once a node has many children.
	dense *[256]int32
}

const denseAt = 12

func (t *trie) child(n int32, b byte) int32 {
	nd := &t.nodes[n]
	if nd.dense != nil {
		return nd.dense[b] - 1
	}
	for i, k := range nd.keys {
		if k == b {
			return nd.kids[i]
		}
	}
	return -1
}

func (t *trie) insert(key []byte, id int32) {
	if len(t.nodes) == 0 {
		t.nodes = append(t.nodes, trieNode{})
	}
	n := int32(0)
	for _, b := range key {
		c := t.child(n, b)
		if c < 0 {
			c = int32(len(t.nodes))
			t.nodes = append(t.nodes, trieNode{})
			nd := &t.nodes[n]
			if nd.dense != nil {
				nd.dense[b] = c + 1
			} else {
				nd.keys = append(nd.keys, b)
				nd.kids = append(nd.kids, c)
				if len(nd.keys) > denseAt {
					nd.dense = new([256]int32)
					for i, k := range nd.keys {
						nd.dense[k] = nd.kids[i] + 1
					}
					nd.keys, nd.kids = nil, nil
				}
			}
		}
		n = c
	}
	t.nodes[n].ids = append(t.nodes[n].ids, id)
}

// walk appends the ids of every key that is a prefix of key (forward) or,
// for a reversed trie, every key that is a suffix of key.
func (t *trie) walk(key []byte, reverse bool, out []int32) []int32 {
	if len(t.nodes) == 0 {
		return out
	}
	n := int32(0)
	out = append(out, t.nodes[0].ids...)
	for i := range key {
		b := key[i]
		if reverse {
			b = key[len(key)-1-i]
		}
		n = t.child(n, b)
		if n < 0 {
			return out
		}
		out = append(out, t.nodes[n].ids...)
	}
	return out
}

// patternIndex indexes compiled patterns by id.
type patternIndex struct {
	exact          map[string][]int32
	prefix, suffix trie
	// Regexes: by literal prefix or suffix when they have one (only for
	// ASCII aliases, see lookup), otherwise always candidates.
	rePrefix, reSuffix trie
	reAlways           []int32
	reAll              []int32
}

func newPatternIndex() *patternIndex {
	return &patternIndex{exact: map[string][]int32{}}
}

func (ix *patternIndex) add(id int32, p *pattern.Pattern) {
	switch p.Spec().Type {
	case pattern.Exact:
		for _, l := range p.Literals() {
			k := pattern.Fold(l)
			ix.exact[k] = append(ix.exact[k], id)
		}
	case pattern.Prefix:
		for _, l := range p.Literals() {
			ix.prefix.insert([]byte(pattern.Fold(l)), id)
		}
	case pattern.Suffix:
		for _, l := range p.Literals() {
			ix.suffix.insert(reversed(pattern.Fold(l)), id)
		}
	case pattern.Regex:
		ix.reAll = append(ix.reAll, id)
		pre, suf := p.Affixes()
		switch {
		case len(pre) >= len(suf) && pre != "":
			ix.rePrefix.insert([]byte(pattern.Fold(pre)), id)
		case suf != "":
			ix.reSuffix.insert(reversed(pattern.Fold(suf)), id)
		default:
			ix.reAlways = append(ix.reAlways, id)
		}
	}
}

func reversed(s string) []byte {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}

// lookup appends the candidate ids for alias (unsorted, possibly with
// duplicates). folded is the alias case-folded (appendFold).
func (ix *patternIndex) lookup(folded []byte, ascii bool, out []int32) []int32 {
	if ids, ok := ix.exact[string(folded)]; ok {
		out = append(out, ids...)
	}
	out = ix.prefix.walk(folded, false, out)
	out = ix.suffix.walk(folded, true, out)
	if !ascii {
		// The regex engine folds case a little differently from simple
		// folding for a few non-ASCII letters; do not trust the affixes.
		return append(out, ix.reAll...)
	}
	out = ix.rePrefix.walk(folded, false, out)
	out = ix.reSuffix.walk(folded, true, out)
	return append(out, ix.reAlways...)
}

// appendFold appends the simple case folding of s to buf and reports
// whether s is ASCII.
func appendFold(buf []byte, s string) ([]byte, bool) {
	start := len(buf)
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	if ascii {
		return buf, true
	}
	return appendFoldSlow(buf[:start], s), false
}

func appendFoldSlow(buf []byte, s string) []byte {
	for _, r := range s {
		buf = utf8.AppendRune(buf, pattern.FoldRune(r))
	}
	return buf
}

// sortIDs sorts ids in place and removes duplicates.
func sortIDs(ids []int32) []int32 {
	slices.Sort(ids)
	return slices.Compact(ids)
}
