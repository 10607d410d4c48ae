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

# Helpers for the database tests, which run real ovsdb-servers as any user
# (no root, no namespaces).  A test sources this and calls db_begin, which
# makes a private directory, $DB_DIR, where every database, socket, pidfile
# and log of the test goes, and METANET_RUNDIR, METANET_LOGDIR and
# METANET_DBDIR point there for metanet-ctl.  On exit, every daemon that left
# a pidfile in $DB_DIR is stopped, and the directory is removed unless
# something failed.  Checks come from tests/system/lib.sh (st_check,
# st_equal, st_done), and for metactl from mc, ok and refused below.

. "$METANET_SRCDIR/tests/system/lib.sh"
PATH=$OVS_BUILDDIR/ovsdb:$OVS_BUILDDIR/utilities:$PATH
export PATH

DB_NAME=Metanet
DB_SCHEMA=$METANET_SRCDIR/schemas/metanet.ovsschema

db_begin() {
    DB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/metanet-db-test.XXXXXX") || exit 1
    export METANET_RUNDIR=$DB_DIR METANET_LOGDIR=$DB_DIR METANET_DBDIR=$DB_DIR
    trap 'db_end' EXIT
    trap 'exit 1' INT TERM
}

db_end() {
    status=$?
    for pidfile in "$DB_DIR"/*.pid; do
        test -f "$pidfile" && db_stop_pid "$pidfile"
    done
    if test $status = 0 && test $st_failures = 0; then
        rm -rf "$DB_DIR"
    else
        echo "files kept in $DB_DIR"
        test $status != 0 || status=1
    fi
    exit $status
}

# db_transact REMOTE OPERATIONS: runs the transaction [Metanet, OPERATIONS]
# and prints ovsdb-client's reply.
db_transact() {
    ovsdb-client -vconsole:warn -t 10 transact "$1" "[\"$DB_NAME\", $2]"
}

# db_pid_alive PID: succeeds if process PID exists and has not exited.
db_pid_alive() {
    kill -0 "$1" 2> /dev/null || return 1
    test "$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2> /dev/null)" != Z
}

# db_stop_pid PIDFILE: stops the process whose pid PIDFILE holds, with
# SIGTERM, then SIGKILL, and removes PIDFILE.  (A process counts as stopped
# once it is a zombie: here PID 1 may take its time to reap daemons.)
db_stop_pid() {
    pid=$(cat "$1" 2> /dev/null)
    if test -n "$pid"; then
        for signal in TERM KILL; do
            kill -$signal "$pid" 2> /dev/null
            for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
                db_pid_alive "$pid" || break 2
                sleep 0.1
            done
        done
    fi
    rm -f "$1"
}

# db_retry COMMAND...: runs COMMAND until it succeeds, 0.2 s apart, at most
# 50 times and for at most 20 seconds; fails if it never does.
db_retry() {
    deadline=$(($(date +%s) + 20))
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 \
             21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 \
             41 42 43 44 45 46 47 48 49 50; do
        "$@" && return 0
        test "$(date +%s)" -lt $deadline || return 1
        sleep 0.2
    done
    return 1
}

# mc ARGS: metactl, never hanging.  Sets $out, $err and $rc.
mc() {
    metactl --timeout=20 "$@" > "$DB_DIR/out" 2> "$DB_DIR/err"
    rc=$?
    out=$(cat "$DB_DIR/out")
    err=$(cat "$DB_DIR/err")
}

# ok DESCRIPTION ARGS: metactl ARGS must succeed, silently on stderr.
ok() {
    desc=$1; shift
    mc "$@"
    if test $rc = 0 && test -z "$err"; then
        echo "ok: $desc"
    else
        echo "FAIL: $desc: metactl $*: exit $rc: $err"
        st_failures=$((st_failures + 1))
    fi
}

# refused DESCRIPTION MESSAGE ARGS: metactl ARGS must exit 1 with exactly
# the one line "metactl: MESSAGE" on stderr and nothing on stdout.
refused() {
    desc=$1 msg=$2; shift 2
    mc "$@"
    if test $rc = 1 && test "$err" = "metactl: $msg" && test -z "$out"; then
        echo "ok: $desc"
    else
        echo "FAIL: $desc: metactl $*: exit $rc"
        echo "  expected: metactl: $msg"
        echo "  got:      $err"
        st_failures=$((st_failures + 1))
    fi
}
