package main

// The syntax tree of the ASN.1 subset the H.323 modules use.

// kind classifies a Type.
type kind int

const (
	kBoolean kind = iota
	kNull
	kInteger
	kEnumerated
	kBitString
	kOctetString
	kOID
	kString    // known-multiplier character string (Str names it)
	kRawString // GeneralString and other octet-counted character strings
	kSequence
	kSet
	kChoice
	kSequenceOf
	kSetOf
	kRef  // reference to a named (possibly parameterised) type
	kOpen // TYPE-IDENTIFIER.&Type: an open type
)

// module is one ASN.1 module.
type module struct {
	Name    string
	OID     string // the module identifier's object identifier, as written
	File    string
	Imports []importClause
	Assigns []*assign
	byName  map[string]*assign
}

type importClause struct {
	From    string
	Symbols []string
}

// assign is a type assignment, parameterised when Params is not empty.
type assign struct {
	Name   string
	Params []string
	Type   *Type
	Mod    *module
	Line   int
}

// Type is a type expression.
type Type struct {
	Kind kind
	Str  string // kString / kRawString: the character string type name

	Ref    string  // kRef: referenced type name
	Args   []*Type // kRef: actual parameters
	OpenOf string  // kOpen: the type named in the constraint, for docs

	Comps []*component // kSequence, kSet, kChoice
	Ext   bool         // extension marker present

	Elem *Type // kSequenceOf, kSetOf

	Items []enumItem // kEnumerated

	Cons []*constraint // serially applied constraints
	Line int
}

// component is a SEQUENCE/SET component or a CHOICE alternative.
type component struct {
	Name     string
	Type     *Type
	Optional bool
	Addition bool // an extension addition (after the extension marker)
}

type enumItem struct {
	Name     string
	Value    int64
	Addition bool
}

// constraint is a parenthesised subtype constraint.
type constraint struct {
	Root       *celem
	Ext        bool
	Additional *celem
}

// celem is a node of a constraint's element set.
type celem struct {
	Op    string // "union", "intersection", "size", "from", "range", "value", "type", "ignored"
	Kids  []*celem
	Inner *constraint // size, from
	Lo    value       // range, value
	Hi    value       // range
	Type  *Type       // type (contained subtype)
}

// value is a bound or single value in a constraint.
type value struct {
	Num      int64
	Min, Max bool
	Str      string
	IsStr    bool
}
