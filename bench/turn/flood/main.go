// Command flood is a closed-loop TURN relay load generator efficient
// enough that the server, not the client, is the bottleneck: each client
// allocates a UDP relay with long-term credentials, binds channel 0x4000
// to an echo peer and keeps a window of ChannelData packets in flight,
// sending and receiving them in batches (sendmmsg/recvmmsg). The echo
// peer, built in unless -peer names one, returns every packet to the
// relay, so that each returned message was relayed twice.
//
//	go run ./bench/turn/flood -server 127.0.0.1:3478 -user user -pass pass -clients 10 -n 20000 -size 200 -window 64
//
// It prints one line for scripts:
//
//	flood clients=10 sent=200000 received=199950 lost=50 loss=0.025% seconds=3.210 rate=62290/s cpu=1.52s
//
// rate is received messages over the time from the first send to the last
// receive; cpu is the generator's own user+system time during the load
// (echo peer included). Setup failures (credentials refused, a 403 on
// ChannelBind) exit with status 1 and a message.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime/pprof"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "flood:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("flood", flag.ContinueOnError)
	server := fs.String("server", "127.0.0.1:3478", "TURN server (UDP)")
	user := fs.String("user", "user", "username")
	pass := fs.String("pass", "pass", "password")
	clients := fs.Int("clients", 10, "clients, one allocation and socket each")
	n := fs.Int("n", 20000, "packets per client")
	size := fs.Int("size", 200, "ChannelData payload bytes (at least 8: a sequence number)")
	window := fs.Int("window", 64, "packets in flight per client")
	timeout := fs.Duration("timeout", 30*time.Second, "stop the load after this long")
	peer := fs.String("peer", "", "echo peer host:port (default: a built-in batched echo peer on 127.0.0.1)")
	pollers := fs.Int("pollers", 1, "epoll goroutines serving the client sockets")
	blocking := fs.Bool("blocking", false, "a goroutine per client blocking in recvmmsg instead of pollers")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := Config{User: *user, Pass: *pass, Clients: *clients, N: *n, Size: *size, Window: *window,
		Timeout: *timeout, Pollers: *pollers, Blocking: *blocking}
	var err error
	if cfg.Server, err = resolve(*server); err != nil {
		return fmt.Errorf("-server: %w", err)
	}
	if *peer != "" {
		if cfg.Peer, err = resolve(*peer); err != nil {
			return fmt.Errorf("-peer: %w", err)
		}
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	res, err := Run(context.Background(), cfg)
	if err != nil {
		return err
	}
	if res.SendErrors > 0 {
		fmt.Fprintf(os.Stderr, "flood: %d batches not fully sent (full socket buffer)\n", res.SendErrors)
	}
	fmt.Println(res)
	return nil
}

// resolve turns host:port into an address.
func resolve(s string) (netip.AddrPort, error) {
	a, err := net.ResolveUDPAddr("udp4", s)
	if err != nil {
		return netip.AddrPort{}, err
	}
	ap := a.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}
