package registrar

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/causeway-edge/causeway/sip"
)

// FuzzRegister feeds arbitrary messages to Register: it must answer or
// return an error, never panic.
func FuzzRegister(f *testing.F) {
	raw, err := os.ReadFile("testdata/register-outbound.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(strings.ReplaceAll(string(raw), "\n", "\r\n")))
	f.Add([]byte(reg(f, "a@example.com", "c", 1, "0", "", "*").String()))
	f.Add([]byte(reg(f, "a@example.com", "c", 1, "60", "Path: <sip:p;lr>\r\n", "<sip:a@h>;expires=x").String()))
	r, _ := newReg(f, Config{GRUU: true})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := sip.ParseMessage(data)
		if err != nil || !m.IsRequest() || m.Method() != sip.MethodRegister {
			return
		}
		resp, err := r.Register(context.Background(), m, src)
		if err == nil && resp == nil {
			t.Fatal("nil response without error")
		}
	})
}
