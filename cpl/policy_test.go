package cpl

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

type eventLog struct {
	mu sync.Mutex
	ev []Event
	ch chan Event
}

func (l *eventLog) add(e Event) {
	l.mu.Lock()
	l.ev = append(l.ev, e)
	l.mu.Unlock()
	if l.ch != nil {
		l.ch <- e
	}
}

func (l *eventLog) kinds() []EventKind {
	l.mu.Lock()
	defer l.mu.Unlock()
	var k []EventKind
	for _, e := range l.ev {
		k = append(k, e.Kind)
	}
	return k
}

// T1, CPL-42: LocalCPL with neither script nor rules proceeds and shows
// the allow-all script; Off proceeds without evaluation.
func TestPolicyDefaults(t *testing.T) {
	p, err := NewPolicy(PolicyConfig{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if p.Mode() != Off {
		t.Fatalf("default mode %s (CPL-55)", p.Mode())
	}
	in := call{dst: d("anyone")}.input()
	res, err := p.Evaluate(context.Background(), in)
	if err != nil || res.Action != Proceed {
		t.Fatalf("Off: %v %v", res, err)
	}
	if err := p.SetMode(LocalCPL); err != nil {
		t.Fatal(err)
	}
	res, err = p.Evaluate(context.Background(), in)
	if err != nil || res.Action != Proceed {
		t.Fatalf("LocalCPL default: %v %v", res, err)
	}
	if p.ShowPolicy() != DefaultScript {
		t.Errorf("ShowPolicy: %s", p.ShowPolicy())
	}
	// LocalService is treated as LocalCPL.
	if err := p.SetRules(t3Rules); err != nil {
		t.Fatal(err)
	}
	if err := p.SetMode(LocalService); err != nil {
		t.Fatal(err)
	}
	res, _ = p.Evaluate(context.Background(), call{dst: d("9123"), zone: "TraversalZone"}.input())
	if res.String() != d403 {
		t.Errorf("LocalService: %s", res)
	}
	if err := p.SetMode(PolicyService); err == nil {
		t.Error("PolicyService without a Service accepted")
	}
	var m Mode
	if m.UnmarshalText([]byte("policyservice")) != nil || m != PolicyService || m.UnmarshalText([]byte("x")) == nil {
		t.Error("Mode text")
	}
}

// CPL-33, T2: an invalid script never replaces the running policy; the
// failure raises warning 45001 and success a Policy Change event.
func TestPolicyInvalidUploadKeepsRunningPolicy(t *testing.T) {
	log := &eventLog{}
	p, err := NewPolicy(PolicyConfig{Mode: LocalCPL, OnEvent: log.add, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	good := seedVariants(t, "E8")["verbatim"]
	if err := p.Upload(good); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{`<time-switch/>`, `<redirect/>`, `<mail url="x"/>`, `<log/>`, `<sub ref="x"/>`,
		`<lookup source="x"/>`, `<remove-location/>`, `<string-switch field="subject"/>`, `<language-switch/>`, `<priority-switch/>`} {
		err := p.Upload([]byte(doc(body)))
		var l ErrorList
		if !errors.As(err, &l) || l[0].Code != CodeUnsupported {
			t.Errorf("%s: %v", body, err)
		}
		for _, top := range []string{"incoming", "outgoing"} {
			if err := p.Upload([]byte(`<cpl xmlns="urn:ietf:params:xml:ns:cpl"><` + top + `/></cpl>`)); err == nil {
				t.Errorf("%s accepted", top)
			}
		}
		// The previously active program still answers.
		res, err := p.Evaluate(context.Background(), call{dst: d("9123"), zone: "TraversalZone"}.input())
		if err != nil || res.String() != d403 {
			t.Fatalf("after refused upload: %v %v", res, err)
		}
		if p.ShowPolicy() != string(good) {
			t.Fatal("ShowPolicy changed after a refused upload")
		}
	}
	kinds := log.kinds()
	if kinds[0] != EventPolicyChange || kinds[1] != EventLoadFailed {
		t.Errorf("events %v", kinds)
	}
	log.mu.Lock()
	if log.ev[1].Code != WarningLoadFailed || log.ev[1].Err == nil {
		t.Errorf("load failure event %+v", log.ev[1])
	}
	log.mu.Unlock()
}

// CPL-40, CPL-41: a script takes precedence over rules and locks them;
// deleting it re-enables the rules; a re-uploaded rules file restores them.
func TestPolicyScriptsAndRules(t *testing.T) {
	p, err := NewPolicy(PolicyConfig{Mode: LocalCPL, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetRules(t3Rules); err != nil {
		t.Fatal(err)
	}
	rendered, _ := RulesToCPL(t3Rules)
	if p.ShowPolicy() != string(rendered) {
		t.Errorf("ShowPolicy shows %s", p.ShowPolicy())
	}
	if err := p.Upload(seedVariants(t, "E6")["verbatim"]); err != nil {
		t.Fatal(err)
	}
	if !p.HasScript() {
		t.Fatal("script not in force")
	}
	if err := p.SetRules(nil); !errors.Is(err, ErrScriptActive) {
		t.Errorf("SetRules with a script: %v", err)
	}
	res, _ := p.Evaluate(context.Background(), call{dst: d("9123"), zone: "TraversalZone", reg: d("a")}.input())
	if res.Action != Proceed {
		t.Errorf("script should decide: %s", res)
	}
	if err := p.DeleteScript(); err != nil {
		t.Fatal(err)
	}
	res, _ = p.Evaluate(context.Background(), call{dst: d("9123"), zone: "TraversalZone"}.input())
	if res.String() != d403 || p.HasScript() {
		t.Errorf("rules not back after delete: %s", res)
	}
	// Download the rules, delete them, upload the file: rules restored.
	file := []byte(p.ShowPolicy())
	if err := p.SetRules(nil); err != nil {
		t.Fatal(err)
	}
	if err := p.Upload(file); err != nil {
		t.Fatal(err)
	}
	if p.HasScript() || len(p.Rules()) != 2 {
		t.Errorf("re-upload did not restore rules: script %v rules %v", p.HasScript(), p.Rules())
	}
	if err := p.SetRules([]Rule{{Source: SourceZone}}); err == nil {
		t.Error("invalid rules accepted")
	}
	if len(p.Rules()) != 2 {
		t.Error("invalid rules replaced the table")
	}
}

// BX-9, CPL-47: replacement is atomic; evaluations running concurrently
// with uploads always see one whole program (run with -race).
func TestPolicyConcurrentReplacement(t *testing.T) {
	p, err := NewPolicy(PolicyConfig{Mode: LocalCPL, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	e8 := seedVariants(t, "E8")["verbatim"]
	e9 := seedVariants(t, "E9")["verbatim"]
	in := call{dst: d("9123"), zone: "TraversalZone"}.input()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := p.Evaluate(context.Background(), in)
				if err != nil || (res.Action != Reject && res.Action != Proceed) {
					t.Errorf("evaluation during replacement: %v %v", res, err)
					return
				}
			}
		}()
	}
	for i := 0; i < 200; i++ {
		src := e8
		if i%2 == 1 {
			src = e9
		}
		if err := p.Upload(src); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			_ = p.Upload([]byte("<broken"))
		}
	}
	close(stop)
	wg.Wait()
}

// CPL-34: a failing evaluation yields the OnError result; the default
// fails closed.
func TestPolicyOnError(t *testing.T) {
	p, err := NewPolicy(PolicyConfig{Mode: LocalCPL, Logger: quietLogger(),
		OnError: &OnError{Action: Proceed}, Options: []Option{WithLimits(Limits{MaxSteps: 3})}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Upload(seedVariants(t, "E4")["verbatim"]); err != nil {
		t.Fatal(err)
	}
	res, err := p.Evaluate(context.Background(), call{dst: d("ceo"), src: d("x", "y", "z"), auth: true}.input())
	if !errors.Is(err, ErrStepLimit) || res.Action != Proceed {
		t.Errorf("fail open: %v %v", res, err)
	}
	if _, err := NewPolicy(PolicyConfig{OnError: &OnError{Action: Proxy}}); err == nil {
		t.Error("OnError Proxy accepted")
	}
	if _, err := NewPolicy(PolicyConfig{Mode: PolicyService}); err == nil {
		t.Error("PolicyService without Service accepted")
	}
}

// CPL-47: the watcher loads a changed file, refuses a broken one with
// warning 45001 and keeps the running policy.
func TestPolicyWatch(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "policy.cpl")
	if err := os.WriteFile(path, seedVariants(t, "E6")["verbatim"], 0o600); err != nil {
		t.Fatal(err)
	}
	log := &eventLog{ch: make(chan Event, 16)}
	p, err := NewPolicy(PolicyConfig{Mode: LocalCPL, OnEvent: log.add, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Watch(ctx, path, time.Millisecond) }()
	wait := func(kind EventKind) Event {
		t.Helper()
		select {
		case e := <-log.ch:
			if e.Kind != kind {
				t.Fatalf("event %+v, want kind %d", e, kind)
			}
			return e
		case <-time.After(10 * time.Second):
			t.Fatalf("no event of kind %d", kind)
		}
		return Event{}
	}
	wait(EventPolicyChange)
	if !p.HasScript() {
		t.Fatal("watched script not loaded")
	}
	// Files are replaced atomically, as editors and deploy tools do; the
	// watcher's debounce is for slower writers.
	write := func(b []byte) {
		t.Helper()
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	write([]byte(doc(`<redirect/>`)))
	e := wait(EventLoadFailed)
	if e.Code != WarningLoadFailed {
		t.Errorf("code %d", e.Code)
	}
	res, _ := p.Evaluate(context.Background(), call{}.input())
	if res.Action != Reject {
		t.Errorf("running policy replaced by a broken file: %s", res)
	}
	write(seedVariants(t, "E8")["verbatim"])
	wait(EventPolicyChange)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Watch returned %v", err)
	}
}
