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

# Helpers for the system tests, on top of utilities/meta-lib.sh.  A system
# test sources this, calls st_begin, then checks with st_check and friends;
# everything it started is stopped on exit, whatever happens.  Exits 77
# (skipped) where the test cannot run: not root, no network namespaces.

: "${METANET_SRCDIR:?}" "${METANET_BUILDDIR:?}" "${OVS_BUILDDIR:?}"
. "$METANET_SRCDIR/utilities/meta-lib.sh"
PATH=$METANET_BUILDDIR/utilities:$PATH

st_failures=0

st_skip() {
    echo "$1"
    exit 77
}

st_begin() {
    test "$(id -u)" = 0 || st_skip "needs root for network namespaces"
    ip netns add "${ML_PREFIX}probe" 2> /dev/null \
        || st_skip "cannot create network namespaces here"
    ip netns del "${ML_PREFIX}probe"
    st_begin_dummy
}

# st_begin_dummy [VSWITCHD-ARGS...]: like st_begin, for a test that needs
# neither root nor namespaces; ARGS go to ovs-vswitchd (e.g.
# --enable-dummy=override, for bridges of dummy ports).
st_begin_dummy() {
    ST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/metanet-test.XXXXXX")
    trap 'st_end' EXIT
    trap 'exit 1' INT TERM
    ml_start "$ST_DIR" "$@" \
        || { echo "FAIL: cannot start Open vSwitch"; exit 1; }
}

# A test that starts more than Open vSwitch puts the commands that stop it
# in ST_CLEANUP, which st_end runs first.
st_end() {
    status=$?
    eval "${ST_CLEANUP:-}"
    ml_cleanup
    if test $status = 0 && test $st_failures = 0; then
        rm -rf "$ST_DIR"
    else
        echo "logs kept in $ST_DIR"
        tail -n 20 "$ST_DIR/ovs-vswitchd.log" 2> /dev/null
        test $status != 0 || status=1
    fi
    exit $status
}

# st_check DESCRIPTION COMMAND...: runs COMMAND, counts a failure if it fails.
st_check() {
    desc=$1; shift
    if "$@"; then
        echo "ok: $desc"
    else
        echo "FAIL: $desc"
        st_failures=$((st_failures + 1))
    fi
}

# st_equal DESCRIPTION EXPECTED ACTUAL
st_equal() {
    if test "$2" = "$3"; then
        echo "ok: $1"
    else
        echo "FAIL: $1: expected \"$2\", got \"$3\""
        st_failures=$((st_failures + 1))
    fi
}

# st_n_packets BRIDGE MATCH: prints n_packets of the flow whose match, as
# ovs-ofctl dump-flows prints it, is exactly MATCH (e.g.
# "priority=90,dl_type=0x88b5"), after a revalidation round has brought the
# datapath's counts up to date.
st_n_packets() {
    ml_appctl revalidator/wait
    ovs-ofctl -O OpenFlow13 dump-flows "$1" \
        | awk -v m="$2" '$0 ~ (" " m " actions=") {
              sub(/.*n_packets=/, ""); sub(/,.*/, ""); print }'
}

