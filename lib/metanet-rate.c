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
#include "lib/metanet-rate.h"

#include <ctype.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "util.h"

/* What is being parsed or formatted: a rate in bits per second or an amount
 * in bits.  They differ only in their words. */
struct quantity {
    const char *noun;           /* "rate" or "amount of data". */
    const char *unit;           /* Unit after the prefix: "bps" or "bit". */
    const char *whole;          /* "bits per second" or "bits". */
    const char *example;        /* Examples of valid input. */
};

static const struct quantity rate_quantity = {
    "rate", "bps", "bits per second", "100000, 100k, 1.5Mbps or 2G",
};

static const struct quantity bits_quantity = {
    "amount of data", "bit", "bits", "1500, 100k, 1.5Mbit or 2G",
};

/* The decimal unit prefixes, largest first.  'digits' is log10('scale'). */
struct prefix {
    char c;
    uint64_t scale;
    int digits;
};

static const struct prefix prefixes[] = {
    { 'G', UINT64_C(1000000000), 9 },
    { 'M', UINT64_C(1000000), 6 },
    { 'k', UINT64_C(1000), 3 },
};

/* Parses 'unit' (what follows the number, after optional spaces) for 'q'.
 * Stores the multiplier in '*scale' and its number of decimal digits in
 * '*digits'.  Returns false if 'unit' is not one of "", "k", "M", "G", 'q''s
 * unit word, or a prefix followed by that word. */
static bool
parse_unit(const char *unit, const struct quantity *q,
           uint64_t *scale, int *digits)
{
    const char *word = unit;

    *scale = 1;
    *digits = 0;
    for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
        if (unit[0] == prefixes[i].c) {
            *scale = prefixes[i].scale;
            *digits = prefixes[i].digits;
            word = unit + 1;
            break;
        }
    }
    return !*word || !strcmp(word, q->unit);
}

static char *
parse_quantity(const char *s, const struct quantity *q, uint64_t *valuep)
{
    const char *p = s;
    uint64_t whole = 0;
    const char *frac;
    size_t n_frac;

    *valuep = 0;
    if (!s[0]) {
        return xasprintf("empty %s: expected a number of %s such as %s",
                         q->noun, q->whole, q->example);
    }
    if (s[0] == '-') {
        return xasprintf("invalid %s \"%s\": a %s cannot be negative",
                         q->noun, s, q->noun);
    }
    if (!isdigit((unsigned char) *p)) {
        goto syntax_error;
    }

    /* Whole part.  Overflow is reported once the unit is known, so that the
     * message is about the value, not about an intermediate. */
    bool overflow = false;
    for (; isdigit((unsigned char) *p); p++) {
        unsigned int d = *p - '0';
        if (whole > (UINT64_MAX - d) / 10) {
            overflow = true;
        } else {
            whole = whole * 10 + d;
        }
    }

    /* Fractional part, kept as digits without trailing zeros. */
    frac = "";
    n_frac = 0;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char) *p)) {
            goto syntax_error;
        }
        frac = p;
        while (isdigit((unsigned char) *p)) {
            p++;
        }
        n_frac = p - frac;
        while (n_frac > 0 && frac[n_frac - 1] == '0') {
            n_frac--;
        }
    }

    /* Unit, optionally after spaces. */
    if (*p == ' ') {
        while (*p == ' ') {
            p++;
        }
        if (!*p) {
            goto syntax_error;
        }
    }
    uint64_t scale;
    int digits;
    if (!parse_unit(p, q, &scale, &digits)) {
        return xasprintf("invalid %s \"%s\": unknown unit \"%s\" (expected "
                         "%s, k%s, M%s or G%s, or just k, M or G; "
                         "k is 1000)", q->noun, s, p,
                         q->unit, q->unit, q->unit, q->unit);
    }

    if (n_frac > digits) {
        return xasprintf("invalid %s \"%s\": not a whole number of %s",
                         q->noun, s, q->whole);
    }

    /* value = whole * scale + frac * scale / 10^n_frac. */
    uint64_t frac_value = 0;
    for (size_t i = 0; i < n_frac; i++) {
        frac_value = frac_value * 10 + (frac[i] - '0');
    }
    for (int i = n_frac; i < digits; i++) {
        frac_value *= 10;
    }
    if (overflow
        || whole > (METANET_RATE_MAX - frac_value) / scale) {
        return xasprintf("invalid %s \"%s\": exceeds the maximum of "
                         "%"PRId64" %s", q->noun, s, METANET_RATE_MAX,
                         q->unit);
    }
    *valuep = whole * scale + frac_value;
    return NULL;

syntax_error:
    return xasprintf("invalid %s \"%s\": expected a number of %s such as %s "
                     "(k=1000, M=1000000, G=1000000000)",
                     q->noun, s, q->whole, q->example);
}

/* Parses 's' as a rate and stores it, in bits per second, in '*bps'.
 *
 * Accepts a decimal number with an optional unit: "bps", "kbps", "Mbps",
 * "Gbps" or just "k", "M", "G", optionally after spaces ("1.5 Mbps").
 * Refuses anything else, negative numbers, values that are not a whole
 * number of bits per second and values above METANET_RATE_MAX.
 *
 * Returns NULL if successful, otherwise a malloc()'d string that names 's'
 * and says what was expected (and stores 0 in '*bps'). */
char *
metanet_rate_parse(const char *s, uint64_t *bps)
{
    return parse_quantity(s, &rate_quantity, bps);
}

/* Parses 's' as an amount of data, such as a burst size, and stores it in
 * bits in '*bits'.  Like metanet_rate_parse() with units "bit", "kbit",
 * "Mbit", "Gbit" (or just the prefix). */
char *
metanet_bits_parse(const char *s, uint64_t *bits)
{
    return parse_quantity(s, &bits_quantity, bits);
}

static void
format_quantity(uint64_t value, const struct quantity *q, struct ds *s)
{
    for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
        const struct prefix *p = &prefixes[i];

        if (value >= p->scale) {
            uint64_t frac = value % p->scale;
            int n = p->digits;

            ds_put_format(s, "%"PRIu64, value / p->scale);
            if (frac) {
                while (frac % 10 == 0) {
                    frac /= 10;
                    n--;
                }
                ds_put_format(s, ".%0*"PRIu64, n, frac);
            }
            ds_put_format(s, " %c%s", p->c, q->unit);
            return;
        }
    }
    ds_put_format(s, "%"PRIu64" %s", value, q->unit);
}

/* Appends 'bps' to 's' in the largest unit that keeps the number at least 1,
 * with as many decimals as needed to be exact: "999 bps", "100 kbps",
 * "1.5 Mbps", "1.234567 Mbps", "2 Gbps". */
void
metanet_rate_format(uint64_t bps, struct ds *s)
{
    format_quantity(bps, &rate_quantity, s);
}

/* Appends 'bits' to 's' like metanet_rate_format(), in "bit", "kbit", "Mbit"
 * or "Gbit". */
void
metanet_bits_format(uint64_t bits, struct ds *s)
{
    format_quantity(bits, &bits_quantity, s);
}

/* Returns 'bps' formatted as by metanet_rate_format(), in a malloc()'d
 * string. */
char *
metanet_rate_to_string(uint64_t bps)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    metanet_rate_format(bps, &s);
    return ds_steal_cstr(&s);
}
