package cpl

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Action is what a decision tells the signalling layer to do (CPL-30).
type Action uint8

const (
	// Proceed: no signalling node ran; the call continues unchanged to its
	// original destination (it is allowed).
	Proceed Action = iota
	// Proxy: forward to Locations (forking when there are several).
	Proxy
	// Reject: refuse the call with Status and Reason.
	Reject
	// Completed: a proxy outcome reported through Resume is final.
	Completed
	// Redirect: answer with a redirection to Locations (RFC dialect only).
	Redirect
)

func (a Action) String() string {
	switch a {
	case Proceed:
		return "proceed"
	case Proxy:
		return "proxy"
	case Reject:
		return "reject"
	case Completed:
		return "completed"
	case Redirect:
		return "redirect"
	}
	return "action(" + strconv.Itoa(int(a)) + ")"
}

// MarshalText implements encoding.TextMarshaler.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// Outcome is what the routing layer reports after a proxy (CPL-25).
type Outcome uint8

const (
	NoOutcome Outcome = iota
	Busy
	NoAnswer
	Redirection
	Failure
)

func (o Outcome) String() string {
	switch o {
	case Busy:
		return "busy"
	case NoAnswer:
		return "noanswer"
	case Redirection:
		return "redirection"
	case Failure:
		return "failure"
	}
	return "none"
}

// Ordering is the RFC 3880 proxy ordering.
type Ordering uint8

const (
	Parallel Ordering = iota
	Sequential
	FirstOnly
)

func (o Ordering) String() string {
	switch o {
	case Sequential:
		return "sequential"
	case FirstOnly:
		return "first-only"
	}
	return "parallel"
}

// Location is one entry of the location set: an alias or URL and its
// priority, 0.0 to 1.0, 1.0 highest (CPL-19, CPL-21).
type Location struct {
	URL      string
	Priority float64
}

// SourceAlias is a source alias of the forwarded message after
// taa:location source rewriting (CPL-23).
type SourceAlias struct {
	URL     string
	Display string
}

// Step is one node visited during evaluation (CPL-32): the element, where
// it is written, the output it took ("address[2]", "not-present",
// "otherwise", "rule[3]", "busy", "none"...) and the value that decided it.
type Step struct {
	Element string `json:"element"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Output  string `json:"output,omitempty"`
	Value   string `json:"value,omitempty"`
}

func (s Step) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d:%d %s", s.Line, s.Column, s.Element)
	if s.Output != "" {
		b.WriteString(" -> ")
		b.WriteString(s.Output)
	}
	if s.Value != "" {
		fmt.Fprintf(&b, " (%q)", s.Value)
	}
	return b.String()
}

// Mail is a mail node's side effect (RFC dialect).
type Mail struct {
	URL string
}

// Log is a log node's side effect (RFC dialect).
type Log struct {
	Name, Comment string
}

// Result is a decision (CPL-30). It is owned by the caller; Resume returns a
// new Result and leaves this one unchanged.
type Result struct {
	Action Action
	// Status and Reason of a Reject.
	Status int
	Reason string
	// Locations of a Proxy or Redirect, highest priority first; entries of
	// equal priority are tried in parallel (see Groups).
	Locations []Location
	// Proxy parameters.
	Timeout    time.Duration
	StopOnBusy bool
	Recurse    bool
	Ordering   Ordering
	// Source is the rewritten source alias list, nil when unchanged.
	Source []SourceAlias
	// Permanent marks a permanent Redirect.
	Permanent bool
	// Outcome is the proxy outcome a Completed result stands for.
	Outcome Outcome
	// Pending is true when the Proxy has outputs: report the outcome with
	// Resume (CPL-31). Callers that do not resume treat the Proxy as final.
	Pending bool
	// Trace lists the nodes visited, in order (CPL-32).
	Trace []Step
	// Mails and Logs are the side effects of mail and log nodes.
	Mails []Mail
	Logs  []Log

	prog    *Program
	in      *Input
	proxy   *proxyNode
	resumes int

	locBuf   [2]Location
	traceBuf [3]Step
}

// Groups returns Locations split into priority groups, highest first; the
// entries of one group are tried in parallel (CPL-21).
func (r *Result) Groups() [][]Location {
	var out [][]Location
	for i := 0; i < len(r.Locations); {
		j := i + 1
		for j < len(r.Locations) && r.Locations[j].Priority == r.Locations[i].Priority {
			j++
		}
		out = append(out, r.Locations[i:j:j])
		i = j
	}
	return out
}

// Retargeted reports whether a Proxy or Redirect sends the call somewhere
// other than its original destination: its location set differs, ignoring
// case and order, from the destination aliases (CPL-30, CPL-43).
func (r *Result) Retargeted() bool {
	if r.Action != Proxy && r.Action != Redirect {
		return false
	}
	var dst []Alias
	if r.in != nil {
		dst = r.in.Destination
	}
	if len(r.Locations) == 0 {
		return false
	}
	for _, l := range r.Locations {
		found := false
		for i := range dst {
			if strings.EqualFold(l.URL, dst[i].Value) {
				found = true
				break
			}
		}
		if !found {
			return true
		}
	}
	for i := range dst {
		found := false
		for _, l := range r.Locations {
			if strings.EqualFold(l.URL, dst[i].Value) {
				found = true
				break
			}
		}
		if !found {
			return true
		}
	}
	return false
}

// URLs returns the URLs of Locations in order.
func (r *Result) URLs() []string {
	out := make([]string, len(r.Locations))
	for i, l := range r.Locations {
		out[i] = l.URL
	}
	return out
}

// String renders the decision in the notation of the spec's vectors:
// PROCEED, PROXY[a, b], REJECT 403 "reason", COMPLETED(busy),
// REDIRECT[a].
func (r *Result) String() string {
	switch r.Action {
	case Proceed:
		return "PROCEED"
	case Proxy:
		return "PROXY[" + strings.Join(r.URLs(), ", ") + "]"
	case Redirect:
		return "REDIRECT[" + strings.Join(r.URLs(), ", ") + "]"
	case Reject:
		return fmt.Sprintf("REJECT %d %q", r.Status, r.Reason)
	case Completed:
		return "COMPLETED(" + r.Outcome.String() + ")"
	}
	return r.Action.String()
}

// Allowed reports whether the decision lets the call or registration
// through: anything but Reject. A registration policy service decides
// exactly this (CPL-45).
func (r *Result) Allowed() bool { return r.Action != Reject }

// Resolved reports, for a search-rule policy service, whether the service
// settled the search (CPL-44): a Reject stops the search via that rule, a
// retargeted Proxy or a Redirect restarts call processing with new
// aliases; Proceed or an unchanged Proxy leave the rule unresolved.
func (r *Result) Resolved() bool {
	return r.Action == Reject || r.Retargeted()
}
