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

#ifndef CONTROLLER_DEMAND_H
#define CONTROLLER_DEMAND_H 1

/* A metalink's demand, estimated from what its meter sees.
 *
 * The allocator (allocator.h) shares spare capacity among the metalinks
 * that want it.  What a metalink wants cannot be measured directly: its
 * sender is shaped to its allocation and its meter drops the excess, so
 * the rate that reaches the meter is never much above the allocation.  So
 * the estimate reads the rate offered to the meter (its byte counter, read
 * periodically) against the allocation, quick to see a rise and slow to
 * believe a fall:
 *
 *   - a metalink whose last reading shows it using at least DEMAND_BUSY of
 *     its allocation is limited by it, and wants as much as it can get
 *     (UINT64_MAX);
 *   - one that uses less wants what it uses with DEMAND_HEADROOM to grow
 *     into, so that its unused share goes to others but it can show that
 *     it wants more by filling what it has.  What it uses is the larger of
 *     the last reading and a smoothed rate (DEMAND_SMOOTHING), so that a
 *     share it stops using is handed on over a few intervals, not at once;
 *   - one that has not been measured yet, or uses (almost) nothing, wants
 *     its minimum or DEMAND_FLOOR, whichever is more, so that it can start.
 *
 * An idle metalink's share thus flows to busy ones, and comes back in the
 * interval after it fills its allocation again. */

#include <stdbool.h>
#include <stdint.h>

#define DEMAND_BUSY 0.9             /* Fraction of the allocation. */
#define DEMAND_HEADROOM 1.5         /* Factor on the rate used. */
#define DEMAND_FLOOR 1000000        /* Bits per second. */
#define DEMAND_SMOOTHING 0.5        /* Weight of the newest sample. */

struct demand {
    uint64_t bytes;             /* Counter at the last reading. */
    long long int when;         /* Time of the last reading, in ms. */
    double rate;                /* Smoothed rate, bits per second. */
    double last;                /* Rate of the last reading. */
    bool has_reading;           /* 'bytes' and 'when' are valid. */
    bool has_rate;              /* 'rate' is valid. */
};

void demand_init(struct demand *);
void demand_update(struct demand *, uint64_t bytes, long long int now);
uint64_t demand_get(const struct demand *, uint64_t allocated,
                    uint64_t min_rate);
uint64_t demand_rate(const struct demand *);

#endif /* controller/demand.h */
