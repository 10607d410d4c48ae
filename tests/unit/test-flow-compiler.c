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

/* Unit tests for the flow compiler (controller/flow-compiler.c) and the
 * switch state it fills (controller/switch-flows.c).  Besides pinning the
 * flows, they classify packets against them with OVS's classifier, as the
 * switch would, to check what each kind of frame meets. */

#include <config.h>

#include <CUnit/Basic.h>
#include <string.h>

#include "classifier.h"
#include "flow-compiler.h"
#include "flow.h"
#include "metaframe.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-actions.h"
#include "switch-flows.h"
#include "unit.h"
#include "util.h"

#define UPLINK 1
#define RAW_PORT 5
#define PAYLOAD_PORT 6

static const struct eth_addr router_mac = ETH_ADDR_C(02, 00, 00, 00, 00, 0f);

static const struct fc_switch host = {
    .mac = ETH_ADDR_C(02, 00, 00, 00, 00, 01),
    .uplink = UPLINK,
    .native_rate = 100000000,
    .native_burst = 1000000,
};

/* A raw-mode metalink 7 of metanet 70 on port 5 at 10 Mb/s, a payload-mode
 * metalink 8 of metanet 80 on port 6 at 20 Mb/s. */
static struct fc_end
end(uint32_t mli, uint32_t mni, bool payload, ofp_port_t port, uint64_t rate)
{
    struct fc_end e = {
        .mli = mli,
        .mni = mni,
        .payload = payload,
        .port = port,
        .peer_mac = router_mac,
        .rate = rate,
        .burst = fc_default_burst(rate),
    };
    return e;
}

static void
compile_two(struct switch_flows *sf)
{
    struct fc_end ends[] = {
        end(7, 70, false, RAW_PORT, 10000000),
        end(8, 80, true, PAYLOAD_PORT, 20000000),
    };

    switch_flows_init(sf);
    flow_compile(&host, ends, ARRAY_SIZE(ends), sf);
}

static void
test_host_pipeline_is_pinned(void)
{
    static const char expected[] =
        "cookie=0x1000000000007, table=0, priority=300,in_port=5,"
        "dl_type=0x88b5,meta_mli=7,meta_mni=70 actions="
        "mod_dl_src:02:00:00:00:00:01,mod_dl_dst:02:00:00:00:00:0f,"
        "meter:7,output:1\n"
        "cookie=0x1000000000008, table=0, priority=300,in_port=6 actions="
        "push_meta(mli=8,mni=80),mod_dl_src:02:00:00:00:00:01,"
        "mod_dl_dst:02:00:00:00:00:0f,meter:8,output:1\n"
        "cookie=0x2000000000007, table=0, priority=300,in_port=1,"
        "dl_type=0x88b5,meta_mli=7 actions=output:5\n"
        "cookie=0x2000000000008, table=0, priority=300,in_port=1,"
        "dl_type=0x88b5,meta_mli=8 actions=pop_meta,output:6\n"
        "cookie=0x3000000000000, table=0, priority=100,in_port=1 "
        "actions=LOCAL\n"
        "cookie=0x3000000000000, table=0, priority=100,in_port=LOCAL "
        "actions=meter:4294901760,output:1\n"
        "cookie=0x4000000000007, table=0, priority=100,in_port=5 "
        "actions=drop\n"
        "cookie=0x4000000000008, table=0, priority=100,in_port=6 "
        "actions=drop\n"
        "cookie=0x5000000000000, table=0, priority=200,in_port=1,"
        "dl_type=0x88b5 actions=drop\n"
        "cookie=0x6000000000000, table=0, priority=200,in_port=LOCAL,"
        "dl_type=0x88b5 actions=drop\n"
        "cookie=0x6000000000008, table=0, priority=310,in_port=6,"
        "dl_type=0x88b5 actions=drop\n"
        "cookie=0x7000000000000, table=0, priority=0 actions=drop\n"
        "meter=4294901760 kbps rate=100000 burst=1000\n"
        "meter=7 kbps rate=10000 burst=100\n"
        "meter=8 kbps rate=20000 burst=200\n";
    struct switch_flows sf;
    struct ds s = DS_EMPTY_INITIALIZER;

    compile_two(&sf);
    switch_flows_format(&sf, &s);
    if (strcmp(ds_cstr(&s), expected)) {
        printf("\ngot:\n%s", ds_cstr(&s));
    }
    CU_ASSERT_STRING_EQUAL(ds_cstr(&s), expected);
    ds_destroy(&s);
    switch_flows_destroy(&sf);
}

/* A switch's flows in OVS's classifier. */
struct table {
    struct classifier cls;
    struct rule {
        struct cls_rule cr;
        const struct sf_flow *flow;
    } *rules;
};

