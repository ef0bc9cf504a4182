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
	f.Add([]byte("REGISTER sip:example.com SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1\r\nf: <sip:a@example.com>;tag=1\r\n" +
		"t: <sip:a@example.com>;tag=2\r\ni: x\r\nCSeq: 1 REGISTER\r\nm: <sip:a@h>;q=0.5, <sip:a@g>;expires=0\r\nl: 0\r\n\r\n"))
	f.Add([]byte(reg(f, "a@example.com", "c", 2, "60", "Supported: outbound, gruu\r\nUser-Agent: x\r\n",
		`<sip:a@h;transport=tcp>;+sip.instance="<urn:uuid:1>";reg-id=1`).String()))
	r, _ := newReg(f, Config{GRUU: true, HistorySize: 16, CallRemove: true, OnEnd: func(Ended) {},
		DeviceClass: func(string) string { return "room" }})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := sip.ParseMessage(data)
		if err != nil || !m.IsRequest() || m.Method() != sip.MethodRegister {
			return
		}
		resp, err := r.Register(context.Background(), m, src)
		if err != nil {
			return
		}
		if resp == nil {
			t.Fatal("nil response without error")
		}
		// The response is written as text: it must read back as the same
		// response.
		back, err := sip.ParseMessageLimits(resp.Bytes(), sip.Limits{MaxSize: 1 << 20})
		if err != nil {
			t.Fatalf("response does not parse: %v\n%s", err, resp.Bytes())
		}
		if back.StatusCode() != resp.StatusCode() || back.Get("Call-ID") != m.Get("Call-ID") || back.Count("Via") != m.Count("Via") {
			t.Fatalf("response differs from the request's identifiers:\n%s", resp.Bytes())
		}
	})
}
