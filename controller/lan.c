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

#include "lan.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "allocator.h"
#include "flow-compiler.h"
#include "hash.h"
#include "lib/metanet-idl.h"
#include "lib/metanet-ids.h"
#include "lib/metanet-rate.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-port.h"
#include "switch-flows.h"
#include "util.h"

static const char *
host_name(const struct lan_host *h)
{
    return h->row->name;
}

/* Returns 'value' as a rate: never negative (the schema forbids it, but
 * this is what a reader of a damaged database would see). */
static uint64_t
rate(int64_t value)
{
    return value < 0 ? 0 : value;
}

static void
build_host(struct lan *lan, const struct mnrec_host *row)
{
    struct lan_host *h = xzalloc(sizeof *h);

    h->row = row;
    h->is_router = row->role && !strcmp(row->role, "substrate-router");
    h->capacity = rate(row->capacity);
    h->native_rate = row->n_native_rate ? rate(row->native_rate[0]) : 0;
    if (row->datapath_id) {
        char *dpid;
        char *error = metanet_dpid_parse(row->datapath_id, &dpid);

        if (!error) {
            h->has_dpid = true;
            h->dpid = strtoull(dpid, NULL, 16);
            free(dpid);
        } else {
            h->problem = xasprintf("host \"%s\": %s", row->name, error);
            free(error);
        }
    }
    if (row->mac && !eth_addr_from_string(row->mac, &h->mac) && !h->problem) {
        h->problem = xasprintf("host \"%s\" has a malformed MAC \"%s\"",
                               row->name, row->mac);
    }
    if (h->native_rate > h->capacity && !h->problem) {
        h->problem = xasprintf("host \"%s\": native reservation is above "
                               "its capacity", row->name);
    }
    hmap_insert(&lan->hosts, &h->node, uuid_hash(&row->header_.uuid));
}

static void
build_metalink(struct lan *lan, struct lan_metalink *ml,
               const struct mnrec_metalink *row)
{
    const struct mnrec_metanet *mn = row->metanet;
    uint64_t ceiling = (mn && mn->n_max_rate ? rate(mn->max_rate[0])
                        : UINT64_MAX);

    memset(ml, 0, sizeof *ml);
    ml->row = row;
    ml->host = row->host ? lan_find_host(lan, row->host) : NULL;
    ml->mli = row->mli > 0 && row->mli <= METANET_MLI_MAX ? row->mli : 0;
    ml->mni = mn && mn->mni > 0 && mn->mni <= UINT32_MAX ? mn->mni : 0;
    ml->min_rate = (row->n_min_rate ? rate(row->min_rate[0])
                    : mn && mn->n_default_min_rate
                    ? rate(mn->default_min_rate[0]) : 0);
    ml->max_rate = (row->n_max_rate ? rate(row->max_rate[0])
                    : mn && mn->n_default_max_rate
                    ? rate(mn->default_max_rate[0]) : UINT64_MAX);
    ml->max_rate = MIN(ml->max_rate, ceiling);
    ml->weight = (row->n_weight && row->weight[0] >= 1
                  && row->weight[0] <= 1000 ? row->weight[0] : 1);
    ml->burst = row->n_burst ? rate(row->burst[0]) : 0;
    ml->payload = row->mode && !strcmp(row->mode, "payload");

    if (!ml->mli || !ml->mni) {
        ml->problem = xasprintf("MLI %"PRId64" or its metanet's MNI is out "
                                "of range", row->mli);
    } else if (!ml->host) {
        ml->problem = xstrdup("it has no host");
    } else if (ml->host->problem) {
        ml->problem = xstrdup(ml->host->problem);
    } else if (ml->host->is_router) {
        ml->problem = xasprintf("its host \"%s\" is a substrate router",
                                host_name(ml->host));
    } else if (!ml->host->router) {
        ml->problem = xasprintf("its host \"%s\" has no substrate router",
                                host_name(ml->host));
    } else if (ml->host->router->problem) {
        ml->problem = xstrdup(ml->host->router->problem);
    } else if (ml->min_rate > ml->max_rate) {
        ml->problem = xstrdup("its minimum rate is above its maximum");
    }
}

static int
compare_metalinks(const void *a_, const void *b_)
{
    const struct lan_metalink *a = a_;
    const struct lan_metalink *b = b_;

    return a->row->mli < b->row->mli ? -1 : a->row->mli > b->row->mli;
}

