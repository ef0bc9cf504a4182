package q931

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/causeway-edge/causeway/h323/h225"
	"github.com/causeway-edge/causeway/h323/per"
	"github.com/causeway-edge/causeway/h323/tpkt"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	require.NoError(t, err)
	return b
}

// v5 is spec h323.md §4.3 V5 without its TPKT header: RELEASE COMPLETE,
// CRV 1, Cause 16, and a user-user element carrying releaseComplete.
const v5 = "08 02 00 01 5A 08 02 80 90 7E 00 23 05" +
	"25 C0 06 00 08 91 4A 00 07 58 A8 00 11 00 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF 10 80 01 00"

var guid = h225.GloballyUniqueID{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF}

func v5Message(t *testing.T) *Message {
	m := &Message{CallReference: 1, Type: ReleaseComplete}
	m.SetCause(CauseValue{Value: 16})
	require.NoError(t, m.SetUserInformation(&h225.H323UserInformation{H323UUPDU: h225.H323UUPDU{
		H323MessageBody: h225.H323UUPDUH323MessageBody{
			Choice: h225.H323UUPDUH323MessageBodyChoiceReleaseComplete,
			ReleaseComplete: &h225.ReleaseCompleteUUIE{
				ProtocolIdentifier: h225.ProtocolIdentifierV7(),
				Reason:             &h225.ReleaseCompleteReason{Choice: h225.ReleaseCompleteReasonChoiceUndefinedReason},
				CallIdentifier:     h225.CallIdentifier{GUID: guid},
			},
		},
	}}))
	return m
}

// TestGoldenV5 covers spec h323.md §4.3 V5 both ways (with V5's TPKT
// header checked through package tpkt).
func TestGoldenV5(t *testing.T) {
	wire := unhex(t, "03 00 00 33"+v5)
	p, err := tpkt.NewReader(bytes.NewReader(wire), 0).ReadPacket()
	require.NoError(t, err)
	m, err := Parse(p)
	require.NoError(t, err)
	require.EqualValues(t, 1, m.CallReference)
	require.False(t, m.FromDestination)
	require.Equal(t, ReleaseComplete, m.Type)
	require.Equal(t, "RELEASE COMPLETE", m.Type.String())
	c, err := m.Cause()
	require.NoError(t, err)
	require.EqualValues(t, 16, c.Value)
	require.EqualValues(t, 0, c.Location)
	uu, err := m.UserInformation()
	require.NoError(t, err)
	body := uu.H323UUPDU.H323MessageBody
	require.Equal(t, h225.H323UUPDUH323MessageBodyChoiceReleaseComplete, body.Choice)
	require.Equal(t, h225.ReleaseCompleteReasonChoiceUndefinedReason, body.ReleaseComplete.Reason.Choice)
	require.Equal(t, guid, body.ReleaseComplete.CallIdentifier.GUID)
	require.False(t, uu.H323UUPDU.H245Tunnelling)

	out, err := m.MarshalBinary()
	require.NoError(t, err)
	require.Equal(t, hex.EncodeToString(p), hex.EncodeToString(out))

	built, err := v5Message(t).MarshalBinary()
	require.NoError(t, err)
	framed, err := tpkt.Append(nil, built)
	require.NoError(t, err)
	require.Equal(t, hex.EncodeToString(wire), hex.EncodeToString(framed))
}

// TestUnknownElementsPreserved covers spec h323.md §4.4: unknown elements,
// single-octet elements and shifted codesets survive parse and marshal.
func TestUnknownElementsPreserved(t *testing.T) {
	in := unhex(t, "08 02 80 05 05"+ // SETUP, CRV 5 from destination
		"A1"+ // sending complete
		"04 03 88 90 A5"+ // bearer capability
		"28 05 61 6C 69 63 65"+ // display "alice"
		"6C 06 01 80 36 34 33 32"+ // calling party number 6432
		"70 04 81 31 32 33"+ // called party number 123
		"55 02 AB CD"+ // unknown element 0x55
		"96"+ // locking shift to codeset 6
		"7E 02 01 02"+ // codeset 6 element 0x7E: one-octet length
		"7F 00") // codeset 6 element, empty
	m, err := Parse(in)
	require.NoError(t, err)
	require.Equal(t, Setup, m.Type)
	require.True(t, m.FromDestination)
	require.EqualValues(t, 5, m.CallReference)
	require.Len(t, m.IEs, 9)
	require.Equal(t, IE{ID: 0x55, Data: []byte{0xAB, 0xCD}}, m.IEs[5])
	require.EqualValues(t, 6, m.IEs[7].Codeset)
	d, ok := m.Display()
	require.True(t, ok)
	require.Equal(t, "alice", d)
	calling, err := m.PartyNumber(CallingPartyNumber)
	require.NoError(t, err)
	require.Equal(t, PartyNumber{Type: 0, Plan: 1, Screened: true, Presentation: 0, Screening: 0, Digits: "6432"}, calling)
	called, err := m.PartyNumber(CalledPartyNumber)
	require.NoError(t, err)
	require.Equal(t, PartyNumber{Plan: 1, Digits: "123"}, called)
	b, err := m.Bearer()
	require.NoError(t, err)
	require.Equal(t, BearerValue{TransferCapability: 8, TransferRate: 0x10, Layer1: 5}, b)
	_, err = m.UserInformation()
	require.ErrorIs(t, err, ErrNoElement, "the codeset 6 element 0x7E is not the user-user element")
	out, err := m.MarshalBinary()
	require.NoError(t, err)
	require.Equal(t, in, out)
}

