// Package q931 implements the Q.931 call control messages as profiled by
// H.225.0 for H.323 call signalling: the message header (protocol
// discriminator 0x08, a two-octet call reference with its flag, the message
// type), the information elements in order — known and unknown alike, so a
// parsed message marshals back to the same octets — and typed access to the
// elements H.225.0 uses, above all the user-user element that carries the
// PER-encoded H323-UserInformation.
package q931

import (
	"errors"
	"fmt"
	"strconv"
)

// ProtocolDiscriminator identifies Q.931 user-network call control messages.
const ProtocolDiscriminator = 0x08

// MessageType is the Q.931 message type octet.
type MessageType uint8

// Message types used by H.225.0 (H.225.0 7.3, Q.931 4.4).
const (
	Alerting         MessageType = 0x01
	CallProceeding   MessageType = 0x02
	Progress         MessageType = 0x03
	Setup            MessageType = 0x05
	Connect          MessageType = 0x07
	SetupAcknowledge MessageType = 0x0D
	ReleaseComplete  MessageType = 0x5A
	Facility         MessageType = 0x62
	Notify           MessageType = 0x6E
	StatusEnquiry    MessageType = 0x75
	Information      MessageType = 0x7B
	Status           MessageType = 0x7D
)

var messageNames = map[MessageType]string{
	Alerting: "ALERTING", CallProceeding: "CALL PROCEEDING", Progress: "PROGRESS",
	Setup: "SETUP", Connect: "CONNECT", SetupAcknowledge: "SETUP ACKNOWLEDGE",
	ReleaseComplete: "RELEASE COMPLETE", Facility: "FACILITY", Notify: "NOTIFY",
	StatusEnquiry: "STATUS ENQUIRY", Information: "INFORMATION", Status: "STATUS",
}

// String returns the Q.931 name of the message type.
func (t MessageType) String() string {
	if s, ok := messageNames[t]; ok {
		return s
	}
	return "MessageType(0x" + strconv.FormatUint(uint64(t), 16) + ")"
}

// IEID identifies an information element of codeset 0.
type IEID uint8

// Information elements of codeset 0 that H.225.0 uses (Q.931 4.5).
const (
	BearerCapability      IEID = 0x04
	Cause                 IEID = 0x08
	CallState             IEID = 0x14
	FacilityIE            IEID = 0x1C
	ProgressIndicator     IEID = 0x1E
	NotificationIndicator IEID = 0x27
	Display               IEID = 0x28
	Keypad                IEID = 0x2C
	Signal                IEID = 0x34
	ConnectedNumber       IEID = 0x4C
	CallingPartyNumber    IEID = 0x6C
	CalledPartyNumber     IEID = 0x70
	RedirectingNumber     IEID = 0x74
	UserUser              IEID = 0x7E
	SendingComplete       IEID = 0xA1
	lockingShiftMask      IEID = 0xF8
	lockingShift          IEID = 0x90
	nonLockingShift       IEID = 0x98
	singleOctetBit        IEID = 0x80
	userUserHeaderLen          = 3 // identifier and two length octets
	userUserDiscriminator      = 0x05
)

// Errors reported by Parse; test with errors.Is.
var (
	ErrTruncated     = errors.New("q931: message truncated")
	ErrDiscriminator = errors.New("q931: protocol discriminator is not 0x08")
	ErrCallReference = errors.New("q931: call reference length is not 2")
	ErrMessageType   = errors.New("q931: invalid message type")
	ErrElement       = errors.New("q931: malformed information element")
	ErrNoElement     = errors.New("q931: information element not present")
)

// Error locates a parse failure.
type Error struct {
	Offset int // octet offset in the message
	Err    error
}

func (e *Error) Error() string { return fmt.Sprintf("%v at octet %d", e.Err, e.Offset) }

// Unwrap returns the sentinel error.
func (e *Error) Unwrap() error { return e.Err }

// IE is one information element. Single-octet elements (identifier 0x80 and
// above, e.g. SendingComplete or a shift) have no Data. Codeset is the
// codeset the element belongs to (0 unless a shift preceded it).
type IE struct {
	ID      IEID
	Codeset uint8
	Data    []byte
}

// Message is a Q.931 message.
type Message struct {
	// CallReference is the 15-bit call reference value.
	CallReference uint16
	// FromDestination is the call reference flag: false in messages sent
	// by the side that allocated the call reference, true in replies.
	FromDestination bool
	// Type is the message type.
	Type MessageType
	// IEs lists the information elements in message order.
	IEs []IE
}

// Parse parses a Q.931 message. The message's elements refer to a private
// copy of b.
func Parse(b []byte) (*Message, error) {
	m := new(Message)
	if err := m.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	return m, nil
}

