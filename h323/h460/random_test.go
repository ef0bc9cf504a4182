package h460

import (
	"testing"

	"github.com/causeway-edge/causeway/h323/internal/pertest"
	"github.com/causeway-edge/causeway/h323/per"
)

// TestRandomRoundTrip is the property test of spec h323.md §4.8: random
// valid values of the generated types encode, decode and re-encode to the
// same octets (including unknown extension additions and alternatives,
// which the random source also produces).
func TestRandomRoundTrip(t *testing.T) {
	types := map[string]func() per.Value{
		"IncomingCallIndication": func() per.Value { return new(IncomingCallIndication) },
		"LRQKeepAliveData":       func() per.Value { return new(LRQKeepAliveData) },
		"TraversalParameters":    func() per.Value { return new(TraversalParameters) },
	}
	for name, mk := range types {
		t.Run(name, func(t *testing.T) { pertest.RoundTrip(t, mk, 300) })
	}
}
