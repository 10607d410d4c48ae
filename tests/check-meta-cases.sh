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

# Tests check-meta-cases against a patched OVS tree: it must pass on the
# tree as it is, and fail, naming the right file and line, on a copy of the
# tree with one metaframe case label deleted from each switch in turn.
#
# Usage: check-meta-cases.sh [OVS_TREE]   (default: $OVS_BUILDDIR, as run-tests
# sets it)

set -e
tree=${1:-${OVS_BUILDDIR:?usage: $0 OVS_TREE}}
here=$(cd "$(dirname "$0")/../ovs-meta" && pwd)
check=$here/check-meta-cases
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Copy only the C sources, which is all the checker reads.
mkdir "$tmp/tree"
(cd "$tree" && find lib ofproto include -name '*.[ch]' -print \
     | tar -cf - -T -) | (cd "$tmp/tree" && tar -xf -)

if ! "$check" -q "$tmp/tree"; then
    echo "FAIL: check-meta-cases fails on the unmodified tree" >&2
    exit 1
fi

# For every META case label, delete it and expect a complaint about its file.
grep -rnE 'case (OFPACT|OVS_ACTION_ATTR)_(PUSH|POP)_META:' \
        "$tmp/tree/lib" "$tmp/tree/ofproto" | cut -d: -f1,2 | \
while IFS=: read file line; do
    cp "$file" "$file.orig"
    sed -i "${line}d" "$file"
    rel=${file#$tmp/tree/}
    if out=$("$check" -q "$tmp/tree" 2>/dev/null); then
        echo "FAIL: deleting $rel:$line went unnoticed" >&2
        exit 1
    fi
    case $out in
        "$rel:"*) ;;
        *) echo "FAIL: deleting $rel:$line reported as: $out" >&2; exit 1 ;;
    esac
    mv "$file.orig" "$file"
    echo "ok: deleting $rel:$line is reported"
done
echo "PASS"
