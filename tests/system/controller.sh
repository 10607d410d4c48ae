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

# metanet-controller, end to end on real daemons: the Metanet database
# (metanet-ctl), a patched ovs-vswitchd with a host's bridge, the substrate
# router's and a LAN bridge between them (dummy ports, so no root is
# needed), metactl to configure.  The controller admits a metalink, programs
# both switches so that its metaframes go host -> LAN -> router and back,
# drops another metalink's header, counts what it passed and dropped in the
# database, rejects what does not fit with a reason, makes --wait work,
# carries a payload-mode metalink (header pushed and popped by the switches,
# a header of its own dropped as forged), restarts without disturbing the
# switches, and hands over to a standby controller when it goes away.

. "$METANET_SRCDIR/tests/system/lib.sh"
st_begin_dummy --enable-dummy=override

CONTROLLER=$METANET_BUILDDIR/controller/metanet-controller
OFP=$ST_DIR/metanet-controller.ofp

metanet_ctl() {
    metanet-ctl --rundir="$ST_DIR" --dbdir="$ST_DIR" --logdir="$ST_DIR" \
        --prefix=ct- "$@"
}
metanet_ctl start-db > /dev/null || { echo "FAIL: metanet-ctl start-db"; exit 1; }
export METANET_DB=unix:$ST_DIR/ct-metanet_db.sock

start_controller() {
    "$CONTROLLER" --db="$METANET_DB" --listen="punix:$OFP" \
        --pidfile="$ST_DIR/controller.pid" \
        --unixctl="$ST_DIR/controller.ctl" \
        --log-file="$ST_DIR/controller.log" --detach --no-chdir \
        -vconsole:off -vofctrl:file:dbg
}
stop_controller() {
    ml_stop_pid "$ST_DIR/controller.pid"
}
ST_CLEANUP='stop_controller; metanet_ctl stop-db > /dev/null'

# Bridges: host h1 (dpid 1), router r (dpid ff), LAN between their uplinks.
bridge() {
    ml_vsctl add-br "$1" -- set bridge "$1" datapath_type=dummy \
        fail_mode=secure protocols=OpenFlow15 \
        other-config:datapath-id="$2" \
        -- set-controller "$1" "unix:$OFP"
}
patch() {
    ml_vsctl add-port "$1" "$2" -- set interface "$2" type=patch \
        options:peer="$3"
}
ML_BRIDGES="h1 r lan"
bridge h1 0000000000000001 || exit 1
bridge r 00000000000000ff || exit 1
ml_vsctl add-br lan -- set bridge lan datapath_type=dummy \
    fail_mode=standalone || exit 1
patch h1 up-h1 lan-h1 && patch lan lan-h1 up-h1 || exit 1
patch r up-r lan-r && patch lan lan-r up-r || exit 1
ml_vsctl add-port h1 mps1 -- set interface mps1 type=dummy \
    -- add-port r mr1 -- set interface mr1 type=dummy || exit 1

metactl metanet-add red 7 > /dev/null
metactl host-add r 1G role=substrate-router dpid=00000000000000ff \
    uplink=up-r mac=02:00:00:00:00:ff > /dev/null
metactl host-add h1 100M router=r dpid=0000000000000001 uplink=up-h1 \
    mac=02:00:00:00:00:01 native=10M > /dev/null
metactl metalink-add red h1 mli=5 min=20M max=50M > /dev/null
metactl set Metalink 5 port=mps1 router_port=mr1 2> /dev/null \
    || ovsdb-client transact "$METANET_DB" '["Metanet",
        {"op": "update", "table": "Metalink", "where": [["mli", "==", 5]],
         "row": {"port": "mps1", "router_port": "mr1"}}]' > /dev/null

start_controller || { echo "FAIL: cannot start metanet-controller"; exit 1; }

st_check "--wait=hosts returns once both switches applied the metalink" \
    metactl --wait=hosts --timeout=30 sync

