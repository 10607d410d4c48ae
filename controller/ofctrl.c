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

#include <config.h>

#include "ofctrl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "flow.h"
#include "hash.h"
#include "openflow/openflow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-bundle.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-match.h"
#include "openvswitch/ofp-meter.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-switch.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/rconn.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "simap.h"
#include "socket-util.h"
#include "switch-flows.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(ofctrl);

COVERAGE_DEFINE(ofctrl_accept_error);
COVERAGE_DEFINE(ofctrl_refused);
COVERAGE_DEFINE(ofctrl_replaced);
COVERAGE_DEFINE(ofctrl_disconnected);
COVERAGE_DEFINE(ofctrl_bad_msg);
COVERAGE_DEFINE(ofctrl_ignored_msg);
COVERAGE_DEFINE(ofctrl_error_msg);
COVERAGE_DEFINE(ofctrl_bad_reply);
COVERAGE_DEFINE(ofctrl_dump_failed);
COVERAGE_DEFINE(ofctrl_foreign_meter);
COVERAGE_DEFINE(ofctrl_bad_actions);
COVERAGE_DEFINE(ofctrl_txn_failed);
COVERAGE_DEFINE(ofctrl_stats_failed);
COVERAGE_DEFINE(ofctrl_stats_late);
COVERAGE_DEFINE(ofctrl_bundle);
COVERAGE_DEFINE(ofctrl_nothing_to_send);
COVERAGE_DEFINE(ofctrl_flow_add);
COVERAGE_DEFINE(ofctrl_flow_modify);
COVERAGE_DEFINE(ofctrl_flow_delete);
COVERAGE_DEFINE(ofctrl_meter_add);
COVERAGE_DEFINE(ofctrl_meter_modify);
COVERAGE_DEFINE(ofctrl_meter_delete);

/* How our meters look on the wire: one drop band, in kbps, with a burst. */
#define OFCTRL_METER_FLAGS (OFPMF13_KBPS | OFPMF13_BURST | OFPMF13_STATS)

/* Bundles are atomic and ordered. */
#define OFCTRL_BUNDLE_FLAGS (OFPBF_ATOMIC | OFPBF_ORDERED)

/* Retrying after a switch refused a difference. */
#define OFCTRL_MIN_BACKOFF 1000     /* ms. */
#define OFCTRL_MAX_BACKOFF 8000     /* ms. */

/* Messages handled per connection per ofctrl_run(). */
#define OFCTRL_MAX_RECV 50

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* Every ofctrl, for the unixctl commands. */
static struct ovs_list all_ofctrls = OVS_LIST_INITIALIZER(&all_ofctrls);

struct ofctrl {
    struct ovs_list list_node;  /* In 'all_ofctrls'. */
    char *listen;
    struct pvconn *pvconn;
    struct ovs_list conns;      /* Contains "struct ofctrl_conn"s. */
    struct hmap switches;       /* Contains "struct ofctrl_switch"s. */
    uint64_t seqno;
    int probe_interval;         /* Seconds. */
    int stats_interval;         /* Milliseconds, 0 for none. */
    long long int next_stats;   /* When to ask for statistics next. */
};

/* A switch, known by its datapath id, connected or not. */
struct ofctrl_switch {
    struct hmap_node node;      /* In 'struct ofctrl' 'switches'. */
    uint64_t dpid;
    struct ofctrl_conn *conn;   /* Its identified connection, or NULL. */

    struct switch_flows desired;
    uint64_t desired_cfg;
    bool has_desired;           /* Has ofctrl_put() been called? */
    bool desired_fresh;         /* Put since 'conn' was identified? */
    bool dirty;                 /* Desired or installed changed since the
                                 * last difference was computed? */

    struct switch_flows installed; /* Valid if 'conn' is CONN_READY. */
    uint64_t applied_cfg;

    char *last_error;           /* Most recent problem, or NULL. */
    int backoff;                /* ms before retrying after a failure. */
    long long int retry_at;     /* No difference sent before then. */

    struct ofctrl_stats stats;  /* Latest complete statistics. */
};

enum conn_state {
    CONN_HELLO,                 /* Waiting for the version negotiation. */
    CONN_IDENTIFY,              /* Waiting for features and ports. */
    CONN_DUMP,                  /* Reading the installed flows and meters. */
    CONN_READY,                 /* Installed state known. */
};

/* A difference sent to a switch and not yet acknowledged. */
struct ofctrl_txn {
    uint64_t cfg;
    struct switch_flows add;    /* Flows and meters to add or change. */
    struct switch_flows del;    /* Flows and meters to delete. */

    /* Messages sent, as a range of xids (host byte order). */
    uint32_t first_xid;
    uint32_t last_xid;
    bool has_xids;

    bool bundled;               /* Was a bundle sent? */
    uint32_t bundle_id;
    ovs_be32 commit_xid;
    bool committed;             /* Commit reply received? */
    ovs_be32 barrier_xid;
    bool deleting_meters;       /* Waiting for the second barrier? */
    char *error;                /* The switch refused something. */
};

/* One OpenFlow connection from a switch. */
struct ofctrl_conn {
    struct ovs_list list_node;  /* In 'struct ofctrl' 'conns'. */
    struct ofctrl *ofctrl;
    struct rconn *rconn;
    enum conn_state state;
    enum ofp_version version;
    struct ofctrl_switch *sw;   /* Once identified. */

    /* CONN_IDENTIFY. */
    ovs_be32 features_xid;
    ovs_be32 port_desc_xid;
    bool have_features;
    bool have_ports;
    uint64_t dpid;
    struct simap ports;         /* Port name to OpenFlow port number. */

    /* CONN_DUMP. */
    ovs_be32 flow_dump_xid;
    ovs_be32 meter_dump_xid;
    bool flows_dumped;
    bool meters_dumped;
    struct switch_flows dump;

    /* CONN_READY. */
    struct ofctrl_txn *txn;     /* In flight, or NULL. */
    uint32_t next_bundle_id;

    /* Statistics requests in flight. */
    ovs_be32 flow_stats_xid;
    ovs_be32 meter_stats_xid;
    bool flow_stats_pending;
    bool meter_stats_pending;
    struct ofctrl_stats stats;  /* Being collected. */
};

static void ofctrl_register_commands(void);
static void conn_destroy(struct ofctrl_conn *);
static void conn_run(struct ofctrl_conn *);
static void conn_start_dump(struct ofctrl_conn *);
static void switch_sync(struct ofctrl_switch *);
static void txn_destroy(struct ofctrl_txn *);
static void ofctrl_stats_init(struct ofctrl_stats *);
static void ofctrl_stats_clear(struct ofctrl_stats *);
static void ofctrl_stats_destroy(struct ofctrl_stats *);

/* Parses 's' as a datapath id, either 16 hex digits (as Open vSwitch shows
 * them) or a C integer ("0x1", "1"), into '*dpid'.  Returns true if
 * successful. */
bool
ofctrl_dpid_from_string(const char *s, uint64_t *dpid)
{
    unsigned long long int value;
    char *tail;

    if (dpid_from_string(s, dpid)) {
        return true;
    }
    if (!s[0] || s[0] == '-') {
        return false;
    }
    errno = 0;
    value = strtoull(s, &tail, 0);
    if (errno || *tail) {
        return false;
    }
    *dpid = value;
    return true;
}

/* Creates and returns an ofctrl that listens for switches on 'listen', a
 * passive OpenFlow connection method such as "ptcp:6653:127.0.0.1" or
 * "punix:/path".  On failure, returns NULL and stores an error message in
 * '*errorp', which the caller must free. */
struct ofctrl *
ofctrl_create(const char *listen, char **errorp)
{
    struct pvconn *pvconn;
    struct ofctrl *ofctrl;
    int error;

    *errorp = NULL;
    error = pvconn_open(listen, 1u << OFP15_VERSION, DSCP_DEFAULT, &pvconn);
    if (error) {
        *errorp = xasprintf("%s: cannot listen for switches (%s)", listen,
                            ovs_strerror(error));
        return NULL;
    }

    ofctrl = xzalloc(sizeof *ofctrl);
    ofctrl->listen = xstrdup(listen);
    ofctrl->pvconn = pvconn;
    ovs_list_init(&ofctrl->conns);
    hmap_init(&ofctrl->switches);
    ofctrl->seqno = 1;
    ofctrl->probe_interval = 5;
    ovs_list_push_back(&all_ofctrls, &ofctrl->list_node);
    ofctrl_register_commands();
    return ofctrl;
}

