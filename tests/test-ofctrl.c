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

/* test-ofctrl: runs one ofctrl (controller/ofctrl.h) as a daemon that a test
 * script drives through unixctl, in the role that metanet-controller's main
 * loop plays: it puts desired states read from files, and puts them again
 * whenever ofctrl_get_seqno() changes, as the daemon recompiles then.
 *
 * A state file has one flow or meter per line ('#' starts a comment):
 *     table=0,priority=10,cookie=0x1000000000005,in_port=1 actions=output:2
 *     meter=5 rate=10000 burst=100
 * flows in ovs-ofctl's syntax (table 0 if none is given), meters with their
 * rate in kbps and burst in kbit.
 *
 * Commands (ovs-appctl -t PATH):
 *     test-ofctrl/put DPID FILE CFG   put FILE's state for DPID as cfg CFG
 *     test-ofctrl/applied DPID        the applied cfg
 *     test-ofctrl/connected DPID      "true" or "false"
 *     test-ofctrl/port DPID NAME      the port's OpenFlow number, or "none"
 *     test-ofctrl/seqno               ofctrl_get_seqno()
 *     test-ofctrl/stats DPID          the latest statistics, one line each
 *     exit
 * plus ofctrl's own ofctrl/show, ofctrl/dump-desired, ofctrl/dump-installed.
 */

#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byte-order.h"
#include "command-line.h"
#include "controller/ofctrl.h"
#include "controller/switch-flows.h"
#include "daemon.h"
#include "fatal-signal.h"
#include "flow.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "openvswitch/vconn.h"
#include "svec.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(test_ofctrl);

/* A state put for a switch, put again whenever the seqno changes. */
struct put {
    struct hmap_node node;      /* In 'states', by dpid. */
    uint64_t dpid;
    char *file;
    uint64_t cfg;
};

static struct hmap states = HMAP_INITIALIZER(&states);
static struct ofctrl *ofctrl;
static char *unixctl_path;
static int stats_interval;
static int probe_interval;
static bool exiting;

static void parse_options(int argc, char *argv[]);
OVS_NO_RETURN static void usage(void);

/* Reads the state in 'file_name' into 'sf'.  Returns NULL if successful,
 * otherwise an error message for the caller to free. */
static char *
read_state(const char *file_name, struct switch_flows *sf)
{
    struct ds line = DS_EMPTY_INITIALIZER;
    char *error = NULL;
    int line_number = 0;
    FILE *file;

    file = fopen(file_name, "r");
    if (!file) {
        return xasprintf("%s: open failed (%s)", file_name,
                         ovs_strerror(errno));
    }
    while (!error && !ds_get_preprocessed_line(&line, file, &line_number)) {
        const char *s = ds_cstr(&line);
        unsigned int id, rate, burst;
        int n = 0;

        if (!s[0]) {
            continue;
        }
        if (ovs_scan(s, "meter=%u rate=%u burst=%u%n", &id, &rate, &burst,
                     &n) && !s[n]) {
            switch_flows_add_meter(sf, id, rate, burst);
        } else if (!strncmp(s, "meter=", 6)) {
            error = xasprintf("%s:%d: \"%s\": expected \"meter=ID rate=KBPS "
                              "burst=KBIT\"", file_name, line_number, s);
        } else {
            enum ofputil_protocol usable;
            struct ofputil_flow_mod fm;
            struct match match;
            char *err;

            err = parse_ofp_flow_mod_str(&fm, s, NULL, NULL, OFPFC_ADD,
                                         &usable);
            if (err) {
                error = xasprintf("%s:%d: %s", file_name, line_number, err);
                free(err);
                break;
            }
            minimatch_expand(&fm.match, &match);
            switch_flows_add_flow(sf, fm.table_id == 0xff ? 0 : fm.table_id,
                                  fm.priority, &match, fm.new_cookie,
                                  fm.ofpacts, fm.ofpacts_len);
            minimatch_destroy(&fm.match);
            free(fm.ofpacts);
        }
    }
    ds_destroy(&line);
    fclose(file);
    return error;
}

static struct put *
put_find(uint64_t dpid)
{
    struct put *put;

    HMAP_FOR_EACH_WITH_HASH (put, node, hash_uint64(dpid), &states) {
        if (put->dpid == dpid) {
            return put;
        }
    }
    return NULL;
}

/* Puts 'put''s state.  Returns NULL if successful, otherwise an error
 * message for the caller to free. */
static char *
put_state(const struct put *put)
{
    struct switch_flows sf;
    char *error;

    switch_flows_init(&sf);
    error = read_state(put->file, &sf);
    if (!error) {
        ofctrl_put(ofctrl, put->dpid, &sf, put->cfg);
    }
    switch_flows_destroy(&sf);
    return error;
}

static bool
parse_dpid(struct unixctl_conn *conn, const char *s, uint64_t *dpid)
{
    if (!ofctrl_dpid_from_string(s, dpid)) {
        char *error = xasprintf("%s: not a datapath id (expected 16 hex "
                                "digits or an integer)", s);
        unixctl_command_reply_error(conn, error);
        free(error);
        return false;
    }
    return true;
}

