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

#include "switch-flows.h"

#include <stdlib.h>
#include <string.h>

#include "byte-order.h"
#include "flow.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-print.h"
#include "util.h"

/* Returns the cookie of a flow of 'kind' for the metalink with 'mli' (0 if
 * the flow serves no one metalink). */
ovs_be64
sf_cookie(enum sf_cookie_kind kind, uint32_t mli)
{
    return htonll(((uint64_t) kind << 48) | mli);
}

/* Returns the kind of flow that 'cookie' says, or 0 if it is not one of
 * ours. */
enum sf_cookie_kind
sf_cookie_kind(ovs_be64 cookie)
{
    uint64_t kind = ntohll(cookie) >> 48;

    return (kind >= SF_COOKIE_METALINK_OUT && kind <= SF_COOKIE_DROP_OTHER
            ? kind : 0);
}

/* Returns the MLI in 'cookie'. */
uint32_t
sf_cookie_mli(ovs_be64 cookie)
{
    return ntohll(cookie) & UINT32_MAX;
}

/* Returns a name for 'kind', as statistics and logs show it. */
const char *
sf_cookie_kind_to_string(enum sf_cookie_kind kind)
{
    switch (kind) {
    case SF_COOKIE_METALINK_OUT:
        return "metalink-out";
    case SF_COOKIE_METALINK_IN:
        return "metalink-in";
    case SF_COOKIE_NATIVE:
        return "native";
    case SF_COOKIE_DROP_INVALID:
        return "drop-invalid";
    case SF_COOKIE_DROP_UNKNOWN:
        return "drop-unknown-mli";
    case SF_COOKIE_DROP_FORGED:
        return "drop-forged";
    case SF_COOKIE_DROP_OTHER:
        return "drop-other";
    }
    return "unknown";
}

void
switch_flows_init(struct switch_flows *sf)
{
    hmap_init(&sf->flows);
    hmap_init(&sf->meters);
}

/* Removes and frees every flow and meter in 'sf'. */
void
switch_flows_clear(struct switch_flows *sf)
{
    struct sf_flow *flow;
    struct sf_meter *meter;

    HMAP_FOR_EACH_SAFE (flow, node, &sf->flows) {
        switch_flows_remove_flow(sf, flow);
    }
    HMAP_FOR_EACH_SAFE (meter, node, &sf->meters) {
        switch_flows_remove_meter(sf, meter);
    }
}

void
switch_flows_destroy(struct switch_flows *sf)
{
    if (sf) {
        switch_flows_clear(sf);
        hmap_destroy(&sf->flows);
        hmap_destroy(&sf->meters);
    }
}

static uint32_t
sf_flow_hash(uint8_t table_id, uint16_t priority, const struct minimatch *match)
{
    return minimatch_hash(match, hash_2words(table_id, priority));
}

/* Adds to 'sf' the flow with 'table_id', 'priority' and 'match', with
 * 'cookie' and the 'len' bytes of actions in 'ofpacts', and returns it.  If
 * 'sf' already has a flow with that table, priority and match, gives it the
 * new cookie and actions instead. */
struct sf_flow *
switch_flows_add_flow(struct switch_flows *sf, uint8_t table_id,
                      uint16_t priority, const struct match *match,
                      ovs_be64 cookie, const struct ofpact *ofpacts,
                      size_t len)
{
    struct sf_flow *flow = xmalloc(sizeof *flow);
    struct sf_flow *old;

    flow->table_id = table_id;
    flow->priority = priority;
    minimatch_init(&flow->match, match);
    flow->cookie = cookie;
    flow->ofpacts = xmemdup(ofpacts, len);
    flow->ofpacts_len = len;

    old = switch_flows_find_flow(sf, table_id, priority, &flow->match);
    if (old) {
        free(old->ofpacts);
        old->ofpacts = flow->ofpacts;
        old->ofpacts_len = len;
        old->cookie = cookie;
        minimatch_destroy(&flow->match);
        free(flow);
        return old;
    }
    hmap_insert(&sf->flows, &flow->node,
                sf_flow_hash(table_id, priority, &flow->match));
    return flow;
}

/* Returns the flow in 'sf' with 'table_id', 'priority' and 'match', or NULL
 * if there is none. */
struct sf_flow *
switch_flows_find_flow(const struct switch_flows *sf, uint8_t table_id,
                       uint16_t priority, const struct minimatch *match)
{
    struct sf_flow *flow;

    HMAP_FOR_EACH_WITH_HASH (flow, node, sf_flow_hash(table_id, priority, match),
                             &sf->flows) {
        if (flow->table_id == table_id && flow->priority == priority
            && minimatch_equal(&flow->match, match)) {
            return flow;
        }
    }
    return NULL;
}

