# Fuzz targets, built with clang's libFuzzer and AddressSanitizer and run for
# a bounded time by "make fuzz" (FUZZ_SECONDS per target, default 60).  Not
# part of "make check".

FUZZ_SECONDS = 60
FUZZ_TARGETS = tests/fuzz/metaframe-parse-fuzzer
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined

EXTRA_DIST += tests/fuzz/metaframe-parse-fuzzer.c
CLEANFILES += $(FUZZ_TARGETS)

tests/fuzz/metaframe-parse-fuzzer: tests/fuzz/metaframe-parse-fuzzer.c \
		ovs/lib/metaframe.c ovs/lib/metaframe.h
	$(AM_V_CCLD)$(CLANG) $(FUZZ_CFLAGS) $(AM_CPPFLAGS) -o $@ \
		$(srcdir)/tests/fuzz/metaframe-parse-fuzzer.c ovs/lib/metaframe.c

fuzz: all
	@if test "$(CLANG)" = no; then \
		echo "make fuzz needs clang (utilities/metanet-setup installs it)"; \
		exit 1; \
	fi
	@$(MAKE) $(AM_MAKEFLAGS) $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do \
		corpus=tests/fuzz/corpus-$$(basename $$t); \
		mkdir -p $$corpus; \
		echo "fuzzing $$t for $(FUZZ_SECONDS) s"; \
		$$t -max_total_time=$(FUZZ_SECONDS) -max_len=64 \
			-print_final_stats=1 $$corpus || exit 1; \
	done
.PHONY: fuzz
