package cpl

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// time-switch (RFC 3880 §4.4) with the iCalendar recurrence rules of RFC
// 5545 §3.3.10: dtstart, dtend or duration, freq, interval, until, count,
// bysecond, byminute, byhour, byday, bymonthday, byyearday, byweekno,
// bymonth, wkst and bysetpos.
//
// Occurrences are expanded lazily, one recurrence period at a time, in the
// civil (wall-clock) time of the rule's zone and converted to instants with
// time.Date, so DST changes move instants, not wall-clock times. A rule
// without count is searched backwards from the period holding "now" and
// stops as soon as a period ends before now minus the occurrence length, so
// only a handful of periods are ever expanded. A rule with count has to be
// counted from dtstart; every period expanded costs an evaluation step, so
// the step limit bounds it (BX-2, BX-12).

type freq uint8

const (
	freqNone freq = iota
	freqSecondly
	freqMinutely
	freqHourly
	freqDaily
	freqWeekly
	freqMonthly
	freqYearly
)

var freqNames = map[string]freq{
	"secondly": freqSecondly, "minutely": freqMinutely, "hourly": freqHourly, "daily": freqDaily,
	"weekly": freqWeekly, "monthly": freqMonthly, "yearly": freqYearly,
}

type weekdayNum struct {
	wd time.Weekday
	n  int // 0: every such weekday; ±1..53: the nth from the start or end
}

type recurrence struct {
	loc      *time.Location
	start    time.Time // civil, in UTC representation
	days     int       // nominal days of the occurrence length
	exact    time.Duration
	freq     freq
	interval int
	count    int
	until    time.Time // civil (untilUTC false) or instant (untilUTC true)
	hasUntil bool
	untilUTC bool
	untilDay bool // until is a DATE: inclusive of that whole day

	bySecond, byMinute, byHour []int
	byDay                      []weekdayNum
	byMonthDay, byYearDay      []int
	byWeekNo, byMonth          []int
	bySetPos                   []int
	wkst                       time.Weekday
}

var weekdayNames = map[string]time.Weekday{
	"SU": time.Sunday, "MO": time.Monday, "TU": time.Tuesday, "WE": time.Wednesday,
	"TH": time.Thursday, "FR": time.Friday, "SA": time.Saturday,
}

// parseICalTime reads an iCalendar DATE-TIME (YYYYMMDDTHHMMSS[Z]) or DATE
// (YYYYMMDD). The result is civil time in a UTC representation.
func parseICalTime(s string) (t time.Time, utc, dateOnly bool, ok bool) {
	if strings.HasSuffix(s, "Z") {
		utc = true
		s = s[:len(s)-1]
	}
	switch len(s) {
	case 8:
		dateOnly = true
		if utc {
			return t, false, false, false
		}
	case 15:
		if s[8] != 'T' {
			return t, false, false, false
		}
	default:
		return t, false, false, false
	}
	num := func(a, b int) (int, bool) {
		if !allDigits(s[a:b]) {
			return 0, false
		}
		n, err := strconv.Atoi(s[a:b])
		return n, err == nil
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(4, 6)
	d, ok3 := num(6, 8)
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > daysIn(time.Month(mo), y) {
		return t, false, false, false
	}
	h, mi, sec := 0, 0, 0
	if !dateOnly {
		var okh, okm, oks bool
		h, okh = num(9, 11)
		mi, okm = num(11, 13)
		sec, oks = num(13, 15)
		if !okh || !okm || !oks || h > 23 || mi > 59 || sec > 60 {
			return t, false, false, false
		}
		if sec == 60 {
			sec = 59
		}
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC), utc, dateOnly, true
}

// parseICalDuration reads an RFC 5545 duration: P[nW] or P[nD][T[nH][nM][nS]].
func parseICalDuration(s string) (days int, exact time.Duration, ok bool) {
	s = strings.TrimPrefix(s, "+")
	if !strings.HasPrefix(s, "P") || len(s) < 3 {
		return 0, 0, false
	}
	s = s[1:]
	inTime, any := false, false
	for len(s) > 0 {
		if s[0] == 'T' {
			if inTime || len(s) == 1 {
				return 0, 0, false
			}
			inTime = true
			s = s[1:]
			continue
		}
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) || i > 9 {
			return 0, 0, false
		}
		n, _ := strconv.Atoi(s[:i])
		unit := s[i]
		s = s[i+1:]
		any = true
		switch {
		case !inTime && unit == 'W':
			days += 7 * n
		case !inTime && unit == 'D':
			days += n
		case inTime && unit == 'H':
			exact += time.Duration(n) * time.Hour
		case inTime && unit == 'M':
			exact += time.Duration(n) * time.Minute
		case inTime && unit == 'S':
			exact += time.Duration(n) * time.Second
		default:
			return 0, 0, false
		}
	}
	return days, exact, any && (days > 0 || exact > 0)
}

