package dialplan

import (
	"fmt"
	"testing"
	"time"
	"unicode/utf8"
)

// DP-44: NAPTR substitution expressions come from DNS answers, so they are
// untrusted input.
func TestApplyNAPTRRegexp(t *testing.T) {
	for _, c := range []struct {
		expr, in, want string
		ok             bool
	}{
		{`!^(.*)$!h323:\1@example.com!`, "1234", "h323:1234@example.com", true}, // G-03
		{`!^\+44(.*)$!sip:\1@uk.example!`, "+4412", "sip:12@uk.example", true},
		{`|^.*$|sip:a\|b@x|`, "1", "", false}, // the delimiter may not be escaped inside
		{`!^9(.*)$!sip:\1@x!i`, "91", "sip:1@x", true},
		{`!^9(.*)$!sip:\1@x!q`, "91", "", false},
		{`!^8!sip:x!`, "91", "", false},
		{`!(!x!`, "1", "", false},
		{`1^(.*)$1x1`, "1", "", false},
		{`!!`, "1", "", false},
	} {
		got, ok := applyNAPTRRegexp(c.expr, c.in, 0)
		if ok != c.ok || got != c.want {
			t.Errorf("%q on %q = %q, %v; want %q, %v", c.expr, c.in, got, ok, c.want, c.ok)
		}
	}
}

func FuzzNAPTRRegexp(f *testing.F) {
	f.Add(`!^(.*)$!h323:\1@example.com!`, "1234")
	f.Add(`!^(a+)+$!x!`, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab")
	f.Add(`!(.)(.)(.)!\3\2\1!i`, "abc")
	f.Fuzz(func(t *testing.T, expr, in string) {
		if len(in) > 64 { // an E.164 number is at most 16 characters
			return
		}
		watchdog := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("hang: %q on %q", expr, in)) })
		defer watchdog.Stop()
		out, ok := applyNAPTRRegexp(expr, in, 5*time.Millisecond)
		if !ok && out != "" {
			t.Fatalf("not ok but output %q", out)
		}
		if ok && utf8.ValidString(expr) && utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 output %q", out)
		}
	})
}
