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

# What schemas/metanet.ovsschema makes ovsdb-server enforce: unique metanet
# names, MNIs and MLIs; MNI in 1..2^32-1; metanets and hosts that metalinks
# use cannot be deleted (until the metalinks are gone), nor substrate routers
# that hosts name; role, mode and state only take their documented values;
# weight is at least 1; one Global row.
#
# Each check runs on a fresh database and says whether the server refused
# the bad transaction.  To show that each check can fail, it then runs again
# on a database made from a copy of the schema with just its constraint
# removed, where the same transaction must go through.

. "$METANET_SRCDIR/tests/db/lib.sh"
db_begin

n_db=0

# start_db SCHEMA: creates a database from SCHEMA and starts ovsdb-server on
# it; sets $sock to its remote.
start_db() {
    n_db=$((n_db + 1))
    db=$DB_DIR/c$n_db
    ovsdb-tool create "$db.db" "$1" || exit 1
    ovsdb-server "$db.db" -vconsole:off --remote="punix:$db.sock" \
        --pidfile="$db.pid" --unixctl="$db.ctl" --log-file="$db.log" \
        --detach --no-chdir || exit 1
    sock=unix:$db.sock
}

stop_db() {
    db_stop_pid "$db.pid"
}

# expect_ok OPERATIONS: a transaction that must succeed (setup, or the good
# half of a check); exits 2 from the check's subshell if it fails.
expect_ok() {
    out=$(db_transact "$sock" "$1")
    case $out in
        *'"error"'*)
            echo "  setup transaction failed: $out" >&2
            exit 2 ;;
    esac
}

# refused ERROR OPERATIONS: 0 if the transaction fails with ERROR (e.g.
# "constraint violation"), 1 if it succeeds, 2 if it fails otherwise.
refused() {
    out=$(db_transact "$sock" "$2")
    case $out in
        *"\"error\":\"$1\""*) return 0 ;;
        *'"error"'*)
            echo "  unexpected error: $out" >&2
            return 2 ;;
        '['*) return 1 ;;
    esac
    echo "  no reply: $out" >&2
    return 2
}

metanet() {
    echo "{\"op\": \"insert\", \"table\": \"Metanet\", \"uuid-name\": \"$1\",
           \"row\": {\"name\": \"$1\", \"mni\": $2}}"
}

host() {
    echo "{\"op\": \"insert\", \"table\": \"Host\", \"uuid-name\": \"$1\",
           \"row\": {\"name\": \"$1\", \"capacity\": 1000000000 $2}}"
}

metalink() {
    echo "{\"op\": \"insert\", \"table\": \"Metalink\",
           \"row\": {\"metanet\": [\"named-uuid\", \"$1\"],
                     \"host\": [\"named-uuid\", \"$2\"], \"mli\": $3 $4}}"
}

delete() {
    echo "{\"op\": \"delete\", \"table\": \"$1\",
           \"where\": [[\"name\", \"==\", \"$2\"]]}"
}

# The checks.  Each runs in a subshell on the database at $sock and returns
# 0 if the constraint held, 1 if the bad transaction went through, 2 if
# something else went wrong.

check_duplicate_metanet_name() (
    expect_ok "$(metanet m 1)"
    refused "constraint violation" "$(metanet m 2)"
)

check_duplicate_mni() (
    expect_ok "$(metanet m 1)"
    refused "constraint violation" "$(metanet n 1)"
)

check_mni_zero() (
    refused "constraint violation" "$(metanet m 0)"
)

check_mni_2_32() (
    expect_ok "$(metanet max 4294967295)"
    refused "constraint violation" "$(metanet m 4294967296)"
)

check_duplicate_mli() (
    expect_ok "$(metanet m 1), $(host h), $(metalink m h 7)"
    refused "constraint violation" "$(metanet n 2), $(host g), $(metalink n g 7)"
)

check_mli_reserved_for_meter_ids() (
    expect_ok "$(metanet m 1), $(host h), $(metalink m h 4294901759)"
    refused "constraint violation" \
        "$(metanet n 2), $(host g), $(metalink n g 4294901760)"
)

# delete_in_use TABLE NAME: with a metalink that uses metanet m and host h,
# deleting row NAME of TABLE is refused; once the metalink is gone, it works.
delete_in_use() {
    expect_ok "$(metanet m 1), $(host h), $(metalink m h 7)"
    refused "referential integrity violation" "$(delete "$1" "$2")"
    result=$?
    expect_ok "{\"op\": \"delete\", \"table\": \"Metalink\", \"where\": []},
               $(delete "$1" "$2")"
    return $result
}

