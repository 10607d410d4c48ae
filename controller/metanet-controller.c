/*
 * Copyright (c) 2026 The metanet developers.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at:
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

/* metanet-controller: turns the Metanet database into enforced, isolated
 * access on every switch of the access LAN.
 *
 * A thin loop around the pure parts: it reads the database through the
 * IDL (lan.h), estimates each metalink's demand from its meters (demand.h),
 * admits and allocates (lan_allocate()), compiles each switch's flows and
 * meters (lan_compile()), hands them to the switch connections (ofctrl.h),
 * and writes decisions, statistics and sequence numbers back.  Only the
 * controller that holds the database lock "metanet_controller" acts; others
 * wait, so that a standby can take over. */

#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "command-line.h"
#include "coverage.h"
#include "daemon.h"
#include "dirs.h"
#include "demand.h"
#include "fatal-signal.h"
#include "hash.h"
#include "lan.h"
#include "lib/metanet-db.h"
#include "lib/metanet-idl.h"
#include "ofctrl.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "stream.h"
#include "stream-ssl.h"
#include "switch-flows.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(metanet_controller);

COVERAGE_DEFINE(controller_compute);
/* Microseconds of CPU time spent in compute rounds (compute() and the
 * commit of its transaction), so that benchmarks can tell them from the
 * rest of the main loop. */
COVERAGE_DEFINE(controller_compute_usec);

#define LOCK_NAME "metanet_controller"
#define DEFAULT_INTERVAL 1000   /* ms, allocation and statistics. */

static const char *db;
static const char *listen_target;
static char *unixctl_path;
static char *default_listen;

/* What the controller remembers about one metalink between iterations. */
struct ml_state {
    struct hmap_node node;      /* In 'ml_states', by MLI. */
    uint32_t mli;
    struct demand out;          /* Its meter on its host's switch. */
    struct demand in;           /* Its meter on its router's switch. */
    bool seen;                  /* Still in the database. */
};

/* What the controller remembers about one switch. */
struct sw_state {
    struct hmap_node node;      /* In 'sw_states', by dpid. */
    uint64_t dpid;
    bool put;                   /* Has had a state put. */
    int64_t changed_cfg;        /* Configuration that last changed it. */
    bool seen;
};

static struct hmap ml_states = HMAP_INITIALIZER(&ml_states);
static struct hmap sw_states = HMAP_INITIALIZER(&sw_states);

static void parse_options(int argc, char *argv[]);
static void usage(void) OVS_NO_RETURN;
static unixctl_cb_func controller_exit;
static unixctl_cb_func controller_show;

/* Returns the state of the metalink with 'mli', or NULL. */
static struct ml_state *
ml_state_find(uint32_t mli)
{
    struct ml_state *s;

    HMAP_FOR_EACH_WITH_HASH (s, node, hash_int(mli, 0), &ml_states) {
        if (s->mli == mli) {
            return s;
        }
    }
    return NULL;
}

/* Returns the state of the metalink with 'mli', creating it if needed. */
static struct ml_state *
ml_state_get(uint32_t mli)
{
    struct ml_state *s = ml_state_find(mli);

    if (s) {
        return s;
    }
    s = xzalloc(sizeof *s);
    s->mli = mli;
    demand_init(&s->out);
    demand_init(&s->in);
    hmap_insert(&ml_states, &s->node, hash_int(mli, 0));
    return s;
}

static struct sw_state *
sw_state_get(uint64_t dpid)
{
    struct sw_state *s;

    HMAP_FOR_EACH_WITH_HASH (s, node, hash_uint64(dpid), &sw_states) {
        if (s->dpid == dpid) {
            return s;
        }
    }
    s = xzalloc(sizeof *s);
    s->dpid = dpid;
    hmap_insert(&sw_states, &s->node, hash_uint64(dpid));
    return s;
}

static ofp_port_t
lookup_port(const void *ofctrl, uint64_t dpid, const char *name)
{
    return ofctrl_get_port(ofctrl, dpid, name);
}

/* Feeds the latest meter counters of the switches into the demand
 * estimates. */
