package cpl

import (
	"bytes"
	"strings"
)

// Format renders a program as canonical CPL (BX-6): an XML declaration,
// two-space indentation, the CPL and taa: namespaces declared on the root,
// extension elements with the taa: prefix, attributes in source order,
// empty elements self-closed; comments and xsi: attributes dropped.
// Compiling the result in the program's dialect gives an equivalent
// program, and formatting is idempotent. A fragment stays a fragment.
func Format(p *Program) []byte {
	src := []byte(p.src)
	sink := &errSink{m: newSrcMap(src), max: 1}
	root := parseTree(src, p.cfg.limits, sink)
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	if root == nil { // cannot happen for a compiled program
		return b.Bytes()
	}
	usesTAA := false
	var scan func(*xnode)
	scan = func(x *xnode) {
		if x.ns == nsKindTAA {
			usesTAA = true
		}
		for _, k := range x.kids {
			scan(k)
		}
	}
	scan(root)
	formatNode(&b, root, 0, true, usesTAA || !p.fragment)
	return b.Bytes()
}

func formatNode(b *bytes.Buffer, x *xnode, depth int, root, declareTAA bool) {
	b.WriteString(strings.Repeat("  ", depth))
	b.WriteByte('<')
	b.WriteString(x.name())
	if root {
		b.WriteString(` xmlns="` + nsCPL + `"`)
		if declareTAA {
			b.WriteString(` xmlns:taa="` + nsTAA + `"`)
		}
	}
	for _, a := range x.attrs {
		if a.space != "" {
			continue // xsi: and other qualified attributes carry no meaning
		}
		b.WriteByte(' ')
		writeAttr(b, a.local, a.value)
	}
	if len(x.kids) == 0 || x.is(nsKindCPL, "ancillary") {
		b.WriteString("/>\n")
		return
	}
	b.WriteString(">\n")
	for _, k := range x.kids {
		formatNode(b, k, depth+1, false, false)
	}
	b.WriteString(strings.Repeat("  ", depth))
	b.WriteString("</")
	b.WriteString(x.name())
	b.WriteString(">\n")
}
