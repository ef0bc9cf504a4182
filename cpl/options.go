package cpl

import (
	"time"

	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// Dialect selects the language Compile accepts (BX-1). A Dialect is itself
// an Option: cpl.Compile(src, cpl.RFC3880).
type Dialect uint8

const (
	// Expressway is the product's dialect (the default): a single
	// taa:routed section, address-switch with regex, taa:rule-switch,
	// location and taa:location, proxy and reject; the RFC 3880 elements
	// of CPL-3 are refused (§2 of the spec).
	Expressway Dialect = iota
	// RFC3880 is the whole of RFC 3880: incoming/outgoing, subactions,
	// string/language/time/priority switches, lookup, remove-location,
	// redirect, mail and log. The taa: extensions are off unless
	// WithExtensions(true) is given.
	RFC3880
)

func (d Dialect) String() string {
	switch d {
	case Expressway:
		return "expressway"
	case RFC3880:
		return "rfc3880"
	}
	return "dialect(?)"
}

func (d Dialect) apply(c *config) { c.dialect = d }

// Option configures Compile.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithDialect selects the dialect; the same as passing the Dialect itself.
func WithDialect(d Dialect) Option { return d }

// WithExtensions enables or disables the taa: extensions. They are always
// on in the Expressway dialect (turning them off there is ignored) and off
// by default in the RFC3880 dialect (BX-1).
func WithExtensions(on bool) Option {
	return optionFunc(func(c *config) { c.ext, c.extSet = on, true })
}

// WithLimits replaces the safety limits (CPL-56). Zero fields keep their
// defaults.
func WithLimits(l Limits) Option {
	return optionFunc(func(c *config) { c.limits = l.withDefaults() })
}

// WithFacts supplies the system facts that %variables% in regular
// expressions expand to, exactly as in the dial plan (dialplan/pattern).
// Without facts a variable matches nothing.
func WithFacts(f *pattern.Facts) Option {
	return optionFunc(func(c *config) { c.facts = f })
}

// WithOnError sets the result an evaluation that fails (step limit, regex
// budget, cancelled context) yields together with its error (CPL-34). The
// default fails closed: Reject 500 "Policy evaluation error".
func WithOnError(o OnError) Option {
	return optionFunc(func(c *config) { c.onError = o })
}

// WithTimeZone sets the zone in which time-switch values without a tzid
// and without a trailing Z are read (RFC dialect). Default UTC.
func WithTimeZone(loc *time.Location) Option {
	return optionFunc(func(c *config) {
		if loc != nil {
			c.loc = loc
		}
	})
}

// WithLocationService plugs the service lookup nodes query (RFC dialect).
// Without one every lookup takes its failure output.
func WithLocationService(s LocationService) Option {
	return optionFunc(func(c *config) { c.lookup = s })
}

// WithSinks sets the callbacks mail and log nodes deliver to (RFC dialect).
// They are called after the decision is complete, in the evaluating
// goroutine, so they can never change it; they must not block. Either may
// be nil.
func WithSinks(mail func(Mail), log func(Log)) Option {
	return optionFunc(func(c *config) { c.mail, c.log = mail, log })
}

// Limits are the safety bounds of CPL-56. The zero value of a field means
// its default.
type Limits struct {
	MaxScriptBytes int           // default 1 MiB
	MaxDepth       int           // element nesting, default 64
	MaxNodes       int           // elements, default 10,000
	MaxAttrValue   int           // bytes per attribute value, default 4 KiB
	MaxAttrs       int           // attributes per element, default 32
	MaxRegexLen    int           // bytes per regular expression, default 1 KiB
	RegexBudget    time.Duration // per regex match, default pattern.DefaultBudget
	MaxSteps       int           // evaluation steps per Evaluate/Resume, default 100,000
	MaxResumes     int           // Resume calls per call, default 16
	MaxLocations   int           // location set entries, default 1,000
	MaxErrors      int           // compile errors reported, default 100
}

// DefaultLimits are the limits Compile uses unless told otherwise.
func DefaultLimits() Limits { return Limits{}.withDefaults() }

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxScriptBytes, 1<<20)
	def(&l.MaxDepth, 64)
	def(&l.MaxNodes, 10000)
	def(&l.MaxAttrValue, 4096)
	def(&l.MaxAttrs, 32)
	def(&l.MaxRegexLen, 1024)
	def(&l.MaxSteps, 100000)
	def(&l.MaxResumes, 16)
	def(&l.MaxLocations, 1000)
	def(&l.MaxErrors, 100)
	if l.RegexBudget <= 0 {
		l.RegexBudget = pattern.DefaultBudget
	}
	return l
}

// OnError is the decision a failed evaluation stands for (CPL-34).
type OnError struct {
	Action Action // Reject or Proceed
	Status int
	Reason string
}

func defaultOnError() OnError {
	return OnError{Action: Reject, Status: 500, Reason: "Policy evaluation error"}
}

type config struct {
	dialect Dialect
	ext     bool
	extSet  bool
	limits  Limits
	facts   *pattern.Facts
	onError OnError
	loc     *time.Location
	lookup  LocationService
	mail    func(Mail)
	log     func(Log)
}

func newConfig(opts []Option) *config {
	c := &config{limits: DefaultLimits(), onError: defaultOnError(), loc: time.UTC}
	for _, o := range opts {
		if o != nil {
			o.apply(c)
		}
	}
	if c.dialect == Expressway || !c.extSet {
		c.ext = c.dialect == Expressway
	}
	return c
}