static void
update_demands(const struct lan *lan, const struct ofctrl *ofctrl)
{
    for (size_t i = 0; i < lan->n_metalinks; i++) {
        const struct lan_metalink *ml = &lan->metalinks[i];
        const struct lan_host *ends[2];
        struct ml_state *s;

        if (ml->problem) {
            continue;
        }
        s = ml_state_get(ml->mli);
        s->seen = true;
        ends[0] = ml->host;
        ends[1] = ml->host->router;
        for (int e = 0; e < 2; e++) {
            const struct ofctrl_stats *st;
            const struct ofctrl_meter_stats *m;

            if (!ends[e]->has_dpid) {
                continue;
            }
            st = ofctrl_get_stats(ofctrl, ends[e]->dpid);
            m = st && st->when ? ofctrl_stats_find_meter(st, ml->mli) : NULL;
            if (m) {
                demand_update(e ? &s->in : &s->out, m->byte_in, st->when);
            }
        }
    }
}

static uint64_t
metalink_demand(const struct lan_metalink *ml)
{
    const struct ml_state *s = ml_state_get(ml->mli);
    uint64_t allocated = (ml->row->n_allocated_rate
                          && ml->row->allocated_rate[0] > 0
                          ? ml->row->allocated_rate[0] : 0);

    return MAX(demand_get(&s->out, allocated, ml->min_rate),
               demand_get(&s->in, allocated, ml->min_rate));
}

/* Writes 'ml''s decision into its row, where it changed. */
static void
write_decision(const struct lan_metalink *ml)
{
    const struct mnrec_metalink *row = ml->row;
    const char *state = ml->admitted ? "admitted" : "rejected";
    int64_t rate = ml->admitted ? ml->rate : 0;

    if (!row->state || strcmp(row->state, state)) {
        mnrec_metalink_set_state(row, state);
    }
    if (!row->n_allocated_rate || row->allocated_rate[0] != rate) {
        mnrec_metalink_set_allocated_rate(row, &rate, 1);
    }
    if (ml->reason
        ? !row->reason || strcmp(row->reason, ml->reason)
        : row->reason != NULL) {
        mnrec_metalink_set_reason(row, ml->reason);
    }
}

/* Sums, over the flows of the switch 'dpid' whose cookie has 'kind' and
 * 'mli', their packets or bytes. */
static uint64_t
cookie_count(const struct ofctrl *ofctrl, const struct lan_host *h,
             enum sf_cookie_kind kind, uint32_t mli, bool bytes)
{
    const struct ofctrl_stats *st = (h->has_dpid
                                     ? ofctrl_get_stats(ofctrl, h->dpid)
                                     : NULL);
    const struct ofctrl_cookie_stats *c;

    c = st ? ofctrl_stats_find_cookie(st, sf_cookie(kind, mli)) : NULL;
    return c ? (bytes ? c->n_bytes : c->n_packets) : 0;
}

/* Writes the statistics of 'ml', from its host's switch, into its row. */
static void
write_statistics(const struct lan_metalink *ml, const struct ofctrl *ofctrl)
{
    const struct lan_host *h = ml->host;
    const struct ofctrl_stats *st = (h->has_dpid
                                     ? ofctrl_get_stats(ofctrl, h->dpid)
                                     : NULL);
    const struct ofctrl_meter_stats *m;
    const struct ml_state *s = ml_state_get(ml->mli);
    const char *keys[7];
    int64_t values[7];
    size_t n = 0;

    if (!st || !st->when) {
        return;
    }
    m = ofctrl_stats_find_meter(st, ml->mli);

#define STAT(KEY, VALUE) (keys[n] = KEY, values[n++] = (VALUE))
    STAT("passed_packets", m ? m->packet_in - m->drop_packets : 0);
    STAT("passed_bytes", m ? m->byte_in - m->drop_bytes : 0);
    STAT("meter_dropped_packets", m ? m->drop_packets : 0);
    STAT("invalid_dropped_packets",
         cookie_count(ofctrl, h, SF_COOKIE_DROP_INVALID, ml->mli, false)
         + cookie_count(ofctrl, h, SF_COOKIE_DROP_FORGED, ml->mli, false));
    STAT("rx_packets",
         cookie_count(ofctrl, h, SF_COOKIE_METALINK_IN, ml->mli, false));
    STAT("rx_bytes",
         cookie_count(ofctrl, h, SF_COOKIE_METALINK_IN, ml->mli, true));
    STAT("demand_rate", MAX(demand_rate(&s->out), demand_rate(&s->in)));
#undef STAT

    mnrec_metalink_set_statistics(ml->row, keys, values, n);
}

