# Tests.  "make check" runs, through tests/run-tests:
#   - the CUnit unit tests (tests/unit/);
#   - a fast subset of the patched Open vSwitch's own autotests: the
#     metaframe and meter tests ovs-meta adds, and the groups nearest to
#     what it changes (OVS_FAST_TESTS, items as tests/ovs-select takes);
#   - test scripts: tests/check-meta-cases.sh (every switch that handles an
#     MPLS action handles the metaframe one, and the check notices when one
#     does not) and the system tests (tests/system/): real patched
#     ovs-vswitchd instances with network namespaces as hosts.  These need
#     root; as another user they are skipped;
#   - the database tests (tests/db/): metanet-ctl, what the schema enforces,
#     its man pages and metactl through a 3-member cluster whose leader
#     fails, on real ovsdb-servers run as any user.
# and ends with one line, "N passed, N failed".

UNIT_TESTS = \
	tests/unit/test-allocator \
	tests/unit/test-demand \
	tests/unit/test-flow-compiler \
	tests/unit/test-metaframe \
	tests/unit/test-ovs-meta \
	tests/unit/test-metanet-rate \
	tests/unit/test-metanet-ids
check_PROGRAMS += $(UNIT_TESTS)
UNIT_LDADD = $(OVS_LIBOPENVSWITCH) $(CUNIT_LIBS)
UNIT_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
# Unit tests of controller/'s parts.
CONTROLLER_UNIT_LDADD = controller/libcontroller.la $(UNIT_LDADD)
CONTROLLER_UNIT_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/controller

tests_unit_test_allocator_SOURCES = \
	tests/unit/test-allocator.c \
	tests/unit/unit.c \
	tests/unit/unit.h
tests_unit_test_allocator_LDADD = $(CONTROLLER_UNIT_LDADD)
tests_unit_test_allocator_CPPFLAGS = $(CONTROLLER_UNIT_CPPFLAGS)
tests_unit_test_allocator_CFLAGS = $(UNIT_CFLAGS)

tests_unit_test_demand_SOURCES = \
	tests/unit/test-demand.c \
	tests/unit/unit.c \
	tests/unit/unit.h
tests_unit_test_demand_LDADD = $(CONTROLLER_UNIT_LDADD)
tests_unit_test_demand_CPPFLAGS = $(CONTROLLER_UNIT_CPPFLAGS)
tests_unit_test_demand_CFLAGS = $(UNIT_CFLAGS)

tests_unit_test_flow_compiler_SOURCES = \
	tests/unit/test-flow-compiler.c \
	tests/unit/unit.c \
	tests/unit/unit.h
tests_unit_test_flow_compiler_LDADD = $(CONTROLLER_UNIT_LDADD)
tests_unit_test_flow_compiler_CPPFLAGS = $(CONTROLLER_UNIT_CPPFLAGS)
tests_unit_test_flow_compiler_CFLAGS = $(UNIT_CFLAGS)

tests_unit_test_metaframe_SOURCES = \
	tests/unit/test-metaframe.c \
	tests/unit/unit.c \
	tests/unit/unit.h
tests_unit_test_metaframe_LDADD = $(UNIT_LDADD)
tests_unit_test_metaframe_CFLAGS = $(UNIT_CFLAGS)

tests_unit_test_ovs_meta_SOURCES = \
	tests/unit/test-ovs-meta.c \
	tests/unit/unit.c \
	tests/unit/unit.h
tests_unit_test_ovs_meta_LDADD = $(UNIT_LDADD)
tests_unit_test_ovs_meta_CFLAGS = $(UNIT_CFLAGS)

# Unit tests of libmetanet.
METANET_UNIT_LDADD = lib/libmetanet.la $(UNIT_LDADD)
tests_unit_test_metanet_rate_SOURCES = \
	tests/unit/test-metanet-rate.c \
	tests/unit/unit.c \
	tests/unit/unit.h