static void
switch_destroy(struct ofctrl *ofctrl, struct ofctrl_switch *sw)
{
    hmap_remove(&ofctrl->switches, &sw->node);
    switch_flows_destroy(&sw->desired);
    switch_flows_destroy(&sw->installed);
    ofctrl_stats_destroy(&sw->stats);
    free(sw->last_error);
    free(sw);
}

/* Closes every connection of 'ofctrl' and frees it.  The switches keep
 * their flows and meters. */
void
ofctrl_destroy(struct ofctrl *ofctrl)
{
    if (ofctrl) {
        struct ofctrl_switch *sw;
        struct ofctrl_conn *conn;

        LIST_FOR_EACH_SAFE (conn, list_node, &ofctrl->conns) {
            conn_destroy(conn);
        }
        HMAP_FOR_EACH_SAFE (sw, node, &ofctrl->switches) {
            switch_destroy(ofctrl, sw);
        }
        hmap_destroy(&ofctrl->switches);
        pvconn_close(ofctrl->pvconn);
        ovs_list_remove(&ofctrl->list_node);
        free(ofctrl->listen);
        free(ofctrl);
    }
}

/* Sets the interval at which 'ofctrl' asks every switch for statistics, in
 * milliseconds; 0 (the default) asks for none. */
void
ofctrl_set_stats_interval(struct ofctrl *ofctrl, int ms)
{
    ofctrl->stats_interval = MAX(ms, 0);
    ofctrl->next_stats = ms > 0 ? time_msec() + ms : LLONG_MAX;
}

/* Sets the inactivity probe interval of every connection, in seconds (5 by
 * default, minimum 1): a switch silent for that long is sent an echo
 * request, and one silent for twice as long is disconnected. */
void
ofctrl_set_probe_interval(struct ofctrl *ofctrl, int seconds)
{
    struct ofctrl_conn *conn;

    ofctrl->probe_interval = MAX(seconds, 1);
    LIST_FOR_EACH (conn, list_node, &ofctrl->conns) {
        rconn_set_probe_interval(conn->rconn, ofctrl->probe_interval);
    }
}

/* Returns a number that changes whenever a switch connects or disconnects or
 * one of its ports is added, removed or renumbered. */
uint64_t
ofctrl_get_seqno(const struct ofctrl *ofctrl)
{
    return ofctrl->seqno;
}

static struct ofctrl_switch *
switch_find(const struct ofctrl *ofctrl, uint64_t dpid)
{
    struct ofctrl_switch *sw;

    HMAP_FOR_EACH_WITH_HASH (sw, node, hash_uint64(dpid), &ofctrl->switches) {
        if (sw->dpid == dpid) {
            return sw;
        }
    }
    return NULL;
}

static struct ofctrl_switch *
switch_get(struct ofctrl *ofctrl, uint64_t dpid)
{
    struct ofctrl_switch *sw = switch_find(ofctrl, dpid);

    if (!sw) {
        sw = xzalloc(sizeof *sw);
        sw->dpid = dpid;
        switch_flows_init(&sw->desired);
        switch_flows_init(&sw->installed);
        ofctrl_stats_init(&sw->stats);
        hmap_insert(&ofctrl->switches, &sw->node, hash_uint64(dpid));
    }
    return sw;
}

static void
switch_set_error(struct ofctrl_switch *sw, char *error)
{
    free(sw->last_error);
    sw->last_error = error;
}

/* Returns true if the switch with 'dpid' is connected to 'ofctrl' and its
 * ports are known. */
bool
ofctrl_is_connected(const struct ofctrl *ofctrl, uint64_t dpid)
{
    const struct ofctrl_switch *sw = switch_find(ofctrl, dpid);

    return sw && sw->conn;
}

/* Returns the OpenFlow port number of the port named 'name' on the
 * connected switch 'dpid', or OFPP_NONE if there is no such port or
 * switch. */
ofp_port_t
ofctrl_get_port(const struct ofctrl *ofctrl, uint64_t dpid, const char *name)
{
    const struct ofctrl_switch *sw = switch_find(ofctrl, dpid);
    const struct simap_node *port;

    if (!sw || !sw->conn) {
        return OFPP_NONE;
    }
    port = simap_find(&sw->conn->ports, name);
    return port ? u16_to_ofp(port->data) : OFPP_NONE;
}

/* Makes 'desired' the state that the switch with 'dpid' should have, as of
 * configuration 'cfg' (see ofctrl_get_applied_cfg()).  Takes the flows and
 * meters out of 'desired', which is left empty (and still initialized).
 * Returns true if 'desired' differs from the state of the previous put for
 * 'dpid', or there was none. */
bool
ofctrl_put(struct ofctrl *ofctrl, uint64_t dpid,
           struct switch_flows *desired, uint64_t cfg)
{
    struct ofctrl_switch *sw = switch_get(ofctrl, dpid);
    bool changed = (!sw->has_desired
                    || !switch_flows_equal(&sw->desired, desired));

    switch_flows_clear(&sw->desired);
    hmap_swap(&sw->desired.flows, &desired->flows);
    hmap_swap(&sw->desired.meters, &desired->meters);
    sw->desired_cfg = cfg;
    sw->has_desired = true;
    sw->dirty = true;
    if (sw->conn) {
        sw->desired_fresh = true;
    }
    return changed;
}

/* Returns the 'cfg' of the latest ofctrl_put() for 'dpid' that the switch
 * has entirely applied, or 0 if none has been. */
uint64_t
ofctrl_get_applied_cfg(const struct ofctrl *ofctrl, uint64_t dpid)
{
    const struct ofctrl_switch *sw = switch_find(ofctrl, dpid);

    return sw ? sw->applied_cfg : 0;
}

/* Returns the latest statistics of the switch with 'dpid', or NULL if none
 * have been measured. */
const struct ofctrl_stats *
ofctrl_get_stats(const struct ofctrl *ofctrl, uint64_t dpid)
{
    const struct ofctrl_switch *sw = switch_find(ofctrl, dpid);

    return sw && sw->stats.when ? &sw->stats : NULL;
}

/* Returns the statistics of the flows with 'cookie' in 'stats', or NULL if
 * there were none. */
const struct ofctrl_cookie_stats *
ofctrl_stats_find_cookie(const struct ofctrl_stats *stats, ovs_be64 cookie)
{
    const struct ofctrl_cookie_stats *cs;

    HMAP_FOR_EACH_WITH_HASH (cs, node, hash_uint64((OVS_FORCE uint64_t)
                                                   cookie),
                             &stats->cookies) {
        if (cs->cookie == cookie) {
            return cs;
        }
    }
    return NULL;
}

/* Returns the statistics of meter 'id' in 'stats', or NULL if there were
 * none. */
const struct ofctrl_meter_stats *
ofctrl_stats_find_meter(const struct ofctrl_stats *stats, uint32_t id)
{
    const struct ofctrl_meter_stats *ms;

    HMAP_FOR_EACH_WITH_HASH (ms, node, hash_int(id, 0), &stats->meters) {
        if (ms->id == id) {
            return ms;
        }
    }
    return NULL;
}

static void
ofctrl_stats_init(struct ofctrl_stats *stats)
{
    stats->when = 0;
    hmap_init(&stats->cookies);
    hmap_init(&stats->meters);
}

static void
ofctrl_stats_clear(struct ofctrl_stats *stats)
{
    struct ofctrl_cookie_stats *cs;
    struct ofctrl_meter_stats *ms;

    HMAP_FOR_EACH_POP (cs, node, &stats->cookies) {
        free(cs);
    }
    HMAP_FOR_EACH_POP (ms, node, &stats->meters) {
        free(ms);
    }
    stats->when = 0;
}

