package h235

import (
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/causeway-edge/causeway/h323/per"
)

// TestRandomRoundTrip is the property test of spec h323.md §4.8: random
// valid values of the generated types encode, decode and re-encode to the
// same octets (including unknown extension additions and alternatives,
// which the random source also produces).
func TestRandomRoundTrip(t *testing.T) {
	types := map[string]func() per.Value{
		"ClearToken":        func() per.Value { return new(ClearToken) },
		"CryptoToken":       func() per.Value { return new(CryptoToken) },
		"H235Key":           func() per.Value { return new(H235Key) },
		"V3KeySyncMaterial": func() per.Value { return new(V3KeySyncMaterial) },
	}
	for name, mk := range types {
		t.Run(name, func(t *testing.T) { checkRandom(t, mk, 300) })
	}
}

func checkRandom(t *testing.T, mk func() per.Value, n int) {
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
	t.Logf("%d of %d seeds gave a value", ok, n)
	require.Greater(t, ok, n/2, "most seeds must give a value")
}
