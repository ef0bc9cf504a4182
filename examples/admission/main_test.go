package main

import (
	"bytes"
	"context"
	"testing"
)

// The example admits three calls (two downspeeded by the uplink pipe),
// refuses the fourth on bandwidth after its licence was taken — and gives
// the licence back (the peak shows it) — then releases everything.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	want := `call-1 admitted: 2 tokens, 1024 of 1920 kbps via [Internet TraversalSubzone DefaultSubzone]
call-2 admitted: 2 tokens, 768 of 768 kbps via [Internet TraversalSubzone DefaultSubzone]
call-3 admitted: 2 tokens, 256 of 768 kbps via [Internet TraversalSubzone DefaultSubzone]
call-4 refused: bandwidth: call Internet -> DefaultSubzone at 384 kbps refused: TotalExceeded (available 0 kbps)
in use: 6 RMS tokens of 20, uplink 2048 kbps in 3 calls
released: 0 tokens, uplink 0 kbps; peak 8 tokens
`
	if out.String() != want {
		t.Fatalf("output:\n%s\nwant:\n%s", out.String(), want)
	}
}
