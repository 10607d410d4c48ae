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

# metactl keeps working through a 3-member Raft cluster (started by
# "metanet-ctl --cluster=3" on loopback) while its leader is killed: given
# the members as one comma-separated --db (or METANET_DB), metactl
# populates a LAN; then, while metactl adds metalinks one invocation after
# another, the leader is killed with SIGKILL; every invocation still
# succeeds within its --timeout, and every metalink an invocation reported
# committed is in the database, as each surviving member serves it; the
# killed member, restarted, catches up.  With no member left, metactl fails
# at once with one line; with no leader (two of three members dead), with
# one line when its --timeout expires.  Needs no root.

. "$METANET_SRCDIR/tests/db/lib.sh"
db_begin
LC_ALL=C
export LC_ALL

# The writer runs in the background; if the test stops early, so does it.
writer=
trap 'test -z "$writer" || kill "$writer" 2> /dev/null; db_end' EXIT

ctl() {
    metanet-ctl --prefix=c- --timeout=30 "$@"
}

member_sock() {
    echo "unix:$DB_DIR/c-member$1-metanet_db.sock"
}

member_pidfile() {
    echo "$DB_DIR/c-member$1-metanet_db.pid"
}

# leader: prints the number of the member that says it is the leader.
leader() {
    for i in 1 2 3; do
        if ovs-appctl -T 5 -t "$DB_DIR/c-member$i-metanet_db.ctl" \
               cluster/status $DB_NAME 2> /dev/null \
               | grep -qx "Role: leader"; then
            echo $i
            return 0
        fi
    done
    return 1
}

# mlis REMOTE: the MLIs in the Metalink table that REMOTE serves, sorted,
# one per line, read with ovsdb-client (from a follower too; it prints the
# _uuid column first).
mlis() {
    ovsdb-client -vconsole:warn -t 10 -f csv -d bare --no-headings \
        dump "$1" $DB_NAME Metalink mli _uuid \
        | sed '1d; s/^[^,]*,//' | sort -n
}

# has_mlis REMOTE FILE: succeeds if REMOTE serves exactly the MLIs in FILE.
has_mlis() {
    mlis "$1" > "$DB_DIR/has" && cmp -s "$DB_DIR/has" "$2"
}

# fails_within MIN MAX WHEN MESSAGE ARGS: metactl ARGS must fail with the
# one line "metactl: MESSAGE", after MIN to MAX seconds.
fails_within() {
    min=$1 max=$2 when=$3; shift 3
    start=$(date +%s)
    refused "metactl fails with one line $when" "$@"
    end=$(date +%s)
    st_check "... after $min to $max seconds ($((end - start)))" \
        test $((end - start)) -ge "$min" -a $((end - start)) -le "$max"
}

# lines FILE: the number of lines in FILE (0 if there is none).
lines() {
    if test -f "$1"; then
        wc -l < "$1" | tr -d ' '
    else
        echo 0
    fi
}

# wait_lines FILE N: waits until FILE has at least N lines, 0.1 s apart, at
# most 600 times and for at most 60 seconds.
wait_lines() {
    deadline=$(($(date +%s) + 60))
    for _ in $(seq 600); do
        test "$(lines "$1")" -lt "$2" || return 0
        test "$(date +%s)" -lt $deadline || return 1
        sleep 0.1
    done
    return 1
}

echo "== a LAN, through the list of members"
db=$(ctl --cluster=3 start-db) \
    || { echo "FAIL: metanet-ctl cannot start a 3-member cluster"; exit 1; }
st_check "metanet-ctl prints the three members' remotes ($db)" \
    eval 'echo "$db" | grep -Eqx "tcp:127\.0\.0\.1:[0-9]+(,tcp:127\.0\.0\.1:[0-9]+){2}"'
ok "metanets and a substrate router with --db= the list" --db="$db" \
    metanet-add red 5 max=10M -- metanet-add blue 6 max=10M \
    -- host-add r1 100G role=substrate-router
(export METANET_DB="$db"; metactl --timeout=20 host-add h1 10G router=r1 \
    -- host-add h2 10G router=r1 -- host-add h3 10G router=r1 \
    -- host-add h4 10G router=r1) > "$DB_DIR/out" 2>&1
rc=$?
st_equal "hosts with METANET_DB the list" "0 " "$rc $(cat "$DB_DIR/out")"
ok "metalinks" --db="$db" metalink-add red h1 mli=1 min=1M \
    -- metalink-add blue h2 mli=2 -- metalink-add red h3 mli=3
ok "show" --db="$db" show
st_check "show has the metalinks under their hosts" \
    eval 'echo "$out" | grep -q "^            metalink 3: min -, max -"'
printf '1\n2\n3\n' > "$DB_DIR/expected"
for i in 1 2 3; do
    st_check "member $i serves the three metalinks" \
        db_retry has_mlis "$(member_sock $i)" "$DB_DIR/expected"
