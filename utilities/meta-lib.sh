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

# meta-lib.sh: shell functions that run the patched Open vSwitch and
# namespace hosts, for the demo and the system tests.  Sourced, not run.
#
# ml_start DIR [ARG]... starts ovsdb-server and ovs-vswitchd (given the
#                     ARGs) with every file (database, sockets, pidfiles,
#                     logs) under DIR, from the build tree in $OVS_BUILDDIR.
# ml_stop_vswitchd, ml_start_vswitchd [ARG]...
#                     stop ovs-vswitchd (by pidfile) and start it again on
#                     the same database, as a switch restart does.
# ml_add_bridge BR    adds a userspace (netdev) bridge, fail_mode=secure,
#                     speaking OpenFlow 1.0 to 1.5.
# ml_add_host NS BR PORT ADDR
#                     makes network namespace NS with a veth whose host end
#                     PORT is on BR and whose namespace end is "eth0", with
#                     IPv4 ADDR/24 (198.18.0.0/15 only) and tx checksum
#                     offload off (the userspace datapath needs that).
# ml_vsctl, ml_appctl run ovs-vsctl and ovs-appctl (for ovs-vswitchd) on them.
# ml_ip ARG...        runs "ip ARG..." in ovs-vswitchd's network namespace.
# ml_cleanup          stops what ml_start started (by pidfile) and removes
#                     every bridge, namespace and veth the others made.
#
# Names are prefixed with $ML_PREFIX (default "mn" plus the shell's pid) so
# that several instances can run side by side.  For the same reason
# ovs-vswitchd runs in a network namespace of its own, $ML_SWITCH_NS
# ("${ML_PREFIX}sw"), wherever one can be made (as root): the userspace
# datapath makes a tap device "ovs-netdev", whose name two instances in the
# same network namespace would fight over.  The host ends of the veths are
# there too; ml_ip runs "ip" there.

: "${OVS_BUILDDIR:?OVS_BUILDDIR must name the patched OVS build tree}"
ML_PREFIX=${ML_PREFIX:-mn$$}
ML_NAMESPACES=
ML_VETHS=
ML_BRIDGES=
ML_SWITCH_NS=

ml_start() {
    ML_DIR=$1
    shift
    mkdir -p "$ML_DIR"
    export OVS_RUNDIR=$ML_DIR OVS_LOGDIR=$ML_DIR OVS_DBDIR=$ML_DIR \
           OVS_SYSCONFDIR=$ML_DIR OVS_PKGDATADIR=$OVS_BUILDDIR
    PATH=$OVS_BUILDDIR/utilities:$OVS_BUILDDIR/vswitchd:$OVS_BUILDDIR/ovsdb:$PATH
    export PATH

    if ip netns add "${ML_PREFIX}sw" 2> /dev/null; then
        ML_SWITCH_NS=${ML_PREFIX}sw
        ip -n "$ML_SWITCH_NS" link set lo up
    fi
    ovsdb-tool create "$ML_DIR/conf.db" \
        "$OVS_BUILDDIR/vswitchd/vswitch.ovsschema" || return 1
    ovsdb-server "$ML_DIR/conf.db" --remote="punix:$ML_DIR/db.sock" \
        --pidfile="$ML_DIR/ovsdb-server.pid" \
        --unixctl="$ML_DIR/ovsdb-server.ctl" \
        --log-file="$ML_DIR/ovsdb-server.log" --detach --no-chdir || return 1
    export DB_SOCK=$ML_DIR/db.sock
    ovs-vsctl --db="unix:$DB_SOCK" --no-wait init || return 1
    ml_start_vswitchd "$@"
}

ml_start_vswitchd() {
    ml_in_switch_ns ovs-vswitchd "unix:$DB_SOCK" --pidfile="$ML_DIR/ovs-vswitchd.pid" \
        --unixctl="$ML_DIR/ovs-vswitchd.ctl" \
        --log-file="$ML_DIR/ovs-vswitchd.log" --detach --no-chdir \
        --disable-system -vconsole:off "$@" || return 1
    ML_VSWITCHD_CTL=$ML_DIR/ovs-vswitchd.ctl
}

ml_stop_vswitchd() {
    ml_stop_pid "$ML_DIR/ovs-vswitchd.pid"
}

# ml_in_switch_ns COMMAND [ARG]...: runs COMMAND where ovs-vswitchd runs.
ml_in_switch_ns() {
    if test -n "$ML_SWITCH_NS"; then
        ip netns exec "$ML_SWITCH_NS" "$@"
    else
        "$@"
    fi
}

ml_ip() {
    ml_in_switch_ns ip "$@"
}

ml_vsctl() {
    ovs-vsctl --db="unix:$DB_SOCK" --timeout=20 "$@"
}

ml_appctl() {
    ovs-appctl -t "$ML_VSWITCHD_CTL" "$@"
}

ml_add_bridge() {
    ML_BRIDGES="$ML_BRIDGES $1"
    ml_vsctl add-br "$1" -- set bridge "$1" datapath_type=netdev \
        fail_mode=secure \
        protocols=OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13,OpenFlow14,OpenFlow15
}

ml_add_host() {
    ns=$1 br=$2 port=$3 addr=$4
    ip netns add "$ns" || return 1
    ML_NAMESPACES="$ML_NAMESPACES $ns"
    ip link add "$port" type veth peer name "$port-ns" || return 1
    ML_VETHS="$ML_VETHS $port"
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 || return 1
    ip link set "$port-ns" netns "$ns" || return 1
    if test -n "$ML_SWITCH_NS"; then
        ip link set "$port" netns "$ML_SWITCH_NS" || return 1
    fi
    ip -n "$ns" link set "$port-ns" name eth0 || return 1
    ip netns exec "$ns" ethtool -K eth0 tx off > /dev/null || return 1
    ip -n "$ns" addr add "$addr/24" dev eth0 || return 1
    ip -n "$ns" link set eth0 up || return 1
    ip -n "$ns" link set lo up || return 1
    ml_ip link set "$port" up || return 1
    ml_vsctl add-port "$br" "$port"
}

ml_stop_pid() {
    if test -f "$1"; then
        pid=$(cat "$1")
        kill "$pid" 2> /dev/null
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$pid" 2> /dev/null || break
            sleep 0.2
        done
        kill -9 "$pid" 2> /dev/null
        rm -f "$1"
    fi
}

ml_cleanup() {
    # A userspace bridge's own port is a tap device that outlives
    # ovs-vswitchd unless the bridge is deleted first.
    for br in $ML_BRIDGES; do
        ml_vsctl --if-exists del-br "$br" 2> /dev/null
        ml_ip link del "$br" 2> /dev/null
    done
    if test -n "${ML_DIR:-}"; then
        ml_stop_pid "$ML_DIR/ovs-vswitchd.pid"
        ml_stop_pid "$ML_DIR/ovsdb-server.pid"
    fi
    for ns in $ML_NAMESPACES; do
        ip netns del "$ns" 2> /dev/null
    done
    for veth in $ML_VETHS; do
        ml_ip link del "$veth" 2> /dev/null
    done
    test -z "$ML_SWITCH_NS" || ip netns del "$ML_SWITCH_NS"
    ML_NAMESPACES= ML_VETHS= ML_BRIDGES= ML_SWITCH_NS=
}