func TestSetters(t *testing.T) {
	m := &Message{CallReference: 0x1234, Type: Setup}
	m.SetBearer(BearerValue{TransferCapability: 8, TransferRate: 0x10, Layer1: 5})
	require.NoError(t, m.SetPartyNumber(CalledPartyNumber, PartyNumber{Plan: 1, Digits: "6432"}))
	require.NoError(t, m.SetDisplay("bob"))
	m.SetProgress(ProgressValue{Location: 1, Description: 8})
	require.NoError(t, m.SetPartyNumber(CallingPartyNumber, PartyNumber{Plan: 1, Screened: true, Screening: 3, Digits: "1000"}))
	var ids []IEID
	for _, ie := range m.IEs {
		ids = append(ids, ie.ID)
	}
	require.Equal(t, []IEID{BearerCapability, ProgressIndicator, Display, CallingPartyNumber, CalledPartyNumber}, ids, "ascending order")
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	require.Equal(t, "080212340504038890a51e0281882803626f626c0601833130303070058136343332", hex.EncodeToString(b))
	back, err := Parse(b)
	require.NoError(t, err)
	p, err := back.Progress()
	require.NoError(t, err)
	require.Equal(t, ProgressValue{Location: 1, Description: 8}, p)
	back.Remove(Display)
	_, ok := back.Display()
	require.False(t, ok)
	require.Error(t, m.SetDisplay(strings.Repeat("x", 83)))
	require.Error(t, m.SetDisplay("caf\xc3\xa9"))
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     error
	}{
		{"short", "08 02 00", ErrTruncated},
		{"discriminator", "09 02 00 01 5A", ErrDiscriminator},
		{"crv length 1", "08 01 01 5A 00", ErrCallReference},
		{"message type", "08 02 00 01 FA", ErrMessageType},
		{"element length", "08 02 00 01 5A 08 05 80", ErrTruncated},
		{"element header", "08 02 00 01 5A 08", ErrTruncated},
		{"user-user length", "08 02 00 01 5A 7E 01 00 05", ErrTruncated},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(unhex(t, c.in))
			require.True(t, errors.Is(err, c.want), "got %v", err)
			var qe *Error
			require.ErrorAs(t, err, &qe)
		})
	}
	m, err := Parse(unhex(t, "08 02 00 01 5A 7E 00 02 04 00"))
	require.NoError(t, err)
	_, err = m.UserInformation()
	require.ErrorIs(t, err, ErrElement, "user-user discriminator 0x04")
	m, err = Parse(unhex(t, "08 02 00 01 5A 7E 00 02 05 FF"))
	require.NoError(t, err)
	_, err = m.UserInformation()
	var pe *per.Error
	require.ErrorAs(t, err, &pe, "PER failure surfaces as *per.Error")
}

// TestOverTCP sends V5 and a SETUP over a loopback TCP connection in one
// write and reads them back through TPKT.
func TestOverTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	setup := &Message{CallReference: 7, Type: Setup}
	require.NoError(t, setup.SetPartyNumber(CalledPartyNumber, PartyNumber{Plan: 1, Digits: "6432"}))
	sent := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			sent <- err
			return
		}
		defer c.Close()
		a, _ := setup.MarshalBinary()
		b, _ := v5Message(t).MarshalBinary()
		batch, _ := tpkt.Append(nil, a)
		batch = append(batch, tpkt.KeepAlive...)
		batch, _ = tpkt.Append(batch, b)
		_, err = c.Write(batch)
		sent <- err
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	r := tpkt.NewReader(c, 0)
	var types []MessageType
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		m, err := Parse(p)
		require.NoError(t, err)
		types = append(types, m.Type)
	}
	require.NoError(t, <-sent)
	require.Equal(t, []MessageType{Setup, ReleaseComplete}, types)
}

func FuzzParse(f *testing.F) {
	f.Add(unhex(f, v5))
	f.Add(unhex(f, "08 02 80 05 05 A1 04 03 88 90 A5 28 05 61 6C 69 63 65 96 7E 02 01 02"))
	f.Add(unhex(f, "08 02 00 01 7D 14 01 00 9E 7E 00 01 05"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			return
		}
		out, err := m.MarshalBinary()
		if err != nil {
			t.Fatalf("marshal of parsed message: %v", err)
		}
		if !bytes.Equal(out, data) {
			t.Fatalf("round trip changed\n%x\n%x", data, out)
		}
		// The typed accessors must not panic on whatever the elements hold.
		_, _ = m.Cause()
		_, _ = m.PartyNumber(CalledPartyNumber)
		_, _ = m.PartyNumber(CallingPartyNumber)
		_, _ = m.Progress()
		_, _ = m.Bearer()
		_, _ = m.Display()
		if uu, err := m.UserInformation(); err == nil {
			if _, err := per.Marshal(uu); err != nil {
				t.Fatalf("re-encoding a decoded UUIE: %v", err)
			}
		}
	})
}
