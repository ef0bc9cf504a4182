package registrar

import (
	"context"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// SIP-60: the registration record carries every field of the seed's
// registration details.
func TestRegistrationRecord(t *testing.T) {
	d, err := digest.NewServer(digest.Config{Store: digest.MemoryStore{"john": "pw"}, Now: func() time.Time { return t0 }})
	require.NoError(t, err)
	var seenUA []string
	r, clk := newReg(t, Config{GRUU: true, Authenticator: d, PeerID: "peer-2",
		Classify: func(string, netip.AddrPort) Source { return Source{Zone: "Subzone A"} },
		DeviceClass: func(ua string) string {
			seenUA = append(seenUA, ua)
			if strings.HasPrefix(ua, "Cisco DX80") {
				return "desktop"
			}
			return "room"
		}})
	raw, err := os.ReadFile("testdata/register-outbound.txt")
	require.NoError(t, err)
	text := strings.ReplaceAll(string(raw), "\n", "\r\n")
	text = strings.Replace(text, "Content-Length: 0", "User-Agent: Cisco DX80 CE9.12\r\nPath: <sip:edge.example.net;lr>\r\nContent-Length: 0", 1)
	req, err := sip.ParseMessage([]byte(text))
	require.NoError(t, err)
	tls := Source{Network: "tls", Addr: netip.MustParseAddrPort("192.0.2.10:5061"), Flow: "tls/192.0.2.10:5061#7"}
	ctx := context.Background()
	resp, err := r.Register(ctx, req, tls)
	require.NoError(t, err)
	require.Equal(t, 401, resp.StatusCode())
	text2 := strings.Replace(text, "CSeq: 1 ", "CSeq: 2 ", 1)
	req2, err := sip.ParseMessage([]byte(text2))
	require.NoError(t, err)
	require.NoError(t, (&digest.Client{Username: "john", Password: "pw"}).Authorize(req2, resp))
	clk.Set(5 * time.Second)
	resp, err = r.Register(ctx, req2, tls)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode())

	bs := lookup(t, r, sip.URI{Scheme: "sip", User: "john.smith", Host: "example.com"})
	require.Len(t, bs, 1)
	b := bs[0]
	assert.Equal(t, "john.smith@example.com", b.AOR)
	assert.Equal(t, `<sip:john.smith@192.0.2.10:5061;transport=tls>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1`, b.Contact)
	assert.Equal(t, "sip:john.smith@example.com;gr=urn:uuid:00000000-0000-1000-8000-000A95A0E128", b.GRUU)
	assert.Equal(t, t0.Add(5*time.Second), b.Created)
	assert.True(t, b.Expires.After(b.Created.Add(299*time.Second)))
	assert.Equal(t, "SIP", b.Protocol)
	assert.Equal(t, "SIP UA", b.Type)
	assert.Equal(t, "desktop", b.DeviceClass)
	assert.Equal(t, []string{"Cisco DX80 CE9.12"}, seenUA, "the classifier sees the User-Agent of the accepted REGISTER")
	assert.Equal(t, "Cisco DX80 CE9.12", b.UserAgent)
	assert.Equal(t, netip.MustParseAddrPort("192.0.2.10:5061"), b.Source)
	assert.Equal(t, "IPv4", b.Family)
	assert.Equal(t, "tls", b.Network)
	assert.Equal(t, "tls/192.0.2.10:5061#7", b.Flow)
	assert.True(t, b.Outbound)
	assert.Equal(t, "Subzone A", b.Zone)
	assert.True(t, b.Authenticated)
	assert.Equal(t, "john", b.Username)
	assert.Equal(t, []string{"<sip:edge.example.net;lr>"}, b.Path)
	assert.Equal(t, "peer-2", b.Peer)

	// IPv6 source; no classifier leaves the device class empty.
	r6, _ := newReg(t, Config{})
	v6 := Source{Network: "udp", Addr: netip.MustParseAddrPort("[2001:db8::10]:5060")}
	resp, err = r6.Register(ctx, reg(t, "bob@example.com", "c", 1, "60", "", "<sip:bob@[2001:db8::10]>"), v6)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode())
	b6 := lookup(t, r6, sip.URI{Scheme: "sip", User: "bob", Host: "example.com"})[0]
	assert.Equal(t, "IPv6", b6.Family)
	assert.Empty(t, b6.DeviceClass)
	assert.Empty(t, b6.Peer)
}

