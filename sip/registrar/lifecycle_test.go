package registrar

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var alice = sip.URI{Scheme: "sip", User: "alice", Host: "example.com"}

// register sends one REGISTER and returns the status code.
func register(t *testing.T, r *Registrar, m *sip.Message) int {
	t.Helper()
	resp, err := r.Register(context.Background(), m, src)
	require.NoError(t, err)
	return resp.StatusCode()
}

func lookup(t *testing.T, r *Registrar, u sip.URI) []Binding {
	t.Helper()
	bs, err := r.Lookup(context.Background(), u)
	require.NoError(t, err)
	return bs
}

func reasons(h []Ended) []string {
	var out []string
	for _, e := range h {
		out = append(out, e.Reason)
	}
	return out
}

// SIP-58: a refresh re-runs the SIP-51 checks in full: a policy changed at
// run time refuses the next refresh, the binding lives on until its
// current expiry, and the change does not touch existing bindings.
func TestRefreshRecheckedAfterPolicyChange(t *testing.T) {
	var events []Event
	r, clk := newReg(t, Config{OnEvent: func(e Event) { events = append(events, e) }})
	require.Equal(t, 200, register(t, r, reg(t, "alice@example.com", "c", 1, "60", "", "<sip:alice@192.0.2.1>")))
	require.Equal(t, 200, register(t, r, reg(t, "bob@example.com", "b", 1, "60", "", "<sip:bob@192.0.2.2>")))

	clk.Set(10 * time.Second)
	require.NoError(t, r.SetRestrictionPolicy(RestrictionPolicy{Restriction: DenyList,
		DenyList: []ListEntry{{Pattern: "ALICE@example.com"}}}))
	assert.Len(t, lookup(t, r, alice), 1, "existing bindings are not re-checked when the policy changes")
	assert.Equal(t, DenyList, r.RestrictionPolicy().Restriction)

	clk.Set(30 * time.Second)
	events = nil
	assert.Equal(t, 403, register(t, r, reg(t, "alice@example.com", "c", 2, "60", "", "<sip:alice@192.0.2.1>")))
	require.Len(t, events, 1)
	assert.Equal(t, "Registration Refresh Rejected", events[0].Name)
	// bob's refresh still passes: the new list does not match him.
	assert.Equal(t, 200, register(t, r, reg(t, "bob@example.com", "b", 2, "60", "", "<sip:bob@192.0.2.2>")))

	clk.Set(59 * time.Second)
	bs := lookup(t, r, alice)
	require.Len(t, bs, 1, "the refused refresh left the binding alone")
	assert.Equal(t, t0.Add(60*time.Second), bs[0].Expires)
	assert.Equal(t, uint32(1), bs[0].CSeq)
	clk.Set(60 * time.Second)
	assert.Empty(t, lookup(t, r, alice))
	assert.Equal(t, 1, r.Sweep())
	h := r.History()
	require.Len(t, h, 1)
	assert.Equal(t, ReasonExpired, h[0].Reason)
	assert.Equal(t, t0.Add(60*time.Second), h[0].End)
	assert.Equal(t, 60*time.Second, h[0].Duration)
	assert.Equal(t, "alice@example.com", h[0].Binding.AOR)

	// An invalid policy is refused whole, the one in force stays.
	err := r.SetRestrictionPolicy(RestrictionPolicy{Restriction: AllowList, AllowList: []ListEntry{{Pattern: ""}}})
	assert.Error(t, err)
	assert.Equal(t, DenyList, r.RestrictionPolicy().Restriction)
	assert.Error(t, r.SetRestrictionPolicy(RestrictionPolicy{Restriction: PolicyService}), "no Policy function")
}

