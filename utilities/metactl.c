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

/* metactl: the operator's command-line interface to the Metanet database.
 *
 * Built on OVS's db-ctl-base, like ovs-vsctl and ovn-nbctl: the command line
 * is a list of commands separated by "--", which run against the IDL's
 * replica of the database and are committed as one transaction.  If the
 * database changed under the transaction (or a precondition such as
 * "wait-until" is not met yet), the commands run again on the newer
 * replica.  Besides db-ctl-base's generic commands (list, find, get, set,
 * add, remove, clear, create, destroy, wait-until), metactl has commands for
 * metanets, hosts and metalinks that check what they are given before
 * anything is written and say in one line what is wrong.  See metactl(8). */

#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "command-line.h"
#include "db-ctl-base.h"
#include "dirs.h"
#include "fatal-signal.h"
#include "hash.h"
#include "lib/metanet-db.h"
#include "lib/metanet-idl.h"
#include "lib/metanet-ids.h"
#include "lib/metanet-rate.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "process.h"
#include "smap.h"
#include "sset.h"
#include "stream-ssl.h"
#include "stream.h"
#include "svec.h"
#include "table.h"
#include "timer.h"
#include "util.h"
#include "uuid.h"
#include "uuidset.h"

VLOG_DEFINE_THIS_MODULE(metactl);

/* --db: the database remote(s). */
static const char *db;

/* --dry-run: do everything but commit. */
static bool dry_run;

/* --timeout: seconds to wait, in all, for anything (0: forever). */
static unsigned int timeout;
static struct timer deadline;

/* --wait: what to wait for after committing. */
enum wait_type {
    WAIT_NONE,                  /* Return as soon as committed. */
    WAIT_CONTROLLER,            /* Until the controller has processed it. */
    WAIT_HOSTS,                 /* Until every host has applied it. */
};
static enum wait_type wait_type = WAIT_NONE;

/* --leader-only, --no-leader-only: talk only to a cluster's leader. */
static int leader_only = true;

/* Output format; 'format_given' says whether -f (or --bare) chose one. */
static struct table_style table_style = TABLE_STYLE_DEFAULT;
static bool format_given;

/* Set by the "sync" command: wait (per --wait) even if nothing changed. */
static bool force_wait;

/* Set by commands that checked uniqueness themselves before writing: if the
 * server still refuses the transaction for a duplicate in an index, another
 * client won a race with us, and running the commands again on the newer
 * replica gives the user a proper answer (or, for metalink-add without
 * mli=, another free MLI). */
static bool retry_on_conflict;

/* How often a transaction is retried for a conflict, and how long to wait
 * for the replica to show the conflicting change before reporting the
 * server's error ('conflict_error') after all. */
#define MAX_CONFLICT_RETRIES 20
#define CONFLICT_WAIT_MSEC 3000
static int n_conflicts;
static struct timer conflict_timer;
static char *conflict_error;

/* With several remotes (a cluster's members), how long metactl goes on
 * looking for the one that is leader, if --timeout does not say: long enough
 * for the election that follows a leader's failure; and how long it waits
 * between two rounds through the remotes. */
#define LEADER_WAIT_SEC 30
#define LEADER_ROUND_MSEC 200

/* The tables that the server must have for this invocation: Global always,
 * and the four that the domain commands work on.  check_server_schema()
 * checks that it has them. */
static bool table_needed[MNREC_N_TABLES];

/* The IDL and the current transaction, for metactl_exit() only. */
static struct ovsdb_idl *the_idl;
static struct ovsdb_idl_txn *the_idl_txn;

OVS_NO_RETURN static void metactl_exit(int status);
OVS_NO_RETURN static void usage(void);
static void metactl_cmd_init(void);
static void parse_options(int argc, char *argv[], struct shash *local);
static void run_prerequisites(struct ctl_command *, size_t n,
                              struct ovsdb_idl *);
static bool do_metactl(const char *args, struct ctl_command *, size_t n,
                       struct ovsdb_idl *);
static void check_deadline(struct ovsdb_idl *, const char *doing);
static void check_server_schema(const struct ovsdb_idl *);

int
main(int argc, char *argv[])
{
    struct ctl_command *commands;
    struct shash local_options;
    size_t n_commands;
    char *error;

    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    vlog_set_levels_from_string_assert("reconnect:warn");
    /* metactl reports what these would warn about on the console (a failed
     * connection, a transaction error, a database of another schema) in one
     * line of its own, or recovers from it (a cluster's leader failing). */
    vlog_set_levels_from_string_assert("reconnect:console:err");
    vlog_set_levels_from_string_assert("jsonrpc:console:err");
    vlog_set_levels_from_string_assert("ovsdb_idl:console:err");

    metactl_cmd_init();

    char *args = process_escape_args(argv);
    shash_init(&local_options);
    parse_options(argc, argv, &local_options);
    error = ctl_parse_commands(argc - optind, argv + optind, &local_options,
                               &commands, &n_commands);
    if (error) {
        ctl_fatal("%s", error);
    }
    error = metanet_db_check(db);
    if (error) {
        ctl_fatal("%s", error);
    }
    VLOG(ctl_might_write_to_db(commands, n_commands) ? VLL_INFO : VLL_DBG,
         "Called as %s", args);

    if (timeout) {
        timer_set_duration(&deadline, timeout * 1000LL);
    } else {
        timer_set_infinite(&deadline);
    }

    struct ovsdb_idl *idl = the_idl
        = ovsdb_idl_create_unconnected(&mnrec_idl_class, false);
    ovsdb_idl_set_shuffle_remotes(idl, true);
    ovsdb_idl_set_remote(idl, db, false);
    ovsdb_idl_set_leader_only(idl, leader_only);
    ovsdb_idl_set_db_change_aware(idl, false);
    run_prerequisites(commands, n_commands, idl);

    /* With several remotes, a round through them in which some server
     * answered but none served the database is what a cluster electing a
     * new leader looks like: then metactl goes on trying them (all of them
     * refusing connections still fails at once). */
    bool several = metanet_db_n_remotes(db) > 1;
    bool answered = false;
    bool seeking_leader = false;
    struct timer leader_timer, round_timer;
    timer_set_expired(&round_timer);
    char *seeking = xasprintf("looking for a server at %s that serves the "
                              "%s database (another database, or no cluster "
                              "leader)", db, mnrec_idl_class.database);

    /* Runs the commands each time the replica changes, until they commit.
     * There is no point in running them twice on the same replica: if they
     * did not commit, it is because the database changed (or must change)
     * and the replica has to catch up first. */
    unsigned int seqno = ovsdb_idl_get_seqno(idl);
    for (;;) {
        ovsdb_idl_run(idl);
        answered = answered || ovsdb_idl_is_connected(idl);
        if (!ovsdb_idl_is_alive(idl) && !(several && answered)) {
            int retval = ovsdb_idl_get_last_error(idl);
            if (retval) {
                ctl_fatal("%s: database connection failed (%s)",
                          db, ovs_retval_to_string(retval));
            }
            /* The IDL gave up without a socket error: the servers answered
             * but none could serve the Metanet database. */
            ctl_fatal("%s: no server there serves the %s database (another "
                      "database, or no cluster leader)", db,
                      mnrec_idl_class.database);
        } else if (!ovsdb_idl_is_alive(idl)) {
            /* A round through several remotes in which one answered, but
             * none served the database: a cluster whose leader has failed
             * looks like this until the others elect a new one.  Another
             * round after a pause, until there is a leader, --timeout or
             * LEADER_WAIT_SEC. */
            if (!seeking_leader) {
                VLOG_INFO("%s: no server serves the database (electing a "
                          "leader?); trying them again", db);
                seeking_leader = true;
                timer_set_duration(&leader_timer, LEADER_WAIT_SEC * 1000LL);
            }
            if (timer_expired(&round_timer)) {
                ovsdb_idl_set_remote(idl, NULL, false);
                ovsdb_idl_set_remote(idl, db, false);
                timer_set_duration(&round_timer, LEADER_ROUND_MSEC);
                continue;
            }
        }

        if (seqno != ovsdb_idl_get_seqno(idl)) {
            seqno = ovsdb_idl_get_seqno(idl);
            seeking_leader = false;
            check_server_schema(idl);
            if (do_metactl(args, commands, n_commands, idl)) {
                free(seeking);
                free(args);
                exit(EXIT_SUCCESS);
            }
        }

        if (seqno == ovsdb_idl_get_seqno(idl)) {
            ovsdb_idl_wait(idl);
            timer_wait(&deadline);
            if (conflict_error) {
                timer_wait(&conflict_timer);
            }
            if (seeking_leader) {
                timer_wait(&leader_timer);
                timer_wait(&round_timer);
            } else if (!ovsdb_idl_is_alive(idl)) {
                /* The connection died while the commands ran (and nothing
                 * would wake us up): see to it at once. */
                poll_immediate_wake();
            }
            poll_block();
            check_deadline(idl, seeking_leader ? seeking : NULL);
            if (seeking_leader && timer_expired(&leader_timer)) {
                ctl_fatal("%s: no server there serves the %s database, "
                          "after %d seconds (another database, or no cluster "
                          "leader)", db, mnrec_idl_class.database,
                          LEADER_WAIT_SEC);
            }

            /* After a conflict, the commands run again once the replica
             * shows the other client's change; if it does not come, the
             * conflict was not a race after all. */
            if (conflict_error && timer_expired(&conflict_timer)) {
                ctl_fatal("transaction error: %s", conflict_error);
            }
        }
    }
}

/* Exits with an error if the server's Metanet database has another schema
 * than the one metactl was built for, an older one or one that only shares
 * the name: if it lacks a table in 'table_needed' or a column of a table
 * that metactl replicates.  (Tables and columns that the server has and
 * metactl does not know are fine: a newer schema.) */
static void
check_server_schema(const struct ovsdb_idl *idl)
{
    const char *database = mnrec_idl_class.database;

    for (size_t i = 0; i < MNREC_N_TABLES; i++) {
        const struct ovsdb_idl_table_class *tc = &mnrec_table_classes[i];

        /* The IDL knows whether the server has a table only if it
         * replicates it, as it does every table in 'table_needed'. */
        if (!ovsdb_idl_server_has_table(idl, tc)) {
            if (!table_needed[i]) {
                continue;
            }
            ctl_fatal("%s: the %s database there has another schema: it has "
                      "no %s table (see metanet(5); restarting an older "
                      "database with metanet-ctl converts it)",
                      db, database, tc->name);
        }
        for (size_t j = 0; j < tc->n_columns; j++) {
            if (!ovsdb_idl_server_has_column(idl, &tc->columns[j])) {
                ctl_fatal("%s: the %s database there has another schema: "
                          "its %s table has no %s column (see metanet(5); "
                          "restarting an older database with metanet-ctl "
                          "converts it)", db, database, tc->name,
                          tc->columns[j].name);
            }
        }
    }
}

/* Exits with an error if --timeout has expired.  'doing' says what metactl
 * was waiting for, or NULL to let the connection state say it. */
static void
check_deadline(struct ovsdb_idl *idl, const char *doing)
{
    if (!timer_expired(&deadline)) {
        return;
    }
    const char *s = timeout == 1 ? "" : "s";
    if (doing) {
        ctl_fatal("timeout after %u second%s %s", timeout, s, doing);
    } else if (!ovsdb_idl_has_ever_connected(idl)) {
        ctl_fatal("timeout after %u second%s connecting to %s (is its "
                  "database server running, with the Metanet database?)",
                  timeout, s, db);
    } else {
        ctl_fatal("timeout after %u second%s waiting for the database "
                  "(wait-until condition not met, or no answer)", timeout, s);
    }
}

