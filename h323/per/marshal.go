package per

import "fmt"

// Value is implemented by every generated ASN.1 type.
type Value interface {
	// Encode appends the ALIGNED PER encoding of the value to e.
	Encode(e *Encoder) error
	// Decode replaces the value with one read from d.
	Decode(d *Decoder) error
}

// Marshal returns the complete ALIGNED PER encoding of v.
func Marshal(v Value) ([]byte, error) {
	var e Encoder
	if err := v.Encode(&e); err != nil {
		return nil, Field(err, typeName(v))
	}
	return e.Bytes(), nil
}

// Unmarshal decodes the complete encoding b into v. Octets left over after
// the encoding (beyond padding in its last octet) are an error.
func Unmarshal(b []byte, v Value) error {
	var d Decoder
	d.Reset(b)
	if len(b) == 0 {
		return Field(d.errorf(ErrTruncated), typeName(v))
	}
	if err := v.Decode(&d); err != nil {
		return Field(err, typeName(v))
	}
	if err := d.Done(); err != nil {
		return Field(err, typeName(v))
	}
	return nil
}

// typeName names the Go type of v for error paths ("h225.RasMessage").
func typeName(v Value) string {
	s := fmt.Sprintf("%T", v)
	if len(s) > 0 && s[0] == '*' {
		s = s[1:]
	}
	return s
}
