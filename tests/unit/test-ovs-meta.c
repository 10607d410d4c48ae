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

/* Unit tests of what the ovs-meta series adds to libopenvswitch, through the
 * same functions the controller uses: flow extraction of metaframes, and
 * metaframe matches and actions in flow_mods of every OpenFlow version. */

#include <config.h>

#include <CUnit/Basic.h>
#include <string.h>

#include "dp-packet.h"
#include "flow.h"
#include "metaframe.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "unit.h"

/* A metaframe: broadcast from 00:00:5e:00:53:01, MLI 5, MNI 0x10007,
 * flags 3, next protocol 0, then 'payload' bytes of payload.  'hdr_len'
 * bytes of the 12-byte header are kept (to build truncated ones) and the
 * version nibble is 'ver'. */
static struct dp_packet *
make_metaframe(int ver, size_t hdr_len, size_t payload)
{
    struct dp_packet *p = dp_packet_new(0);
    struct eth_header *eh = dp_packet_put_zeros(p, sizeof *eh);
    struct meta_header mh;
    struct metaframe mf = {
        .flags = 3, .mli = htonl(5), .mni = htonl(0x10007),
    };

    eh->eth_dst = eth_addr_broadcast;
    eh->eth_src = (struct eth_addr) ETH_ADDR_C(00, 00, 5e, 00, 53, 01);
    eh->eth_type = htons(ETH_TYPE_META);
    metaframe_put_header(&mh, &mf);
    mh.ver_flags = (ver << META_VER_SHIFT) | mf.flags;
    dp_packet_put(p, &mh, hdr_len);
    dp_packet_put_zeros(p, payload);
    return p;
}

static void
test_flow_extract_fills_metaframe_fields(void)
{
    struct dp_packet *p = make_metaframe(META_VERSION, META_HEADER_LEN, 40);
    struct flow flow;

    flow_extract(p, &flow);
    CU_ASSERT_EQUAL(ntohs(flow.dl_type), ETH_TYPE_META);
    CU_ASSERT_EQUAL(flow.meta_ver, META_VERSION);
    CU_ASSERT_EQUAL(flow.meta_flags, 3);
    CU_ASSERT_EQUAL(flow.meta_np, htons(0));
    CU_ASSERT_EQUAL(ntohl(flow.meta_mli), 5);
    CU_ASSERT_EQUAL(ntohl(flow.meta_mni), 0x10007);
    dp_packet_delete(p);
}

static void
test_flow_extract_marks_truncated_metaframes_malformed(void)
{
    for (size_t len = 0; len < META_HEADER_LEN; len++) {
        struct dp_packet *p = make_metaframe(META_VERSION, len, 0);
        struct flow flow;

        flow_extract(p, &flow);
        CU_ASSERT_EQUAL(ntohs(flow.dl_type), ETH_TYPE_META);
        CU_ASSERT_EQUAL(flow.meta_ver, 0);
        CU_ASSERT_EQUAL(flow.meta_mli, 0);
        CU_ASSERT_EQUAL(flow.meta_mni, 0);
        dp_packet_delete(p);
    }
}

static void
test_flow_extract_marks_unknown_versions_malformed(void)
{
    for (int ver = 0; ver < 16; ver++) {
        struct dp_packet *p;
        struct flow flow;

        if (ver == META_VERSION) {
            continue;
        }
        p = make_metaframe(ver, META_HEADER_LEN, 40);
        flow_extract(p, &flow);
        CU_ASSERT_EQUAL(flow.meta_ver, 0);
        CU_ASSERT_EQUAL(flow.meta_mli, 0);
        dp_packet_delete(p);
    }
}

/* An IPv4/UDP frame from 00:00:5e:00:53:01 to broadcast, 'vlan' tagged
 * with VLAN 10 or not. */
static struct dp_packet *
make_udp_frame(bool vlan)
{
    static const uint8_t frame[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01,
        0x08, 0x00,
        0x45, 0x00, 0x00, 0x20, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00,
        0xc6, 0x12, 0x00, 0x01, 0xc6, 0x12, 0x00, 0x02,
        0x04, 0xd2, 0x16, 0x2e, 0x00, 0x0c, 0x00, 0x00,
        0xde, 0xad, 0xbe, 0xef,
    };
    static const uint8_t tag[] = { 0x81, 0x00, 0x00, 0x0a };
    struct dp_packet *p = dp_packet_new(0);
    struct flow flow;

    dp_packet_put(p, frame, 12);
    if (vlan) {
        dp_packet_put(p, tag, sizeof tag);
    }
    dp_packet_put(p, frame + 12, sizeof frame - 12);
    flow_extract(p, &flow);     /* Sets the layer offsets. */
    return p;
}

