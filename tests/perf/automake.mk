# Benchmarks, run by "make perf"; not part of "make check".  Speed targets
# are reported, never asserted.
#
# "make perf-datapath": instructions per packet, counted with valgrind's
# callgrind so that the results are repeatable on a shared, noisy machine,
# in the userspace datapath of
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

# "make perf-controller": metanet-controller's reallocation latency with
# 1, 10 and 100 real host switches (bridges of one ovs-vswitchd, dummy
# ports), and the cost of 1,000 hosts x 20 metalinks on simulated switches:
# a full recompute and programming, single changes, memory.  Prints a table;
# about 10 minutes on 2 cores.  PERF_CONTROLLER_FLAGS passes options to
# tests/perf/controller-scale, e.g. PERF_CONTROLLER_FLAGS="--parts=a".

PERF_CONTROLLER_FLAGS =

EXTRA_DIST += tests/perf/controller-scale

perf-controller: all
	$(srcdir)/tests/perf/controller-scale --builddir=. --srcdir=$(srcdir) \
		$(PERF_CONTROLLER_FLAGS)
.PHONY: perf-controller

perf: perf-datapath perf-controller
.PHONY: perf