# st_wait_until COMMAND...: runs COMMAND every 0.1 s until it succeeds, for
# at most 10 s; fails if it never does.
st_wait_until() {
    for _ in $(seq 100); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

st_done() {
    test $st_failures = 0
}

# The controller's system tests: the Metanet database and metanet-controller
# (both through metanet-ctl, with every file in $ST_DIR and the prefix
# "st-") and an access LAN of real userspace switches in the ovs-vswitchd
# that st_begin started:
#
#   bridge       dpid  uplink  LAN MAC            access link
#   $ST_H1       01    up-h1   02:00:00:00:00:01  30 Mb/s, 6 Mb/s native
#   $ST_H2       02    up-h2   02:00:00:00:00:02  30 Mb/s, 6 Mb/s native
#   $ST_R        ff    up-r    02:00:00:00:00:ff  1 Gb/s (substrate router)
#
# with a fourth bridge, $ST_LAN (fail_mode=standalone, NORMAL), joined to
# every uplink by a patch port.  The hosts are in the database (metactl),
# with a metanet "red" (MNI 7).  A test then adds its metalinks and their
# ports: ml_add_host makes a namespace per MPS and per metarouter port.
#
# st_start_lan       starts the database and the controller and builds this.
# st_metanet_ctl ARG...
#                    runs metanet-ctl on them.
# st_lan_metalink MLI HOST MPS ROUTER_PORT [KEY=VALUE]...
#                    adds metalink MLI of HOST to metanet red (metactl
#                    metalink-add, with the KEY=VALUEs), with its MPS port
#                    MPS on HOST's switch and its metarouter port
#                    ROUTER_PORT on r, each a veth into a namespace of the
#                    same name ($ML_PREFIX before both), and waits until
#                    the switches applied it.
# st_start_controller, st_stop_controller
#                    (re)start the controller, stop it by its pidfile.
# st_controller_log_count PATTERN
#                    prints how many lines of the controller's log match.
# st_rx_start NS OUT [ARG]...
#                    starts "meta-packet recv" in NS (with --report=100 and
#                    ARGs) in the background, its report to OUT, and waits
#                    until it listens.
# st_rx_stop OUT     stops it (SIGTERM: it reports) and waits for it.
# st_tx_start NS OUT [ARG]...
#                    starts "meta-packet send -i eth0 ARG..." in NS in the
#                    background, its report to OUT.
# st_tx_wait OUT, st_tx_stop OUT
#                    wait for it to end, or stop it (SIGTERM) first.
# st_rx_count OUT    prints how many frames the receiver counted.
# st_rx_rate OUT FROM TO
#                    prints the median, over the 100 ms periods that OUT
#                    reports between FROM and TO (seconds since the epoch),
#                    of the rate that arrived, in kb/s; "none" if no period.
# st_check_rate DESCRIPTION OUT FROM TO KBPS
#                    checks that st_rx_rate OUT FROM TO is within 90% to
#                    105% of KBPS.
# st_rx_max_gap OUT  prints the longest gap between two frames, in ms.
# st_now             prints the time, in seconds since the epoch.
# st_at T SECONDS    prints the time T plus SECONDS.
st_metanet_ctl() {
    metanet-ctl --rundir="$ST_DIR" --dbdir="$ST_DIR" --logdir="$ST_DIR" \
        --prefix=st- "$@"
}

st_start_controller() {
    st_metanet_ctl start-controller > /dev/null
}

st_stop_controller() {
    ml_stop_pid "$ST_DIR/st-metanet-controller.pid"
}

st_controller_log_count() {
    grep -c "$1" "$ST_DIR/st-metanet-controller.log"
}

# st_lan_switch BR DPID: a host's or router's switch, to the controller.
st_lan_switch() {
    ml_add_bridge "$1" && ml_vsctl set bridge "$1" protocols=OpenFlow15 \
        other-config:datapath-id="$2" \
        -- set-controller "$1" "unix:$ST_DIR/st-metanet-controller.ofp"
}

# st_lan_uplink BR NAME: the patch port NAME of BR and its peer on the LAN.
st_lan_uplink() {
    ml_vsctl add-port "$1" "$2" -- set interface "$2" type=patch \
        options:peer="lan-$2" \
        -- add-port "$ST_LAN" "lan-$2" -- set interface "lan-$2" type=patch \
        options:peer="$2"
}

st_start_lan() {
    ST_H1=${ML_PREFIX}h1 ST_H2=${ML_PREFIX}h2 ST_R=${ML_PREFIX}r
    ST_LAN=${ML_PREFIX}lan
    ST_CLEANUP="st_stop_traffic; st_stop_controller;
                st_metanet_ctl stop-db > /dev/null; ${ST_CLEANUP:-}"
    st_metanet_ctl start-db > /dev/null || return 1
    export METANET_DB=unix:$ST_DIR/st-metanet_db.sock
    metactl metanet-add red 7 \
        -- host-add r 1G role=substrate-router dpid=00000000000000ff \
           uplink=up-r mac=02:00:00:00:00:ff \
        -- host-add h1 30M router=r dpid=0000000000000001 uplink=up-h1 \
           mac=02:00:00:00:00:01 native=6M \
        -- host-add h2 30M router=r dpid=0000000000000002 uplink=up-h2 \
           mac=02:00:00:00:00:02 native=6M > /dev/null || return 1
    st_start_controller || return 1

    ML_BRIDGES="$ML_BRIDGES $ST_LAN"
    ml_vsctl add-br "$ST_LAN" -- set bridge "$ST_LAN" datapath_type=netdev \
        fail_mode=standalone || return 1
    st_lan_switch "$ST_H1" 0000000000000001 \
        && st_lan_switch "$ST_H2" 0000000000000002 \
        && st_lan_switch "$ST_R" 00000000000000ff \
        && st_lan_uplink "$ST_H1" up-h1 \
        && st_lan_uplink "$ST_H2" up-h2 \
        && st_lan_uplink "$ST_R" up-r
}

st_lan_metalink() {
    mli=$1 host=$2 mps=$ML_PREFIX$3 rport=$ML_PREFIX$4; shift 4
    case $host in
        h1) host_br=$ST_H1 ;;
        h2) host_br=$ST_H2 ;;
        *) echo "st_lan_metalink: no host $host"; return 1 ;;
    esac
    ST_N_NS=$((${ST_N_NS:-0} + 2))
    ml_add_host "$mps" "$host_br" "$mps" "198.18.0.$((ST_N_NS - 1))" \
        && ml_add_host "$rport" "$ST_R" "$rport" "198.18.0.$ST_N_NS" \
        && metactl --wait=hosts --timeout=30 \
               metalink-add red "$host" mli="$mli" "$@" \
               -- set Metalink "$mli" port="$mps" router_port="$rport" \
               > /dev/null
}

