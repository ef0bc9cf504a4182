package transport

import (
	"net/netip"

	"github.com/pion/stun/v3"
)

// stunBinding reports a STUN Binding request: RFC 5626 flows send them to
// the SIP port to keep UDP NAT bindings (SIP-38).
func stunBinding(b []byte) bool {
	return len(b) >= 20 && b[0] == 0x00 && b[1] == 0x01 && b[4] == 0x21 && b[5] == 0x12 && b[6] == 0xa4 && b[7] == 0x42
}

// answerSTUN answers a Binding request with XOR-MAPPED-ADDRESS.
func (t *Transport) answerSTUN(s *udpSock, b []byte, from netip.AddrPort) {
	req := &stun.Message{Raw: append([]byte(nil), b...)}
	if req.Decode() != nil {
		return
	}
	resp, err := stun.Build(stun.NewTransactionIDSetter(req.TransactionID), stun.BindingSuccess,
		&stun.XORMappedAddress{IP: from.Addr().AsSlice(), Port: int(from.Port())}, stun.Fingerprint)
	if err != nil {
		return
	}
	_ = s.writeTo(resp.Raw, from)
}
