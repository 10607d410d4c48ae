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

#ifndef CONTROLLER_OFCTRL_H
#define CONTROLLER_OFCTRL_H 1

/* OpenFlow connections to the switches of the access LAN.
 *
 * An ofctrl listens for OpenFlow connections (the switches' bridges name it
 * as their controller, fail_mode=secure) and speaks OpenFlow 1.5 only: a
 * switch that cannot is refused and logged.  It knows nothing of metanets or
 * of the database.  Its caller, the daemon's main loop, gives it the state
 * each switch should have (ofctrl_put()) and reads back what switches have
 * applied and measured; ofctrl_run() and ofctrl_wait() do the rest.
 *
 * Switches.  A switch is known by its datapath id ("dpid").  On each new
 * connection the ofctrl learns the dpid (features request) and the ports
 * (port description, then port-status messages), and only then counts the
 * switch as connected.  A second connection with the same dpid replaces the
 * first.  Disconnections (including a silent peer, found by the inactivity
 * probe) are noticed and logged.  ofctrl_get_seqno() changes whenever a
 * switch connects or disconnects, or a port is added, removed or renumbered,
 * so that the caller knows when to recompile, and whenever a switch's
 * applied cfg (below) changes, so that it can report it.
 *
 * Desired and installed state.  Per switch, the ofctrl keeps the desired
 * state (the last ofctrl_put()) and the installed state (what the switch
 * has).  On each connection it reads the installed state from the switch
 * (a dump of the flows of all tables and of the meter configuration); it
 * never flushes.  Whenever the two differ and nothing is in flight, it sends
 * the difference:
 *
 *   1. meters to add (OFPMC13_ADD) and meters whose rate or burst changed
 *      (OFPMC13_MODIFY: in place, never deleted and added again);
 *   2. one bundle (OFPBF_ATOMIC | OFPBF_ORDERED) with the flows to delete
 *      (OFPFC_DELETE_STRICT), the flows whose actions changed
 *      (OFPFC_MODIFY_STRICT) and the flows to add (OFPFC_ADD), committed,
 *      then a barrier;
 *   3. once the commit succeeded, the meters to delete (no flow uses them
 *      any more), then a barrier.
 *
 * Meter mods are outside the bundle because Open vSwitch 3.1 does not take
 * them in bundles (ofputil_is_bundlable() refuses OFPTYPE_METER_MOD): so
 * meters appear before the flows that use them and disappear after.  A flow
 * whose cookie changed is sent as OFPFC_ADD, which replaces the flow in
 * place and keeps its counters: OpenFlow 1.2 and later cannot change a
 * cookie with a modify.
 *
 * Only when the replies to the commit and to the barriers have arrived is
 * the difference applied to the installed state and the put's 'cfg'
 * recorded as the switch's applied cfg (ofctrl_get_applied_cfg()).  A put
 * equal to the installed state sends nothing and is acknowledged as soon as
 * nothing is in flight.  If the switch refuses any of it, the ofctrl logs the
 * error, reads the installed state again and retries from the new
 * difference, with an exponential backoff of 1 s to 8 s.
 *
 * Flows are compared as a switch reports them: actions that differ only in
 * what never reaches the wire (a meter action's provider meter id, say) are
 * equal.  Matches are compared as they are, so the caller must build them
 * in normal form (with the match_set_*() functions, prerequisites
 * included), or a reconnection replaces flows that did not change.
 *
 * A switch that (re)connects is reconciled only against a state put after
 * it was counted as connected (that is, after ofctrl_get_seqno() announced
 * it), so that a state compiled while its ports were unknown never removes
 * its flows; until then its flows are left as they are.  The applied cfg
 * survives disconnections.
 *
 * Statistics.  With a statistics interval set, the ofctrl asks every
 * connected switch each interval for its flow and meter statistics and keeps
 * the latest complete set per switch (ofctrl_get_stats()): per cookie, the
 * packets and bytes of the flows that have it; per meter, the packets and
 * bytes that entered it and those its band dropped.  They are kept when
 * the switch disconnects ('when' tells their age).  The counts are the
 * switch's own: they restart when a flow or meter is deleted and added
 * again or the switch restarts, so a caller that computes rates must allow
 * them to go down.
 *
 * unixctl: "ofctrl/show" shows every switch of every ofctrl (connection,
 * cfgs, numbers of desired and installed flows and meters, last error);
 * "ofctrl/dump-desired DPID" and "ofctrl/dump-installed DPID" show one
 * switch's states as switch_flows_format() does.  The first ofctrl_create()
 * registers them. */

#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/hmap.h"
#include "openvswitch/types.h"

struct switch_flows;

struct ofctrl *ofctrl_create(const char *listen, char **errorp);
void ofctrl_destroy(struct ofctrl *);

void ofctrl_run(struct ofctrl *);
void ofctrl_wait(struct ofctrl *);

bool ofctrl_dpid_from_string(const char *, uint64_t *dpid);

void ofctrl_set_stats_interval(struct ofctrl *, int ms);
void ofctrl_set_probe_interval(struct ofctrl *, int seconds);

uint64_t ofctrl_get_seqno(const struct ofctrl *);
bool ofctrl_is_connected(const struct ofctrl *, uint64_t dpid);
ofp_port_t ofctrl_get_port(const struct ofctrl *, uint64_t dpid,
                           const char *name);

bool ofctrl_put(struct ofctrl *, uint64_t dpid, struct switch_flows *desired,
                uint64_t cfg);
uint64_t ofctrl_get_applied_cfg(const struct ofctrl *, uint64_t dpid);

/* Statistics of one switch, as of 'when'. */
struct ofctrl_stats {
    long long int when;         /* time_msec() when measured, 0 if never. */
    struct hmap cookies;        /* Contains "struct ofctrl_cookie_stats". */
    struct hmap meters;         /* Contains "struct ofctrl_meter_stats". */
};

/* The flows with one cookie, summed. */
struct ofctrl_cookie_stats {
    struct hmap_node node;      /* In 'struct ofctrl_stats' 'cookies'. */
    ovs_be64 cookie;
    uint32_t n_flows;
    uint64_t n_packets;
    uint64_t n_bytes;
};

/* One meter. */
struct ofctrl_meter_stats {
    struct hmap_node node;      /* In 'struct ofctrl_stats' 'meters'. */
    uint32_t id;
    uint64_t packet_in;         /* Packets that entered the meter. */
    uint64_t byte_in;           /* Bytes that entered the meter. */
    uint64_t drop_packets;      /* Packets its band dropped. */
    uint64_t drop_bytes;        /* Bytes its band dropped. */
};

const struct ofctrl_stats *ofctrl_get_stats(const struct ofctrl *,
                                            uint64_t dpid);
const struct ofctrl_cookie_stats *ofctrl_stats_find_cookie(
    const struct ofctrl_stats *, ovs_be64 cookie);
const struct ofctrl_meter_stats *ofctrl_stats_find_meter(
    const struct ofctrl_stats *, uint32_t id);

#endif /* controller/ofctrl.h */