static void
test_ofctrl_put(struct unixctl_conn *conn, int argc OVS_UNUSED,
                const char *argv[], void *aux OVS_UNUSED)
{
    unsigned long long int cfg;
    struct put *put;
    uint64_t dpid;
    char *error;

    if (!parse_dpid(conn, argv[1], &dpid)) {
        return;
    }
    if (!str_to_ullong(argv[3], 10, &cfg)) {
        error = xasprintf("%s: not a cfg (expected a decimal integer)",
                          argv[3]);
        unixctl_command_reply_error(conn, error);
        free(error);
        return;
    }

    put = put_find(dpid);
    if (!put) {
        put = xzalloc(sizeof *put);
        put->dpid = dpid;
        hmap_insert(&states, &put->node, hash_uint64(dpid));
    }
    free(put->file);
    put->file = xstrdup(argv[2]);
    put->cfg = cfg;

    error = put_state(put);
    if (error) {
        unixctl_command_reply_error(conn, error);
        free(error);
    } else {
        unixctl_command_reply(conn, NULL);
    }
}

static void
test_ofctrl_applied(struct unixctl_conn *conn, int argc OVS_UNUSED,
                    const char *argv[], void *aux OVS_UNUSED)
{
    uint64_t dpid;

    if (parse_dpid(conn, argv[1], &dpid)) {
        char *s = xasprintf("%"PRIu64, ofctrl_get_applied_cfg(ofctrl, dpid));
        unixctl_command_reply(conn, s);
        free(s);
    }
}

static void
test_ofctrl_connected(struct unixctl_conn *conn, int argc OVS_UNUSED,
                      const char *argv[], void *aux OVS_UNUSED)
{
    uint64_t dpid;

    if (parse_dpid(conn, argv[1], &dpid)) {
        unixctl_command_reply(conn, (ofctrl_is_connected(ofctrl, dpid)
                                     ? "true" : "false"));
    }
}

static void
test_ofctrl_port(struct unixctl_conn *conn, int argc OVS_UNUSED,
                 const char *argv[], void *aux OVS_UNUSED)
{
    uint64_t dpid;

    if (parse_dpid(conn, argv[1], &dpid)) {
        ofp_port_t port = ofctrl_get_port(ofctrl, dpid, argv[2]);

        if (port == OFPP_NONE) {
            unixctl_command_reply(conn, "none");
        } else {
            char *s = xasprintf("%"PRIu16, ofp_to_u16(port));
            unixctl_command_reply(conn, s);
            free(s);
        }
    }
}

static void
test_ofctrl_seqno(struct unixctl_conn *conn, int argc OVS_UNUSED,
                  const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    char *s = xasprintf("%"PRIu64, ofctrl_get_seqno(ofctrl));

    unixctl_command_reply(conn, s);
    free(s);
}

static int
compare_strings(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;

    return strcmp(*a, *b);
}

