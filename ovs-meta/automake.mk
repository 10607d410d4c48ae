# The Open vSwitch extension.
#
# "make" extracts $(OVS_TARBALL) into ovs/, applies ovs-meta/series exactly,
# configures the result with --enable-Werror and builds it.  After an edit to
# the series only the files whose contents changed are rewritten, so OVS's own
# make rebuilds just those (see ovs-meta/prepare-tree).

OVS_META_PATCHES = $(wildcard $(srcdir)/ovs-meta/patches/*.patch)

EXTRA_DIST += \
	ovs-meta/README.md \
	ovs-meta/series \
	ovs-meta/prepare-tree \
	ovs-meta/check-meta-cases \
	ovs-meta/devtree \
	$(OVS_META_PATCHES)

BUILT_SOURCES += ovs-build

ovs/.ovs-meta-prepared: $(srcdir)/ovs-meta/series $(OVS_META_PATCHES) \
		$(srcdir)/ovs-meta/prepare-tree
	$(AM_V_GEN)$(srcdir)/ovs-meta/prepare-tree \
		$(OVS_TARBALL) $(srcdir)/ovs-meta ovs && touch $@

# Configured once; later changes to the series reach OVS's Makefile through
# its own rebuild rules, without reconfiguring (which would rebuild it all).
ovs/config.status: | ovs/.ovs-meta-prepared
	$(AM_V_GEN)cd ovs && ./configure --enable-Werror CC="$(CC)" \
		> configure.log 2>&1 || { \
		echo "ovs-meta: configuring Open vSwitch failed, see ovs/configure.log" >&2; \
		exit 1; }

ovs-build: ovs/.ovs-meta-prepared ovs/config.status
	@$(MAKE) -C ovs $(AM_MAKEFLAGS)
.PHONY: ovs-build

# Checks that every switch that handles an MPLS action also handles the
# corresponding metaframe action.
ovs-meta-check: ovs/.ovs-meta-prepared
	$(srcdir)/ovs-meta/check-meta-cases ovs
	$(srcdir)/tests/check-meta-cases.sh ovs
.PHONY: ovs-meta-check

clean-local: ovs-clean
ovs-clean:
	-test ! -f ovs/Makefile || $(MAKE) -C ovs clean
.PHONY: ovs-clean

distclean-local: ovs-distclean
ovs-distclean:
	rm -rf ovs ovs.stage ovs.stage.* ovs.boot.log
.PHONY: ovs-distclean