static void
ofctrl_stats_destroy(struct ofctrl_stats *stats)
{
    ofctrl_stats_clear(stats);
    hmap_destroy(&stats->cookies);
    hmap_destroy(&stats->meters);
}

static void
ofctrl_stats_swap(struct ofctrl_stats *a, struct ofctrl_stats *b)
{
    long long int when = a->when;

    a->when = b->when;
    b->when = when;
    hmap_swap(&a->cookies, &b->cookies);
    hmap_swap(&a->meters, &b->meters);
}

static void
ofctrl_stats_add_flow(struct ofctrl_stats *stats,
                      const struct ofputil_flow_stats *fs)
{
    struct ofctrl_cookie_stats *cs = CONST_CAST(
        struct ofctrl_cookie_stats *,
        ofctrl_stats_find_cookie(stats, fs->cookie));

    if (!cs) {
        cs = xzalloc(sizeof *cs);
        cs->cookie = fs->cookie;
        hmap_insert(&stats->cookies, &cs->node,
                    hash_uint64((OVS_FORCE uint64_t) fs->cookie));
    }
    cs->n_flows++;
    if (fs->packet_count != UINT64_MAX) {
        cs->n_packets += fs->packet_count;
    }
    if (fs->byte_count != UINT64_MAX) {
        cs->n_bytes += fs->byte_count;
    }
}

static void
ofctrl_stats_add_meter(struct ofctrl_stats *stats,
                       const struct ofputil_meter_stats *ms)
{
    struct ofctrl_meter_stats *m = CONST_CAST(
        struct ofctrl_meter_stats *,
        ofctrl_stats_find_meter(stats, ms->meter_id));

    if (!m) {
        m = xzalloc(sizeof *m);
        m->id = ms->meter_id;
        hmap_insert(&stats->meters, &m->node, hash_int(m->id, 0));
    }
    m->packet_in = ms->packet_in_count;
    m->byte_in = ms->byte_in_count;
    m->drop_packets = m->drop_bytes = 0;
    for (size_t i = 0; i < ms->n_bands; i++) {
        m->drop_packets += ms->bands[i].packet_count;
        m->drop_bytes += ms->bands[i].byte_count;
    }
}

/* Connections. */

static const char *
conn_name(const struct ofctrl_conn *conn)
{
    return rconn_get_name(conn->rconn);
}

static ovs_be32
msg_xid(const struct ofpbuf *msg)
{
    const struct ofp_header *oh = msg->data;

    return oh->xid;
}

/* Sends 'msg' on 'conn' and returns its xid. */
static ovs_be32
conn_send(struct ofctrl_conn *conn, struct ofpbuf *msg)
{
    ovs_be32 xid = msg_xid(msg);

    if (VLOG_IS_DBG_ENABLED()) {
        char *s = ofp_to_string(msg->data, msg->size, NULL, NULL, 1);
        VLOG_DBG("%s: sending %s", conn_name(conn), s);
        free(s);
    }
    rconn_send(conn->rconn, msg, NULL);
    return xid;
}

static void
conn_accept(struct ofctrl *ofctrl, struct vconn *vconn)
{
    struct ofctrl_conn *conn = xzalloc(sizeof *conn);

    conn->ofctrl = ofctrl;
    conn->rconn = rconn_create(ofctrl->probe_interval, 0, DSCP_DEFAULT,
                               1u << OFP15_VERSION);
    rconn_connect_unreliably(conn->rconn, vconn, NULL);
    conn->state = CONN_HELLO;
    simap_init(&conn->ports);
    switch_flows_init(&conn->dump);
    ofctrl_stats_init(&conn->stats);
    conn->next_bundle_id = 1;
    ovs_list_push_back(&ofctrl->conns, &conn->list_node);
    VLOG_INFO("%s: new connection", conn_name(conn));
}

/* Detaches 'conn' from its switch, if it has one.  The switch is then
 * disconnected, and its installed state unknown. */
static void
conn_detach(struct ofctrl_conn *conn)
{
    struct ofctrl_switch *sw = conn->sw;

    if (sw) {
        sw->conn = NULL;
        sw->desired_fresh = false;
        switch_flows_clear(&sw->installed);
        conn->sw = NULL;
        conn->ofctrl->seqno++;
    }
    txn_destroy(conn->txn);
    conn->txn = NULL;
}

static void
conn_destroy(struct ofctrl_conn *conn)
{
    conn_detach(conn);
    ovs_list_remove(&conn->list_node);
    rconn_destroy(conn->rconn);
    simap_destroy(&conn->ports);
    switch_flows_destroy(&conn->dump);
    ofctrl_stats_destroy(&conn->stats);
    free(conn);
}

/* Closes 'conn' because of 'reason', logged as a warning. */
static void
conn_abort(struct ofctrl_conn *conn, const char *reason)
{
    VLOG_WARN_RL(&rl, "%s: %s, disconnecting", conn_name(conn), reason);
    if (conn->sw) {
        switch_set_error(conn->sw, xstrdup(reason));
    }
    rconn_disconnect(conn->rconn);
}

static void
conn_identified(struct ofctrl_conn *conn)
{
    struct ofctrl *ofctrl = conn->ofctrl;
    struct ofctrl_switch *sw = switch_get(ofctrl, conn->dpid);

    if (sw->conn) {
        struct ofctrl_conn *old = sw->conn;

        COVERAGE_INC(ofctrl_replaced);
        VLOG_INFO("%s: switch %016"PRIx64" reconnected, closing its old "
                  "connection %s", conn_name(conn), sw->dpid, conn_name(old));
        conn_detach(old);
        rconn_disconnect(old->rconn);
    }
    sw->conn = conn;
    sw->desired_fresh = false;
    switch_flows_clear(&sw->installed);
    conn->sw = sw;
    ofctrl->seqno++;
    VLOG_INFO("%s: switch %016"PRIx64" connected, %zu ports",
              conn_name(conn), sw->dpid, simap_count(&conn->ports));
    conn_start_dump(conn);
}

/* Asks 'conn' for all its flows, with their statistics, and returns the
 * request's xid. */
static ovs_be32
conn_request_flows(struct ofctrl_conn *conn)
{
    struct ofputil_flow_stats_request fsr = {
        .aggregate = false,
        .cookie = htonll(0),
        .cookie_mask = htonll(0),
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .table_id = OFPTT_ALL,
    };

    match_init_catchall(&fsr.match);
    return conn_send(conn, ofputil_encode_flow_stats_request(
                         &fsr, ofputil_protocol_from_ofp_version(
                             conn->version)));
}

static void
conn_start_dump(struct ofctrl_conn *conn)
{
    switch_flows_clear(&conn->dump);
    conn->flows_dumped = conn->meters_dumped = false;
    conn->flow_dump_xid = conn_request_flows(conn);
    conn->meter_dump_xid = conn_send(
        conn, ofputil_encode_meter_request(conn->version,
                                           OFPUTIL_METER_CONFIG, OFPM13_ALL));
    conn->state = CONN_DUMP;
}

static void
conn_dump_done(struct ofctrl_conn *conn)
{
    struct ofctrl_switch *sw = conn->sw;

    conn->state = CONN_READY;
    if (sw) {
        switch_flows_clear(&sw->installed);
        hmap_swap(&sw->installed.flows, &conn->dump.flows);
        hmap_swap(&sw->installed.meters, &conn->dump.meters);
        sw->dirty = true;
        VLOG_INFO("%s: switch %016"PRIx64" has %zu flows and %zu meters",
                  conn_name(conn), sw->dpid,
                  hmap_count(&sw->installed.flows),
                  hmap_count(&sw->installed.meters));
    }
}

static void
conn_request_stats(struct ofctrl_conn *conn)
{
    if (conn->flow_stats_pending || conn->meter_stats_pending) {
        COVERAGE_INC(ofctrl_stats_late);
        VLOG_DBG_RL(&rl, "%s: statistics still pending, not asking again",
                    conn_name(conn));
        return;
    }
    ofctrl_stats_clear(&conn->stats);
    conn->flow_stats_xid = conn_request_flows(conn);
    conn->meter_stats_xid = conn_send(
        conn, ofputil_encode_meter_request(conn->version, OFPUTIL_METER_STATS,
                                           OFPM13_ALL));
    conn->flow_stats_pending = conn->meter_stats_pending = true;
}

