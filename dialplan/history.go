package dialplan

import (
	"slices"
	"sync"
	"time"
)

// Record is one entry of the search history (DP-52).
type Record struct {
	ID    uint64    `json:"id"`
	Start time.Time `json:"start"`
	// Type is "Route" or "Locate".
	Type        string   `json:"type"`
	Protocol    Protocol `json:"protocol"`
	SourceAlias string   `json:"source_alias,omitempty"`
	// Destination is the alias as dialled.
	Destination string `json:"destination"`
	Status      Status `json:"status"`
	Reason      Reason `json:"reason,omitempty"`
	CallTag     string `json:"call_tag"`
	// Zones are the zones and policy services queried, in order.
	Zones []string `json:"zones,omitempty"`
	// Found is where the alias was found, if it was.
	Found []Route `json:"found,omitempty"`
}

// history is a ring buffer of the last HistorySize records.
type history struct {
	mu   sync.Mutex
	buf  [HistorySize]Record
	next int
	n    int
}

func (h *history) add(r Record) {
	h.mu.Lock()
	h.buf[h.next] = r
	h.next = (h.next + 1) % HistorySize
	if h.n < HistorySize {
		h.n++
	}
	h.mu.Unlock()
}

// History returns the last searches, oldest first (at most 255, DP-52).
func (e *Engine) History() []Record {
	h := &e.hist
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Record, 0, h.n)
	start := (h.next - h.n + HistorySize) % HistorySize
	for i := 0; i < h.n; i++ {
		out = append(out, h.buf[(start+i)%HistorySize])
	}
	return out
}

func (e *Engine) record(req *Request, dialled string, start time.Time, s *search, res *Result) {
	kind := req.kind
	if kind == "" {
		kind = "Route"
	}
	src := req.srcAlias
	if src == "" && len(req.SourceAliases) > 0 {
		src = req.SourceAliases[0]
	}
	var zones []string
	if len(s.searched) > 0 {
		zones = append([]string(nil), s.searched...)
	}
	e.hist.add(Record{ID: e.searchID.Add(1), Start: start, Type: kind, Protocol: req.Protocol, SourceAlias: src, Destination: dialled,
		Status: res.Status, Reason: res.Reason, CallTag: res.CallTag, Zones: zones, Found: slices.Clone(res.Routes)})
}
