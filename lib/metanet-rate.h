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

#ifndef METANET_RATE_H
#define METANET_RATE_H 1

/* Rates and amounts of data, as operators write them.
 *
 * The Metanet database stores every rate as an integer number of bits per
 * second and every burst as an integer number of bits.  People write them
 * with decimal units, as networking does: "100k" or "100kbps" is 100,000
 * bits per second, "1.5M" or "1.5Mbps" is 1,500,000, "2G" or "2Gbps" is
 * 2,000,000,000.  The unit prefixes are case-sensitive, the way they are
 * printed on equipment: 'k' (1000), 'M' (1000^2), 'G' (1000^3); an 'm' would
 * be milli and a 'K' is not a decimal prefix, so both are refused rather
 * than guessed at.  A space may separate the number from its unit.
 *
 * Parsing is exact: a decimal fraction is accepted only if the result is a
 * whole number of bits ("1.5M" is fine, "1.5" and "1.0000005M" are not), and
 * values above METANET_RATE_MAX (the largest OVSDB integer) are refused.
 *
 * Formatting is human-readable and exact at the same time: the largest unit
 * that leaves a value of at least 1, with as many decimals as the value
 * needs and no more ("1.5 Mbps", "100 kbps", "2 Gbps", "1.234567 Mbps",
 * "999 bps"), so that parsing the result gives back the same number. */

#include <stdint.h>
#include "compiler.h"

struct ds;

/* The largest rate or amount the database can hold (OVSDB integers are
 * signed 64-bit). */
#define METANET_RATE_MAX INT64_MAX

char *metanet_rate_parse(const char *s, uint64_t *bps) OVS_WARN_UNUSED_RESULT;
char *metanet_bits_parse(const char *s, uint64_t *bits)
    OVS_WARN_UNUSED_RESULT;

void metanet_rate_format(uint64_t bps, struct ds *);
void metanet_bits_format(uint64_t bits, struct ds *);
char *metanet_rate_to_string(uint64_t bps);

#endif /* lib/metanet-rate.h */
