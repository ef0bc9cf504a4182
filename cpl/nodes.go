package cpl

import (
	"time"

	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// A compiled program is a tree (a DAG when subactions are shared) of the
// node types below. Every container holds at most one child, so evaluation
// is a walk from the entry node that follows one output per switch.

type node interface{ meta() *nodeMeta }

type nodeMeta struct {
	elem      string
	line, col int
}

func (m *nodeMeta) meta() *nodeMeta { return m }

// output is one output of a switch or proxy: whether the script has it, and
// the node it leads to (nil: the path ends there).
type output struct {
	set   bool
	label string
	next  node
}

type field uint8

const (
	fieldDestination field = iota
	fieldOriginalDestination
	fieldAuthenticatedOrigin
	fieldUnauthenticatedOrigin
	fieldOriginatingZone
	fieldOriginatingUser
	fieldRegisteredOrigin
)

var fieldNames = map[string]field{
	"destination":            fieldDestination,
	"original-destination":   fieldOriginalDestination,
	"origin":                 fieldAuthenticatedOrigin, // Expressway meaning; RFC maps to unauthenticated
	"authenticated-origin":   fieldAuthenticatedOrigin,
	"unauthenticated-origin": fieldUnauthenticatedOrigin,
	"originating-zone":       fieldOriginatingZone,
	"originating-user":       fieldOriginatingUser,
	"registered-origin":      fieldRegisteredOrigin,
}

type subfield uint8

const (
	subNone subfield = iota
	subAddressType
	subUser
	subHost
	subPort
	subTel
	subDisplay
	subPassword
	subAliasType
)

var subfieldNames = map[string]subfield{
	"address-type": subAddressType,
	"user":         subUser,
	"host":         subHost,
	"port":         subPort,
	"tel":          subTel,
	"display":      subDisplay,
	"password":     subPassword,
	"alias-type":   subAliasType,
}

type matchKind uint8

const (
	matchIs matchKind = iota
	matchContains
	matchSubdomain
	matchRegex
)

type matcher struct {
	kind matchKind
	lit  string
	re   *regexMatcher
}

type addrCase struct {
	output
	m matcher
}

type addressSwitch struct {
	nodeMeta
	field      field
	sub        subfield
	rfc        bool // RFC 3880 semantics: whole values keep their scheme, absent field falls to otherwise
	cases      []addrCase
	notPresent output
	otherwise  output
}

type rule struct {
	output
	originField field
	origin      *regexMatcher
	dest        *regexMatcher
	msg         *regexMatcher
}

type ruleSwitch struct {
	nodeMeta
	rules []rule
}

type locationNode struct {
	nodeMeta
	url       string
	priority  float64
	random    bool
	clear     bool
	rewrite   *pattern.Pattern // regex + replace
	srcURL    string
	srcSet    bool
	srcRegex  *pattern.Pattern // source-url-for-message-regex + -replace
	next      node
	hasEffect bool
}

type proxyNode struct {
	nodeMeta
	timeout    time.Duration
	stopOnBusy bool
	recurse    bool
	ordering   Ordering
	outs       [5]output // indexed by Outcome; [0] is default
	hasOutputs bool
}

type rejectNode struct {
	nodeMeta
	status int
	reason string
}

type redirectNode struct {
	nodeMeta
	permanent bool
}

type stringField uint8

const (
	strSubject stringField = iota
	strOrganization
	strUserAgent
	strDisplay
)

type strCase struct {
	output
	contains bool
	lit      string
}

type stringSwitch struct {
	nodeMeta
	field      stringField
	cases      []strCase
	notPresent output
	otherwise  output
}

type langCase struct {
	output
	tag string
}

type languageSwitch struct {
	nodeMeta
	cases      []langCase
	notPresent output
	otherwise  output
}

type prioCase struct {
	output
	op    int8 // -1 less, 0 equal, 1 greater
	level int
	raw   string
}

type prioritySwitch struct {
	nodeMeta
	cases     []prioCase
	otherwise output
}

type timeCase struct {
	output
	rec *recurrence
}

type timeSwitch struct {
	nodeMeta
	cases      []timeCase
	notPresent output
	otherwise  output
}

type lookupNode struct {
	nodeMeta
	source                     string
	timeout                    time.Duration
	clear                      bool
	success, notfound, failure output
}

type removeLocationNode struct {
	nodeMeta
	location string // "" removes every entry
	next     node
}

type mailNode struct {
	nodeMeta
	url  string
	next node
}

type logNode struct {
	nodeMeta
	name, comment string
	next          node
}

// subNode marks a sub reference in the trace and continues into the
// subaction.
type subNode struct {
	nodeMeta
	ref    string
	target node
}