done

echo "== the leader killed while metactl adds metalinks"
# One invocation after another, each adding one metalink with a given MLI;
# --may-exist, because a transaction under way when the leader dies may
# have committed before metactl runs it again on the new leader.  At most
# 400 invocations and 90 seconds; "writer.log" gets "MLI STATUS" for each.
(
    start=$(date +%s) i=0
    while test $i -lt 400 && test $(($(date +%s) - start)) -lt 90 \
          && test ! -e "$DB_DIR/stop-writing"; do
        i=$((i + 1)) mli=$((100 + i))
        metactl --timeout=20 --db="$db" --may-exist \
            metalink-add red "h$((i % 4 + 1))" mli=$mli \
            > /dev/null 2>> "$DB_DIR/writer.err"
        echo "$mli $?" >> "$DB_DIR/writer.log"
    done
) &
writer=$!
st_check "the writer commits 20 metalinks" wait_lines "$DB_DIR/writer.log" 20
n=$(leader)
st_check "a member is the leader" test -n "$n"
n=${n:-1}
pid=$(cat "$(member_pidfile $n)")
before=$(lines "$DB_DIR/writer.log")
kill -9 "$pid"
echo "killed the leader, member $n (pid $pid), after $before invocations"
st_check "the writer goes on for 40 more invocations" \
    wait_lines "$DB_DIR/writer.log" $((before + 40))
touch "$DB_DIR/stop-writing"
wait "$writer"
writer=
st_check "member $n is dead" eval '! db_pid_alive "$pid"'
total=$(lines "$DB_DIR/writer.log")
st_equal "every one of the $total invocations succeeded" "$total" \
    "$(grep -c ' 0$' "$DB_DIR/writer.log")"
st_equal "... saying nothing on stderr" "" "$(cat "$DB_DIR/writer.err")"
awk '{ print $1 }' "$DB_DIR/writer.log" >> "$DB_DIR/expected"
survivors=$(echo 1 2 3 | tr ' ' '\n' | grep -vx "$n" | tr '\n' ' ')
for i in $survivors; do
    st_check "member $i serves every metalink committed, and no other" \
        db_retry has_mlis "$(member_sock $i)" "$DB_DIR/expected"
done
ok "metalink-list through the list" --db="$db" -f csv --no-headings \
    --columns=mli metalink-list
st_equal "... counts them all" "$(lines "$DB_DIR/expected")" \
    "$(echo "$out" | grep -c .)"
st_check "a new leader was elected" db_retry eval 'test -n "$(leader)"'

echo "== the killed member comes back"
st_check "start-db starts it again and prints the remotes" \
    eval 'test "$(ctl start-db)" = "$db"'
st_check "member $n runs" db_pid_alive "$(cat "$(member_pidfile $n)")"
st_check "member $n catches up" \
    db_retry has_mlis "$(member_sock $n)" "$DB_DIR/expected"
ok "a metalink through the list" --db="$db" metalink-add blue h4 mli=99
echo 99 >> "$DB_DIR/expected"
sort -n "$DB_DIR/expected" > "$DB_DIR/expected.sorted"
st_check "member $n serves the next one too" \
    db_retry has_mlis "$(member_sock $n)" "$DB_DIR/expected.sorted"

echo "== no leader: the leader and another member stopped"
# The one left, a follower, cannot win an election alone.  (A leader left
# alone would go on serving reads for a while.)
st_check "the cluster has a leader" db_retry eval 'test -n "$(leader)"'
l=$(leader)
follower=$(echo 1 2 3 | tr ' ' '\n' | grep -vx "${l:-0}" | head -n 1)
for i in 1 2 3; do
    test $i = "$follower" || ctl --prefix=c-member$i- stop-db
done
fails_within 2 5 "at --timeout" \
    "timeout after 3 seconds looking for a server at $db that serves the Metanet database (another database, or no cluster leader)" \
    --timeout=3 --db="$db" metanet-list

echo "== every member stopped"
pids="$(cat "$(member_pidfile 1)" "$(member_pidfile 2)" "$(member_pidfile 3)" \
          2> /dev/null)"
st_check "stop-db stops the cluster" ctl stop-db
for pid in $pids; do
    st_check "pid $pid is stopped" eval '! db_pid_alive "$pid"'
done
fails_within 0 2 "at once, well within --timeout" \
    "$db: database connection failed (Connection refused)" \
    --timeout=10 --db="$db" metanet-list
(export METANET_DB="$db"; metactl --timeout=10 metanet-list) \
    > "$DB_DIR/out" 2> "$DB_DIR/err"
rc=$?
st_equal "the same with METANET_DB" \
    "1 metactl: $db: database connection failed (Connection refused)" \
    "$rc $(cat "$DB_DIR/err")"

st_done
