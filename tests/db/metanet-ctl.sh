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

# metanet-ctl runs the Metanet database: a standalone server starts, reports
# its status and socket, keeps its data across restarts and stops without
# leaving a process; instances with different prefixes run side by side; an
# old database is converted to the current schema; bad options get one line
# and exit 1; the controller starts and stops with the database; a 3-member
# cluster on loopback takes writes through one member and serves them
# through another, keeps working with one member stopped, takes the member
# back, and stops completely.

. "$METANET_SRCDIR/tests/db/lib.sh"
db_begin

ctl() {
    metanet-ctl --timeout=20 "$@"
}

# pid_of PREFIX: the pid in the pidfile of the database server PREFIX.
pid_of() {
    cat "$DB_DIR/$1metanet_db.pid" 2> /dev/null
}

# metanet_names REMOTE: the names in the Metanet table, sorted, one line.
metanet_names() {
    ovsdb-client -vconsole:warn -t 10 dump "$1" $DB_NAME Metanet name 2> /dev/null \
        | awk 'NR > 3 { print $1 }' | sort | tr '\n' ' '
}

# has_names REMOTE NAMES: succeeds if the Metanet table holds exactly NAMES.
has_names() {
    test "$(metanet_names "$1")" = "$2"
}

add_metanet() {
    out=$(db_transact "$1" "{\"op\": \"insert\", \"table\": \"Metanet\",
                             \"row\": {\"name\": \"$2\", \"mni\": $3}}") \
        && case $out in *error*) false ;; esac
}

n_global() {
    ovsdb-client -vconsole:warn -t 10 query "$1" \
        '["Metanet", {"op": "select", "table": "Global", "where": []}]' \
        | grep -o '"_uuid"' | wc -l | tr -d ' '
}

# not_running PID...: succeeds if none of the PIDs is a live process.
not_running() {
    for pid; do
        test -n "$pid" || return 1
        db_pid_alive "$pid" && return 1
    done
    return 0
}

# fails_with_one_line DESCRIPTION PATTERN COMMAND...: COMMAND must exit 1 and
# print one line on stderr, matching PATTERN, and nothing on stdout.
fails_with_one_line() {
    what=$1 pattern=$2; shift 2
    "$@" > "$DB_DIR/out" 2> "$DB_DIR/err"
    st_equal "$what: exit status" 1 $?
    st_equal "$what: one line on stderr" 1 "$(wc -l < "$DB_DIR/err" | tr -d ' ')"
    st_check "$what: says \"$pattern\"" grep -q -- "$pattern" "$DB_DIR/err"
    st_check "$what: nothing on stdout" test ! -s "$DB_DIR/out"
}

has_leader() {
    leader > /dev/null
}

# leader: prints the number of the member of cluster c- that is leader.
leader() {
    ctl --prefix=c- status-db \
        | sed -n 's/^database server member \([1-9]\) is running .*leader).*/\1/p' \
        | grep .
}

echo "== standalone"
sock=unix:$DB_DIR/metanet_db.sock
st_check "start-db succeeds" ctl start-db
pid=$(pid_of "")
st_check "the pidfile names a running process" db_pid_alive "$pid"
out=$(ctl status-db)
st_equal "status-db exits 0 while running" 0 $?
st_check "status-db gives the pid and the socket ($out)" \
    eval 'case $out in *"pid $pid, standalone"*"db $sock") true ;; *) false ;; esac'