static void
test_ofctrl_stats(struct unixctl_conn *conn, int argc OVS_UNUSED,
                  const char *argv[], void *aux OVS_UNUSED)
{
    const struct ofctrl_cookie_stats *cs;
    const struct ofctrl_meter_stats *ms;
    const struct ofctrl_stats *stats;
    struct ds s = DS_EMPTY_INITIALIZER;
    struct svec lines;
    uint64_t dpid;

    if (!parse_dpid(conn, argv[1], &dpid)) {
        return;
    }
    stats = ofctrl_get_stats(ofctrl, dpid);
    if (!stats) {
        unixctl_command_reply_error(conn, "no statistics measured");
        return;
    }

    svec_init(&lines);
    HMAP_FOR_EACH (cs, node, &stats->cookies) {
        svec_add_nocopy(&lines, xasprintf(
                            "cookie=%#"PRIx64" flows=%"PRIu32" packets=%"PRIu64
                            " bytes=%"PRIu64, ntohll(cs->cookie), cs->n_flows,
                            cs->n_packets, cs->n_bytes));
    }
    HMAP_FOR_EACH (ms, node, &stats->meters) {
        svec_add_nocopy(&lines, xasprintf(
                            "meter=%"PRIu32" packets_in=%"PRIu64" bytes_in=%"
                            PRIu64" dropped_packets=%"PRIu64" dropped_bytes=%"
                            PRIu64, ms->id, ms->packet_in, ms->byte_in,
                            ms->drop_packets, ms->drop_bytes));
    }
    qsort(lines.names, lines.n, sizeof *lines.names, compare_strings);
    for (size_t i = 0; i < lines.n; i++) {
        ds_put_format(&s, "%s\n", lines.names[i]);
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    svec_destroy(&lines);
    ds_destroy(&s);
}

static void
test_ofctrl_exit(struct unixctl_conn *conn, int argc OVS_UNUSED,
                 const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    exiting = true;
    unixctl_command_reply(conn, NULL);
}

int
main(int argc, char *argv[])
{
    struct unixctl_server *unixctl;
    uint64_t seqno = 0;
    struct put *put;
    char *error;
    int retval;

    ovs_cmdl_proctitle_init(argc, argv);
    set_program_name(argv[0]);
    service_start(&argc, &argv);
    parse_options(argc, argv);
    fatal_ignore_sigpipe();

    if (argc - optind != 1) {
        ovs_fatal(0, "exactly one argument (where to listen, e.g. "
                  "ptcp:6653:127.0.0.1) expected; use --help for usage");
    }

    daemonize_start(false);
    ofctrl = ofctrl_create(argv[optind], &error);
    if (!ofctrl) {
        ovs_fatal(0, "%s", error);
    }
    if (stats_interval) {
        ofctrl_set_stats_interval(ofctrl, stats_interval);
    }
    if (probe_interval) {
        ofctrl_set_probe_interval(ofctrl, probe_interval);
    }
    retval = unixctl_server_create(unixctl_path, &unixctl);
    if (retval) {
        exit(EXIT_FAILURE);
    }
    unixctl_command_register("test-ofctrl/put", "DPID FILE CFG", 3, 3,
                             test_ofctrl_put, NULL);
    unixctl_command_register("test-ofctrl/applied", "DPID", 1, 1,
                             test_ofctrl_applied, NULL);
    unixctl_command_register("test-ofctrl/connected", "DPID", 1, 1,
                             test_ofctrl_connected, NULL);
    unixctl_command_register("test-ofctrl/port", "DPID NAME", 2, 2,
                             test_ofctrl_port, NULL);
    unixctl_command_register("test-ofctrl/seqno", "", 0, 0,
                             test_ofctrl_seqno, NULL);
    unixctl_command_register("test-ofctrl/stats", "DPID", 1, 1,
                             test_ofctrl_stats, NULL);
    unixctl_command_register("exit", "", 0, 0, test_ofctrl_exit, NULL);
    daemonize_complete();

    while (!exiting) {
        ofctrl_run(ofctrl);
        if (ofctrl_get_seqno(ofctrl) != seqno) {
            /* The daemon recompiles here: put every state again. */
            seqno = ofctrl_get_seqno(ofctrl);
            HMAP_FOR_EACH (put, node, &states) {
                error = put_state(put);
                if (error) {
                    VLOG_WARN("%s", error);
                    free(error);
                }
            }
            poll_immediate_wake();
        }
        unixctl_server_run(unixctl);

        ofctrl_wait(ofctrl);
        unixctl_server_wait(unixctl);
        poll_block();
    }

    HMAP_FOR_EACH_POP (put, node, &states) {
        free(put->file);
        free(put);
    }
    hmap_destroy(&states);
    ofctrl_destroy(ofctrl);
    unixctl_server_destroy(unixctl);
    return 0;
}

static void
parse_options(int argc, char *argv[])
{
    enum {
        OPT_UNIXCTL = UCHAR_MAX + 1,
        OPT_STATS_INTERVAL,
        OPT_PROBE_INTERVAL,
        VLOG_OPTION_ENUMS,
        DAEMON_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"stats-interval", required_argument, NULL, OPT_STATS_INTERVAL},
        {"probe-interval", required_argument, NULL, OPT_PROBE_INTERVAL},
        {"help", no_argument, NULL, 'h'},
        DAEMON_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(long_options);

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);

        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_UNIXCTL:
            unixctl_path = optarg;
            break;

        case OPT_STATS_INTERVAL:
            if (!str_to_int(optarg, 10, &stats_interval)
                || stats_interval < 0) {
                ovs_fatal(0, "--stats-interval=%s: expected milliseconds "
                          "(0 or more)", optarg);
            }
            break;

        case OPT_PROBE_INTERVAL:
            if (!str_to_int(optarg, 10, &probe_interval)
                || probe_interval < 1) {
                ovs_fatal(0, "--probe-interval=%s: expected seconds "
                          "(1 or more)", optarg);
            }
            break;

        case 'h':
            usage();

        VLOG_OPTION_HANDLERS
        DAEMON_OPTION_HANDLERS

        case '?':
            exit(EXIT_FAILURE);

        default:
            OVS_NOT_REACHED();
        }
    }
    free(short_options);
}

static void
usage(void)
{
    printf("%s: drives an ofctrl through unixctl, for tests\n"
           "usage: %s [OPTIONS] LISTEN\n"
           "where LISTEN is a passive OpenFlow connection method, e.g.\n"
           "ptcp:6653:127.0.0.1 or punix:FILE.\n"
           "\nOptions:\n"
           "  --stats-interval=MS     ask for statistics every MS ms\n"
           "  --probe-interval=S      inactivity probe interval (seconds)\n"
           "  --unixctl=SOCKET        override default control socket name\n"
           "  -h, --help              display this help message\n",
           program_name, program_name);
    daemon_usage();
    vlog_usage();
    exit(EXIT_SUCCESS);
}
