#! /bin/sh
# Copyright (c) 2026 The metanet developers.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at:
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

# metanet-controller enforces what the Metanet database says, measured with
# real traffic: the access LAN of tests/system/lib.sh (a patched
# ovs-vswitchd, userspace datapath, switches of hosts h1 and h2 and of the
# substrate router r, a LAN bridge between them), two metalinks of host h1,
# A (MLI 10) and B (MLI 11), whose MPS ports and metarouter ports are veths
# into network namespaces, and meta-packet sending 1000-byte metaframes at
# twice what a metalink may carry, the receiver in the metarouter's
# namespace timing what arrives per 100 ms by the kernel's clock.  Rates
# are medians of those periods and must be within 90% to 105% of the
# allocation (the meter's burst and a loaded machine's scheduling make the
# rest); h1's access link leaves 24 Mb/s for metalinks.  It pins:
#
#   1. rate: a metalink added with metactl (min = max = 10 Mb/s) carries
#      host -> router its allocation and no more;
#   2. isolation: from A's MPS port only A's metaframes leave (frames with
#      B's MLI, or A's MLI with another metanet's MNI, reach no port), from
#      A's metarouter port only A's reach an MPS, and the host switch counts
#      the dropped ones as A's invalid frames in the database;
#   3. rate change: metalink-set to 16 Mb/s while traffic flows takes
#      effect (measured), without a gap of 200 ms or more in the traffic
#      and without the OpenFlow connection being re-established (the
#      controller's and the switch's logs, the Controller row); and
#      "metactl --wait=hosts" returns within 1 s, as soon as the switches
#      applied it, though the controller's periodic rounds are a minute
#      apart (it used to wait for the next round: ofctrl now reports a
#      switch's acknowledgement at once);
#   4. reallocation (allocation_interval 200 ms, stats_interval 100 ms): A
#      busy alone gets the spare capacity (20 Mb/s: 24 minus B's minimum);
#      B becoming busy takes its fair share (12 Mb/s each) within 600 ms
#      (2 allocation intervals, and one for the 100 ms periods and load),
#      A's share falling as fast; B idle again, A gets 20 Mb/s back within
#      1.5 s (B's unused share is handed on over a few intervals, demand.h);
#   5. oversubscription: metactl refuses a minimum that does not fit; one
#      written behind its back is rejected by the controller, with its
#      reason in metalink-list and show, gets no meter, and leaves the
#      admitted metalinks' allocations alone.

. "$METANET_SRCDIR/tests/system/lib.sh"
st_begin
st_start_lan || { echo "FAIL: cannot start the access LAN"; exit 1; }

P=$ML_PREFIX
# A's and B's MPS ports on h1, their metarouter ports on r.
st_lan_metalink 10 h1 ma ra min=10M max=10M \
    && st_lan_metalink 11 h1 mb rb min=4M max=30M \
    || { echo "FAIL: cannot add the metalinks"; exit 1; }

# send NS MLI RATE SECONDS [ARG]...: metaframes of MLI, metanet red.
send() {
    ns=$1 mli=$2 rate=$3 secs=$4; shift 4
    ip netns exec "$ns" meta-packet send -i eth0 --mli="$mli" --mni=7 \
        --size=1000 --rate="$rate" --duration="$secs" "$@"
}
allocated() {
    metactl --bare --columns=allocated_rate find Metalink mli="$1"
}

# 1. A metalink's rate, host -> router.
st_equal "metalink 10 is allocated 10 Mb/s" 10000000 "$(allocated 10)"
st_rx_start "${P}ra" "$ST_DIR/rate.rx"
start=$(st_now)
send "${P}ma" 10 20M 3
end=$(st_now)
sleep 0.3
st_rx_stop "$ST_DIR/rate.rx"
st_check_rate "offered 20 Mb/s, metalink 10 carries its 10 Mb/s, no more" \
    "$ST_DIR/rate.rx" "$(st_at "$start" 0.5)" "$(st_at "$end" -0.2)" 10000

# 2. Isolation.  Receivers at both ends of both metalinks.
for port in ma mb ra rb; do
    st_rx_start "${P}$port" "$ST_DIR/$port.rx"
done
invalid_before=$(metactl get Metalink 10 statistics:invalid_dropped_packets)
send "${P}ma" 10 2M 0.8 --count=200 > /dev/null   # A's own.
send "${P}ma" 11 2M 0.8 --count=200 > /dev/null   # B's MLI, from A.
ip netns exec "${P}ma" meta-packet send -i eth0 --mli=10 --mni=8 \
    --size=1000 --rate=2M --count=200 > /dev/null  # Another metanet.
