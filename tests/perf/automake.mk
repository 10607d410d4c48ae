# Benchmarks, run by "make perf"; not part of "make check".  Speed targets
# and timings are reported, never asserted.
#
# "make perf-datapath": instructions per packet in the userspace datapath of
# the unpatched tree (ovs-stock/) and of the patched one (ovs/), for native
# forwarding, metaframes through a meter and push_meta, with dummy ports
# (one packet per batch) and, as root, veths (32-packet batches).  It counts
# instructions with valgrind's callgrind, so its results are repeatable on
# a shared, noisy machine.  Writes tests/perf/results/datapath-cost.csv and
# prints a summary; about 20 minutes on 2 cores.  PERF_DATAPATH_FLAGS passes
# options to tests/perf/datapath-cost, e.g.
# PERF_DATAPATH_FLAGS="--runs=3 --cases=a,b".

PERF_DATAPATH_FLAGS =

EXTRA_DIST += tests/perf/datapath-cost

perf-datapath: all ovs-stock-build
	$(srcdir)/tests/perf/datapath-cost \
		--stock=ovs-stock --patched=ovs \
		--csv=tests/perf/results/datapath-cost.csv \
		$(PERF_DATAPATH_FLAGS)
.PHONY: perf-datapath

# "make perf-db": the Metanet database at 10,000 metalinks, on standalone
# databases that metanet-ctl starts in a temporary directory: wall-clock
# time of adding 10,000 metalinks in one metactl transaction and one per
# invocation (1,000 from an empty database and 100 at 10,000, extrapolated
# to 10,000 and labelled so), of "metactl show" and "metactl metalink-list"
# at 10,000, and ovsdb-server's VmRSS (empty, at 10,000) and database file
# size; medians of 3 runs.  Writes tests/perf/results/db-scale.csv and
# prints a table and the command; about 2 minutes on 2 cores.
# PERF_DB_FLAGS passes options to tests/perf/db-scale, e.g.
# PERF_DB_FLAGS="--runs=1 --per-invocation=10000" to time all 10,000
# invocations (about 20 minutes).

PERF_DB_FLAGS =

EXTRA_DIST += tests/perf/db-scale

perf-db: all
	$(srcdir)/tests/perf/db-scale --builddir=. \
		--csv=tests/perf/results/db-scale.csv $(PERF_DB_FLAGS)
.PHONY: perf-db

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

perf: perf-datapath perf-db perf-controller
.PHONY: perf
