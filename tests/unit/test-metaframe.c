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

/* Unit tests for the metaframe header codec in the patched libopenvswitch
 * (lib/metaframe.c). */

#include <config.h>

#include <CUnit/Basic.h>
#include <string.h>

#include "metaframe.h"
#include "unit.h"

static const uint8_t valid_header[META_HEADER_LEN] = {
    0x15,                       /* Version 1, flags 5. */
    0x00,                       /* Reserved. */
    0x08, 0x00,                 /* Next protocol: IPv4. */
    0x00, 0x01, 0x02, 0x03,     /* MLI 0x00010203. */
    0xde, 0xad, 0xbe, 0xef,     /* MNI 0xdeadbeef. */
};

static bool
is_zero(const struct metaframe *mf)
{
    static const struct metaframe zero;
    return !memcmp(mf, &zero, sizeof *mf);
}

static void
test_parse_valid_header_yields_every_field(void)
{
    struct metaframe mf;

    CU_ASSERT_TRUE(metaframe_parse(valid_header, sizeof valid_header, &mf));
    CU_ASSERT_EQUAL(mf.ver, 1);
    CU_ASSERT_EQUAL(mf.flags, 5);
    CU_ASSERT_EQUAL(ntohs(mf.next_proto), 0x0800);
    CU_ASSERT_EQUAL(ntohl(mf.mli), 0x00010203);
    CU_ASSERT_EQUAL(ntohl(mf.mni), 0xdeadbeef);
}

static void
test_parse_rejects_every_truncation(void)
{
    for (size_t len = 0; len < META_HEADER_LEN; len++) {
        struct metaframe mf;

        memset(&mf, 0xff, sizeof mf);
        CU_ASSERT_FALSE(metaframe_parse(valid_header, len, &mf));
        CU_ASSERT_TRUE(is_zero(&mf));
    }
}

static void
test_parse_rejects_unknown_versions(void)
{
    for (int ver = 0; ver < 16; ver++) {
        uint8_t hdr[META_HEADER_LEN];
        struct metaframe mf;

        if (ver == META_VERSION) {
            continue;
        }
        memcpy(hdr, valid_header, sizeof hdr);
        hdr[0] = (ver << META_VER_SHIFT) | 5;
        memset(&mf, 0xff, sizeof mf);
        CU_ASSERT_FALSE(metaframe_parse(hdr, sizeof hdr, &mf));
        CU_ASSERT_TRUE(is_zero(&mf));
    }
}

static void
test_parse_ignores_reserved_byte_and_trailing_payload(void)
{
    uint8_t buf[META_HEADER_LEN + 4];
    struct metaframe a, b;

    memcpy(buf, valid_header, META_HEADER_LEN);
    memset(buf + META_HEADER_LEN, 0xaa, 4);
    buf[1] = 0xff;
    CU_ASSERT_TRUE(metaframe_parse(valid_header, META_HEADER_LEN, &a));
    CU_ASSERT_TRUE(metaframe_parse(buf, sizeof buf, &b));
    CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof a), 0);
}

static void
test_put_header_round_trips_and_zeroes_reserved(void)
{
    struct meta_header mh;
    struct metaframe mf;

    CU_ASSERT_TRUE(metaframe_parse(valid_header, sizeof valid_header, &mf));
    memset(&mh, 0xff, sizeof mh);
    metaframe_put_header(&mh, &mf);
    CU_ASSERT_EQUAL(memcmp(&mh, valid_header, sizeof mh), 0);
}

static void
test_put_header_always_writes_current_version(void)
{
    struct metaframe mf = { .ver = 9, .flags = 0xff, .mli = htonl(7) };
    struct meta_header mh;
    struct metaframe back;

    metaframe_put_header(&mh, &mf);
    CU_ASSERT_EQUAL(mh.ver_flags, (META_VERSION << META_VER_SHIFT) | 0xf);
    CU_ASSERT_TRUE(metaframe_parse(&mh, sizeof mh, &back));
    CU_ASSERT_EQUAL(ntohl(back.mli), 7);
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_parse_valid_header_yields_every_field),
    UNIT_TEST(test_parse_rejects_every_truncation),
    UNIT_TEST(test_parse_rejects_unknown_versions),
    UNIT_TEST(test_parse_ignores_reserved_byte_and_trailing_payload),
    UNIT_TEST(test_put_header_round_trips_and_zeroes_reserved),
    UNIT_TEST(test_put_header_always_writes_current_version),
};

int
main(void)
{
    return unit_run("metaframe", tests, ARRAY_SIZE(tests));
}