st_equal "the database has one Global row" 1 "$(n_global "$sock")"
st_check "start-db again succeeds" ctl start-db
st_equal "start-db again leaves the same server" "$pid" "$(pid_of "")"
st_check "a metanet can be written" add_metanet "$sock" blue 1
st_check "restart-db succeeds" ctl restart-db
st_check "restart-db stopped the old server" not_running "$pid"
pid2=$(pid_of "")
st_check "restart-db started a new one" db_pid_alive "$pid2"
st_check "the data survived the restart" has_names "$sock" "blue "
st_equal "still one Global row" 1 "$(n_global "$sock")"
st_check "stop-db succeeds" ctl stop-db
st_check "stop-db stopped the server" not_running "$pid2"
st_check "stop-db removed the pidfile" test ! -e "$DB_DIR/metanet_db.pid"
out=$(ctl status-db)
st_equal "status-db exits 3 when stopped" 3 $?
st_equal "status-db says so" "database server is not running" "$out"
st_check "stop-db again succeeds" ctl stop-db

echo "== the database server and the controller together"
ctl start > "$DB_DIR/out" 2> "$DB_DIR/err"
st_equal "start exits 0" 0 $?
cpid=$(cat "$DB_DIR/metanet-controller.pid" 2> /dev/null)
st_check "start started the controller" db_pid_alive "$cpid"
st_check "the controller listens where switches connect" \
    test -S "$DB_DIR/metanet-controller.ofp"
out=$(ctl status)
st_equal "status exits 0" 0 $?
st_check "status reports the controller running" \
    eval 'echo "$out" | grep -q "^metanet-controller is running (pid $cpid)$"'
st_check "the controller answers on its control socket" \
    ovs-appctl -t "$DB_DIR/metanet-controller.ctl" metanet-controller/show
pid=$(pid_of "")
st_check "restart succeeds" eval 'ctl restart 2> /dev/null'
st_check "restart stopped the old server and controller" \
    not_running "$pid" "$cpid"
pid=$(pid_of "")
cpid=$(cat "$DB_DIR/metanet-controller.pid" 2> /dev/null)
st_check "restart started a new server" db_pid_alive "$pid"
st_check "and a new controller" db_pid_alive "$cpid"
st_check "stop succeeds" ctl stop
st_check "stop stopped both" not_running "$pid" "$cpid"
out=$(ctl status-controller)
st_equal "status-controller exits 3 when stopped" 3 $?
st_equal "status-controller says so" "metanet-controller is not running" \
    "$out"

echo "== two instances side by side"
st_check "start-db with prefix a- succeeds" ctl --prefix=a- start-db
st_check "start-db with prefix b- succeeds" ctl --prefix=b- start-db
pid_a=$(pid_of a-) pid_b=$(pid_of b-)
st_check "both run" db_pid_alive "$pid_a"
st_check "both run (b)" db_pid_alive "$pid_b"
st_check "they are two processes" test "$pid_a" != "$pid_b"
st_check "a takes a write" add_metanet "unix:$DB_DIR/a-metanet_db.sock" red 2
st_check "a has it" has_names "unix:$DB_DIR/a-metanet_db.sock" "red "
st_check "b does not" has_names "unix:$DB_DIR/b-metanet_db.sock" ""
st_check "stop-db of a succeeds" ctl --prefix=a- stop-db
st_check "a is stopped" not_running "$pid_a"
st_check "b still runs" db_pid_alive "$pid_b"
ctl --prefix=b- status-db > /dev/null
st_equal "status-db of b exits 0" 0 $?
ctl --prefix=a- status-db > /dev/null
st_equal "status-db of a exits 3" 3 $?
st_check "stop-db of b succeeds" ctl --prefix=b- stop-db
st_check "b is stopped" not_running "$pid_b"

echo "== bad options"
fails_with_one_line "an unknown option" "unknown option --bogus" \
    ctl --bogus start-db
fails_with_one_line "an unknown command" "unknown command frobnicate" \
    ctl frobnicate
fails_with_one_line "no command" "missing command" ctl
fails_with_one_line "a prefix with a slash" "prefix=x/y" \
    ctl --prefix=x/y start-db
fails_with_one_line "a cluster of 0" "cluster=0" ctl --cluster=0 start-db
fails_with_one_line "--cluster without an address" "cluster-local" \
    ctl --cluster start-db
