package dialplantest

import (
	"fmt"
	"sync"

	"github.com/causeway-edge/causeway/dialplan"
)

// Log records queries from several targets in the order they arrived.
// Attach the same Log to every double of a test to see the whole sequence.
type Log struct {
	mu      sync.Mutex
	queries []dialplan.Query
}

func (l *Log) add(q dialplan.Query) {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.queries = append(l.queries, q)
	l.mu.Unlock()
}

// Queries returns the recorded queries, oldest first.
func (l *Log) Queries() []dialplan.Query {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]dialplan.Query(nil), l.queries...)
}

// Strings returns the queries as "zone:alias/protocol", oldest first.
func (l *Log) Strings() []string {
	var out []string
	for _, q := range l.Queries() {
		out = append(out, QueryString(q))
	}
	return out
}

// Reset forgets the recorded queries.
func (l *Log) Reset() {
	l.mu.Lock()
	l.queries = nil
	l.mu.Unlock()
}

// QueryString formats q the way the spec's test vectors write queries:
// "zone:alias/protocol".
func QueryString(q dialplan.Query) string {
	return fmt.Sprintf("%s:%s/%s", q.Zone, q.Alias, q.Protocol)
}
