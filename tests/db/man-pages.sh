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

# The database's man pages: the build rendered metanet(5) from
# schemas/metanet.xml, and it, metanet-ctl(8), metactl(8) and
# metanet-controller(8) format without warnings.
# What keeps the documentation and the schema in step: ovsdb-doc, as the
# build runs it, fails on a schema with an undocumented column or table, or
# without a column the documentation describes; and cksum-schema-check, as
# the build runs it, fails on a schema whose checksum is stale.

. "$METANET_SRCDIR/tests/db/lib.sh"
command -v groff > /dev/null || st_skip "groff is not installed"
db_begin

page5=$METANET_BUILDDIR/schemas/metanet.5
page8=$METANET_SRCDIR/utilities/metanet-ctl.8
xml=$METANET_SRCDIR/schemas/metanet.xml

st_check "the build made schemas/metanet.5" test -s "$page5"
st_check "metanet.5 is newer than metanet.xml" test "$page5" -nt "$xml"
st_check "metanet.5 is a metanet page" \
    grep -q '^\.TH "metanet" 5 .*"metanet [^"]*" "metanet Manual"' "$page5"
for table in Global Metanet Host Metalink Connection SSL RBAC_Role \
             RBAC_Permission; do
    st_check "metanet.5 describes table $table" \
        grep -q "^\.SH \"$table TABLE\"" "$page5"
done

# groff 1.22's an.tmac warns (category "syntax") on every ".IP TAG WIDTH",
# which ovsdb-doc writes for lists; every other warning is enabled.
for page in "$page5" "$page8" "$METANET_SRCDIR/utilities/metactl.8" \
            "$METANET_SRCDIR/controller/metanet-controller.8"; do
    groff -man -Tutf8 -ww -Wsyntax -z "$page" > "$DB_DIR/groff.out" 2>&1
    st_equal "$(basename "$page") formats" 0 $?
    st_check "$(basename "$page") formats without warnings" \
        test ! -s "$DB_DIR/groff.out"
    cat "$DB_DIR/groff.out"
done
if command -v man > /dev/null; then
    MANWIDTH=80 man -l "$page8" > "$DB_DIR/man.out" 2>&1
    st_check "man -l shows metanet-ctl.8's commands" \
        grep -q 'start-db' "$DB_DIR/man.out"
fi

# ovsdb_doc SCHEMA: runs ovsdb-doc on SCHEMA and metanet.xml as the build
# does.
ovsdb_doc() {
    PYTHONPATH=$OVS_BUILDDIR/python PYTHONDONTWRITEBYTECODE=yes \
        python3 "$OVS_BUILDDIR/ovsdb/ovsdb-doc" --version=test "$1" "$xml" \
        > "$DB_DIR/doc.out" 2> "$DB_DIR/doc.err"
}

st_check "ovsdb-doc accepts the schema and its documentation" \
    ovsdb_doc "$DB_SCHEMA"

sed 's/"cfg": {"type": "integer"},/& "undocumented": {"type": "integer"},/' \
    "$DB_SCHEMA" > "$DB_DIR/extra-column.ovsschema"
st_check "ovsdb-doc refuses an undocumented column" \
    eval '! ovsdb_doc "$DB_DIR/extra-column.ovsschema"'
st_check "and names it" grep -q 'undocumented column undocumented' \
    "$DB_DIR/doc.err"

sed 's/"tables": {/& "Undocumented": {"columns": {"x": {"type": "integer"}}},/' \
    "$DB_SCHEMA" > "$DB_DIR/extra-table.ovsschema"
st_check "ovsdb-doc refuses an undocumented table" \
    eval '! ovsdb_doc "$DB_DIR/extra-table.ovsschema"'
st_check "and names it" grep -q 'undocumented table Undocumented' \
    "$DB_DIR/doc.err"

sed '/"description": {"type": "string"},/d' \
    "$DB_SCHEMA" > "$DB_DIR/missing-column.ovsschema"
st_check "ovsdb-doc refuses documentation of a column the schema lacks" \
    eval '! ovsdb_doc "$DB_DIR/missing-column.ovsschema"'

cksum_check() {
    "$OVS_BUILDDIR/build-aux/cksum-schema-check" "$1" "$DB_DIR/stamp" \
        2> "$DB_DIR/cksum.err"
}
st_check "the schema's checksum is right" cksum_check "$DB_SCHEMA"
sed 's/"minInteger": 10,/"minInteger": 11,/' "$DB_SCHEMA" \
    > "$DB_DIR/changed.ovsschema"
st_check "cksum-schema-check refuses a changed schema with the old checksum" \
    eval '! cksum_check "$DB_DIR/changed.ovsschema"'

st_done