send "${P}ra" 11 2M 0.8 --count=200 > /dev/null   # B's, from A's router.
send "${P}ra" 10 2M 0.8 --count=200 > /dev/null   # A's, back to A.
sleep 0.5
for port in ma mb ra rb; do
    st_rx_stop "$ST_DIR/$port.rx"
done
# only RX N: RX counted only A's metaframes, at least N of the 200 sent
# (the namespace's kernel may drop a few on a loaded machine), or nothing
# if N is 0.
only() {
    got=$(st_rx_count "$1")
    if test "$2" = 0; then
        test "$got" = 0
    else
        test "$(grep -c ': [0-9]*$' "$1")" = 1 \
            && grep -qx "metaframe mli=10 mni=7 np=0x0000 flags=0: $got" "$1" \
            && test "$got" -ge "$2" && test "$got" -le 200
    fi || { echo "receiver said:"; grep -v '^period' "$1"; return 1; }
}
st_check "A's metaframes reach A's metarouter port, nothing else does" \
    only "$ST_DIR/ra.rx" 190
st_check "nothing reaches B's metarouter port from A's MPS" \
    only "$ST_DIR/rb.rx" 0
st_check "A's metaframes reach A's MPS from its metarouter" \
    only "$ST_DIR/ma.rx" 190
st_check "nothing reaches B's MPS from A's metarouter port" \
    only "$ST_DIR/mb.rx" 0
# 400 of A's frames were invalid on h1 (B's MLI, the other metanet's).
invalid_counted() {
    for _ in $(seq 40); do
        n=$(metactl get Metalink 10 statistics:invalid_dropped_packets)
        test $((n - invalid_before)) = 400 && return 0
        sleep 0.25
    done
    echo "invalid_dropped_packets went from $invalid_before to $n"
    return 1
}
st_check "h1 counted the 400 forged frames as metalink 10's invalid ones" \
    invalid_counted

# 3. A rate change, under traffic, on the same OpenFlow connection.  The
# controller's periodic rounds are a minute apart, so that only the change
# and the switches' acknowledgements move it.
metactl --wait=hosts --timeout=10 set Global . allocation_interval=60000 \
    stats_interval=3600000
connections() {
    echo "$(st_controller_log_count 'new connection')" \
         "$(grep -c "$ST_H1<->.*: connected" "$ML_DIR/ovs-vswitchd.log")"
}
conns_before=$(connections)
st_rx_start "${P}ra" "$ST_DIR/change.rx"
start=$(st_now)
st_tx_start "${P}ma" "$ST_DIR/change.tx" --mli=10 --mni=7 --size=1000 \
    --rate=32M --duration=5
sleep 2
changing=$(st_now)
metactl --wait=hosts --timeout=10 metalink-set 10 min=16M max=16M
changed=$(st_now)
st_tx_wait "$ST_DIR/change.tx"
end=$(st_now)
sleep 0.3
st_rx_stop "$ST_DIR/change.rx"
latency=$(awk -v a="$changing" -v b="$changed" \
    'BEGIN { printf "%d\n", (b - a) * 1000 }')
st_check "metalink-set --wait=hosts returns once the switches applied it,\
 not at the next round: $latency ms" st_within "$latency" 0 1000
st_check_rate "before the change, 10 Mb/s" "$ST_DIR/change.rx" \
    "$(st_at "$start" 0.5)" "$changing" 10000
st_check_rate "after it, 16 Mb/s" "$ST_DIR/change.rx" \
    "$(st_at "$changed" 0.3)" "$(st_at "$end" -0.2)" 16000
gap=$(st_rx_max_gap "$ST_DIR/change.rx")
st_check "the traffic never stopped for 200 ms (longest gap $gap ms)" \
    st_within "$gap" 0 200
st_equal "no OpenFlow connection was made again (controller, switch)" \
    "$conns_before" "$(connections)"
st_equal "h1's controller connection is up" true \
    "$(ml_vsctl get controller "$ST_H1" is_connected)"

# 4. Reallocation among busy metalinks.
metactl --wait=hosts --timeout=10 set Global . allocation_interval=200 \
    stats_interval=100 -- metalink-set 10 min=4M max=30M
st_rx_start "${P}ra" "$ST_DIR/a.rx"
st_rx_start "${P}rb" "$ST_DIR/b.rx"
a_start=$(st_now)
st_tx_start "${P}ma" "$ST_DIR/a.tx" --mli=10 --mni=7 --size=1000 \
    --rate=30M --duration=9
