package dialplan

import (
	"encoding/json"
	"fmt"
	"strings"
)

// StepKind is the kind of a trace step (DP-52).
type StepKind uint8

// Step kinds.
const (
	StepAliasIn     StepKind = iota // an alias enters the pipeline (a search or a restart)
	StepTransform                   // a pre-search transform applied
	StepPolicy                      // a Call Policy or User Policy decision
	StepRuleMatched                 // a search rule matched
	StepRuleSkipped                 // a search rule was not eligible or did not match
	StepQuery                       // a query sent to a target
	StepResponse                    // a target's answer
	StepRestart                     // a restart with new aliases
	StepLoop                        // a loop was detected
	StepWarning                     // something worth knowing (regex budget, unset variable)
	StepResult                      // the search's outcome
)

var stepNames = [...]string{"AliasIn", "Transform", "Policy", "RuleMatched", "RuleSkipped", "Query", "Response", "Restart", "Loop", "Warning", "Result"}

func (k StepKind) String() string {
	if int(k) < len(stepNames) {
		return stepNames[k]
	}
	return fmt.Sprintf("StepKind(%d)", uint8(k))
}

// MarshalText implements encoding.TextMarshaler.
func (k StepKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Step is one line of a trace.
type Step struct {
	Kind StepKind `json:"kind"`
	// Depth is the restart depth (0 for the original alias).
	Depth    int      `json:"depth"`
	Alias    string   `json:"alias,omitempty"`
	Priority int      `json:"priority,omitempty"`
	Rule     string   `json:"rule,omitempty"`
	Target   string   `json:"target,omitempty"`
	Protocol Protocol `json:"protocol,omitempty"`
	HopCount int      `json:"hop_count,omitempty"`
	// Result is a short outcome ("found", "not found", "match",
	// "Redirect", ...); Reason says why.
	Result string `json:"result,omitempty"`
	Reason Reason `json:"reason,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// Trace is the structured record of one search: every transform, policy
// decision, rule, query and answer, in a stable order (queries of a
// priority group appear in rule order, not arrival order), so traces can be
// compared with golden files.
type Trace struct {
	CallTag string `json:"call_tag"`
	Steps   []Step `json:"steps"`
}

func (t *Trace) add(s Step) {
	if t != nil {
		t.Steps = append(t.Steps, s)
	}
}

// Queries returns the query steps, in order.
func (t *Trace) Queries() []Step {
	var q []Step
	for _, s := range t.Steps {
		if s.Kind == StepQuery {
			q = append(q, s)
		}
	}
	return q
}

// String renders the trace as indented text, one step per line, in the
// spirit of the product's Search Details.
func (t *Trace) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "call tag %s\n", t.CallTag)
	for _, s := range t.Steps {
		b.WriteString(strings.Repeat("  ", s.Depth+1))
		b.WriteString(s.Kind.String())
		kv := func(k, v string) {
			if v != "" {
				fmt.Fprintf(&b, " %s=%s", k, v)
			}
		}
		kv("alias", quoteIfNeeded(s.Alias))
		if s.Priority != 0 {
			fmt.Fprintf(&b, " priority=%d", s.Priority)
		}
		kv("rule", quoteIfNeeded(s.Rule))
		kv("target", quoteIfNeeded(s.Target))
		if s.Protocol != AnyProtocol {
			kv("protocol", s.Protocol.String())
		}
		if s.HopCount != 0 {
			fmt.Fprintf(&b, " hops=%d", s.HopCount)
		}
		kv("result", quoteIfNeeded(s.Result))
		kv("reason", string(s.Reason))
		kv("detail", quoteIfNeeded(s.Detail))
		b.WriteByte('\n')
	}
	return b.String()
}

func quoteIfNeeded(s string) string {
	if strings.ContainsAny(s, " \"=") {
		return fmt.Sprintf("%q", s)
	}
	return s
}

// JSONLines renders the trace as JSON lines, one step per line.
func (t *Trace) JSONLines() string {
	var b strings.Builder
	for _, s := range t.Steps {
		j, _ := json.Marshal(s)
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}
