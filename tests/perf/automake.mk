# Benchmarks, run by "make perf"; not part of "make check".  They count
# instructions with valgrind's callgrind, so their results are repeatable on
# a shared, noisy machine.  Speed targets are reported, never asserted.
#
# "make perf-datapath": instructions per packet in the userspace datapath of
# the unpatched tree (ovs-stock/) and of the patched one (ovs/), for native
# forwarding, metaframes through a meter and push_meta, with dummy ports
# (one packet per batch) and, as root, veths (32-packet batches).  Writes
# tests/perf/results/datapath-cost.csv and prints a summary; about 20
# minutes on 2 cores.  PERF_DATAPATH_FLAGS passes options to
# tests/perf/datapath-cost, e.g. PERF_DATAPATH_FLAGS="--runs=3 --cases=a,b".

PERF_DATAPATH_FLAGS =

EXTRA_DIST += tests/perf/datapath-cost

perf-datapath: all ovs-stock-build
	$(srcdir)/tests/perf/datapath-cost \
		--stock=ovs-stock --patched=ovs \
		--csv=tests/perf/results/datapath-cost.csv \
		$(PERF_DATAPATH_FLAGS)
.PHONY: perf-datapath

perf: perf-datapath
.PHONY: perf
