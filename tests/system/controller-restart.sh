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

# Restarts, with real traffic: the access LAN of tests/system/lib.sh (a
# patched ovs-vswitchd, userspace datapath, host switches h1 and h2, the
# substrate router r, a LAN bridge), one metalink A (MLI 10, 10 Mb/s) of
# h1, its MPS port and metarouter port veths into network namespaces, and
# meta-packet sending 1000-byte metaframes.  It pins:
#
#   1. a controller restart (killed with SIGKILL by its pidfile, as in a
#      crash, and started again) while A carries 4 Mb/s: every frame sent
#      arrives, without a gap of 200 ms or more; the switches keep exactly
#      their flows and meters, none of them replaced (each flow as old as
#      before plus the time between, which a flow added over it, or a
#      flush, would have reset), and A's flow counts every frame across the
#      restart; the controller takes the switches back (they are
#      connected);
#   2. a switch restart (ovs-vswitchd stopped by its pidfile and started on
#      the same database, so with no flows or meters): the controller
#      reprograms it fully, the same flows and meters as before on every
#      bridge, traffic passes again within 15 s, and A's meter enforces its
#      10 Mb/s again (90% to 105% of it, offered 20 Mb/s).

. "$METANET_SRCDIR/tests/system/lib.sh"
st_begin
st_start_lan || { echo "FAIL: cannot start the access LAN"; exit 1; }

P=$ML_PREFIX
st_lan_metalink 10 h1 ma ra min=10M max=10M \
    || { echo "FAIL: cannot add the metalink"; exit 1; }

# state: every bridge's flows (without statistics) and meters.
state() {
    for br in "$ST_H1" "$ST_H2" "$ST_R"; do
        echo "$br:"
        ovs-ofctl -O OpenFlow15 --no-stats dump-flows "$br" | sort
        ovs-ofctl -O OpenFlow15 dump-meters "$br" | sort
    done
}
# a_packets: n_packets of A's flow from its MPS port on h1.
a_packets() {
    ml_appctl revalidator/wait
    ovs-ofctl -O OpenFlow15 dump-flows "$ST_H1" "in_port=${P}ma" \
        | sed -n 's/.*n_packets=\([0-9]*\),.*meta_mli=10,.*/\1/p'
}
sent() {
    sed -n 's/^sent \([0-9]*\) frames.*/\1/p' "$1"
}
# ages: every bridge's flows, without statistics, each followed by its age
# in seconds, and the time.
ages() {
    st_now
    for br in "$ST_H1" "$ST_H2" "$ST_R"; do
        ovs-ofctl -O OpenFlow15 dump-flows "$br" | sed -n "
            s/^ *\(.*\) duration=\([0-9.]*\)s, \(.*\)/$br \1 \3 \2/p" \
            | sed 's/ n_packets=[0-9]*,//; s/ n_bytes=[0-9]*,//
                   s/ idle_age=[0-9]*,//; s/ hard_age=[0-9]*,//'
    done
}
# aged BEFORE AFTER: every flow of BEFORE is in AFTER, older by the time
# between them (to 0.5 s): none was replaced, which a flow's counters
# cannot show (Open vSwitch keeps them when an identical flow is added).
aged() {
    awk 'NR == FNR && FNR == 1 { t0 = $1; next }
         NR == FNR { age = $NF; $NF = ""; before[$0] = age; nb++; next }
         FNR == 1 { dt = $1 - t0; next }
         { age = $NF; $NF = ""
           if (!($0 in before)) { print "new flow: " $0; bad = 1; next }
           if (age < before[$0] + dt - 0.5) {
               print "replaced (" before[$0] " s old, now " age " s): " $0
               bad = 1
           }
           n++ }
         END { exit bad || n != nb }' "$1" "$2"
}

# 1. The controller restarts under traffic.
state > "$ST_DIR/state-before"
ages > "$ST_DIR/ages-before"
before=$(a_packets)
st_rx_start "${P}ra" "$ST_DIR/controller.rx"
st_tx_start "${P}ma" "$ST_DIR/controller.tx" --mli=10 --mni=7 --size=1000 \
    --rate=4M --duration=4
sleep 1
kill -KILL "$(cat "$ST_DIR/st-metanet-controller.pid")"
sleep 1
st_start_controller \
    || { echo "FAIL: cannot start the controller again"; exit 1; }
st_tx_wait "$ST_DIR/controller.tx"
sleep 0.3
st_rx_stop "$ST_DIR/controller.rx"
n=$(sent "$ST_DIR/controller.tx")
st_equal "every one of the $n frames sent arrived" "$n" \
    "$(st_rx_count "$ST_DIR/controller.rx")"
gap=$(st_rx_max_gap "$ST_DIR/controller.rx")
st_check "the traffic never stopped for 200 ms (longest gap $gap ms)" \
    st_within "$gap" 0 200
st_check "the controller has the switches back" \
    metactl --wait=hosts --timeout=20 sync
st_equal "h1 is connected" connected=true \
    "$(metactl --bare --columns=status find Host name=h1)"
state > "$ST_DIR/state-after"
st_check "every switch kept exactly its flows and meters" \
    diff "$ST_DIR/state-before" "$ST_DIR/state-after"
ages > "$ST_DIR/ages-after"
st_check "no flow was replaced or added: each is as old as it should be" \
    aged "$ST_DIR/ages-before" "$ST_DIR/ages-after"
st_equal "A's flow counted every frame" \
    $((before + n)) "$(a_packets)"

# 2. The switch restarts.
ml_stop_vswitchd
down=$(st_now)
ml_start_vswitchd || { echo "FAIL: cannot start ovs-vswitchd again"; exit 1; }
st_rx_start "${P}ra" "$ST_DIR/switch.rx" --count=1
st_tx_start "${P}ma" "$ST_DIR/switch.tx" --mli=10 --mni=7 --size=1000 \
    --rate=2M --duration=15
st_bg_stop "$ST_DIR/switch.rx.rxpid" ""
st_tx_stop "$ST_DIR/switch.tx"
first=$(sed -n 's/^period \([0-9.]*\) .*/\1/p' "$ST_DIR/switch.rx")
back=$(awk -v a="$down" -v b="${first:-0}" \
    'BEGIN { printf "%d ms", (b - a) * 1000 }')
st_check "traffic passes again within 15 s of the restart: $back" \
    test -n "$first"
same_state() {
    for _ in $(seq 40); do
        state > "$ST_DIR/state-restarted"
        cmp -s "$ST_DIR/state-before" "$ST_DIR/state-restarted" && return 0
        sleep 0.25
    done
    diff "$ST_DIR/state-before" "$ST_DIR/state-restarted"
}
st_check "every switch has its flows and meters again, as before" same_state

st_rx_start "${P}ra" "$ST_DIR/rate.rx"
start=$(st_now)
ip netns exec "${P}ma" meta-packet send -i eth0 --mli=10 --mni=7 --size=1000 \
    --rate=20M --duration=3
end=$(st_now)
sleep 0.3
st_rx_stop "$ST_DIR/rate.rx"
st_check_rate "offered 20 Mb/s, A carries its 10 Mb/s again" \
    "$ST_DIR/rate.rx" "$(st_at "$start" 0.5)" "$(st_at "$end" -0.2)" 10000

st_done
