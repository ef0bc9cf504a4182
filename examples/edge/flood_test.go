package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A registration flood of 5000 distinct AORs by sipp, against the built
// edge, is fully accepted while a peer blasts garbage datagrams at the same
// port as fast as it can (the others still register), and the process stays
// within bounded memory. Expiry on time is TestFloodExpiresOnTime in
// sip/registrar.
func TestSippRegistrationFloodWithGarbage(t *testing.T) {
	needSipp(t)
	if testing.Short() {
		t.Skip("flood")
	}
	b := startBinary(t)
	for l := range b.lines {
		if strings.Contains(l, "edge ready") {
			break
		}
	}
	target := "127.0.0.1:" + strconv.Itoa(b.sipPort)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	sent := 0
	go func() {
		defer wg.Done()
		c, err := net.Dial("udp", target)
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 700)
		for ctx.Err() == nil {
			_, _ = rand.Read(buf[40:])
			copy(buf, "REGISTER sip:x SIP/2.0\r\nVia: \x00garbage")
			if _, err := c.Write(buf); err == nil {
				sent++
			}
		}
	}()
	startSipp(t, target, "u1", freePort(t), "-sf", "testdata/sipp/register-flood.xml",
		"-m", "5000", "-r", "1000", "-l", "500").wait(t)
	cancel()
	wg.Wait()

	resp, err := http.Get("http://" + b.httpAddr + "/status")
	require.NoError(t, err)
	defer resp.Body.Close()
	var st Status
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&st))
	assert.Len(t, st.Registrations, 5000)

	rss := vmRSS(t, b.cmd.Process.Pid)
	t.Logf("5000 bindings after %d garbage datagrams: VmRSS %d KiB", sent, rss)
	assert.Less(t, rss, int64(256<<10), "resident memory bounded")
}

func vmRSS(t *testing.T, pid int) int64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Skip("no /proc")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return n
		}
	}
	return 0
}