// SIP-60: registrations listed by device and by alias.
func TestListingByDeviceAndAlias(t *testing.T) {
	r, _ := newReg(t, Config{})
	inst := `;+sip.instance="<urn:uuid:dev-1>"`
	// One device (an instance) registering two AORs, and two plain contacts.
	require.Equal(t, 200, register(t, r, reg(t, "bob@example.com", "x", 1, "60", "", "<sip:bob@192.0.2.1>"+inst)))
	require.Equal(t, 200, register(t, r, reg(t, "alice@example.com", "y", 1, "60", "", "<sip:alice@192.0.2.1>"+inst)))
	require.Equal(t, 200, register(t, r, reg(t, "alice@example.com", "z", 1, "60", "", "<sip:alice@192.0.2.2>")))
	require.Equal(t, 200, register(t, r, reg(t, "carol@example.com", "w", 1, "60", "", "<sip:carol@192.0.2.3>")))
	ctx := context.Background()

	devs, err := r.Devices(ctx)
	require.NoError(t, err)
	var ids []string
	for _, d := range devs {
		ids = append(ids, d.ID)
	}
	assert.Equal(t, []string{"sip:alice@192.0.2.2", "sip:carol@192.0.2.3", "urn:uuid:dev-1"}, ids)
	require.Len(t, devs[2].Bindings, 2)
	assert.Equal(t, "alice@example.com", devs[2].Bindings[0].AOR)
	assert.Equal(t, "bob@example.com", devs[2].Bindings[1].AOR)

	aliases, err := r.Aliases(ctx)
	require.NoError(t, err)
	var aors []string
	for _, a := range aliases {
		aors = append(aors, a.AOR)
	}
	assert.Equal(t, []string{"alice@example.com", "bob@example.com", "carol@example.com"}, aors)
	assert.Len(t, aliases[0].Bindings, 2)

	// Removing the device removes it under every AOR.
	n, err := r.RemoveDevice(ctx, "urn:uuid:dev-1")
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	aliases, _ = r.Aliases(ctx)
	assert.Len(t, aliases, 2)
	assert.Len(t, aliases[0].Bindings, 1)
}

// RFC 3261 §8.2.6, §20.17: the response copies Via, From, Call-ID and
// CSeq, keeps a To tag the request had, adds ours otherwise, and carries
// a GMT Date.
func TestResponseHeaders(t *testing.T) {
	r, _ := newReg(t, Config{})
	req := reg(t, "alice@example.com", "c", 1, "60", "Via: SIP/2.0/UDP 192.0.2.99;branch=z9hG4bKsecond\r\nTimestamp: 54\r\n", "<sip:alice@192.0.2.1>")
	resp, err := r.Register(context.Background(), req, src)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode())
	assert.Equal(t, req.Values("Via"), resp.Values("Via"))
	assert.Equal(t, req.Get("From"), resp.Get("From"))
	assert.Equal(t, req.Get("Call-ID"), resp.Get("Call-ID"))
	assert.Equal(t, req.Get("CSeq"), resp.Get("CSeq"))
	assert.False(t, resp.Has("Timestamp"))
	assert.False(t, resp.Has("Max-Forwards"))
	to, err := resp.To()
	require.NoError(t, err)
	assert.NotEmpty(t, to.Tag())
	date, err := resp.Date()
	require.NoError(t, err)
	assert.True(t, t0.Equal(date), "%v", date)
	assert.Equal(t, "0", resp.Get("Content-Length"))
	require.NoError(t, resp.Validate())

	// Compact names are recognised; a To tag is kept as received.
	m, err := sip.ParseMessage([]byte("REGISTER sip:example.com SIP/2.0\r\nv: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK9\r\n" +
		"f: <sip:alice@example.com>;tag=1\r\nt: <sip:alice@example.com>;tag=given\r\ni: cc\r\nCSeq: 1 REGISTER\r\n" +
		"m: <sip:alice@192.0.2.1>\r\nContent-Length: 0\r\n\r\n"))
	require.NoError(t, err)
	resp, err = r.Register(context.Background(), m, src)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode())
	to, _ = resp.To()
	assert.Equal(t, "given", to.Tag())
	assert.Equal(t, "cc", resp.Get("Call-ID"))
	assert.Equal(t, "SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK9", resp.Get("Via"))
	assert.Equal(t, 1, resp.Count("Contact"))

	// A rejection is built the same way.
	resp, err = r.Register(context.Background(), reg(t, "alice@example.com", "c", 2, "10", "", "<sip:alice@192.0.2.1>"), src)
	require.NoError(t, err)
	assert.Equal(t, 423, resp.StatusCode())
	assert.Equal(t, "Interval Too Brief", resp.Reason())
	assert.Equal(t, "45", resp.Get("Min-Expires"))
	require.NoError(t, resp.Validate())
}
