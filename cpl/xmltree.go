package cpl

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// The XML layer turns a script into a small element tree that remembers
// where every element and attribute was written, and enforces the
// hardening rules before any CPL meaning is looked at (CPL-5, CPL-6, CPL-56,
// BX-13): UTF-8 only, no DOCTYPE or other declarations (so no entity
// expansion), bounded size, depth, element count, attribute count and
// attribute length, and no text where only elements belong.

const (
	nsCPL = "urn:ietf:params:xml:ns:cpl"
	nsTAA = "http://www.tandberg.net/cpl-extensions"
	nsXSI = "http://www.w3.org/2001/XMLSchema-instance"
)

type nsKind uint8

const (
	nsKindCPL nsKind = iota
	nsKindTAA
	nsKindOther
)

type xattr struct {
	space, local string
	value        string
	off          int  // byte offset of the attribute name in the source, -1 unknown
	valOff       int  // byte offset of the first byte of the value, -1 unknown
	verbatim     bool // the value is written without references, so offsets carry over
}

type xnode struct {
	ns     nsKind
	space  string // namespace URI as resolved
	local  string
	attrs  []xattr
	kids   []*xnode
	parent *xnode
	off    int // byte offset of '<'
	index  int // 1-based among same-named siblings
}

// name is the element's display name: CPL elements bare, extension
// elements with the conventional taa: prefix.
func (n *xnode) name() string {
	switch n.ns {
	case nsKindTAA:
		return "taa:" + n.local
	case nsKindOther:
		return "{" + n.space + "}" + n.local
	}
	return n.local
}

func (n *xnode) is(ns nsKind, local string) bool { return n.ns == ns && n.local == local }

// path is the XPath-like location of n (BX-4): the root and its direct
// children carry no index unless a sibling shares their name; deeper
// elements always do.
func (n *xnode) path() string {
	var parts []string
	for e := n; e != nil; e = e.parent {
		seg := e.name()
		switch {
		case e.parent == nil:
		case e.parent.parent == nil:
			same := 0
			for _, k := range e.parent.kids {
				if k.ns == e.ns && k.local == e.local && k.space == e.space {
					same++
				}
			}
			if same > 1 {
				seg += fmt.Sprintf("[%d]", e.index)
			}
		default:
			seg += fmt.Sprintf("[%d]", e.index)
		}
		parts = append(parts, seg)
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(parts[i])
	}
	return b.String()
}

// source positions

type srcMap struct {
	src   []byte
	lines []int // offset of the first byte of every line
}

func newSrcMap(src []byte) *srcMap {
	m := &srcMap{src: src, lines: []int{0}}
	for i, c := range src {
		if c == '\n' {
			m.lines = append(m.lines, i+1)
		}
	}
	return m
}

