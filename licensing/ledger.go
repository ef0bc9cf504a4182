package licensing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Admission errors. An *AdmissionError wraps one of them.
var (
	ErrLicenseExhausted = errors.New("licensing: no licence left")
	ErrPhysicalCapacity = errors.New("licensing: physical capacity reached")
	ErrB2BUALimit       = errors.New("licensing: B2BUA call limit reached")
	ErrNotEntitled      = errors.New("licensing: new registrations refused: no valid licence")
	ErrNotOnThisBox     = errors.New("licensing: the decision does not involve this box")
)

// Refusal is why an admission was refused (LIC-24).
type Refusal uint8

// Refusals.
const (
	RefusedLicense Refusal = iota + 1
	RefusedPhysical
	RefusedB2BUA
)

func (r Refusal) String() string {
	switch r {
	case RefusedLicense:
		return "license"
	case RefusedPhysical:
		return "physical"
	case RefusedB2BUA:
		return "b2bua"
	}
	return "none"
}

// AdmissionError is a refused admission: which check failed, its limit and
// what was in use.
type AdmissionError struct {
	Reason Refusal
	Key    string
	Limit  int64
	InUse  int64
}

func (e *AdmissionError) Error() string {
	return fmt.Sprintf("licensing: refused (%s): %s at %d of %d", e.Reason, e.Key, e.InUse, e.Limit)
}

// Unwrap returns the sentinel of the reason.
func (e *AdmissionError) Unwrap() error {
	switch e.Reason {
	case RefusedLicense:
		return ErrLicenseExhausted
	case RefusedPhysical:
		return ErrPhysicalCapacity
	}
	return ErrB2BUALimit
}

// LedgerConfig configures the Ledger of one box (node) of a cluster.
type LedgerConfig struct {
	Role     Role
	Peer     string // this node's name in the cluster (default "local")
	Platform Platform
	Peers    int // cluster size 1..6 (default 1)
	// Licensed returns the cluster's licensed pool at now (from a Pool of
	// option keys, or from Smart Licensing).
	Licensed func(now time.Time) Licences
	// RegistrationsAllowed reports whether new registrations may be taken
	// (false in Smart "Evaluation Expired", LIC-29); nil means always.
	RegistrationsAllowed func() bool
	// WarningLevel is the ResourceUsage Warning Activation Level in percent
	// (0..100; 0 never warns; ResourceWarningActivationDefault is 90).
	WarningLevel int
	Store        Store // default: a new MemoryStore
	Clock        func() time.Time
	OnAlarm      func(Alarm)
	Logger       *slog.Logger
}

// Ledger admits calls and registrations on one box (LIC-24, LIC-25,
// LIC-29) and reports usage (LIC-60). It is safe for concurrent use and
// exact: the three checks and the booking are one Store.Acquire.
type Ledger struct {
	cfg     LedgerConfig
	units   Units
	cap     Capacity
	factor  int
	b2bua   int64
	keyUnit string
	keyCl   string
	keyB2B  string
	keyReg  string
	keyRegC string
	keyMRA  string

	amu    sync.Mutex
	raised map[int]bool
}

// Counter keys of the Store.
const (
	KeyRMSTokens = "rms-tokens"
	KeyRoom      = "room"
	KeyDesktop   = "desktop"
)