func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func daysInYear(y int) int {
	return time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC).YearDay()
}

var timeAttrs = []string{"dtstart", "dtend", "duration", "freq", "interval", "until", "count", "bysecond",
	"byminute", "byhour", "byday", "bymonthday", "byyearday", "byweekno", "bymonth", "wkst", "bysetpos"}

// recurrence compiles a time element.
func (c *compiler) recurrence(k *xnode, loc *time.Location) *recurrence {
	a := c.attrs(k, timeAttrs...)
	r := &recurrence{loc: loc, interval: 1, wkst: time.Monday}
	bad := func(at *xattr, code Code, format string, args ...any) {
		c.sink.attr(k, at, code, format, args...)
	}
	ds := a.get("dtstart")
	if ds == nil {
		c.sink.node(k, CodeMissingAttribute, "time needs a dtstart attribute")
		return nil
	}
	st, utc, _, ok := parseICalTime(ds.value)
	if !ok {
		bad(ds, CodeValue, "dtstart %q is not an iCalendar date-time", ds.value)
		return nil
	}
	if utc {
		r.loc = time.UTC
	}
	r.start = st
	de, du := a.get("dtend"), a.get("duration")
	switch {
	case de != nil && du != nil:
		bad(du, CodeConflict, "time takes dtend or duration, not both")
	case de != nil:
		et, eutc, _, ok := parseICalTime(de.value)
		if !ok {
			bad(de, CodeValue, "dtend %q is not an iCalendar date-time", de.value)
			break
		}
		startAbs := r.instant(st)
		var endAbs time.Time
		if eutc {
			endAbs = et
		} else {
			endAbs = time.Date(et.Year(), et.Month(), et.Day(), et.Hour(), et.Minute(), et.Second(), 0, r.loc)
		}
		if !endAbs.After(startAbs) {
			bad(de, CodeRange, "dtend %q is not after dtstart", de.value)
			break
		}
		r.exact = endAbs.Sub(startAbs)
	case du != nil:
		d, e, ok := parseICalDuration(du.value)
		if !ok {
			bad(du, CodeValue, "duration %q is not an iCalendar duration", du.value)
			break
		}
		r.days, r.exact = d, e
	default:
		c.sink.node(k, CodeMissingAttribute, "time needs dtend or duration")
	}
	if f := a.get("freq"); f != nil {
		fv, ok := freqNames[strings.ToLower(f.value)]
		if !ok {
			bad(f, CodeValue, "freq %q is not secondly, minutely, hourly, daily, weekly, monthly or yearly", f.value)
		}
		r.freq = fv
	}
	recurring := []string{"interval", "until", "count", "bysecond", "byminute", "byhour", "byday", "bymonthday",
		"byyearday", "byweekno", "bymonth", "wkst", "bysetpos"}
	if r.freq == freqNone {
		for _, n := range recurring {
			if v := a.get(n); v != nil {
				bad(v, CodeConflict, "%s needs freq", n)
			}
		}
		return r
	}
	intAttr := func(name string, lo, hi int) (int, bool) {
		v := a.get(name)
		if v == nil {
			return 0, false
		}
		n, err := strconv.Atoi(v.value)
		if err != nil || !allDigits(v.value) {
			bad(v, CodeValue, "%s %q is not a whole number", name, v.value)
			return 0, false
		}
		if n < lo || n > hi {
			bad(v, CodeRange, "%s %d is outside %d..%d", name, n, lo, hi)
			return 0, false
		}
		return n, true
	}
	if n, ok := intAttr("interval", 1, 1<<20); ok {
		r.interval = n
	}
	if n, ok := intAttr("count", 1, 1<<30); ok {
		r.count = n
	}
	if u := a.get("until"); u != nil {
		if r.count > 0 {
			bad(u, CodeConflict, "time takes until or count, not both")
		}
		ut, uutc, uday, ok := parseICalTime(u.value)
		if !ok {
			bad(u, CodeValue, "until %q is not an iCalendar date or date-time", u.value)
		} else {
			r.until, r.hasUntil, r.untilUTC, r.untilDay = ut, true, uutc, uday
		}
	}
	list := func(name string, lo, hi int, signed bool) []int {
		v := a.get(name)
		if v == nil {
			return nil
		}
		var out []int
		for _, p := range strings.Split(v.value, ",") {
			p = strings.TrimSpace(p)
			n, err := strconv.Atoi(p)
			digits := strings.TrimLeft(p, "+-")
			if err != nil || !allDigits(digits) || (!signed && len(digits) != len(p)) {
				bad(v, CodeValue, "%s item %q is not a number", name, p)
				return nil
			}
			abs := n
			if abs < 0 {
				abs = -abs
			}
			if abs < lo || abs > hi || (signed && n == 0) {
				bad(v, CodeRange, "%s item %d is out of range", name, n)
				return nil
			}
			out = append(out, n)
		}
		return out
	}
	r.bySecond = list("bysecond", 0, 60, false)
	r.byMinute = list("byminute", 0, 59, false)
	r.byHour = list("byhour", 0, 23, false)
	r.byMonthDay = list("bymonthday", 1, 31, true)
	r.byYearDay = list("byyearday", 1, 366, true)
	r.byWeekNo = list("byweekno", 1, 53, true)
	r.byMonth = list("bymonth", 1, 12, false)
	r.bySetPos = list("bysetpos", 1, 366, true)
	if w := a.get("wkst"); w != nil {
		wd, ok := weekdayNames[strings.ToUpper(w.value)]
		if !ok {
			bad(w, CodeValue, "wkst %q is not a weekday (MO..SU)", w.value)
		}
		r.wkst = wd
	}
	if bd := a.get("byday"); bd != nil {
		for _, p := range strings.Split(bd.value, ",") {
			p = strings.ToUpper(strings.TrimSpace(p))
			if len(p) < 2 {
				bad(bd, CodeValue, "byday item %q is not a weekday", p)
				break
			}
			wd, ok := weekdayNames[p[len(p)-2:]]
			num := p[:len(p)-2]
			n := 0
			if num != "" {
				var err error
				n, err = strconv.Atoi(num)
				d := strings.TrimLeft(num, "+-")
				if err != nil || !allDigits(d) || n == 0 || n > 53 || n < -53 {
					ok = false
				}
			}
			if !ok {
				bad(bd, CodeValue, "byday item %q is not [±n]MO..SU", p)
				break
			}
			if n != 0 && r.freq != freqMonthly && r.freq != freqYearly {
				bad(bd, CodeConflict, "byday %q: a numbered weekday needs freq monthly or yearly", p)
				break
			}
			if n != 0 && r.freq == freqYearly && len(r.byWeekNo) > 0 {
				bad(bd, CodeConflict, "byday %q: a numbered weekday cannot be combined with byweekno", p)
				break
			}
			r.byDay = append(r.byDay, weekdayNum{wd: wd, n: n})
		}
	}
	if len(r.byWeekNo) > 0 && r.freq != freqYearly {
		bad(a.get("byweekno"), CodeConflict, "byweekno needs freq yearly")
	}
	if len(r.byYearDay) > 0 && (r.freq == freqDaily || r.freq == freqWeekly || r.freq == freqMonthly) {
		bad(a.get("byyearday"), CodeConflict, "byyearday cannot be used with freq daily, weekly or monthly")
	}
	if len(r.byMonthDay) > 0 && r.freq == freqWeekly {
		bad(a.get("bymonthday"), CodeConflict, "bymonthday cannot be used with freq weekly")
	}
	// Defaults from dtstart (RFC 5545 §3.3.10).
	if len(r.byWeekNo) == 0 && len(r.byYearDay) == 0 && len(r.byMonthDay) == 0 && len(r.byDay) == 0 {
		switch r.freq {
		case freqYearly:
			if len(r.byMonth) == 0 {
				r.byMonth = []int{int(st.Month())}
			}
			r.byMonthDay = []int{st.Day()}
		case freqMonthly:
			r.byMonthDay = []int{st.Day()}
		case freqWeekly:
			r.byDay = []weekdayNum{{wd: st.Weekday()}}
		}
	}
	if r.freq >= freqDaily && len(r.byHour) == 0 {
		r.byHour = []int{st.Hour()}
	}
	if r.freq >= freqHourly && len(r.byMinute) == 0 {
		r.byMinute = []int{st.Minute()}
	}
	if r.freq >= freqMinutely && len(r.bySecond) == 0 {
		r.bySecond = []int{st.Second()}
	}
	for _, l := range [][]int{r.bySecond, r.byMinute, r.byHour} {
		slices.Sort(l)
	}
	return r
}

