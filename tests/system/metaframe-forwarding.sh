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

# The patched ovs-vswitchd, on a userspace bridge between two namespace
# hosts, forwards a metalink's metaframes both ways through a meter, drops
# other metalinks' and malformed metaframes with a count, pushes and pops the
# header for a payload-mode metalink, and keeps native IPv4 working.

. "$METANET_SRCDIR/tests/system/lib.sh"
st_begin

br=${ML_PREFIX}br p1=${ML_PREFIX}p1 p2=${ML_PREFIX}p2
ml_add_bridge "$br"
ml_add_host "${ML_PREFIX}h1" "$br" "$p1" 198.18.0.1
ml_add_host "${ML_PREFIX}h2" "$br" "$p2" 198.18.0.2
h1=${ML_PREFIX}h1 h2=${ML_PREFIX}h2

ovs-ofctl -O OpenFlow13 add-meter "$br" \
    meter=1,kbps,band=type=drop,rate=100000 || exit 1
ovs-ofctl -O OpenFlow13 add-flows "$br" - <<FLOWS || exit 1
priority=100,in_port=$p1,dl_type=0x88b5,meta_mli=1,meta_mni=100 actions=meter:1,output:$p2
priority=100,in_port=$p2,dl_type=0x88b5,meta_mli=1,meta_mni=100 actions=output:$p1
priority=100,in_port=$p1,dl_type=0x88b6 actions=push_meta(mli=2,mni=200),output:$p2
priority=100,in_port=$p2,dl_type=0x88b5,meta_mli=2,meta_mni=200 actions=pop_meta,output:$p1
priority=90,dl_type=0x88b5 actions=drop
priority=10,arp actions=NORMAL
priority=10,ip actions=NORMAL
priority=0 actions=drop
FLOWS

rx_dropped() {
    ip netns exec "$1" cat /sys/class/net/eth0/statistics/rx_dropped
}

# expect_rx NS COUNT PATTERN -- SEND_NS SEND_ARGS...: starts a receiver in
# NS, sends with meta-packet in SEND_NS, and checks the receiver's report.
# For COUNT 0, nothing at all may arrive within half a second of the last
# frame sent.  Otherwise every frame that arrives must be of the kind
# "PATTERN", and each of the COUNT must either arrive or be counted as
# dropped by the receiving namespace's kernel, which does that when the
# machine is loaded (its per-CPU backlog is shared with everything else
# running); at least half must arrive.  The switch's own counts are checked
# exactly, with flow counters.
expect_rx() {
    rx_ns=$1 count=$2 pattern=$3; shift 4
    tx_ns=$1; shift
    out=$ST_DIR/rx.out
    dropped_before=$(rx_dropped "$rx_ns")
    ip netns exec "$rx_ns" meta-packet recv -i eth0 \
        --count="$(test "$count" = 0 && echo 1 || echo "$count")" \
        --timeout=30 > "$out" 2>&1 &
    rx_pid=$!
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        grep -q listening "$out" && break
        sleep 0.1
    done
    ip netns exec "$tx_ns" meta-packet send -i eth0 --interval=1000 "$@" \
        > /dev/null
    if test "$count" = 0; then
        sleep 0.5
    else
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            grep -q '^received' "$out" && break
            sleep 0.1
        done
    fi
    kill -TERM $rx_pid 2> /dev/null
    wait $rx_pid

    got=$(sed -n 's/^received \([0-9]*\) frames$/\1/p' "$out")
    dropped=$(($(rx_dropped "$rx_ns") - dropped_before))
    if test "$count" = 0; then
        test "$got" = 0 && test "$dropped" = 0
    else
        test "$(grep -c ': [0-9]*$' "$out")" = 1 \
            && grep -qx "$pattern: $got" "$out" \
            && test $((got + dropped)) -ge "$count" \
            && test $((got * 2)) -ge "$count"
    fi || {
        echo "receiver in $rx_ns said:"
        cat "$out"
        ovs-ofctl dump-ports "$br"
        ip -n "$rx_ns" -s link show eth0
        return 1
    }
}

st_check "metaframes of metalink 1 cross from h1 to h2" \
    expect_rx "$h2" 200 "metaframe mli=1 mni=100 np=0x0000 flags=0" \
        -- "$h1" --mli=1 --mni=100 --count=200
st_check "metaframes of metalink 1 cross from h2 to h1" \
    expect_rx "$h1" 200 "metaframe mli=1 mni=100 np=0x0000 flags=0" \
        -- "$h2" --mli=1 --mni=100 --count=200 --size=1500
st_equal "the switch forwarded each of them from h1" 200 \
    "$(st_n_packets "$br" "priority=100,in_port=1,dl_type=0x88b5,meta_mli=1,meta_mni=100")"
st_equal "the switch forwarded each of them from h2" 200 \
    "$(st_n_packets "$br" "priority=100,in_port=2,dl_type=0x88b5,meta_mli=1,meta_mni=100")"

# The megaflow trap: the datapath flow cached for MLI 1 must not carry MLI 7.
datapath_has() {
    ml_appctl dpctl/dump-flows | grep -q "$1"
}
st_check "the datapath flow for metalink 1 matches on its MLI" \
    datapath_has 'meta(.*mli=1[,)]'
st_check "metaframes with another metalink's MLI do not reach h2" \
    expect_rx "$h2" 0 "" \
        -- "$h1" --mli=7 --mni=100 --count=50
st_equal "the validation drop flow counted them" 50 \
    "$(st_n_packets "$br" priority=90,dl_type=0x88b5)"

st_check "malformed metaframes (version 0) do not reach h2" \
    expect_rx "$h2" 0 "" \
        -- "$h1" --eth-type=0x88b5 --count=20
st_equal "the validation drop flow counted them too" 70 \
    "$(st_n_packets "$br" priority=90,dl_type=0x88b5)"

st_check "payload-mode frames from h1 reach h2 with the header pushed" \
    expect_rx "$h2" 100 "metaframe mli=2 mni=200 np=0x88b6 flags=0" \
        -- "$h1" --eth-type=0x88b6 --count=100
st_check "payload-mode metaframes from h2 reach h1 with the header popped" \
    expect_rx "$h1" 100 "frame eth_type=0x88b6" \
        -- "$h2" --mli=2 --mni=200 --np=0x88b6 --count=100
st_equal "the switch pushed a header onto each" 100 \
    "$(st_n_packets "$br" "priority=100,in_port=1,dl_type=0x88b6")"
st_equal "the switch popped each header" 100 \
    "$(st_n_packets "$br" "priority=100,in_port=2,dl_type=0x88b5,meta_mli=2,meta_mni=200")"

meter_has() {
    ovs-ofctl -O OpenFlow13 meter-stats "$br" "meter=$1" | grep -q "$2"
}
st_check "meter 1 counted exactly metalink 1's 200 outbound metaframes" \
    meter_has 1 'packet_in_count:200 '
st_check "native IPv4 still works beside the metanets" \
    ip netns exec "$h1" ping -c 3 -i 0.2 -W 2 198.18.0.2

st_done
