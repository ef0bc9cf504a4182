package main

import (
	"fmt"
	"strings"
)

// tokKind classifies a lexical token of the ASN.1 notation (X.680 12).
type tokKind int

const (
	tEOF    tokKind = iota
	tIdent          // typereference, identifier, keyword
	tNumber         // number
	tString         // cstring, quotes removed
	tSymbol         // ::= { } ( ) , .. ... [[ ]] | ^ . & ; < @ ! [ ] -
)

type token struct {
	kind tokKind
	text string
	line int
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tString:
		return fmt.Sprintf("%q", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

// lex splits ASN.1 source into tokens, dropping comments ("--" to the next
// "--" or the end of the line, and /* */ blocks).
func lex(src string) ([]token, error) {
	var toks []token
	line := 1
	i := 0
	isAlnum := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
		case strings.HasPrefix(src[i:], "--"):
			i += 2
			for i < len(src) && src[i] != '\n' {
				if strings.HasPrefix(src[i:], "--") {
					i += 2
					break
				}
				i++
			}
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("line %d: unterminated comment", line)
			}
			line += strings.Count(src[i:i+2+end], "\n")
			i += end + 4
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '&':
			j := i + 1
			for j < len(src) {
				if isAlnum(src[j]) {
					j++
					continue
				}
				// A hyphen continues the name when a letter or digit follows
				// and it does not start a comment.
				if src[j] == '-' && j+1 < len(src) && isAlnum(src[j+1]) {
					j++
					continue
				}
				break
			}
			toks = append(toks, token{tIdent, src[i:j], line})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			toks = append(toks, token{tNumber, src[i:j], line})
			i = j
		case c == '"':
			j := i + 1
			var b strings.Builder
			for {
				if j >= len(src) {
					return nil, fmt.Errorf("line %d: unterminated string", line)
				}
				if src[j] == '"' {
					if j+1 < len(src) && src[j+1] == '"' {
						b.WriteByte('"')
						j += 2
						continue
					}
					break
				}
				if src[j] == '\n' {
					line++
				}
				b.WriteByte(src[j])
				j++
			}
			toks = append(toks, token{tString, b.String(), line})
			i = j + 1
		default:
			sym := ""
			for _, s := range []string{"::=", "...", "..", "[[", "]]"} {
				if strings.HasPrefix(src[i:], s) {
					sym = s
					break
				}
			}
			if sym == "" {
				if !strings.ContainsRune("{}(),|^.;<@![]-:", rune(c)) {
					return nil, fmt.Errorf("line %d: unexpected character %q", line, c)
				}
				sym = string(c)
			}
			toks = append(toks, token{tSymbol, sym, line})
			i += len(sym)
		}
	}
	toks = append(toks, token{kind: tEOF, line: line})
	return toks, nil
}