// UnmarshalBinary parses b into m.
func (m *Message) UnmarshalBinary(b []byte) error {
	*m = Message{}
	if len(b) < 5 {
		return &Error{Offset: len(b), Err: ErrTruncated}
	}
	if b[0] != ProtocolDiscriminator {
		return &Error{Offset: 0, Err: fmt.Errorf("%w: %#02x", ErrDiscriminator, b[0])}
	}
	if b[1]&0x0F != 2 || b[1]&0xF0 != 0 {
		return &Error{Offset: 1, Err: fmt.Errorf("%w: %#02x", ErrCallReference, b[1])}
	}
	m.FromDestination = b[2]&0x80 != 0
	m.CallReference = uint16(b[2]&0x7F)<<8 | uint16(b[3])
	if b[4]&0x80 != 0 {
		return &Error{Offset: 4, Err: fmt.Errorf("%w: %#02x", ErrMessageType, b[4])}
	}
	m.Type = MessageType(b[4])
	buf := append([]byte(nil), b...)
	codeset, locked := uint8(0), uint8(0)
	for i := 5; i < len(buf); {
		id := IEID(buf[i])
		if id&singleOctetBit != 0 {
			m.IEs = append(m.IEs, IE{ID: id, Codeset: codeset})
			i++
			switch id & lockingShiftMask {
			case lockingShift:
				locked = uint8(id & 7)
				codeset = locked
			case nonLockingShift:
				codeset = uint8(id & 7)
				continue // applies to the next element only
			}
			codeset = locked
			continue
		}
		hdr, length := 2, 0
		if id == UserUser && codeset == 0 {
			hdr = userUserHeaderLen
		}
		if i+hdr > len(buf) {
			return &Error{Offset: i, Err: fmt.Errorf("%w: header of element %#02x", ErrTruncated, id)}
		}
		if hdr == userUserHeaderLen {
			length = int(buf[i+1])<<8 | int(buf[i+2])
		} else {
			length = int(buf[i+1])
		}
		if i+hdr+length > len(buf) {
			return &Error{Offset: i, Err: fmt.Errorf("%w: element %#02x of %d octets", ErrTruncated, id, length)}
		}
		m.IEs = append(m.IEs, IE{ID: id, Codeset: codeset, Data: buf[i+hdr : i+hdr+length : i+hdr+length]})
		i += hdr + length
		codeset = locked
	}
	return nil
}

// MarshalBinary encodes m.
func (m *Message) MarshalBinary() ([]byte, error) {
	return m.AppendBinary(nil)
}

// AppendBinary appends the encoding of m to dst.
func (m *Message) AppendBinary(dst []byte) ([]byte, error) {
	if m.Type&0x80 != 0 {
		return dst, fmt.Errorf("%w: %#02x", ErrMessageType, uint8(m.Type))
	}
	if m.CallReference > 0x7FFF {
		return dst, fmt.Errorf("%w: value %d exceeds 15 bits", ErrCallReference, m.CallReference)
	}
	flag := byte(0)
	if m.FromDestination {
		flag = 0x80
	}
	dst = append(dst, ProtocolDiscriminator, 2, flag|byte(m.CallReference>>8), byte(m.CallReference), byte(m.Type))
	for _, ie := range m.IEs {
		if ie.ID&singleOctetBit != 0 {
			if len(ie.Data) > 0 {
				return dst, fmt.Errorf("%w: single-octet element %#02x with contents", ErrElement, ie.ID)
			}
			dst = append(dst, byte(ie.ID))
			continue
		}
		if ie.ID == UserUser && ie.Codeset == 0 {
			if len(ie.Data) > 0xFFFF {
				return dst, fmt.Errorf("%w: user-user element of %d octets", ErrElement, len(ie.Data))
			}
			dst = append(dst, byte(ie.ID), byte(len(ie.Data)>>8), byte(len(ie.Data)))
		} else {
			if len(ie.Data) > 0xFF {
				return dst, fmt.Errorf("%w: element %#02x of %d octets", ErrElement, ie.ID, len(ie.Data))
			}
			dst = append(dst, byte(ie.ID), byte(len(ie.Data)))
		}
		dst = append(dst, ie.Data...)
	}
	return dst, nil
}

// Get returns the contents of the first codeset-0 element id.
func (m *Message) Get(id IEID) ([]byte, bool) {
	for _, ie := range m.IEs {
		if ie.ID == id && ie.Codeset == 0 {
			return ie.Data, true
		}
	}
	return nil, false
}

// Set replaces the contents of the first codeset-0 element id, or inserts
// the element before the first codeset-0 element with a higher identifier
// (Q.931 sends elements in ascending order).
func (m *Message) Set(id IEID, data []byte) {
	for i, ie := range m.IEs {
		if ie.ID == id && ie.Codeset == 0 {
			m.IEs[i].Data = data
			return
		}
	}
	at := len(m.IEs)
	for i, ie := range m.IEs {
		if ie.Codeset != 0 || ie.ID&singleOctetBit != 0 && id&singleOctetBit == 0 {
			continue
		}
		if ie.ID > id {
			at = i
			break
		}
	}
	m.IEs = append(m.IEs, IE{})
	copy(m.IEs[at+1:], m.IEs[at:])
	m.IEs[at] = IE{ID: id, Data: data}
}

// Remove deletes every codeset-0 element id.
func (m *Message) Remove(id IEID) {
	out := m.IEs[:0]
	for _, ie := range m.IEs {
		if ie.ID != id || ie.Codeset != 0 {
			out = append(out, ie)
		}
	}
	m.IEs = out
}
