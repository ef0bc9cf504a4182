// Command media measures the demux relay against the kernel's UDP ceiling
// on this machine, in one process:
//
//	(a) a raw UDP echo server on loopback (recvfrom + sendto per packet);
//	(b) the same traffic — N concurrent streams of 172-byte RTP — into a
//	    demuxed shared pair, through a Bridge, out of a per-leg port each.
//
// It prints packets/s for both, the ratio, the process CPU time per packet,
// and the loss of the relay when offered half of the echo rate.
//
//	go run ./bench/media [-streams 100] [-seconds 3]
package main

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/causeway-edge/causeway/demux"
)

var loopback = netip.MustParseAddr("127.0.0.1")

func main() {
	streams := flag.Int("streams", 100, "concurrent RTP streams")
	seconds := flag.Float64("seconds", 3, "duration of each run")
	flag.Parse()
	d := time.Duration(*seconds * float64(time.Second))
	if err := run(*streams, d); err != nil {
		fmt.Fprintln(os.Stderr, "media:", err)
		os.Exit(1)
	}
}

const payload = 172 - 12 // 172-byte RTP packets

func rtp(ssrc uint32) []byte {
	b := make([]byte, 172)
	b[0], b[1] = 0x80, 0
	binary.BigEndian.PutUint32(b[8:], ssrc)
	return b
}

// cpuTime is this process's utime+stime from /proc/self/stat.
func cpuTime() time.Duration {
	raw, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * (time.Second / 100) // USER_HZ
}

type result struct {
	sent, received uint64
	elapsed        time.Duration
	cpu            time.Duration
}

func (r result) pps() float64 { return float64(r.received) / r.elapsed.Seconds() }

// drive sends from srcs to dsts[i] (pre-built datagrams) for d, at most
// rate packets/s in total (0 = as fast as possible), and counts what the
// sinks receive.
func drive(srcs []*net.UDPConn, dgrams [][]byte, to []netip.AddrPort, sinks []*net.UDPConn, d time.Duration, rate float64) result {
	var received atomic.Uint64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for _, s := range sinks {
		wg.Add(1)
		go func(c *net.UDPConn) {
			defer wg.Done()
			buf := make([]byte, 2048)
			for {
				if _, _, err := c.ReadFromUDPAddrPort(buf); err != nil {
					if ne, ok := err.(net.Error); ok && ne.Timeout() {
						select {
						case <-stop:
							return
						default:
							c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
							continue
						}
					}
					return
				}
				received.Add(1)
			}
		}(s)
		s.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	}
	senders := runtime.GOMAXPROCS(0)
	var sent atomic.Uint64
	cpu0, t0 := cpuTime(), time.Now()
	deadline := t0.Add(d)
	var swg sync.WaitGroup
	for g := 0; g < senders; g++ {
		swg.Add(1)
		go func(g int) {
			defer swg.Done()
			var n uint64
			perTick := rate / float64(senders) / 1000 // per millisecond
			next, budget := time.Now(), 0.0
			for time.Now().Before(deadline) {
				if rate > 0 {
					for time.Now().Before(next) {
						runtime.Gosched()
					}
					next = next.Add(time.Millisecond)
					budget += perTick
				}
				for i := g; i < len(srcs); i += senders {
					if rate > 0 {
						if budget < 1 {
							break
						}
						budget--
					}
					if _, err := srcs[i].WriteToUDPAddrPort(dgrams[i], to[i]); err == nil {
						n++
					}
				}
			}
			sent.Add(n)
		}(g)
	}
	swg.Wait()
	elapsed := time.Since(t0)
	time.Sleep(200 * time.Millisecond) // drain what is in flight
	cpu := cpuTime() - cpu0
	close(stop)
	wg.Wait()
	return result{sent: sent.Load(), received: received.Load(), elapsed: elapsed, cpu: cpu}
}

func udp() (*net.UDPConn, error) {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err == nil {
		err = c.SetReadBuffer(4 << 20)
	}
	return c, err
}

func addr(c *net.UDPConn) netip.AddrPort { return c.LocalAddr().(*net.UDPAddr).AddrPort() }

