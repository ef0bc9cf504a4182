package cpl

import (
	"errors"
	"fmt"
	"strings"
)

// Code is the stable identifier of a compile error (BX-4). Codes never
// change meaning; tools may branch on them.
type Code string

// Compile error codes.
const (
	// CodeXML: the input is not well-formed XML (or not UTF-8).
	CodeXML Code = "E_XML"
	// CodeDoctype: a DOCTYPE or other markup declaration (XML-bomb safety, CPL-5).
	CodeDoctype Code = "E_DOCTYPE"
	// CodeLimit: a safety limit of CPL-56 was exceeded (size, depth, nodes,
	// attribute length or count).
	CodeLimit Code = "E_LIMIT"
	// CodeNamespace: an element in a namespace the dialect does not know.
	CodeNamespace Code = "E_NAMESPACE"
	// CodeRoot: the document structure around the executable part is wrong
	// (several roots, several taa:routed, text at top level).
	CodeRoot Code = "E_ROOT"
	// CodeUnsupported: an RFC 3880 element the dialect refuses (CPL-2, CPL-3).
	CodeUnsupported Code = "E_UNSUPPORTED_ELEMENT"
	// CodeUnknownElement: an element that is not CPL at all.
	CodeUnknownElement Code = "E_UNKNOWN_ELEMENT"
	// CodeWrongParent: a known element where it may not appear.
	CodeWrongParent Code = "E_WRONG_PARENT"
	// CodeChildCount: a container with more than one child node (CPL-5).
	CodeChildCount Code = "E_CHILD_COUNT"
	// CodeDuplicate: a second not-present or otherwise, or a duplicate id.
	CodeDuplicate Code = "E_DUPLICATE"
	// CodeOrder: otherwise that is not the last output.
	CodeOrder Code = "E_ORDER"
	// CodeBadAttribute: an attribute the element does not take.
	CodeBadAttribute Code = "E_BAD_ATTRIBUTE"
	// CodeMissingAttribute: a required attribute is absent.
	CodeMissingAttribute Code = "E_MISSING_ATTRIBUTE"
	// CodeConflict: attributes that exclude each other, or none of a set of
	// which exactly one is required.
	CodeConflict Code = "E_ATTRIBUTE_CONFLICT"
	// CodeValue: an attribute value that is not one of the allowed forms.
	CodeValue Code = "E_VALUE"
	// CodeRange: a numeric attribute value out of range.
	CodeRange Code = "E_RANGE"
	// CodeRegex: a regular expression or replace string that does not compile.
	CodeRegex Code = "E_REGEX"
	// CodeText: non-whitespace text where only elements may appear.
	CodeText Code = "E_TEXT"
	// CodeSubaction: an undefined or recursive sub reference.
	CodeSubaction Code = "E_SUBACTION"
	// CodeExtension: a required extension the engine does not implement.
	CodeExtension Code = "E_EXTENSION"
)

// CompileError is one fault found by Compile: where it is (1-based line and
// column of the element or attribute, the XPath-like element path), what it
// is (a stable Code and a message) and the dialect in force (CPL-28, BX-4).
type CompileError struct {
	Line, Column int
	// Path is the element path, for example
	// /cpl/taa:routed/address-switch[1]/address[2].
	Path string
	Code Code
	// Attr names the attribute at fault, or "".
	Attr string
	// Offset is, for regex errors, the byte offset of the fault inside the
	// attribute value; -1 otherwise.
	Offset  int
	Msg     string
	Dialect Dialect
}

func (e *CompileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d:%d: %s", e.Line, e.Column, e.Code)
	if e.Path != "" {
		b.WriteString(" ")
		b.WriteString(e.Path)
		if e.Attr != "" {
			b.WriteString("/@")
			b.WriteString(e.Attr)
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is what Compile returns when a script is refused: every fault
// found, in document order, up to Limits.MaxErrors. errors.As finds the
// *CompileError values in it.
type ErrorList []*CompileError

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "cpl: no errors"
	case 1:
		return "cpl: " + l[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "cpl: %d errors:", len(l))
	for _, e := range l {
		b.WriteString("\n\t")
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the individual errors, for errors.Is and errors.As.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// Runtime errors returned (wrapped) by Evaluate and Resume together with the
// program's OnError result (CPL-34, BX-12).
var (
	// ErrStepLimit: evaluation took more than Limits.MaxSteps steps.
	ErrStepLimit = errors.New("cpl: evaluation step limit exceeded")
	// ErrRegexBudget: a regular expression ran out of its match budget.
	ErrRegexBudget = errors.New("cpl: regex match budget exceeded")
	// ErrResumeLimit: Resume was called more than Limits.MaxResumes times.
	ErrResumeLimit = errors.New("cpl: proxy resume limit exceeded")
	// ErrLocationLimit: the location set grew past Limits.MaxLocations.
	ErrLocationLimit = errors.New("cpl: location set limit exceeded")
	// ErrNotPending: Resume on a result that is not waiting for a proxy outcome.
	ErrNotPending = errors.New("cpl: result is not pending a proxy outcome")
	// ErrLookup: a lookup node's location service failed (RFC dialect);
	// this is not an evaluation failure, the node takes its failure output.
	ErrLookup = errors.New("cpl: location lookup failed")
)
