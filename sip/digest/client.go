package digest

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/causeway-edge/causeway/sip"
)

// Client answers digest challenges for requests we originate (SIP-77).
// It keeps the nonce count per nonce, so it is safe for concurrent use and
// may be shared by many requests.
type Client struct {
	Username string
	Password string

	mu sync.Mutex
	nc map[string]uint32
}

// ErrNoChallenge: the response carries no digest challenge we can answer.
var ErrNoChallenge = errors.New("digest: no usable challenge")

// Authorize adds credentials answering a 401 (Authorization) or 407
// (Proxy-Authorization) response to req, replacing earlier credentials for
// the same realm. The caller sends req as a new transaction (new branch,
// CSeq per SIP-77).
func (c *Client) Authorize(req, resp *sip.Message) error {
	chalHdr, credHdr := "WWW-Authenticate", "Authorization"
	if resp.StatusCode() == 407 {
		chalHdr, credHdr = "Proxy-Authenticate", "Proxy-Authorization"
	}
	var best *Challenge
	for _, v := range resp.Values(chalHdr) {
		ch, err := ParseChallenge(v)
		if err != nil {
			continue
		}
		if _, _, err := hasher(ch.Algorithm); err != nil {
			continue
		}
		if best == nil || preferred(ch.Algorithm) > preferred(best.Algorithm) {
			chc := ch
			best = &chc
		}
	}
	if best == nil {
		return ErrNoChallenge
	}
	qop := ""
	for _, q := range strings.Split(best.QOP, ",") {
		q = strings.TrimSpace(q)
		if q == "auth" || (q == "auth-int" && qop == "") {
			qop = q
		}
	}
	cr := Credentials{Username: c.Username, Realm: best.Realm, Nonce: best.Nonce, URI: req.RequestURIString(),
		Algorithm: best.Algorithm, QOP: qop, Opaque: best.Opaque}
	if qop != "" {
		c.mu.Lock()
		if c.nc == nil {
			c.nc = make(map[string]uint32)
		}
		c.nc[best.Nonce]++
		cr.NC = fmt.Sprintf("%08x", c.nc[best.Nonce])
		c.mu.Unlock()
		cr.CNonce = randomToken(60)
	}
	ha1, err := HA1(best.Algorithm, c.Username, best.Realm, c.Password)
	if err != nil {
		return err
	}
	if cr.Response, err = Response(ha1, Params{Algorithm: best.Algorithm, Method: req.Method(), URI: cr.URI,
		Nonce: cr.Nonce, NC: cr.NC, CNonce: cr.CNonce, QOP: qop, Body: req.Body()}); err != nil {
		return err
	}
	// Replace credentials for this realm, keep others (several proxies).
	var keep []string
	for _, v := range req.Values(credHdr) {
		if old, err := ParseCredentials(v); err != nil || old.Realm != best.Realm {
			keep = append(keep, v)
		}
	}
	req.Del(credHdr)
	for _, v := range keep {
		if err := req.Add(credHdr, v); err != nil {
			return err
		}
	}
	return req.Add(credHdr, cr.String())
}

func preferred(alg string) int {
	switch strings.ToUpper(alg) {
	case "SHA-256", "SHA-256-SESS":
		return 2
	}
	return 1
}
