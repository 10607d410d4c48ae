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

#ifndef CONTROLLER_SWITCH_FLOWS_H
#define CONTROLLER_SWITCH_FLOWS_H 1

/* The OpenFlow state of one switch: its flows and its meters.
 *
 * The flow compiler builds the state a switch should have (desired); the
 * switch connection keeps the state it has (installed) and sends the
 * difference.  Both are a 'struct switch_flows'.
 *
 * A flow is identified, as OpenFlow identifies it, by its table, priority
 * and match: a set holds at most one flow with each.  A desired flow's match
 * must be in the form a switch reports it back (e.g. with packet_type=eth
 * when it matches an Ethertype), or each reconnection replaces the flow.  Its cookie tells
 * what it is for (see the SF_COOKIE_* values), so that statistics read
 * back from the switch can be attributed.  A meter is identified by its id
 * and has one drop band in kbps; its burst is in kilobits. */

#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/hmap.h"
#include "openvswitch/match.h"
#include "openvswitch/types.h"

struct ds;
struct ofpact;

struct sf_flow {
    struct hmap_node node;      /* In 'struct switch_flows' 'flows'. */
    uint8_t table_id;
    uint16_t priority;
    struct minimatch match;
    ovs_be64 cookie;
    struct ofpact *ofpacts;     /* Owned. */
    size_t ofpacts_len;
};

struct sf_meter {
    struct hmap_node node;      /* In 'struct switch_flows' 'meters'. */
    uint32_t id;
    uint32_t rate;              /* kbps. */
    uint32_t burst;             /* kbit. */
};

struct switch_flows {
    struct hmap flows;          /* Contains "struct sf_flow"s. */
    struct hmap meters;         /* Contains "struct sf_meter"s. */
};

/* What a flow's cookie says it is for: the high 16 bits are one of these
 * kinds, the low 32 bits the MLI a metalink's flow serves (0 otherwise). */
enum sf_cookie_kind {
    SF_COOKIE_METALINK_OUT = 1, /* An MPS's metaframes to the uplink. */
    SF_COOKIE_METALINK_IN,      /* Metaframes from the uplink to an MPS. */
    SF_COOKIE_NATIVE,           /* Native traffic. */
    SF_COOKIE_DROP_INVALID,     /* Drop: an MPS port's frame that is not
                                 * its metalink's. */
    SF_COOKIE_DROP_UNKNOWN,     /* Drop: a metaframe for no metalink here. */
    SF_COOKIE_DROP_FORGED,      /* Drop: a metaframe from a port that may not
                                 * send them. */
    SF_COOKIE_DROP_OTHER,       /* Drop: everything else. */
};

ovs_be64 sf_cookie(enum sf_cookie_kind, uint32_t mli);
enum sf_cookie_kind sf_cookie_kind(ovs_be64 cookie);
uint32_t sf_cookie_mli(ovs_be64 cookie);
const char *sf_cookie_kind_to_string(enum sf_cookie_kind);

void switch_flows_init(struct switch_flows *);
void switch_flows_destroy(struct switch_flows *);
void switch_flows_clear(struct switch_flows *);

struct sf_flow *switch_flows_add_flow(struct switch_flows *,
                                      uint8_t table_id, uint16_t priority,
                                      const struct match *, ovs_be64 cookie,
                                      const struct ofpact *, size_t len);
struct sf_flow *switch_flows_find_flow(const struct switch_flows *,
                                       uint8_t table_id, uint16_t priority,
                                       const struct minimatch *);
void switch_flows_remove_flow(struct switch_flows *, struct sf_flow *);
bool sf_flow_actions_equal(const struct sf_flow *, const struct sf_flow *);

struct sf_meter *switch_flows_add_meter(struct switch_flows *, uint32_t id,
                                        uint32_t rate, uint32_t burst);
struct sf_meter *switch_flows_find_meter(const struct switch_flows *,
                                         uint32_t id);
void switch_flows_remove_meter(struct switch_flows *, struct sf_meter *);

bool switch_flows_equal(const struct switch_flows *,
                        const struct switch_flows *);

void sf_flow_format(const struct sf_flow *, struct ds *);
void switch_flows_format(const struct switch_flows *, struct ds *);

#endif /* controller/switch-flows.h */
