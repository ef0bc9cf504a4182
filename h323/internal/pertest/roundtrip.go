// Package pertest holds the property test shared by the generated H.323
// codec packages: random valid values round-trip byte-identically.
package pertest

import (
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/causeway-edge/causeway/h323/per"
)

// RoundTrip checks spec h323.md §4.8 for one type: for n seeds, a random
// valid value (unknown extension additions and alternatives included)
// encodes, decodes and re-encodes to the same octets. Seeds that hit the
// nesting bound are skipped; most seeds must give a value.
func RoundTrip(t *testing.T, mk func() per.Value, n int) {
	t.Helper()
	ok := 0
	for seed := uint64(0); seed < uint64(n); seed++ {
		v := mk()
		if err := per.Random(v, rand.New(rand.NewPCG(seed, 7))); err != nil {
			require.True(t, errors.Is(err, per.ErrDepth), "seed %d: %v", seed, err)
			continue
		}
		b1, err := per.Marshal(v)
		require.NoError(t, err, "seed %d", seed)
		w := mk()
		require.NoError(t, per.Unmarshal(b1, w), "seed %d: %x", seed, b1)
		b2, err := per.Marshal(w)
		require.NoError(t, err, "seed %d", seed)
		require.Equal(t, hex.EncodeToString(b1), hex.EncodeToString(b2), "seed %d", seed)
		ok++
	}
	t.Logf("%d of %d seeds gave a value", ok, n)
	require.Greater(t, ok, n/2, "most seeds must give a value")
}
