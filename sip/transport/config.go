package transport

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"
)

// ParseErrorMode is RetainConnectionOnParseErrorMode (SIP-14).
type ParseErrorMode uint8

// Parse error modes.
const (
	DropAll    ParseErrorMode = iota // close the connection on any malformed message (default)
	RetainSome                       // keep it if only non-mandatory headers are malformed
	RetainAll                        // keep it for any malformed header
)

// Config is the transport part of the SIP configuration (SIP-1, SIP-2,
// SIP-30..SIP-39). The zero value of a field takes the product default,
// except that transports are enabled explicitly.
type Config struct {
	// Addrs are the local addresses listeners bind (SIP-30); default
	// 127.0.0.1 is never assumed: at least one is required.
	Addrs []netip.Addr
	// UDP, TCP, TLS and MTLS enable the listeners; ports 0 take the
	// defaults 5060, 5060, 5061, 5062 (SIP-1). Port -1 binds an ephemeral
	// port (tests).
	UDP, TCP, TLS, MTLS                 bool
	UDPPort, TCPPort, TLSPort, MTLSPort int

	// OutboundPortStart..OutboundPortEnd is the source port range of
	// outbound TCP/TLS connections (25000-29999, SIP-31); 0 lets the
	// system choose (tests).
	OutboundPortStart, OutboundPortEnd int
	ConnectTimeout                     time.Duration // SipTcpConnectTimeout, 1..150 s, default 10 s
	TLSHandshakeTimeout                time.Duration // 1..60 s, default 5 s

	// TLSConfig holds the certificates; versions and ciphers come from
	// TLSVersions and TLSCiphers (SIP-32). MTLS also needs ClientCAs.
	TLSConfig   *tls.Config
	TLSVersions string // "TLSv1.2:TLSv1.3"; default TLS 1.2 and later
	TLSCiphers  string // OpenSSL-format list; default the seed's string

	MaxSize        int            // SipMaxSize 1..1048576, default 32768 (SIP-13)
	ParseErrorMode ParseErrorMode // SIP-14
	// ReadTimeout bounds how long one message may take to arrive on a
	// stream (slowloris); default 120 s.
	ReadTimeout time.Duration
	// LargeRequestSize: a request over it that would go over UDP goes
	// over TCP when TCP is enabled (SIP-36); default 1300.
	LargeRequestSize int
	DSCP             *int // signalling DSCP, default 24 (SIP-37); -1 none
	// UDPReaders is how many goroutines read each UDP socket, each
	// blocking in its own recvmmsg and handling what it reads; default 1
	// (a stalled reader hands over to a new one anyway), at most 64. More
	// readers cost more CPU per message on 2 cores (bench/proxy: 126 →
	// 198 µs per call with 2) and may handle messages of one transaction
	// out of order, as UDP may deliver them anyway.
	UDPReaders int

	Logger *slog.Logger
	// OnEvent gets "Decode Error" (level 1) and "TLS Negotiation Error"
	// events (SIP-15, SIP-35).
	OnEvent func(Event)
}

// Event is a transport event.
type Event struct {
	Name   string
	Level  int
	Src    Addr
	Dst    Addr
	Detail string
	Buffer []byte // the bytes seen, at most 4 KiB (SIP-15)
}

// Defaults (SIP-1).
const (
	DefaultUDPPort          = 5060
	DefaultTCPPort          = 5060
	DefaultTLSPort          = 5061
	DefaultMTLSPort         = 5062
	DefaultMaxSize          = 32768
	DefaultCiphers          = "EECDH:EDH:HIGH:-AES256+SHA:!MEDIUM:!LOW:!3DES:!MD5:!PSK:!eNULL:+ADH"
	maxConsecutiveMalformed = 10
)

