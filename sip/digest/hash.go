package digest

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"strings"
)

// Algorithms (RFC 8760).
const (
	MD5        = "MD5"
	MD5Sess    = "MD5-sess"
	SHA256     = "SHA-256"
	SHA256Sess = "SHA-256-sess"
)

// ErrAlgorithm is an unsupported algorithm.
var ErrAlgorithm = errors.New("digest: unsupported algorithm")

func hasher(alg string) (func() hash.Hash, bool, error) {
	switch {
	case alg == "" || strings.EqualFold(alg, MD5):
		return md5.New, false, nil
	case strings.EqualFold(alg, MD5Sess):
		return md5.New, true, nil
	case strings.EqualFold(alg, SHA256):
		return sha256.New, false, nil
	case strings.EqualFold(alg, SHA256Sess):
		return sha256.New, true, nil
	}
	return nil, false, ErrAlgorithm
}

func hexOf(h func() hash.Hash, parts ...string) string {
	d := h()
	for i, p := range parts {
		if i > 0 {
			d.Write([]byte{':'})
		}
		d.Write([]byte(p))
	}
	return hex.EncodeToString(d.Sum(nil))
}

// HA1 is H(username:realm:password) for the algorithm (RFC 2617 §3.2.2.2;
// the -sess forms are finished by SessionHA1).
func HA1(alg, username, realm, password string) (string, error) {
	h, _, err := hasher(alg)
	if err != nil {
		return "", err
	}
	return hexOf(h, username, realm, password), nil
}

// Params are the inputs of a digest response besides HA1.
type Params struct {
	Algorithm string
	Method    string
	URI       string
	Nonce     string
	NC        string // 8 hex digits, with qop
	CNonce    string
	QOP       string // "", "auth" or "auth-int"
	Body      []byte // for auth-int
}

// Response computes the request-digest from HA1 (RFC 2617 §3.2.2.1).
func Response(ha1 string, p Params) (string, error) {
	h, sess, err := hasher(p.Algorithm)
	if err != nil {
		return "", err
	}
	if sess {
		ha1 = hexOf(h, ha1, p.Nonce, p.CNonce)
	}
	var ha2 string
	switch strings.ToLower(p.QOP) {
	case "", "auth":
		ha2 = hexOf(h, p.Method, p.URI)
	case "auth-int":
		bh := h()
		bh.Write(p.Body)
		ha2 = hexOf(h, p.Method, p.URI, hex.EncodeToString(bh.Sum(nil)))
	default:
		return "", errors.New("digest: unsupported qop " + p.QOP)
	}
	if p.QOP == "" {
		return hexOf(h, ha1, p.Nonce, ha2), nil
	}
	return hexOf(h, ha1, p.Nonce, p.NC, p.CNonce, p.QOP, ha2), nil
}
