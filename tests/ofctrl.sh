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

# ofctrl.sh: controller/ofctrl.c programs real switches, and sends them only
# the difference.
#
# One ovsdb-server and one patched ovs-vswitchd (--enable-dummy, so any user
# can run it) with two bridges of datapath type "dummy", br0 (dpid 1, ports
# p1 and p2) and br1 (dpid 2, ports q1 and q2), both fail_mode=secure and
# OpenFlow 1.5, whose controller is tests/test-ofctrl, an ofctrl driven
# through unixctl.  What the switches have is read with ovs-ofctl; what was
# sent to them, from ovs-vswitchd's own log of the OpenFlow messages it
# received (vconn at debug level).  Everything lives in a private directory
# and is stopped by pidfile at the end.

. "$METANET_SRCDIR/tests/db/lib.sh"
PATH=$METANET_BUILDDIR/tests:$OVS_BUILDDIR/vswitchd:$PATH

test -x "$METANET_BUILDDIR/tests/test-ofctrl" \
    || { echo "FAIL: tests/test-ofctrl not built"; exit 1; }

db_begin
D=$DB_DIR
export OVS_RUNDIR=$D OVS_LOGDIR=$D OVS_DBDIR=$D OVS_SYSCONFDIR=$D \
       OVS_PKGDATADIR=$OVS_BUILDDIR

vsctl() { ovs-vsctl --db="unix:$D/db.sock" --timeout=20 "$@"; }
vswitchd_ctl() { ovs-appctl -t "$D/ovs-vswitchd.ctl" "$@"; }
tctl() { ovs-appctl -t "$D/test-ofctrl.ctl" "$@"; }
ofctl() { ovs-ofctl -O OpenFlow15 "$@"; }

# wait_until DESCRIPTION COMMAND...: runs COMMAND every 0.1 s until it
# succeeds, for at most 15 s; counts a failure if it never does.
wait_until() {
    desc=$1; shift
    for _ in $(seq 150); do
        if "$@" > /dev/null 2>&1; then
            echo "ok: $desc"
            return 0
        fi
        sleep 0.1
    done
    echo "FAIL: $desc (waited 15 s)"
    st_failures=$((st_failures + 1))
    return 1
}

start_vswitchd() {
    ovs-vswitchd "unix:$D/db.sock" --enable-dummy --disable-system \
        --pidfile="$D/ovs-vswitchd.pid" --unixctl="$D/ovs-vswitchd.ctl" \
        --log-file="$D/ovs-vswitchd.log" --detach --no-chdir \
        -vconsole:off -vvconn:file:dbg \
        || { echo "FAIL: cannot start ovs-vswitchd"; exit 1; }
    # Every message it receives is logged, none left out.
    vswitchd_ctl vlog/disable-rate-limit vconn > /dev/null
}

start_ofctrl() {
    test-ofctrl "punix:$D/ofctrl.sock" --stats-interval=200 --probe-interval=1 \
        --pidfile="$D/test-ofctrl.pid" --unixctl="$D/test-ofctrl.ctl" \
        --log-file="$D/test-ofctrl.log" --detach --no-chdir -vconsole:off \
        || { echo "FAIL: cannot start test-ofctrl"; exit 1; }
}

# add_bridge BR DPID PORT1 PORT2
add_bridge() {
    vsctl add-br "$1" \
        -- set bridge "$1" datapath_type=dummy fail_mode=secure \
           protocols=OpenFlow15 other-config:datapath-id="$2" \
        -- add-port "$1" "$3" -- set interface "$3" type=dummy ofport_request=1 \
        -- add-port "$1" "$4" -- set interface "$4" type=dummy ofport_request=2 \
        -- set-controller "$1" "unix:$D/ofctrl.sock" \
        -- set controller "$1" max_backoff=1000 inactivity_probe=5000
}

# flows BR: BR's flows, without statistics, sorted.
flows() { ofctl dump-flows --no-stats "$1" | sed 's/^ *//' | sort; }

# meters BR: BR's meters, one line each, sorted.
meters() {
    ofctl dump-meters "$1" | sed 1d | tr '\n' ' ' | sed 's/ meter=/\nmeter=/g' \
        | sed 's/ *$//' | sort
}

# n_packets BR MATCH: n_packets of BR's flow whose match is MATCH.
n_packets() {
    vswitchd_ctl revalidator/wait > /dev/null
    ofctl dump-flows "$1" | awk -v m="$2" '$0 ~ (" " m " actions=") {
        sub(/.*n_packets=/, ""); sub(/,.*/, ""); print }'
}

