package licensing

import "fmt"

// Mode is the licensing mode of a node (LIC-1).
type Mode uint8

// Modes. PAK (option keys) is the default.
const (
	PAK Mode = iota
	SmartMode
)

// Product is the product flavour: Smart Licensing is not available to VCS.
type Product uint8

// Products.
const (
	Expressway Product = iota
	VCS
)

// ModeSwitch holds a node's licensing mode and enforces its transitions:
// PAK to Smart is allowed, Smart to PAK needs a factory reset (LIC-1). In
// Smart mode installed option keys are ignored.
type ModeSwitch struct {
	Product Product
	mode    Mode
}

// Mode returns the current mode.
func (m *ModeSwitch) Mode() Mode { return m.mode }

// Set moves to mode to.
func (m *ModeSwitch) Set(to Mode) error {
	switch {
	case to == m.mode:
		return nil
	case to == SmartMode && m.Product == VCS:
		return ErrSmartUnavailable
	case to == PAK:
		return fmt.Errorf("licensing: switching to PAK: %w", ErrFactoryResetRequired)
	}
	m.mode = to
	return nil
}

// KeysHonoured reports whether option keys count in the current mode.
func (m *ModeSwitch) KeysHonoured() bool { return m.mode == PAK }
