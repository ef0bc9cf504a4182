package per

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors carried by [*Error]; test for them with errors.Is.
var (
	// ErrTruncated reports that the input ended inside an encoding.
	ErrTruncated = errors.New("input truncated")
	// ErrRange reports a whole number or index outside its constraint.
	ErrRange = errors.New("value out of range")
	// ErrSize reports a length outside its SIZE constraint.
	ErrSize = errors.New("size out of range")
	// ErrAlphabet reports a character outside the permitted alphabet.
	ErrAlphabet = errors.New("character not in permitted alphabet")
	// ErrDepth reports nesting deeper than Decoder.MaxDepth.
	ErrDepth = errors.New("nesting too deep")
	// ErrNoAlternative reports a CHOICE value with no alternative selected.
	ErrNoAlternative = errors.New("no CHOICE alternative selected")
	// ErrMissing reports a mandatory component left nil.
	ErrMissing = errors.New("mandatory component missing")
	// ErrTrailing reports octets left over after a complete encoding.
	ErrTrailing = errors.New("trailing octets after encoding")
	// ErrInvalid reports an encoding that breaks an X.691 or X.690 rule
	// (for example a non-minimal OBJECT IDENTIFIER arc).
	ErrInvalid = errors.New("invalid encoding")
)

// Error describes where encoding or decoding failed: the path of components
// from the outermost type (for example
// "RasMessage.registrationRequest.terminalAlias[1].h323-ID") and the bit
// offset in the outermost encoding.
type Error struct {
	// Path lists the components from the outermost type inward.
	Path []string
	// Offset is the bit offset from the start of the outermost encoding.
	Offset int
	// Err is one of the sentinel errors of this package.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("per: ")
	if len(e.Path) > 0 {
		for i, p := range e.Path {
			if i > 0 && !strings.HasPrefix(p, "[") {
				b.WriteByte('.')
			}
			b.WriteString(p)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	b.WriteString(" at bit ")
	b.WriteString(strconv.Itoa(e.Offset))
	return b.String()
}

// Unwrap returns the sentinel error.
func (e *Error) Unwrap() error { return e.Err }

// Field prefixes the component name to the path of err when err is an
// [*Error]; generated code calls it while an error travels outward.
func Field(err error, name string) error {
	var pe *Error
	if errors.As(err, &pe) {
		pe.Path = append(pe.Path, "")
		copy(pe.Path[1:], pe.Path)
		pe.Path[0] = name
	}
	return err
}

// Index prefixes a list index to the path of err (see [Field]).
func Index(err error, i int) error {
	return Field(err, "["+strconv.Itoa(i)+"]")
}
