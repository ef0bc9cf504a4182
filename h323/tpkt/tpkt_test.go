package tpkt

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	require.NoError(t, err)
	return b
}

// Golden TPKT framings of spec h323.md §4.3: V6, V7, V8 carry H.245, V9 is
// the empty keep-alive.
var golden = []struct {
	name, hex, payload string
}{
	{"V6 endSessionCommand", "03 00 00 06 4A 40", "4A40"},
	{"V7 UII alphanumeric", "03 00 00 08 6D 40 01 35", "6D400135"},
	{"V8 UII signal", "03 00 00 09 6D 81 02 06 A0", "6D810206A0"},
	{"V9 keep-alive", "03 00 00 04", ""},
}

func TestGolden(t *testing.T) {
	for _, g := range golden {
		t.Run(g.name, func(t *testing.T) {
			wire := unhex(t, g.hex)
			r := NewReader(bytes.NewReader(wire), 0)
			p, err := r.ReadPacket()
			require.NoError(t, err)
			require.Equal(t, strings.ToLower(g.payload), hex.EncodeToString(p))
			_, err = r.ReadPacket()
			require.ErrorIs(t, err, io.EOF)
			out, err := Append(nil, unhex(t, g.payload))
			require.NoError(t, err)
			require.Equal(t, wire, out)
		})
	}
	require.Equal(t, unhex(t, "03000004"), KeepAlive)
}

// TestStream covers spec h323.md §4.4: several messages per segment,
// partial reads and empty keep-alive TPKTs in between.
func TestStream(t *testing.T) {
	var stream []byte
	for _, g := range golden {
		stream = append(stream, unhex(t, g.hex)...)
	}
	stream = append(stream, KeepAlive...)
	for _, src := range map[string]io.Reader{
		"whole":      bytes.NewReader(stream),
		"one octet":  iotest.OneByteReader(bytes.NewReader(stream)),
		"half reads": iotest.HalfReader(bytes.NewReader(stream)),
	} {
		r := NewReader(src, 0)
		var got []string
		for {
			p, err := r.Next()
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			got = append(got, hex.EncodeToString(p))
		}
		require.Equal(t, []string{"4a40", "6d400135", "6d810206a0"}, got)
	}
}

func TestErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		in   string
		max  int
		want error
	}{
		{"version", "04 00 00 05 00", 0, ErrVersion},
		{"length below header", "03 00 00 03", 0, ErrLength},
		{"over the cap", "03 00 01 00", 200, ErrTooLarge},
		{"truncated payload", "03 00 00 08 01 02", 0, io.ErrUnexpectedEOF},
		{"truncated header", "03 00", 0, io.ErrUnexpectedEOF},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewReader(bytes.NewReader(unhex(t, c.in)), c.max).ReadPacket()
			require.True(t, errors.Is(err, c.want), "got %v", err)
		})
	}
	_, err := Append(nil, make([]byte, 65532))
	require.ErrorIs(t, err, ErrTooLarge)
	_, err = Append(nil, make([]byte, 65531))
	require.NoError(t, err)
}

// TestOverTCP drives the framing over a real loopback TCP connection: the
// sender splits one packet over two writes and puts two packets and a
// keep-alive into one write.
func TestOverTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		v6 := []byte{3, 0, 0, 6, 0x4A, 0x40}
		if _, err := c.Write(v6[:3]); err != nil {
			done <- err
			return
		}
		if _, err := c.Write(v6[3:]); err != nil {
			done <- err
			return
		}
		batch := append(append([]byte{3, 0, 0, 8, 0x6D, 0x40, 0x01, 0x35}, KeepAlive...), 3, 0, 0, 9, 0x6D, 0x81, 0x02, 0x06, 0xA0)
		_, err = c.Write(batch)
		done <- err
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	r := NewReader(c, 0)
	var got []string
	keepAlives := 0
	for {
		p, err := r.ReadPacket()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if len(p) == 0 {
			keepAlives++
			continue
		}
		got = append(got, hex.EncodeToString(p))
	}
	require.NoError(t, <-done)
	require.Equal(t, []string{"4a40", "6d400135", "6d810206a0"}, got)
	require.Equal(t, 1, keepAlives)
}

func FuzzReader(f *testing.F) {
	for _, g := range golden {
		f.Add(unhex(f, g.hex))
	}
	f.Add(unhex(f, "03 00 00 33 08 02 00 01 5A 08 02 80 90 7E 00 23 05"))
	f.Add([]byte{3, 0, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), 1024)
		total := 0
		for {
			p, err := r.ReadPacket()
			if err != nil {
				return
			}
			total += len(p) + HeaderLen
			if total > len(data) || len(p) > 1024 {
				t.Fatalf("read %d octets from %d", total, len(data))
			}
			out, err := Append(nil, p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out[4:], p) {
				t.Fatal("re-framing changed the payload")
			}
		}
	})
}

func BenchmarkReadPacket(b *testing.B) {
	one := []byte{3, 0, 0, 9, 0x6D, 0x81, 0x02, 0x06, 0xA0}
	stream := bytes.Repeat(one, 1024)
	b.ReportAllocs()
	b.SetBytes(int64(len(one)))
	var r *Reader
	for i := 0; i < b.N; i++ {
		if i%1024 == 0 {
			r = NewReader(bytes.NewReader(stream), 0)
		}
		if _, err := r.ReadPacket(); err != nil {
			b.Fatal(err)
		}
	}
}
