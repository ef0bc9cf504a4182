package digest

import (
	"context"
	"fmt"
	"strings"

	"github.com/causeway-edge/causeway/sip"
)

// Credentials are the parsed Authorization / Proxy-Authorization digest
// parameters.
type Credentials struct {
	Username  string
	Realm     string
	Nonce     string
	URI       string
	Response  string
	Algorithm string
	CNonce    string
	NC        string
	QOP       string
	Opaque    string
}

// ParseCredentials reads digest credentials from a header value.
func ParseCredentials(v string) (Credentials, error) {
	a, err := sip.ParseAuth(v)
	if err != nil {
		return Credentials{}, fmt.Errorf("digest: %w", err)
	}
	if !strings.EqualFold(a.Scheme, "Digest") {
		return Credentials{}, fmt.Errorf("digest: scheme %q is not Digest", a.Scheme)
	}
	get := func(k string) string { v, _ := a.Params.Get(k); return v }
	c := Credentials{Username: get("username"), Realm: get("realm"), Nonce: get("nonce"), URI: get("uri"),
		Response: get("response"), Algorithm: get("algorithm"), CNonce: get("cnonce"), NC: get("nc"),
		QOP: get("qop"), Opaque: get("opaque")}
	if c.Username == "" || c.Realm == "" || c.Nonce == "" || c.URI == "" || c.Response == "" {
		return c, fmt.Errorf("digest: credentials miss username, realm, nonce, uri or response")
	}
	if c.QOP != "" && (c.CNonce == "" || len(c.NC) != 8) {
		return c, fmt.Errorf("digest: qop=%s needs cnonce and an 8-digit nc", c.QOP)
	}
	return c, nil
}

// String renders credentials as a header value.
func (c Credentials) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, `Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s"`,
		c.Username, c.Realm, c.Nonce, c.URI, c.Response)
	if c.Algorithm != "" {
		fmt.Fprintf(&b, ", algorithm=%s", c.Algorithm)
	}
	if c.QOP != "" {
		fmt.Fprintf(&b, `, qop=%s, nc=%s, cnonce="%s"`, c.QOP, c.NC, c.CNonce)
	}
	if c.Opaque != "" {
		fmt.Fprintf(&b, `, opaque="%s"`, c.Opaque)
	}
	return b.String()
}

// Challenge is a WWW-Authenticate / Proxy-Authenticate digest challenge
// (SIP-71).
type Challenge struct {
	Realm     string
	Nonce     string
	Opaque    string
	Algorithm string
	QOP       string // "auth", "auth,auth-int", or "" for RFC 2069
	Stale     bool
}

// String renders the challenge as a header value.
func (c Challenge) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, `Digest realm="%s", nonce="%s"`, c.Realm, c.Nonce)
	if c.Opaque != "" {
		fmt.Fprintf(&b, `, opaque="%s"`, c.Opaque)
	}
	alg := c.Algorithm
	if alg == "" {
		alg = MD5
	}
	fmt.Fprintf(&b, ", algorithm=%s", alg)
	if c.QOP != "" {
		fmt.Fprintf(&b, `, qop="%s"`, c.QOP)
	}
	if c.Stale {
		b.WriteString(", stale=TRUE")
	}
	return b.String()
}

// ParseChallenge reads a challenge header value.
func ParseChallenge(v string) (Challenge, error) {
	a, err := sip.ParseAuth(v)
	if err != nil {
		return Challenge{}, fmt.Errorf("digest: %w", err)
	}
	if !strings.EqualFold(a.Scheme, "Digest") {
		return Challenge{}, fmt.Errorf("digest: scheme %q is not Digest", a.Scheme)
	}
	get := func(k string) string { v, _ := a.Params.Get(k); return v }
	c := Challenge{Realm: get("realm"), Nonce: get("nonce"), Opaque: get("opaque"), Algorithm: get("algorithm"),
		QOP: get("qop"), Stale: strings.EqualFold(get("stale"), "true")}
	if c.Realm == "" || c.Nonce == "" {
		return c, fmt.Errorf("digest: challenge without realm or nonce")
	}
	return c, nil
}

// Credential is what a CredentialStore knows of a user: the password, or
// only HA1 per algorithm (so plaintext need not be stored).
type Credential struct {
	Password string
	HA1      map[string]string // algorithm -> HA1, used when Password is empty
}

// CredentialStore looks up users (SIP-74). Implementations may chain a
// local database, a directory and a delegated checker.
type CredentialStore interface {
	Lookup(ctx context.Context, realm, username string) (Credential, bool, error)
}

// MemoryStore is an in-memory CredentialStore: username -> password,
// valid in every realm.
type MemoryStore map[string]string

// Lookup implements CredentialStore.
func (m MemoryStore) Lookup(_ context.Context, _, username string) (Credential, bool, error) {
	p, ok := m[username]
	return Credential{Password: p}, ok, nil
}

func (c Credential) ha1(alg, username, realm string) (string, error) {
	if c.Password == "" && c.HA1 != nil {
		if strings.HasSuffix(strings.ToLower(alg), "-sess") {
			alg = alg[:len(alg)-5]
		}
		if v, ok := c.HA1[strings.ToUpper(alg)]; ok {
			return v, nil
		}
		if alg == "" {
			if v, ok := c.HA1[MD5]; ok {
				return v, nil
			}
		}
	}
	return HA1(alg, username, realm, c.Password)
}