# duration BR MATCH: whole seconds BR's flow with MATCH has existed.
duration() {
    ofctl dump-flows "$1" | awk -v m="$2" '$0 ~ (" " m " actions=") {
        sub(/.*duration=/, ""); sub(/\..*/, ""); print }'
}

# meter_packets BR ID: packets that entered BR's meter ID.
meter_packets() {
    vswitchd_ctl revalidator/wait > /dev/null
    ofctl meter-stats "$1" "meter=$2" | sed -n 's/.*packet_in_count:\([0-9]*\).*/\1/p'
}

# mark: remembers how long ovs-vswitchd's log is now.
mark() { log_mark=$(wc -l < "$D/ovs-vswitchd.log"); }

# sent: the flow and meter mods ovs-vswitchd received since mark, one line
# each ("flow_mod COMMAND MATCH", "meter_mod COMMAND meter=ID"), sorted,
# and one line per bundle committed.
sent() {
    tail -n "+$((log_mark + 1))" "$D/ovs-vswitchd.log" | sed -n \
        -e 's/.*received: OFPT_METER_MOD ([^)]*) ([^)]*): \([A-Z_]*\) \(meter=[0-9]*\).*/meter_mod \1 \2/p' \
        -e 's/^OFPT_FLOW_MOD ([^)]*) ([^)]*): \([A-Z_]*\) \([^ ]*\).*/flow_mod \1 \2/p' \
        -e 's/.*received: OFPT_FLOW_MOD ([^)]*) ([^)]*): \([A-Z_]*\) \([^ ]*\).*/unbundled flow_mod \1 \2/p' \
        -e 's/.*type=COMMIT_REQUEST.*/bundle commit/p' | sort
}

applied_is() { test "$(tctl test-ofctrl/applied "$1")" = "$2"; }
connected_is() { test "$(tctl test-ofctrl/connected "$1")" = "$2"; }
flows_are() { test "$(flows "$1")" = "$2"; }
stats_have() { tctl test-ofctrl/stats "$1" | grep -qx "$2"; }
port_is() { test "$(tctl test-ofctrl/port "$1" "$2")" = "$3"; }
error_shown() { tctl ofctrl/show | grep -q "last error: $1"; }

# A metaframe (MLI 5, MNI 7) and a UDP/IPv4 frame, from p1's side.
META5=50540000000250540000000188b5100000000000000500000007
META5=${META5}000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e
receive() {
    for _ in $(seq "$3"); do
        vswitchd_ctl netdev-dummy/receive "$1" "$2" > /dev/null
    done
}

# --- Start. ---
ovsdb-tool create "$D/conf.db" "$OVS_BUILDDIR/vswitchd/vswitch.ovsschema" \
    || exit 1
ovsdb-server "$D/conf.db" --remote="punix:$D/db.sock" \
    --pidfile="$D/ovsdb-server.pid" --unixctl="$D/ovsdb-server.ctl" \
    --log-file="$D/ovsdb-server.log" --detach --no-chdir \
    || { echo "FAIL: cannot start ovsdb-server"; exit 1; }
vsctl --no-wait init || exit 1
start_vswitchd
add_bridge br0 0000000000000001 p1 p2 || exit 1
add_bridge br1 0000000000000002 q1 q2 || exit 1
start_ofctrl

wait_until "br0 connects and is identified by its datapath id" \
    connected_is 1 true
wait_until "br1 connects and is identified by its datapath id" \
    connected_is 2 true
st_equal "ports are learned by name (br0 p2)" 2 "$(tctl test-ofctrl/port 1 p2)"
st_equal "ports are learned by name (br1 q1)" 1 "$(tctl test-ofctrl/port 2 q1)"
st_equal "an unknown port is OFPP_NONE" none "$(tctl test-ofctrl/port 1 q1)"
st_equal "an unknown switch is not connected" false \
    "$(tctl test-ofctrl/connected 3)"