// SIP-58, RFC 3261 §10.3: the same Call-ID with a CSeq not higher is a 500
// and changes nothing, for a contact and for the wildcard.
func TestCSeqNotHigher(t *testing.T) {
	r, clk := newReg(t, Config{})
	require.Equal(t, 200, register(t, r, reg(t, "alice@example.com", "c", 5, "60", "", "<sip:alice@192.0.2.1>")))
	require.Equal(t, 200, register(t, r, reg(t, "alice@example.com", "d", 1, "60", "", "<sip:alice@192.0.2.2>")))
	clk.Set(20 * time.Second)
	before := lookup(t, r, alice)
	for _, cseq := range []int{5, 4} {
		assert.Equal(t, 500, register(t, r, reg(t, "alice@example.com", "c", cseq, "60", "", "<sip:alice@192.0.2.1>")), "CSeq %d", cseq)
		assert.Equal(t, 500, register(t, r, reg(t, "alice@example.com", "c", cseq, "0", "", "<sip:alice@192.0.2.1>")), "removal with CSeq %d", cseq)
		assert.Equal(t, 500, register(t, r, reg(t, "alice@example.com", "c", cseq, "0", "", "*")), "wildcard with CSeq %d", cseq)
		// Several contacts: one stale one fails the whole request.
		assert.Equal(t, 500, register(t, r, reg(t, "alice@example.com", "c", cseq, "60", "", "<sip:alice@192.0.2.9>", "<sip:alice@192.0.2.1>")))
	}
	assert.Equal(t, before, lookup(t, r, alice))
	assert.Empty(t, r.History())
	// The next CSeq goes through.
	assert.Equal(t, 200, register(t, r, reg(t, "alice@example.com", "c", 6, "60", "", "<sip:alice@192.0.2.1>")))
	assert.Equal(t, t0.Add(80*time.Second), lookup(t, r, alice)[0].Expires)
}

// SIP-58: Contact: * with Expires: 0 removes every binding of the AOR,
// each recorded as unregistered.
func TestWildcardRemovesAll(t *testing.T) {
	var events []Event
	r, clk := newReg(t, Config{OnEvent: func(e Event) { events = append(events, e) }})
	for i := range 3 {
		require.Equal(t, 200, register(t, r, reg(t, "alice@example.com", fmt.Sprint("dev", i), 1, "60", "", fmt.Sprintf("<sip:alice@192.0.2.%d>", i+1))))
	}
	require.Equal(t, 200, register(t, r, reg(t, "bob@example.com", "b", 1, "60", "", "<sip:bob@192.0.2.9>")))
	clk.Set(10 * time.Second)
	events = nil
	resp, err := r.Register(context.Background(), reg(t, "alice@example.com", "w", 1, "0", "", "*"), src)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode())
	assert.Zero(t, resp.Count("Contact"))
	assert.Empty(t, lookup(t, r, alice))
	assert.Len(t, lookup(t, r, sip.URI{Scheme: "sip", User: "bob", Host: "example.com"}), 1)
	h := r.History()
	require.Len(t, h, 3)
	for _, e := range h {
		assert.Equal(t, ReasonUnregistered, e.Reason)
		assert.Equal(t, 10*time.Second, e.Duration)
	}
	require.Len(t, events, 3)
	for _, e := range events {
		assert.Equal(t, "Unregistration Accepted", e.Name)
	}
	// On an AOR with no bindings the wildcard is a harmless 200.
	assert.Equal(t, 200, register(t, r, reg(t, "alice@example.com", "w", 2, "0", "", "*")))
	// The wildcard needs Expires: 0 and no other Contact.
	assert.Equal(t, 400, register(t, r, reg(t, "bob@example.com", "w", 1, "0", "", "*", "<sip:bob@192.0.2.9>")))
	assert.Equal(t, 400, register(t, r, reg(t, "bob@example.com", "w", 1, "", "", "*")))
}