func sockets(n int) ([]*net.UDPConn, error) {
	out := make([]*net.UDPConn, n)
	for i := range out {
		c, err := udp()
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// echo is the kernel baseline: one socket, one goroutine, recvfrom/sendto.
func echo(n int, d time.Duration, rate float64) (result, error) {
	srv, err := udp()
	if err != nil {
		return result{}, err
	}
	defer srv.Close()
	go func() {
		buf := make([]byte, 2048)
		for {
			k, from, err := srv.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			srv.WriteToUDPAddrPort(buf[:k], from)
		}
	}()
	clients, err := sockets(n)
	if err != nil {
		return result{}, err
	}
	defer closeAll(clients)
	dgrams, to := make([][]byte, n), make([]netip.AddrPort, n)
	for i := range clients {
		dgrams[i], to[i] = rtp(uint32(i+1)), addr(srv)
	}
	return drive(clients, dgrams, to, clients, d, rate), nil
}

// relay: n sources into one shared pair, each stream bridged to its own
// per-leg port that sends to its own sink.
func relay(n int, d time.Duration, rate float64) (result, error) {
	ctx := context.Background()
	base, err := freeEvenPair()
	if err != nil {
		return result{}, err
	}
	m, err := demux.NewMux(ctx, demux.MuxConfig{
		Range: demux.RangeConfig{Start: base, End: base + 1, Size: demux.Medium},
		Addrs: []netip.Addr{loopback}, SocketBuffer: 4 << 20,
	})
	if err != nil {
		return result{}, err
	}
	defer m.Close()
	srcs, err := sockets(n)
	if err != nil {
		return result{}, err
	}
	defer closeAll(srcs)
	sinks, err := sockets(n)
	if err != nil {
		return result{}, err
	}
	defer closeAll(sinks)
	dgrams, to := make([][]byte, n), make([]netip.AddrPort, n)
	for i := 0; i < n; i++ {
		st, err := m.Register(demux.StreamSpec{CallID: strconv.Itoa(i), SendID: uint32(100000 + i)})
		if err != nil {
			return result{}, err
		}
		leg, err := demux.OpenLeg(ctx, demux.LegConfig{Local: loopback, RTCPMux: true, Mode: demux.Signaled, RemoteRTP: addr(sinks[i])})
		if err != nil {
			return result{}, err
		}
		defer leg.Close()
		demux.Bridge(st, leg)
		dg := make([]byte, 4+172)
		binary.BigEndian.PutUint32(dg, st.RecvID())
		copy(dg[4:], rtp(uint32(i+1)))
		dgrams[i], to[i] = dg, netip.AddrPortFrom(loopback, m.Pairs()[0].RTP)
	}
	return drive(srcs, dgrams, to, sinks, d, rate), nil
}

func freeEvenPair() (uint16, error) {
	for i := 0; i < 100; i++ {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			return 0, err
		}
		p := uint16(addr(c).Port()) &^ 1
		c.Close()
		a, err1 := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: int(p)})
		b, err2 := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: int(p) + 1})
		if a != nil {
			a.Close()
		}
		if b != nil {
			b.Close()
		}
		if err1 == nil && err2 == nil && p >= 1024 {
			return p, nil
		}
	}
	return 0, fmt.Errorf("no free port pair")
}

func closeAll(cs []*net.UDPConn) {
	for _, c := range cs {
		c.Close()
	}
}

func run(n int, d time.Duration) error {
	fmt.Printf("streams %d, 172-byte RTP, %v per run, GOMAXPROCS %d\n", n, d, runtime.GOMAXPROCS(0))
	e, err := echo(n, d, 0)
	if err != nil {
		return err
	}
	r, err := relay(n, d, 0)
	if err != nil {
		return err
	}
	report := func(name string, x result) {
		fmt.Printf("%-28s %10.0f pkt/s  sent %9d  received %9d  cpu %6.2f µs/pkt\n", name, x.pps(), x.sent, x.received,
			float64(x.cpu.Microseconds())/float64(max(x.received, 1)))
	}
	report("(a) raw UDP echo", e)
	report("(b) demux + Bridge + leg", r)
	fmt.Printf("ratio relay/echo: %.2f\n", r.pps()/e.pps())
	half := e.pps() / 2
	l, err := relay(n, d, half)
	if err != nil {
		return err
	}
	lost := int64(l.sent) - int64(l.received)
	fmt.Printf("relay at 50%% of echo (%.0f pkt/s offered): sent %d received %d lost %d (%.3f%%)\n",
		half, l.sent, l.received, lost, 100*float64(lost)/float64(max(l.sent, 1)))
	return nil
}