static void
table_init(struct table *t, const struct switch_flows *sf)
{
    const struct sf_flow *flow;
    size_t i = 0;

    classifier_init(&t->cls, flow_segment_u64s);
    t->rules = xcalloc(hmap_count(&sf->flows), sizeof *t->rules);
    HMAP_FOR_EACH (flow, node, &sf->flows) {
        struct rule *r = &t->rules[i++];
        struct match match;

        minimatch_expand(&flow->match, &match);
        cls_rule_init(&r->cr, &match, flow->priority);
        r->flow = flow;
        classifier_insert(&t->cls, &r->cr, OVS_VERSION_MIN, NULL, 0);
    }
}

static void
table_destroy(struct table *t, const struct switch_flows *sf)
{
    for (size_t i = 0; i < hmap_count(&sf->flows); i++) {
        classifier_remove_assert(&t->cls, &t->rules[i].cr);
        cls_rule_destroy(&t->rules[i].cr);
    }
    classifier_destroy(&t->cls);
    free(t->rules);
}

/* Returns the flow that a frame with 'flow' meets. */
static const struct sf_flow *
classify(const struct table *t, struct flow *flow)
{
    const struct cls_rule *cr = classifier_lookup(&t->cls, OVS_VERSION_MAX,
                                                  flow, NULL);
    return cr ? CONTAINER_OF(cr, struct rule, cr)->flow : NULL;
}

static struct flow
frame(ofp_port_t in_port, ovs_be16 dl_type, uint32_t mli, uint32_t mni)
{
    struct flow flow;

    memset(&flow, 0, sizeof flow);
    flow.in_port.ofp_port = in_port;
    flow.packet_type = htonl(PT_ETH);
    flow.dl_type = dl_type;
    if (dl_type == htons(ETH_TYPE_META)) {
        flow.meta_ver = mli ? 1 : 0;
        flow.meta_mli = htonl(mli);
        flow.meta_mni = htonl(mni);
    }
    return flow;
}

static void
check_meets(const struct table *t, struct flow flow,
            enum sf_cookie_kind kind, uint32_t mli)
{
    const struct sf_flow *f = classify(t, &flow);

    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(sf_cookie_kind(f->cookie), kind);
    CU_ASSERT_EQUAL(sf_cookie_mli(f->cookie), mli);
}

/* The host of compile_two() with its flows in a classifier. */
struct fixture {
    struct switch_flows sf;
    struct table t;
};

static void
fixture_init(struct fixture *f)
{
    compile_two(&f->sf);
    table_init(&f->t, &f->sf);
}

static void
fixture_destroy(struct fixture *f)
{
    table_destroy(&f->t, &f->sf);
    switch_flows_destroy(&f->sf);
}

static const ovs_be16 meta = CONSTANT_HTONS(ETH_TYPE_META);
static const ovs_be16 ipv4 = CONSTANT_HTONS(ETH_TYPE_IP);

static void
test_an_mps_port_passes_only_its_metalinks_metaframes(void)
{
    struct fixture f;

    fixture_init(&f);
    check_meets(&f.t, frame(RAW_PORT, meta, 7, 70), SF_COOKIE_METALINK_OUT, 7);
    check_meets(&f.t, frame(RAW_PORT, meta, 8, 80), SF_COOKIE_DROP_INVALID, 7);
    check_meets(&f.t, frame(RAW_PORT, meta, 7, 80), SF_COOKIE_DROP_INVALID, 7);
    check_meets(&f.t, frame(RAW_PORT, meta, 0, 0), SF_COOKIE_DROP_INVALID, 7);
    check_meets(&f.t, frame(RAW_PORT, ipv4, 0, 0), SF_COOKIE_DROP_INVALID, 7);
    fixture_destroy(&f);
}

static void
test_a_payload_port_cannot_send_a_header_of_its_own(void)
{
    struct fixture f;

    fixture_init(&f);
    check_meets(&f.t, frame(PAYLOAD_PORT, ipv4, 0, 0),
                SF_COOKIE_METALINK_OUT, 8);
    check_meets(&f.t, frame(PAYLOAD_PORT, meta, 8, 80),
                SF_COOKIE_DROP_FORGED, 8);
    fixture_destroy(&f);
}

static void
test_the_uplink_demultiplexes_by_mli_and_drops_unknown_ones(void)
{
    struct fixture f;

    fixture_init(&f);
    check_meets(&f.t, frame(UPLINK, meta, 7, 70), SF_COOKIE_METALINK_IN, 7);
    check_meets(&f.t, frame(UPLINK, meta, 8, 80), SF_COOKIE_METALINK_IN, 8);
    check_meets(&f.t, frame(UPLINK, meta, 9, 70), SF_COOKIE_DROP_UNKNOWN, 0);
    check_meets(&f.t, frame(UPLINK, meta, 0, 0), SF_COOKIE_DROP_UNKNOWN, 0);
    check_meets(&f.t, frame(UPLINK, ipv4, 0, 0), SF_COOKIE_NATIVE, 0);
    fixture_destroy(&f);
}