static enum wait_type
parse_wait_type(const char *s)
{
    if (!strcmp(s, "none")) {
        return WAIT_NONE;
    } else if (!strcmp(s, "controller")) {
        return WAIT_CONTROLLER;
    } else if (!strcmp(s, "hosts")) {
        return WAIT_HOSTS;
    }
    ctl_fatal("--wait=%s: expected none, controller or hosts", s);
}

static void
parse_options(int argc, char *argv[], struct shash *local_options)
{
    enum {
        OPT_DB = UCHAR_MAX + 1,
        OPT_DRY_RUN,
        OPT_WAIT,
        OPT_LOCAL,
        OPT_COMMANDS,
        OPT_OPTIONS,
        OPT_BOOTSTRAP_CA_CERT,
        VLOG_OPTION_ENUMS,
        TABLE_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option global_long_options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"wait", required_argument, NULL, OPT_WAIT},
        {"timeout", required_argument, NULL, 't'},
        {"leader-only", no_argument, &leader_only, true},
        {"no-leader-only", no_argument, &leader_only, false},
        {"help", no_argument, NULL, 'h'},
        {"commands", no_argument, NULL, OPT_COMMANDS},
        {"options", no_argument, NULL, OPT_OPTIONS},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        TABLE_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {"bootstrap-ca-cert", required_argument, NULL, OPT_BOOTSTRAP_CA_CERT},
        {NULL, 0, NULL, 0},
    };
    const int n_global_long_options = ARRAY_SIZE(global_long_options) - 1;

    char *tmp = ovs_cmdl_long_options_to_short_options(global_long_options);
    char *short_options = xasprintf("+%s", tmp);
    free(tmp);

    /* getopt_long() parses the global options and every command's options
     * (e.g. --may-exist) in one pass; db-ctl-base later hands the latter to
     * the command that follows them. */
    struct option *options = xmemdup(global_long_options,
                                     sizeof global_long_options);
    size_t allocated_options = ARRAY_SIZE(global_long_options);
    size_t n_options = n_global_long_options;
    ctl_add_cmd_options(&options, &n_options, &allocated_options, OPT_LOCAL);

    for (;;) {
        int idx;
        int c = getopt_long(argc, argv, short_options, options, &idx);
        if (c == -1) {
            break;
        }

        switch (c) {
        case OPT_DB:
            db = optarg;
            break;

        case OPT_DRY_RUN:
            dry_run = true;
            break;

        case OPT_WAIT:
            wait_type = parse_wait_type(optarg);
            break;

        case 't':
            if (!str_to_uint(optarg, 10, &timeout) || !timeout) {
                ctl_fatal("--timeout=%s: expected a positive number of "
                          "seconds", optarg);
            }
            break;

        case OPT_LOCAL:
            if (shash_find(local_options, options[idx].name)) {
                ctl_fatal("'%s' option specified multiple times",
                          options[idx].name);
            }
            shash_add_nocopy(local_options,
                             xasprintf("--%s", options[idx].name),
                             nullable_xstrdup(optarg));
            break;

        case 'h':
            usage();

        case OPT_COMMANDS:
            ctl_print_commands();
            /* fall through */

        case OPT_OPTIONS:
            ctl_print_options(global_long_options);
            /* fall through */

        case 'V':
            printf("%s (metanet) %s\n", program_name, METANET_VERSION);
            printf("DB Schema %s\n", mnrec_get_db_version());
            exit(EXIT_SUCCESS);

        /* The table options, as TABLE_OPTION_HANDLERS has them, noting
         * whether the user chose a format. */
        case 'f':
            table_parse_format(&table_style, optarg);
            format_given = true;
            break;

        case 'd':
            table_parse_cell_format(&table_style, optarg);
            break;

        case OPT_NO_HEADINGS:
            table_style.headings = false;
            break;

        case OPT_PRETTY:
            table_style.json_flags |= JSSF_PRETTY;
            break;

        case OPT_BARE:
            table_style.format = TF_LIST;
            table_style.cell_format = CF_BARE;
            table_style.headings = false;
            format_given = true;
            break;

        case OPT_MAX_COLUMN_WIDTH:
            table_style.max_column_width = atoi(optarg);
            break;

        VLOG_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS

        case OPT_BOOTSTRAP_CA_CERT:
            stream_ssl_set_ca_cert_file(optarg, true);
            break;

        case '?':
            exit(EXIT_FAILURE);

        case 0:
            break;

        default:
            ovs_abort(0, "unexpected option");
        }
    }
    free(short_options);

    if (!db) {
        db = metanet_default_db();
    }

    for (size_t i = n_global_long_options; options[i].name; i++) {
        free(CONST_CAST(char *, options[i].name));
    }
    free(options);
}

static void
usage(void)
{
    printf("\
%s: Metanet database management utility\n\
usage: %s [OPTIONS] COMMAND [ARG...] [-- [OPTIONS] COMMAND [ARG...]]...\n\
\n\
General commands:\n\
  init                        create the Global row, if there is none\n\
  show                        print a tree of routers, hosts and metalinks\n\
  sync                        wait (with --wait) until earlier changes apply\n\
\n\
Metanet commands:\n\
  metanet-add NAME MNI [KEY=VALUE]...  add a metanet (keys: min, max,\n\
                              limit, description, users, groups)\n\
  metanet-set NAME KEY=VALUE...  change a metanet (same keys, KEY= clears)\n\
  metanet-del NAME            delete a metanet that has no metalinks\n\
  metanet-list                list metanets\n\
\n\
Host commands:\n\
  host-add NAME CAPACITY [KEY=VALUE]...  add a host (keys: role, native,\n\
                              router, dpid, uplink, mac)\n\
  host-set NAME KEY=VALUE...  change a host (also capacity; KEY= clears)\n\
  host-del NAME               delete a host that has no metalinks\n\
  host-list                   list hosts\n\
\n\
Metalink commands:\n\
  metalink-add METANET HOST [KEY=VALUE]...  add a metalink and print its\n\
                              MLI (keys: mli, min, max, weight, burst, mode)\n\
  metalink-set MLI KEY=VALUE...  change a metalink (KEY= clears)\n\
  metalink-del MLI            delete a metalink\n\
  metalink-list [METANET|HOST]  list metalinks\n\
  stats [METANET|HOST]        print metalink statistics\n\
\n\
Rates are bits per second, with optional decimal units: 100k, 1.5M, 2G,\n\
or 100kbps, 1.5Mbps, 2Gbps.  Bursts are bits: 100k, 1.5Mbit.\n\
\n\
%s\
%s\
\n\
Options:\n\
  --db=DATABASE               connect to DATABASE, or comma-separated\n\
                              cluster members (default: $%s or\n\
                              %s)\n\
  -t, --timeout=SECS          give up after SECS seconds\n\
  --wait=none|controller|hosts  after committing, wait for the controller\n\
                              or for every host to apply the change\n\
  --dry-run                   do not commit changes to the database\n\
  --may-exist, --if-exists    (before a command) see metactl(8)\n\
  --columns=COLUMN,...        (before a list command) columns to print\n",
           program_name, program_name, ctl_get_db_cmd_usage(),
           ctl_list_db_tables_usage(), METANET_DB_ENV,
           metanet_default_db());
    table_usage();
    vlog_usage();
    stream_usage("database", true, true, true);
    printf("\n\
Other options:\n\
  -h, --help                  display this help message\n\
  -V, --version               display version information\n");
    exit(EXIT_SUCCESS);
}

/* metactl's context: db-ctl-base's plus the Global row and a cache of the
 * MLIs in use, for picking free ones quickly. */
struct metactl_context {
    struct ctl_context base;
    const struct mnrec_global *global;

    bool mlis_valid;            /* Are 'mlis' and 'next_free_mli' valid? */
    struct hmap mlis;           /* Contains "struct mli_node"s. */
    uint64_t next_free_mli;     /* No MLI below this one is free. */
};

struct mli_node {
    struct hmap_node hmap_node; /* In struct metactl_context's 'mlis'. */
    uint32_t mli;
};

static struct metactl_context *
metactl_context_cast(struct ctl_context *base)
{
    return CONTAINER_OF(base, struct metactl_context, base);
}

static void
metactl_context_invalidate_cache(struct ctl_context *base)
{
    struct metactl_context *ctx = metactl_context_cast(base);
    struct mli_node *node;

    if (ctx->mlis_valid) {
        HMAP_FOR_EACH_POP (node, hmap_node, &ctx->mlis) {
            free(node);
        }
        hmap_destroy(&ctx->mlis);
        ctx->mlis_valid = false;
    }
}

static struct mli_node *
find_mli(const struct metactl_context *ctx, uint32_t mli)
{
    struct mli_node *node;

    HMAP_FOR_EACH_WITH_HASH (node, hmap_node, hash_int(mli, 0), &ctx->mlis) {
        if (node->mli == mli) {
            return node;
        }
    }
    return NULL;
}

static void
add_mli(struct metactl_context *ctx, uint32_t mli)
{
    if (!find_mli(ctx, mli)) {
        struct mli_node *node = xmalloc(sizeof *node);
        node->mli = mli;
        hmap_insert(&ctx->mlis, &node->hmap_node, hash_int(mli, 0));
    }
}

static void
populate_mlis(struct metactl_context *ctx)
{
    const struct mnrec_metalink *ml;

    if (ctx->mlis_valid) {
        return;
    }
    hmap_init(&ctx->mlis);
    ctx->mlis_valid = true;
    ctx->next_free_mli = 1;
    MNREC_METALINK_FOR_EACH (ml, ctx->base.idl) {
        add_mli(ctx, ml->mli);
    }
}

/* Returns the lowest MLI that no metalink uses, or 0 if all are used. */
static uint32_t
lowest_free_mli(struct metactl_context *ctx)
{
    populate_mlis(ctx);
    while (ctx->next_free_mli <= METANET_MLI_MAX
           && find_mli(ctx, ctx->next_free_mli)) {
        ctx->next_free_mli++;
    }
    return ctx->next_free_mli <= METANET_MLI_MAX ? ctx->next_free_mli : 0;
}

static void
forget_mli(struct metactl_context *ctx, uint32_t mli)
{
    if (ctx->mlis_valid) {
        struct mli_node *node = find_mli(ctx, mli);
        if (node) {
            hmap_remove(&ctx->mlis, &node->hmap_node);
            free(node);
        }
        ctx->next_free_mli = MIN(ctx->next_free_mli, mli);
    }
}

/* Prerequisites. */

static void
add_all_columns(struct ovsdb_idl *idl, const struct ovsdb_idl_table_class *tc)
{
    ovsdb_idl_add_table(idl, tc);
    for (size_t i = 0; i < tc->n_columns; i++) {
        ovsdb_idl_add_column(idl, &tc->columns[i]);
    }
}

/* The domain commands read the four tables they work on in full. */
static void
pre_domain(struct ctl_context *ctx)
{
    table_needed[MNREC_TABLE_GLOBAL] = true;
    table_needed[MNREC_TABLE_METANET] = true;
    table_needed[MNREC_TABLE_HOST] = true;
    table_needed[MNREC_TABLE_METALINK] = true;
    add_all_columns(ctx->idl, &mnrec_table_global);
    add_all_columns(ctx->idl, &mnrec_table_metanet);
    add_all_columns(ctx->idl, &mnrec_table_host);
    add_all_columns(ctx->idl, &mnrec_table_metalink);
}

/* KEY=VALUE arguments. */