static void
conn_stats_maybe_done(struct ofctrl_conn *conn)
{
    if (!conn->flow_stats_pending && !conn->meter_stats_pending && conn->sw) {
        conn->stats.when = time_msec();
        ofctrl_stats_swap(&conn->sw->stats, &conn->stats);
        ofctrl_stats_clear(&conn->stats);
    }
}

/* Transactions. */

static void
txn_destroy(struct ofctrl_txn *txn)
{
    if (txn) {
        switch_flows_destroy(&txn->add);
        switch_flows_destroy(&txn->del);
        free(txn->error);
        free(txn);
    }
}

static void
copy_flow(struct switch_flows *dst, const struct sf_flow *flow)
{
    struct match match;

    minimatch_expand(&flow->match, &match);
    switch_flows_add_flow(dst, flow->table_id, flow->priority, &match,
                          flow->cookie, flow->ofpacts, flow->ofpacts_len);
}

/* Replaces 'flow''s actions by the same actions as a switch reports them:
 * encoded in OpenFlow 1.5 and decoded again.  Actions built directly (or
 * parsed) and the same actions decoded from a switch can differ in fields
 * that never reach the wire, e.g. a meter action's provider meter id. */
static void
canonicalize_actions(struct sf_flow *flow)
{
    uint64_t wire_stub[1024 / 8];
    struct ofpbuf wire = OFPBUF_STUB_INITIALIZER(wire_stub);
    struct ofpbuf ofpacts;
    enum ofperr error;

    ofpbuf_init(&ofpacts, flow->ofpacts_len);
    ofpacts_put_openflow_instructions(flow->ofpacts, flow->ofpacts_len,
                                      &wire, OFP15_VERSION);
    error = ofpacts_pull_openflow_instructions(&wire, wire.size,
                                               OFP15_VERSION, NULL, NULL,
                                               &ofpacts);
    if (!error) {
        free(flow->ofpacts);
        flow->ofpacts_len = ofpacts.size;
        flow->ofpacts = ofpbuf_steal_data(&ofpacts);
    } else {
        COVERAGE_INC(ofctrl_bad_actions);
        VLOG_WARN_RL(&rl, "cannot encode the actions of a desired flow in "
                     "OpenFlow 1.5 (%s)", ofperr_get_name(error));
        ofpbuf_uninit(&ofpacts);
    }
    ofpbuf_uninit(&wire);
}

/* Returns the difference that brings a switch from 'installed' to 'desired',
 * as a transaction for 'cfg'.  May canonicalize the actions of flows in
 * 'desired' (see canonicalize_actions()). */
static struct ofctrl_txn *
txn_create(const struct switch_flows *installed,
           struct switch_flows *desired, uint64_t cfg)
{
    struct ofctrl_txn *txn = xzalloc(sizeof *txn);
    const struct sf_meter *meter;
    struct sf_flow *flow;

    txn->cfg = cfg;
    switch_flows_init(&txn->add);
    switch_flows_init(&txn->del);

    HMAP_FOR_EACH (flow, node, &desired->flows) {
        const struct sf_flow *old = switch_flows_find_flow(
            installed, flow->table_id, flow->priority, &flow->match);

        if (old && !sf_flow_actions_equal(old, flow)
            && old->cookie == flow->cookie) {
            canonicalize_actions(flow);
        }
        if (!old || !sf_flow_actions_equal(old, flow)) {
            copy_flow(&txn->add, flow);
        }
    }
    HMAP_FOR_EACH (flow, node, &installed->flows) {
        if (!switch_flows_find_flow(desired, flow->table_id, flow->priority,
                                    &flow->match)) {
            copy_flow(&txn->del, flow);
        }
    }
    HMAP_FOR_EACH (meter, node, &desired->meters) {
        const struct sf_meter *old = switch_flows_find_meter(installed,
                                                             meter->id);

        if (!old || old->rate != meter->rate || old->burst != meter->burst) {
            switch_flows_add_meter(&txn->add, meter->id, meter->rate,
                                   meter->burst);
        }
    }
    HMAP_FOR_EACH (meter, node, &installed->meters) {
        if (!switch_flows_find_meter(desired, meter->id)) {
            switch_flows_add_meter(&txn->del, meter->id, 0, 0);
        }
    }
    return txn;
}

static bool
txn_is_empty(const struct ofctrl_txn *txn)
{
    return (hmap_is_empty(&txn->add.flows) && hmap_is_empty(&txn->add.meters)
            && hmap_is_empty(&txn->del.flows)
            && hmap_is_empty(&txn->del.meters));
}

static bool
txn_has_xid(const struct ofctrl_txn *txn, ovs_be32 xid_)
{
    uint32_t xid = ntohl(xid_);

    return (txn->has_xids
            && xid - txn->first_xid <= txn->last_xid - txn->first_xid);
}

/* Sends 'msg', part of 'txn', on 'conn', and returns its xid. */
static ovs_be32
txn_send(struct ofctrl_conn *conn, struct ofctrl_txn *txn, struct ofpbuf *msg)
{
    ovs_be32 xid = conn_send(conn, msg);

    if (!txn->has_xids) {
        txn->first_xid = ntohl(xid);
        txn->has_xids = true;
    }
    txn->last_xid = ntohl(xid);
    return xid;
}

static struct ofpbuf *
encode_meter_mod(enum ofp_version version, uint16_t command,
                 const struct sf_meter *meter)
{
    struct ofputil_meter_band band = {
        .type = OFPMBT13_DROP,
        .rate = meter->rate,
        .burst_size = meter->burst,
    };
    struct ofputil_meter_mod mm = {
        .command = command,
        .meter = {
            .meter_id = meter->id,
            .flags = OFCTRL_METER_FLAGS,
            .n_bands = command == OFPMC13_DELETE ? 0 : 1,
            .bands = &band,
        },
    };

    return ofputil_encode_meter_mod(version, &mm);
}

static void
txn_add_flow_mod(struct ofctrl_conn *conn, struct ofctrl_txn *txn,
                 const struct sf_flow *flow, uint16_t command)
{
    struct ofputil_flow_mod fm = {
        .priority = flow->priority,
        .cookie = htonll(0),
        .cookie_mask = htonll(0),
        .new_cookie = flow->cookie,
        .modify_cookie = false,
        .table_id = flow->table_id,
        .command = command,
        .buffer_id = UINT32_MAX,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .ofpacts = command == OFPFC_DELETE_STRICT ? NULL : flow->ofpacts,
        .ofpacts_len = command == OFPFC_DELETE_STRICT ? 0 : flow->ofpacts_len,
    };
    struct ofputil_bundle_add_msg bam = {
        .bundle_id = txn->bundle_id,
        .flags = OFCTRL_BUNDLE_FLAGS,
    };
    struct ofpbuf *msg;

    minimatch_clone(&fm.match, &flow->match);
    msg = ofputil_encode_flow_mod(
        &fm, ofputil_protocol_from_ofp_version(conn->version));
    minimatch_destroy(&fm.match);

    bam.msg = msg->data;
    txn_send(conn, txn, ofputil_encode_bundle_add(conn->version, &bam));
    ofpbuf_delete(msg);
}

static void
txn_send_bundle_ctrl(struct ofctrl_conn *conn, struct ofctrl_txn *txn,
                     uint16_t type)
{
    struct ofputil_bundle_ctrl_msg bc = {
        .bundle_id = txn->bundle_id,
        .type = type,
        .flags = OFCTRL_BUNDLE_FLAGS,
    };
    ovs_be32 xid = txn_send(conn, txn,
                            ofputil_encode_bundle_ctrl_request(conn->version,
                                                               &bc));
    if (type == OFPBCT_COMMIT_REQUEST) {
        txn->commit_xid = xid;
    }
}

/* Sends the first part of 'txn' on 'conn': meters to add or modify, then a
 * bundle with the flows to delete, modify and add, then a barrier. */