# field TABLE CONDITION COLUMN: prints COLUMN of the row that CONDITION
# (as "metactl find" takes it) selects.
field() {
    metactl --bare --columns="$3" find "$1" "$2"
}
st_equal "the metalink is admitted" admitted "$(field Metalink mli=5 state)"
st_equal "idle, it is allocated its minimum" 20000000 \
    "$(field Metalink mli=5 allocated_rate)"
st_equal "the host is connected" 'connected=true' \
    "$(field Host name=h1 status)"

st_check "the host switch meters the metalink: meter 5 at 20 Mb/s" \
    sh -c "ovs-ofctl -O OpenFlow15 dump-meters h1 | grep -q 'meter=5 kbps burst stats bands=' \
           && ovs-ofctl -O OpenFlow15 dump-meters h1 | grep -q 'type=drop rate=20000'"

# A metaframe of MLI 5 from the MPS port reaches the metarouter's port; one
# with another MLI does not.
frame() {
    printf '00000000000000000000000188b510000000%08x%08x0123456789abcdef' \
        "$1" "$2"
}
tx_packets() {
    ovs-ofctl -O OpenFlow15 dump-ports "$1" "$2" \
        | sed -n 's/^.*tx pkts=\([0-9]*\).*/\1/p'
}
for _ in 1 2 3; do
    ml_appctl netdev-dummy/receive mps1 "$(frame 5 7)" > /dev/null
done
ml_appctl netdev-dummy/receive mps1 "$(frame 6 7)" > /dev/null
ml_appctl netdev-dummy/receive mps1 "$(frame 5 8)" > /dev/null
ml_appctl revalidator/wait
st_equal "3 metaframes of MLI 5 reached the metarouter's port" 3 \
    "$(tx_packets r mr1)"

# And back: the router's port to the MPS's.
ml_appctl netdev-dummy/receive mr1 "$(frame 5 7)" > /dev/null
ml_appctl revalidator/wait
st_equal "the metarouter's metaframe reached the MPS's port" 1 \
    "$(tx_packets h1 mps1)"

# The statistics reach the database within a few statistics intervals.
stat() {
    metactl get Metalink "$(field Metalink mli=5 _uuid)" statistics:"$1" \
        2> /dev/null
}
stat_is() {
    test "$(stat "$1")" = "$2"
}
stat_is_ml() {
    test "$(metactl get Metalink "$(field Metalink mli="$1" _uuid)" \
            statistics:"$2" 2> /dev/null)" = "$3"
}
st_check "statistics: 3 passed" st_wait_until stat_is passed_packets 3
st_check "statistics: 2 dropped as invalid" \
    st_wait_until stat_is invalid_dropped_packets 2
st_check "statistics: 1 received" st_wait_until stat_is rx_packets 1

# A payload-mode metalink: its program sends plain frames, the host's switch
# pushes the header and the router's pops it; a header of its own is
# dropped as forged.  (Here all bridges share one datapath, so the push
# and the pop cancel out in its flow; the OpenFlow flows show them.)
ml_vsctl add-port h1 mps2 -- set interface mps2 type=dummy \
    -- add-port r mr2 -- set interface mr2 type=dummy || exit 1
metactl metalink-add red h1 mli=7 min=5M mode=payload > /dev/null
ovsdb-client transact "$METANET_DB" '["Metanet",
    {"op": "update", "table": "Metalink", "where": [["mli", "==", 7]],
     "row": {"port": "mps2", "router_port": "mr2"}}]' > /dev/null
metactl --wait=hosts --timeout=30 sync
plain=00000000000000000000000188b60123456789abcdef0123456789abcdef
ml_appctl netdev-dummy/receive mps2 "$plain" > /dev/null
ml_appctl netdev-dummy/receive mps2 "$plain" > /dev/null
ml_appctl netdev-dummy/receive mps2 "$(frame 7 7)" > /dev/null
ml_appctl revalidator/wait
st_equal "a payload-mode program's 2 plain frames reach the router's port" 2 \
    "$(tx_packets r mr2)"
st_check "the host's switch pushes the header" sh -c \
    "ovs-ofctl -O OpenFlow15 dump-flows h1 | grep -q 'push_meta(mli=7,mni=7)'"
