// Package per is a runtime for the ALIGNED variant of the ASN.1 Packed
// Encoding Rules (ITU-T X.691), the wire encoding of H.225.0, H.245 and H.235.
//
// The package provides a bit-level [Encoder] and [Decoder] with one method per
// X.691 encoding rule: constrained, semi-constrained and unconstrained whole
// numbers, normally small numbers, length determinants (including the 16K
// fragmentation of lists and strings), BOOLEAN, ENUMERATED, OCTET STRING and
// BIT STRING with size constraints, OBJECT IDENTIFIER, the known-multiplier
// character strings with permitted-alphabet constraints, CHOICE indices,
// SEQUENCE extension bitmaps and open types.
//
// The generated packages h323/h225, h323/h245, h323/h235 and h323/h460 call
// these methods from per-type Encode and Decode methods; nothing here uses
// reflection. [Marshal] and [Unmarshal] turn any generated value into a
// complete encoding and back.
//
// Extension additions and extension alternatives that a decoder does not
// know are kept as raw open-type octets in [Extensions] (for SEQUENCE types)
// or in the generated CHOICE value, so that a message that was only partly
// understood re-encodes to the same octets.
//
// Decoding is bounded: lengths are checked against the remaining input before
// anything is allocated, nesting is capped by [Decoder.MaxDepth], and every
// failure is an [*Error] naming the component path and bit offset.
package per