// NewLedger validates cfg and returns a ledger.
func NewLedger(cfg LedgerConfig) (*Ledger, error) {
	var errs []error
	if cfg.Peer == "" {
		cfg.Peer = "local"
	}
	if cfg.Peers == 0 {
		cfg.Peers = 1
	}
	if cfg.Licensed == nil {
		errs = append(errs, errors.New("licensing: LedgerConfig.Licensed is required"))
	}
	if cfg.WarningLevel < 0 || cfg.WarningLevel > 100 {
		errs = append(errs, fmt.Errorf("licensing: warning level %d out of range 0..100", cfg.WarningLevel))
	}
	units, err := PhysicalUnits(cfg.Platform)
	if err != nil {
		errs = append(errs, err)
	}
	capa, _ := StandaloneCapacity(cfg.Platform)
	factor, err := ClusterFactor(cfg.Platform, cfg.Peers)
	if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if cfg.Store == nil {
		cfg.Store = NewMemoryStore()
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Ledger{
		cfg: cfg, units: units, cap: capa, factor: factor, b2bua: int64(B2BUALimit(cfg.Platform)),
		keyUnit: "units/" + cfg.Peer, keyCl: "units/cluster", keyB2B: "b2bua/" + cfg.Peer,
		keyReg: "regs/" + cfg.Peer, keyRegC: "regs/cluster", keyMRA: "mra/" + cfg.Peer,
		raised: make(map[int]bool),
	}, nil
}

// Lease is an admitted call or registration. Settle and Release are safe
// to call more than once; only the first of each has an effect.
type Lease struct {
	l        *Ledger
	mu       sync.Mutex
	claims   []Claim
	discount bool // audio-only SIP traversal discount applies
	tokenIx  int  // index of the token claim, -1 if none
	unitIx   int  // index of the per-peer unit claim, -1 if none
	rms      bool
	settled  bool
	released bool
}

// Admit runs the three checks of LIC-24 for the part of d that concerns
// this box and books the call: the setup charge is 2 tokens and video
// units (LIC-22). A refusal is an *AdmissionError; a decision that does
// not involve this box returns ErrNotOnThisBox.
func (l *Ledger) Admit(ctx context.Context, d Decision) (*Lease, error) {
	lease := &Lease{l: l, tokenIx: -1, unitIx: -1}
	mine := func(r Role, peer string) bool { return r == l.cfg.Role && (peer == "" || peer == l.cfg.Peer) }
	for _, ch := range d.Charges {
		if mine(ch.Role, ch.Peer) {
			pool := l.cfg.Licensed(l.cfg.Clock())
			lease.tokenIx = len(lease.claims)
			lease.claims = append(lease.claims, Claim{Key: KeyRMSTokens, Amount: int64(ch.Tokens), Ceiling: int64(pool.RMS) * TokensPerRMS})
			lease.discount, lease.rms = d.AudioDiscount, true
		}
	}
	if slices.Contains(d.Path, l.cfg.Role) {
		u := int64(l.units.Video)
		if d.MRA {
			u = int64(l.units.MRAVideo)
		}
		lease.unitIx = len(lease.claims)
		lease.claims = append(lease.claims,
			Claim{Key: l.keyUnit, Amount: u, Ceiling: int64(l.units.Total)},
			Claim{Key: l.keyCl, Amount: u, Ceiling: int64(l.units.Total * l.factor)})
	}
	if d.NeedsB2BUA && mine(d.B2BUARole, d.B2BUAPeer) {
		lease.claims = append(lease.claims, Claim{Key: l.keyB2B, Amount: 1, Ceiling: l.b2bua})
	}
	if len(lease.claims) == 0 {
		return nil, ErrNotOnThisBox
	}
	if err := l.acquire(ctx, lease, lease.rms); err != nil {
		return nil, err
	}
	l.checkLevels(ctx, lease.rms)
	return lease, nil
}

// Register books a registration's licences and registration capacity
// (LIC-25..LIC-29). Pools never stand in for each other: a room
// registration is refused when rooms are exhausted, whatever desktops are
// free.
func (l *Ledger) Register(ctx context.Context, d RegDecision) (*Lease, error) {
	if l.cfg.RegistrationsAllowed != nil && !l.cfg.RegistrationsAllowed() {
		return nil, ErrNotEntitled
	}
	lease := &Lease{l: l, tokenIx: -1, unitIx: -1}
	pool := l.cfg.Licensed(l.cfg.Clock())
	switch d.Kind {
	case Room:
		lease.claims = append(lease.claims, Claim{Key: KeyRoom, Amount: int64(d.Count), Ceiling: int64(pool.Room)})
	case Desktop:
		lease.claims = append(lease.claims, Claim{Key: KeyDesktop, Amount: int64(d.Count), Ceiling: int64(pool.Desktop)})
	}
	if d.Physical {
		n := int64(max(d.Count, 1))
		lease.claims = append(lease.claims,
			Claim{Key: l.keyReg, Amount: n, Ceiling: int64(l.cap.Registrations)},
			Claim{Key: l.keyRegC, Amount: n, Ceiling: int64(l.cap.Registrations * l.factor)})
		if d.MRA {
			lease.claims = append(lease.claims, Claim{Key: l.keyMRA, Amount: n, Ceiling: int64(l.cap.MRARegistrations)})
		}
	}
	if len(lease.claims) == 0 {
		return nil, ErrNotOnThisBox
	}
	if err := l.acquire(ctx, lease, false); err != nil {
		return nil, err
	}
	return lease, nil
}

func (l *Ledger) acquire(ctx context.Context, lease *Lease, rms bool) error {
	failed, err := l.cfg.Store.Acquire(ctx, lease.claims)
	if err == nil {
		return nil
	}
	if !errors.Is(err, ErrCeiling) || failed < 0 || failed >= len(lease.claims) {
		return fmt.Errorf("licensing: store: %w", err)
	}
	cl := lease.claims[failed]
	cur, _ := l.cfg.Store.Counter(ctx, cl.Key)
	ae := &AdmissionError{Key: cl.Key, Limit: cl.Ceiling, InUse: cur.Current}
	switch cl.Key {
	case KeyRMSTokens, KeyRoom, KeyDesktop:
		ae.Reason = RefusedLicense
		l.alarm(Alarm{Name: "License Limit Reached", Level: "1", Raised: true, Detail: cl.Key})
		id := map[string]int{KeyRMSTokens: 30020, KeyRoom: 30028, KeyDesktop: 30031}[cl.Key]
		l.alarm(Alarm{ID: id, Name: "Licensed limit reached", Level: "Warning", Raised: true, Detail: cl.Key})
	case l.keyB2B:
		ae.Reason = RefusedB2BUA
	default:
		ae.Reason = RefusedPhysical
		id := 30022
		switch {
		case rms:
			id = 30023
		case cl.Key == l.keyReg || cl.Key == l.keyRegC || cl.Key == l.keyMRA:
			id = 30030
		}
		l.alarm(Alarm{ID: id, Name: "Physical limit reached", Level: "Warning", Raised: true, Detail: cl.Key})
	}
	return ae
}

// Settle completes call setup (LIC-22): an audio-only call is re-priced
// once — 1 token for an audio-only SIP traversal call, audio units
// physically — and the price is then frozen until release (LIC-23).
func (ls *Lease) Settle(ctx context.Context, audioOnly bool) error {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.settled || ls.released {
		return nil
	}
	ls.settled = true
	if !audioOnly {
		return nil
	}
	var back []Claim
	if ls.tokenIx >= 0 && ls.discount {
		back = append(back, Claim{Key: ls.claims[ls.tokenIx].Key, Amount: 1})
		ls.claims[ls.tokenIx].Amount--
	}
	if ls.unitIx >= 0 {
		if d := ls.claims[ls.unitIx].Amount - int64(ls.l.units.Audio); d > 0 {
			for i := ls.unitIx; i < ls.unitIx+2; i++ {
				back = append(back, Claim{Key: ls.claims[i].Key, Amount: d})
				ls.claims[i].Amount -= d
			}
		}
	}
	if len(back) == 0 {
		return nil
	}
	err := ls.l.cfg.Store.Release(ctx, back)
	ls.l.checkLevels(ctx, ls.rms)
	return err
}

// Tokens returns the tokens the lease holds now.
func (ls *Lease) Tokens() int {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.tokenIx < 0 || ls.released {
		return 0
	}
	return int(ls.claims[ls.tokenIx].Amount)
}

// Release returns exactly what the lease holds. A second Release does
// nothing.
func (ls *Lease) Release(ctx context.Context) error {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.released {
		return nil
	}
	ls.released = true
	err := ls.l.cfg.Store.Release(ctx, ls.claims)
	ls.l.checkLevels(ctx, ls.rms)
	return err
}

// checkLevels raises or lowers the approaching-limit warnings (LIC-35):
// 30001 when RMS tokens reach the warning level of the pool, 30002/30003
// when physical units of this node or of the cluster do (traversal or
// non-traversal by the call that moved the figure).
func (l *Ledger) checkLevels(ctx context.Context, rms bool) {
	if l.cfg.WarningLevel == 0 {
		return
	}
	pct := int64(l.cfg.WarningLevel)
	over := func(key string, ceiling int64) bool {
		c, err := l.cfg.Store.Counter(ctx, key)
		return err == nil && ceiling > 0 && c.Current*100 >= ceiling*pct
	}
	pool := l.cfg.Licensed(l.cfg.Clock())
	l.setAlarm(30001, "Approaching licensed limit: traversal calls", over(KeyRMSTokens, int64(pool.RMS)*TokensPerRMS))
	phys := over(l.keyUnit, int64(l.units.Total)) || over(l.keyCl, int64(l.units.Total*l.factor))
	id := 30003
	if rms {
		id = 30002
	}
	if phys {
		l.setAlarm(id, "Approaching physical limit", true)
	} else {
		l.setAlarm(30002, "Approaching physical limit", false)
		l.setAlarm(30003, "Approaching physical limit", false)
	}
}

func (l *Ledger) setAlarm(id int, name string, on bool) {
	l.amu.Lock()
	changed := l.raised[id] != on
	l.raised[id] = on
	l.amu.Unlock()
	if changed {
		l.alarm(Alarm{ID: id, Name: name, Level: "Warning", Raised: on})
	}
}

func (l *Ledger) alarm(a Alarm) {
	l.cfg.Logger.Debug("licensing alarm", "id", a.ID, "name", a.Name, "raised", a.Raised, "detail", a.Detail)
	if l.cfg.OnAlarm != nil {
		l.cfg.OnAlarm(a)
	}
}

// Usage is a snapshot for status pages (LIC-60).
type Usage struct {
	RMSTokens, RMSTokensPeak     int64
	RMSLicences                  int // licensed pool
	Room, RoomPeak               int64
	Desktop, DesktopPeak         int64
	Registrations, RegPeak       int64 // this node
	Units, UnitsPeak             int64 // this node's physical units
	UnitsTotal                   int64
	ClusterUnits, ClusterPeak    int64
	B2BUA, B2BUAPeak             int64
	MRARegistrations, MRAPeak    int64
	RMSPercent, CapacityPercent  float64
	RoomPercent, DesktopPercent  float64
	RoomLicences, DesktopLicence int
}

// Usage returns current and peak usage and percentages.
func (l *Ledger) Usage(ctx context.Context) (Usage, error) {
	var u Usage
	read := func(key string, cur, peak *int64) error {
		c, err := l.cfg.Store.Counter(ctx, key)
		*cur, *peak = c.Current, c.Peak
		return err
	}
	err := errors.Join(
		read(KeyRMSTokens, &u.RMSTokens, &u.RMSTokensPeak),
		read(KeyRoom, &u.Room, &u.RoomPeak),
		read(KeyDesktop, &u.Desktop, &u.DesktopPeak),
		read(l.keyReg, &u.Registrations, &u.RegPeak),
		read(l.keyUnit, &u.Units, &u.UnitsPeak),
		read(l.keyCl, &u.ClusterUnits, &u.ClusterPeak),
		read(l.keyB2B, &u.B2BUA, &u.B2BUAPeak),
		read(l.keyMRA, &u.MRARegistrations, &u.MRAPeak),
	)
	pool := l.cfg.Licensed(l.cfg.Clock())
	u.RMSLicences, u.RoomLicences, u.DesktopLicence = pool.RMS, pool.Room, pool.Desktop
	u.UnitsTotal = int64(l.units.Total)
	u.RMSPercent = percent(u.RMSTokens, int64(pool.RMS)*TokensPerRMS)
	u.RoomPercent = percent(u.Room, int64(pool.Room))
	u.DesktopPercent = percent(u.Desktop, int64(pool.Desktop))
	u.CapacityPercent = percent(u.Units, u.UnitsTotal)
	return u, err
}

func percent(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) * 100 / float64(b)
}
