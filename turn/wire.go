package turn

import (
	"encoding/binary"
	"net/netip"

	"github.com/pion/stun/v3"
)

// STUN/TURN wire constants not named by pion/stun.
const (
	magicCookie          = 0x2112A442
	headerLen            = 20
	typeSendIndication   = 0x0016
	typeDataIndication   = 0x0017
	attrXORPeerAddress   = 0x0012
	attrData             = 0x0013
	attrDontFragment     = 0x001A
	attrEvenPort         = 0x0018
	attrReservationToken = 0x0022
	attrReqTransport     = 0x0019
	attrLifetime         = 0x000D
	attrChannelNumber    = 0x000C
	attrReqAddrFamily    = 0x0017
	attrAddlAddrFamily   = 0x8000
	attrConnectionID     = 0x002A
	familyIPv4           = 0x01
	familyIPv6           = 0x02
	protoUDPNumber       = 17
	protoTCPNumber       = 6
)

// Methods of RFC 5766 / RFC 6062.
var (
	methodAllocate         = stun.MethodAllocate
	methodRefresh          = stun.MethodRefresh
	methodSend             = stun.MethodSend
	methodData             = stun.MethodData
	methodCreatePermission = stun.MethodCreatePermission
	methodChannelBind      = stun.MethodChannelBind
	methodConnect          = stun.MethodConnect
	methodConnectionBind   = stun.MethodConnectionBind
	methodConnectionAttemp = stun.MethodConnectionAttempt
)

// isChannelData reports a ChannelData frame (first byte 0x40..0x7F).
func isChannelData(b []byte) bool { return len(b) >= 4 && b[0] >= 0x40 && b[0] <= 0x7F }

// isSTUN reports a STUN-framed message: first two bits zero and the magic
// cookie (TURN-27: no cookie, no service).
func isSTUN(b []byte) bool {
	return len(b) >= headerLen && b[0]&0xC0 == 0 && binary.BigEndian.Uint32(b[4:]) == magicCookie
}

// xorAddr decodes an XOR-*-ADDRESS value without allocating.
func xorAddr(v []byte, txid []byte) (netip.AddrPort, bool) {
	if len(v) < 8 {
		return netip.AddrPort{}, false
	}
	port := binary.BigEndian.Uint16(v[2:]) ^ uint16(magicCookie>>16)
	switch v[1] {
	case familyIPv4:
		var a [4]byte
		x := binary.BigEndian.Uint32(v[4:]) ^ magicCookie
		binary.BigEndian.PutUint32(a[:], x)
		return netip.AddrPortFrom(netip.AddrFrom4(a), port), true
	case familyIPv6:
		if len(v) < 20 || len(txid) != 12 {
			return netip.AddrPort{}, false
		}
		var a [16]byte
		var key [16]byte
		binary.BigEndian.PutUint32(key[:], magicCookie)
		copy(key[4:], txid)
		for i := range a {
			a[i] = v[4+i] ^ key[i]
		}
		return netip.AddrPortFrom(netip.AddrFrom16(a), port), true
	}
	return netip.AddrPort{}, false
}

// putXORAddr encodes an XOR-*-ADDRESS value into b (8 or 20 bytes) and
// returns its length.
func putXORAddr(b []byte, a netip.AddrPort, txid []byte) int {
	b[0] = 0
	binary.BigEndian.PutUint16(b[2:], a.Port()^uint16(magicCookie>>16))
	ip := a.Addr().Unmap()
	if ip.Is4() {
		b[1] = familyIPv4
		v := ip.As4()
		binary.BigEndian.PutUint32(b[4:], binary.BigEndian.Uint32(v[:])^magicCookie)
		return 8
	}
	b[1] = familyIPv6
	v := ip.As16()
	var key [16]byte
	binary.BigEndian.PutUint32(key[:], magicCookie)
	copy(key[4:], txid)
	for i := range v {
		b[4+i] = v[i] ^ key[i]
	}
	return 20
}

// attr returns the value of the first attribute of type t in a decoded
// message, without allocating.
func attr(m *stun.Message, t stun.AttrType) ([]byte, bool) {
	for _, a := range m.Attributes {
		if a.Type == t {
			return a.Value, true
		}
	}
	return nil, false
}

func pad4(n int) int { return (n + 3) &^ 3 }