# --- States. ---
cat > "$D/a" <<'EOF'
# br0, first state.
meter=5 rate=10000 burst=100
meter=6 rate=20000 burst=200
table=0,priority=10,cookie=0x1000000000005,in_port=1,dl_type=0x88b5,meta_mli=5 actions=meter:5,output:2
table=0,priority=10,cookie=0x2000000000005,in_port=2,dl_type=0x88b5,meta_mli=5 actions=output:1
table=0,priority=5,cookie=0x3000000000000,in_port=1,dl_type=0x0800 actions=meter:6,output:2
priority=0,cookie=0x7000000000000 actions=drop
EOF
# One flow's actions changed, one flow added, one removed, meter 5's rate
# changed.
cat > "$D/b" <<'EOF'
meter=5 rate=20000 burst=100
meter=6 rate=20000 burst=200
table=0,priority=10,cookie=0x1000000000005,in_port=1,dl_type=0x88b5,meta_mli=5 actions=meter:5,output:2
table=0,priority=10,cookie=0x2000000000005,in_port=2,dl_type=0x88b5,meta_mli=5 actions=meter:6,output:1
table=0,priority=10,cookie=0x1000000000007,in_port=1,dl_type=0x88b5,meta_mli=7 actions=meter:6,output:2
priority=0,cookie=0x7000000000000 actions=drop
EOF
# br1's state.
cat > "$D/c" <<'EOF'
meter=9 rate=5000 burst=50
table=0,priority=20,cookie=0x2000000000009,in_port=2,dl_type=0x88b5,meta_mli=9 actions=output:1
table=0,priority=20,cookie=0x1000000000009,in_port=1,dl_type=0x88b5,meta_mli=9 actions=meter:9,output:2
EOF
# b plus a flow whose meter does not exist, so that the switch refuses it.
cp "$D/b" "$D/bad"
cat >> "$D/bad" <<'EOF'
table=0,priority=10,cookie=0x1000000000008,in_port=1,dl_type=0x88b5,meta_mli=8 actions=meter:99,output:2
table=0,priority=10,cookie=0x1000000000009,in_port=1,dl_type=0x88b5,meta_mli=9 actions=output:2
EOF

FLOWS_A='cookie=0x1000000000005, priority=10,in_port=1,dl_type=0x88b5,meta_mli=5 actions=meter:5,output:2
cookie=0x2000000000005, priority=10,in_port=2,dl_type=0x88b5,meta_mli=5 actions=output:1
cookie=0x3000000000000, priority=5,ip,in_port=1 actions=meter:6,output:2
cookie=0x7000000000000, priority=0 actions=drop'
METERS_A='meter=5 kbps burst stats bands= type=drop rate=10000 burst_size=100
meter=6 kbps burst stats bands= type=drop rate=20000 burst_size=200'
FLOWS_B='cookie=0x1000000000005, priority=10,in_port=1,dl_type=0x88b5,meta_mli=5 actions=meter:5,output:2
cookie=0x1000000000007, priority=10,in_port=1,dl_type=0x88b5,meta_mli=7 actions=meter:6,output:2
cookie=0x2000000000005, priority=10,in_port=2,dl_type=0x88b5,meta_mli=5 actions=meter:6,output:1
cookie=0x7000000000000, priority=0 actions=drop'
METERS_B='meter=5 kbps burst stats bands= type=drop rate=20000 burst_size=100
meter=6 kbps burst stats bands= type=drop rate=20000 burst_size=200'
FLOWS_C='cookie=0x1000000000009, priority=20,in_port=1,dl_type=0x88b5,meta_mli=9 actions=meter:9,output:2
cookie=0x2000000000009, priority=20,in_port=2,dl_type=0x88b5,meta_mli=9 actions=output:1'
METERS_C='meter=9 kbps burst stats bands= type=drop rate=5000 burst_size=50'
META5_MATCH='priority=10,in_port=1,dl_type=0x88b5,meta_mli=5'

# --- The first put installs exactly the desired state; two switches are
# programmed independently. ---
tctl test-ofctrl/put 1 "$D/a" 1 > /dev/null
wait_until "br0 applies cfg 1" applied_is 1 1
st_equal "br0 has exactly state a's flows" "$FLOWS_A" "$(flows br0)"
st_equal "br0 has exactly state a's meters" "$METERS_A" "$(meters br0)"
st_equal "br1, not put yet, is untouched" "" "$(flows br1)"
st_equal "br1 has applied nothing" 0 "$(tctl test-ofctrl/applied 2)"

tctl test-ofctrl/put 2 "$D/c" 1 > /dev/null
wait_until "br1 applies its own cfg 1" applied_is 2 1
st_equal "br1 has exactly state c's flows" "$FLOWS_C" "$(flows br1)"
st_equal "br1 has exactly state c's meters" "$METERS_C" "$(meters br1)"
st_equal "br0 keeps state a while br1 is programmed" "$FLOWS_A" "$(flows br0)"
st_equal "installed state as ofctrl knows it = desired state" \
    "$(tctl ofctrl/dump-desired 1)" "$(tctl ofctrl/dump-installed 1)"

