package cpl

import (
	"context"
	"errors"
	"testing"
	"time"
)

// inTime reports whether time-switch <time attrs> (in zone tz) is taken at
// instant now.
func inTime(t *testing.T, tz, attrs string, now time.Time) bool {
	t.Helper()
	src := `<time-switch tzid="` + tz + `"><time ` + attrs + `><reject status="486"/></time></time-switch>`
	p, err := Compile([]byte(src), RFC3880)
	if err != nil {
		t.Fatalf("%s: %v", attrs, err)
	}
	res, err := p.Evaluate(context.Background(), &Input{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("%s at %v: %v", attrs, now, err)
	}
	return res.Action == Reject
}

type occurrenceCase struct {
	name  string
	attrs string
	yes   []string // local date-times (YYYYMMDDTHHMM) inside an occurrence
	no    []string
}

// RFC 5545 §3.8.5.3 examples (America/New_York), each occurrence one
// minute long; "yes" times are occurrence starts, "no" times are near
// misses (BX-2).
var rfc5545Cases = []occurrenceCase{
	{"daily for 10 occurrences", `dtstart="19970902T090000" duration="PT1M" freq="daily" count="10"`,
		[]string{"19970902T0900", "19970911T0900"}, []string{"19970912T0900", "19970902T0901", "19970901T0900"}},
	{"daily until", `dtstart="19970902T090000" duration="PT1M" freq="daily" until="19971224T000000Z"`,
		[]string{"19971223T0900", "19971103T0900"}, []string{"19971224T0900"}},
	{"every other day forever", `dtstart="19970902T090000" duration="PT1M" freq="daily" interval="2"`,
		[]string{"19970904T0900", "20240102T0900"}, []string{"19970903T0900", "20240101T0900"}},
	{"every 10 days, 5 occurrences", `dtstart="19970902T090000" duration="PT1M" freq="daily" interval="10" count="5"`,
		[]string{"19971012T0900"}, []string{"19971022T0900", "19970903T0900"}},
	{"every day in January for 3 years", `dtstart="19980101T090000" duration="PT1M" freq="yearly" until="20000131T140000Z" bymonth="1" byday="SU,MO,TU,WE,TH,FR,SA"`,
		[]string{"19980115T0900", "20000131T0900"}, []string{"19980201T0900", "20010101T0900"}},
	{"weekly for 10 occurrences", `dtstart="19970902T090000" duration="PT1M" freq="weekly" count="10"`,
		[]string{"19971104T0900"}, []string{"19971111T0900", "19970903T0900"}},
	{"every other week MO,WE,FR until", `dtstart="19970901T090000" duration="PT1M" freq="weekly" interval="2" until="19971224T000000Z" wkst="SU" byday="MO,WE,FR"`,
		[]string{"19970901T0900", "19970905T0900", "19970915T0900", "19971222T0900"}, []string{"19970908T0900", "19971224T0900"}},
	{"wkst matters: MO", `dtstart="19970805T090000" duration="PT1M" freq="weekly" interval="2" count="4" byday="TU,SU" wkst="MO"`,
		[]string{"19970805T0900", "19970810T0900", "19970819T0900", "19970824T0900"}, []string{"19970817T0900", "19970831T0900"}},
	{"wkst matters: SU", `dtstart="19970805T090000" duration="PT1M" freq="weekly" interval="2" count="4" byday="TU,SU" wkst="SU"`,
		[]string{"19970805T0900", "19970817T0900", "19970819T0900", "19970831T0900"}, []string{"19970810T0900", "19970824T0900"}},
	{"monthly first Friday, 10 times", `dtstart="19970905T090000" duration="PT1M" freq="monthly" count="10" byday="1FR"`,
		[]string{"19970905T0900", "19971003T0900", "19980605T0900"}, []string{"19980703T0900", "19970912T0900"}},
	{"every other month first and last Sunday", `dtstart="19970907T090000" duration="PT1M" freq="monthly" interval="2" count="10" byday="1SU,-1SU"`,
		[]string{"19970928T0900", "19971102T0900", "19980531T0900"}, []string{"19971005T0900", "19980705T0900"}},
	{"second-to-last Monday, 6 months", `dtstart="19970922T090000" duration="PT1M" freq="monthly" count="6" byday="-2MO"`,
		[]string{"19971020T0900", "19980216T0900"}, []string{"19971027T0900", "19980316T0900"}},
	{"third-to-last day of the month", `dtstart="19970928T090000" duration="PT1M" freq="monthly" bymonthday="-3"`,
		[]string{"19971029T0900", "19980226T0900"}, []string{"19971030T0900"}},
	{"2nd and 15th, 10 times", `dtstart="19970902T090000" duration="PT1M" freq="monthly" count="10" bymonthday="2,15"`,
		[]string{"19970915T0900", "19980115T0900"}, []string{"19980202T0900"}},
	{"yearly in June and July, 10 times", `dtstart="19970610T090000" duration="PT1M" freq="yearly" count="10" bymonth="6,7"`,
		[]string{"19970710T0900", "20010710T0900"}, []string{"20020610T0900", "19970611T0900"}},
	{"every third year on days 1, 100, 200", `dtstart="19970101T090000" duration="PT1M" freq="yearly" interval="3" count="10" byyearday="1,100,200"`,
		[]string{"19970410T0900", "20000409T0900", "20030719T0900", "20060101T0900"}, []string{"19980101T0900", "20060410T0900"}},
	{"Monday of week 20", `dtstart="19970512T090000" duration="PT1M" freq="yearly" byweekno="20" byday="MO"`,
		[]string{"19970512T0900", "19980511T0900", "19990517T0900"}, []string{"19990510T0900"}},
	{"every Thursday in March", `dtstart="19970313T090000" duration="PT1M" freq="yearly" bymonth="3" byday="TH"`,
		[]string{"19970320T0900", "19990325T0900"}, []string{"19990401T0900"}},
	{"every Friday the 13th", `dtstart="19970902T090000" duration="PT1M" freq="monthly" byday="FR" bymonthday="13"`,
		[]string{"19980213T0900", "19981113T0900", "20001013T0900"}, []string{"19980314T0900", "19990813T0800"}},
	{"first Saturday after the first Sunday", `dtstart="19970913T090000" duration="PT1M" freq="monthly" byday="SA" bymonthday="7,8,9,10,11,12,13"`,
		[]string{"19971011T0900", "19971108T0900"}, []string{"19971004T0900"}},
	{"US presidential election day", `dtstart="19961105T090000" duration="PT1M" freq="yearly" interval="4" bymonth="11" byday="TU" bymonthday="2,3,4,5,6,7,8"`,
		[]string{"20001107T0900", "20041102T0900"}, []string{"19981103T0900"}},
	{"third TU/WE/TH for 3 months", `dtstart="19970904T090000" duration="PT1M" freq="monthly" count="3" byday="TU,WE,TH" bysetpos="3"`,
		[]string{"19970904T0900", "19971007T0900", "19971106T0900"}, []string{"19971204T0900", "19971002T0900"}},
	{"second-to-last weekday", `dtstart="19970929T090000" duration="PT1M" freq="monthly" byday="MO,TU,WE,TH,FR" bysetpos="-2"`,
		[]string{"19971030T0900", "19971127T0900", "19980226T0900"}, []string{"19971031T0900"}},
	{"every 20 minutes 9:00-16:40", `dtstart="19970902T090000" duration="PT1M" freq="daily" byhour="9,10,11,12,13,14,15,16" byminute="0,20,40"`,
		[]string{"19970902T0920", "19970903T1640"}, []string{"19970902T1700", "19970902T0910"}},
	{"every 15 minutes, 6 times", `dtstart="19970902T090000" duration="PT1M" freq="minutely" interval="15" count="6"`,
		[]string{"19970902T1015"}, []string{"19970902T1030"}},
	{"hourly every 90 minutes, 4 times", `dtstart="19970902T090000" duration="PT1M" freq="minutely" interval="90" count="4"`,
		[]string{"19970902T1030", "19970902T1330"}, []string{"19970902T1500"}},
	{"every 3 hours until 17:00Z", `dtstart="19970902T090000" duration="PT1M" freq="hourly" interval="3" until="19970902T170000Z"`,
		[]string{"19970902T0900", "19970902T1200"}, []string{"19970902T1500"}},
	{"last day of February, leap years", `dtstart="20000229T090000" duration="PT1M" freq="yearly" bymonth="2" bymonthday="-1"`,
		[]string{"20240229T0900", "20230228T0900"}, []string{"20230227T0900"}},
	{"Feb 29 only, skipping 2100", `dtstart="20000229T090000" duration="PT1M" freq="yearly"`,
		[]string{"20040229T0900", "20960229T0900"}, []string{"20050301T0900", "21000301T0900"}},
	{"one-off", `dtstart="20240101T120000" dtend="20240101T130000"`,
		[]string{"20240101T1230"}, []string{"20240101T1300", "20250101T1230"}},
	{"week-long recurrence, P1W", `dtstart="20240101T000000" duration="P1W" freq="monthly" bymonthday="1"`,
		[]string{"20240307T2359"}, []string{"20240308T0000"}},
}

func parseLocal(t *testing.T, s string, loc *time.Location) (time.Time, bool) {
	v, err := time.ParseInLocation("20060102T1504", s, loc)
	if err != nil {
		return time.Time{}, false
	}
	return v, true
}

func TestRecurrenceRFC5545(t *testing.T) {
	loc, _ := time.LoadLocation("America/New_York")
	for _, c := range rfc5545Cases {
		for _, y := range c.yes {
			v, ok := parseLocal(t, y, loc)
			if !ok {
				t.Fatalf("bad test time %q", y)
			}
			if !inTime(t, "America/New_York", c.attrs, v) {
				t.Errorf("%s: %s should be an occurrence", c.name, y)
			}
		}
		for _, n := range c.no {
			v, ok := parseLocal(t, n, loc)
			if !ok {
				continue
			}
			if inTime(t, "America/New_York", c.attrs, v) {
				t.Errorf("%s: %s should not be an occurrence", c.name, n)
			}
		}
	}
}

// Recurrences keep their wall-clock time across DST changes; an occurrence
// in the spring-forward gap moves forward by the gap.
func TestRecurrenceDST(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	daily9 := `dtstart="20240301T090000" duration="PT1H" freq="daily"`
	for _, d := range []int{9, 10, 11} { // DST starts 2024-03-10
		if !inTime(t, "America/New_York", daily9, time.Date(2024, 3, d, 9, 30, 0, 0, ny)) {
			t.Errorf("March %d 09:30 local", d)
		}
		if inTime(t, "America/New_York", daily9, time.Date(2024, 3, d, 10, 30, 0, 0, ny)) {
			t.Errorf("March %d 10:30 local", d)
		}
	}
	gap := `dtstart="20240301T023000" duration="PT1H" freq="daily"`
	if !inTime(t, "America/New_York", gap, time.Date(2024, 3, 10, 3, 40, 0, 0, ny)) {
		t.Error("02:30 in the gap should start at 03:30 EDT")
	}
	// A UTC rule ignores the zone.
	utc := `dtstart="20240301T090000Z" duration="PT1H" freq="daily"`
	if !inTime(t, "America/New_York", utc, time.Date(2024, 3, 11, 9, 30, 0, 0, time.UTC)) {
		t.Error("UTC rule")
	}
	// Nominal days: P1D from 12:00 the day before DST ends lasts 25 hours.
	long := `dtstart="20241102T120000" duration="P1D"`
	if !inTime(t, "America/New_York", long, time.Date(2024, 11, 3, 11, 30, 0, 0, ny)) {
		t.Error("P1D across DST end")
	}
}

// Counted recurrences are bounded by the evaluation step limit (BX-2,
// BX-12), never by luck.
func TestRecurrenceBounded(t *testing.T) {
	src := `<time-switch><time dtstart="20000101T000000" duration="PT1S" freq="secondly" count="1000000000"><proxy/></time></time-switch>`
	p := MustCompile(src, RFC3880, WithLimits(Limits{MaxSteps: 10000}))
	start := time.Now()
	res, err := p.Evaluate(context.Background(), &Input{Now: func() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }})
	if !errors.Is(err, ErrStepLimit) || res.Action != Reject {
		t.Errorf("%v %v", res, err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %v", el)
	}
	// A rule that never occurs (February 30th) without count is cheap.
	never := `dtstart="20000101T000000" duration="PT1H" freq="yearly" bymonth="2" bymonthday="30"`
	if inTime(t, "UTC", never, time.Date(2024, 2, 29, 0, 30, 0, 0, time.UTC)) {
		t.Error("February 30th happened")
	}
}
