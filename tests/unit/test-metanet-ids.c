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

/* Unit tests for the validation of names, MNIs and MLIs, datapath ids and
 * MAC addresses (lib/metanet-ids.c) and of database remotes
 * (lib/metanet-db.c). */

#include <config.h>

#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

#include "lib/metanet-db.h"
#include "lib/metanet-ids.h"
#include "unit.h"
#include "util.h"

/* Checks that 'error' is nonnull and contains each of the nonnull strings
 * 'a' and 'b', then frees it. */
static void
check_error(char *error, const char *a, const char *b)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    if ((a && !strstr(error, a)) || (b && !strstr(error, b))) {
        fprintf(stderr, "error \"%s\" lacks \"%s\" or \"%s\"\n",
                error, a ? a : "", b ? b : "");
        CU_FAIL("error message lacks the value or the reason");
    }
    free(error);
}

static void
test_names_accept_printable_words(void)
{
    static const char *good[] = {
        "red", "h1", "substrate-router.lab", "x",
        "caf\xc3\xa9",          /* UTF-8 is fine. */
        "0123456789012345678901234567890123456789012345678901234567890123",
    };

    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        char *error = metanet_name_check("host", good[i]);
        CU_ASSERT_PTR_NULL(error);
        free(error);
    }
}

static void
test_names_refuse_spaces_controls_length_and_dash(void)
{
    check_error(metanet_name_check("metanet", ""), "metanet name", "empty");
    check_error(metanet_name_check("metanet", "a b"), "\"a b\"",
                "contains a space");
    check_error(metanet_name_check("host", "a\tb"), "\"a\\tb\"",
                "control character");
    check_error(metanet_name_check("host", "a\x7f"), "host name",
                "control character");
    check_error(metanet_name_check("host", "-x"), "\"-x\"", "starts with");
    check_error(metanet_name_check("host",
        "01234567890123456789012345678901234567890123456789012345678901234"),
        "too long", "1 to 64 bytes");
}

static void
test_mnis_go_to_2_32_minus_1_and_mlis_stop_below_the_meter_ids_end(void)
{
    uint32_t id;
    char *error;

    error = metanet_id_parse("MLI", "1", METANET_MLI_MAX, &id);
    CU_ASSERT_PTR_NULL(error);
    CU_ASSERT_EQUAL(id, 1);
    free(error);

    error = metanet_id_parse("MLI", "4294901759", METANET_MLI_MAX, &id);
    CU_ASSERT_PTR_NULL(error);
    CU_ASSERT_EQUAL(id, 0xfffeffff);
    free(error);

    error = metanet_id_parse("MLI", "4294901760", METANET_MLI_MAX, &id);
    check_error(error, "invalid MLI", "from 1 to 4294901759");

    error = metanet_id_parse("MNI", "4294967295", METANET_MNI_MAX, &id);
    CU_ASSERT_PTR_NULL(error);
    CU_ASSERT_EQUAL(id, UINT32_MAX);
    free(error);
}

static void
test_ids_refuse_zero_negative_overflow_garbage(void)
{
    static const char *bad[] = {
        "0", "-1", "4294967296", "99999999999999999999999", "", "x", "1x",
        " 1", "+1", "1.0",
    };

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        uint32_t id = 7;
        char *error = metanet_id_parse("MNI", bad[i], METANET_MNI_MAX, &id);

        CU_ASSERT_EQUAL(id, 0);
        check_error(error, "invalid MNI", "from 1 to 4294967295");
    }
}

static void
test_dpid_needs_16_hex_digits_and_is_lowercased(void)
{
    char *dpid;
    char *error;

    error = metanet_dpid_parse("00000000000000AB", &dpid);
    CU_ASSERT_PTR_NULL(error);
    CU_ASSERT_STRING_EQUAL(dpid, "00000000000000ab");
    free(dpid);

    static const char *bad[] = {
        "", "ab", "000000000000000", "00000000000000000", "000000000000000g",
        "0x00000000000000",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        check_error(metanet_dpid_parse(bad[i], &dpid), "invalid datapath id",
                    "16 hexadecimal digits");
        CU_ASSERT_PTR_NULL(dpid);
    }
}

static void
test_mac_must_be_unicast_and_is_normalized(void)
{
    char *mac;
    char *error;

    error = metanet_mac_parse("02:0A:00:00:00:01", &mac);
    CU_ASSERT_PTR_NULL(error);
    CU_ASSERT_STRING_EQUAL(mac, "02:0a:00:00:00:01");
    free(mac);

    error = metanet_mac_parse("2:a:0:0:0:1", &mac);
    CU_ASSERT_PTR_NULL(error);
    CU_ASSERT_STRING_EQUAL(mac, "02:0a:00:00:00:01");
    free(mac);

    check_error(metanet_mac_parse("02:00:00:00:00", &mac),
                "\"02:00:00:00:00\"", "six hexadecimal bytes");
    check_error(metanet_mac_parse("02:00:00:00:00:01:02", &mac),
                "invalid MAC", "six hexadecimal bytes");
    check_error(metanet_mac_parse("zz:00:00:00:00:01", &mac), "invalid MAC",
                "six hexadecimal bytes");
    check_error(metanet_mac_parse("01:00:5e:00:00:01", &mac), "01:00:5e",
                "unicast");
    check_error(metanet_mac_parse("ff:ff:ff:ff:ff:ff", &mac), "invalid MAC",
                "unicast");
    check_error(metanet_mac_parse("00:00:00:00:00:00", &mac), "invalid MAC",
                "nonzero");
    CU_ASSERT_PTR_NULL(mac);
}

static void
test_db_remotes_must_be_active_connection_methods(void)
{
    char *error;

    error = metanet_db_check("unix:/tmp/x.sock");
    CU_ASSERT_PTR_NULL(error);
    free(error);
    error = metanet_db_check("tcp:127.0.0.1:6641,tcp:127.0.0.1:6642");
    CU_ASSERT_PTR_NULL(error);
    free(error);

    check_error(metanet_db_check(""), "invalid database", "unix:FILE");
    check_error(metanet_db_check("nonsense"), "\"nonsense\"", "unix:FILE");
    check_error(metanet_db_check("unix:/x,bogus:1"), "\"bogus:1\"",
                "is not unix:FILE");
    check_error(metanet_db_check("punix:/tmp/x.sock"), "punix", "unix:FILE");
}

static void
test_db_remotes_are_counted(void)
{
    CU_ASSERT_EQUAL(metanet_db_n_remotes("unix:/tmp/x.sock"), 1);
    CU_ASSERT_EQUAL(metanet_db_n_remotes("tcp:127.0.0.1:6641,"
                                         "tcp:127.0.0.1:6642,"
                                         "unix:/tmp/x.sock"), 3);
    CU_ASSERT_EQUAL(metanet_db_n_remotes(""), 0);
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_names_accept_printable_words),
    UNIT_TEST(test_names_refuse_spaces_controls_length_and_dash),
    UNIT_TEST(
            test_mnis_go_to_2_32_minus_1_and_mlis_stop_below_the_meter_ids_end),
    UNIT_TEST(test_ids_refuse_zero_negative_overflow_garbage),
    UNIT_TEST(test_dpid_needs_16_hex_digits_and_is_lowercased),
    UNIT_TEST(test_mac_must_be_unicast_and_is_normalized),
    UNIT_TEST(test_db_remotes_must_be_active_connection_methods),
    UNIT_TEST(test_db_remotes_are_counted),
};

int
main(void)
{
    return unit_run("metanet-ids", tests, ARRAY_SIZE(tests));
}