/* Parses 'argv[0]' to 'argv[argc - 1]' as KEY=VALUE pairs into 'kvs',
 * accepting only the keys in the null-terminated 'allowed'.  Returns an
 * error message naming 'command' if one is malformed, unknown or
 * repeated. */
static char * OVS_WARN_UNUSED_RESULT
parse_key_values(const char *command, int argc, char *argv[],
                 const char *const allowed[], struct smap *kvs)
{
    for (int i = 0; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        if (!eq || eq == argv[i]) {
            goto bad_key;
        }

        char *key = xmemdup0(argv[i], eq - argv[i]);
        bool known = false;
        for (const char *const *a = allowed; *a; a++) {
            known = known || !strcmp(*a, key);
        }
        if (!known) {
            free(key);
            goto bad_key;
        }
        if (smap_get(kvs, key)) {
            char *error = xasprintf("%s: %s is given more than once",
                                    command, key);
            free(key);
            return error;
        }
        smap_add(kvs, key, eq + 1);
        free(key);
        continue;

bad_key: ;
        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_format(&s, "%s: \"%s\" is not KEY=VALUE with KEY one of ",
                      command, argv[i]);
        for (const char *const *a = allowed; *a; a++) {
            ds_put_format(&s, "%s%s", *a,
                          !a[1] ? "" : !a[2] ? " or " : ", ");
        }
        return ds_steal_cstr(&s);
    }
    return NULL;
}

/* If 'error' is nonnull, reports it as 'ctx''s error, frees it and returns
 * true; otherwise returns false. */
static bool
report_error(struct ctl_context *ctx, char *error)
{
    if (error) {
        ctl_error(ctx, "%s", error);
        free(error);
        return true;
    }
    return false;
}

/* Parses the command's arguments from 'ctx->argv[first]' on as KEY=VALUE
 * pairs among 'allowed' into 'kvs'.  Returns false after reporting an
 * error if they are not. */
static bool
parse_command_keys(struct ctl_context *ctx, int first,
                   const char *const allowed[], struct smap *kvs)
{
    return !report_error(ctx, parse_key_values(ctx->argv[0],
                                               ctx->argc - first,
                                               ctx->argv + first,
                                               allowed, kvs));
}

/* An optional integer column's value as KEY=VALUE gives it: 'present' is
 * false if VALUE is empty (meaning "clear the column"). */
struct opt_int {
    bool present;
    int64_t value;
};

/* Parses 'value' (of KEY 'key') as a rate into 'r'.  An empty 'value'
 * clears, if 'clearable'.  If 'positive', 0 is refused. */
static char * OVS_WARN_UNUSED_RESULT
parse_rate_kv(const char *key, const char *value, bool clearable,
              bool positive, struct opt_int *r)
{
    uint64_t bps;

    r->present = false;
    r->value = 0;
    if (!value[0] && clearable) {
        return NULL;
    }
    char *error = metanet_rate_parse(value, &bps);
    if (error) {
        char *e = xasprintf("%s: %s", key, error);
        free(error);
        return e;
    }
    if (positive && !bps) {
        return xasprintf("%s: invalid rate \"%s\": expected a rate above 0",
                         key, value);
    }
    r->present = true;
    r->value = bps;
    return NULL;
}

static char * OVS_WARN_UNUSED_RESULT
parse_bits_kv(const char *key, const char *value, struct opt_int *r)
{
    uint64_t bits;

    r->present = false;
    r->value = 0;
    if (!value[0]) {
        return NULL;
    }
    char *error = metanet_bits_parse(value, &bits);
    if (error) {
        char *e = xasprintf("%s: %s", key, error);
        free(error);
        return e;
    }
    if (!bits) {
        return xasprintf("%s: invalid amount of data \"%s\": expected more "
                         "than 0 bits", key, value);
    }
    r->present = true;
    r->value = bits;
    return NULL;
}

static char * OVS_WARN_UNUSED_RESULT
parse_weight_kv(const char *value, struct opt_int *r)
{
    unsigned int weight;

    r->present = false;
    r->value = 0;
    if (!value[0]) {
        return NULL;
    }
    if (!str_to_uint(value, 10, &weight) || weight < 1 || weight > 1000
        || !isdigit((unsigned char) value[0])) {
        return xasprintf("weight: invalid weight \"%s\": expected an integer "
                         "from 1 to 1000", value);
    }
    r->present = true;
    r->value = weight;
    return NULL;
}

static const int64_t *
opt_ptr(const struct opt_int *r)
{
    return r->present ? &r->value : NULL;
}

static size_t
opt_n(const struct opt_int *r)
{
    return r->present ? 1 : 0;
}

static struct opt_int
opt_from_column(const int64_t *value, size_t n)
{
    struct opt_int r = { n > 0, n > 0 ? *value : 0 };
    return r;
}

static char *
rate_string(int64_t bps)
{
    return metanet_rate_to_string(bps);
}

/* Lookups. */

static const struct mnrec_metanet *
metanet_by_name(struct ctl_context *ctx, const char *name)
{
    const struct mnrec_metanet *mn;

    MNREC_METANET_FOR_EACH (mn, ctx->idl) {
        if (!strcmp(mn->name, name)) {
            return mn;
        }
    }
    return NULL;
}

static const struct mnrec_metanet *
metanet_by_mni(struct ctl_context *ctx, int64_t mni)
{
    const struct mnrec_metanet *mn;

    MNREC_METANET_FOR_EACH (mn, ctx->idl) {
        if (mn->mni == mni) {
            return mn;
        }
    }
    return NULL;
}

static const struct mnrec_host *
host_by_name(struct ctl_context *ctx, const char *name)
{
    const struct mnrec_host *host;

    MNREC_HOST_FOR_EACH (host, ctx->idl) {
        if (!strcmp(host->name, name)) {
            return host;
        }
    }
    return NULL;
}

static const struct mnrec_metalink *
metalink_by_mli(struct ctl_context *ctx, int64_t mli)
{
    const struct mnrec_metalink *ml;

    MNREC_METALINK_FOR_EACH (ml, ctx->idl) {
        if (ml->mli == mli) {
            return ml;
        }
    }
    return NULL;
}

/* Finds the metanet named 'name' (or with UUID 'name').  If there is none,
 * reports an error if 'must_exist', and returns NULL. */
static const struct mnrec_metanet *
find_metanet(struct ctl_context *ctx, const char *name, bool must_exist)
{
    const struct mnrec_metanet *mn = metanet_by_name(ctx, name);
    struct uuid uuid;

    if (!mn && uuid_from_string(&uuid, name)) {
        mn = mnrec_metanet_get_for_uuid(ctx->idl, &uuid);
    }
    if (!mn && must_exist) {
        ctl_error(ctx, "unknown metanet \"%s\"", name);
    }
    return mn;
}

static const struct mnrec_host *
find_host(struct ctl_context *ctx, const char *name, bool must_exist)
{
    const struct mnrec_host *host = host_by_name(ctx, name);
    struct uuid uuid;

    if (!host && uuid_from_string(&uuid, name)) {
        host = mnrec_host_get_for_uuid(ctx->idl, &uuid);
    }
    if (!host && must_exist) {
        ctl_error(ctx, "unknown host \"%s\"", name);
    }
    return host;
}

/* Finds the metalink whose MLI is 's'.  Reports an error if 's' is not an
 * MLI, or if there is no such metalink and 'must_exist'. */
static const struct mnrec_metalink *
find_metalink(struct ctl_context *ctx, const char *s, bool must_exist)
{
    uint32_t mli;

    if (report_error(ctx,
                     metanet_id_parse("MLI", s, METANET_MLI_MAX, &mli))) {
        return NULL;
    }

    const struct mnrec_metalink *ml = metalink_by_mli(ctx, mli);
    if (!ml && must_exist) {
        ctl_error(ctx, "unknown metalink %"PRIu32, mli);
    }
    return ml;
}

static bool
is_router(const struct mnrec_host *host)
{
    return host->role && !strcmp(host->role, "substrate-router");
}

/* A metalink's guaranteed minimum: its own min_rate, or else its metanet's
 * default_min_rate, or else 0. */
static int64_t
effective_min(const struct mnrec_metalink *ml)
{
    if (ml->n_min_rate) {
        return ml->min_rate[0];
    } else if (ml->metanet && ml->metanet->n_default_min_rate) {
        return ml->metanet->default_min_rate[0];
    }
    return 0;
}

static int64_t
effective_max(const struct mnrec_metalink *ml)
{
    if (ml->n_max_rate) {
        return ml->max_rate[0];
    } else if (ml->metanet && ml->metanet->n_default_max_rate) {
        return ml->metanet->default_max_rate[0];
    }
    return INT64_MAX;
}

static int64_t
native_rate(const struct mnrec_host *host)
{
    return host->n_native_rate ? host->native_rate[0] : 0;
}

/* Checks that what 'host' promises fits its access link: its reservation
 * for native traffic plus the guaranteed minimums of the metalinks that
 * cross the link (its own, and for a substrate router also those of the
 * hosts behind it) must not exceed its capacity.  Metalinks the controller
 * rejected guarantee nothing and do not count.  The controller checks
 * again, authoritatively; this catches the operator's mistakes early. */
static bool
check_capacity(struct ctl_context *ctx, const struct mnrec_host *host)
{
    const struct mnrec_metalink *ml;
    int64_t native = native_rate(host);
    int64_t mins = 0;
    size_t n = 0;

    if (native > host->capacity) {
        char *c = rate_string(host->capacity);
        char *r = rate_string(native);
        ctl_error(ctx, "host \"%s\": native reservation %s exceeds its "
                  "capacity %s", host->name, r, c);
        free(c);
        free(r);
        return false;
    }

    MNREC_METALINK_FOR_EACH (ml, ctx->idl) {
        if ((ml->host == host
             || (ml->host && ml->host->substrate_router == host))
            && !(ml->state && !strcmp(ml->state, "rejected"))) {
            int64_t min = effective_min(ml);
            mins = min > INT64_MAX - mins ? INT64_MAX : mins + min;
            n++;
        }
    }
    if (mins > host->capacity - native) {
        char *c = rate_string(host->capacity);
        char *r = rate_string(native);
        char *m = rate_string(mins);
        ctl_error(ctx, "%s \"%s\" would be oversubscribed: native %s plus "
                  "the minimums of its %"PRIuSIZE" metalink%s, %s, exceed "
                  "its capacity %s", is_router(host) ? "substrate router"
                  : "host", host->name, r, n, n == 1 ? "" : "s", m, c);
        free(c);
        free(r);
        free(m);
        return false;
    }
    return true;
}

/* Hosts whose access link must be checked (with check_capacity()) before
 * the transaction commits, because a command changed what crosses it.
 * Checking once after all the commands, rather than in each, keeps a
 * transaction that adds many metalinks linear, and judges the final state
 * rather than the steps to it. */
static struct uuidset hosts_to_check = UUIDSET_INITIALIZER(&hosts_to_check);

/* Has the capacity of 'host' and of its substrate router, if any, checked
 * before commit. */
static void
check_capacity_later(const struct mnrec_host *host)
{
    uuidset_insert(&hosts_to_check, &host->header_.uuid);
    if (host->substrate_router) {
        uuidset_insert(&hosts_to_check,
                       &host->substrate_router->header_.uuid);
    }
}

static int compare_hosts(const void *, const void *);

/* Checks the hosts that check_capacity_later() named, in order of name,
 * reporting the first that is oversubscribed. */