/* Fills 'lan' from the database that 'idl' holds. */
void
lan_build(struct lan *lan, const struct ovsdb_idl *idl_)
{
    struct ovsdb_idl *idl = CONST_CAST(struct ovsdb_idl *, idl_);
    const struct mnrec_metalink *ml_row;
    const struct mnrec_global *global;
    const struct mnrec_host *row;
    struct lan_host *h;
    size_t n = 0;

    hmap_init(&lan->hosts);
    MNREC_HOST_FOR_EACH (row, idl) {
        build_host(lan, row);
    }
    HMAP_FOR_EACH (h, node, &lan->hosts) {
        if (!h->is_router && h->row->substrate_router) {
            struct lan_host *r = lan_find_host(lan,
                                               h->row->substrate_router);
            h->router = r && r->is_router ? r : NULL;
        }
    }

    global = mnrec_global_first(idl);
    lan->default_burst = (global && global->n_default_burst
                          ? rate(global->default_burst[0]) : 0);

    MNREC_METALINK_FOR_EACH (ml_row, idl) {
        n++;
    }
    lan->metalinks = xcalloc(n, sizeof *lan->metalinks);
    lan->n_metalinks = 0;
    MNREC_METALINK_FOR_EACH (ml_row, idl) {
        build_metalink(lan, &lan->metalinks[lan->n_metalinks++], ml_row);
    }
    qsort(lan->metalinks, lan->n_metalinks, sizeof *lan->metalinks,
          compare_metalinks);

    /* Index the metalinks by the switches they have an end on, so that
     * compiling one switch does not look at every metalink. */
    for (size_t i = 0; i < lan->n_metalinks; i++) {
        struct lan_host *ends[2] = { lan->metalinks[i].host, NULL };

        if (ends[0] && ends[0]->router != ends[0]) {
            ends[1] = ends[0]->router;
        }
        for (int e = 0; e < 2; e++) {
            h = ends[e];
            if (h) {
                if (h->n_ends >= h->allocated_ends) {
                    h->ends = x2nrealloc(h->ends, &h->allocated_ends,
                                         sizeof *h->ends);
                }
                h->ends[h->n_ends++] = i;
            }
        }
    }
}

void
lan_destroy(struct lan *lan)
{
    struct lan_host *h;

    for (size_t i = 0; i < lan->n_metalinks; i++) {
        free(lan->metalinks[i].problem);
        free(lan->metalinks[i].reason);
    }
    free(lan->metalinks);
    HMAP_FOR_EACH_POP (h, node, &lan->hosts) {
        free(h->problem);
        free(h->ends);
        free(h);
    }
    hmap_destroy(&lan->hosts);
}

/* Returns the host of 'lan' that 'row' describes, or NULL. */
struct lan_host *
lan_find_host(const struct lan *lan, const struct mnrec_host *row)
{
    struct lan_host *h;

    HMAP_FOR_EACH_WITH_HASH (h, node, uuid_hash(&row->header_.uuid),
                             &lan->hosts) {
        if (h->row == row) {
            return h;
        }
    }
    return NULL;
}

static char *
full_link_reason(const struct lan_host *h, uint64_t room, uint64_t min)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s, "%s \"%s\" cannot guarantee ",
                  h->is_router ? "substrate router" : "host", host_name(h));
    metanet_rate_format(min, &s);
    ds_put_cstr(&s, ": ");
    metanet_rate_format(room, &s);
    ds_put_cstr(&s, " of its capacity is left for guarantees");
    return ds_steal_cstr(&s);
}

/* Admits and allocates every metalink of 'lan' from its 'demand', which the
 * caller sets, and sets each host's 'allocated'.  A metalink is considered
 * already admitted if the database says so. */