// SIP-58: a binding replaced under a new Call-ID — same instance and
// reg-id, or the same contact URI — is removed as "Registration
// superseded"; the same device is registered, so its calls are kept even
// with Call Remove on.
func TestSuperseded(t *testing.T) {
	var ended []Ended
	r, clk := newReg(t, Config{CallRemove: true, OnEnd: func(e Ended) { ended = append(ended, e) }})
	inst := `;+sip.instance="<urn:uuid:1>";reg-id=1`
	ob := "Supported: outbound\r\n"
	require.Equal(t, 200, register(t, r, reg(t, "alice@example.com", "boot1", 1, "3600", ob, "<sip:alice@192.0.2.1;transport=tcp>"+inst)))
	require.Equal(t, 200, register(t, r, reg(t, "alice@example.com", "x1", 1, "60", "", "<sip:alice@Host.Example.com>")))
	clk.Set(30 * time.Second)
	// The device rebooted: a new Call-ID, a new port, the same instance.
	require.Equal(t, 200, register(t, r, reg(t, "alice@example.com", "boot2", 1, "3600", ob, "<sip:alice@192.0.2.1:5070;transport=tcp>"+inst)))
	// The same contact URI (host case differs) under a new Call-ID.
	require.Equal(t, 200, register(t, r, reg(t, "alice@example.com", "x2", 1, "60", "", "<sip:alice@host.example.com>")))
	bs := lookup(t, r, alice)
	require.Len(t, bs, 2)
	callIDs := []string{bs[0].CallID, bs[1].CallID}
	assert.ElementsMatch(t, []string{"boot2", "x2"}, callIDs)
	for _, b := range bs {
		assert.Equal(t, t0.Add(30*time.Second), b.Created, "a superseding binding is a new registration")
	}
	require.Len(t, ended, 2)
	for _, e := range ended {
		assert.Equal(t, ReasonSuperseded, e.Reason)
		assert.False(t, e.ReleaseCalls)
		assert.Equal(t, 30*time.Second, e.Duration)
	}
	assert.Equal(t, []string{ReasonSuperseded, ReasonSuperseded}, reasons(r.History()))
	// Another reg-id of the same instance is a second flow, not a
	// replacement (RFC 5626).
	require.Equal(t, 200, register(t, r, reg(t, "alice@example.com", "boot2b", 1, "3600", ob, `<sip:alice@192.0.2.1:5071;transport=tcp>;+sip.instance="<urn:uuid:1>";reg-id=2`)))
	assert.Len(t, lookup(t, r, alice), 3)
	assert.Len(t, ended, 2)
}

// SIP-58: every ending goes to OnEnd with its reason; with Call Remove on
// (and only then) the caller is told to release the binding's calls.
func TestOnEndCallRemove(t *testing.T) {
	for _, callRemove := range []bool{false, true} {
		t.Run(fmt.Sprint("CallRemove=", callRemove), func(t *testing.T) {
			var ended []Ended
			r, clk := newReg(t, Config{CallRemove: callRemove, OnEnd: func(e Ended) { ended = append(ended, e) }})
			ctx := context.Background()
			for i := range 4 {
				require.Equal(t, 200, register(t, r, reg(t, "alice@example.com", fmt.Sprint("d", i), 1, "60", "", fmt.Sprintf("<sip:alice@192.0.2.%d>", i+1))))
			}
			require.Equal(t, 200, register(t, r, reg(t, "alice@example.com", "d0", 2, "0", "", "<sip:alice@192.0.2.1>")))
			ok, err := r.RemoveBinding(ctx, "alice@example.com", "c:sip:alice@192.0.2.2")
			require.NoError(t, err)
			require.True(t, ok)
			clk.Set(60 * time.Second)
			require.Equal(t, 2, r.Sweep())
			require.Len(t, ended, 4)
			assert.Equal(t, []string{ReasonUnregistered, ReasonOperator, ReasonExpired, ReasonExpired}, reasons(ended))
			for _, e := range ended {
				assert.Equal(t, callRemove, e.ReleaseCalls, e.Reason)
				assert.Equal(t, "alice@example.com", e.Binding.AOR)
			}
			assert.Equal(t, ended, r.History())
		})
	}
}

// SIP-58: the history is bounded (oldest dropped first); 0 takes the
// default 10000; sizes outside 0..MaxHistorySize are refused.
func TestHistoryBounded(t *testing.T) {
	r, _ := newReg(t, Config{HistorySize: 3})
	ctx := context.Background()
	for i := range 5 {
		aor := fmt.Sprintf("u%d@example.com", i)
		require.Equal(t, 200, register(t, r, reg(t, aor, "c", 1, "60", "", "<sip:u@192.0.2.1>")))
		n, err := r.Remove(ctx, aor)
		require.NoError(t, err)
		require.Equal(t, 1, n)
	}
	h := r.History()
	require.Len(t, h, 3)
	for i, e := range h {
		assert.Equal(t, fmt.Sprintf("u%d@example.com", i+2), e.Binding.AOR, "oldest first")
		assert.Equal(t, ReasonOperatorAll, e.Reason)
	}
	h[0].Reason = "changed"
	assert.Equal(t, ReasonOperatorAll, r.History()[0].Reason, "History returns a copy")

	d, _ := newReg(t, Config{})
	assert.Equal(t, DefaultHistorySize, d.hist.max)
	assert.Error(t, Config{HistorySize: -1}.Validate())
	assert.Error(t, Config{HistorySize: MaxHistorySize + 1}.Validate())
	assert.NoError(t, Config{HistorySize: MaxHistorySize}.Validate())
}