static bool
check_capacities(struct ctl_context *ctx)
{
    const struct mnrec_host **hosts = NULL;
    const struct mnrec_host *host;
    size_t n = 0, allocated = 0;
    bool ok = true;

    MNREC_HOST_FOR_EACH (host, ctx->idl) {
        if (uuidset_contains(&hosts_to_check, &host->header_.uuid)) {
            if (n >= allocated) {
                hosts = x2nrealloc(hosts, &allocated, sizeof *hosts);
            }
            hosts[n++] = host;
        }
    }
    qsort(hosts, n, sizeof *hosts, compare_hosts);
    for (size_t i = 0; i < n && ok; i++) {
        ok = check_capacity(ctx, hosts[i]);
    }
    free(hosts);
    uuidset_clear(&hosts_to_check);
    return ok;
}

/* Checks a metalink's requested rates against each other and against its
 * metanet's limit. */
static bool
check_metalink_rates(struct ctl_context *ctx,
                     const struct mnrec_metalink *ml)
{
    int64_t min = effective_min(ml);
    int64_t max = effective_max(ml);

    if (min > max) {
        char *a = rate_string(min);
        char *b = rate_string(max);
        ctl_error(ctx, "metalink %"PRId64": min %s%s is greater than max "
                  "%s%s", ml->mli, a, ml->n_min_rate ? "" : " (metanet "
                  "default)", b, ml->n_max_rate ? "" : " (metanet default)");
        free(a);
        free(b);
        return false;
    }
    if (ml->metanet->n_max_rate) {
        int64_t limit = ml->metanet->max_rate[0];
        int64_t over = (ml->n_max_rate && ml->max_rate[0] > limit
                        ? ml->max_rate[0] : min > limit ? min : 0);
        if (over) {
            char *a = rate_string(over);
            char *b = rate_string(limit);
            ctl_error(ctx, "metalink %"PRId64": rate %s exceeds metanet "
                      "\"%s\"'s limit %s", ml->mli, a, ml->metanet->name, b);
            free(a);
            free(b);
            return false;
        }
    }
    return true;
}

/* Checks every metalink of 'mn' after a change to its defaults or limit. */
static bool
check_metanet_metalinks(struct ctl_context *ctx,
                        const struct mnrec_metanet *mn)
{
    const struct mnrec_metalink *ml;
    bool ok = true;

    MNREC_METALINK_FOR_EACH (ml, ctx->idl) {
        if (ok && ml->metanet == mn) {
            ok = check_metalink_rates(ctx, ml);
            check_capacity_later(ml->host);
        }
    }
    return ok;
}

static size_t
count_metalinks(struct ctl_context *ctx, const struct mnrec_metanet *mn,
                const struct mnrec_host *host)
{
    const struct mnrec_metalink *ml;
    size_t n = 0;

    MNREC_METALINK_FOR_EACH (ml, ctx->idl) {
        if ((mn && ml->metanet == mn) || (host && ml->host == host)) {
            n++;
        }
    }
    return n;
}

/* Returns the number of hosts whose substrate router is 'router'. */
static size_t
count_routed_hosts(struct ctl_context *ctx, const struct mnrec_host *router)
{
    const struct mnrec_host *host;
    size_t n = 0;

    MNREC_HOST_FOR_EACH (host, ctx->idl) {
        n += host->substrate_router == router;
    }
    return n;
}

/* The Global row. */

/* "init": do_metactl() creates the Global row for every command that may
 * write, so there is nothing left to do but make sure of it. */
static void
cmd_init(struct ctl_context *base)
{
    struct metactl_context *ctx = metactl_context_cast(base);

    if (!ctx->global) {
        ctx->global = mnrec_global_insert(base->txn);
        retry_on_conflict = true;
    }
}

static void
cmd_sync(struct ctl_context *ctx OVS_UNUSED)
{
    force_wait = true;
}

/* Metanets. */

static const char *const metanet_keys[] = {
    "min", "max", "limit", "description", "users", "groups", NULL,
};

/* Parses 'value', a comma-separated list, into 'v'. */
static void
parse_list(const char *value, struct svec *v)
{
    char *copy = xstrdup(value);
    char *save_ptr = NULL;

    for (char *tok = strtok_r(copy, ",", &save_ptr); tok;
         tok = strtok_r(NULL, ",", &save_ptr)) {
        svec_add(v, tok);
    }
    free(copy);
}

/* Applies the KEY=VALUE settings in 'kvs' to metanet 'mn'. */
static bool
apply_metanet_keys(struct ctl_context *ctx, const struct mnrec_metanet *mn,
                   const struct smap *kvs)
{
    struct smap_node *node;
    char *error = NULL;

    SMAP_FOR_EACH (node, kvs) {
        const char *key = node->key, *value = node->value;
        struct opt_int r;

        if (!strcmp(key, "min")) {
            error = parse_rate_kv(key, value, true, false, &r);
            if (!error) {
                mnrec_metanet_set_default_min_rate(mn, opt_ptr(&r),
                                                   opt_n(&r));
            }
        } else if (!strcmp(key, "max")) {
            error = parse_rate_kv(key, value, true, true, &r);
            if (!error) {
                mnrec_metanet_set_default_max_rate(mn, opt_ptr(&r),
                                                   opt_n(&r));
            }
        } else if (!strcmp(key, "limit")) {
            error = parse_rate_kv(key, value, true, true, &r);
            if (!error) {
                mnrec_metanet_set_max_rate(mn, opt_ptr(&r), opt_n(&r));
            }
        } else if (!strcmp(key, "description")) {
            mnrec_metanet_set_description(mn, value);
        } else if (!strcmp(key, "users") || !strcmp(key, "groups")) {
            struct svec v = SVEC_EMPTY_INITIALIZER;
            parse_list(value, &v);
            if (key[0] == 'u') {
                mnrec_metanet_set_users(mn, (const char **) v.names, v.n);
            } else {
                mnrec_metanet_set_groups(mn, (const char **) v.names, v.n);
            }
            svec_destroy(&v);
        }
        if (report_error(ctx, error)) {
            return false;
        }
    }

    struct opt_int min = opt_from_column(mn->default_min_rate,
                                         mn->n_default_min_rate);
    struct opt_int max = opt_from_column(mn->default_max_rate,
                                         mn->n_default_max_rate);
    struct opt_int limit = opt_from_column(mn->max_rate, mn->n_max_rate);
    const struct opt_int *over = (min.present && max.present
                                  && min.value > max.value ? &max : NULL);
    if (over) {
        char *a = rate_string(min.value);
        char *b = rate_string(max.value);
        ctl_error(ctx, "metanet \"%s\": min %s is greater than max %s",
                  mn->name, a, b);
        free(a);
        free(b);
        return false;
    }
    if (limit.present && ((max.present && max.value > limit.value)
                          || (min.present && min.value > limit.value))) {
        char *a = rate_string(max.present && max.value > limit.value
                              ? max.value : min.value);
        char *b = rate_string(limit.value);
        ctl_error(ctx, "metanet \"%s\": default rate %s exceeds its limit "
                  "%s", mn->name, a, b);
        free(a);
        free(b);
        return false;
    }
    return check_metanet_metalinks(ctx, mn);
}

static void
cmd_metanet_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    bool may_exist = shash_find(&ctx->options, "--may-exist") != NULL;
    struct smap kvs = SMAP_INITIALIZER(&kvs);
    uint32_t mni;

    if (report_error(ctx, metanet_name_check("metanet", name))
        || report_error(ctx, metanet_id_parse("MNI", ctx->argv[2],
                                              METANET_MNI_MAX, &mni))
        || !parse_command_keys(ctx, 3, metanet_keys, &kvs)) {
        goto out;
    }

    const struct mnrec_metanet *mn = metanet_by_name(ctx, name);
    if (mn) {
        if (!may_exist) {
            ctl_error(ctx, "metanet \"%s\" already exists", name);
        } else if (mn->mni != mni) {
            ctl_error(ctx, "metanet \"%s\" already exists with MNI %"PRId64
                      ", not %"PRIu32, name, mn->mni, mni);
        }
        goto out;
    }
    mn = metanet_by_mni(ctx, mni);
    if (mn) {
        ctl_error(ctx, "MNI %"PRIu32" already belongs to metanet \"%s\"",
                  mni, mn->name);
        goto out;
    }

    retry_on_conflict = true;
    mn = mnrec_metanet_insert(ctx->txn);
    mnrec_metanet_set_name(mn, name);
    mnrec_metanet_set_mni(mn, mni);
    apply_metanet_keys(ctx, mn, &kvs);

out:
    smap_destroy(&kvs);
}

static void
cmd_metanet_set(struct ctl_context *ctx)
{
    struct smap kvs = SMAP_INITIALIZER(&kvs);
    const struct mnrec_metanet *mn = find_metanet(ctx, ctx->argv[1], true);

    if (mn && parse_command_keys(ctx, 2, metanet_keys, &kvs)) {
        apply_metanet_keys(ctx, mn, &kvs);
    }
    smap_destroy(&kvs);
}

static void
cmd_metanet_del(struct ctl_context *ctx)
{
    bool if_exists = shash_find(&ctx->options, "--if-exists") != NULL;
    const struct mnrec_metanet *mn = find_metanet(ctx, ctx->argv[1],
                                                  !if_exists);
    if (!mn) {
        return;
    }

    size_t n = count_metalinks(ctx, mn, NULL);
    if (n) {
        ctl_error(ctx, "cannot delete metanet \"%s\": %"PRIuSIZE" metalink%s "
                  "use%s it (delete them first)", mn->name, n,
                  n == 1 ? "" : "s", n == 1 ? "s" : "");
        return;
    }
    mnrec_metanet_delete(mn);
}

/* Hosts. */

static const char *const host_add_keys[] = {
    "role", "native", "router", "dpid", "uplink", "mac", NULL,
};

static const char *const host_set_keys[] = {
    "capacity", "role", "native", "router", "dpid", "uplink", "mac", NULL,
};

static bool
apply_host_keys(struct ctl_context *ctx, const struct mnrec_host *host,
                const struct smap *kvs)
{
    const struct mnrec_host *other;
    struct smap_node *node;
    char *error = NULL;

    SMAP_FOR_EACH (node, kvs) {
        const char *key = node->key, *value = node->value;
        struct opt_int r;

        if (!strcmp(key, "capacity")) {
            error = parse_rate_kv(key, value, false, true, &r);
            if (!error) {
                mnrec_host_set_capacity(host, r.value);
            }
        } else if (!strcmp(key, "native")) {
            error = parse_rate_kv(key, value, true, false, &r);
            if (!error) {
                mnrec_host_set_native_rate(host, opt_ptr(&r), opt_n(&r));
            }
        } else if (!strcmp(key, "role")) {
            if (value[0] && strcmp(value, "host")
                && strcmp(value, "substrate-router")) {
                error = xasprintf("role: invalid role \"%s\": expected host "
                                  "or substrate-router", value);
            } else {
                mnrec_host_set_role(host, value[0] ? value : NULL);
            }
        } else if (!strcmp(key, "router")) {
            if (!value[0]) {
                mnrec_host_set_substrate_router(host, NULL);
            } else if (!(other = find_host(ctx, value, false))) {
                error = xasprintf("router: unknown host \"%s\"", value);
            } else {
                mnrec_host_set_substrate_router(host, other);
            }
        } else if (!strcmp(key, "dpid")) {
            char *dpid = NULL;
            if (value[0]) {
                error = metanet_dpid_parse(value, &dpid);
            }
            if (!error) {
                MNREC_HOST_FOR_EACH (other, ctx->idl) {
                    if (dpid && other != host && other->datapath_id
                        && !strcmp(other->datapath_id, dpid)) {
                        error = xasprintf("dpid: datapath id %s already "
                                          "belongs to host \"%s\"", dpid,
                                          other->name);
                        break;
                    }
                }
            }
            if (!error) {
                mnrec_host_set_datapath_id(host, dpid);
            }
            free(dpid);
        } else if (!strcmp(key, "uplink")) {
            mnrec_host_set_uplink(host, value[0] ? value : NULL);
        } else if (!strcmp(key, "mac")) {
            char *mac = NULL;
            if (value[0]) {
                error = metanet_mac_parse(value, &mac);
            }
            if (!error) {
                MNREC_HOST_FOR_EACH (other, ctx->idl) {
                    if (mac && other != host && other->mac
                        && !strcmp(other->mac, mac)) {
                        error = xasprintf("mac: MAC address %s already "
                                          "belongs to host \"%s\"", mac,
                                          other->name);
                        break;
                    }
                }
            }
            if (!error) {
                mnrec_host_set_mac(host, mac);
            }
            free(mac);
        }
        if (report_error(ctx, error)) {
            return false;
        }
    }

    /* Roles and routers fit together. */
    const struct mnrec_host *router = host->substrate_router;
    if (router && is_router(host)) {
        ctl_error(ctx, "host \"%s\" is a substrate router, so it cannot have "
                  "one (router=%s)", host->name, router->name);
        return false;
    }
    if (router && !is_router(router)) {
        ctl_error(ctx, "router: host \"%s\" is not a substrate router (give "
                  "it role=substrate-router first)", router->name);
        return false;
    }
    if (!is_router(host)) {
        size_t n = count_routed_hosts(ctx, host);
        if (n) {
            ctl_error(ctx, "host \"%s\" must stay a substrate router: "
                      "%"PRIuSIZE" host%s use%s it", host->name, n,
                      n == 1 ? "" : "s", n == 1 ? "s" : "");
            return false;
        }
    }

    /* What the host promises must still fit its link, and its router's. */
    check_capacity_later(host);
    return true;
}