// pos returns the 1-based line and column (in characters) of byte offset off.
func (m *srcMap) pos(off int) (line, col int) {
	if off < 0 {
		return 0, 0
	}
	if off > len(m.src) {
		off = len(m.src)
	}
	i := sort.Search(len(m.lines), func(i int) bool { return m.lines[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return i + 1, utf8.RuneCount(m.src[m.lines[i]:off]) + 1
}

// errSink collects compile errors up to a cap.
type errSink struct {
	m       *srcMap
	max     int
	dialect Dialect
	errs    ErrorList
}

func (s *errSink) full() bool { return len(s.errs) >= s.max }

func (s *errSink) at(off int, path, attr string, code Code, format string, args ...any) {
	if s.full() {
		return
	}
	line, col := s.m.pos(off)
	s.errs = append(s.errs, &CompileError{
		Line: line, Column: col, Path: path, Code: code, Attr: attr, Offset: -1,
		Msg: fmt.Sprintf(format, args...), Dialect: s.dialect,
	})
}

func (s *errSink) node(n *xnode, code Code, format string, args ...any) {
	s.at(n.off, n.path(), "", code, format, args...)
}

func (s *errSink) attr(n *xnode, a *xattr, code Code, format string, args ...any) {
	off := a.off
	if off < 0 {
		off = n.off
	}
	s.at(off, n.path(), a.local, code, format, args...)
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// parseTree reads src into an element tree. It returns nil when the
// document cannot be read at all; the reasons are in sink.
func parseTree(src []byte, lim Limits, sink *errSink) *xnode {
	if len(src) > lim.MaxScriptBytes {
		sink.at(0, "", "", CodeLimit, "script is %d bytes, more than the limit of %d", len(src), lim.MaxScriptBytes)
		return nil
	}
	base := 0
	if bytes.HasPrefix(src, utf8BOM) {
		base = len(utf8BOM)
	}
	if !utf8.Valid(src) {
		off := 0
		for off < len(src) {
			r, n := utf8.DecodeRune(src[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		sink.at(off, "", "", CodeXML, "invalid UTF-8 at byte %d", off)
		return nil
	}
	dec := xml.NewDecoder(bytes.NewReader(src[base:]))
	dec.Strict = true
	var (
		root  *xnode
		stack []*xnode
		nodes int
	)
	for {
		start := base + int(dec.InputOffset())
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			msg := err.Error()
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				msg = se.Msg
			}
			sink.at(base+int(dec.InputOffset()), "", "", CodeXML, "malformed XML: %s", msg)
			return nil
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= lim.MaxDepth {
				sink.at(start, "", "", CodeLimit, "elements nested deeper than the limit of %d", lim.MaxDepth)
				return nil
			}
			nodes++
			if nodes > lim.MaxNodes {
				sink.at(start, "", "", CodeLimit, "more than the limit of %d elements", lim.MaxNodes)
				return nil
			}
			n := &xnode{space: t.Name.Space, local: t.Name.Local, off: start}
			switch t.Name.Space {
			case nsCPL, "":
				n.ns = nsKindCPL
			case nsTAA, "taa":
				// An undeclared taa: prefix binds to the extension
				// namespace (CPL-4).
				n.ns = nsKindTAA
			default:
				n.ns = nsKindOther
			}
			if len(stack) == 0 {
				if root != nil {
					sink.at(start, "", "", CodeRoot, "more than one root element")
					return nil
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				n.parent = p
				n.index = 1
				for _, k := range p.kids {
					if k.ns == n.ns && k.local == n.local && k.space == n.space {
						n.index++
					}
				}
				p.kids = append(p.kids, n)
			}
			stack = append(stack, n)
			end := base + int(dec.InputOffset())
			readAttrs(n, t.Attr, src, start, end, lim, sink)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if !isXMLSpace(t) {
				path := ""
				if len(stack) > 0 {
					path = stack[len(stack)-1].path()
				}
				off := start
				for off < len(src) && isXMLSpaceByte(src[off]) {
					off++
				}
				sink.at(off, path, "", CodeText, "unexpected text %q", clip(strings.TrimSpace(string(t)), 40))
			}
		case xml.Comment:
		case xml.ProcInst:
			if t.Target != "xml" || root != nil {
				sink.at(start, "", "", CodeXML, "processing instruction <?%s?> not allowed", clip(t.Target, 40))
			}
		case xml.Directive:
			sink.at(start, "", "", CodeDoctype, "markup declarations (<!%s...>) are not allowed", clip(firstWord(string(t)), 20))
			return nil
		}
	}
	if root == nil {
		sink.at(0, "", "", CodeRoot, "no root element")
	}
	return root
}

func readAttrs(n *xnode, attrs []xml.Attr, src []byte, start, end int, lim Limits, sink *errSink) {
	pos := lexAttrPositions(src, start, end)
	if len(attrs) > lim.MaxAttrs {
		sink.node(n, CodeLimit, "%d attributes, more than the limit of %d", len(attrs), lim.MaxAttrs)
	}
	for i, a := range attrs {
		xa := xattr{space: a.Name.Space, local: a.Name.Local, value: a.Value, off: -1, valOff: -1}
		if len(pos) == len(attrs) {
			xa.off, xa.valOff = pos[i].name, pos[i].val
			xa.verbatim = pos[i].valEnd-pos[i].val == len(a.Value) && string(src[pos[i].val:pos[i].valEnd]) == a.Value
		}
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			continue // namespace declarations are handled by the decoder
		}
		if len(a.Value) > lim.MaxAttrValue {
			sink.attr(n, &xa, CodeLimit, "attribute value is %d bytes, more than the limit of %d", len(a.Value), lim.MaxAttrValue)
			xa.value = ""
		}
		n.attrs = append(n.attrs, xa)
	}
}

type attrPos struct{ name, val, valEnd int }

// lexAttrPositions finds where each attribute of the start tag src[start:end]
// is written. The decoder has already checked the tag, so this only needs to
// follow the grammar, not police it.
func lexAttrPositions(src []byte, start, end int) []attrPos {
	if start < 0 || end > len(src) || start >= end || src[start] != '<' {
		return nil
	}
	i := start + 1
	for i < end && !isXMLSpaceByte(src[i]) && src[i] != '/' && src[i] != '>' {
		i++
	}
	var out []attrPos
	for {
		for i < end && isXMLSpaceByte(src[i]) {
			i++
		}
		if i >= end || src[i] == '/' || src[i] == '>' {
			return out
		}
		nameAt := i
		for i < end && src[i] != '=' && !isXMLSpaceByte(src[i]) {
			i++
		}
		for i < end && (isXMLSpaceByte(src[i]) || src[i] == '=') {
			i++
		}
		if i >= end || (src[i] != '"' && src[i] != '\'') {
			return nil
		}
		q := src[i]
		i++
		valAt := i
		for i < end && src[i] != q {
			i++
		}
		out = append(out, attrPos{name: nameAt, val: valAt, valEnd: i})
		i++
	}
}

func isXMLSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isXMLSpace(b []byte) bool {
	for _, c := range b {
		if !isXMLSpaceByte(c) {
			return false
		}
	}
	return true
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func firstWord(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " \t\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}