fails_with_one_line "a bad cluster address" "cluster-local=127.0.0.1: expected" \
    ctl --cluster-local=127.0.0.1 start-db
fails_with_one_line "a bad remote" "db-remote=bogus: expected" \
    ctl --db-remote=bogus start-db
fails_with_one_line "a schema that is not one" \
    "cannot create $DB_DIR/bad-metanet.db: ovsdb-tool: failed to read schema" \
    ctl --prefix=bad- --db-schema="$METANET_SRCDIR/schemas/metanet.xml" start-db
st_check "it leaves no database file" test ! -e "$DB_DIR/bad-metanet.db"
fails_with_one_line "a missing schema" "cannot read schema" \
    ctl --prefix=none- --db-schema="$DB_DIR/none.ovsschema" start-db
st_check "nothing was started for them" \
    eval 'test -z "$(ls "$DB_DIR" | grep "\.pid$")"'

echo "== conversion to a new schema"
old=$DB_DIR/old.ovsschema
sed -e 's/"version": "[^"]*"/"version": "0.9.0"/' \
    -e '/"description": {"type": "string"},/d' "$DB_SCHEMA" > "$old"
version=$(ovsdb-tool schema-version "$DB_SCHEMA")
st_check "a database of an old schema starts" \
    ctl --prefix=old- --db-schema="$old" start-db
st_check "it takes a write" \
    add_metanet "unix:$DB_DIR/old-metanet_db.sock" green 3
ctl --prefix=old- stop-db
st_check "start-db with the new schema succeeds" ctl --prefix=old- start-db
st_equal "the database has the new schema" "$version" \
    "$(ovsdb-tool db-version "$DB_DIR/old-metanet.db")"
st_check "the old one is kept as a backup" \
    eval 'ls "$DB_DIR"/old-metanet.db.backup-0.9.0-* > /dev/null'
st_check "the data was converted" \
    has_names "unix:$DB_DIR/old-metanet_db.sock" "green "
ctl --prefix=old- stop-db

st_check "a clustered database of an old schema starts" \
    ctl --prefix=oldc- --db-schema="$old" --cluster=1 start-db
st_check "it takes a write" \
    add_metanet "unix:$DB_DIR/oldc-member1-metanet_db.sock" green 3
ctl --prefix=oldc- stop-db > /dev/null
st_check "start-db with the new schema succeeds" \
    eval 'ctl --prefix=oldc- start-db > /dev/null'
st_equal "the clustered database has the new schema" "$version" \
    "$(ovsdb-client -vconsole:warn -t 10 get-schema-version \
           "unix:$DB_DIR/oldc-member1-metanet_db.sock" $DB_NAME)"
st_check "its data was converted" \
    has_names "unix:$DB_DIR/oldc-member1-metanet_db.sock" "green "
ctl --prefix=oldc- stop-db

echo "== a cluster made member by member"
# As on three machines, but with Raft over Unix domain sockets.
raft() {
    echo "unix:$DB_DIR/$1.raft"
}
st_check "the first member creates the cluster" \
    ctl --prefix=r1- --cluster-local="$(raft r1)" start-db
for i in 2 3; do
    st_check "member $i joins it" ctl --prefix=r$i- \
        --cluster-local="$(raft r$i)" --cluster-remote="$(raft r1)" start-db
done
st_check "a write through member 3 succeeds" \
    add_metanet "unix:$DB_DIR/r3-metanet_db.sock" blue 1
st_check "member 2 serves it" \
    db_retry has_names "unix:$DB_DIR/r2-metanet_db.sock" "blue "
st_equal "the cluster has one Global row" 1 \
    "$(n_global "unix:$DB_DIR/r1-metanet_db.sock")"
ctl --prefix=r2- stop-db
fails_with_one_line "a member restarted with another address" \
    "is a cluster member at $(raft r2), not $(raft x)" \
    ctl --prefix=r2- --cluster-local="$(raft x)" start-db
