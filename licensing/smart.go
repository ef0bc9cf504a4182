package licensing

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Smart Licensing timers (LIC-53).
const (
	EvaluationPeriod      = 90 * 24 * time.Hour
	AuthorizationRenewal  = 30 * 24 * time.Hour
	AuthorizationLifetime = 90 * 24 * time.Hour
	RegistrationLifetime  = 365 * 24 * time.Hour
	RegistrationRenewal   = 182 * 24 * time.Hour // every 6 months
	RegistrationRetry     = 15 * time.Minute
	UsageReportInterval   = 6 * time.Hour
)

// RegistrationStatus is the Smart registration status (LIC-50).
type RegistrationStatus string

// Registration statuses.
const (
	StatusRegistered          RegistrationStatus = "Registered"
	StatusUnregistered        RegistrationStatus = "Unregistered"
	StatusRegistrationExpired RegistrationStatus = "Unregistered: Registration Expired"
	StatusRegistrationPending RegistrationStatus = "Unregistered: Registration Pending"
	StatusRegistrationFailed  RegistrationStatus = "Unregistered: Registration Failed"
)

// AuthorizationStatus is the Smart authorization status (LIC-51).
type AuthorizationStatus string

// Authorization statuses.
const (
	StatusAuthorized           AuthorizationStatus = "Authorized"
	StatusAuthorizationExpired AuthorizationStatus = "Authorization Expired"
	StatusOutOfCompliance      AuthorizationStatus = "Out-of-compliance"
	StatusNoLicensesInUse      AuthorizationStatus = "No Licenses in Use"
	StatusEvaluationMode       AuthorizationStatus = "Evaluation Mode"
	StatusEvaluationExpired    AuthorizationStatus = "Evaluation Expired"
	StatusNotApplicable        AuthorizationStatus = "Not Applicable"
)

// EntitlementSource is the Smart Software Manager as the library sees it
// (the CSSM protocol itself is out of scope; tests inject a fake).
type EntitlementSource interface {
	// Register registers the product with a token and returns the
	// entitlements of its virtual account.
	Register(ctx context.Context, token string) (Licences, error)
	// Authorize reports usage, renews authorization and returns the
	// current entitlements.
	Authorize(ctx context.Context, usage Licences) (Licences, error)
	// Deregister releases the product's entitlements.
	Deregister(ctx context.Context) error
}

// ErrSmartDisabled is returned by Smart operations before Enable.
var ErrSmartDisabled = errors.New("licensing: Smart Licensing is not enabled")

// Smart is the Smart Licensing state machine of one product instance
// (LIC-50..LIC-56), driven by Tick with an injectable clock. It is safe for
// concurrent use.
type Smart struct {
	src     EntitlementSource
	onAlarm func(Alarm)

	mu          sync.Mutex
	enabled     bool
	enabledAt   time.Time
	reg         RegistrationStatus
	auth        AuthorizationStatus
	registered  time.Time // registration (certificate) time
	lastContact time.Time
	lastReport  time.Time
	lastRetry   time.Time
	token       string
	entitled    Licences
	usage       Licences
	evalAlarms  map[int]bool // days-left thresholds already alarmed
	raised      map[int]bool
}

// NewSmart returns a disabled Smart state machine.
func NewSmart(src EntitlementSource, onAlarm func(Alarm)) *Smart {
	return &Smart{src: src, onAlarm: onAlarm, reg: StatusUnregistered, auth: StatusNotApplicable,
		evalAlarms: make(map[int]bool), raised: make(map[int]bool)}
}

// Enable switches Smart Licensing on at now: Evaluation Mode, Unregistered
// (LIC-54).
func (s *Smart) Enable(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.enabled {
		return
	}
	s.enabled, s.enabledAt = true, now
	s.reg, s.auth = StatusUnregistered, StatusEvaluationMode
}

// Register registers with a token: Pending, then Registered and
// Authorized, or Registration Failed (LIC-54). A failed registration is
// retried by Tick every 15 minutes.
func (s *Smart) Register(ctx context.Context, token string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.enabled {
		return ErrSmartDisabled
	}
	s.token = token
	return s.registerLocked(ctx, now)
}

func (s *Smart) registerLocked(ctx context.Context, now time.Time) error {
	s.reg = StatusRegistrationPending
	ent, err := s.src.Register(ctx, s.token)
	s.lastRetry = now
	if err != nil {
		s.reg = StatusRegistrationFailed
		s.alarm(30045, "Renew registration failed", "Error", true)
		return fmt.Errorf("licensing: smart registration: %w", err)
	}
	s.alarm(30045, "Renew registration failed", "Error", false)
	s.reg, s.registered, s.lastContact, s.entitled = StatusRegistered, now, now, ent
	s.updateAuthLocked(now)
	return nil
}

