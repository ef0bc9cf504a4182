package pattern

import (
	"errors"
	"fmt"
)

// ErrBudgetExceeded is returned (wrapped) by Match and Apply when a regular
// expression ran past its match budget (DP-14). Callers treat it as "no
// match" and record it; it never means the alias matched.
var ErrBudgetExceeded = errors.New("pattern: regex match budget exceeded")

// Field names used in SyntaxError.Field.
const (
	FieldPattern = "pattern_string"
	FieldReplace = "replace_string"
)

// SyntaxError reports a pattern or replace string that does not compile. Pos
// is the byte offset in the string as written (before variable expansion),
// or -1 when the fault is not tied to one position.
type SyntaxError struct {
	Field string // FieldPattern or FieldReplace
	Pos   int
	Msg   string
	err   error
}

// Unwrap lets errors.Is see a cause such as ErrVariableNotAllowed.
func (e *SyntaxError) Unwrap() error { return e.err }

func (e *SyntaxError) Error() string {
	if e.Pos < 0 {
		return fmt.Sprintf("%s: %s", e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: position %d: %s", e.Field, e.Pos, e.Msg)
}

func syntaxErr(field string, pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Field: field, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}