static void
txn_start(struct ofctrl_conn *conn, struct ofctrl_txn *txn)
{
    const struct switch_flows *installed = &conn->sw->installed;
    const struct sf_meter *meter;
    const struct sf_flow *flow;

    HMAP_FOR_EACH (meter, node, &txn->add.meters) {
        bool exists = switch_flows_find_meter(installed, meter->id) != NULL;

        if (exists) {
            COVERAGE_INC(ofctrl_meter_modify);
        } else {
            COVERAGE_INC(ofctrl_meter_add);
        }
        txn_send(conn, txn, encode_meter_mod(
                     conn->version, exists ? OFPMC13_MODIFY : OFPMC13_ADD,
                     meter));
    }

    if (!hmap_is_empty(&txn->add.flows) || !hmap_is_empty(&txn->del.flows)) {
        COVERAGE_INC(ofctrl_bundle);
        txn->bundled = true;
        txn->bundle_id = conn->next_bundle_id++;
        txn_send_bundle_ctrl(conn, txn, OFPBCT_OPEN_REQUEST);
        HMAP_FOR_EACH (flow, node, &txn->del.flows) {
            COVERAGE_INC(ofctrl_flow_delete);
            txn_add_flow_mod(conn, txn, flow, OFPFC_DELETE_STRICT);
        }
        HMAP_FOR_EACH (flow, node, &txn->add.flows) {
            const struct sf_flow *old = switch_flows_find_flow(
                installed, flow->table_id, flow->priority, &flow->match);

            /* OpenFlow 1.2 and later cannot change a cookie with a modify;
             * an add replaces the flow and (in Open vSwitch) keeps its
             * counters. */
            if (old && old->cookie == flow->cookie) {
                COVERAGE_INC(ofctrl_flow_modify);
                txn_add_flow_mod(conn, txn, flow, OFPFC_MODIFY_STRICT);
            } else {
                if (old) {
                    COVERAGE_INC(ofctrl_flow_modify);
                } else {
                    COVERAGE_INC(ofctrl_flow_add);
                }
                txn_add_flow_mod(conn, txn, flow, OFPFC_ADD);
            }
        }
        txn_send_bundle_ctrl(conn, txn, OFPBCT_COMMIT_REQUEST);
    }
    txn->barrier_xid = txn_send(
        conn, txn, ofputil_encode_barrier_request(conn->version));
}

/* Sends the second part of 'txn' on 'conn': meters to delete, now that no
 * flow uses them, then a barrier. */
static void
txn_delete_meters(struct ofctrl_conn *conn, struct ofctrl_txn *txn)
{
    const struct sf_meter *meter;

    HMAP_FOR_EACH (meter, node, &txn->del.meters) {
        COVERAGE_INC(ofctrl_meter_delete);
        txn_send(conn, txn, encode_meter_mod(conn->version, OFPMC13_DELETE,
                                             meter));
    }
    txn->deleting_meters = true;
    txn->barrier_xid = txn_send(
        conn, txn, ofputil_encode_barrier_request(conn->version));
}

/* The switch applied all of 'conn''s transaction: so does the installed
 * state. */
/* Records that the switch of 'conn' has applied configuration 'cfg'.  A
 * newer one changes the seqno: the caller reports it (metactl --wait=hosts
 * waits for it) at once, not at its next periodic round. */
static void
switch_set_applied_cfg(struct ofctrl_conn *conn, uint64_t cfg)
{
    if (conn->sw->applied_cfg != cfg) {
        conn->sw->applied_cfg = cfg;
        conn->ofctrl->seqno++;
    }
}

static void
txn_succeeded(struct ofctrl_conn *conn)
{
    struct ofctrl_txn *txn = conn->txn;
    struct ofctrl_switch *sw = conn->sw;
    struct switch_flows *installed = &sw->installed;
    const struct sf_meter *meter;
    const struct sf_flow *flow;

    HMAP_FOR_EACH (flow, node, &txn->del.flows) {
        struct sf_flow *old = switch_flows_find_flow(
            installed, flow->table_id, flow->priority, &flow->match);
        if (old) {
            switch_flows_remove_flow(installed, old);
        }
    }
    HMAP_FOR_EACH (flow, node, &txn->add.flows) {
        copy_flow(installed, flow);
    }
    HMAP_FOR_EACH (meter, node, &txn->del.meters) {
        struct sf_meter *old = switch_flows_find_meter(installed, meter->id);
        if (old) {
            switch_flows_remove_meter(installed, old);
        }
    }
    HMAP_FOR_EACH (meter, node, &txn->add.meters) {
        switch_flows_add_meter(installed, meter->id, meter->rate,
                               meter->burst);
    }

    VLOG_DBG("%s: switch %016"PRIx64" applied cfg %"PRIu64,
             conn_name(conn), sw->dpid, txn->cfg);
    switch_set_applied_cfg(conn, txn->cfg);
    sw->backoff = 0;
    sw->dirty = true;           /* The desired state may have moved on. */
    txn_destroy(txn);
    conn->txn = NULL;
}

/* The switch refused some of 'conn''s transaction: reads the installed state
 * again and retries later. */
static void
txn_failed(struct ofctrl_conn *conn)
{
    struct ofctrl_txn *txn = conn->txn;
    struct ofctrl_switch *sw = conn->sw;

    COVERAGE_INC(ofctrl_txn_failed);
    sw->backoff = (sw->backoff
                   ? MIN(sw->backoff * 2, OFCTRL_MAX_BACKOFF)
                   : OFCTRL_MIN_BACKOFF);
    sw->retry_at = time_msec() + sw->backoff;
    VLOG_WARN_RL(&rl, "%s: switch %016"PRIx64" did not apply cfg %"PRIu64
                 " (%s); reading its state again, retrying in %d ms",
                 conn_name(conn), sw->dpid, txn->cfg,
                 txn->error ? txn->error : "bundle not committed",
                 sw->backoff);
    switch_set_error(sw, xasprintf("cfg %"PRIu64" not applied: %s", txn->cfg,
                                   txn->error ? txn->error
                                   : "bundle not committed"));
    txn_destroy(txn);
    conn->txn = NULL;
    conn_start_dump(conn);
}

static void
txn_barrier_reply(struct ofctrl_conn *conn)
{
    struct ofctrl_txn *txn = conn->txn;

    if (txn->error || (txn->bundled && !txn->committed)) {
        txn_failed(conn);
    } else if (!txn->deleting_meters && !hmap_is_empty(&txn->del.meters)) {
        txn_delete_meters(conn, txn);
    } else {
        txn_succeeded(conn);
    }
}

/* Brings 'sw' closer to its desired state, if it is connected, its
 * installed state known, nothing in flight and something changed. */
static bool
switch_may_sync(const struct ofctrl_switch *sw)
{
    return (sw->conn && sw->conn->state == CONN_READY && !sw->conn->txn
            && sw->desired_fresh && sw->dirty);
}

static void
switch_sync(struct ofctrl_switch *sw)
{
    struct ofctrl_conn *conn = sw->conn;
    struct ofctrl_txn *txn;

    if (!switch_may_sync(sw) || time_msec() < sw->retry_at) {
        return;
    }
    sw->dirty = false;
    txn = txn_create(&sw->installed, &sw->desired, sw->desired_cfg);
    if (txn_is_empty(txn)) {
        COVERAGE_INC(ofctrl_nothing_to_send);
        switch_set_applied_cfg(conn, sw->desired_cfg);
        txn_destroy(txn);
        return;
    }
    VLOG_DBG("%s: cfg %"PRIu64": %zu flows to add or change, %zu to delete, "
             "%zu meters to add or change, %zu to delete", conn_name(conn),
             txn->cfg, hmap_count(&txn->add.flows),
             hmap_count(&txn->del.flows), hmap_count(&txn->add.meters),
             hmap_count(&txn->del.meters));
    conn->txn = txn;
    txn_start(conn, txn);
}

/* Messages from switches. */

static void
conn_features_reply(struct ofctrl_conn *conn, const struct ofp_header *oh)
{
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));
    struct ofputil_switch_features features;
    enum ofperr error = ofputil_pull_switch_features(&b, &features);

    if (error) {
        COVERAGE_INC(ofctrl_bad_reply);
        conn_abort(conn, ofperr_get_name(error));
        return;
    }
    conn->dpid = features.datapath_id;
    conn->have_features = true;
}

