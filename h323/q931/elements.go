package q931

import (
	"fmt"

	"github.com/causeway-edge/causeway/h323/h225"
	"github.com/causeway-edge/causeway/h323/per"
)

// UserInformation decodes the H323-UserInformation carried in the user-user
// element (protocol discriminator 0x05, then the PER encoding; H.225.0 7.4.2).
func (m *Message) UserInformation() (*h225.H323UserInformation, error) {
	data, ok := m.Get(UserUser)
	if !ok {
		return nil, fmt.Errorf("%w: user-user", ErrNoElement)
	}
	if len(data) < 2 || data[0] != userUserDiscriminator {
		return nil, fmt.Errorf("%w: user-user protocol discriminator is not 0x05", ErrElement)
	}
	uu := new(h225.H323UserInformation)
	if err := per.Unmarshal(data[1:], uu); err != nil {
		return nil, fmt.Errorf("q931: user-user: %w", err)
	}
	return uu, nil
}

// SetUserInformation encodes uu into the user-user element.
func (m *Message) SetUserInformation(uu *h225.H323UserInformation) error {
	var e per.Encoder
	e.PutBits(userUserDiscriminator, 8)
	if err := uu.Encode(&e); err != nil {
		return fmt.Errorf("q931: user-user: %w", per.Field(err, "H323-UserInformation"))
	}
	m.Set(UserUser, e.Bytes())
	return nil
}

// CauseValue is the contents of a Cause element (Q.931 4.5.12, Q.850).
type CauseValue struct {
	Standard    uint8 // coding standard: 0 = ITU-T
	Location    uint8 // 0 = user, 1 = private network serving the local user, ...
	Value       uint8 // Q.850 cause value, e.g. 16 normal call clearing
	Diagnostics []byte
}

// Cause returns the decoded Cause element.
func (m *Message) Cause() (CauseValue, error) {
	data, ok := m.Get(Cause)
	if !ok {
		return CauseValue{}, fmt.Errorf("%w: cause", ErrNoElement)
	}
	var c CauseValue
	if len(data) < 2 {
		return c, fmt.Errorf("%w: cause of %d octets", ErrElement, len(data))
	}
	c.Standard = data[0] >> 5 & 3
	c.Location = data[0] & 0x0F
	i := 1
	if data[0]&0x80 == 0 { // octet 3a: recommendation
		i++
	}
	if i >= len(data) {
		return c, fmt.Errorf("%w: cause without a value", ErrElement)
	}
	c.Value = data[i] & 0x7F
	c.Diagnostics = data[i+1:]
	return c, nil
}

// SetCause encodes c into the Cause element.
func (m *Message) SetCause(c CauseValue) {
	data := []byte{0x80 | (c.Standard&3)<<5 | c.Location&0x0F, 0x80 | c.Value&0x7F}
	m.Set(Cause, append(data, c.Diagnostics...))
}

// Display returns the Display element's text.
func (m *Message) Display() (string, bool) {
	data, ok := m.Get(Display)
	return string(data), ok
}

// SetDisplay sets the Display element (at most 82 IA5 characters by Q.931;
// longer text is refused).
func (m *Message) SetDisplay(s string) error {
	if len(s) > 82 {
		return fmt.Errorf("%w: display of %d characters", ErrElement, len(s))
	}
	for i := 0; i < len(s); i++ {
		if s[i] > 0x7F {
			return fmt.Errorf("%w: display character %#02x is not IA5", ErrElement, s[i])
		}
	}
	m.Set(Display, []byte(s))
	return nil
}

// PartyNumber is the contents of a Called or Calling party number element
// (Q.931 4.5.8, 4.5.10).
type PartyNumber struct {
	Type uint8 // type of number: 0 unknown, 1 international, 2 national, ...
	Plan uint8 // numbering plan: 0 unknown, 1 ISDN/telephony E.164, 9 private
	// Screened reports that octet 3a (presentation and screening) is
	// present; calling party numbers carry it.
	Screened     bool
	Presentation uint8 // 0 allowed, 1 restricted, 2 not available
	Screening    uint8 // 0 user-provided not screened, ... 3 network provided
	Digits       string
}

// PartyNumber decodes the Called or Calling party number element id.
func (m *Message) PartyNumber(id IEID) (PartyNumber, error) {
	data, ok := m.Get(id)
	if !ok {
		return PartyNumber{}, fmt.Errorf("%w: %#02x", ErrNoElement, uint8(id))
	}
	if len(data) < 1 {
		return PartyNumber{}, fmt.Errorf("%w: empty party number", ErrElement)
	}
	p := PartyNumber{Type: data[0] >> 4 & 7, Plan: data[0] & 0x0F}
	i := 1
	if data[0]&0x80 == 0 {
		if len(data) < 2 {
			return p, fmt.Errorf("%w: party number without octet 3a", ErrElement)
		}
		p.Screened = true
		p.Presentation = data[1] >> 5 & 3
		p.Screening = data[1] & 3
		i = 2
	}
	for _, c := range data[i:] {
		if c > 0x7F {
			return p, fmt.Errorf("%w: digit %#02x is not IA5", ErrElement, c)
		}
	}
	p.Digits = string(data[i:])
	return p, nil
}