/* Removes 'flow' from 'sf' and frees it. */
void
switch_flows_remove_flow(struct switch_flows *sf, struct sf_flow *flow)
{
    hmap_remove(&sf->flows, &flow->node);
    minimatch_destroy(&flow->match);
    free(flow->ofpacts);
    free(flow);
}

/* Returns true if 'a' and 'b' have the same actions (and cookie): a switch
 * that has 'a' need not be told about 'b'. */
bool
sf_flow_actions_equal(const struct sf_flow *a, const struct sf_flow *b)
{
    return (a->cookie == b->cookie
            && ofpacts_equal(a->ofpacts, a->ofpacts_len,
                             b->ofpacts, b->ofpacts_len));
}

/* Adds to 'sf' the meter 'id' with one drop band of 'rate' kbps and 'burst'
 * kbit, or changes the rate and burst of the meter 'id' that 'sf' has, and
 * returns it. */
struct sf_meter *
switch_flows_add_meter(struct switch_flows *sf, uint32_t id, uint32_t rate,
                       uint32_t burst)
{
    struct sf_meter *meter = switch_flows_find_meter(sf, id);

    if (!meter) {
        meter = xmalloc(sizeof *meter);
        meter->id = id;
        hmap_insert(&sf->meters, &meter->node, hash_int(id, 0));
    }
    meter->rate = rate;
    meter->burst = burst;
    return meter;
}

/* Returns the meter in 'sf' with 'id', or NULL if there is none. */
struct sf_meter *
switch_flows_find_meter(const struct switch_flows *sf, uint32_t id)
{
    struct sf_meter *meter;

    HMAP_FOR_EACH_WITH_HASH (meter, node, hash_int(id, 0), &sf->meters) {
        if (meter->id == id) {
            return meter;
        }
    }
    return NULL;
}

/* Removes 'meter' from 'sf' and frees it. */
void
switch_flows_remove_meter(struct switch_flows *sf, struct sf_meter *meter)
{
    hmap_remove(&sf->meters, &meter->node);
    free(meter);
}

/* Returns true if 'a' and 'b' have the same flows, with the same cookies
 * and actions, and the same meters. */
bool
switch_flows_equal(const struct switch_flows *a, const struct switch_flows *b)
{
    const struct sf_meter *meter;
    const struct sf_flow *flow;

    if (hmap_count(&a->flows) != hmap_count(&b->flows)
        || hmap_count(&a->meters) != hmap_count(&b->meters)) {
        return false;
    }
    HMAP_FOR_EACH (flow, node, &a->flows) {
        const struct sf_flow *other = switch_flows_find_flow(
            b, flow->table_id, flow->priority, &flow->match);

        if (!other || !sf_flow_actions_equal(flow, other)) {
            return false;
        }
    }
    HMAP_FOR_EACH (meter, node, &a->meters) {
        const struct sf_meter *other = switch_flows_find_meter(b, meter->id);

        if (!other || other->rate != meter->rate
            || other->burst != meter->burst) {
            return false;
        }
    }
    return true;
}

/* Appends 'flow' to 's' in ovs-ofctl's syntax, cookie first. */
void
sf_flow_format(const struct sf_flow *flow, struct ds *s)
{
    struct ofpact_format_params fp = { .s = s };

    ds_put_format(s, "cookie=%#"PRIx64", table=%"PRIu8", priority=%"PRIu16,
                  ntohll(flow->cookie), flow->table_id, flow->priority);
    if (!minimask_is_catchall(flow->match.mask)) {
        ds_put_char(s, ',');
        minimatch_format(&flow->match, NULL, NULL, s, OFP_DEFAULT_PRIORITY);
    }
    ds_put_cstr(s, " actions=");
    ofpacts_format(flow->ofpacts, flow->ofpacts_len, &fp);
}

static int
compare_strings(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;

    return strcmp(*a, *b);
}

/* Appends every flow and meter of 'sf' to 's', one per line, sorted so
 * that equal states format the same. */
void
switch_flows_format(const struct switch_flows *sf, struct ds *s)
{
    size_t n = hmap_count(&sf->flows) + hmap_count(&sf->meters);
    char **lines = xmalloc(n * sizeof *lines);
    const struct sf_flow *flow;
    const struct sf_meter *meter;
    size_t i = 0;

    HMAP_FOR_EACH (meter, node, &sf->meters) {
        lines[i++] = xasprintf("meter=%"PRIu32" kbps rate=%"PRIu32
                               " burst=%"PRIu32, meter->id, meter->rate,
                               meter->burst);
    }
    HMAP_FOR_EACH (flow, node, &sf->flows) {
        struct ds line = DS_EMPTY_INITIALIZER;

        sf_flow_format(flow, &line);
        lines[i++] = ds_steal_cstr(&line);
    }
    qsort(lines, n, sizeof *lines, compare_strings);
    for (i = 0; i < n; i++) {
        ds_put_format(s, "%s\n", lines[i]);
        free(lines[i]);
    }
    free(lines);
}