static void
conn_port_desc_reply(struct ofctrl_conn *conn, const struct ofp_header *oh)
{
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));
    struct ofputil_phy_port pp;
    int retval;

    ofpraw_pull_assert(&b);
    while (!(retval = ofputil_pull_phy_port(oh->version, &b, &pp))) {
        simap_put(&conn->ports, pp.name, ofp_to_u16(pp.port_no));
    }
    if (retval != EOF) {
        COVERAGE_INC(ofctrl_bad_reply);
        VLOG_WARN_RL(&rl, "%s: bad port description (%s)", conn_name(conn),
                     ofperr_get_name(retval));
    }
    if (!ofpmp_more(oh)) {
        conn->have_ports = true;
    }
}

static void
conn_port_status(struct ofctrl_conn *conn, const struct ofp_header *oh)
{
    struct ofputil_port_status ps;
    enum ofperr error = ofputil_decode_port_status(oh, &ps);
    unsigned int port = ofp_to_u16(ps.desc.port_no);
    struct simap_node *node;

    if (error) {
        COVERAGE_INC(ofctrl_bad_msg);
        VLOG_WARN_RL(&rl, "%s: bad port status (%s)", conn_name(conn),
                     ofperr_get_name(error));
        return;
    }
    node = simap_find(&conn->ports, ps.desc.name);
    if (ps.reason == OFPPR_DELETE) {
        if (node && node->data == port) {
            simap_delete(&conn->ports, node);
        } else {
            return;
        }
    } else if (!node || node->data != port) {
        simap_put(&conn->ports, ps.desc.name, port);
    } else {
        return;
    }
    VLOG_INFO("%s: port %s (%u) %s", conn_name(conn), ps.desc.name, port,
              ps.reason == OFPPR_DELETE ? "removed" : "added");
    if (conn->sw) {
        conn->ofctrl->seqno++;
    }
}

/* Logs 'retval', the result of decoding an entry of a 'what' reply, unless
 * it is EOF (the end of the reply). */
static void
log_bad_reply(const struct ofctrl_conn *conn, int retval, const char *what)
{
    if (retval != EOF) {
        COVERAGE_INC(ofctrl_bad_reply);
        VLOG_WARN_RL(&rl, "%s: bad %s reply (%s)", conn_name(conn), what,
                     ofperr_get_name(retval));
    }
}

/* Handles a flow statistics reply, part of the dump of the installed state
 * if 'dump', of a statistics request otherwise. */
static void
conn_flow_stats_reply(struct ofctrl_conn *conn, const struct ofp_header *oh,
                      bool dump)
{
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));
    uint64_t ofpacts_stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(ofpacts_stub);

    for (;;) {
        struct ofputil_flow_stats fs;
        int retval = ofputil_decode_flow_stats_reply(&fs, &b, false,
                                                     &ofpacts);
        if (retval) {
            log_bad_reply(conn, retval, "flow statistics");
            break;
        }
        if (dump) {
            switch_flows_add_flow(&conn->dump, fs.table_id, fs.priority,
                                  &fs.match, fs.cookie, fs.ofpacts,
                                  fs.ofpacts_len);
        } else {
            ofctrl_stats_add_flow(&conn->stats, &fs);
        }
    }
    ofpbuf_uninit(&ofpacts);

    if (!ofpmp_more(oh)) {
        if (dump) {
            conn->flows_dumped = true;
        } else {
            conn->flow_stats_pending = false;
        }
    }
}

/* Handles a meter reply: the configuration, part of the dump of the
 * installed state, if 'config', the statistics otherwise. */
static void
conn_meter_reply(struct ofctrl_conn *conn, const struct ofp_header *oh,
                 bool config)
{
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));
    uint64_t bands_stub[256 / 8];
    struct ofpbuf bands = OFPBUF_STUB_INITIALIZER(bands_stub);

    for (;;) {
        struct ofputil_meter_config mc;
        struct ofputil_meter_stats ms;
        int retval = (config
                      ? ofputil_decode_meter_config(&b, &mc, &bands)
                      : ofputil_decode_meter_stats(&b, &ms, &bands));

        if (retval) {
            log_bad_reply(conn, retval,
                          config ? "meter configuration" : "meter statistics");
            break;
        }
        if (!config) {
            ofctrl_stats_add_meter(&conn->stats, &ms);
        } else if (mc.flags == OFCTRL_METER_FLAGS && mc.n_bands == 1
                   && mc.bands[0].type == OFPMBT13_DROP) {
            switch_flows_add_meter(&conn->dump, mc.meter_id,
                                   mc.bands[0].rate, mc.bands[0].burst_size);
        } else {
            /* Not one of ours: rate 0 makes it differ from any desired
             * meter, so that it is modified or deleted. */
            COVERAGE_INC(ofctrl_foreign_meter);
            switch_flows_add_meter(&conn->dump, mc.meter_id, 0, 0);
        }
    }
    ofpbuf_uninit(&bands);

    if (!ofpmp_more(oh)) {
        if (config) {
            conn->meters_dumped = true;
        } else {
            conn->meter_stats_pending = false;
        }
    }
}

static void
conn_error_msg(struct ofctrl_conn *conn, const struct ofp_header *oh)
{
    struct ofpbuf payload;
    enum ofperr error = ofperr_decode_msg(oh, &payload);
    const char *name = error ? ofperr_get_name(error) : "undecodable error";
    char *request = NULL;

    COVERAGE_INC(ofctrl_error_msg);
    if (error && payload.size) {
        request = ofp_to_string(payload.data, payload.size, NULL, NULL, 1);
    }
    VLOG_WARN_RL(&rl, "%s: switch sent error %s in reply to %s",
                 conn_name(conn), name, request ? request : "(unknown)");
    free(request);

    if (conn->txn && txn_has_xid(conn->txn, oh->xid)) {
        if (!conn->txn->error) {
            conn->txn->error = xstrdup(name);
        }
    } else if (conn->state == CONN_IDENTIFY
               && (oh->xid == conn->features_xid
                   || oh->xid == conn->port_desc_xid)) {
        COVERAGE_INC(ofctrl_dump_failed);
        conn_abort(conn, "switch did not describe itself");
    } else if (conn->state == CONN_DUMP
               && (oh->xid == conn->flow_dump_xid
                   || oh->xid == conn->meter_dump_xid)) {
        /* Without the installed state, a difference could remove what it
         * should not: start again with a new connection. */
        COVERAGE_INC(ofctrl_dump_failed);
        conn_abort(conn, "switch did not list its flows and meters");
    } else if (conn->flow_stats_pending && oh->xid == conn->flow_stats_xid) {
        COVERAGE_INC(ofctrl_stats_failed);
        conn->flow_stats_pending = false;
    } else if (conn->meter_stats_pending
               && oh->xid == conn->meter_stats_xid) {
        COVERAGE_INC(ofctrl_stats_failed);
        conn->meter_stats_pending = false;
    }
    if (conn->sw) {
        switch_set_error(conn->sw, xasprintf("switch sent %s", name));
    }
}