# --- Statistics. ---
receive p1 "$META5" 5
st_equal "the switch counted 5 metaframes on the MLI 5 flow" 5 \
    "$(n_packets br0 "$META5_MATCH")"
wait_until "ofctrl's statistics show the 5 packets under cookie 0x1000000000005" \
    stats_have 1 'cookie=0x1000000000005 flows=1 packets=5 bytes=285'
wait_until "ofctrl's statistics show meter 5's 5 packets" \
    stats_have 1 'meter=5 packets_in=5 bytes_in=285 dropped_packets=0 dropped_bytes=0'
st_check "ofctrl's statistics show br1's cookie, 0 packets" \
    stats_have 2 'cookie=0x1000000000009 flows=1 packets=0 bytes=0'

# --- A second put sends only the difference; the meter is modified in
# place. ---
mark
tctl test-ofctrl/put 1 "$D/b" 2 > /dev/null
wait_until "br0 applies cfg 2" applied_is 1 2
st_equal "only the difference was sent, flows in one bundle" \
"bundle commit
flow_mod ADD priority=10,in_port=1,dl_type=0x88b5,meta_mli=7
flow_mod DEL_STRICT priority=5,ip,in_port=1
flow_mod MOD_STRICT priority=10,in_port=2,dl_type=0x88b5,meta_mli=5
meter_mod MOD meter=5" "$(sent)"
st_equal "br0 has exactly state b's flows" "$FLOWS_B" "$(flows br0)"
st_equal "br0 has exactly state b's meters" "$METERS_B" "$(meters br0)"
st_equal "meter 5 kept its statistics across the rate change" 5 \
    "$(meter_packets br0 5)"
st_equal "the unchanged flow kept its counters" 5 \
    "$(n_packets br0 "$META5_MATCH")"

# --- An unchanged put sends nothing and is acknowledged. ---
mark
tctl test-ofctrl/put 1 "$D/b" 3 > /dev/null
wait_until "br0 acknowledges cfg 3" applied_is 1 3
st_equal "nothing was sent for an unchanged state" "" "$(sent)"

# --- A difference the switch refuses is not applied, not even in part. ---
mark
tctl test-ofctrl/put 1 "$D/bad" 4 > /dev/null
wait_until "the refusal is shown by ofctrl/show" \
    error_shown "cfg 4 not applied: OFPMMFC_INVALID_METER"
st_equal "a refused cfg is not applied" 3 "$(tctl test-ofctrl/applied 1)"
st_equal "the bundle was atomic: br0 still has state b" "$FLOWS_B" "$(flows br0)"
st_check "the failure is counted" test \
    "$(tctl coverage/read-counter ofctrl_txn_failed)" -ge 1
tctl test-ofctrl/put 1 "$D/b" 5 > /dev/null
wait_until "after a refusal, a good state is applied" applied_is 1 5
st_equal "br0 still has state b" "$FLOWS_B" "$(flows br0)"

# --- A restarted controller does not flush the switch. ---
receive p1 "$META5" 3
before=$(n_packets br0 "$META5_MATCH")
st_equal "8 metaframes counted before the controller restarts" 8 "$before"
# The flow must be old enough for a re-creation to show in its age.
for _ in 1 2 3 4 5 6; do
    age=$(duration br0 "$META5_MATCH")
    test "$age" -ge 2 && break
    sleep 0.5
done
st_check "the MLI 5 flow is at least 2 s old" test "$age" -ge 2
db_stop_pid "$D/test-ofctrl.pid"
st_equal "the switch keeps its flows while the controller is down" \
    "$FLOWS_B" "$(flows br0)"
# ovs-ofctl adds a flow and a meter behind the controller's back.
ofctl add-meter br0 meter=77,kbps,band=type=drop,rate=1000
ofctl add-flow br0 "priority=99,cookie=0x99,in_port=2,actions=drop"
mark
start_ofctrl
tctl test-ofctrl/put 1 "$D/b" 6 > /dev/null
tctl test-ofctrl/put 2 "$D/c" 6 > /dev/null
wait_until "br0 applies cfg 6 after the controller restarted" applied_is 1 6
wait_until "br1 applies cfg 6 after the controller restarted" applied_is 2 6
st_equal "the reconnection sent only the removal of what was added behind its back" \
"bundle commit
flow_mod DEL_STRICT priority=99,in_port=2
meter_mod DEL meter=77" "$(sent)"
st_equal "br0 is back to exactly state b's flows" "$FLOWS_B" "$(flows br0)"
st_equal "br0 is back to exactly state b's meters" "$METERS_B" "$(meters br0)"
st_equal "br1 kept state c" "$FLOWS_C" "$(flows br1)"
receive p1 "$META5" 2
st_equal "the flow's counter kept going across the restart (8 + 2)" 10 \
    "$(n_packets br0 "$META5_MATCH")"
