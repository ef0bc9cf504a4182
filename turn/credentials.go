package turn

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// CredentialStore gives the long-term key MD5(username ":" realm ":"
// password) of a user (TURN-20). Returning keys, not passwords, means no
// plaintext password need be kept.
type CredentialStore interface {
	LongTermKey(username, realm string) (key []byte, ok bool)
}

// CredentialsFunc adapts a function to CredentialStore.
type CredentialsFunc func(username, realm string) ([]byte, bool)

// LongTermKey implements CredentialStore.
func (f CredentialsFunc) LongTermKey(username, realm string) ([]byte, bool) {
	return f(username, realm)
}

// LongTermKey derives the RFC 5389 §15.4 long-term key from strings
// already in SASLprep form (see SASLprep).
func LongTermKey(username, realm, password string) []byte {
	h := md5.Sum([]byte(username + ":" + realm + ":" + password))
	return h[:]
}

// StaticCredentials maps usernames to passwords; keys are derived per
// realm on lookup, from the SASLprep form of the password (RFC 5389
// §15.4). A password SASLprep refuses matches nothing.
type StaticCredentials map[string]string

// LongTermKey implements CredentialStore.
func (s StaticCredentials) LongTermKey(username, realm string) ([]byte, bool) {
	p, ok := s[username]
	if !ok {
		return nil, false
	}
	p, err := SASLprep(p)
	if err != nil {
		return nil, false
	}
	return LongTermKey(username, realm, p), true
}

// RESTCredentials are the ephemeral "TURN REST API" credentials: the
// username is "<expiry-unix-seconds>:<user>" (Separator ':' by default)
// and the password is base64(HMAC-SHA1(Secret, username)). Expired
// usernames are refused.
type RESTCredentials struct {
	Secret    []byte
	Separator byte
	Now       func() time.Time
}

// RESTPassword is the password of an ephemeral username.
func RESTPassword(secret []byte, username string) string {
	m := hmac.New(sha1.New, secret)
	m.Write([]byte(username))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// LongTermKey implements CredentialStore.
func (r RESTCredentials) LongTermKey(username, realm string) ([]byte, bool) {
	sep := r.Separator
	if sep == 0 {
		sep = ':'
	}
	ts := username
	if i := strings.IndexByte(username, sep); i >= 0 {
		ts = username[:i]
	}
	exp, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, false
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	if now().Unix() > exp {
		return nil, false
	}
	return LongTermKey(username, realm, RESTPassword(r.Secret, username)), true
}