static void
conn_handle_msg(struct ofctrl_conn *conn, const struct ofp_header *oh)
{
    struct ofputil_bundle_ctrl_msg bc;
    enum ofptype type;
    enum ofperr error;

    error = ofptype_decode(&type, oh);
    if (error) {
        COVERAGE_INC(ofctrl_bad_msg);
        VLOG_WARN_RL(&rl, "%s: cannot decode message (%s)", conn_name(conn),
                     ofperr_get_name(error));
        return;
    }
    if (VLOG_IS_DBG_ENABLED()) {
        char *s = ofp_to_string(oh, ntohs(oh->length), NULL, NULL, 1);
        VLOG_DBG("%s: received %s", conn_name(conn), s);
        free(s);
    }

    switch (type) {
    case OFPTYPE_ECHO_REQUEST:
        conn_send(conn, ofputil_encode_echo_reply(oh));
        break;

    case OFPTYPE_FEATURES_REPLY:
        if (conn->state == CONN_IDENTIFY && oh->xid == conn->features_xid) {
            conn_features_reply(conn, oh);
        }
        break;

    case OFPTYPE_PORT_DESC_STATS_REPLY:
        if (conn->state == CONN_IDENTIFY && oh->xid == conn->port_desc_xid) {
            conn_port_desc_reply(conn, oh);
        }
        break;

    case OFPTYPE_PORT_STATUS:
        conn_port_status(conn, oh);
        break;

    case OFPTYPE_FLOW_STATS_REPLY:
        if (conn->state == CONN_DUMP && oh->xid == conn->flow_dump_xid) {
            conn_flow_stats_reply(conn, oh, true);
        } else if (conn->flow_stats_pending
                   && oh->xid == conn->flow_stats_xid) {
            conn_flow_stats_reply(conn, oh, false);
            conn_stats_maybe_done(conn);
        }
        break;

    case OFPTYPE_METER_CONFIG_STATS_REPLY:
        if (conn->state == CONN_DUMP && oh->xid == conn->meter_dump_xid) {
            conn_meter_reply(conn, oh, true);
        }
        break;

    case OFPTYPE_METER_STATS_REPLY:
        if (conn->meter_stats_pending && oh->xid == conn->meter_stats_xid) {
            conn_meter_reply(conn, oh, false);
            conn_stats_maybe_done(conn);
        }
        break;

    case OFPTYPE_BUNDLE_CONTROL:
        if (conn->txn && oh->xid == conn->txn->commit_xid
            && !ofputil_decode_bundle_ctrl(oh, &bc)
            && bc.type == OFPBCT_COMMIT_REPLY) {
            conn->txn->committed = true;
        }
        break;

    case OFPTYPE_BARRIER_REPLY:
        if (conn->txn && oh->xid == conn->txn->barrier_xid) {
            txn_barrier_reply(conn);
        }
        break;

    case OFPTYPE_ERROR:
        conn_error_msg(conn, oh);
        break;

    case OFPTYPE_ECHO_REPLY:
        break;

    case OFPTYPE_HELLO:
    case OFPTYPE_FEATURES_REQUEST:
    case OFPTYPE_GET_CONFIG_REQUEST:
    case OFPTYPE_GET_CONFIG_REPLY:
    case OFPTYPE_SET_CONFIG:
    case OFPTYPE_PACKET_IN:
    case OFPTYPE_FLOW_REMOVED:
    case OFPTYPE_PACKET_OUT:
    case OFPTYPE_FLOW_MOD:
    case OFPTYPE_GROUP_MOD:
    case OFPTYPE_PORT_MOD:
    case OFPTYPE_TABLE_MOD:
    case OFPTYPE_METER_MOD:
    case OFPTYPE_BARRIER_REQUEST:
    case OFPTYPE_QUEUE_GET_CONFIG_REQUEST:
    case OFPTYPE_QUEUE_GET_CONFIG_REPLY:
    case OFPTYPE_ROLE_REQUEST:
    case OFPTYPE_ROLE_REPLY:
    case OFPTYPE_ROLE_STATUS:
    case OFPTYPE_REQUESTFORWARD:
    case OFPTYPE_TABLE_STATUS:
    case OFPTYPE_GET_ASYNC_REQUEST:
    case OFPTYPE_GET_ASYNC_REPLY:
    case OFPTYPE_SET_ASYNC_CONFIG:
    case OFPTYPE_DESC_STATS_REQUEST:
    case OFPTYPE_DESC_STATS_REPLY:
    case OFPTYPE_FLOW_STATS_REQUEST:
    case OFPTYPE_AGGREGATE_STATS_REQUEST:
    case OFPTYPE_AGGREGATE_STATS_REPLY:
    case OFPTYPE_TABLE_STATS_REQUEST:
    case OFPTYPE_TABLE_STATS_REPLY:
    case OFPTYPE_PORT_STATS_REQUEST:
    case OFPTYPE_PORT_STATS_REPLY:
    case OFPTYPE_QUEUE_STATS_REQUEST:
    case OFPTYPE_QUEUE_STATS_REPLY:
    case OFPTYPE_PORT_DESC_STATS_REQUEST:
    case OFPTYPE_GROUP_STATS_REQUEST:
    case OFPTYPE_GROUP_STATS_REPLY:
    case OFPTYPE_GROUP_DESC_STATS_REQUEST:
    case OFPTYPE_GROUP_DESC_STATS_REPLY:
    case OFPTYPE_GROUP_FEATURES_STATS_REQUEST:
    case OFPTYPE_GROUP_FEATURES_STATS_REPLY:
    case OFPTYPE_METER_STATS_REQUEST:
    case OFPTYPE_METER_CONFIG_STATS_REQUEST:
    case OFPTYPE_METER_FEATURES_STATS_REQUEST:
    case OFPTYPE_METER_FEATURES_STATS_REPLY:
    case OFPTYPE_TABLE_FEATURES_STATS_REQUEST:
    case OFPTYPE_TABLE_FEATURES_STATS_REPLY:
    case OFPTYPE_TABLE_DESC_REQUEST:
    case OFPTYPE_TABLE_DESC_REPLY:
    case OFPTYPE_BUNDLE_ADD_MESSAGE:
    case OFPTYPE_NXT_TLV_TABLE_MOD:
    case OFPTYPE_NXT_TLV_TABLE_REQUEST:
    case OFPTYPE_NXT_TLV_TABLE_REPLY:
    case OFPTYPE_NXT_RESUME:
    case OFPTYPE_IPFIX_BRIDGE_STATS_REQUEST:
    case OFPTYPE_IPFIX_BRIDGE_STATS_REPLY:
    case OFPTYPE_IPFIX_FLOW_STATS_REQUEST:
    case OFPTYPE_IPFIX_FLOW_STATS_REPLY:
    case OFPTYPE_CT_FLUSH_ZONE:
    case OFPTYPE_CT_FLUSH:
    case OFPTYPE_SET_FLOW_FORMAT:
    case OFPTYPE_FLOW_MOD_TABLE_ID:
    case OFPTYPE_SET_PACKET_IN_FORMAT:
    case OFPTYPE_FLOW_AGE:
    case OFPTYPE_SET_CONTROLLER_ID:
    case OFPTYPE_FLOW_MONITOR_STATS_REQUEST:
    case OFPTYPE_FLOW_MONITOR_STATS_REPLY:
    case OFPTYPE_FLOW_MONITOR_CANCEL:
    case OFPTYPE_FLOW_MONITOR_PAUSED:
    case OFPTYPE_FLOW_MONITOR_RESUMED:
    default:
        COVERAGE_INC(ofctrl_ignored_msg);
        VLOG_DBG_RL(&rl, "%s: ignoring %s", conn_name(conn),
                    ofptype_get_name(type));
        break;
    }
}

static void
conn_run(struct ofctrl_conn *conn)
{
    rconn_run(conn->rconn);
    if (!rconn_is_connected(conn->rconn)) {
        return;
    }

    if (conn->state == CONN_HELLO) {
        int version = rconn_get_version(conn->rconn);

        if (version < 0) {
            return;
        }
        conn->version = version;
        conn->features_xid = conn_send(
            conn, ofpraw_alloc(OFPRAW_OFPT_FEATURES_REQUEST, version, 0));
        conn->port_desc_xid = conn_send(
            conn, ofputil_encode_port_desc_stats_request(version, OFPP_ANY));
        conn->state = CONN_IDENTIFY;
    }

    for (int i = 0; i < OFCTRL_MAX_RECV; i++) {
        struct ofpbuf *msg = rconn_recv(conn->rconn);

        if (!msg) {
            break;
        }
        conn_handle_msg(conn, msg->data);
        ofpbuf_delete(msg);

        if (conn->state == CONN_IDENTIFY && conn->have_features
            && conn->have_ports) {
            conn_identified(conn);
        } else if (conn->state == CONN_DUMP && conn->flows_dumped
                   && conn->meters_dumped) {
            conn_dump_done(conn);
        }
    }
}