// SIP-58, SIP-60: operator removal of one binding, of all the bindings of
// an AOR, and of a device.
func TestOperatorRemoval(t *testing.T) {
	var events []Event
	r, _ := newReg(t, Config{OnEvent: func(e Event) { events = append(events, e) }})
	ctx := context.Background()
	require.Equal(t, 200, register(t, r, reg(t, "alice@example.com", "a1", 1, "60", "", "<sip:alice@192.0.2.1>")))
	require.Equal(t, 200, register(t, r, reg(t, "alice@example.com", "a2", 1, "60", "", "<sip:alice@192.0.2.2>")))
	require.Equal(t, 200, register(t, r, reg(t, "bob@example.com", "b1", 1, "60", "", "<sip:bob@192.0.2.3>")))
	bs := lookup(t, r, alice)
	require.Len(t, bs, 2)

	events = nil
	ok, err := r.RemoveBinding(ctx, "Alice@Example.com", bs[0].Key())
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = r.RemoveBinding(ctx, "alice@example.com", bs[0].Key())
	require.NoError(t, err)
	assert.False(t, ok, "already gone")
	require.Len(t, events, 1)
	assert.Equal(t, "Registration Removed", events[0].Name)
	assert.Equal(t, ReasonOperator, events[0].Reason)
	assert.Equal(t, bs[0].Contact, events[0].Contact)
	assert.Len(t, lookup(t, r, alice), 1)

	n, err := r.Remove(ctx, "alice@example.com")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Empty(t, lookup(t, r, alice))
	assert.Equal(t, ReasonOperatorAll, events[len(events)-1].Reason)

	n, err = r.RemoveDevice(ctx, "sip:bob@192.0.2.3")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, []string{ReasonOperator, ReasonOperatorAll, ReasonOperator}, reasons(r.History()))
	all, _ := r.Bindings(ctx)
	assert.Empty(t, all)
}

// SIP-58 "Unregister and block": only under DenyList; it removes the
// AOR's bindings and adds one Exact deny entry per alias, once.
func TestUnregisterAndBlock(t *testing.T) {
	ctx := context.Background()
	r, _ := newReg(t, Config{})
	require.Equal(t, 200, register(t, r, reg(t, "alice@example.com", "a", 1, "60", "", "<sip:alice@192.0.2.1>")))
	_, err := r.UnregisterAndBlock(ctx, "alice@example.com")
	require.ErrorIs(t, err, ErrNotDenyList)
	assert.Len(t, lookup(t, r, alice), 1, "nothing removed without a DenyList policy")

	r, _ = newReg(t, Config{Restriction: DenyList, DenyList: []ListEntry{{Pattern: "mallory.*", Type: "regex"}}})
	require.Equal(t, 200, register(t, r, reg(t, "alice@example.com", "a", 1, "60", "", "<sip:alice@192.0.2.1>")))
	require.Equal(t, 200, register(t, r, reg(t, "alice@example.com", "b", 1, "60", "", "<sip:alice@192.0.2.2>")))
	require.Equal(t, 200, register(t, r, reg(t, "carol@example.com", "c", 1, "60", "", "<sip:carol@192.0.2.3>")))
	n, err := r.UnregisterAndBlock(ctx, "Alice@example.com", "carol@example.com")
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	assert.Empty(t, lookup(t, r, alice))
	assert.Equal(t, []ListEntry{{Pattern: "mallory.*", Type: "regex"},
		{Description: "Blocked by operator", Pattern: "alice@example.com"},
		{Description: "Blocked by operator", Pattern: "carol@example.com"}}, r.RestrictionPolicy().DenyList)
	assert.Equal(t, []string{ReasonOperator, ReasonOperator, ReasonOperator}, reasons(r.History()))
	assert.Equal(t, 403, register(t, r, reg(t, "alice@example.com", "a", 2, "60", "", "<sip:alice@192.0.2.1>")))
	assert.Equal(t, 200, register(t, r, reg(t, "dave@example.com", "d", 1, "60", "", "<sip:dave@192.0.2.4>")))

	// Blocking again adds no duplicate entry.
	_, err = r.UnregisterAndBlock(ctx, "alice@example.com")
	require.NoError(t, err)
	assert.Len(t, r.RestrictionPolicy().DenyList, 3)

	// An alias too long for a list entry, and a full list, are refused.
	_, err = r.UnregisterAndBlock(ctx, fmt.Sprintf("%061d@example.com", 0))
	assert.Error(t, err)
	full := make([]ListEntry, MaxListEntries)
	for i := range full {
		full[i] = ListEntry{Pattern: fmt.Sprintf("u%d@example.com", i)}
	}
	require.NoError(t, r.SetRestrictionPolicy(RestrictionPolicy{Restriction: DenyList, DenyList: full}))
	_, err = r.UnregisterAndBlock(ctx, "dave@example.com")
	require.ErrorIs(t, err, ErrListFull)
	assert.Len(t, lookup(t, r, sip.URI{Scheme: "sip", User: "dave", Host: "example.com"}), 1, "a refused block removes nothing")
}