/* Gives each switch its flows and meters, as of configuration 'cfg', and
 * updates the hosts' status and applied configuration. */
static void
program_switches(const struct lan *lan, struct ofctrl *ofctrl, int64_t cfg)
{
    struct sw_state *s;
    struct lan_host *h;

    HMAP_FOR_EACH (s, node, &sw_states) {
        s->seen = false;
    }
    HMAP_FOR_EACH (h, node, &lan->hosts) {
        const struct mnrec_host *row = h->row;
        bool connected = h->has_dpid && ofctrl_is_connected(ofctrl, h->dpid);
        struct smap status = SMAP_INITIALIZER(&status);
        int64_t host_cfg = row->cfg;

        if (h->has_dpid) {
            struct switch_flows sf;

            s = sw_state_get(h->dpid);
            s->seen = true;
            switch_flows_init(&sf);
            lan_compile(lan, h, lookup_port, ofctrl, &sf);
            if (ofctrl_put(ofctrl, h->dpid, &sf, cfg) || !s->put) {
                s->put = true;
                s->changed_cfg = cfg;
            }
            switch_flows_destroy(&sf);

            int64_t applied = ofctrl_get_applied_cfg(ofctrl, h->dpid);
            if (connected) {
                host_cfg = MAX(host_cfg, applied);
            } else if (applied && applied >= s->changed_cfg) {
                /* The switch applied what it should have now, which later
                 * configurations did not change. */
                host_cfg = MAX(host_cfg, cfg);
            }
        } else {
            host_cfg = MAX(host_cfg, cfg);
        }
        if (host_cfg != row->cfg) {
            mnrec_host_set_cfg(row, host_cfg);
        }

        smap_add(&status, "connected", connected ? "true" : "false");
        if (h->problem) {
            smap_add(&status, "error", h->problem);
        }
        if (!smap_equal(&status, &row->status)) {
            mnrec_host_set_status(row, &status);
        }
        smap_destroy(&status);
    }
    HMAP_FOR_EACH_SAFE (s, node, &sw_states) {
        if (!s->seen) {
            hmap_remove(&sw_states, &s->node);
            free(s);
        }
    }
}

/* Returns the smallest 'cfg' of the hosts, or 'cfg' if there are none. */
static int64_t
hosts_cfg(struct ovsdb_idl *idl, int64_t cfg)
{
    const struct mnrec_host *row;
    int64_t min = cfg;

    MNREC_HOST_FOR_EACH (row, idl) {
        min = MIN(min, row->cfg);
    }
    return min;
}

static void
forget_gone_metalinks(void)
{
    struct ml_state *s;

    HMAP_FOR_EACH_SAFE (s, node, &ml_states) {
        if (!s->seen) {
            hmap_remove(&ml_states, &s->node);
            free(s);
        } else {
            s->seen = false;
        }
    }
}

/* One round of the controller's work, in a transaction 'txn'. */
static void
compute(struct ovsdb_idl *idl, struct ofctrl *ofctrl, bool write_stats)
{
    const struct mnrec_global *global = mnrec_global_first(idl);
    int64_t cfg = global ? global->cfg : 0;
    struct lan lan;

    COVERAGE_INC(controller_compute);
    lan_build(&lan, idl);
    update_demands(&lan, ofctrl);
    forget_gone_metalinks();
    for (size_t i = 0; i < lan.n_metalinks; i++) {
        struct lan_metalink *ml = &lan.metalinks[i];

        ml->demand = ml->problem ? 0 : metalink_demand(ml);
    }
    lan_allocate(&lan);
    for (size_t i = 0; i < lan.n_metalinks; i++) {
        write_decision(&lan.metalinks[i]);
        if (write_stats && !lan.metalinks[i].problem) {
            write_statistics(&lan.metalinks[i], ofctrl);
        }
    }
    program_switches(&lan, ofctrl, cfg);

    if (global) {
        int64_t now = time_wall_msec();
        int64_t applied = hosts_cfg(idl, cfg);

        if (global->controller_cfg != cfg) {
            mnrec_global_set_controller_cfg(global, cfg);
            mnrec_global_set_controller_cfg_timestamp(global, now);
        }
        if (global->hosts_cfg != applied) {
            mnrec_global_set_hosts_cfg(global, applied);
            mnrec_global_set_hosts_cfg_timestamp(global, now);
        }
    }
    lan_destroy(&lan);
}

