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

#include "demand.h"

#include "util.h"

void
demand_init(struct demand *d)
{
    d->bytes = 0;
    d->when = 0;
    d->rate = 0;
    d->last = 0;
    d->has_reading = false;
    d->has_rate = false;
}

/* Takes a reading of the byte counter of the metalink's meter, 'bytes' at
 * time 'now' (in ms).  A counter that went backward was reset (its switch
 * restarted): the reading starts over, keeping the smoothed rate.  A
 * reading no later than the previous one is ignored. */
void
demand_update(struct demand *d, uint64_t bytes, long long int now)
{
    if (d->has_reading && bytes >= d->bytes && now > d->when) {
        double sample = (bytes - d->bytes) * 8.0 * 1000.0 / (now - d->when);

        d->rate = (d->has_rate
                   ? DEMAND_SMOOTHING * sample
                     + (1 - DEMAND_SMOOTHING) * d->rate
                   : sample);
        d->last = sample;
        d->has_rate = true;
    } else if (d->has_reading && now <= d->when) {
        return;
    }
    d->bytes = bytes;
    d->when = now;
    d->has_reading = true;
}

/* Returns the rate that the meter saw at the last reading, in bits per
 * second, or 0 if it has not been measured yet. */
uint64_t
demand_rate(const struct demand *d)
{
    return d->has_rate ? d->last : 0;
}

/* Returns the demand of a metalink with estimate 'd', whose allocation is
 * 'allocated' and whose minimum is 'min_rate', all in bits per second, as
 * allocator.h takes it. */
uint64_t
demand_get(const struct demand *d, uint64_t allocated, uint64_t min_rate)
{
    uint64_t floor = MAX(min_rate, DEMAND_FLOOR);
    double want;

    if (!d->has_rate) {
        return floor;
    }
    if (allocated && d->last >= DEMAND_BUSY * allocated) {
        return UINT64_MAX;
    }
    want = MAX(d->rate, d->last) * DEMAND_HEADROOM;
    return want >= UINT64_MAX ? UINT64_MAX : MAX(floor, (uint64_t) want);
}
