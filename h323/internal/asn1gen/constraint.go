package main

import (
	"fmt"
	"math"
	"sort"
)

// irange is an inclusive range; a nil bound is unbounded.
type irange struct {
	lo, hi *int64
	ext    bool
}

// cset is the effect of a constraint on the three PER-visible dimensions:
// the value range (INTEGER), the size (strings and lists) and the permitted
// alphabet (known-multiplier strings). A nil dimension is unconstrained.
type cset struct {
	rng   *irange
	size  *irange
	alpha *string
}

func i64(v int64) *int64 { return &v }

func intersectRange(a, b *irange) *irange {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	r := &irange{lo: a.lo, hi: a.hi, ext: b.ext}
	if b.lo != nil && (r.lo == nil || *b.lo > *r.lo) {
		r.lo = b.lo
	}
	if b.hi != nil && (r.hi == nil || *b.hi < *r.hi) {
		r.hi = b.hi
	}
	return r
}

func unionRange(a, b *irange) *irange {
	if a == nil || b == nil {
		return nil
	}
	r := &irange{lo: a.lo, hi: a.hi, ext: a.ext || b.ext}
	if a.lo == nil || b.lo == nil {
		r.lo = nil
	} else if *b.lo < *r.lo {
		r.lo = b.lo
	}
	if a.hi == nil || b.hi == nil {
		r.hi = nil
	} else if *b.hi > *r.hi {
		r.hi = b.hi
	}
	return r
}

func intersectAlpha(a, b *string) *string {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	var out []byte
	for i := 0; i < len(*a); i++ {
		for j := 0; j < len(*b); j++ {
			if (*a)[i] == (*b)[j] {
				out = append(out, (*a)[i])
				break
			}
		}
	}
	s := string(out)
	return &s
}

func unionAlpha(a, b *string) *string {
	if a == nil || b == nil {
		return nil
	}
	s := *a + *b
	return &s
}

func (s *schema) intersect(a, b cset) cset {
	return cset{intersectRange(a.rng, b.rng), intersectRange(a.size, b.size), intersectAlpha(a.alpha, b.alpha)}
}

// evalConstraint evaluates one parenthesised constraint. alphabet selects
// the reading of string values: characters of a permitted alphabet.
func (s *schema) evalConstraint(c *constraint, alphabet bool) (cset, error) {
	if c.Root == nil {
		return cset{}, nil // "(...)" alone
	}
	r, err := s.evalElem(c.Root, alphabet)
	if err != nil {
		return cset{}, err
	}
	if c.Ext {
		// The extension marker makes the dimensions it constrains extensible;
		// additional elements are not PER-visible.
		if r.rng != nil {
			cp := *r.rng
			cp.ext = true
			r.rng = &cp
		}
	}
	return r, nil
}

func (s *schema) evalElem(e *celem, alphabet bool) (cset, error) {
	switch e.Op {
	case "ignored":
		return cset{}, nil
	case "range":
		if alphabet {
			if !e.Lo.IsStr || !e.Hi.IsStr || len(e.Lo.Str) != 1 || len(e.Hi.Str) != 1 {
				return cset{}, fmt.Errorf("alphabet range must join single characters")
			}
			var b []byte
			for c := e.Lo.Str[0]; c <= e.Hi.Str[0]; c++ {
				b = append(b, c)
				if c == 0xFF {
					break
				}
			}
			str := string(b)
			return cset{alpha: &str}, nil
		}
		r := &irange{}
		if !e.Lo.Min {
			if e.Lo.IsStr {
				return cset{}, fmt.Errorf("string bound in a value range")
			}
			r.lo = i64(e.Lo.Num)
		}
		if !e.Hi.Max {
			if e.Hi.IsStr {
				return cset{}, fmt.Errorf("string bound in a value range")
			}
			r.hi = i64(e.Hi.Num)
		}
		return cset{rng: r}, nil
	case "value":
		if e.Lo.IsStr {
			if alphabet {
				str := e.Lo.Str
				return cset{alpha: &str}, nil
			}
			return cset{}, nil // a single string value is not PER-visible
		}
		if e.Lo.Min || e.Lo.Max {
			return cset{}, fmt.Errorf("MIN or MAX as a single value")
		}
		return cset{rng: &irange{lo: i64(e.Lo.Num), hi: i64(e.Lo.Num)}}, nil
	case "size":
		inner, err := s.evalConstraint(e.Inner, false)
		if err != nil {
			return cset{}, err
		}
		if inner.rng == nil {
			return cset{}, nil
		}
		return cset{size: inner.rng}, nil
	case "from":
		inner, err := s.evalConstraint(e.Inner, true)
		if err != nil {
			return cset{}, err
		}
		return cset{alpha: inner.alpha}, nil
	case "type":
		base, cons, _, err := s.chain(e.Type)
		if err != nil {
			return cset{}, err
		}
		_ = base
		return s.effective(cons)
	case "intersection":
		var r cset
		for i, k := range e.Kids {
			v, err := s.evalElem(k, alphabet)
			if err != nil {
				return cset{}, err
			}
			if i == 0 {
				r = v
			} else {
				r = s.intersect(r, v)
			}
		}
		return r, nil
	case "union":
		var r cset
		for i, k := range e.Kids {
			v, err := s.evalElem(k, alphabet)
			if err != nil {
				return cset{}, err
			}
			if i == 0 {
				r = v
				continue
			}
			r = cset{unionRange(r.rng, v.rng), unionRange(r.size, v.size), unionAlpha(r.alpha, v.alpha)}
		}
		return r, nil
	}
	return cset{}, fmt.Errorf("unknown constraint element %q", e.Op)
}

// effective combines serially applied constraints (innermost first) into
// the effective PER-visible constraint (X.691 9.3).
func (s *schema) effective(cons []*constraint) (cset, error) {
	var r cset
	for _, c := range cons {
		v, err := s.evalConstraint(c, false)
		if err != nil {
			return cset{}, err
		}
		r = s.intersect(r, v)
	}
	if r.alpha != nil {
		b := []byte(*r.alpha)
		sort.Slice(b, func(i, j int) bool { return b[i] < b[j] })
		str := string(b)
		r.alpha = &str
	}
	return r, nil
}

// perSize converts a size dimension to the runtime's per.Size literal fields.
func perSize(r *irange) (lo, hi int, ext bool, err error) {
	if r == nil {
		return 0, -1, false, nil
	}
	lo, hi = 0, -1
	if r.lo != nil {
		if *r.lo < 0 {
			return 0, 0, false, fmt.Errorf("negative size bound")
		}
		lo = int(*r.lo)
	}
	if r.hi != nil {
		if *r.hi > math.MaxInt32 {
			return 0, 0, false, fmt.Errorf("size bound too large")
		}
		hi = int(*r.hi)
	}
	return lo, hi, r.ext, nil
}
