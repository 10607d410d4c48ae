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

st_done() {
    test $st_failures = 0
}