func (c Config) withDefaults() Config {
	port := func(p *int, def int) {
		if *p == 0 {
			*p = def
		} else if *p < 0 {
			*p = 0
		}
	}
	port(&c.UDPPort, DefaultUDPPort)
	port(&c.TCPPort, DefaultTCPPort)
	port(&c.TLSPort, DefaultTLSPort)
	port(&c.MTLSPort, DefaultMTLSPort)
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = 10 * time.Second
	}
	if c.TLSHandshakeTimeout == 0 {
		c.TLSHandshakeTimeout = 5 * time.Second
	}
	if c.TLSCiphers == "" {
		c.TLSCiphers = DefaultCiphers
	}
	if c.MaxSize == 0 {
		c.MaxSize = DefaultMaxSize
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = 120 * time.Second
	}
	if c.LargeRequestSize == 0 {
		c.LargeRequestSize = 1300
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Validate reports every fault at once (SIP-1, SIP-2). Cipher and version
// tokens Go cannot honour are not errors: Warnings lists them.
func (c Config) Validate() error {
	raw := c
	c = c.withDefaults()
	var errs []error
	add := func(f string, a ...any) { errs = append(errs, fmt.Errorf("transport: "+f, a...)) }
	if c.UDPReaders < 0 {
		add("UDP readers %d is negative", c.UDPReaders)
	}
	if len(c.Addrs) == 0 {
		add("at least one listening address is required")
	}
	for name, p := range map[string]int{"UDP": raw.UDPPort, "TCP": raw.TCPPort, "TLS": raw.TLSPort, "MTLS": raw.MTLSPort} {
		if p > 0 && (p < 1024 || p > 65534) {
			add("%s port %d out of range 1024..65534", name, p)
		}
	}
	streams := map[int][]string{}
	if c.TCP {
		streams[c.TCPPort] = append(streams[c.TCPPort], "TCP")
	}
	if c.TLS {
		streams[c.TLSPort] = append(streams[c.TLSPort], "TLS")
	}
	if c.MTLS {
		streams[c.MTLSPort] = append(streams[c.MTLSPort], "MTLS")
	}
	for p, names := range streams {
		if p != 0 && len(names) > 1 {
			add("%v listeners share port %d", names, p)
		}
	}
	if c.OutboundPortStart != 0 || c.OutboundPortEnd != 0 {
		if c.OutboundPortStart < 1024 || c.OutboundPortEnd > 65534 || c.OutboundPortEnd < 1024 {
			add("outbound ports %d-%d out of range 1024..65534", c.OutboundPortStart, c.OutboundPortEnd)
		}
		if c.OutboundPortStart > c.OutboundPortEnd {
			add("outbound port start %d after end %d", c.OutboundPortStart, c.OutboundPortEnd)
		}
	}
	if c.ConnectTimeout < time.Second || c.ConnectTimeout > 150*time.Second {
		add("connect timeout %v out of range 1..150 s", c.ConnectTimeout)
	}
	if c.TLSHandshakeTimeout < time.Second || c.TLSHandshakeTimeout > 60*time.Second {
		add("TLS handshake timeout %v out of range 1..60 s", c.TLSHandshakeTimeout)
	}
	if c.MaxSize < 1 || c.MaxSize > 1048576 {
		add("SipMaxSize %d out of range 1..1048576", c.MaxSize)
	}
	if (c.TLS || c.MTLS) && (c.TLSConfig == nil || (len(c.TLSConfig.Certificates) == 0 && c.TLSConfig.GetCertificate == nil)) {
		add("TLS and MTLS listeners need a certificate in TLSConfig")
	}
	if c.MTLS && (c.TLSConfig == nil || c.TLSConfig.ClientCAs == nil) {
		add("the MTLS listener needs TLSConfig.ClientCAs to verify client certificates")
	}
	if _, _, _, err := parseVersions(c.TLSVersions); err != nil {
		add("%v", err)
	}
	if _, _, err := ParseCiphers(c.TLSCiphers); err != nil {
		add("%v", err)
	}
	if len(c.TLSCiphers) > 2048 {
		add("cipher string longer than 2048 characters")
	}
	if c.DSCP != nil && (*c.DSCP < -1 || *c.DSCP > 63) {
		add("DSCP %d out of range 0..63", *c.DSCP)
	}
	if !c.UDP && !c.TCP && !c.TLS && !c.MTLS {
		add("no transport enabled")
	}
	return errors.Join(errs...)
}

// Warnings lists what the configuration asks for that Go's crypto/tls
// cannot do (SIP-32): they are reported, never silently ignored.
func (c Config) Warnings() []string {
	c = c.withDefaults()
	_, _, w1, _ := parseVersions(c.TLSVersions)
	_, w2, _ := ParseCiphers(c.TLSCiphers)
	return append(w1, w2...)
}
