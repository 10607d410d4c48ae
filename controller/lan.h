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

#ifndef CONTROLLER_LAN_H
#define CONTROLLER_LAN_H 1

/* The access LAN as the Metanet database describes it, checked, with the
 * controller's decisions.
 *
 * lan_build() reads the database's hosts and metalinks, applies the
 * defaults metanet(5) documents for empty columns, and notes for each row
 * what makes it unusable (a malformed datapath id or MAC, a host without
 * substrate router, a minimum above the maximum, ...), so that bad
 * database contents reject a metalink with a reason instead of stopping
 * the controller.  lan_allocate() admits and allocates (allocator.h), and
 * lan_compile() gives the flows and meters of one host's switch
 * (flow-compiler.h).  None of them writes the database. */

#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/hmap.h"
#include "openvswitch/types.h"
#include "packets.h"

struct mnrec_host;
struct mnrec_metalink;
struct ovsdb_idl;
struct switch_flows;

struct lan_host {
    struct hmap_node node;      /* In 'struct lan' 'hosts', by row UUID. */
    const struct mnrec_host *row;
    bool is_router;
    struct lan_host *router;    /* Its substrate router, or NULL. */
    bool has_dpid;
    uint64_t dpid;
    struct eth_addr mac;        /* eth_addr_zero if not known. */
    uint64_t capacity;          /* Bits per second. */
    uint64_t native_rate;       /* Reservation for native traffic. */
    uint64_t allocated;         /* Sum of the metalinks' allocations. */
    size_t link;                /* Index of its link for the allocator. */
    char *problem;              /* Why its metalinks are rejected, or NULL. */

    /* The metalinks that have an end on its switch (it is their host or
     * their host's router), as indexes into 'struct lan' 'metalinks', in
     * increasing order. */
    size_t *ends;
    size_t n_ends, allocated_ends;
};

struct lan_metalink {
    const struct mnrec_metalink *row;
    struct lan_host *host;
    uint32_t mli;
    uint32_t mni;
    uint64_t min_rate;
    uint64_t max_rate;          /* UINT64_MAX if none. */
    uint32_t weight;
    uint64_t burst;             /* Bits, 0 for the default. */
    bool payload;
    char *problem;              /* Why it is rejected before admission. */

    /* lan_allocate()'s results. */
    uint64_t demand;            /* Input: bits per second. */
    bool admitted;
    uint64_t rate;              /* Allocated, bits per second. */
    char *reason;               /* If rejected. */
};

struct lan {
    struct hmap hosts;          /* Contains "struct lan_host"s. */
    struct lan_metalink *metalinks; /* In increasing order of MLI. */
    size_t n_metalinks;
    uint64_t default_burst;     /* Global default_burst, 0 if none. */
};

void lan_build(struct lan *, const struct ovsdb_idl *);
void lan_destroy(struct lan *);

struct lan_host *lan_find_host(const struct lan *, const struct mnrec_host *);

void lan_allocate(struct lan *);

/* Returns the number of the port named 'name' on the switch with 'dpid',
 * or OFPP_NONE. */
typedef ofp_port_t lan_port_lookup_cb(const void *aux, uint64_t dpid,
                                      const char *name);
void lan_compile(const struct lan *, const struct lan_host *,
                 lan_port_lookup_cb *, const void *aux,
                 struct switch_flows *);

uint64_t lan_metalink_burst(const struct lan *, const struct lan_metalink *);

#endif /* controller/lan.h */
