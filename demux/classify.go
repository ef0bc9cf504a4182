package demux

// Kind is the protocol of a packet on a media port by its first byte
// (RFC 7983 as updated by RFC 9443; DMX-20).
type Kind uint8

// Kinds.
const (
	KindDrop Kind = iota
	KindSTUN
	KindZRTP
	KindDTLS
	KindTURNChannel
	KindQUIC
	KindRTP // RTP or RTCP: tell them apart with IsRTCP
)

func (k Kind) String() string {
	return [...]string{"drop", "STUN", "ZRTP", "DTLS", "TURN-channel", "QUIC", "RTP/RTCP"}[k]
}

// ClassifyFirstByte classifies a packet by its first byte. QUIC (80..127)
// is recognised only when quic is true; otherwise it is dropped. An empty
// packet is dropped.
func ClassifyFirstByte(b []byte, quic bool) Kind {
	if len(b) == 0 {
		return KindDrop
	}
	switch c := b[0]; {
	case c <= 3:
		return KindSTUN
	case c >= 16 && c <= 19:
		return KindZRTP
	case c >= 20 && c <= 63:
		return KindDTLS
	case c >= 64 && c <= 79:
		return KindTURNChannel
	case c >= 80 && c <= 127:
		if quic {
			return KindQUIC
		}
	case c >= 128 && c <= 191:
		return KindRTP
	}
	return KindDrop
}

// IsRTCP reports whether an RTP-class packet is RTCP: its second byte is an
// RTCP packet type 192..223 (RFC 5761).
func IsRTCP(b []byte) bool { return len(b) >= 2 && b[1] >= 192 && b[1] <= 223 }
