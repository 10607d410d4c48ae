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

#include "flow-compiler.h"

#include "byte-order.h"
#include "coverage.h"
#include "metaframe.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "switch-flows.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(flow_compiler);

COVERAGE_DEFINE(flow_compiler_bad_mli);

/* Priorities (see the table in flow-compiler.h). */
enum {
    PRI_FORGED_PAYLOAD = 310,
    PRI_METALINK = 300,
    PRI_SCREEN = 200,
    PRI_PORT = 100,
    PRI_DEFAULT = 0,
};

/* The flow compiler's working state for one switch. */
struct fc_ctx {
    const struct fc_switch *sw;
    struct switch_flows *out;
    struct ofpbuf ofpacts;
};

static void
add_flow(struct fc_ctx *ctx, uint16_t priority, const struct match *match,
         enum sf_cookie_kind kind, uint32_t mli)
{
    switch_flows_add_flow(ctx->out, 0, priority, match, sf_cookie(kind, mli),
                          ctx->ofpacts.data, ctx->ofpacts.size);
    ofpbuf_clear(&ctx->ofpacts);
}

static void
match_in_port(struct match *match, ofp_port_t port)
{
    match_init_catchall(match);
    match_set_in_port(match, port);
}

/* Metaframes from 'port'.  The match says "Ethernet" explicitly, as a
 * switch reports a match with an Ethertype, so that the switch's flow reads
 * back equal to it and a reconnection does not replace it. */
static void
match_metaframes_from(struct match *match, ofp_port_t port)
{
    match_in_port(match, port);
    match_set_dl_type(match, htons(ETH_TYPE_META));
    match_set_default_packet_type(match);
}

/* Returns 'bits', a rate in bits per second or a size in bits, in the
 * thousands a meter takes: rounded down, but never 0, which a meter would
 * refuse. */
static uint32_t
to_kilo(uint64_t bits)
{
    return MAX(1, MIN(bits / 1000, UINT32_MAX));
}

/* Returns the burst a meter gets when none is configured for 'rate' bits per
 * second: 10 ms at that rate, and at least 16 kbit so that a slow metalink
 * can still pass a full-size frame. */
uint64_t
fc_default_burst(uint64_t rate)
{
    return MAX(rate / 100, 16000);
}

/* Actions that send a frame of metalink 'end' to the LAN. */
static void
put_to_lan(struct fc_ctx *ctx, const struct fc_end *end)
{
    if (end->payload) {
        struct ofpact_push_meta *push = ofpact_put_PUSH_META(&ctx->ofpacts);

        push->mli = htonl(end->mli);
        push->mni = htonl(end->mni);
    }
    ofpact_put_SET_ETH_SRC(&ctx->ofpacts)->mac = ctx->sw->mac;
    ofpact_put_SET_ETH_DST(&ctx->ofpacts)->mac = end->peer_mac;
    ofpact_put_METER(&ctx->ofpacts)->meter_id = end->mli;
    ofpact_put_OUTPUT(&ctx->ofpacts)->port = ctx->sw->uplink;
}

static void
compile_end(struct fc_ctx *ctx, const struct fc_end *end)
{
    struct match match;

    if (end->port == OFPP_NONE) {
        return;
    }
    if (!end->mli || end->mli > METANET_MLI_MAX) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

        VLOG_WARN_RL(&rl, "MLI %"PRIu32" is out of range 1 to %u: its "
                     "port's frames are dropped", end->mli, METANET_MLI_MAX);
        COVERAGE_INC(flow_compiler_bad_mli);
        return;
    }

    /* Whatever the metalink may not send is dropped. */
    match_in_port(&match, end->port);
    add_flow(ctx, PRI_PORT, &match, SF_COOKIE_DROP_INVALID, end->mli);
    if (!end->rate) {
        return;
    }

    /* Its metaframes to the LAN. */
    if (end->payload) {
        match_metaframes_from(&match, end->port);
        add_flow(ctx, PRI_FORGED_PAYLOAD, &match, SF_COOKIE_DROP_FORGED,
                 end->mli);
        match_in_port(&match, end->port);
    } else {
        match_metaframes_from(&match, end->port);
        match_set_meta_mli(&match, htonl(end->mli));
        match_set_meta_mni(&match, htonl(end->mni));
    }
    put_to_lan(ctx, end);
    add_flow(ctx, PRI_METALINK, &match, SF_COOKIE_METALINK_OUT, end->mli);
    switch_flows_add_meter(ctx->out, end->mli, to_kilo(end->rate),
                           to_kilo(end->burst));

    /* Its metaframes from the LAN. */
    match_metaframes_from(&match, ctx->sw->uplink);
    match_set_meta_mli(&match, htonl(end->mli));
    if (end->payload) {
        ofpact_put_POP_META(&ctx->ofpacts);
    }
    ofpact_put_OUTPUT(&ctx->ofpacts)->port = end->port;
    add_flow(ctx, PRI_METALINK, &match, SF_COOKIE_METALINK_IN, end->mli);
}

/* Replaces the contents of 'out' by the flows and meters that the switch
 * 'sw' with the 'n' metalink ends in 'ends' should have. */
void
flow_compile(const struct fc_switch *sw, const struct fc_end *ends, size_t n,
             struct switch_flows *out)
{
    struct fc_ctx ctx = { .sw = sw, .out = out };
    struct match match;

    switch_flows_clear(out);
    ofpbuf_init(&ctx.ofpacts, 64);

    match_init_catchall(&match);
    add_flow(&ctx, PRI_DEFAULT, &match, SF_COOKIE_DROP_OTHER, 0);

    if (sw->uplink != OFPP_NONE) {
        /* Metaframes for no metalink here, and native traffic. */
        match_metaframes_from(&match, sw->uplink);
        add_flow(&ctx, PRI_SCREEN, &match, SF_COOKIE_DROP_UNKNOWN, 0);

        match_in_port(&match, sw->uplink);
        ofpact_put_OUTPUT(&ctx.ofpacts)->port = OFPP_LOCAL;
        add_flow(&ctx, PRI_PORT, &match, SF_COOKIE_NATIVE, 0);

        match_metaframes_from(&match, OFPP_LOCAL);
        add_flow(&ctx, PRI_SCREEN, &match, SF_COOKIE_DROP_FORGED, 0);

        match_in_port(&match, OFPP_LOCAL);
        ofpact_put_METER(&ctx.ofpacts)->meter_id = FC_NATIVE_METER_ID;
        ofpact_put_OUTPUT(&ctx.ofpacts)->port = sw->uplink;
        add_flow(&ctx, PRI_PORT, &match, SF_COOKIE_NATIVE, 0);
        switch_flows_add_meter(out, FC_NATIVE_METER_ID,
                               to_kilo(sw->native_rate),
                               to_kilo(sw->native_burst));

        for (size_t i = 0; i < n; i++) {
            compile_end(&ctx, &ends[i]);
        }
    }
    ofpbuf_uninit(&ctx.ofpacts);
}