void
lan_allocate(struct lan *lan)
{
    size_t n_hosts = hmap_count(&lan->hosts);
    struct alloc_link *links = xcalloc(MAX(n_hosts, 1), sizeof *links);
    struct alloc_metalink *mls = xcalloc(MAX(lan->n_metalinks, 1),
                                         sizeof *mls);
    struct lan_host **by_link = xcalloc(MAX(n_hosts, 1), sizeof *by_link);
    size_t *index = xcalloc(MAX(lan->n_metalinks, 1), sizeof *index);
    struct lan_host *h;
    size_t n_links = 0, n = 0;

    HMAP_FOR_EACH (h, node, &lan->hosts) {
        h->link = n_links;
        h->allocated = 0;
        by_link[n_links] = h;
        links[n_links++].capacity = (h->capacity > h->native_rate
                                     ? h->capacity - h->native_rate : 0);
    }

    for (size_t i = 0; i < lan->n_metalinks; i++) {
        struct lan_metalink *ml = &lan->metalinks[i];

        ml->admitted = false;
        ml->rate = 0;
        free(ml->reason);
        ml->reason = NULL;
        if (ml->problem) {
            ml->reason = xstrdup(ml->problem);
            continue;
        }

        struct alloc_metalink *a = &mls[n];
        a->path[0] = ml->host->link;
        a->path[1] = ml->host->router->link;
        a->n_path = 2;
        a->min_rate = ml->min_rate;
        a->max_rate = ml->max_rate;
        a->demand = ml->demand;
        a->weight = ml->weight;
        a->was_admitted = (ml->row->state
                           && !strcmp(ml->row->state, "admitted"));
        index[n++] = i;
    }

    allocator_admit(links, n_links, mls, n);
    allocator_allocate(links, n_links, mls, n);

    for (size_t j = 0; j < n; j++) {
        struct lan_metalink *ml = &lan->metalinks[index[j]];
        const struct alloc_metalink *a = &mls[j];

        ml->admitted = a->admitted;
        ml->rate = a->rate;
        if (a->admitted) {
            ml->host->allocated += a->rate;
            ml->host->router->allocated += a->rate;
        } else {
            const struct lan_host *full = by_link[a->full_link];
            uint64_t room = links[a->full_link].capacity;

            /* What the metalinks admitted there guarantee already. */
            for (size_t k = 0; k < n; k++) {
                const struct alloc_metalink *o = &mls[k];

                if (o->admitted && (o->path[0] == a->full_link
                                    || o->path[1] == a->full_link)) {
                    room -= MIN(room, o->min_rate);
                }
            }
            ml->reason = full_link_reason(full, room, ml->min_rate);
        }
    }

    free(index);
    free(by_link);
    free(mls);
    free(links);
}

/* Returns the burst of the meter of 'ml' (metanet(5), Metalink burst). */
uint64_t
lan_metalink_burst(const struct lan *lan, const struct lan_metalink *ml)
{
    return (ml->burst ? ml->burst
            : lan->default_burst ? lan->default_burst
            : fc_default_burst(ml->rate));
}

/* Replaces the contents of 'out' by the flows and meters of the switch of
 * host 'h', looking port numbers up with 'lookup'. */
void
lan_compile(const struct lan *lan, const struct lan_host *h,
            lan_port_lookup_cb *lookup, const void *aux,
            struct switch_flows *out)
{
    struct fc_end *ends = xcalloc(MAX(h->n_ends, 1), sizeof *ends);
    struct fc_switch sw = {
        .mac = h->mac,
        .uplink = (h->row->uplink
                   ? lookup(aux, h->dpid, h->row->uplink) : OFPP_NONE),
        .native_rate = (h->capacity > h->allocated
                        ? h->capacity - h->allocated : 0),
    };
    size_t n = 0;

    sw.native_burst = fc_default_burst(sw.native_rate);
    for (size_t i = 0; i < h->n_ends; i++) {
        const struct lan_metalink *ml = &lan->metalinks[h->ends[i]];
        const char *port;
        const struct lan_host *peer;

        if (ml->problem) {
            continue;
        } else if (ml->host == h) {
            port = ml->row->port;
            peer = ml->host->router;
        } else if (ml->host->router == h) {
            port = ml->row->router_port;
            peer = ml->host;
        } else {
            continue;
        }

        struct fc_end *e = &ends[n++];
        e->mli = ml->mli;
        e->mni = ml->mni;
        e->payload = ml->payload;
        e->port = port ? lookup(aux, h->dpid, port) : OFPP_NONE;
        e->peer_mac = peer->mac;
        e->rate = ml->admitted ? MAX(ml->rate, 1) : 0;
        e->burst = lan_metalink_burst(lan, ml);
    }
    flow_compile(&sw, ends, n, out);
    free(ends);
}
