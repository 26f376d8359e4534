#!/usr/bin/env bash
# Chapter 20's excerpts for `make chapter20-profile`, produced by real runs:
#
#   packets-VARIANT.txt   tcpdump on the loopback while one kept-alive
#       connection (hp-load --connections 1) sends four requests, one after
#       the other, to that variant: every segment with the time since the
#       one before, who sent it, its flags ([P.] carries data, [.] only
#       acknowledges) and how many bytes of data it carries.
#
# tcpdump needs root (CAP_NET_RAW). The server and hp-load run on
# lesson_pin's CPU, as in the compare.
# usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR
set -euo pipefail
spec=$1 out=$2
# shellcheck disable=SC1090
. "$spec"
for tool in tcpdump taskset; do
	command -v "$tool" >/dev/null || { echo "profile-extra: $tool is not installed (make deps)" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "profile-extra: tcpdump needs root to capture on the loopback" >&2; exit 2; }
tmp=build/tmp/$id-profile
rm -rf "$tmp" && mkdir -p "$tmp" "$out"
cpu=${pin:-0}
load=build/common/tools/hp-load

# shellcheck source=../../common/scripts/lib/server.sh
. common/scripts/lib/server.sh

for v in $variants; do
	server_start "$v" "$cpu"
	tcpdump -i lo -nn -U --immediate-mode -w "$tmp/$v.pcap" "tcp port $server_port" 2>"$tmp/tcpdump.err" &
	dump_pid=$!
	# tcpdump says "listening" once its filter is in place.
	for _ in $(seq 1 250); do
		grep -q listening "$tmp/tcpdump.err" && break
		sleep 0.02
	done
	timeout 30 taskset -c "$cpu" "$load" --url "http://127.0.0.1:$server_port/" --connections 1 \
		--requests 4 --duration 5 >"$tmp/load.txt" 2>&1
	sleep 0.2
	kill -INT "$dump_pid"
	wait "$dump_pid" || true
	server_stop
	{
		echo "# tcpdump -i lo -ttt: one kept-alive connection sends 4 requests, each when the last answer"
		echo "# is in, to the $v server. Time since the previous segment; [P.] carries data, [.] is an"
		echo "# acknowledgement alone; length is the bytes of data it carries."
		echo
		tcpdump -r "$tmp/$v.pcap" -nn -ttt 2>/dev/null |
			sed -E "s/IP 127\.0\.0\.1\.$server_port /server /; s/> 127\.0\.0\.1\.$server_port:/> server:/" |
			sed -E 's/IP 127\.0\.0\.1\.[0-9]+ /client /; s/> 127\.0\.0\.1\.[0-9]+:/> client:/' |
			sed -E 's/, (seq|ack) [0-9:]+//g; s/, win [0-9]+//; s/, options \[[^]]*\]//'
		echo
		echo "# hp-load: $(sed -n 's/.*measured; //p' "$tmp/load.txt")"
	} >"$out/packets-$v.txt.tmp"
	mv -f "$out/packets-$v.txt.tmp" "$out/packets-$v.txt"
done
rm -rf "$tmp"
echo "profile-extra: $out/packets-{$(echo "$variants" | tr ' ' ',')}.txt"