st_check "a member restarts without the cluster options" \
    ctl --prefix=r2- start-db
st_check "it is clustered" \
    eval 'ctl --prefix=r2- status-db | grep -q "clustered, \(leader\|follower\))"'
ctl --prefix=a- start-db
ctl --prefix=a- stop-db
fails_with_one_line "--cluster on a standalone database" \
    "is a standalone database" \
    ctl --prefix=a- --cluster-local="$(raft a)" start-db
for i in 1 2 3; do
    ctl --prefix=r$i- stop-db
done

echo "== a 3-member cluster on loopback"
db=$(ctl --prefix=c- --cluster=3 start-db)
st_equal "start --cluster=3 succeeds" 0 $?
st_check "it prints three tcp remotes on 127.0.0.1 ($db)" \
    eval 'echo "$db" | grep -Eqx "tcp:127\.0\.0\.1:[0-9]+(,tcp:127\.0\.0\.1:[0-9]+){2}"'
m1=unix:$DB_DIR/c-member1-metanet_db.sock
m2=unix:$DB_DIR/c-member2-metanet_db.sock
m3=unix:$DB_DIR/c-member3-metanet_db.sock
pids="$(pid_of c-member1-) $(pid_of c-member2-) $(pid_of c-member3-)"
for pid in $pids; do
    st_check "member pid $pid runs" db_pid_alive "$pid"
done
out=$(ctl --prefix=c- status-db)
st_equal "status-db exits 0" 0 $?
st_equal "status-db reports three running members" 3 \
    "$(echo "$out" | grep -c 'is running (pid [0-9]*, clustered, \(leader\|follower\))')"
st_check "status-db gives the remotes" \
    eval 'echo "$out" | grep -qx "cluster db $db"'
st_equal "the cluster has one Global row" 1 "$(n_global "$m2")"
st_check "a write through member 2 succeeds" add_metanet "$m2" blue 1
st_check "member 3 serves it" db_retry has_names "$m3" "blue "
st_check "member 1 serves it" db_retry has_names "$m1" "blue "
st_check "the printed remotes serve it" db_retry has_names "$db" "blue "

# Stop the leader, so that the others must elect a new one.
st_check "the cluster has a leader" db_retry has_leader
n=$(leader)
others=$(echo 1 2 3 | tr ' ' '\n' | grep -v "^$n$" | tr '\n' ' ')
pid_n=$(pid_of "c-member$n-")
st_check "stopping the leader, member $n, succeeds" \
    ctl --prefix="c-member$n-" stop-db
st_check "member $n is stopped" not_running "$pid_n"
ctl --prefix=c- status-db > /dev/null
st_equal "status-db of the cluster exits 3 with a member down" 3 $?
st_check "a write through the remotes succeeds with 2 of 3" \
    db_retry add_metanet "$db" red 2
for i in $others; do
    st_check "member $i serves it" \
        db_retry has_names "unix:$DB_DIR/c-member$i-metanet_db.sock" "blue red "
done
st_check "start-db starts member $n again and prints the remotes" \
    eval 'test "$(ctl --prefix=c- start-db)" = "$db"'
st_check "member $n runs" db_pid_alive "$(pid_of "c-member$n-")"
st_check "member $n catches up" \
    db_retry has_names "unix:$DB_DIR/c-member$n-metanet_db.sock" "blue red "

pids="$(pid_of c-member1-) $(pid_of c-member2-) $(pid_of c-member3-)"
st_check "stop-db of the cluster succeeds" ctl --prefix=c- stop-db
st_check "every member is stopped" not_running $pids
out=$(ctl --prefix=c- status-db)
st_equal "status-db exits 3" 3 $?
st_equal "status-db reports every member not running" 3 \
    "$(echo "$out" | grep -c 'member [1-3] is not running')"
st_check "no pidfile is left" \
    eval 'test -z "$(ls "$DB_DIR" | grep "\.pid$")"'

st_done
