package demux

import (
	"encoding/binary"
	"net/netip"
	"testing"
)

func fuzzPacket(data []byte, from netip.AddrPort) *Packet {
	buf := make([]byte, bufSize)
	n := copy(buf[Headroom:], data)
	return &Packet{buf: buf, off: Headroom, n: n, From: from}
}

// FuzzSharedPort feeds arbitrary datagrams to the shared-port reader on
// both ports: no panic, every datagram is either delivered to the stream
// whose ID it carries (ID stripped, class matching the port) or counted as
// a drop or keep-alive.
func FuzzSharedPort(f *testing.F) {
	f.Add(withID(42, rtpPacket(1, 1, 8)), false, uint16(4000))
	f.Add(withID(42, rtcpSR()), true, uint16(4000))
	f.Add(withID(42, rtpPacket(1, 1, 0)), false, uint16(4001))
	f.Add(withID(0, rtpPacket(1, 1, 8)), false, uint16(1))
	f.Add([]byte{0, 0, 0, 42, 0x80}, false, uint16(2))
	f.Add([]byte{}, true, uint16(3))
	m := newTestMux(f, Medium, MuxConfig{})
	var delivered int
	var last []byte
	st, err := m.Register(StreamSpec{RecvID: 42, SendID: 7, Sink: func(p *Packet) {
		delivered++
		last = append(last[:0], p.Bytes()...)
	}})
	if err != nil {
		f.Fatal(err)
	}
	rtpSock, rtcpSock := m.out[0][0], m.out[0][1]
	f.Fuzz(func(t *testing.T, data []byte, rtcp bool, port uint16) {
		if len(data) > bufSize-Headroom {
			return // the socket reader skips truncated datagrams before this point
		}
		s := rtpSock
		if rtcp {
			s = rtcpSock
		}
		before := delivered
		drops := m.Drops()
		kas := st.Stats().KeepAlives
		from := netip.AddrPortFrom(loopback, port)
		m.handle(s, fuzzPacket(data, from))
		after := m.Drops()
		dropped := 0
		for i := range after {
			dropped += int(after[i] - drops[i])
		}
		absorbed := int(st.Stats().KeepAlives - kas)
		if got := delivered - before + dropped + absorbed; got != 1 {
			t.Fatalf("datagram of %d bytes: delivered %d dropped %d absorbed %d", len(data), delivered-before, dropped, absorbed)
		}
		if delivered > before {
			if binary.BigEndian.Uint32(data) != 42 || string(last) != string(data[4:]) || IsRTCP(last) != rtcp {
				t.Fatalf("wrong delivery of a %d-byte datagram as %d bytes", len(data), len(last))
			}
		}
	})
}

// FuzzClassifyFirstByte: classification is total and IsRTCP only says yes
// for RTP-class packets with an RTCP type.
func FuzzClassifyFirstByte(f *testing.F) {
	for _, b := range [][]byte{{0}, {0x16}, {0x40}, {0x55}, {0x80, 0xc8}, {0xc0}, {}} {
		f.Add(b, false)
	}
	f.Fuzz(func(t *testing.T, b []byte, quic bool) {
		k := ClassifyFirstByte(b, quic)
		if k == KindQUIC && !quic {
			t.Fatal("QUIC while disabled")
		}
		if len(b) > 0 && b[0] >= 128 && b[0] <= 191 && k != KindRTP {
			t.Fatal("RTP range misclassified")
		}
		if IsRTCP(b) && (len(b) < 2 || b[1] < 192 || b[1] > 223) {
			t.Fatal("IsRTCP")
		}
	})
}