// instant turns a civil time of the rule into an instant. A time that does
// not exist (a spring-forward gap) is read with the UTC offset in force
// before the gap, as RFC 5545 §3.3.5 says: 02:30 becomes 03:30.
func (r *recurrence) instant(c time.Time) time.Time {
	t := time.Date(c.Year(), c.Month(), c.Day(), c.Hour(), c.Minute(), c.Second(), 0, r.loc)
	if t.Hour() == c.Hour() && t.Minute() == c.Minute() && t.Day() == c.Day() {
		return t
	}
	_, off := t.Add(-6 * time.Hour).Zone()
	return c.Add(-time.Duration(off) * time.Second).In(r.loc)
}

func (r *recurrence) end(start time.Time) time.Time {
	return start.AddDate(0, 0, r.days).Add(r.exact)
}

// civil returns the wall-clock time of instant t in the rule's zone, in the
// UTC representation used for civil arithmetic.
func (r *recurrence) civil(t time.Time) time.Time {
	l := t.In(r.loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

func (r *recurrence) afterUntil(c time.Time) bool {
	if !r.hasUntil {
		return false
	}
	switch {
	case r.untilUTC:
		return r.instant(c).After(r.until)
	case r.untilDay:
		return c.Truncate(24 * time.Hour).After(r.until)
	}
	return c.After(r.until)
}

// contains reports whether now falls inside an occurrence: start <= now <
// end. steps is charged one per period expanded.
func (r *recurrence) contains(now time.Time, steps func(int) error) (bool, error) {
	if r == nil {
		return false, nil
	}
	startAbs := r.instant(r.start)
	if now.Before(startAbs) {
		return false, nil
	}
	if r.freq == freqNone {
		return now.Before(r.end(startAbs)), nil
	}
	if r.count > 0 {
		return r.containsCounted(now, steps)
	}
	nowC := r.civil(now)
	k := r.periodIndex(nowC)
	k -= k % r.interval
	for ; k >= 0; k -= r.interval {
		if err := steps(1); err != nil {
			return false, err
		}
		ps, pe := r.period(k)
		cands := r.expand(ps, pe)
		for i := len(cands) - 1; i >= 0; i-- {
			c := cands[i]
			if c.Before(r.start) || r.afterUntil(c) {
				continue
			}
			s := r.instant(c)
			if s.After(now) {
				continue
			}
			return now.Before(r.end(s)), nil
		}
		// Nothing at or before now in this period: earlier periods can
		// only help if their occurrences could still be running.
		if !r.end(r.instant(ps)).After(now) {
			return false, nil
		}
	}
	return false, nil
}

func (r *recurrence) containsCounted(now time.Time, steps func(int) error) (bool, error) {
	n := 0
	var last time.Time
	found := false
	for k := 0; ; k += r.interval {
		if err := steps(1); err != nil {
			return false, err
		}
		ps, pe := r.period(k)
		if r.instant(ps).After(now) {
			break
		}
		if r.hasUntil && r.afterUntil(ps) {
			break
		}
		for _, c := range r.expand(ps, pe) {
			if c.Before(r.start) || r.afterUntil(c) {
				continue
			}
			s := r.instant(c)
			if s.After(now) {
				return found && now.Before(r.end(last)), nil
			}
			last, found = s, true
			n++
			if n >= r.count {
				return now.Before(r.end(last)), nil
			}
		}
	}
	return found && now.Before(r.end(last)), nil
}

// periodIndex returns the index of the period (counted from the one
// holding dtstart, interval ignored) that holds civil time c.
func (r *recurrence) periodIndex(c time.Time) int {
	s := r.start
	day := func(t time.Time) int { return int(t.Unix() / 86400) }
	switch r.freq {
	case freqYearly:
		return c.Year() - s.Year()
	case freqMonthly:
		return (c.Year()*12 + int(c.Month())) - (s.Year()*12 + int(s.Month()))
	case freqWeekly:
		return (day(c) - day(r.weekStart(s))) / 7
	case freqDaily:
		return day(c) - day(s)
	case freqHourly:
		return int(c.Truncate(time.Hour).Sub(s.Truncate(time.Hour)) / time.Hour)
	case freqMinutely:
		return int(c.Truncate(time.Minute).Sub(s.Truncate(time.Minute)) / time.Minute)
	}
	return int(c.Sub(s) / time.Second)
}

func (r *recurrence) weekStart(t time.Time) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	back := (int(d.Weekday()) - int(r.wkst) + 7) % 7
	return d.AddDate(0, 0, -back)
}

// period returns the civil start and end (exclusive) of period k.
func (r *recurrence) period(k int) (time.Time, time.Time) {
	s := r.start
	switch r.freq {
	case freqYearly:
		ps := time.Date(s.Year()+k, 1, 1, 0, 0, 0, 0, time.UTC)
		return ps, ps.AddDate(1, 0, 0)
	case freqMonthly:
		ps := time.Date(s.Year(), s.Month()+time.Month(k), 1, 0, 0, 0, 0, time.UTC)
		return ps, ps.AddDate(0, 1, 0)
	case freqWeekly:
		ps := r.weekStart(s).AddDate(0, 0, 7*k)
		return ps, ps.AddDate(0, 0, 7)
	case freqDaily:
		ps := time.Date(s.Year(), s.Month(), s.Day()+k, 0, 0, 0, 0, time.UTC)
		return ps, ps.AddDate(0, 0, 1)
	case freqHourly:
		ps := s.Truncate(time.Hour).Add(time.Duration(k) * time.Hour)
		return ps, ps.Add(time.Hour)
	case freqMinutely:
		ps := s.Truncate(time.Minute).Add(time.Duration(k) * time.Minute)
		return ps, ps.Add(time.Minute)
	}
	ps := s.Add(time.Duration(k) * time.Second)
	return ps, ps.Add(time.Second)
}

// expand returns the occurrences of the period [ps, pe), sorted.
func (r *recurrence) expand(ps, pe time.Time) []time.Time {
	var out []time.Time
	if r.freq >= freqDaily {
		for d := ps; d.Before(pe); d = d.AddDate(0, 0, 1) {
			if !r.dayMatches(d) {
				continue
			}
			for _, h := range r.byHour {
				for _, m := range r.byMinute {
					for _, s := range r.bySecond {
						out = append(out, time.Date(d.Year(), d.Month(), d.Day(), h, m, min(s, 59), 0, time.UTC))
					}
				}
			}
		}
	} else {
		if !r.dayMatches(ps) || !inList(r.byHour, ps.Hour()) {
			return nil
		}
		if r.freq == freqHourly {
			for _, m := range r.byMinute {
				for _, s := range r.bySecond {
					out = append(out, time.Date(ps.Year(), ps.Month(), ps.Day(), ps.Hour(), m, min(s, 59), 0, time.UTC))
				}
			}
		} else if inList(r.byMinute, ps.Minute()) {
			if r.freq == freqMinutely {
				for _, s := range r.bySecond {
					out = append(out, time.Date(ps.Year(), ps.Month(), ps.Day(), ps.Hour(), ps.Minute(), min(s, 59), 0, time.UTC))
				}
			} else if inList(r.bySecond, ps.Second()) {
				out = append(out, ps)
			}
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	out = slices.CompactFunc(out, func(a, b time.Time) bool { return a.Equal(b) })
	if len(r.bySetPos) > 0 && len(out) > 0 {
		var sel []time.Time
		for _, p := range r.bySetPos {
			i := p - 1
			if p < 0 {
				i = len(out) + p
			}
			if i >= 0 && i < len(out) {
				sel = append(sel, out[i])
			}
		}
		slices.SortFunc(sel, func(a, b time.Time) int { return a.Compare(b) })
		out = slices.CompactFunc(sel, func(a, b time.Time) bool { return a.Equal(b) })
	}
	return out
}

// inList is true for an empty list (no constraint) or when v is in it.
func inList(l []int, v int) bool {
	if len(l) == 0 {
		return true
	}
	return slices.Contains(l, v)
}

// dayMatches applies the day-level BYxxx parts to civil date d.
func (r *recurrence) dayMatches(d time.Time) bool {
	if !inList(r.byMonth, int(d.Month())) {
		return false
	}
	if len(r.byYearDay) > 0 {
		yd, n := d.YearDay(), daysInYear(d.Year())
		ok := false
		for _, v := range r.byYearDay {
			if v == yd || v < 0 && n+1+v == yd {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(r.byMonthDay) > 0 {
		md, n := d.Day(), daysIn(d.Month(), d.Year())
		ok := false
		for _, v := range r.byMonthDay {
			if v == md || v < 0 && n+1+v == md {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(r.byWeekNo) > 0 {
		wn, weeks := r.weekNo(d)
		ok := false
		for _, v := range r.byWeekNo {
			if v == wn || v < 0 && weeks+1+v == wn {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(r.byDay) > 0 {
		ok := false
		for _, bd := range r.byDay {
			if bd.wd != d.Weekday() {
				continue
			}
			if bd.n == 0 {
				ok = true
				break
			}
			// The nth weekday of the month (freq monthly, or yearly with
			// bymonth) or of the year.
			var idx, total int
			if r.freq == freqMonthly || len(r.byMonth) > 0 {
				idx, total = d.Day(), daysIn(d.Month(), d.Year())
			} else {
				idx, total = d.YearDay(), daysInYear(d.Year())
			}
			fromStart := (idx-1)/7 + 1
			fromEnd := -((total-idx)/7 + 1)
			if bd.n == fromStart || bd.n == fromEnd {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// weekNo returns the RFC 5545 week number of d (weeks start on wkst; week 1
// is the first with at least four days in the year) and the number of
// weeks of the year the number belongs to.
func (r *recurrence) weekNo(d time.Time) (int, int) {
	y := d.Year()
	w1 := r.week1Start(y)
	if d.Before(w1) {
		y--
		w1 = r.week1Start(y)
	} else if next := r.week1Start(y + 1); !d.Before(next) {
		y++
		w1 = next
	}
	weeks := int(r.week1Start(y+1).Sub(w1).Hours()/24) / 7
	return int(d.Sub(w1).Hours()/24)/7 + 1, weeks
}

func (r *recurrence) week1Start(y int) time.Time {
	jan1 := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	back := (int(jan1.Weekday()) - int(r.wkst) + 7) % 7
	start := jan1.AddDate(0, 0, -back)
	if back >= 4 { // fewer than four days of the year in that week
		start = start.AddDate(0, 0, 7)
	}
	return start
}