// SetPartyNumber encodes p into the element id (CalledPartyNumber or
// CallingPartyNumber).
func (m *Message) SetPartyNumber(id IEID, p PartyNumber) error {
	if len(p.Digits) > 253 {
		return fmt.Errorf("%w: %d digits", ErrElement, len(p.Digits))
	}
	for i := 0; i < len(p.Digits); i++ {
		if p.Digits[i] > 0x7F {
			return fmt.Errorf("%w: digit %#02x is not IA5", ErrElement, p.Digits[i])
		}
	}
	data := []byte{(p.Type&7)<<4 | p.Plan&0x0F}
	if p.Screened {
		data = append(data, 0x80|(p.Presentation&3)<<5|p.Screening&3)
	} else {
		data[0] |= 0x80
	}
	m.Set(id, append(data, p.Digits...))
	return nil
}

// ProgressValue is the contents of a Progress indicator element (Q.931
// 4.5.23).
type ProgressValue struct {
	Standard    uint8
	Location    uint8
	Description uint8 // e.g. 1 call is not end-to-end ISDN, 8 in-band information available
}

// Progress decodes the Progress indicator element.
func (m *Message) Progress() (ProgressValue, error) {
	data, ok := m.Get(ProgressIndicator)
	if !ok {
		return ProgressValue{}, fmt.Errorf("%w: progress indicator", ErrNoElement)
	}
	if len(data) != 2 {
		return ProgressValue{}, fmt.Errorf("%w: progress indicator of %d octets", ErrElement, len(data))
	}
	return ProgressValue{Standard: data[0] >> 5 & 3, Location: data[0] & 0x0F, Description: data[1] & 0x7F}, nil
}

// SetProgress encodes p into the Progress indicator element.
func (m *Message) SetProgress(p ProgressValue) {
	m.Set(ProgressIndicator, []byte{0x80 | (p.Standard&3)<<5 | p.Location&0x0F, 0x80 | p.Description&0x7F})
}

// BearerValue is the contents of a Bearer capability element (Q.931 4.5.5)
// as H.225.0 uses it: octets 3 and 4, and the optional layer 1 protocol.
type BearerValue struct {
	Standard           uint8 // coding standard
	TransferCapability uint8 // 0 speech, 8 unrestricted digital, 0x10 3.1 kHz audio
	TransferMode       uint8 // 0 circuit
	TransferRate       uint8 // 0x10 64 kbit/s, 0x18 multirate
	Multiplier         uint8 // rate multiplier (octet 4.1), present when TransferRate is 0x18
	Layer1             uint8 // user information layer 1 protocol; 0 = absent (5 = H.221/H.242)
}

// Bearer decodes the Bearer capability element.
func (m *Message) Bearer() (BearerValue, error) {
	data, ok := m.Get(BearerCapability)
	if !ok {
		return BearerValue{}, fmt.Errorf("%w: bearer capability", ErrNoElement)
	}
	if len(data) < 2 {
		return BearerValue{}, fmt.Errorf("%w: bearer capability of %d octets", ErrElement, len(data))
	}
	b := BearerValue{
		Standard: data[0] >> 5 & 3, TransferCapability: data[0] & 0x1F,
		TransferMode: data[1] >> 5 & 3, TransferRate: data[1] & 0x1F,
	}
	i := 2
	if b.TransferRate == 0x18 {
		if len(data) < 3 {
			return b, fmt.Errorf("%w: bearer capability without rate multiplier", ErrElement)
		}
		b.Multiplier = data[2] & 0x7F
		i = 3
	}
	if i < len(data) && data[i]>>5&3 == 1 {
		b.Layer1 = data[i] & 0x1F
	}
	return b, nil
}

// SetBearer encodes b into the Bearer capability element.
func (m *Message) SetBearer(b BearerValue) {
	data := []byte{0x80 | (b.Standard&3)<<5 | b.TransferCapability&0x1F, 0x80 | (b.TransferMode&3)<<5 | b.TransferRate&0x1F}
	if b.TransferRate == 0x18 {
		data = append(data, 0x80|b.Multiplier&0x7F)
	}
	if b.Layer1 != 0 {
		data = append(data, 0x80|1<<5|b.Layer1&0x1F)
	}
	m.Set(BearerCapability, data)
}
