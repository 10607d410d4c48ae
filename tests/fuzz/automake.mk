# Fuzz targets, run for a bounded time by "make fuzz" (FUZZ_SECONDS per
# target, default 60); not part of "make check".
#
# They link an instrumented build of the patched libopenvswitch, made in
# ovs-fuzz/ of the build tree with clang, AddressSanitizer and libFuzzer's
# coverage instrumentation (only the library is built there).

FUZZ_SECONDS = 60
FUZZ_TARGETS = \
	tests/fuzz/metaframe-parse-fuzzer \
	tests/fuzz/flow-extract-fuzzer
FUZZ_SANITIZERS = -fsanitize=address -fno-omit-frame-pointer
FUZZ_CPPFLAGS = -Iovs-fuzz/include -Iovs-fuzz/lib -Iovs-fuzz

EXTRA_DIST += \
	tests/fuzz/metaframe-parse-fuzzer.c \
	tests/fuzz/flow-extract-fuzzer.c
CLEANFILES += $(FUZZ_TARGETS)

ovs-fuzz/.ovs-meta-prepared: $(srcdir)/ovs-meta/series $(OVS_META_PATCHES) \
		$(srcdir)/ovs-meta/prepare-tree
	$(AM_V_GEN)$(srcdir)/ovs-meta/prepare-tree \
		$(OVS_TARBALL) $(srcdir)/ovs-meta ovs-fuzz && touch $@
ovs-fuzz/config.status: | ovs-fuzz/.ovs-meta-prepared
	$(AM_V_GEN)cd ovs-fuzz && ./configure CC="$(CLANG)" \
		CFLAGS="-g -O1 $(FUZZ_SANITIZERS) -fsanitize=fuzzer-no-link" \
		> configure.log 2>&1
# Only the library, with the generated sources it needs (OVS's
# BUILT_SOURCES, which a build of one target does not make by itself).
ovs-fuzz-lib: ovs-fuzz/.ovs-meta-prepared ovs-fuzz/config.status
	@built=$$(printf 'print-built-sources:\n\t@echo $$(BUILT_SOURCES)\n' \
		| $(MAKE) -s --no-print-directory -C ovs-fuzz -f Makefile -f - \
			print-built-sources) \
	&& $(MAKE) -C ovs-fuzz $(AM_MAKEFLAGS) $$built lib/libopenvswitch.la
.PHONY: ovs-fuzz-lib

$(FUZZ_TARGETS): ovs-fuzz-lib
	$(AM_V_CCLD)$(LIBTOOL) --quiet --tag=CC --mode=link $(CLANG) \
		-g -O1 $(FUZZ_SANITIZERS) -fsanitize=fuzzer $(FUZZ_CPPFLAGS) \
		-o $@ $(srcdir)/$@.c ovs-fuzz/lib/libopenvswitch.la

fuzz:
	@if test "$(CLANG)" = no; then \
		echo "make fuzz needs clang (utilities/metanet-setup installs it)"; \
		exit 1; \
	fi
	@$(MAKE) $(AM_MAKEFLAGS) $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do \
		corpus=tests/fuzz/corpus-$$(basename $$t); \
		mkdir -p $$corpus; \
		echo "fuzzing $$t for $(FUZZ_SECONDS) s"; \
		$$t -max_total_time=$(FUZZ_SECONDS) -max_len=128 \
			-print_final_stats=1 $$corpus > $$t.log 2>&1; \
		status=$$?; \
		tail -n 12 $$t.log; \
		test $$status = 0 || { echo "$$t failed, see $$t.log"; exit 1; }; \
	done
.PHONY: fuzz