st_check "the router's pops it" sh -c \
    "ovs-ofctl -O OpenFlow15 dump-flows r | grep -q 'meta_mli=7 actions=pop_meta'"
st_check "the header it wrote itself was dropped as forged" \
    st_wait_until stat_is_ml 7 invalid_dropped_packets 1

# A metalink whose minimum does not fit is rejected by the controller, with
# a reason (written behind metactl's back, which would refuse it).
ovsdb-client transact "$METANET_DB" '["Metanet",
    {"op": "insert", "table": "Metalink", "uuid-name": "ml",
     "row": {"mli": 6, "min_rate": 80000000,
             "metanet": ["uuid", "'"$(field Metanet name=red _uuid)"'"],
             "host": ["uuid", "'"$(field Host name=h1 _uuid)"'"]}},
    {"op": "mutate", "table": "Global", "where": [],
     "mutations": [["cfg", "+=", 1]]}]' > /dev/null
st_check "--wait=controller returns" metactl --wait=controller --timeout=30 sync
st_equal "the metalink that does not fit is rejected" rejected \
    "$(field Metalink mli=6 state)"
st_check "its reason names the host and what is left" sh -c \
    "metactl metalink-list | grep '^6 ' | grep -q 'host \"h1\" cannot guarantee 80 Mbps: 65 Mbps'"

# A restart of the controller leaves the switches' flows alone.
flows() {
    ovs-ofctl -O OpenFlow15 --no-stats dump-flows "$1" | sort
}
counters() {
    ovs-ofctl -O OpenFlow15 dump-flows "$1" \
        | sed -n 's/.*\(n_packets=[0-9]*\).*priority=\([^ ]*\).*/\2 \1/p' | sort
}
flows h1 > "$ST_DIR/flows-before"
counters h1 > "$ST_DIR/counters-before"
stop_controller
start_controller || { echo "FAIL: cannot restart metanet-controller"; exit 1; }
metactl --wait=hosts --timeout=30 sync
flows h1 > "$ST_DIR/flows-after"
counters h1 > "$ST_DIR/counters-after"
st_check "a controller restart leaves the flows as they were" \
    diff "$ST_DIR/flows-before" "$ST_DIR/flows-after"
st_check "and their counters: nothing was replaced" \
    diff "$ST_DIR/counters-before" "$ST_DIR/counters-after"

# Active and standby: a second controller waits while the first holds the
# database lock, and takes over the switches when the first goes away.
OFP2=$ST_DIR/standby.ofp
ml_vsctl set-controller h1 "unix:$OFP" "unix:$OFP2" \
    -- set-controller r "unix:$OFP" "unix:$OFP2"
"$CONTROLLER" --db="$METANET_DB" --listen="punix:$OFP2" \
    --pidfile="$ST_DIR/standby.pid" --unixctl="$ST_DIR/standby.ctl" \
    --log-file="$ST_DIR/standby.log" --detach --no-chdir -vconsole:off \
    || { echo "FAIL: cannot start a second metanet-controller"; exit 1; }
ST_CLEANUP="ml_stop_pid $ST_DIR/standby.pid; $ST_CLEANUP"
lock_of() {
    ovs-appctl -t "$1" metanet-controller/show | sed -n 's/^lock: //p'
}
lock_is() {
    test "$(lock_of "$1")" = "$2"
}
st_check "the second controller waits for the lock" \
    st_wait_until lock_is "$ST_DIR/standby.ctl" contended
st_equal "the first holds it" held "$(lock_of "$ST_DIR/controller.ctl")"
stop_controller
st_check "the second takes the lock when the first exits" \
    st_wait_until lock_is "$ST_DIR/standby.ctl" held
st_check "and programs the switches: a new maximum reaches h1's meter" \
    sh -c "metactl --wait=hosts --timeout=30 metalink-set 5 min=30M max=30M \
           && ovs-ofctl -O OpenFlow15 dump-meters h1 \
              | grep -q 'type=drop rate=30000'"

st_done
