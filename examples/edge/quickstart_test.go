package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The README's quickstart as a newcomer types it, against the built
// binary with its embedded default configuration (only the ports moved so
// that the test never collides with a running edge): a sipp REGISTER and a
// call to that registration succeed, /status answers, and SIGINT ends it
// with status 0.
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

type binary struct {
	ctx      context.Context
	cmd      *exec.Cmd
	lines    chan string
	sipPort  int
	httpAddr string
}

// startBinary builds the edge once per test run and starts it with the
// embedded configuration on free ports.
func startBinary(t *testing.T) *binary {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "edge-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "edge")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("%v: %s", err, out)
		}
	})
	require.NoError(t, buildErr)
	b := &binary{sipPort: freePort(t), httpAddr: "127.0.0.1:" + strconv.Itoa(freePort(t)), lines: make(chan string, 1024)}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	b.ctx = ctx
	b.cmd = exec.CommandContext(ctx, binPath, "-sip-port", strconv.Itoa(b.sipPort), "-http", b.httpAddr)
	stderr, err := b.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, b.cmd.Start())
	t.Cleanup(func() { _ = b.cmd.Process.Kill(); _ = b.cmd.Wait() })
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			select {
			case b.lines <- sc.Text():
			default: // nobody listening any more
			}
		}
		close(b.lines)
	}()
	return b
}

func TestQuickstartBinary(t *testing.T) {
	needSipp(t)
	if testing.Short() {
		t.Skip("builds the binary")
	}
	b := startBinary(t)
	ctx, cmd, lines, sipPort, httpAddr := b.ctx, b.cmd, b.lines, b.sipPort, b.httpAddr
	var log []string
	waitFor := func(s string) {
		t.Helper()
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("edge exited before %q:\n%s", s, strings.Join(log, "\n"))
				}
				log = append(log, l)
				if strings.Contains(l, s) {
					return
				}
			case <-ctx.Done():
				t.Fatalf("no %q:\n%s", s, strings.Join(log, "\n"))
			}
		}
	}
	waitFor("edge ready")
	require.Contains(t, strings.Join(log, "\n"), "not authenticated", "the no-authentication default is announced")

	target := "127.0.0.1:" + strconv.Itoa(sipPort)
	bobPort := freePort(t)
	startSipp(t, target, "u1", freePort(t), "-sf", "testdata/sipp/register.xml", "-key", "user", "bob", "-key", "contact_port", strconv.Itoa(bobPort)).wait(t)
	uas := startSipp(t, target, "u1", bobPort, "-sf", "testdata/sipp/uas.xml")
	startSipp(t, target, "u1", freePort(t), "-sf", "testdata/sipp/uac.xml", "-key", "user", "alice", "-s", "bob").wait(t)
	uas.wait(t)

	resp, err := http.Get("http://" + httpAddr + "/status")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)

	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	waitFor("shutting down")
	for range lines {
	}
	require.NoError(t, cmd.Wait())
	require.Equal(t, 0, cmd.ProcessState.ExitCode())
}