static void
cmd_host_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    bool may_exist = shash_find(&ctx->options, "--may-exist") != NULL;
    struct smap kvs = SMAP_INITIALIZER(&kvs);
    struct opt_int capacity;

    if (report_error(ctx, metanet_name_check("host", name))
        || report_error(ctx, parse_rate_kv("capacity", ctx->argv[2], false,
                                           true, &capacity))
        || !parse_command_keys(ctx, 3, host_add_keys, &kvs)) {
        goto out;
    }

    if (host_by_name(ctx, name)) {
        if (!may_exist) {
            ctl_error(ctx, "host \"%s\" already exists", name);
        }
        goto out;
    }

    retry_on_conflict = true;
    const struct mnrec_host *host = mnrec_host_insert(ctx->txn);
    mnrec_host_set_name(host, name);
    mnrec_host_set_capacity(host, capacity.value);
    apply_host_keys(ctx, host, &kvs);

out:
    smap_destroy(&kvs);
}

static void
cmd_host_set(struct ctl_context *ctx)
{
    struct smap kvs = SMAP_INITIALIZER(&kvs);
    const struct mnrec_host *host = find_host(ctx, ctx->argv[1], true);

    if (host && parse_command_keys(ctx, 2, host_set_keys, &kvs)) {
        apply_host_keys(ctx, host, &kvs);
    }
    smap_destroy(&kvs);
}

static void
cmd_host_del(struct ctl_context *ctx)
{
    bool if_exists = shash_find(&ctx->options, "--if-exists") != NULL;
    const struct mnrec_host *host = find_host(ctx, ctx->argv[1], !if_exists);
    size_t n;

    if (!host) {
        return;
    }
    n = count_metalinks(ctx, NULL, host);
    if (n) {
        ctl_error(ctx, "cannot delete host \"%s\": %"PRIuSIZE" metalink%s "
                  "use%s it (delete them first)", host->name, n,
                  n == 1 ? "" : "s", n == 1 ? "s" : "");
        return;
    }
    n = count_routed_hosts(ctx, host);
    if (n) {
        ctl_error(ctx, "cannot delete host \"%s\": %"PRIuSIZE" host%s use%s "
                  "it as substrate router (change or delete them first)",
                  host->name, n, n == 1 ? "" : "s", n == 1 ? "s" : "");
        return;
    }
    mnrec_host_delete(host);
}

/* Metalinks. */

static const char *const metalink_add_keys[] = {
    "mli", "min", "max", "weight", "burst", "mode", NULL,
};

static const char *const metalink_set_keys[] = {
    "min", "max", "weight", "burst", "mode", NULL,
};

static bool
apply_metalink_keys(struct ctl_context *ctx, const struct mnrec_metalink *ml,
                    const struct smap *kvs)
{
    struct smap_node *node;
    char *error = NULL;

    SMAP_FOR_EACH (node, kvs) {
        const char *key = node->key, *value = node->value;
        struct opt_int r;

        if (!strcmp(key, "min")) {
            error = parse_rate_kv(key, value, true, false, &r);
            if (!error) {
                mnrec_metalink_set_min_rate(ml, opt_ptr(&r), opt_n(&r));
            }
        } else if (!strcmp(key, "max")) {
            error = parse_rate_kv(key, value, true, true, &r);
            if (!error) {
                mnrec_metalink_set_max_rate(ml, opt_ptr(&r), opt_n(&r));
            }
        } else if (!strcmp(key, "weight")) {
            error = parse_weight_kv(value, &r);
            if (!error) {
                mnrec_metalink_set_weight(ml, opt_ptr(&r), opt_n(&r));
            }
        } else if (!strcmp(key, "burst")) {
            error = parse_bits_kv(key, value, &r);
            if (!error) {
                mnrec_metalink_set_burst(ml, opt_ptr(&r), opt_n(&r));
            }
        } else if (!strcmp(key, "mode")) {
            if (value[0] && strcmp(value, "raw") && strcmp(value, "payload")) {
                error = xasprintf("mode: invalid mode \"%s\": expected raw "
                                  "or payload", value);
            } else {
                mnrec_metalink_set_mode(ml, value[0] ? value : NULL);
            }
        }
        if (report_error(ctx, error)) {
            return false;
        }
    }
    check_capacity_later(ml->host);
    return check_metalink_rates(ctx, ml);
}

static void
cmd_metalink_add(struct ctl_context *ctx)
{
    struct metactl_context *mctx = metactl_context_cast(ctx);
    bool may_exist = shash_find(&ctx->options, "--may-exist") != NULL;
    struct smap kvs = SMAP_INITIALIZER(&kvs);
    const struct mnrec_metanet *mn;
    const struct mnrec_host *host;
    uint32_t mli = 0;

    if (!parse_command_keys(ctx, 3, metalink_add_keys, &kvs)) {
        goto out;
    }
    const char *mli_s = smap_get(&kvs, "mli");
    if (mli_s
        && report_error(ctx, metanet_id_parse("MLI", mli_s, METANET_MLI_MAX,
                                              &mli))) {
        goto out;
    }
    if (may_exist && !mli_s) {
        ctl_error(ctx, "metalink-add: --may-exist needs mli=N, to know "
                  "which metalink may exist");
        goto out;
    }
    mn = find_metanet(ctx, ctx->argv[1], true);
    host = mn ? find_host(ctx, ctx->argv[2], true) : NULL;
    if (!host) {
        goto out;
    }

    if (mli) {
        const struct mnrec_metalink *old = metalink_by_mli(ctx, mli);
        if (old && may_exist && old->metanet == mn && old->host == host) {
            ds_put_format(&ctx->output, "%"PRIu32"\n", mli);
            goto out;
        } else if (old) {
            ctl_error(ctx, "metalink %"PRIu32" already exists (metanet "
                      "\"%s\", host \"%s\")", mli, old->metanet->name,
                      old->host->name);
            goto out;
        }
        populate_mlis(mctx);
    } else {
        mli = lowest_free_mli(mctx);
        if (!mli) {
            ctl_error(ctx, "no free MLI: all 4294967295 are in use");
            goto out;
        }
    }
    add_mli(mctx, mli);

    /* Another client may take the same MLI at the same time; the mli index
     * makes one of the two transactions fail, and the loser runs again. */
    retry_on_conflict = true;
    const struct mnrec_metalink *ml = mnrec_metalink_insert(ctx->txn);
    mnrec_metalink_set_metanet(ml, mn);
    mnrec_metalink_set_host(ml, host);
    mnrec_metalink_set_mli(ml, mli);
    smap_remove(&kvs, "mli");
    if (apply_metalink_keys(ctx, ml, &kvs)) {
        ds_put_format(&ctx->output, "%"PRIu32"\n", mli);
    }

out:
    smap_destroy(&kvs);
}

static void
cmd_metalink_set(struct ctl_context *ctx)
{
    struct smap kvs = SMAP_INITIALIZER(&kvs);
    const struct mnrec_metalink *ml = find_metalink(ctx, ctx->argv[1], true);

    if (ml && parse_command_keys(ctx, 2, metalink_set_keys, &kvs)) {
        apply_metalink_keys(ctx, ml, &kvs);
    }
    smap_destroy(&kvs);
}

static void
cmd_metalink_del(struct ctl_context *ctx)
{
    bool if_exists = shash_find(&ctx->options, "--if-exists") != NULL;
    const struct mnrec_metalink *ml = find_metalink(ctx, ctx->argv[1],
                                                    !if_exists);
    if (ml) {
        forget_mli(metactl_context_cast(ctx), ml->mli);
        mnrec_metalink_delete(ml);
    }
}

/* Tables for the list commands.
 *
 * Each list command builds its rows from an array of column descriptions
 * and prints the columns that --columns names (all of them by default).
 * Rates are human-readable ("1.5 Mbps"), except in JSON, where they are
 * exact integers; absent values are empty (null in JSON). */

static bool
exact_output(void)
{
    return table_style.format == TF_JSON || table_style.cell_format == CF_JSON;
}

static void
cell_null(struct table *t)
{
    table_add_cell(t);
}

static void
cell_string(struct table *t, const char *s)
{
    if (s) {
        struct cell *cell = table_add_cell(t);
        cell->text = xstrdup(s);
    } else {
        cell_null(t);
    }
}

static void
cell_int(struct table *t, int64_t value)
{
    struct cell *cell = table_add_cell(t);
    if (exact_output()) {
        cell->json = json_integer_create(value);
    } else {
        cell->text = xasprintf("%"PRId64, value);
    }
}

static void
cell_opt_int(struct table *t, const int64_t *value, size_t n)
{
    if (n) {
        cell_int(t, *value);
    } else {
        cell_null(t);
    }
}

static void
cell_rate(struct table *t, const int64_t *bps, size_t n)
{
    if (!n) {
        cell_null(t);
    } else if (exact_output()) {
        cell_int(t, *bps);
    } else {
        table_add_cell(t)->text = rate_string(*bps);
    }
}

static void
cell_bits(struct table *t, const int64_t *bits, size_t n)
{
    if (!n) {
        cell_null(t);
    } else if (exact_output()) {
        cell_int(t, *bits);
    } else {
        struct ds s = DS_EMPTY_INITIALIZER;
        metanet_bits_format(*bits, &s);
        table_add_cell(t)->text = ds_steal_cstr(&s);
    }
}

/* A column of a list command: its heading and how to fill its cell for a
 * row of the command's table. */
struct list_column {
    const char *heading;
    void (*cell)(struct ctl_context *, struct table *, const void *row);
};

/* Picks the columns of 'all' (of 'n_all') that the command's --columns
 * option names, in that order, or all of them.  Returns NULL after
 * reporting an error if it names an unknown column. */
