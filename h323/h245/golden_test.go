package h245

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/causeway-edge/causeway/h323/internal/pertest"
	"github.com/causeway-edge/causeway/h323/per"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	require.NoError(t, err)
	return b
}

func roundTrip(t *testing.T, want string, msg *MultimediaSystemControlMessage) *MultimediaSystemControlMessage {
	t.Helper()
	b, err := per.Marshal(msg)
	require.NoError(t, err)
	require.Equal(t, strings.ToLower(strings.ReplaceAll(want, " ", "")), hex.EncodeToString(b))
	var back MultimediaSystemControlMessage
	require.NoError(t, per.Unmarshal(unhex(t, want), &back))
	again, err := per.Marshal(&back)
	require.NoError(t, err)
	require.Equal(t, b, again)
	return &back
}

// TestGoldenV6 covers spec h323.md §4.3 V6 (the PER part after the TPKT
// header): endSessionCommand disconnect.
func TestGoldenV6(t *testing.T) {
	back := roundTrip(t, "4A 40", &MultimediaSystemControlMessage{
		Choice: MultimediaSystemControlMessageChoiceCommand,
		Command: &CommandMessage{
			Choice:            CommandMessageChoiceEndSessionCommand,
			EndSessionCommand: &EndSessionCommand{Choice: EndSessionCommandChoiceDisconnect},
		},
	})
	require.Equal(t, EndSessionCommandChoiceDisconnect, back.Command.EndSessionCommand.Choice)
}

// TestGoldenV7 covers V7: UserInputIndication alphanumeric "5".
func TestGoldenV7(t *testing.T) {
	back := roundTrip(t, "6D 40 01 35", &MultimediaSystemControlMessage{
		Choice: MultimediaSystemControlMessageChoiceIndication,
		Indication: &IndicationMessage{
			Choice:    IndicationMessageChoiceUserInput,
			UserInput: &UserInputIndication{Choice: UserInputIndicationChoiceAlphanumeric, Alphanumeric: "5"},
		},
	})
	require.Equal(t, "5", back.Indication.UserInput.Alphanumeric)
}

// TestGoldenV8 covers V8: UserInputIndication signal, signalType "5"
// (an 8-bit raw code in a 17-character alphabet, spec h323.md §4.2).
func TestGoldenV8(t *testing.T) {
	back := roundTrip(t, "6D 81 02 06 A0", &MultimediaSystemControlMessage{
		Choice: MultimediaSystemControlMessageChoiceIndication,
		Indication: &IndicationMessage{
			Choice: IndicationMessageChoiceUserInput,
			UserInput: &UserInputIndication{
				Choice: UserInputIndicationChoiceSignal,
				Signal: &UserInputIndicationSignal{SignalType: "5"},
			},
		},
	})
	require.Equal(t, UserInputIndicationChoiceSignal, back.Indication.UserInput.Choice)
	require.Equal(t, "5", back.Indication.UserInput.Signal.SignalType)
}

func TestSignalTypeAlphabet(t *testing.T) {
	msg := &UserInputIndication{Choice: UserInputIndicationChoiceSignal, Signal: &UserInputIndicationSignal{SignalType: "E"}}
	_, err := per.Marshal(msg)
	require.ErrorIs(t, err, per.ErrAlphabet)
}

// TestRandomRoundTrip is the property test of spec h323.md §4.8: random
// valid values of the generated types encode, decode and re-encode to the
// same octets.
func TestRandomRoundTrip(t *testing.T) {
	types := map[string]func() per.Value{
		"MultimediaSystemControlMessage": func() per.Value { return new(MultimediaSystemControlMessage) },
		"OpenLogicalChannel":             func() per.Value { return new(OpenLogicalChannel) },
		"TerminalCapabilitySet":          func() per.Value { return new(TerminalCapabilitySet) },
		"GenericMessage":                 func() per.Value { return new(GenericMessage) },
		"Capability":                     func() per.Value { return new(Capability) },
	}
	for name, mk := range types {
		t.Run(name, func(t *testing.T) {
			pertest.RoundTrip(t, mk, 300)
		})
	}
}
