package demux_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"

	"github.com/causeway-edge/causeway/demux"
)

// A Medium system keeps 36000/36001 for the shared pair and hands out
// per-leg pairs from 36002, lowest first.
func ExampleAllocator() {
	a, err := demux.NewAllocator(demux.DefaultRangeConfig(demux.Medium))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	p1, _ := a.AllocPair(ctx)
	in, _ := a.AllocInstance(ctx, demux.Needs{Pairs: 3, Singles: 2})
	fmt.Println("shared:", demux.DefaultRangeConfig(demux.Medium).DemuxPairs())
	fmt.Println("first leg pair:", p1)
	fmt.Println("instance:", in.Pairs, in.Singles)
	fmt.Println("ports per call:", demux.PortsPerCall, "in use:", a.InUse())
	// Output:
	// shared: [36000/36001]
	// first leg pair: 36002/36003
	// instance: [36004/36005 36006/36007 36008/36009] [36010 36011]
	// ports per call: 48 in use: 10
}

func ExampleClassifyFirstByte() {
	for _, b := range [][]byte{{0x00, 0x01}, {0x16, 0xfe}, {0x80, 0x60}, {0x80, 0xc8}} {
		k := demux.ClassifyFirstByte(b, false)
		if k == demux.KindRTP && demux.IsRTCP(b) {
			fmt.Println("RTCP")
			continue
		}
		fmt.Println(k)
	}
	// Output:
	// STUN
	// DTLS
	// RTP/RTCP
	// RTCP
}

// A caller's media arrives on the shared pair with multiplex ID 42 and is
// bridged to a per-leg port that sends it on to the callee, payload
// untouched.
func ExampleBridge() {
	ctx := context.Background()
	lo := netip.MustParseAddr("127.0.0.1")
	callee, _ := net.ListenUDP("udp", &net.UDPAddr{IP: lo.AsSlice()})
	defer callee.Close()
	caller, _ := net.ListenUDP("udp", &net.UDPAddr{IP: lo.AsSlice()})
	defer caller.Close()

	port := freeEvenPort()
	m, err := demux.NewMux(ctx, demux.MuxConfig{
		Range: demux.RangeConfig{Start: port, End: port + 1, Size: demux.Medium},
		Addrs: []netip.Addr{lo},
	})
	if err != nil {
		panic(err)
	}
	defer m.Close()
	st, _ := m.Register(demux.StreamSpec{CallID: "call-1", RecvID: 42, SendID: 7})
	leg, err := demux.OpenLeg(ctx, demux.LegConfig{Local: lo, RTCPMux: true,
		Mode: demux.LatchAfterFirst, RemoteRTP: callee.LocalAddr().(*net.UDPAddr).AddrPort()})
	if err != nil {
		panic(err)
	}
	defer leg.Close()
	demux.Bridge(st, leg)

	rtp := []byte{0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 'h', 'e', 'l', 'l', 'o'}
	dgram := binary.BigEndian.AppendUint32(nil, 42)
	caller.WriteToUDPAddrPort(append(dgram, rtp...), netip.AddrPortFrom(lo, m.Pairs()[0].RTP))
	buf := make([]byte, 1500)
	n, _, _ := callee.ReadFromUDPAddrPort(buf)
	fmt.Printf("callee got %q\n", buf[12:n])
	remote, _ := st.Remote()
	fmt.Println("caller latched:", remote == caller.LocalAddr().(*net.UDPAddr).AddrPort())
	// Output:
	// callee got "hello"
	// caller latched: true
}

func freeEvenPort() uint16 {
	for {
		c, _ := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		p := uint16(c.LocalAddr().(*net.UDPAddr).Port) &^ 1
		c.Close()
		a, err1 := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: int(p)})
		b, err2 := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: int(p) + 1})
		if a != nil {
			a.Close()
		}
		if b != nil {
			b.Close()
		}
		if err1 == nil && err2 == nil {
			return p
		}
	}
}
