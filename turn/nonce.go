package turn

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"time"
)

// nonces are stateless: hex(issue time) + hex(HMAC-SHA256(secret, time ||
// client address)[:12]). A nonce is valid for the configured lifetime and
// for the client it was issued to, so there is no nonce table to grow or
// to flood.
type nonces struct {
	secret   []byte
	lifetime time.Duration
}

const nonceLen = 16 + 24

func (n *nonces) sum(t uint64, client netip.Addr) []byte {
	m := hmac.New(sha256.New, n.secret)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], t)
	m.Write(b[:])
	a := client.As16()
	m.Write(a[:])
	return m.Sum(nil)[:12]
}

// issue returns a fresh nonce for a client.
func (n *nonces) issue(now time.Time, client netip.Addr) string {
	t := uint64(now.UnixNano())
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], t)
	return hex.EncodeToString(b[:]) + hex.EncodeToString(n.sum(t, client))
}

// check reports whether a nonce is genuine for the client, and whether it
// is still fresh.
func (n *nonces) check(nonce string, now time.Time, client netip.Addr) (genuine, fresh bool) {
	if len(nonce) != nonceLen {
		return false, false
	}
	tb, err1 := hex.DecodeString(nonce[:16])
	mac, err2 := hex.DecodeString(nonce[16:])
	if err1 != nil || err2 != nil {
		return false, false
	}
	t := binary.BigEndian.Uint64(tb)
	if !hmac.Equal(mac, n.sum(t, client)) {
		return false, false
	}
	age := now.Sub(time.Unix(0, int64(t)))
	return true, age >= 0 && age < n.lifetime
}