static const struct list_column **
pick_columns(struct ctl_context *ctx, const struct list_column *all,
             size_t n_all, size_t *n)
{
    const struct shash_node *opt = shash_find(&ctx->options, "--columns");
    const struct list_column **picked = xcalloc(n_all + 1, sizeof *picked);

    *n = 0;
    if (!opt) {
        for (size_t i = 0; i < n_all; i++) {
            picked[(*n)++] = &all[i];
        }
        return picked;
    }

    char *copy = xstrdup(opt->data);
    char *save_ptr = NULL;
    for (char *name = strtok_r(copy, ", ", &save_ptr); name;
         name = strtok_r(NULL, ", ", &save_ptr)) {
        const struct list_column *c = NULL;
        for (size_t i = 0; i < n_all && !c; i++) {
            if (!strcasecmp(all[i].heading, name)) {
                c = &all[i];
            }
        }
        if (!c || *n >= n_all) {
            struct ds s = DS_EMPTY_INITIALIZER;
            for (size_t i = 0; i < n_all; i++) {
                ds_put_format(&s, "%s%s", i ? ", " : "", all[i].heading);
            }
            ctl_error(ctx, "%s: unknown column \"%s\" (expected %s)",
                      ctx->argv[0], name, ds_cstr(&s));
            ds_destroy(&s);
            free(copy);
            free(picked);
            return NULL;
        }
        picked[(*n)++] = c;
    }
    free(copy);
    if (!*n) {
        ctl_error(ctx, "%s: --columns names no column", ctx->argv[0]);
        free(picked);
        return NULL;
    }
    return picked;
}

/* Fills 'ctx->table' with one row for each of the 'n_rows' rows in 'rows',
 * in the columns of 'all' that --columns picks. */
static void
list_rows(struct ctl_context *ctx, const struct list_column *all,
          size_t n_all, const void **rows, size_t n_rows)
{
    size_t n_cols;
    const struct list_column **cols = pick_columns(ctx, all, n_all, &n_cols);
    if (!cols) {
        return;
    }

    struct table *t = xmalloc(sizeof *t);
    table_init(t);
    for (size_t i = 0; i < n_cols; i++) {
        table_add_column(t, "%s", cols[i]->heading);
    }
    for (size_t r = 0; r < n_rows; r++) {
        table_add_row(t);
        for (size_t i = 0; i < n_cols; i++) {
            cols[i]->cell(ctx, t, rows[r]);
        }
    }
    ctx->table = t;
    free(cols);
}

