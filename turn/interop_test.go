package turn

import (
	"context"
	"net"
	"net/netip"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"
)

var totals = regexp.MustCompile(`tot_send_msgs=(\d+), tot_recv_msgs=(\d+)`)

// Interop with coturn's own client: turnutils_uclient in UDP, TCP,
// channel, send-indication and RFC 6062 TCP-allocation modes, with
// long-term and REST (-W) credentials, against a real socket server with
// turnutils_peer as the echoing peer. Every run must return every packet.
func TestCoturnClientInterop(t *testing.T) {
	uclient, err1 := exec.LookPath("turnutils_uclient")
	peerBin, err2 := exec.LookPath("turnutils_peer")
	if err1 != nil || err2 != nil {
		t.Skip("coturn's turnutils_uclient/turnutils_peer not installed (Debian package coturn)")
	}
	port := freeUDPAndTCPPort(t)
	s := newTestServer(t, func(c *Config) {
		c.Listeners = []Listener{{Network: UDP, Addr: netip.AddrPortFrom(lo, port)}, {Network: TCP, Addr: netip.AddrPortFrom(lo, port)}}
		c.Now = time.Now
		c.Credentials = CredentialsFunc(func(u, r string) ([]byte, bool) {
			if k, ok := (StaticCredentials{"user": "pass"}).LongTermKey(u, r); ok {
				return k, true
			}
			return RESTCredentials{Secret: []byte("north")}.LongTermKey(u, r)
		})
	})
	peerPort := freeUDPPort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	peer := exec.CommandContext(ctx, peerBin, "-L", "127.0.0.1", "-p", strconv.Itoa(peerPort))
	if err := peer.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		_ = peer.Wait()
	}()
	runs := []struct {
		name string
		args []string
		want int
	}{
		{"udp", nil, 20},
		{"tcp", []string{"-t"}, 20},
		{"channel-only", []string{"-c"}, 10},
		{"send-indication", []string{"-s"}, 20},
		{"tcp-allocation", []string{"-T"}, 20},
		{"rest-udp", []string{"-W", "north"}, 20},
		{"rest-tcp", []string{"-t", "-W", "north"}, 20},
		{"multi-client", []string{"-m", "5"}, 60}, // uclient counts 5 clients' sessions this way
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			args := append([]string{"-u", "user", "-w", "pass", "-e", "127.0.0.1", "-r", strconv.Itoa(peerPort),
				"-n", "10", "-p", strconv.Itoa(int(s.udp.Port()))}, r.args...)
			args = append(args, "127.0.0.1")
			cctx, ccancel := context.WithTimeout(ctx, 60*time.Second)
			defer ccancel()
			out, err := exec.CommandContext(cctx, uclient, args...).CombinedOutput()
			m := totals.FindAllStringSubmatch(string(out), -1)
			if err != nil || len(m) == 0 {
				t.Fatalf("uclient %v: %v\n%s", args, err, tail(out))
			}
			last := m[len(m)-1]
			sent, _ := strconv.Atoi(last[1])
			recv, _ := strconv.Atoi(last[2])
			if sent != r.want || recv != sent {
				t.Fatalf("sent %d received %d, want %d both\n%s", sent, recv, r.want, tail(out))
			}
		})
	}
}

func tail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

func freeUDPPort(t testing.TB) int {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: lo.AsSlice()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// freeUDPAndTCPPort finds a port free for both UDP and TCP: uclient talks
// to one port number over both.
func freeUDPAndTCPPort(t testing.TB) uint16 {
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
			return uint16(p)
		}
	}
	t.Fatal("no port free for both UDP and TCP")
	return 0
}