static bool
packets_equal(const struct dp_packet *a, const struct dp_packet *b)
{
    return dp_packet_size(a) == dp_packet_size(b)
           && !memcmp(dp_packet_data(a), dp_packet_data(b), dp_packet_size(a));
}

static void
check_push_then_pop_restores_frame(bool vlan)
{
    struct dp_packet *orig = make_udp_frame(vlan);
    struct dp_packet *p = dp_packet_clone(orig);
    size_t l2_len = vlan ? ETH_HEADER_LEN + VLAN_HEADER_LEN : ETH_HEADER_LEN;
    const uint8_t *data;
    struct metaframe mf;

    CU_ASSERT_TRUE_FATAL(metaframe_push(p, htonl(5), htonl(7)));
    CU_ASSERT_EQUAL_FATAL(dp_packet_size(p),
                          dp_packet_size(orig) + META_HEADER_LEN);
    data = dp_packet_data(p);

    /* Ethernet (and tag) unchanged but for the EtherType, then the header
     * with the old EtherType as next protocol, then the payload intact. */
    CU_ASSERT_EQUAL(memcmp(data, dp_packet_data(orig), l2_len - 2), 0);
    CU_ASSERT_EQUAL(data[l2_len - 2], 0x88);
    CU_ASSERT_EQUAL(data[l2_len - 1], 0xb5);
    CU_ASSERT_TRUE(metaframe_parse(data + l2_len, META_HEADER_LEN, &mf));
    CU_ASSERT_EQUAL(mf.next_proto, htons(ETH_TYPE_IP));
    CU_ASSERT_EQUAL(ntohl(mf.mli), 5);
    CU_ASSERT_EQUAL(ntohl(mf.mni), 7);
    CU_ASSERT_EQUAL(memcmp(data + l2_len + META_HEADER_LEN,
                           (const uint8_t *) dp_packet_data(orig) + l2_len,
                           dp_packet_size(orig) - l2_len), 0);

    CU_ASSERT_TRUE_FATAL(metaframe_pop(p));
    CU_ASSERT_TRUE(packets_equal(p, orig));
    dp_packet_delete(p);
    dp_packet_delete(orig);
}

static void
test_push_meta_then_pop_meta_restores_the_frame_byte_for_byte(void)
{
    check_push_then_pop_restores_frame(false);
}

static void
test_push_meta_goes_after_vlan_tags(void)
{
    check_push_then_pop_restores_frame(true);
}

static void
test_pop_meta_refuses_frames_that_are_not_metaframes(void)
{
    struct dp_packet *p = make_udp_frame(false);
    struct dp_packet *orig = dp_packet_clone(p);

    CU_ASSERT_FALSE(metaframe_pop(p));
    CU_ASSERT_TRUE(packets_equal(p, orig));
    dp_packet_delete(p);
    dp_packet_delete(orig);
}

/* Parses 's' as an OFPFC_ADD flow_mod, encodes it for 'protocol', decodes it
 * back and checks that the match and the actions survived unchanged. */