// SIP-58: "Unregister and block" against REGISTERs racing for the same
// AOR: once it returns, the AOR has no binding and gets none.
func TestUnregisterAndBlockConcurrent(t *testing.T) {
	r, _ := newReg(t, Config{Restriction: DenyList})
	ctx := context.Background()
	stop := make(chan struct{})
	first := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 1; i <= 100000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := r.Register(ctx, reg(t, "alice@example.com", fmt.Sprint("g", g), i, "60", "", fmt.Sprintf("<sip:alice@192.0.2.%d>", g+1)), src)
				if err == nil && resp.StatusCode() == 200 {
					once.Do(func() { close(first) })
				}
			}
		}()
	}
	<-first
	_, err := r.UnregisterAndBlock(ctx, "alice@example.com")
	require.NoError(t, err)
	assert.Empty(t, lookup(t, r, alice), "no binding survives the block")
	// REGISTERs still running now must all be refused.
	for range 50 {
		assert.Empty(t, lookup(t, r, alice))
	}
	close(stop)
	wg.Wait()
	assert.Empty(t, lookup(t, r, alice))
}

// SIP-57 bounded: one AOR holds at most MaxBindingsPerAOR bindings, so
// its 2xx (every binding listed) stays sendable; refreshes at the bound
// still pass. A REGISTER without a Call-ID, or whose CSeq method is not
// REGISTER, is a 400.
func TestBindingsPerAORBounded(t *testing.T) {
	r, _ := newReg(t, Config{MaxBindingsPerAOR: 3})
	for i := range 3 {
		require.Equal(t, 200, register(t, r, reg(t, "alice@example.com", fmt.Sprint("d", i), 1, "60", "", fmt.Sprintf("<sip:alice@192.0.2.%d>", i+1))))
	}
	resp, err := r.Register(context.Background(), reg(t, "alice@example.com", "d9", 1, "60", "", "<sip:alice@192.0.2.9>"), src)
	require.NoError(t, err)
	assert.Equal(t, 403, resp.StatusCode())
	assert.Equal(t, "Too many bindings for this AOR", resp.Reason())
	assert.Equal(t, 200, register(t, r, reg(t, "alice@example.com", "d0", 2, "60", "", "<sip:alice@192.0.2.1>")))
	// Replacing one binding by another in one request keeps the count.
	assert.Equal(t, 200, register(t, r, reg(t, "alice@example.com", "d1", 2, "60", "", "<sip:alice@192.0.2.2>;expires=0", "<sip:alice@192.0.2.8>")))
	assert.Len(t, lookup(t, r, alice), 3)
	d, _ := newReg(t, Config{})
	assert.Equal(t, DefaultMaxBindingsPerAOR, d.cfg.MaxBindingsPerAOR)
	assert.Error(t, Config{MaxBindingsPerAOR: -1}.Validate())

	for _, text := range []string{
		"REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:alice@example.com>;tag=1\r\nTo: <sip:alice@example.com>\r\nCSeq: 1 REGISTER\r\nContact: <sip:alice@h>\r\nContent-Length: 0\r\n\r\n",
		"REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:alice@example.com>;tag=1\r\nTo: <sip:alice@example.com>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@h>\r\nContent-Length: 0\r\n\r\n",
	} {
		m, err := sip.ParseMessage([]byte(text))
		require.NoError(t, err)
		assert.Equal(t, 400, register(t, r, m))
	}
}
