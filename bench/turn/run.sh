#!/usr/bin/env bash
# Side-by-side TURN benchmark: coturn's turnserver and Causeway's
# examples/turnserver on 127.0.0.1, each driven by the same
# turnutils_uclient runs against a turnutils_peer echo:
#   flood:  -c -m 10 -n 20000 -l 200 -z 0   (10 clients, channels, no pacing)
#   paced:  -c -m 10 -n 2000  -l 200 -z 5   (200 packets/s per client)
# and the same allocation-rate run (1000 fresh clients). For each server
# it prints relayed messages/s, loss, the server's CPU time per message
# (utime+stime from /proc/PID/stat over the run) and the ratios.
# Needs coturn (Debian package coturn) and Go.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v turnserver >/dev/null && command -v turnutils_uclient >/dev/null || {
  echo "coturn is not installed (apt-get install coturn)"; exit 2; }

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/cw-turnserver" ./examples/turnserver
go build -o "$work/allocrate" ./bench/turn/allocrate

PEER=34800
turnutils_peer -L 127.0.0.1 -p $PEER >/dev/null 2>&1 &

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# run_client NAME PID PORT ARGS... -> prints "msgs/s lost% cpu-us-per-msg"
run_client() {
  local name=$1 pid=$2 port=$3; shift 3
  local t0 c0 out
  c0=$(cpu_ticks "$pid")
  out=$(turnutils_uclient "$@" -u user -w pass -e 127.0.0.1 -r $PEER -p "$port" 127.0.0.1 2>&1)
  c1=$(cpu_ticks "$pid")
  local recv ttime lost
  recv=$(echo "$out" | grep -o 'tot_recv_msgs=[0-9]*' | tail -1 | cut -d= -f2)
  ttime=$(echo "$out" | grep -o 'Total transmit time is [0-9]*' | tail -1 | awk '{print $5}')
  lost=$(echo "$out" | grep -o 'Total lost packets [0-9]* ([0-9.]*%)' | tail -1 | sed 's/.*(\(.*\)%)/\1/')
  [ -n "$ttime" ] && [ "$ttime" -gt 0 ] || ttime=1
  awk -v r="${recv:-0}" -v t="$ttime" -v l="${lost:-100}" -v c=$((c1 - c0)) -v hz="$hz" -v n="$name" \
    'BEGIN { cpu = (r > 0) ? c / hz * 1e6 / r : 0; printf "%-9s %10.0f msg/s  lost %6.2f%%  server cpu %6.2f us/msg  (recv %d in %ds)\n", n, r / t, l, cpu, r, t }'
}

start_coturn() {
  turnserver -n --listening-ip=127.0.0.1 --listening-port=$1 --relay-ip=127.0.0.1 \
    --min-port=40000 --max-port=45999 -a -r test --user user:pass --allow-loopback-peers \
    --no-cli --no-tls --no-dtls --log-file=stdout --simple-log >/dev/null 2>&1 &
  echo $!
}
start_causeway() {
  GOMAXPROCS=${CW_GOMAXPROCS:-} "$work/cw-turnserver" -listen 127.0.0.1:$1 -realm test -user user:pass -relay-range 20000-25999 \
    -max-relays 1800 -allow-peers 127.0.0.0/8 >/dev/null 2>&1 &
  echo $!
}

# wait_port PORT: until something listens on UDP PORT (at most 10 s).
wait_port() {
  for _ in $(seq 100); do
    ss -Hlun "sport = :$1" | grep -q . && return 0
    sleep 0.1
  done
  echo "nothing listens on UDP $1" >&2; return 1
}

declare -A flood paced alloc
for srv in coturn causeway; do
  port=$([ $srv = coturn ] && echo 33478 || echo 33578)
  pid=$(start_$srv $port)
  wait_port $port
  sleep 0.5
  flood[$srv]=$(run_client $srv "$pid" $port -c -m 10 -n 20000 -l 200 -z 0)
  paced[$srv]=$(run_client $srv "$pid" $port -c -m 10 -n 2000 -l 200 -z 5)
  alloc[$srv]=$("$work/allocrate" -server 127.0.0.1:$port -user user -pass pass -n 1000)
  kill "$pid"; wait "$pid" 2>/dev/null || true
done

echo "== flood (-c -m 10 -n 20000 -l 200 -z 0)"; echo "${flood[coturn]}"; echo "${flood[causeway]}"
echo "== paced (-c -m 10 -n 2000 -l 200 -z 5)"; echo "${paced[coturn]}"; echo "${paced[causeway]}"
echo "== allocation rate (1000 fresh clients)"; echo "coturn    ${alloc[coturn]}"; echo "causeway  ${alloc[causeway]}"
rate() { echo "$1" | awk '{print $2}'; }
awk -v a="$(rate "${flood[causeway]}")" -v b="$(rate "${flood[coturn]}")" 'BEGIN { printf "flood ratio causeway/coturn: %.2f\n", a / b }'
cpu() { echo "$1" | grep -o 'cpu *[0-9.]*' | awk '{print $2}'; }
awk -v a="$(cpu "${flood[causeway]}")" -v b="$(cpu "${flood[coturn]}")" 'BEGIN { if (a > 0) printf "flood server CPU per message coturn/causeway: %.2f\n", b / a }'