static void
check_flow_mod_round_trip(const char *s, enum ofputil_protocol protocol)
{
    struct ofputil_flow_mod fm, fm2;
    enum ofputil_protocol usable;
    uint64_t stub[1024 / 8];
    struct ofpbuf ofpacts;
    struct ofpbuf *msg;
    enum ofperr error;
    char *err;

    err = parse_ofp_flow_mod_str(&fm, s, NULL, NULL, OFPFC_ADD, &usable);
    CU_ASSERT_PTR_NULL_FATAL(err);
    if (!(usable & protocol)) {
        CU_FAIL("protocol cannot carry the flow");
        fprintf(stderr, "%s: %s cannot carry it\n",
                s, ofputil_protocol_to_string(protocol));
        goto out;
    }

    msg = ofputil_encode_flow_mod(&fm, protocol);
    ofpbuf_use_stub(&ofpacts, stub, sizeof stub);
    error = ofputil_decode_flow_mod(&fm2, msg->data, protocol, NULL, NULL,
                                    &ofpacts, OFPP_MAX, 255);
    CU_ASSERT_EQUAL(error, 0);
    if (!error) {
        struct match m1, m2;

        minimatch_expand(&fm.match, &m1);
        minimatch_expand(&fm2.match, &m2);
        CU_ASSERT_TRUE(match_equal(&m1, &m2));
        struct ds a1 = DS_EMPTY_INITIALIZER, a2 = DS_EMPTY_INITIALIZER;

        /* Actions are compared as ovs-ofctl prints them: the decoded
         * ofpacts legitimately differ in 'raw', which records the OpenFlow
         * encoding that carried them. */
        ofpacts_format(fm.ofpacts, fm.ofpacts_len,
                       &(struct ofpact_format_params) { .s = &a1 });
        ofpacts_format(fm2.ofpacts, fm2.ofpacts_len,
                       &(struct ofpact_format_params) { .s = &a2 });
        CU_ASSERT_STRING_EQUAL(ds_cstr(&a1), ds_cstr(&a2));
        ds_destroy(&a1);
        ds_destroy(&a2);
        minimatch_destroy(&fm2.match);
    }
    ofpbuf_uninit(&ofpacts);
    ofpbuf_delete(msg);
out:
    minimatch_destroy(&fm.match);
    free(CONST_CAST(struct ofpact *, fm.ofpacts));
}

static const enum ofputil_protocol every_protocol_with_extensions[] = {
    OFPUTIL_P_OF10_NXM, OFPUTIL_P_OF12_OXM, OFPUTIL_P_OF13_OXM,
    OFPUTIL_P_OF14_OXM, OFPUTIL_P_OF15_OXM,
};

static void
test_metaframe_match_round_trips_in_every_version(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(every_protocol_with_extensions); i++) {
        check_flow_mod_round_trip(
            "priority=100,dl_type=0x88b5,meta_ver=1,meta_flags=2/3,"
            "meta_mli=5,meta_mni=0x10000/0xffff0000,actions=drop",
            every_protocol_with_extensions[i]);
    }
}

static void
test_metaframe_actions_round_trip_in_every_version(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(every_protocol_with_extensions); i++) {
        enum ofputil_protocol p = every_protocol_with_extensions[i];

        check_flow_mod_round_trip(
            "in_port=1,dl_type=0x0800,"
            "actions=push_meta(mli=5,mni=7),set_field:9->meta_mli,output:2",
            p);
        check_flow_mod_round_trip(
            "dl_type=0x88b5,meta_mli=5,actions=pop_meta,output:2", p);
    }
}

/* Checks that ovs-ofctl's parser refuses the flow 's' with an error. */
static void
check_flow_refused(const char *s)
{
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;
    char *err;

    err = parse_ofp_flow_mod_str(&fm, s, NULL, NULL, OFPFC_ADD, &usable);
    CU_ASSERT_PTR_NOT_NULL(err);
    free(err);
}

static void
test_metaframe_match_needs_metaframe_prerequisite(void)
{
    check_flow_refused("meta_mli=5,actions=drop");
}

static void
test_push_meta_refuses_mli_zero(void)
{
    check_flow_refused("actions=push_meta(mli=0,mni=7)");
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_flow_extract_fills_metaframe_fields),
    UNIT_TEST(test_flow_extract_marks_truncated_metaframes_malformed),
    UNIT_TEST(test_flow_extract_marks_unknown_versions_malformed),
    UNIT_TEST(test_push_meta_then_pop_meta_restores_the_frame_byte_for_byte),
    UNIT_TEST(test_push_meta_goes_after_vlan_tags),
    UNIT_TEST(test_pop_meta_refuses_frames_that_are_not_metaframes),
    UNIT_TEST(test_metaframe_match_round_trips_in_every_version),
    UNIT_TEST(test_metaframe_actions_round_trip_in_every_version),
    UNIT_TEST(test_metaframe_match_needs_metaframe_prerequisite),
    UNIT_TEST(test_push_meta_refuses_mli_zero),
};

int
main(void)
{
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    return unit_run("ovs-meta", tests, ARRAY_SIZE(tests));
}
