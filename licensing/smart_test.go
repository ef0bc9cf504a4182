package licensing

import (
	"context"
	"errors"
	"testing"
	"time"
)

type fakeSSM struct {
	ent     Licences
	fail    error
	authErr error
}

func (f *fakeSSM) Register(context.Context, string) (Licences, error) { return f.ent, f.fail }
func (f *fakeSSM) Authorize(context.Context, Licences) (Licences, error) {
	return f.ent, f.authErr
}
func (f *fakeSSM) Deregister(context.Context) error { return f.fail }

const day = 24 * time.Hour

// §3.6: evaluation alarms at 30/7/3/2/1 days left, Evaluation Expired at
// 90 days, registrations refused afterwards (LIC-53, LIC-54, LIC-56).
func TestSmartEvaluation(t *testing.T) {
	ctx := context.Background()
	var at []time.Duration
	now := t0
	s := NewSmart(&fakeSSM{}, func(a Alarm) {
		if a.ID == 30035 {
			at = append(at, now.Sub(t0))
		}
	})
	s.Enable(t0)
	if r, a := s.Status(); r != StatusUnregistered || a != StatusEvaluationMode {
		t.Fatal(r, a)
	}
	for now = t0; now.Before(t0.Add(91 * day)); now = now.Add(time.Hour) {
		s.Tick(ctx, now)
	}
	want := []time.Duration{60 * day, 83 * day, 87 * day, 88 * day, 89 * day}
	if len(at) != len(want) {
		t.Fatalf("30035 at %v", at)
	}
	for i := range want {
		if at[i] != want[i] {
			t.Fatalf("30035 at %v, want %v", at, want)
		}
	}
	if _, a := s.Status(); a != StatusEvaluationExpired || s.RegistrationsAllowed() {
		t.Fatal("evaluation must expire and stop new registrations")
	}
	if s.Licensed(Licences{RMS: 500})(now) != (Licences{}) {
		t.Fatal("no pool after evaluation expiry")
	}
}

// §3.6: register at T0+10d; authorization expires 90 days after the last
// contact; a registration not renewed for a year expires (LIC-50..LIC-54).
func TestSmartRegistration(t *testing.T) {
	ctx := context.Background()
	src := &fakeSSM{ent: Licences{RMS: 50}}
	var alarms []int
	s := NewSmart(src, func(a Alarm) {
		if a.Raised {
			alarms = append(alarms, a.ID)
		}
	})
	if err := s.Register(ctx, "tok", t0); !errors.Is(err, ErrSmartDisabled) {
		t.Fatal(err)
	}
	s.Enable(t0)
	src.fail = errors.New("token invalid")
	if err := s.Register(ctx, "tok", t0.Add(9*day)); err == nil {
		t.Fatal("failed registration accepted")
	}
	if r, _ := s.Status(); r != StatusRegistrationFailed {
		t.Fatal(r)
	}
	src.fail = nil
	s.Tick(ctx, t0.Add(9*day+14*time.Minute))
	if r, _ := s.Status(); r != StatusRegistrationFailed {
		t.Fatal("retry before 15 minutes")
	}
	s.Tick(ctx, t0.Add(10*day)) // the 15-minute retry registers
	s.ReportUsage(Licences{RMS: 10}, t0.Add(10*day))
	if r, a := s.Status(); r != StatusRegistered || a != StatusAuthorized {
		t.Fatal(r, a)
	}
	if s.Licensed(Licences{})(t0).RMS != 50 {
		t.Fatal("entitled pool")
	}
	s.ReportUsage(Licences{RMS: 60}, t0.Add(10*day))
	if _, a := s.Status(); a != StatusOutOfCompliance {
		t.Fatal("LIC-54 usage over entitlement")
	}
	s.ReportUsage(Licences{RMS: 10}, t0.Add(10*day))

	t1 := t0.Add(20 * day)
	s.Tick(ctx, t1) // last contact
	src.authErr = errors.New("unreachable")
	s.Tick(ctx, t1.Add(89*day))
	if _, a := s.Status(); a != StatusAuthorized {
		t.Fatal("still authorized before 90 days", a)
	}
	s.Tick(ctx, t1.Add(90*day))
	if _, a := s.Status(); a != StatusAuthorizationExpired {
		t.Fatal("authorization must expire 90 days after contact", a)
	}
	src.authErr = nil
	s.Tick(ctx, t0.Add(10*day+365*day))
	if r, _ := s.Status(); r != StatusRegistrationExpired {
		t.Fatal(r)
	}
	found := false
	for _, id := range alarms {
		found = found || id == 30041
	}
	if !found {
		t.Fatalf("30041 missing: %v", alarms)
	}
}

func TestSmartDeregister(t *testing.T) {
	ctx := context.Background()
	src := &fakeSSM{ent: Licences{RMS: 5}}
	s := NewSmart(src, nil)
	s.Enable(t0)
	if err := s.Register(ctx, "tok", t0.Add(day)); err != nil {
		t.Fatal(err)
	}
	src.fail = errors.New("unreachable")
	if w := s.Deregister(ctx, t0.Add(2*day)); w == nil {
		t.Fatal("an unreachable manager is a warning")
	}
	if r, a := s.Status(); r != StatusUnregistered || a != StatusEvaluationMode {
		t.Fatal(r, a)
	}
	_ = s.Deregister(ctx, t0.Add(100*day))
	if _, a := s.Status(); a != StatusEvaluationExpired {
		t.Fatal(a)
	}
}
