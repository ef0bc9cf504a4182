package h225

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
		"RasMessage":          func() per.Value { return new(RasMessage) },
		"H323UserInformation": func() per.Value { return new(H323UserInformation) },
		"SetupUUIE":           func() per.Value { return new(SetupUUIE) },
		"AliasAddress":        func() per.Value { return new(AliasAddress) },
		"TransportAddress":    func() per.Value { return new(TransportAddress) },
	}
	for name, mk := range types {
		t.Run(name, func(t *testing.T) { pertest.RoundTrip(t, mk, 300) })
	}
}