static int
compare_metanets(const void *a_, const void *b_)
{
    const struct mnrec_metanet *const *a = a_, *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static int
compare_hosts(const void *a_, const void *b_)
{
    const struct mnrec_host *const *a = a_, *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static int
compare_metalinks(const void *a_, const void *b_)
{
    const struct mnrec_metalink *const *a = a_, *const *b = b_;
    return (*a)->mli < (*b)->mli ? -1 : (*a)->mli > (*b)->mli;
}

/* metanet-list. */

static void
mn_name(struct ctl_context *ctx OVS_UNUSED, struct table *t, const void *r)
{
    cell_string(t, ((const struct mnrec_metanet *) r)->name);
}

static void
mn_mni(struct ctl_context *ctx OVS_UNUSED, struct table *t, const void *r)
{
    cell_int(t, ((const struct mnrec_metanet *) r)->mni);
}

static void
mn_min(struct ctl_context *ctx OVS_UNUSED, struct table *t, const void *r)
{
    const struct mnrec_metanet *mn = r;
    cell_rate(t, mn->default_min_rate, mn->n_default_min_rate);
}

static void
mn_max(struct ctl_context *ctx OVS_UNUSED, struct table *t, const void *r)
{
    const struct mnrec_metanet *mn = r;
    cell_rate(t, mn->default_max_rate, mn->n_default_max_rate);
}

static void
mn_limit(struct ctl_context *ctx OVS_UNUSED, struct table *t, const void *r)
{
    const struct mnrec_metanet *mn = r;
    cell_rate(t, mn->max_rate, mn->n_max_rate);
}

static void
mn_metalinks(struct ctl_context *ctx, struct table *t, const void *r)
{
    cell_int(t, count_metalinks(ctx, r, NULL));
}

static void
mn_description(struct ctl_context *ctx OVS_UNUSED, struct table *t,
               const void *r)
{
    const struct mnrec_metanet *mn = r;
    cell_string(t, mn->description[0] ? mn->description : NULL);
}

static const struct list_column metanet_columns[] = {
    { "name", mn_name },
    { "mni", mn_mni },
    { "min", mn_min },
    { "max", mn_max },
    { "limit", mn_limit },
    { "metalinks", mn_metalinks },
    { "description", mn_description },
};

static void
cmd_metanet_list(struct ctl_context *ctx)
{
    const struct mnrec_metanet *mn;
    size_t n = 0, allocated = 0;
    const struct mnrec_metanet **rows = NULL;

    MNREC_METANET_FOR_EACH (mn, ctx->idl) {
        if (n >= allocated) {
            rows = x2nrealloc(rows, &allocated, sizeof *rows);
        }
        rows[n++] = mn;
    }
    qsort(rows, n, sizeof *rows, compare_metanets);
    list_rows(ctx, metanet_columns, ARRAY_SIZE(metanet_columns),
              (const void **) rows, n);
    free(rows);
}

/* host-list. */

static int64_t
committed_minimums(struct ctl_context *ctx, const struct mnrec_host *host)
{
    const struct mnrec_metalink *ml;
    int64_t sum = 0;

    MNREC_METALINK_FOR_EACH (ml, ctx->idl) {
        if (ml->host == host
            || (ml->host && ml->host->substrate_router == host)) {
            sum += effective_min(ml);
        }
    }
    return sum;
}

static void
host_name(struct ctl_context *ctx OVS_UNUSED, struct table *t, const void *r)
{
    cell_string(t, ((const struct mnrec_host *) r)->name);
}

static void
host_role(struct ctl_context *ctx OVS_UNUSED, struct table *t, const void *r)
{
    cell_string(t, is_router(r) ? "substrate-router" : "host");
}

static void
host_router(struct ctl_context *ctx OVS_UNUSED, struct table *t,
            const void *r)
{
    const struct mnrec_host *host = r;
    cell_string(t, host->substrate_router ? host->substrate_router->name
                : NULL);
}

static void
host_capacity(struct ctl_context *ctx OVS_UNUSED, struct table *t,
              const void *r)
{
    cell_rate(t, &((const struct mnrec_host *) r)->capacity, 1);
}

static void
host_native(struct ctl_context *ctx OVS_UNUSED, struct table *t,
            const void *r)
{
    const struct mnrec_host *host = r;
    cell_rate(t, host->native_rate, host->n_native_rate);
}

static void
host_committed(struct ctl_context *ctx, struct table *t, const void *r)
{
    int64_t sum = committed_minimums(ctx, r);
    cell_rate(t, &sum, 1);
}

static void
host_metalinks(struct ctl_context *ctx, struct table *t, const void *r)
{
    cell_int(t, count_metalinks(ctx, NULL, r));
}

static void
host_dpid(struct ctl_context *ctx OVS_UNUSED, struct table *t, const void *r)
{
    cell_string(t, ((const struct mnrec_host *) r)->datapath_id);
}

static void
host_uplink(struct ctl_context *ctx OVS_UNUSED, struct table *t,
            const void *r)
{
    cell_string(t, ((const struct mnrec_host *) r)->uplink);
}

static void
host_mac(struct ctl_context *ctx OVS_UNUSED, struct table *t, const void *r)
{
    cell_string(t, ((const struct mnrec_host *) r)->mac);
}

static const struct list_column host_columns[] = {
    { "name", host_name },
    { "role", host_role },
    { "router", host_router },
    { "capacity", host_capacity },
    { "native", host_native },
    { "committed", host_committed },
    { "metalinks", host_metalinks },
    { "dpid", host_dpid },
    { "uplink", host_uplink },
    { "mac", host_mac },
};

static void
cmd_host_list(struct ctl_context *ctx)
{
    const struct mnrec_host *host;
    size_t n = 0, allocated = 0;
    const struct mnrec_host **rows = NULL;

    MNREC_HOST_FOR_EACH (host, ctx->idl) {
        if (n >= allocated) {
            rows = x2nrealloc(rows, &allocated, sizeof *rows);
        }
        rows[n++] = host;
    }
    qsort(rows, n, sizeof *rows, compare_hosts);
    list_rows(ctx, host_columns, ARRAY_SIZE(host_columns),
              (const void **) rows, n);
    free(rows);
}

/* metalink-list and stats. */

static void
ml_mli(struct ctl_context *ctx OVS_UNUSED, struct table *t, const void *r)
{
    cell_int(t, ((const struct mnrec_metalink *) r)->mli);
}

static void
ml_metanet(struct ctl_context *ctx OVS_UNUSED, struct table *t, const void *r)
{
    cell_string(t, ((const struct mnrec_metalink *) r)->metanet->name);
}

static void
ml_host(struct ctl_context *ctx OVS_UNUSED, struct table *t, const void *r)
{
    cell_string(t, ((const struct mnrec_metalink *) r)->host->name);
}

static void
ml_min(struct ctl_context *ctx OVS_UNUSED, struct table *t, const void *r)
{
    const struct mnrec_metalink *ml = r;
    cell_rate(t, ml->min_rate, ml->n_min_rate);
}

static void
ml_max(struct ctl_context *ctx OVS_UNUSED, struct table *t, const void *r)
{
    const struct mnrec_metalink *ml = r;
    cell_rate(t, ml->max_rate, ml->n_max_rate);
}

static void
ml_weight(struct ctl_context *ctx OVS_UNUSED, struct table *t, const void *r)
{
    const struct mnrec_metalink *ml = r;
    cell_opt_int(t, ml->weight, ml->n_weight);
}

static void
ml_burst(struct ctl_context *ctx OVS_UNUSED, struct table *t, const void *r)
{
    const struct mnrec_metalink *ml = r;
    cell_bits(t, ml->burst, ml->n_burst);
}

static void
ml_mode(struct ctl_context *ctx OVS_UNUSED, struct table *t, const void *r)
{
    cell_string(t, ((const struct mnrec_metalink *) r)->mode);
}

static void
ml_allocated(struct ctl_context *ctx OVS_UNUSED, struct table *t,
             const void *r)
{
    const struct mnrec_metalink *ml = r;
    cell_rate(t, ml->allocated_rate, ml->n_allocated_rate);
}

static void
ml_state(struct ctl_context *ctx OVS_UNUSED, struct table *t, const void *r)
{
    const struct mnrec_metalink *ml = r;
    cell_string(t, ml->state ? ml->state : "pending");
}

static void
ml_reason(struct ctl_context *ctx OVS_UNUSED, struct table *t, const void *r)
{
    cell_string(t, ((const struct mnrec_metalink *) r)->reason);
}

static const struct list_column metalink_columns[] = {
    { "mli", ml_mli },
    { "metanet", ml_metanet },
    { "host", ml_host },
    { "min", ml_min },
    { "max", ml_max },
    { "weight", ml_weight },
    { "burst", ml_burst },
    { "mode", ml_mode },
    { "allocated", ml_allocated },
    { "state", ml_state },
    { "reason", ml_reason },
};

/* Collects the metalinks that the optional filter argument of metalink-list
 * and stats selects, sorted by MLI, into '*rowsp'.  Returns false after
 * reporting an error if the filter names nothing. */
static bool
select_metalinks(struct ctl_context *ctx,
                 const struct mnrec_metalink ***rowsp, size_t *np)
{
    const struct mnrec_metanet *mn = NULL;
    const struct mnrec_host *host = NULL;
    const struct mnrec_metalink *ml;

    *rowsp = NULL;
    *np = 0;
    if (ctx->argc > 1) {
        const char *filter = ctx->argv[1];

        if (!strncmp(filter, "metanet=", 8)) {
            mn = find_metanet(ctx, filter + 8, true);
        } else if (!strncmp(filter, "host=", 5)) {
            host = find_host(ctx, filter + 5, true);
        } else {
            mn = find_metanet(ctx, filter, false);
            host = find_host(ctx, filter, false);
            if (mn && host) {
                ctl_error(ctx, "\"%s\" names both a metanet and a host (say "
                          "metanet=%s or host=%s)", filter, filter, filter);
                return false;
            } else if (!mn && !host) {
                ctl_error(ctx, "\"%s\" is neither a metanet nor a host",
                          filter);
                return false;
            }
        }
        if (!mn && !host) {
            return false;
        }
    }

    size_t allocated = 0;
    MNREC_METALINK_FOR_EACH (ml, ctx->idl) {
        if ((!mn || ml->metanet == mn) && (!host || ml->host == host)) {
            if (*np >= allocated) {
                *rowsp = x2nrealloc(*rowsp, &allocated, sizeof **rowsp);
            }
            (*rowsp)[(*np)++] = ml;
        }
    }
    qsort(*rowsp, *np, sizeof **rowsp, compare_metalinks);
    return true;
}

static void
cmd_metalink_list(struct ctl_context *ctx)
{
    const struct mnrec_metalink **rows;
    size_t n;

    if (select_metalinks(ctx, &rows, &n)) {
        list_rows(ctx, metalink_columns, ARRAY_SIZE(metalink_columns),
                  (const void **) rows, n);
    }
    free(rows);
}

/* "stats" has the metalink's identity and allocation, then one column for
 * each statistic that any selected metalink has (the controller decides
 * which), in alphabetical order, with exact values. */
static void
cmd_stats(struct ctl_context *ctx)
{
    static const struct list_column fixed[] = {
        { "mli", ml_mli },
        { "metanet", ml_metanet },
        { "host", ml_host },
        { "allocated", ml_allocated },
        { "state", ml_state },
    };
    const struct mnrec_metalink **rows;
    struct sset keys = SSET_INITIALIZER(&keys);
    size_t n;

    if (!select_metalinks(ctx, &rows, &n)) {
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < rows[i]->n_statistics; j++) {
            sset_add(&keys, rows[i]->key_statistics[j]);
        }
    }

    /* The statistic columns are columns like the others for --columns, so
     * describe them with a shared cell function that looks up the heading
     * it was called for. */
    size_t n_all = ARRAY_SIZE(fixed) + sset_count(&keys);
    struct list_column *all = xmalloc(n_all * sizeof *all);
    const char **sorted = sset_sort(&keys);
    memcpy(all, fixed, sizeof fixed);
    for (size_t i = 0; i < sset_count(&keys); i++) {
        all[ARRAY_SIZE(fixed) + i].heading = sorted[i];
        all[ARRAY_SIZE(fixed) + i].cell = NULL;
    }

    size_t n_cols;
    const struct list_column **cols = pick_columns(ctx, all, n_all, &n_cols);
    if (cols) {
        struct table *t = xmalloc(sizeof *t);
        table_init(t);
        for (size_t i = 0; i < n_cols; i++) {
            table_add_column(t, "%s", cols[i]->heading);
        }
        for (size_t r = 0; r < n; r++) {
            const struct mnrec_metalink *ml = rows[r];

            table_add_row(t);
            for (size_t i = 0; i < n_cols; i++) {
                if (cols[i]->cell) {
                    cols[i]->cell(ctx, t, ml);
                    continue;
                }
                const int64_t *value = NULL;
                for (size_t j = 0; j < ml->n_statistics && !value; j++) {
                    if (!strcmp(ml->key_statistics[j], cols[i]->heading)) {
                        value = &ml->value_statistics[j];
                    }
                }
                cell_opt_int(t, value, value != NULL);
            }
        }
        ctx->table = t;
        free(cols);
    }
    free(sorted);
    free(all);

out:
    free(rows);
    sset_destroy(&keys);
}

/* show. */

static void
show_rate(struct ds *s, const char *label, const int64_t *bps, size_t n)
{
    ds_put_format(s, "%s ", label);
    if (n) {
        metanet_rate_format(*bps, s);
    } else {
        ds_put_char(s, '-');
    }
}

/* Prints, indented by 'indent', the metalinks in 'mls[0]' to
 * 'mls[n - 1]' (all of one host, sorted by metanet then MLI), grouped by
 * metanet. */
static void
show_metalinks(struct ds *s, const struct mnrec_metalink **mls, size_t n,
               int indent)
{
    const struct mnrec_metanet *mn = NULL;

    for (size_t i = 0; i < n; i++) {
        const struct mnrec_metalink *ml = mls[i];

        if (ml->metanet != mn) {
            mn = ml->metanet;
            ds_put_format(s, "%*smetanet %s (MNI %"PRId64")\n", indent, "",
                          mn->name, mn->mni);
        }
        ds_put_format(s, "%*smetalink %"PRId64": ", indent + 4, "", ml->mli);
        show_rate(s, "min", ml->min_rate, ml->n_min_rate);
        show_rate(s, ", max", ml->max_rate, ml->n_max_rate);
        show_rate(s, ", allocated", ml->allocated_rate,
                  ml->n_allocated_rate);
        ds_put_format(s, ", %s", ml->state ? ml->state : "pending");
        if (ml->reason && ml->reason[0]) {
            ds_put_format(s, " (%s)", ml->reason);
        }
        ds_put_char(s, '\n');
    }
}

static void
show_host(struct ctl_context *ctx, const struct mnrec_host *host,
          const struct shash *by_host, int indent)
{
    struct ds *s = &ctx->output;

    ds_put_format(s, "%*s%s %s: capacity ", indent, "",
                  is_router(host) ? "substrate router" : "host", host->name);
    metanet_rate_format(host->capacity, s);
    show_rate(s, ", native", host->native_rate, host->n_native_rate);
    ds_put_cstr(s, ", committed ");
    metanet_rate_format(committed_minimums(ctx, host), s);
    if (host->datapath_id) {
        ds_put_format(s, ", dpid %s", host->datapath_id);
    }
    ds_put_char(s, '\n');

    const struct shash_node *node = shash_find(by_host, host->name);
    if (node) {
        const struct mnrec_metalink **mls = node->data;
        size_t n = 0;
        while (mls[n]) {
            n++;
        }
        show_metalinks(s, mls, n, indent + 4);
    }
}

static int
compare_metalinks_for_show(const void *a_, const void *b_)
{
    const struct mnrec_metalink *const *a = a_, *const *b = b_;
    int cmp = strcmp((*a)->host->name, (*b)->host->name);
    if (!cmp) {
        cmp = strcmp((*a)->metanet->name, (*b)->metanet->name);
    }
    return cmp ? cmp : compare_metalinks(a_, b_);
}

static void
cmd_show(struct ctl_context *ctx)
{
    const struct mnrec_host *host;
    const struct mnrec_metalink *ml;
    const struct mnrec_host **hosts = NULL;
    const struct mnrec_metalink **mls = NULL;
    size_t n_hosts = 0, allocated_hosts = 0;
    size_t n_mls = 0, allocated_mls = 0;

    MNREC_HOST_FOR_EACH (host, ctx->idl) {
        if (n_hosts >= allocated_hosts) {
            hosts = x2nrealloc(hosts, &allocated_hosts, sizeof *hosts);
        }
        hosts[n_hosts++] = host;
    }
    qsort(hosts, n_hosts, sizeof *hosts, compare_hosts);

    /* All metalinks, sorted by host, metanet and MLI, each host's run ended
     * by a null pointer and found through 'by_host'. */
    MNREC_METALINK_FOR_EACH (ml, ctx->idl) {
        if (n_mls + 1 >= allocated_mls) {
            mls = x2nrealloc(mls, &allocated_mls, sizeof *mls);
        }
        mls[n_mls++] = ml;
    }
    qsort(mls, n_mls, sizeof *mls, compare_metalinks_for_show);
    const struct mnrec_metalink **runs = xcalloc(2 * n_mls + 1,
                                                 sizeof *runs);
    struct shash by_host = SHASH_INITIALIZER(&by_host);
    size_t j = 0;
    for (size_t i = 0; i < n_mls; i++) {
        if (!i || mls[i]->host != mls[i - 1]->host) {
            if (i) {
                runs[j++] = NULL;
            }
            shash_add(&by_host, mls[i]->host->name, &runs[j]);
        }
        runs[j++] = mls[i];
    }

    /* Substrate routers, each with the hosts behind it. */
    bool any_unrouted = false;
    for (size_t i = 0; i < n_hosts; i++) {
        if (is_router(hosts[i])) {
            show_host(ctx, hosts[i], &by_host, 0);
            for (size_t k = 0; k < n_hosts; k++) {
                if (hosts[k]->substrate_router == hosts[i]) {
                    show_host(ctx, hosts[k], &by_host, 4);
                }
            }
        } else if (!hosts[i]->substrate_router) {
            any_unrouted = true;
        }
    }
    if (any_unrouted) {
        ds_put_cstr(&ctx->output, "hosts without a substrate router\n");
        for (size_t i = 0; i < n_hosts; i++) {
            if (!is_router(hosts[i]) && !hosts[i]->substrate_router) {
                show_host(ctx, hosts[i], &by_host, 4);
            }
        }
    }

    shash_destroy(&by_host);
    free(runs);
    free(mls);
    free(hosts);
}

/* Running the commands. */

static void
metactl_context_init(struct metactl_context *ctx, struct ctl_command *command,
                     struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn,
                     const struct mnrec_global *global,
                     struct ovsdb_symbol_table *symtab)
{
    ctl_context_init(&ctx->base, command, idl, txn, symtab,
                     metactl_context_invalidate_cache);
    ctx->global = global;
    ctx->mlis_valid = false;
}

static void
metactl_context_done(struct metactl_context *ctx, struct ctl_command *command)
{
    ctl_context_done(&ctx->base, command);
}

static void
run_prerequisites(struct ctl_command *commands, size_t n_commands,
                  struct ovsdb_idl *idl)
{
    ovsdb_idl_add_table(idl, &mnrec_table_global);
    ovsdb_idl_add_column(idl, &mnrec_global_col_cfg);
    ovsdb_idl_add_column(idl, &mnrec_global_col_controller_cfg);
    ovsdb_idl_add_column(idl, &mnrec_global_col_hosts_cfg);
    table_needed[MNREC_TABLE_GLOBAL] = true;

    for (struct ctl_command *c = commands; c < &commands[n_commands]; c++) {
        if (c->syntax->prerequisites) {
            struct metactl_context ctx;

            ds_init(&c->output);
            c->table = NULL;

            metactl_context_init(&ctx, c, idl, NULL, NULL, NULL);
            (c->syntax->prerequisites)(&ctx.base);
            if (ctx.base.error) {
                ctl_fatal("%s", ctx.base.error);
            }
            metactl_context_done(&ctx, c);

            ovs_assert(!c->output.string);
            ovs_assert(!c->table);
        }
    }
}

/* Commits 'txn', waiting no longer than --timeout. */
static enum ovsdb_idl_txn_status
commit(struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn)
{
    enum ovsdb_idl_txn_status status;

    while ((status = ovsdb_idl_txn_commit(txn)) == TXN_INCOMPLETE) {
        ovsdb_idl_run(idl);
        ovsdb_idl_wait(idl);
        ovsdb_idl_txn_wait(txn);
        timer_wait(&deadline);
        poll_block();
        check_deadline(idl, "waiting for the database to commit "
                       "(nothing was changed)");
    }
    return status;
}

/* Waits until the controller (or every host) has processed configuration
 * 'next_cfg', as --wait asks. */
static void
wait_for_cfg(struct ovsdb_idl *idl, int64_t next_cfg)
{
    const char *who = (wait_type == WAIT_CONTROLLER
                       ? "the controller" : "the hosts");
    char *doing = xasprintf("waiting for %s to apply configuration %"PRId64
                            " (the change itself is committed)", who,
                            next_cfg);

    ovsdb_idl_enable_reconnect(idl);
    for (;;) {
        ovsdb_idl_run(idl);

        const struct mnrec_global *global = mnrec_global_first(idl);
        if (global) {
            int64_t cur = (wait_type == WAIT_CONTROLLER
                           ? global->controller_cfg : global->hosts_cfg);
            if (cur >= next_cfg) {
                break;
            }
        }
        ovsdb_idl_wait(idl);
        timer_wait(&deadline);
        poll_block();
        check_deadline(idl, doing);
    }
    free(doing);
}

static bool
is_conflict(const char *error)
{
    return error && strstr(error, "constraint violation");
}

static bool
is_domain_table_command(const struct ctl_command_syntax *);

static bool
do_metactl(const char *args, struct ctl_command *commands, size_t n_commands,
           struct ovsdb_idl *idl)
{
    struct metactl_context ctx;
    struct ctl_command *c;

    free(conflict_error);
    conflict_error = NULL;

    struct ovsdb_idl_txn *txn = the_idl_txn = ovsdb_idl_txn_create(idl);
    if (dry_run) {
        ovsdb_idl_txn_set_dry_run(txn);
    }
    ovsdb_idl_txn_add_comment(txn, "metactl: %s", args);

    force_wait = false;
    retry_on_conflict = false;
    uuidset_clear(&hosts_to_check);

    const struct mnrec_global *global = mnrec_global_first(idl);
    if (!global && (ctl_might_write_to_db(commands, n_commands)
                    || wait_type != WAIT_NONE)) {
        /* The Global row comes into being with the first write, as
         * ovs-vsctl creates the Open_vSwitch row. */
        global = mnrec_global_insert(txn);
        retry_on_conflict = true;
    }
    if (global && wait_type != WAIT_NONE) {
        if (global->cfg == INT64_MAX) {
            mnrec_global_set_cfg(global, 0);
        }
    }

    struct ovsdb_symbol_table *symtab = ovsdb_symbol_table_create();
    for (c = commands; c < &commands[n_commands]; c++) {
        ds_init(&c->output);
        c->table = NULL;
    }
    metactl_context_init(&ctx, NULL, idl, txn, global, symtab);
    for (c = commands; c < &commands[n_commands]; c++) {
        ctl_context_init_command(&ctx.base, c, c == &commands[n_commands - 1]);
        if (c->syntax->run) {
            (c->syntax->run)(&ctx.base);
        }
        if (ctx.base.error) {
            ctl_fatal("%s", ctx.base.error);
        }
        ctl_context_done_command(&ctx.base, c);

        if (ctx.base.try_again) {
            metactl_context_done(&ctx, NULL);
            goto try_again;
        }
    }
    if (!check_capacities(&ctx.base)) {
        ctl_fatal("%s", ctx.base.error);
    }
    global = ctx.global;
    metactl_context_done(&ctx, NULL);

    /* --wait increments Global's cfg, after the commands, so that "sync"
     * can ask for it even when nothing else changes. */
    if (wait_type != WAIT_NONE && global) {
        ovsdb_idl_txn_increment(txn, &global->header_, &mnrec_global_col_cfg,
                                force_wait);
    } else if (force_wait) {
        VLOG_INFO("\"sync\" has no effect without --wait");
    }

    struct shash_node *node;
    SHASH_FOR_EACH (node, &symtab->sh) {
        struct ovsdb_symbol *symbol = node->data;
        if (!symbol->created) {
            ctl_fatal("row id \"%s\" is referenced but never created (e.g. "
                      "with \"-- --id=%s create ...\")",
                      node->name, node->name);
        }
        if (!symbol->strong_ref && !symbol->weak_ref) {
            VLOG_WARN("row id \"%s\" was created but no reference to it "
                      "was inserted, so it will not actually appear in "
                      "the database", node->name);
        }
    }

    enum ovsdb_idl_txn_status status = commit(idl, txn);
    int64_t next_cfg = 0;
    if (wait_type != WAIT_NONE && status == TXN_SUCCESS && global) {
        next_cfg = ovsdb_idl_txn_get_increment_new_value(txn);
    }
    if (status == TXN_UNCHANGED || status == TXN_SUCCESS) {
        for (c = commands; c < &commands[n_commands]; c++) {
            if (c->syntax->postprocess) {
                metactl_context_init(&ctx, c, idl, txn, global, symtab);
                (c->syntax->postprocess)(&ctx.base);
                if (ctx.base.error) {
                    ctl_fatal("%s", ctx.base.error);
                }
                metactl_context_done(&ctx, c);
            }
        }
    }

    switch (status) {
    case TXN_UNCOMMITTED:
    case TXN_INCOMPLETE:
        OVS_NOT_REACHED();

    case TXN_ABORTED:
        ctl_fatal("transaction aborted");

    case TXN_UNCHANGED:
    case TXN_SUCCESS:
        break;

    case TXN_TRY_AGAIN:
        goto try_again;

    case TXN_ERROR: {
        const char *error = ovsdb_idl_txn_get_error(txn);
        if (retry_on_conflict && is_conflict(error)
            && ++n_conflicts <= MAX_CONFLICT_RETRIES) {
            VLOG_INFO("transaction conflicts with another client's, "
                      "retrying: %s", error);
            conflict_error = xstrdup(error);
            timer_set_duration(&conflict_timer, CONFLICT_WAIT_MSEC);
            goto try_again;
        }
        ctl_fatal("transaction error: %s", error);
    }

    case TXN_NOT_LOCKED:
        ctl_fatal("database not locked");

    default:
        OVS_NOT_REACHED();
    }

    ovsdb_symbol_table_destroy(symtab);

    for (c = commands; c < &commands[n_commands]; c++) {
        if (c->table) {
            struct table_style style = table_style;
            if (!format_given && is_domain_table_command(c->syntax)) {
                style.format = TF_TABLE;
            }
            table_print(c->table, &style);
        } else {
            fputs(ds_cstr(&c->output), stdout);
        }
        ds_destroy(&c->output);
        table_destroy(c->table);
        free(c->table);
        shash_destroy_free_data(&c->options);
    }
    free(commands);
    fflush(stdout);

    if (next_cfg && (status == TXN_SUCCESS)) {
        wait_for_cfg(idl, next_cfg);
    }

    ovsdb_idl_txn_destroy(txn);
    the_idl_txn = NULL;
    ovsdb_idl_destroy(idl);
    the_idl = NULL;
    return true;

try_again:
    /* The transaction must run again on a newer replica (or a precondition
     * is not met yet): free what it made and let the caller wait. */
    ovsdb_idl_txn_abort(txn);
    ovsdb_idl_txn_destroy(txn);
    the_idl_txn = NULL;

    ovsdb_symbol_table_destroy(symtab);
    for (c = commands; c < &commands[n_commands]; c++) {
        ds_destroy(&c->output);
        table_destroy(c->table);
        free(c->table);
    }
    return false;
}

/* Frees the transaction and the IDL and exits with 'status'.  (Freeing is
 * not necessary, but it keeps valgrind's reports clean.) */
static void
metactl_exit(int status)
{
    if (the_idl_txn) {
        ovsdb_idl_txn_abort(the_idl_txn);
        ovsdb_idl_txn_destroy(the_idl_txn);
    }
    ovsdb_idl_destroy(the_idl);
    exit(status);
}

/* Ways to name a row in each table, for the generic commands. */
static const struct ctl_table_class tables[MNREC_N_TABLES] = {
    [MNREC_TABLE_METANET].row_ids = {
        {&mnrec_metanet_col_name, NULL, NULL},
        {&mnrec_metanet_col_mni, NULL, NULL},
    },
    [MNREC_TABLE_HOST].row_ids = {
        {&mnrec_host_col_name, NULL, NULL},
        {&mnrec_host_col_datapath_id, NULL, NULL},
    },
    [MNREC_TABLE_METALINK].row_ids = {
        {&mnrec_metalink_col_mli, NULL, NULL},
    },
    [MNREC_TABLE_CONNECTION].row_ids = {
        {&mnrec_connection_col_target, NULL, NULL},
    },
    [MNREC_TABLE_RBAC_ROLE].row_ids = {
        {&mnrec_rbac_role_col_name, NULL, NULL},
    },
};

static const struct ctl_command_syntax metactl_commands[] = {
    {"init", 0, 0, "", pre_domain, cmd_init, NULL, "", RW},
    {"sync", 0, 0, "", NULL, cmd_sync, NULL, "", RO},
    {"show", 0, 0, "", pre_domain, cmd_show, NULL, "", RO},

    {"metanet-add", 2, INT_MAX, "NAME MNI [KEY=VALUE]...", pre_domain,
     cmd_metanet_add, NULL, "--may-exist", RW},
    {"metanet-set", 2, INT_MAX, "NAME KEY=VALUE...", pre_domain,
     cmd_metanet_set, NULL, "", RW},
    {"metanet-del", 1, 1, "NAME", pre_domain, cmd_metanet_del, NULL,
     "--if-exists", RW},
    {"metanet-list", 0, 0, "", pre_domain, cmd_metanet_list, NULL,
     "--columns=", RO},

    {"host-add", 2, INT_MAX, "NAME CAPACITY [KEY=VALUE]...", pre_domain,
     cmd_host_add, NULL, "--may-exist", RW},
    {"host-set", 2, INT_MAX, "NAME KEY=VALUE...", pre_domain, cmd_host_set,
     NULL, "", RW},
    {"host-del", 1, 1, "NAME", pre_domain, cmd_host_del, NULL,
     "--if-exists", RW},
    {"host-list", 0, 0, "", pre_domain, cmd_host_list, NULL, "--columns=",
     RO},

    {"metalink-add", 2, INT_MAX, "METANET HOST [KEY=VALUE]...", pre_domain,
     cmd_metalink_add, NULL, "--may-exist", RW},
    {"metalink-set", 2, INT_MAX, "MLI KEY=VALUE...", pre_domain,
     cmd_metalink_set, NULL, "", RW},
    {"metalink-del", 1, 1, "MLI", pre_domain, cmd_metalink_del, NULL,
     "--if-exists", RW},
    {"metalink-list", 0, 1, "[METANET|HOST]", pre_domain, cmd_metalink_list,
     NULL, "--columns=", RO},
    {"stats", 0, 1, "[METANET|HOST]", pre_domain, cmd_stats, NULL,
     "--columns=", RO},

    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};

/* Returns true if 'syntax' is one of metactl's own list commands, which
 * print as a table unless -f says otherwise (db-ctl-base's "list" and
 * "find" keep their "list" format). */
static bool
is_domain_table_command(const struct ctl_command_syntax *syntax)
{
    return (syntax >= metactl_commands
            && syntax < &metactl_commands[ARRAY_SIZE(metactl_commands)]);
}

static void
metactl_cmd_init(void)
{
    ctl_init(&mnrec_idl_class, mnrec_table_classes, tables, NULL,
             metactl_exit);
    ctl_register_commands(metactl_commands);
}