st_rx_start() {
    ns=$1 out=$2; shift 2
    ip netns exec "$ns" meta-packet recv -i eth0 --count=10000000 \
        --timeout=60 --report=100 "$@" > "$out" 2>&1 &
    echo $! > "$out.rxpid"
    for _ in $(seq 50); do
        grep -q listening "$out" && return 0
        sleep 0.1
    done
    return 1
}

# st_bg_stop FILE SIGNAL: sends SIGNAL to the process whose pid is in FILE,
# unless it is empty, waits for it and removes FILE.
st_bg_stop() {
    if test -f "$1"; then
        test -z "$2" || kill "-$2" "$(cat "$1")" 2> /dev/null
        wait "$(cat "$1")"
        rm -f "$1"
    fi
}

st_rx_stop() {
    st_bg_stop "$1.rxpid" TERM
}

st_tx_start() {
    ns=$1 out=$2; shift 2
    ip netns exec "$ns" meta-packet send -i eth0 "$@" > "$out" 2>&1 &
    echo $! > "$out.txpid"
}

st_tx_wait() {
    st_bg_stop "$1.txpid" ""
}

st_tx_stop() {
    st_bg_stop "$1.txpid" TERM
}

st_stop_traffic() {
    for pidfile in "$ST_DIR"/*.rxpid "$ST_DIR"/*.txpid; do
        st_bg_stop "$pidfile" TERM
    done
}

st_rx_count() {
    sed -n 's/^received \([0-9]*\) frames$/\1/p' "$1"
}

st_rx_rate() {
    awk -v from="$2" -v to="$3" '
        $1 == "period" && $2 >= from && $2 + 0.1 <= to {
            r[n++] = $6 * 8 / 0.1 / 1000
        }
        END {
            if (!n) { print "none"; exit }
            for (i = 0; i < n; i++)         # Insertion sort: n is small.
                for (j = i; j > 0 && r[j - 1] > r[j]; j--) {
                    t = r[j]; r[j] = r[j - 1]; r[j - 1] = t
                }
            m = int(n / 2)
            printf "%d\n", n % 2 ? r[m] : (r[m - 1] + r[m]) / 2
        }' "$1"
}

st_check_rate() {
    rate=$(st_rx_rate "$2" "$3" "$4")
    st_check "$1: $rate kb/s (allocation $5)" \
        st_within "$rate" "$(($5 * 90 / 100))" "$(($5 * 105 / 100))"
}

st_rx_max_gap() {
    sed -n 's/^max gap \([0-9.]*\) ms.*/\1/p' "$1"
}

st_now() {
    date +%s.%N
}

st_at() {
    awk -v t="$1" -v d="$2" 'BEGIN { printf "%.6f\n", t + d }'
}

# st_within VALUE LOW HIGH: succeeds if VALUE is a number (not "none",
# "never" or empty) and LOW <= VALUE <= HIGH.
st_within() {
    awk -v v="$1" -v lo="$2" -v hi="$3" \
        'BEGIN { exit !(v ~ /^-?[0-9]+(\.[0-9]*)?$/ && v >= lo && v <= hi) }'
}