/* Returns the CPU time that this thread has used, in microseconds. */
static long long int
thread_cpu_usec(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)) {
        return 0;
    }
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int
global_interval(struct ovsdb_idl *idl, bool stats)
{
    const struct mnrec_global *g = mnrec_global_first(idl);

    if (g && stats && g->n_stats_interval) {
        return g->stats_interval[0];
    } else if (g && !stats && g->n_allocation_interval) {
        return g->allocation_interval[0];
    }
    return DEFAULT_INTERVAL;
}

int
main(int argc, char *argv[])
{
    struct unixctl_server *unixctl;
    long long int next_alloc = 0, next_stats = 0;
    unsigned int idl_seqno = 0;
    uint64_t ofctrl_seqno = 0;
    struct ovsdb_idl *idl;
    struct ofctrl *ofctrl;
    bool exiting = false;
    char *error;
    int retval;

    ovs_cmdl_proctitle_init(argc, argv);
    ovs_set_program_name(argv[0], VERSION);
    service_start(&argc, &argv);
    fatal_ignore_sigpipe();
    parse_options(argc, argv);

    daemonize_start(false);
    retval = unixctl_server_create(unixctl_path, &unixctl);
    if (retval) {
        exit(EXIT_FAILURE);
    }
    unixctl_command_register("exit", "", 0, 0, controller_exit, &exiting);

    ofctrl = ofctrl_create(listen_target, &error);
    if (!ofctrl) {
        ovs_fatal(0, "%s", error);
    }
    daemonize_complete();

    idl = ovsdb_idl_create(db, &mnrec_idl_class, true, true);
    ovsdb_idl_set_lock(idl, LOCK_NAME);
    /* What the controller writes must not wake it up again. */
    ovsdb_idl_omit_alert(idl, &mnrec_metalink_col_statistics);
    ovsdb_idl_omit_alert(idl, &mnrec_metalink_col_state);
    ovsdb_idl_omit_alert(idl, &mnrec_metalink_col_reason);
    ovsdb_idl_omit_alert(idl, &mnrec_metalink_col_allocated_rate);
    ovsdb_idl_omit_alert(idl, &mnrec_host_col_status);
    ovsdb_idl_omit_alert(idl, &mnrec_host_col_cfg);
    ovsdb_idl_omit_alert(idl, &mnrec_global_col_controller_cfg);
    ovsdb_idl_omit_alert(idl, &mnrec_global_col_controller_cfg_timestamp);
    ovsdb_idl_omit_alert(idl, &mnrec_global_col_hosts_cfg);
    ovsdb_idl_omit_alert(idl, &mnrec_global_col_hosts_cfg_timestamp);
    unixctl_command_register("metanet-controller/show", "", 0, 0,
                             controller_show, idl);

    while (!exiting) {
        ovsdb_idl_run(idl);
        ofctrl_run(ofctrl);
        unixctl_server_run(unixctl);

        long long int now = time_msec();
        bool changed = (ovsdb_idl_get_seqno(idl) != idl_seqno
                        || ofctrl_get_seqno(ofctrl) != ofctrl_seqno);
        bool stats = now >= next_stats;

        if (ovsdb_idl_has_lock(idl) && !ovsdb_idl_is_lock_contended(idl)
            && (changed || stats || now >= next_alloc)) {
            long long int cpu = thread_cpu_usec();
            struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);

            idl_seqno = ovsdb_idl_get_seqno(idl);
            ofctrl_seqno = ofctrl_get_seqno(ofctrl);
            ofctrl_set_stats_interval(ofctrl, global_interval(idl, true));
            compute(idl, ofctrl, stats);
            ovsdb_idl_txn_commit(txn);
            ovsdb_idl_txn_destroy(txn);
            COVERAGE_ADD(controller_compute_usec, thread_cpu_usec() - cpu);
            next_alloc = now + global_interval(idl, false);
            if (stats) {
                next_stats = now + global_interval(idl, true);
            }
        }

        ovsdb_idl_wait(idl);
        ofctrl_wait(ofctrl);
        unixctl_server_wait(unixctl);
        if (ovsdb_idl_has_lock(idl)) {
            poll_timer_wait_until(MIN(next_alloc, next_stats));
        }
        if (exiting) {
            poll_immediate_wake();
        }
        poll_block();
    }

    unixctl_server_destroy(unixctl);
    ofctrl_destroy(ofctrl);
    ovsdb_idl_destroy(idl);
    service_stop();
    return 0;
}