static void
conn_closed(struct ofctrl_conn *conn)
{
    int error = rconn_get_last_error(conn->rconn);
    const char *reason = (error == EOF ? "closed by the switch"
                          : ovs_retval_to_string(error));

    if (conn->sw) {
        COVERAGE_INC(ofctrl_disconnected);
        VLOG_INFO("%s: switch %016"PRIx64" disconnected (%s)",
                  conn_name(conn), conn->sw->dpid, reason);
        switch_set_error(conn->sw, xasprintf("disconnected (%s)", reason));
    } else if (conn->state < CONN_DUMP) {
        COVERAGE_INC(ofctrl_refused);
        VLOG_WARN_RL(&rl, "%s: connection closed before the switch was "
                     "identified (%s)%s", conn_name(conn), reason,
                     (conn->state == CONN_HELLO
                      ? "; it may not speak OpenFlow 1.5" : ""));
    }
    conn_destroy(conn);
}

/* Accepts new connections, processes messages from the switches and sends
 * them what they need. */
void
ofctrl_run(struct ofctrl *ofctrl)
{
    struct ofctrl_switch *sw;
    struct ofctrl_conn *conn;

    for (int i = 0; i < 10; i++) {
        struct vconn *vconn;
        int error = pvconn_accept(ofctrl->pvconn, &vconn);

        if (error == EAGAIN) {
            break;
        } else if (error) {
            COVERAGE_INC(ofctrl_accept_error);
            VLOG_WARN_RL(&rl, "%s: accept failed (%s)", ofctrl->listen,
                         ovs_strerror(error));
            break;
        }
        conn_accept(ofctrl, vconn);
    }

    LIST_FOR_EACH_SAFE (conn, list_node, &ofctrl->conns) {
        conn_run(conn);
    }
    LIST_FOR_EACH_SAFE (conn, list_node, &ofctrl->conns) {
        if (!rconn_is_alive(conn->rconn)) {
            conn_closed(conn);
        }
    }

    if (ofctrl->stats_interval && time_msec() >= ofctrl->next_stats) {
        ofctrl->next_stats = time_msec() + ofctrl->stats_interval;
        HMAP_FOR_EACH (sw, node, &ofctrl->switches) {
            if (sw->conn) {
                conn_request_stats(sw->conn);
            }
        }
    }

    HMAP_FOR_EACH (sw, node, &ofctrl->switches) {
        switch_sync(sw);
    }
}

/* Arranges for poll_block() to wake up when ofctrl_run() has work to do. */
void
ofctrl_wait(struct ofctrl *ofctrl)
{
    const struct ofctrl_switch *sw;
    const struct ofctrl_conn *conn;

    pvconn_wait(ofctrl->pvconn);
    LIST_FOR_EACH (conn, list_node, &ofctrl->conns) {
        rconn_run_wait(conn->rconn);
        rconn_recv_wait(conn->rconn);
    }
    if (ofctrl->stats_interval) {
        poll_timer_wait_until(ofctrl->next_stats);
    }
    HMAP_FOR_EACH (sw, node, &ofctrl->switches) {
        if (switch_may_sync(sw)) {
            poll_timer_wait_until(sw->retry_at);
        }
    }
}

/* unixctl commands. */

static int
compare_switches(const void *a_, const void *b_)
{
    const struct ofctrl_switch *const *a = a_;
    const struct ofctrl_switch *const *b = b_;

    return (*a)->dpid < (*b)->dpid ? -1 : (*a)->dpid > (*b)->dpid;
}

static void
ofctrl_show(struct ofctrl *ofctrl, struct ds *s)
{
    const struct ofctrl_switch **switches;
    const struct ofctrl_switch *sw;
    const struct ofctrl_conn *conn;
    size_t n = 0, n_unidentified = 0;

    LIST_FOR_EACH (conn, list_node, &ofctrl->conns) {
        n_unidentified += !conn->sw;
    }
    ds_put_format(s, "listening on %s, seqno %"PRIu64", %zu switches, "
                  "%zu unidentified connections\n", ofctrl->listen,
                  ofctrl->seqno, hmap_count(&ofctrl->switches),
                  n_unidentified);

    switches = xmalloc(hmap_count(&ofctrl->switches) * sizeof *switches);
    HMAP_FOR_EACH (sw, node, &ofctrl->switches) {
        switches[n++] = sw;
    }
    qsort(switches, n, sizeof *switches, compare_switches);
    for (size_t i = 0; i < n; i++) {
        sw = switches[i];
        conn = sw->conn;
        ds_put_format(s, "switch %016"PRIx64":\n", sw->dpid);
        if (conn) {
            static const char *const states[] = {
                [CONN_HELLO] = "negotiating",
                [CONN_IDENTIFY] = "identifying",
                [CONN_DUMP] = "reading flows",
                [CONN_READY] = "ready",
            };
            ds_put_format(s, "  connected: %s, %s, %zu ports%s\n",
                          conn_name(conn), states[conn->state],
                          simap_count(&conn->ports),
                          conn->txn ? ", change in flight" : "");
        } else {
            ds_put_cstr(s, "  not connected\n");
        }
        ds_put_format(s, "  cfg: desired %"PRIu64", applied %"PRIu64"\n",
                      sw->desired_cfg, sw->applied_cfg);
        if (sw->has_desired) {
            ds_put_format(s, "  desired: %zu flows, %zu meters%s\n",
                          hmap_count(&sw->desired.flows),
                          hmap_count(&sw->desired.meters),
                          conn && !sw->desired_fresh
                          ? " (put before it connected: waiting for a new one)"
                          : "");
        } else {
            ds_put_cstr(s, "  desired: none put\n");
        }
        if (conn && conn->state == CONN_READY) {
            ds_put_format(s, "  installed: %zu flows, %zu meters\n",
                          hmap_count(&sw->installed.flows),
                          hmap_count(&sw->installed.meters));
        } else {
            ds_put_cstr(s, "  installed: unknown\n");
        }
        ds_put_format(s, "  last error: %s\n",
                      sw->last_error ? sw->last_error : "none");
    }
    free(switches);
}

static void
ofctrl_unixctl_show(struct unixctl_conn *conn, int argc OVS_UNUSED,
                    const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ofctrl *ofctrl;

    LIST_FOR_EACH (ofctrl, list_node, &all_ofctrls) {
        ofctrl_show(ofctrl, &s);
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
ofctrl_unixctl_dump(struct unixctl_conn *conn, int argc OVS_UNUSED,
                    const char *argv[], void *installed_)
{
    bool installed = installed_ != NULL;
    struct ofctrl *ofctrl;
    uint64_t dpid;

    if (!ofctrl_dpid_from_string(argv[1], &dpid)) {
        char *error = xasprintf("%s: not a datapath id (expected 16 hex "
                                "digits or an integer)", argv[1]);
        unixctl_command_reply_error(conn, error);
        free(error);
        return;
    }
    LIST_FOR_EACH (ofctrl, list_node, &all_ofctrls) {
        const struct ofctrl_switch *sw = switch_find(ofctrl, dpid);

        if (sw) {
            struct ds s = DS_EMPTY_INITIALIZER;

            if (!installed) {
                switch_flows_format(&sw->desired, &s);
            } else if (sw->conn && sw->conn->state == CONN_READY) {
                switch_flows_format(&sw->installed, &s);
            } else {
                unixctl_command_reply_error(conn, "installed state unknown "
                                            "(switch not connected)");
                return;
            }
            unixctl_command_reply(conn, ds_cstr(&s));
            ds_destroy(&s);
            return;
        }
    }
    unixctl_command_reply_error(conn, "no such switch");
}

static void
ofctrl_register_commands(void)
{
    static bool registered;

    if (!registered) {
        registered = true;
        unixctl_command_register("ofctrl/show", "", 0, 0,
                                 ofctrl_unixctl_show, NULL);
        unixctl_command_register("ofctrl/dump-desired", "DPID", 1, 1,
                                 ofctrl_unixctl_dump, NULL);
        unixctl_command_register("ofctrl/dump-installed", "DPID", 1, 1,
                                 ofctrl_unixctl_dump, &registered);
    }
}