st_check "the flow was not re-created (its age did not go back)" \
    test "$(duration br0 "$META5_MATCH")" -ge "$age"
st_equal "meter 5's statistics survived the controller restart" 10 \
    "$(meter_packets br0 5)"

# --- A restarted switch gets everything reinstalled. ---
seqno=$(tctl test-ofctrl/seqno)
db_stop_pid "$D/ovs-vswitchd.pid"
wait_until "the disconnection is noticed" connected_is 1 false
st_check "the disconnection changes the seqno" \
    test "$(tctl test-ofctrl/seqno)" != "$seqno"
start_vswitchd
wait_until "br0 reconnects" connected_is 1 true
wait_until "br0 gets state b's flows reinstalled" flows_are br0 "$FLOWS_B"
st_equal "br0 gets state b's meters reinstalled" "$METERS_B" "$(meters br0)"
wait_until "br1 gets state c's flows reinstalled" flows_are br1 "$FLOWS_C"
st_equal "br1 gets state c's meters reinstalled" "$METERS_C" "$(meters br1)"
tctl test-ofctrl/put 1 "$D/a" 7 > /dev/null
wait_until "the restarted br0 applies cfg 7" applied_is 1 7
st_equal "br0 has exactly state a's flows" "$FLOWS_A" "$(flows br0)"

# --- A silent switch is disconnected by the inactivity probe. ---
kill -STOP "$(cat "$D/ovs-vswitchd.pid")"
wait_until "a stopped switch is found out by the inactivity probe" \
    connected_is 1 false
kill -CONT "$(cat "$D/ovs-vswitchd.pid")"
st_check "the probe's disconnection is logged" \
    grep -q "no response to inactivity probe" "$D/test-ofctrl.log"
wait_until "br0 reconnects once it answers again" connected_is 1 true
tctl test-ofctrl/put 1 "$D/a" 8 > /dev/null
wait_until "br0 is in service again after the silence (applies cfg 8)" \
    applied_is 1 8
st_equal "br0 still has exactly state a's flows" "$FLOWS_A" "$(flows br0)"

# --- A second connection with the same datapath id replaces the first. ---
vsctl add-br br9 -- set bridge br9 datapath_type=dummy fail_mode=secure \
    protocols=OpenFlow15 other-config:datapath-id=0000000000000001 \
    -- set-controller br9 "unix:$D/ofctrl.sock"
wait_until "a second connection for dpid 1 replaces the first" \
    grep -q "switch 0000000000000001 reconnected, closing its old" \
    "$D/test-ofctrl.log"
vsctl del-br br9
wait_until "br0 is connected again" connected_is 1 true
wait_until "br0 keeps exactly state a's flows" flows_are br0 "$FLOWS_A"

# --- Ports added later are learned, and change the seqno. ---
seqno=$(tctl test-ofctrl/seqno)
vsctl add-port br0 p3 -- set interface p3 type=dummy ofport_request=3
wait_until "a new port is learned from a port-status message" \
    port_is 1 p3 3
st_check "the new port changed the seqno" \
    test "$(tctl test-ofctrl/seqno)" != "$seqno"
vsctl del-port br0 p3
wait_until "a removed port is forgotten" port_is 1 p3 none

# --- A switch that cannot speak OpenFlow 1.5 is refused. ---
vsctl add-br br2 -- set bridge br2 datapath_type=dummy fail_mode=secure \
    protocols=OpenFlow13 other-config:datapath-id=0000000000000003 \
    -- set-controller br2 "unix:$D/ofctrl.sock"
wait_until "an OpenFlow 1.3-only switch is refused and logged" \
    grep -q "may not speak OpenFlow 1.5" "$D/test-ofctrl.log"
st_equal "the refused switch is not connected" false \
    "$(tctl test-ofctrl/connected 3)"
vsctl del-br br2

tctl ofctrl/show

db_stop_pid "$D/test-ofctrl.pid"
db_stop_pid "$D/ovs-vswitchd.pid"
db_stop_pid "$D/ovsdb-server.pid"
st_done