tests_unit_test_metanet_rate_LDADD = $(METANET_UNIT_LDADD)
tests_unit_test_metanet_rate_CFLAGS = $(UNIT_CFLAGS)

tests_unit_test_metanet_ids_SOURCES = \
	tests/unit/test-metanet-ids.c \
	tests/unit/unit.c \
	tests/unit/unit.h
tests_unit_test_metanet_ids_LDADD = $(METANET_UNIT_LDADD)
tests_unit_test_metanet_ids_CFLAGS = $(UNIT_CFLAGS)

SCRIPT_TESTS = \
	tests/check-meta-cases.sh \
	tests/metactl.sh \
	tests/system/controller.sh \
	tests/system/metaframe-forwarding.sh

# The controller with real traffic through namespaces (root; ~1.5 min).
SCRIPT_TESTS += \
	tests/system/controller-rates.sh \
	tests/system/controller-restart.sh

SCRIPT_TESTS += \
	tests/db/metanet-ctl.sh \
	tests/db/schema-constraints.sh \
	tests/db/man-pages.sh \
	tests/db/metactl-cluster.sh
EXTRA_DIST += tests/db/lib.sh

# tests/ofctrl.sh: an ofctrl (controller/ofctrl.c), driven through the
# unixctl commands of tests/test-ofctrl, programs real ovs-vswitchds with
# dummy datapaths, as any user.
check_PROGRAMS += tests/test-ofctrl
tests_test_ofctrl_SOURCES = tests/test-ofctrl.c
tests_test_ofctrl_LDADD = controller/libcontroller.la $(OVS_LIBOPENVSWITCH)
SCRIPT_TESTS += tests/ofctrl.sh

OVS_FAST_TESTS = \
	metaframe.at metaframe-actions.at meter \
	dpif-netdev.at mpls-xlate.at nsh.at odp.at ofp-actions.at

EXTRA_DIST += \
	tests/run-tests \
	tests/ovs-select \
	tests/system/lib.sh \
	$(SCRIPT_TESTS)

check-local:
	@$(srcdir)/tests/run-tests \
		--unit="$(UNIT_TESTS)" \
		--ovs-tests="$(OVS_FAST_TESTS)" \
		--scripts="$(SCRIPT_TESTS)" \
		--srcdir="$(abs_srcdir)" --builddir="$(abs_builddir)"

include tests/fuzz/automake.mk

# "make ovs-regression": OVS's own tests in the regression subset, on the
# patched tree and on an unpatched build of the same tarball (ovs-stock/),
# compared test by test.  Takes about 50 minutes on 2 cores, the stock build
# included; not part of "make check".
OVS_REGRESSION_TESTS = \
	ofproto.at ovs-ofctl.at ofp-actions.at odp.at dpif-netdev.at \
	mpls-xlate.at ofproto-dpif.at packet-type-aware.at bundle.at \
	nsh.at ofp-print.at
EXTRA_DIST += tests/ovs-regression

ovs-stock/.ovs-meta-prepared: $(srcdir)/ovs-meta/prepare-tree
	$(AM_V_GEN)$(srcdir)/ovs-meta/prepare-tree \
		$(OVS_TARBALL) - ovs-stock && touch $@
ovs-stock/config.status: | ovs-stock/.ovs-meta-prepared
	$(AM_V_GEN)cd ovs-stock && ./configure --enable-Werror CC="$(CC)" \
		> configure.log 2>&1
ovs-stock-build: ovs-stock/.ovs-meta-prepared ovs-stock/config.status
	@$(MAKE) -C ovs-stock $(AM_MAKEFLAGS)
.PHONY: ovs-stock-build

ovs-regression: all ovs-stock-build
	$(srcdir)/tests/ovs-regression ovs ovs-stock $(OVS_REGRESSION_TESTS)
.PHONY: ovs-regression
include tests/perf/automake.mk