check_delete_metanet_with_metalink() (
    delete_in_use Metanet m
)

check_delete_host_with_metalink() (
    delete_in_use Host h
)

check_delete_router_with_hosts() (
    expect_ok "$(host r ', "role": "substrate-router"'),
               $(host h ', "substrate_router": ["named-uuid", "r"]')"
    refused "referential integrity violation" "$(delete Host r)"
)

check_bad_role() (
    expect_ok "$(host r ', "role": "substrate-router"')"
    refused "constraint violation" "$(host h ', "role": "bogus"')"
)

# metalink_column COLUMN GOOD BAD: a metalink whose COLUMN is GOOD is
# accepted, one whose COLUMN is BAD refused (values in JSON).
metalink_column() {
    expect_ok "$(metanet m 1), $(host h), $(metalink m h 1 ", \"$1\": $2")"
    refused "constraint violation" \
        "$(metanet n 2), $(host g), $(metalink n g 2 ", \"$1\": $3")"
}

check_bad_mode() (
    metalink_column mode '"payload"' '"bogus"'
)

check_bad_state() (
    metalink_column state '"rejected"' '"bogus"'
)

check_weight_zero() (
    metalink_column weight 1 0
)

check_one_global_row() (
    expect_ok '{"op": "insert", "table": "Global", "row": {}}'
    refused "constraint violation" \
        '{"op": "insert", "table": "Global", "row": {}}'
)

# Each check, with a sed script that removes its constraint from the schema.
checks='
check_duplicate_metanet_name|s/"indexes": \[\["name"\], \["mni"\]\]/"indexes": [["mni"]]/
check_duplicate_mni|s/"indexes": \[\["name"\], \["mni"\]\]/"indexes": [["name"]]/
check_mni_zero|/"mni": {/,/maxInteger/s/"minInteger": 1,/"minInteger": 0,/
check_mni_2_32|/"mni": {/,/maxInteger/s/"maxInteger": 4294967295/"maxInteger": 8589934592/
check_duplicate_mli|s/"indexes": \[\["mli"\]\],/"indexes": [],/
check_mli_reserved_for_meter_ids|s/"maxInteger": 4294901759/"maxInteger": 4294967295/
check_delete_metanet_with_metalink|s/"refTable": "Metanet"}}}/"refTable": "Metanet", "refType": "weak"}, "min": 0, "max": 1}}/
check_delete_host_with_metalink|s/"refTable": "Host"}}}/"refTable": "Host", "refType": "weak"}, "min": 0, "max": 1}}/
check_delete_router_with_hosts|/"substrate_router": {/,/"max": 1/s/"refTable": "Host"}/"refTable": "Host", "refType": "weak"}/
check_bad_role|s/"substrate-router"\]\]/"substrate-router", "bogus"]]/
check_bad_mode|s/\["raw", "payload"\]/["raw", "payload", "bogus"]/
check_bad_state|s/"rejected"\]\]/"rejected", "bogus"]]/
check_weight_zero|/"weight": {/,/maxInteger/s/"minInteger": 1,/"minInteger": 0,/
check_one_global_row|s/"maxRows": 1,$/"maxRows": 2,/
'

# run_check CHECK SCHEMA: prints the check's result on a fresh database.
run_check() {
    start_db "$2"
    "$1"
    result=$?
    stop_db
    return $result
}

while IFS='|' read -r check mutation <&3; do
    test -n "$check" || continue
    echo "$check"
    run_check "$check" "$DB_SCHEMA"
    echo "$?" > "$DB_DIR/$check.result"

    weak=$DB_DIR/$check.ovsschema
    sed "$mutation" "$DB_SCHEMA" > "$weak"
    if cmp -s "$DB_SCHEMA" "$weak"; then
        echo "  the mutation for $check does not apply" >&2
        echo 2 > "$DB_DIR/$check.weak-result"
    else
        run_check "$check" "$weak"
        echo "$?" > "$DB_DIR/$check.weak-result"
    fi
done 3<<EOF
$checks
EOF

for check in $(echo "$checks" | sed 's/|.*//'); do
    st_equal "$check: refused by the schema" 0 \
        "$(cat "$DB_DIR/$check.result" 2> /dev/null)"
    st_equal "$check: accepted once the constraint is removed" 1 \
        "$(cat "$DB_DIR/$check.weak-result" 2> /dev/null)"
done
st_done
