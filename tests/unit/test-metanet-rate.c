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

/* Unit tests for parsing and formatting rates and amounts of data
 * (lib/metanet-rate.c). */

#include <config.h>

#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

#include "lib/metanet-rate.h"
#include "openvswitch/dynamic-string.h"
#include "unit.h"
#include "util.h"

/* Parses 's' as a rate and checks that it yields 'expected'. */
static void
check_rate(const char *s, uint64_t expected)
{
    uint64_t bps = 12345;
    char *error = metanet_rate_parse(s, &bps);

    if (error) {
        fprintf(stderr, "\"%s\": unexpected error: %s\n", s, error);
    }
    CU_ASSERT_PTR_NULL(error);
    CU_ASSERT_EQUAL(bps, expected);
    free(error);
}

/* Parses 's' as a rate, checks that it is refused with an error that names
 * 's' and contains 'reason', and that the output is zeroed. */
static void
check_rate_refused(const char *s, const char *reason)
{
    uint64_t bps = 12345;
    char *error = metanet_rate_parse(s, &bps);

    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    if (!strstr(error, reason) || (s[0] && !strstr(error, s))) {
        fprintf(stderr, "\"%s\": error \"%s\" lacks \"%s\" or the value\n",
                s, error, reason);
        CU_FAIL("error message does not name the value and the reason");
    }
    CU_ASSERT_EQUAL(bps, 0);
    free(error);
}

static void
check_format(uint64_t bps, const char *expected)
{
    char *s = metanet_rate_to_string(bps);

    if (strcmp(s, expected)) {
        fprintf(stderr, "%"PRIu64": \"%s\" instead of \"%s\"\n",
                bps, s, expected);
    }
    CU_ASSERT_STRING_EQUAL(s, expected);
    free(s);
}

static void
test_parse_plain_number_is_bits_per_second(void)
{
    check_rate("0", 0);
    check_rate("1", 1);
    check_rate("1500000", 1500000);
    check_rate("007", 7);
    check_rate("9223372036854775807", INT64_MAX);
}

static void
test_parse_every_unit_spelling(void)
{
    check_rate("5bps", 5);
    check_rate("100k", 100000);
    check_rate("100kbps", 100000);
    check_rate("10M", 10000000);
    check_rate("10Mbps", 10000000);
    check_rate("2G", 2000000000);
    check_rate("2Gbps", 2000000000);
    check_rate("2 Gbps", 2000000000);
    check_rate("1.5  Mbps", 1500000);
    check_rate("3 k", 3000);
}

static void
test_parse_exact_decimals(void)
{
    check_rate("1.5M", 1500000);
    check_rate("1.5k", 1500);
    check_rate("0.001k", 1);
    check_rate("1.000001M", 1000001);
    check_rate("2.500000000G", 2500000000ULL);
    check_rate("1.0", 1);
    check_rate("9223372036.854775807G", INT64_MAX);
}

static void
test_parse_refuses_garbage(void)
{
    check_rate_refused("", "empty rate");
    check_rate_refused("abc", "expected a number of bits per second");
    check_rate_refused("nan", "expected a number of bits per second");
    check_rate_refused("inf", "expected a number of bits per second");
    check_rate_refused("+5", "expected a number of bits per second");
    check_rate_refused(" 5", "expected a number of bits per second");
    check_rate_refused(".5M", "expected a number of bits per second");
    check_rate_refused("5.M", "expected a number of bits per second");
    check_rate_refused("5 ", "expected a number of bits per second");
    check_rate_refused("1,5M", "unknown unit \",5M\"");
    check_rate_refused("5Mbpsx", "unknown unit \"Mbpsx\"");
    check_rate_refused("1e6", "unknown unit \"e6\"");
    check_rate_refused("0x10", "unknown unit \"x10\"");
}

static void
test_parse_refuses_wrong_case_and_foreign_units(void)
{
    check_rate_refused("5m", "unknown unit \"m\"");
    check_rate_refused("5mbps", "unknown unit \"mbps\"");
    check_rate_refused("5K", "unknown unit \"K\"");
    check_rate_refused("5g", "unknown unit \"g\"");
    check_rate_refused("5Mbit", "unknown unit \"Mbit\"");
    check_rate_refused("5MB", "unknown unit \"MB\"");
    check_rate_refused("5T", "unknown unit \"T\"");
}

static void
test_parse_refuses_negative(void)
{
    check_rate_refused("-1", "cannot be negative");
    check_rate_refused("-1.5M", "cannot be negative");
}

static void
test_parse_refuses_fractional_bits(void)
{
    check_rate_refused("1.5", "not a whole number of bits per second");
    check_rate_refused("1.0001k", "not a whole number of bits per second");
    check_rate_refused("1.0000001M", "not a whole number of bits per second");
    check_rate_refused("1.0000000001G",
                       "not a whole number of bits per second");
}