static void
test_the_host_stack_sends_native_traffic_only(void)
{
    struct fixture f;

    fixture_init(&f);
    check_meets(&f.t, frame(OFPP_LOCAL, ipv4, 0, 0), SF_COOKIE_NATIVE, 0);
    check_meets(&f.t, frame(OFPP_LOCAL, meta, 7, 70),
                SF_COOKIE_DROP_FORGED, 0);
    check_meets(&f.t, frame(42, ipv4, 0, 0), SF_COOKIE_DROP_OTHER, 0);
    fixture_destroy(&f);
}

static void
test_a_metalink_without_port_or_rate_passes_nothing(void)
{
    struct fc_end ends[] = {
        end(7, 70, false, OFPP_NONE, 10000000),
        end(8, 80, false, PAYLOAD_PORT, 0),
    };
    struct switch_flows sf;
    struct table t;

    switch_flows_init(&sf);
    flow_compile(&host, ends, ARRAY_SIZE(ends), &sf);
    table_init(&t, &sf);
    CU_ASSERT_PTR_NULL(switch_flows_find_meter(&sf, 7));
    CU_ASSERT_PTR_NULL(switch_flows_find_meter(&sf, 8));
    check_meets(&t, frame(PAYLOAD_PORT, meta, 8, 80),
                SF_COOKIE_DROP_INVALID, 8);
    check_meets(&t, frame(UPLINK, meta, 7, 70), SF_COOKIE_DROP_UNKNOWN, 0);
    check_meets(&t, frame(UPLINK, meta, 8, 80), SF_COOKIE_DROP_UNKNOWN, 0);
    table_destroy(&t, &sf);
    switch_flows_destroy(&sf);
}

static void
test_an_out_of_range_mli_compiles_to_nothing(void)
{
    struct fc_end ends[] = {
        end(0, 70, false, RAW_PORT, 10000000),
        end(METANET_MLI_MAX + 1, 80, false, PAYLOAD_PORT, 10000000),
    };
    struct switch_flows sf;

    switch_flows_init(&sf);
    flow_compile(&host, ends, ARRAY_SIZE(ends), &sf);
    /* The five flows and the native meter of an empty switch. */
    CU_ASSERT_EQUAL(hmap_count(&sf.flows), 5);
    CU_ASSERT_EQUAL(hmap_count(&sf.meters), 1);
    switch_flows_destroy(&sf);
}

static void
test_a_switch_without_uplink_drops_everything(void)
{
    struct fc_switch sw = host;
    struct fc_end e = end(7, 70, false, RAW_PORT, 10000000);
    struct switch_flows sf;
    struct ds s = DS_EMPTY_INITIALIZER;

    sw.uplink = OFPP_NONE;
    switch_flows_init(&sf);
    flow_compile(&sw, &e, 1, &sf);
    switch_flows_format(&sf, &s);
    CU_ASSERT_STRING_EQUAL(ds_cstr(&s), "cookie=0x7000000000000, table=0, "
                           "priority=0 actions=drop\n");
    ds_destroy(&s);
    switch_flows_destroy(&sf);
}

static void
test_meters_never_get_a_zero_rate_or_burst(void)
{
    struct fc_switch sw = host;
    struct fc_end e = end(7, 70, false, RAW_PORT, 999);
    struct switch_flows sf;
    const struct sf_meter *m;

    sw.native_rate = 0;
    sw.native_burst = 0;
    e.burst = 10;
    switch_flows_init(&sf);
    flow_compile(&sw, &e, 1, &sf);
    m = switch_flows_find_meter(&sf, 7);
    CU_ASSERT_EQUAL(m->rate, 1);
    CU_ASSERT_EQUAL(m->burst, 1);
    m = switch_flows_find_meter(&sf, FC_NATIVE_METER_ID);
    CU_ASSERT_EQUAL(m->rate, 1);
    CU_ASSERT_EQUAL(m->burst, 1);
    switch_flows_destroy(&sf);
}

static void
test_compiling_again_gives_an_equal_state(void)
{
    struct switch_flows a, b;
    const struct sf_flow *fa;

    compile_two(&a);
    compile_two(&b);
    CU_ASSERT_EQUAL(hmap_count(&a.flows), hmap_count(&b.flows));
    HMAP_FOR_EACH (fa, node, &a.flows) {
        const struct sf_flow *fb = switch_flows_find_flow(&b, fa->table_id,
                                                          fa->priority,
                                                          &fa->match);
        CU_ASSERT_PTR_NOT_NULL_FATAL(fb);
        CU_ASSERT_TRUE(sf_flow_actions_equal(fa, fb));
    }
    switch_flows_destroy(&a);
    switch_flows_destroy(&b);
}