// Deregister releases entitlements at once and returns to Evaluation Mode
// if the evaluation period has not run out, else Unregistered. When the
// manager cannot be reached the local deregistration still happens and the
// error is returned as a warning (LIC-54).
func (s *Smart) Deregister(ctx context.Context, now time.Time) (warning error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.enabled {
		return ErrSmartDisabled
	}
	if err := s.src.Deregister(ctx); err != nil {
		warning = fmt.Errorf("licensing: deregistered locally; manager unreachable: %w", err)
	}
	s.reg, s.entitled, s.token = StatusUnregistered, Licences{}, ""
	if now.Sub(s.enabledAt) < EvaluationPeriod {
		s.auth = StatusEvaluationMode
	} else {
		s.auth = StatusEvaluationExpired
	}
	return warning
}

// ReportUsage records current usage for the next report and compliance.
func (s *Smart) ReportUsage(u Licences, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.usage = u
	if s.reg == StatusRegistered {
		s.updateAuthLocked(now)
	}
}

// Tick advances the timers to now (LIC-53): evaluation alarms and expiry,
// authorization renewal and expiry, registration renewal and expiry,
// registration retry, usage reports.
func (s *Smart) Tick(ctx context.Context, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.enabled {
		return
	}
	if s.reg != StatusRegistered {
		left := s.enabledAt.Add(EvaluationPeriod).Sub(now)
		for _, d := range []int{30, 7, 3, 2, 1} {
			if left <= time.Duration(d)*24*time.Hour && left > 0 && !s.evalAlarms[d] {
				s.evalAlarms[d] = true
				s.emit(Alarm{ID: 30035, Name: "Smart Licensing evaluation period expiring", Level: "Warning", Raised: true,
					Detail: fmt.Sprintf("%d days left", d)})
			}
		}
		if left <= 0 && s.auth != StatusEvaluationExpired {
			s.auth = StatusEvaluationExpired
			s.alarm(30038, "Smart Licensing evaluation expired", "Critical", true)
		}
		if s.reg == StatusRegistrationFailed && now.Sub(s.lastRetry) >= RegistrationRetry {
			_ = s.registerLocked(ctx, now)
		}
		return
	}
	if now.Sub(s.registered) >= RegistrationLifetime {
		s.reg, s.entitled = StatusRegistrationExpired, Licences{}
		s.auth = StatusEvaluationExpired
		s.alarm(30041, "Smart Licensing registration expired", "Error", true)
		return
	}
	if now.Sub(s.lastContact) >= AuthorizationRenewal || now.Sub(s.lastReport) >= UsageReportInterval {
		s.lastReport = now
		if ent, err := s.src.Authorize(ctx, s.usage); err == nil {
			s.entitled, s.lastContact = ent, now
			s.alarm(30042, "Smart Licensing communication error", "Error", false)
			s.alarm(30044, "Renew authorization failed", "Error", false)
		} else {
			s.alarm(30042, "Smart Licensing communication error", "Error", true)
			if now.Sub(s.lastContact) >= AuthorizationRenewal {
				s.alarm(30044, "Renew authorization failed", "Error", true)
			}
		}
	}
	s.updateAuthLocked(now)
}

func (s *Smart) updateAuthLocked(now time.Time) {
	switch {
	case now.Sub(s.lastContact) >= AuthorizationLifetime:
		s.auth = StatusAuthorizationExpired
		s.alarm(30039, "Overage authorization expired", "Alert", true)
	case s.usage.RMS > s.entitled.RMS || s.usage.Room > s.entitled.Room || s.usage.Desktop > s.entitled.Desktop:
		s.auth = StatusOutOfCompliance
		s.alarm(30036, "Overage out of compliance", "Alert", true)
	case s.usage == Licences{}:
		s.auth = StatusNoLicensesInUse
	default:
		s.auth = StatusAuthorized
	}
	if s.auth != StatusAuthorizationExpired {
		s.alarm(30039, "Overage authorization expired", "Alert", false)
	}
	if s.auth != StatusOutOfCompliance {
		s.alarm(30036, "Overage out of compliance", "Alert", false)
	}
}

// Status returns the registration and authorization statuses.
func (s *Smart) Status() (RegistrationStatus, AuthorizationStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reg, s.auth
}

// Licensed is the licensed pool for a Ledger: the entitlements while
// registered, the platform's own limits during evaluation (evalCap), and
// nothing once the evaluation expired unregistered.
func (s *Smart) Licensed(evalCap Licences) func(time.Time) Licences {
	return func(time.Time) Licences {
		s.mu.Lock()
		defer s.mu.Unlock()
		switch {
		case s.reg == StatusRegistered:
			return s.entitled
		case s.auth == StatusEvaluationMode:
			return evalCap
		}
		return Licences{}
	}
}

// RegistrationsAllowed is false once the evaluation expired while
// unregistered, or the registration expired (LIC-29, LIC-54).
func (s *Smart) RegistrationsAllowed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reg == StatusRegistered || s.auth == StatusEvaluationMode || !s.enabled
}

// alarm raises or lowers an alarm once per change.
func (s *Smart) alarm(id int, name, level string, on bool) {
	if s.raised[id] == on {
		return
	}
	s.raised[id] = on
	s.emit(Alarm{ID: id, Name: name, Level: level, Raised: on})
}

func (s *Smart) emit(a Alarm) {
	if s.onAlarm != nil {
		s.onAlarm(a)
	}
}