static void
test_parse_refuses_overflow(void)
{
    check_rate_refused("9223372036854775808", "exceeds the maximum");
    check_rate_refused("99999999999999999999999", "exceeds the maximum");
    check_rate_refused("9223372036854776k", "exceeds the maximum");
    check_rate_refused("9223372036.854775808G", "exceeds the maximum");
    check_rate_refused("18446744073709551616G", "exceeds the maximum");
}

static void
test_format_picks_largest_unit_and_is_exact(void)
{
    check_format(0, "0 bps");
    check_format(999, "999 bps");
    check_format(1000, "1 kbps");
    check_format(100000, "100 kbps");
    check_format(1500000, "1.5 Mbps");
    check_format(1234567, "1.234567 Mbps");
    check_format(1000001, "1.000001 Mbps");
    check_format(2000000000, "2 Gbps");
    check_format(2000000001, "2.000000001 Gbps");
    check_format(100000000000ULL, "100 Gbps");
    check_format(INT64_MAX, "9223372036.854775807 Gbps");
}

static void
test_format_then_parse_round_trips(void)
{
    static const uint64_t values[] = {
        0, 1, 9, 999, 1000, 1001, 1500, 99999, 100000, 1500000, 1234567,
        999999999, 1000000000, 2500000001ULL, 40000000000ULL, INT64_MAX,
    };

    for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
        char *s = metanet_rate_to_string(values[i]);
        check_rate(s, values[i]);
        free(s);
    }

    /* Also every power of ten times a few digits, to cross every unit
     * boundary. */
    for (uint64_t scale = 1; scale <= UINT64_C(1000000000000000000);
         scale *= 10) {
        for (uint64_t d = 1; d <= 9; d += 4) {
            char *s = metanet_rate_to_string(d * scale);
            check_rate(s, d * scale);
            free(s);
        }
    }
}

static void
test_parse_then_format_normalizes(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "1500k", "1.5 Mbps" },
        { "1.50M", "1.5 Mbps" },
        { "1000M", "1 Gbps" },
        { "0.5G", "500 Mbps" },
        { "1000", "1 kbps" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint64_t bps;
        char *error = metanet_rate_parse(cases[i].in, &bps);

        CU_ASSERT_PTR_NULL_FATAL(error);
        check_format(bps, cases[i].out);
    }
}

static void
test_bits_use_bit_unit(void)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    uint64_t bits;
    char *error;

    error = metanet_bits_parse("1.5Mbit", &bits);
    CU_ASSERT_PTR_NULL(error);
    CU_ASSERT_EQUAL(bits, 1500000);
    free(error);

    error = metanet_bits_parse("100k", &bits);
    CU_ASSERT_PTR_NULL(error);
    CU_ASSERT_EQUAL(bits, 100000);
    free(error);

    /* A rate is not an amount of data. */
    error = metanet_bits_parse("10Mbps", &bits);
    CU_ASSERT_PTR_NOT_NULL(error);
    CU_ASSERT_PTR_NOT_NULL(error ? strstr(error, "unknown unit \"Mbps\"")
                           : NULL);
    free(error);

    error = metanet_bits_parse("1.5", &bits);
    CU_ASSERT_PTR_NOT_NULL(error ? strstr(error, "not a whole number of bits")
                           : NULL);
    free(error);

    metanet_bits_format(1500000, &s);
    CU_ASSERT_STRING_EQUAL(ds_cstr(&s), "1.5 Mbit");
    error = metanet_bits_parse(ds_cstr(&s), &bits);
    CU_ASSERT_PTR_NULL(error);
    CU_ASSERT_EQUAL(bits, 1500000);
    free(error);
    ds_destroy(&s);
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_parse_plain_number_is_bits_per_second),
    UNIT_TEST(test_parse_every_unit_spelling),
    UNIT_TEST(test_parse_exact_decimals),
    UNIT_TEST(test_parse_refuses_garbage),
    UNIT_TEST(test_parse_refuses_wrong_case_and_foreign_units),
    UNIT_TEST(test_parse_refuses_negative),
    UNIT_TEST(test_parse_refuses_fractional_bits),
    UNIT_TEST(test_parse_refuses_overflow),
    UNIT_TEST(test_format_picks_largest_unit_and_is_exact),
    UNIT_TEST(test_format_then_parse_round_trips),
    UNIT_TEST(test_parse_then_format_normalizes),
    UNIT_TEST(test_bits_use_bit_unit),
};

int
main(void)
{
    return unit_run("metanet-rate", tests, ARRAY_SIZE(tests));
}
