package corpus_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/causeway-edge/causeway/h323/internal/corpus"
	"github.com/causeway-edge/causeway/h323/per"
)

// TestCorpusRoundTrip checks that every corpus message encodes, decodes and
// re-encodes to the same octets.
func TestCorpusRoundTrip(t *testing.T) {
	msgs, err := corpus.All()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) < 40 {
		t.Fatalf("corpus has %d messages, spec h323.md §4.8 asks for at least 40", len(msgs))
	}
	for _, m := range msgs {
		b, err := m.Payload()
		if err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		switch m.Transport {
		case corpus.RAS:
			var back = *m.RAS
			if err := per.Unmarshal(b, &back); err != nil {
				t.Fatalf("%s: %v", m.Name, err)
			}
			again, _ := per.Marshal(&back)
			if !bytes.Equal(b, again) {
				t.Errorf("%s: re-encoding differs", m.Name)
			}
		case corpus.CallSignalling:
			uu, err := m.Q931.UserInformation()
			if err != nil {
				t.Fatalf("%s: %v", m.Name, err)
			}
			if _, err := per.Marshal(uu); err != nil {
				t.Fatalf("%s: %v", m.Name, err)
			}
		}
	}
}

// transportSetup says how text2pcap frames a transport and how tshark is
// told to decode it (spec h323.md §4.8).
var transportSetup = map[corpus.Transport]struct {
	text2pcap []string
	tshark    []string
}{
	corpus.RAS:            {[]string{"-u", "1719,1719"}, nil},
	corpus.CallSignalling: {[]string{"-T", "11720,1720"}, nil},
	corpus.H245:           {[]string{"-T", "11800,1800"}, []string{"-d", "tcp.port==1800,h245"}},
}

// TestTshark is the independent oracle of spec h323.md §4.8: tshark decodes
// every corpus message (and the golden vectors of §4.3) without malformed
// or expert items, and prints the field values that were encoded.
func TestTshark(t *testing.T) {
	for _, bin := range []string{"tshark", "text2pcap"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not installed (Debian package tshark); skipping the tshark cross-check", bin)
		}
	}
	msgs, err := corpus.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range goldenVectors(t) {
		msgs = append(msgs, v)
	}
	dir := t.TempDir()
	for tr, setup := range transportSetup {
		var batch []corpus.Message
		var payloads [][]byte
		fields := map[string]bool{}
		for _, m := range msgs {
			if m.Transport != tr {
				continue
			}
			p, err := m.Payload()
			if err != nil {
				t.Fatalf("%s: %v", m.Name, err)
			}
			batch = append(batch, m)
			payloads = append(payloads, p)
			for f := range m.Fields {
				fields[f] = true
			}
		}
		names := make([]string, 0, len(fields))
		for f := range fields {
			names = append(names, f)
		}
		sort.Strings(names)
		rows := runTshark(t, dir, fmt.Sprint(tr), payloads, setup.text2pcap, setup.tshark, names)
		if len(rows) != len(batch) {
			t.Fatalf("transport %d: tshark printed %d packets, want %d", tr, len(rows), len(batch))
		}
		for i, m := range batch {
			row := rows[i]
			if row["_ws.malformed"] != "" || row["_ws.expert"] != "" {
				t.Errorf("%s: tshark reports malformed=%q expert=%q (%x)", m.Name, row["_ws.malformed"], row["_ws.expert"], payloads[i])
			}
			for f, want := range m.Fields {
				if got := row[f]; got != want {
					t.Errorf("%s: tshark %s = %q, want %q", m.Name, f, got, want)
				}
			}
		}
	}
}

