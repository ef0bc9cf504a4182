// Command turnserver runs the Causeway TURN server.
//
//	go run ./examples/turnserver -listen 127.0.0.1:3478 -realm test -user user:pass \
//	    [-relay-range 24000-29999] [-secret S] [-allow-peers 127.0.0.0/8]
//
// It listens on UDP and TCP at -listen (and TLS/DTLS with -tls-listen,
// -dtls-listen and a certificate), relays from the listen address, and
// logs allocation events. Peers on loopback and private networks are
// refused unless -allow-peers lists them.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/causeway-edge/causeway/turn"
	"github.com/pion/dtls/v3"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "turnserver:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("turnserver", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:3478", "UDP and TCP listening address")
	realm := fs.String("realm", turn.DefaultRealm, "authentication realm")
	var users, allow multi
	fs.Var(&users, "user", "user:password (repeatable)")
	fs.Var(&allow, "allow-peers", "peer prefix to allow although private or loopback (repeatable)")
	relayRange := fs.String("relay-range", "24000-29999", "relay port range")
	relayIP := fs.String("relay-ip", "", "relay address (default: the listen address)")
	secret := fs.String("secret", "", "TURN REST API shared secret (ephemeral credentials)")
	maxRelays := fs.Int("max-relays", 0, "maximum concurrent relays (default 1800, or the range size if smaller)")
	tcpAlloc := fs.Bool("tcp-allocations", true, "allow RFC 6062 TCP allocations")
	tlsListen := fs.String("tls-listen", "", "TLS listening address")
	dtlsListen := fs.String("dtls-listen", "", "DTLS listening address")
	cert := fs.String("cert", "", "certificate file for TLS/DTLS")
	key := fs.String("key", "", "key file for TLS/DTLS")
	noAuth := fs.Bool("no-auth", false, "disable authentication (testing only)")
	readers := fs.Int("readers", 0, "SO_REUSEPORT sockets per UDP listener (default 2)")
	pollers := fs.Int("pollers", 0, "goroutines serving the UDP listener and relay sockets (default GOMAXPROCS/2, at least 1)")
	gso := fs.Bool("gso", true, "send a batch's datagrams to one address as one segmented send (Linux UDP_SEGMENT)")
	verbose := fs.Bool("v", false, "log every allocation event")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	metrics := fs.String("metrics", "", "serve Prometheus metrics on this address (e.g. 127.0.0.1:9641) at /metrics")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ap, err := netip.ParseAddrPort(*listen)
	if err != nil {
		return fmt.Errorf("-listen: %w", err)
	}
	lo, hi, err := parseRange(*relayRange)
	if err != nil {
		return err
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	cfg := turn.Config{
		Listeners:             []turn.Listener{{Network: turn.UDP, Addr: ap}, {Network: turn.TCP, Addr: ap}},
		ReadersPerUDPListener: *readers,
		Pollers:               *pollers,
		NoSegmentationOffload: !*gso,
		RelayAddress:          ap.Addr(),
		RelayPortMin:          lo,
		RelayPortMax:          hi,
		Realm:                 *realm,
		NoAuth:                *noAuth,
		MaxRelays:             *maxRelays,
		TCPAllocations:        *tcpAlloc,
		Logger:                slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})),
	}
	if cfg.MaxRelays == 0 {
		cfg.MaxRelays = min(turn.MaxRelaysFor(turn.Medium), int(hi)-int(lo)+1)
	}
	if *relayIP != "" {
		if cfg.RelayAddress, err = netip.ParseAddr(*relayIP); err != nil {
			return fmt.Errorf("-relay-ip: %w", err)
		}
	}
	for _, p := range allow {
		pfx, err := netip.ParsePrefix(p)
		if err != nil {
			return fmt.Errorf("-allow-peers: %w", err)
		}
		cfg.AllowedPeers = append(cfg.AllowedPeers, pfx)
	}
	static := turn.StaticCredentials{}
	for _, u := range users {
		name, pass, ok := strings.Cut(u, ":")
		if !ok {
			return fmt.Errorf("-user %q: want user:password", u)
		}
		static[name] = pass
	}
	switch {
	case *secret != "" && len(static) > 0:
		rest := turn.RESTCredentials{Secret: []byte(*secret)}
		cfg.Credentials = turn.CredentialsFunc(func(u, r string) ([]byte, bool) {
			if k, ok := static.LongTermKey(u, r); ok {
				return k, true
			}
			return rest.LongTermKey(u, r)
		})
	case *secret != "":
		cfg.Credentials = turn.RESTCredentials{Secret: []byte(*secret)}
	case len(static) > 0:
		cfg.Credentials = static
	}
	if *tlsListen != "" || *dtlsListen != "" {
		if *cert == "" || *key == "" {
			return errors.New("-tls-listen and -dtls-listen need -cert and -key")
		}
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			return err
		}
		if *tlsListen != "" {
			a, err := netip.ParseAddrPort(*tlsListen)
			if err != nil {
				return fmt.Errorf("-tls-listen: %w", err)
			}
			cfg.Listeners = append(cfg.Listeners, turn.Listener{Network: turn.TLS, Addr: a,
				TLS: &tls.Config{Certificates: []tls.Certificate{pair}}})
		}
		if *dtlsListen != "" {
			a, err := netip.ParseAddrPort(*dtlsListen)
			if err != nil {
				return fmt.Errorf("-dtls-listen: %w", err)
			}
			cfg.Listeners = append(cfg.Listeners, turn.Listener{Network: turn.DTLS, Addr: a,
				DTLS: &dtls.Config{Certificates: []tls.Certificate{pair}}})
		}
	}
	srv, err := turn.NewServer(cfg)
	if err != nil {
		return err
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := srv.Start(ctx); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "turnserver: listening on %v, relays %s %d-%d, realm %q\n", srv.Addrs(), cfg.RelayAddress, lo, hi, *realm)
	if *metrics != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain; version=0.0.4")
			_ = srv.WriteMetrics(w)
		})
		hs := &http.Server{Addr: *metrics, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = hs.ListenAndServe() }()
		defer hs.Close()
	}
	<-ctx.Done()
	st := srv.Stats()
	fmt.Fprintf(os.Stderr, "turnserver: %d allocations, %d packets to peers, %d to clients\n",
		st.AllocationsTotal, st.PacketsToPeer, st.PacketsToClient)
	return srv.Close()
}

func parseRange(s string) (uint16, uint16, error) {
	a, b, ok := strings.Cut(s, "-")
	lo, err1 := strconv.ParseUint(a, 10, 16)
	hi, err2 := strconv.ParseUint(b, 10, 16)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("-relay-range %q: want start-end", s)
	}
	return uint16(lo), uint16(hi), nil
}