static void
controller_exit(struct unixctl_conn *conn, int argc OVS_UNUSED,
                const char *argv[] OVS_UNUSED, void *exiting_)
{
    bool *exiting = exiting_;

    *exiting = true;
    unixctl_command_reply(conn, NULL);
}

/* "metanet-controller/show": the lock, and per metalink its decision and
 * demand. */
static void
controller_show(struct unixctl_conn *conn, int argc OVS_UNUSED,
                const char *argv[] OVS_UNUSED, void *idl_)
{
    struct ovsdb_idl *idl = idl_;
    const struct mnrec_metalink *row;
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s, "lock: %s\n", (ovsdb_idl_has_lock(idl) ? "held"
                                     : ovsdb_idl_is_lock_contended(idl)
                                     ? "contended" : "not held"));
    MNREC_METALINK_FOR_EACH (row, idl) {
        const struct ml_state *st = ml_state_find(row->mli);

        ds_put_format(&s, "metalink %"PRId64": %s, allocated %"PRId64
                      " bps, measured out %"PRIu64" in %"PRIu64" bps%s%s\n",
                      row->mli, row->state ? row->state : "pending",
                      row->n_allocated_rate ? row->allocated_rate[0] : 0,
                      st ? demand_rate(&st->out) : 0,
                      st ? demand_rate(&st->in) : 0,
                      row->reason ? ": " : "",
                      row->reason ? row->reason : "");
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
parse_options(int argc, char *argv[])
{
    enum {
        OPT_LISTEN = UCHAR_MAX + 1,
        OPT_UNIXCTL,
        VLOG_OPTION_ENUMS,
        DAEMON_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"db", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        DAEMON_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(long_options);

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }

        switch (c) {
        case 'd':
            db = optarg;
            break;

        case OPT_LISTEN:
            listen_target = optarg;
            break;

        case OPT_UNIXCTL:
            unixctl_path = optarg;
            break;

        case 'h':
            usage();

        case 'V':
            ovs_print_version(0, 0);
            exit(EXIT_SUCCESS);

        VLOG_OPTION_HANDLERS
        DAEMON_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS

        case '?':
            exit(EXIT_FAILURE);

        default:
            OVS_NOT_REACHED();
        }
    }
    free(short_options);

    if (argc > optind) {
        ovs_fatal(0, "too many arguments (use --help for help)");
    }
    if (!db) {
        db = metanet_default_db();
    }
    if (!listen_target) {
        default_listen = xasprintf("punix:%s/metanet-controller.ofp",
                                   ovs_rundir());
        listen_target = default_listen;
    }
}

static void
usage(void)
{
    printf("%s: the metanet controller\n"
           "usage: %s [OPTIONS]\n"
           "\n"
           "Options:\n"
           "  --db=DATABASE     the Metanet database (default: $%s, else\n"
           "                    %s)\n"
           "  --listen=PVCONN   where switches connect (default:\n"
           "                    punix:%s/metanet-controller.ofp)\n"
           "  --unixctl=SOCKET  override the default control socket name\n",
           program_name, program_name, METANET_DB_ENV,
           metanet_default_db(), ovs_rundir());
    daemon_usage();
    vlog_usage();
    stream_usage("--db", true, true, true);
    printf("\nOther options:\n"
           "  -h, --help        display this help message\n"
           "  -V, --version     display version information\n");
    exit(EXIT_SUCCESS);
}