sleep 2.5
b_start=$(st_now)
send "${P}mb" 11 30M 3 > /dev/null
b_end=$(st_now)
st_tx_wait "$ST_DIR/a.tx"
a_end=$(st_now)
sleep 0.3
st_rx_stop "$ST_DIR/a.rx"
st_rx_stop "$ST_DIR/b.rx"

st_check_rate "A busy alone gets the spare capacity" "$ST_DIR/a.rx" \
    "$(st_at "$a_start" 1)" "$b_start" 20000
st_check_rate "with B busy, A gets its fair share" "$ST_DIR/a.rx" \
    "$(st_at "$b_start" 1)" "$b_end" 12000
st_check_rate "and B gets its own" "$ST_DIR/b.rx" \
    "$(st_at "$b_start" 1)" "$b_end" 12000
st_check_rate "B idle again, A gets the spare capacity back" "$ST_DIR/a.rx" \
    "$(st_at "$b_end" 1.5)" "$(st_at "$a_end" -0.2)" 20000
# settle RX FROM CMP KBPS: milliseconds from FROM to the start of the first
# 100 ms period of RX from which on every period's rate CMP ("<=" or ">=")
# KBPS for the next 300 ms.
settle() {
    awk -v from="$2" -v cmp="$3" -v lim="$4" '
        $1 == "period" && $2 >= from {
            t[n] = $2; r[n] = $6 * 8 / 0.1 / 1000; n++
        }
        END {
            for (i = 0; i + 2 < n; i++) {
                ok = 1
                for (j = i; j < i + 3; j++)
                    if (cmp == "<=" ? r[j] > lim : r[j] < lim) ok = 0
                if (ok) { printf "%d\n", (t[i] - from) * 1000; exit }
            }
            print "never"
        }' "$1"
}
b_settle=$(settle "$ST_DIR/b.rx" "$b_start" ">=" 10800)
a_settle=$(settle "$ST_DIR/a.rx" "$b_start" "<=" 13200)
back=$(settle "$ST_DIR/a.rx" "$b_end" ">=" 18000)
st_check "B reaches 90% of its fair share within 600 ms: $b_settle ms" \
    st_within "$b_settle" 0 600
st_check "A falls to 110% of its fair share within 600 ms: $a_settle ms" \
    st_within "$a_settle" 0 600
st_check "A is back to 90% of 20 Mb/s within 1.5 s of B's silence: $back ms" \
    st_within "$back" 0 1500

# 5. Oversubscription: 16 Mb/s of h1's 24 are left for minimums.
refused() {
    if out=$(metactl metalink-add red h1 mli=12 min=20M 2>&1); then
        return 1
    fi
    echo "metactl said: $out"
    echo "$out" | grep -q '"h1"' && test -z "$(metactl find Metalink mli=12)"
}
st_check "metactl refuses a 20 Mb/s minimum on h1, naming it" refused
red=$(metactl --bare --columns=_uuid find Metanet name=red)
h1=$(metactl --bare --columns=_uuid find Host name=h1)
ovsdb-client transact "$METANET_DB" '["Metanet",
    {"op": "insert", "table": "Metalink",
     "row": {"mli": 12, "min_rate": 20000000,
             "metanet": ["uuid", "'"$red"'"], "host": ["uuid", "'"$h1"'"]}},
    {"op": "mutate", "table": "Global", "where": [],
     "mutations": [["cfg", "+=", 1]]}]' > /dev/null
metactl --wait=hosts --timeout=10 sync
st_equal "the controller rejects metalink 12" rejected \
    "$(metactl --bare --columns=state find Metalink mli=12)"
reason='host "h1" cannot guarantee 20 Mbps: 16 Mbps'
st_check "metalink-list gives the reason" sh -c \
    "metactl metalink-list | grep '^12 ' | grep rejected | grep -qF '$reason'"
st_check "show gives it too" sh -c "metactl show | grep -qF '$reason'"
st_check "h1 has no meter for it" sh -c \
    "! ovs-ofctl -O OpenFlow15 dump-meters $ST_H1 | grep -q 'meter=12 '"
# Idle, A and B are back to their minimums within a few intervals.
minimums() {
    for _ in $(seq 40); do
        test "$(allocated 10) $(allocated 11)" = "4000000 4000000" && return 0
        sleep 0.25
    done
    echo "allocated: $(allocated 10) $(allocated 11)"
    return 1
}
st_check "A and B keep their (minimum) allocations" minimums

st_done