// goldenVectors are the raw vectors of spec h323.md §4.3 as corpus entries
// without expected fields beyond their message type.
func goldenVectors(t *testing.T) []corpus.Message {
	raw := func(name string, tr corpus.Transport, hexs string, fields map[string]string) corpus.Message {
		return corpus.Message{Name: name, Transport: tr, Fields: fields, Raw: unhex(t, hexs)}
	}
	return []corpus.Message{
		raw("V1", corpus.RAS, "1C 00 00", map[string]string{"h225.RasMessage": "7", "h225.requestSeqNum": "1"}),
		raw("V1b", corpus.RAS, "1C 12 33", map[string]string{"h225.RasMessage": "7", "h225.requestSeqNum": "4660"}),
		raw("V2", corpus.RAS, "80 05 00 00 00 00 09", map[string]string{"h225.RasMessage": "25", "h225.delay": "10"}),
		raw("V3", corpus.RAS, "00 00 00 00 06 00 08 91 4A 00 07 00 C0 A8 00 01 06 B7 02 00", map[string]string{"h225.RasMessage": "0", "h225.requestSeqNum": "1"}),
		raw("V4", corpus.RAS, "0C 80 00 01 06 00 08 91 4A 00 07 00 01 00 C0 A8 00 0A 06 B8 01 00 C0 A8 00 0A 06 B7 02 00 02 40 04 00 61 00 6C 00 69 00 63 00 65 01 80 97 65 00 B5 00 12 34",
			map[string]string{"h225.RasMessage": "3", "h225.requestSeqNum": "2", "h225.h323_ID": "alice", "h225.dialledDigits": "6432"}),
		raw("V5", corpus.CallSignalling, "03 00 00 33 08 02 00 01 5A 08 02 80 90 7E 00 23 05 25 C0 06 00 08 91 4A 00 07 58 A8 00 11 00 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF 10 80 01 00",
			map[string]string{"q931.message_type": "0x5a", "h225.guid": "00112233-4455-6677-8899-aabbccddeeff"}),
		raw("V6", corpus.H245, "03 00 00 06 4A 40", map[string]string{"h245.pdu_type": "2"}),
		raw("V7", corpus.H245, "03 00 00 08 6D 40 01 35", map[string]string{"h245.alphanumeric": "5"}),
		raw("V8", corpus.H245, "03 00 00 09 6D 81 02 06 A0", map[string]string{"h245.signalType": "5"}),
	}
}

// runTshark writes payloads as a text2pcap hex dump, converts it, and
// returns one map of field values per packet.
func runTshark(t *testing.T, dir, name string, payloads [][]byte, t2p, tsharkArgs, fields []string) []map[string]string {
	t.Helper()
	var dump strings.Builder
	for _, p := range payloads {
		for off := 0; off < len(p); off += 16 {
			fmt.Fprintf(&dump, "%06x", off)
			for _, c := range p[off:min(off+16, len(p))] {
				fmt.Fprintf(&dump, " %02x", c)
			}
			dump.WriteByte('\n')
		}
	}
	txt := filepath.Join(dir, name+".txt")
	pcap := filepath.Join(dir, name+".pcap")
	if err := os.WriteFile(txt, []byte(dump.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append(append([]string{"-q"}, t2p...), txt, pcap)
	if out, err := exec.Command("text2pcap", args...).CombinedOutput(); err != nil {
		t.Fatalf("text2pcap %v: %v\n%s", args, err, out)
	}
	all := append([]string{"frame.number", "_ws.malformed", "_ws.expert"}, fields...)
	targs := append([]string{"-r", pcap, "-o", "tcp.desegment_tcp_streams:TRUE"}, tsharkArgs...)
	targs = append(targs, "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,")
	for _, f := range all {
		targs = append(targs, "-e", f)
	}
	cmd := exec.Command("tshark", targs...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, stderr.String())
	}
	var rows []map[string]string
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if line == "" {
			continue
		}
		vals := strings.Split(line, "|")
		row := map[string]string{}
		for i, f := range all {
			if i < len(vals) {
				row[f] = vals[i]
			}
		}
		rows = append(rows, row)
	}
	return rows
}