static void
test_states_differ_by_a_meter_rate_or_a_cookie(void)
{
    struct switch_flows a, b;
    struct sf_meter *meter;
    struct sf_flow *flow;

    compile_two(&a);
    compile_two(&b);
    CU_ASSERT_TRUE(switch_flows_equal(&a, &b));

    meter = switch_flows_find_meter(&b, 7);
    CU_ASSERT_PTR_NOT_NULL_FATAL(meter);
    meter->rate++;
    CU_ASSERT_FALSE(switch_flows_equal(&a, &b));
    CU_ASSERT_FALSE(switch_flows_equal(&b, &a));
    meter->rate--;
    CU_ASSERT_TRUE(switch_flows_equal(&a, &b));

    flow = CONTAINER_OF(hmap_first(&b.flows), struct sf_flow, node);
    flow->cookie = sf_cookie(SF_COOKIE_DROP_OTHER, 99);
    CU_ASSERT_FALSE(switch_flows_equal(&a, &b));

    switch_flows_remove_flow(&b, flow);
    CU_ASSERT_FALSE(switch_flows_equal(&a, &b));
    switch_flows_destroy(&a);
    switch_flows_destroy(&b);
}

static void
test_adding_a_flow_twice_replaces_its_actions(void)
{
    struct switch_flows sf;
    struct ofpbuf ofpacts;
    struct match match;
    struct sf_flow *flow;

    switch_flows_init(&sf);
    ofpbuf_init(&ofpacts, 0);
    match_init_catchall(&match);
    match_set_in_port(&match, 3);
    switch_flows_add_flow(&sf, 0, 5, &match, sf_cookie(SF_COOKIE_NATIVE, 0),
                          NULL, 0);
    ofpact_put_OUTPUT(&ofpacts)->port = 4;
    flow = switch_flows_add_flow(&sf, 0, 5, &match,
                                 sf_cookie(SF_COOKIE_METALINK_IN, 9),
                                 ofpacts.data, ofpacts.size);
    CU_ASSERT_EQUAL(hmap_count(&sf.flows), 1);
    CU_ASSERT_EQUAL(sf_cookie_mli(flow->cookie), 9);
    CU_ASSERT_EQUAL(flow->ofpacts_len, ofpacts.size);
    switch_flows_remove_flow(&sf, flow);
    CU_ASSERT_EQUAL(hmap_count(&sf.flows), 0);
    ofpbuf_uninit(&ofpacts);
    switch_flows_destroy(&sf);
}

static void
test_cookies_round_trip_and_foreign_ones_are_not_ours(void)
{
    ovs_be64 c = sf_cookie(SF_COOKIE_DROP_UNKNOWN, 0xfffeffff);

    CU_ASSERT_EQUAL(sf_cookie_kind(c), SF_COOKIE_DROP_UNKNOWN);
    CU_ASSERT_EQUAL(sf_cookie_mli(c), 0xfffeffff);
    CU_ASSERT_EQUAL(sf_cookie_kind(htonll(0)), 0);
    CU_ASSERT_EQUAL(sf_cookie_kind(htonll(UINT64_C(0x99) << 48)), 0);
}

int
main(void)
{
    static const struct unit_test tests[] = {
        UNIT_TEST(test_host_pipeline_is_pinned),
        UNIT_TEST(test_an_mps_port_passes_only_its_metalinks_metaframes),
        UNIT_TEST(test_a_payload_port_cannot_send_a_header_of_its_own),
        UNIT_TEST(test_the_uplink_demultiplexes_by_mli_and_drops_unknown_ones),
        UNIT_TEST(test_the_host_stack_sends_native_traffic_only),
        UNIT_TEST(test_a_metalink_without_port_or_rate_passes_nothing),
        UNIT_TEST(test_an_out_of_range_mli_compiles_to_nothing),
        UNIT_TEST(test_a_switch_without_uplink_drops_everything),
        UNIT_TEST(test_meters_never_get_a_zero_rate_or_burst),
        UNIT_TEST(test_compiling_again_gives_an_equal_state),
        UNIT_TEST(test_states_differ_by_a_meter_rate_or_a_cookie),
        UNIT_TEST(test_adding_a_flow_twice_replaces_its_actions),
        UNIT_TEST(test_cookies_round_trip_and_foreign_ones_are_not_ours),
    };

    return unit_run("flow-compiler", tests, ARRAY_SIZE(tests));
}
