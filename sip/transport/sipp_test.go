package transport_test

import (
	"context"
	"net"
	"net/netip"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/digest"
	"github.com/causeway-edge/causeway/sip/transaction"
)

// uas is a small user agent server on these layers: OPTIONS 200,
// REGISTER with digest authentication, INVITE 180/200, BYE 200.
type uas struct {
	auth *digest.Server
	tag  string
}

func (u *uas) HandleRequest(tx *transaction.ServerTx, req *sip.Message) {
	if tx == nil { // ACK of a 2xx
		return
	}
	reply := func(code int, edit func(*sip.Message)) {
		r, err := sip.NewResponse(req, code, "")
		if err != nil {
			return
		}
		if code > 100 {
			_ = r.SetToTag(u.tag)
		}
		if edit != nil {
			edit(r)
		}
		_ = tx.Respond(r)
	}
	switch req.Method() {
	case "REGISTER":
		d, err := u.auth.Authenticate(context.Background(), req, tx.Source().AddrPort.Addr())
		if err != nil {
			reply(500, nil)
			return
		}
		if d.Result != digest.Authenticated {
			if r, err := digest.Respond(req, d); err == nil {
				_ = tx.Respond(r)
			}
			return
		}
		reply(200, func(r *sip.Message) {
			for _, c := range req.Values("Contact") {
				_ = r.Add("Contact", c+";expires=60")
			}
		})
	case "INVITE":
		reply(180, nil)
		reply(200, func(r *sip.Message) {
			_ = r.Set("Contact", "<sip:uas@127.0.0.1>")
			_ = r.SetBody("application/sdp", []byte("v=0\r\no=uas 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n"))
		})
	default:
		reply(200, nil)
	}
}

// Interop with a real peer: sipp runs UAC scenarios — OPTIONS, the
// built-in INVITE/200/ACK/BYE call, and REGISTER with digest — against
// the UAS over UDP and TCP (issue 5; Debian's sipp is built without TLS,
// so TLS is covered by TestTLSAndMutualTLS instead).
func TestSippInterop(t *testing.T) {
	sippBin, err := exec.LookPath("sipp")
	if err != nil {
		t.Skip("sipp not installed (Debian package sip-tester)")
	}
	auth, err := digest.NewServer(digest.Config{Store: digest.MemoryStore{"meetingroom1": "mypassword"}})
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, nil, &uas{auth: auth, tag: "uas1"})
	for _, tr := range []struct {
		name, mode, network string
	}{{"udp", "u1", "udp"}, {"tcp", "t1", "tcp"}} {
		for _, sc := range []struct {
			name string
			args []string
		}{
			{"options", []string{"-sf", "testdata/sipp/options.xml"}},
			{"invite", []string{"-sn", "uac", "-d", "10"}},
			{"register", []string{"-sf", "testdata/sipp/register.xml", "-au", "meetingroom1", "-ap", "mypassword"}},
		} {
			t.Run(tr.name+"/"+sc.name, func(t *testing.T) {
				target := netip.AddrPortFrom(lo, s.tp.LocalAddr(tr.network).Port())
				args := append([]string{target.String(), "-t", tr.mode, "-i", "127.0.0.1", "-p", strconv.Itoa(freePort(t)),
					"-m", "1", "-timeout", "20", "-timeout_error", "-nostdin", "-max_socket", "10"}, sc.args...)
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				cmd := exec.CommandContext(ctx, sippBin, args...)
				cmd.Dir = "."
				out, err := cmd.CombinedOutput()
				if err != nil {
					if len(out) > 3000 {
						out = out[len(out)-3000:]
					}
					t.Fatalf("sipp %v: %v\n%s", args, err, out)
				}
			})
		}
	}
}

func freePort(t testing.TB) int {
	for i := 0; i < 50; i++ {
		u, err := net.ListenUDP("udp", &net.UDPAddr{IP: lo.AsSlice()})
		if err != nil {
			t.Fatal(err)
		}
		p := u.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		u.Close()
		if err == nil {
			l.Close()
			return p
		}
	}
	t.Fatal("no free port")
	return 0
}
