package licensing

import (
	"strings"
	"testing"
)

// FuzzParseKey: any input yields a key or an ErrBadKey, never a panic; an
// accepted option key round-trips through its text.
func FuzzParseKey(f *testing.F) {
	for _, s := range []string{"116341Y100-1-0A1B2C3D", "116341E00-1-DEADBEEF", "1234567890123456",
		"116341Y100-1-0A1B2C3", "116341", "116341Y99999999999999999999-1-00000000", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKey(s)
		if err != nil {
			return
		}
		if k.Text != s || (!k.Release && !strings.HasPrefix(s, "116341")) {
			t.Fatalf("%q parsed as %+v", s, k)
		}
		if !k.Release && k.Option.Feature() != (k.Count == 0) {
			t.Fatalf("%q: feature/count mismatch %+v", s, k)
		}
	})
}

// FuzzClassifyRegistration: firmware and model strings never panic and
// always give a licence for a direct registration.
func FuzzClassifyRegistration(f *testing.F) {
	f.Add("Cisco DX80", "CE9.15.3", 1)
	f.Add("EX90", "TC7.3.6", 3)
	f.Add("", "", 0)
	f.Fuzz(func(t *testing.T, model, fw string, aliases int) {
		d := ClassifyRegistration(RegFacts{Protocol: SIP, Model: model, Firmware: fw, Aliases: aliases % 1000})
		if d.Kind == NoRegLicence || d.Count < 1 {
			t.Fatalf("%+v", d)
		}
	})
}
