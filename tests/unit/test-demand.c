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

/* Unit tests for demand estimation (controller/demand.c), alone and in a
 * closed loop with the allocator, where each metalink's sender is shaped to
 * its allocation as meta-shimd shapes it. */

#include <config.h>

#include <CUnit/Basic.h>
#include <string.h>

#include "allocator.h"
#include "demand.h"
#include "unit.h"
#include "util.h"

#define MBPS 1000000ULL

/* Feeds 'd' one reading a second later at 'rate' bits per second. */
static void
feed(struct demand *d, uint64_t rate, long long int *now, uint64_t *bytes)
{
    *now += 1000;
    *bytes += rate / 8;
    demand_update(d, *bytes, *now);
}

static void
test_an_unmeasured_metalink_wants_its_minimum_or_the_floor(void)
{
    struct demand d;

    demand_init(&d);
    CU_ASSERT_EQUAL(demand_get(&d, 0, 0), DEMAND_FLOOR);
    CU_ASSERT_EQUAL(demand_get(&d, 0, 30 * MBPS), 30 * MBPS);

    /* One reading gives no rate yet. */
    demand_update(&d, 12345, 1000);
    CU_ASSERT_EQUAL(demand_get(&d, 50 * MBPS, 30 * MBPS), 30 * MBPS);
}

static void
test_a_metalink_filling_its_allocation_wants_all_it_can_get(void)
{
    long long int now = 0;
    uint64_t bytes = 0;
    struct demand d;

    demand_init(&d);
    demand_update(&d, bytes, now);
    feed(&d, 46 * MBPS, &now, &bytes);
    CU_ASSERT_EQUAL(demand_get(&d, 50 * MBPS, 0), UINT64_MAX);
    CU_ASSERT_EQUAL(demand_rate(&d), 46 * MBPS);
}

static void
test_a_metalink_below_its_allocation_wants_what_it_uses_and_room(void)
{
    long long int now = 0;
    uint64_t bytes = 0;
    struct demand d;

    demand_init(&d);
    demand_update(&d, bytes, now);
    feed(&d, 20 * MBPS, &now, &bytes);
    CU_ASSERT_EQUAL(demand_get(&d, 50 * MBPS, 0), 30 * MBPS);

    /* It stops: its share is handed on over several intervals. */
    feed(&d, 0, &now, &bytes);
    CU_ASSERT_EQUAL(demand_get(&d, 30 * MBPS, 0), 15 * MBPS);
    feed(&d, 0, &now, &bytes);
    CU_ASSERT_EQUAL(demand_get(&d, 15 * MBPS, 0), 7500000);
    for (int i = 0; i < 20; i++) {
        feed(&d, 0, &now, &bytes);
    }
    CU_ASSERT_EQUAL(demand_get(&d, 7 * MBPS, 0), DEMAND_FLOOR);
}

static void
test_a_reset_counter_starts_over_without_a_bogus_rate(void)
{
    long long int now = 0;
    uint64_t bytes = 1000000000;
    struct demand d;

    demand_init(&d);
    demand_update(&d, bytes, now);
    feed(&d, 8 * MBPS, &now, &bytes);
    CU_ASSERT_EQUAL(demand_rate(&d), 8 * MBPS);

    /* The switch restarted: its counter is small again. */
    demand_update(&d, 100, now + 1000);
    CU_ASSERT_EQUAL(demand_rate(&d), 8 * MBPS);
    demand_update(&d, 100 + MBPS / 8, now + 2000);
    CU_ASSERT_EQUAL(demand_rate(&d), MBPS);

    /* A reading that is not later than the last one is ignored. */
    demand_update(&d, 1, now + 2000);
    CU_ASSERT_EQUAL(demand_rate(&d), MBPS);
}

/* The closed loop: metalinks on one link, each offering 'offered' bits per
 * second, shaped to its allocation. */
struct loop {
    struct alloc_link link;
    struct alloc_metalink mls[3];
    struct demand demand[3];
    uint64_t bytes[3];
    uint64_t offered[3];
    long long int now;
    size_t n;
};

static void
loop_init(struct loop *l, size_t n, uint64_t capacity)
{
    memset(l, 0, sizeof *l);
    l->n = n;
    l->link.capacity = capacity;
    for (size_t i = 0; i < n; i++) {
        l->mls[i].n_path = 1;
        l->mls[i].max_rate = UINT64_MAX;
        l->mls[i].weight = 1;
        demand_init(&l->demand[i]);
        demand_update(&l->demand[i], 0, 0);
    }
}

/* One interval: every metalink sends what it offers up to its allocation,
 * then the controller estimates and allocates.  Returns true if any
 * allocation changed. */
static bool
loop_step(struct loop *l)
{
    uint64_t before[ARRAY_SIZE(l->mls)];
    bool changed = false;

    l->now += 1000;
    for (size_t i = 0; i < l->n; i++) {
        l->bytes[i] += MIN(l->offered[i], l->mls[i].rate) / 8;
        demand_update(&l->demand[i], l->bytes[i], l->now);
        l->mls[i].demand = demand_get(&l->demand[i], l->mls[i].rate,
                                      l->mls[i].min_rate);
        l->mls[i].was_admitted = l->mls[i].admitted;
        before[i] = l->mls[i].rate;
    }
    allocator_admit(&l->link, 1, l->mls, l->n);
    allocator_allocate(&l->link, 1, l->mls, l->n);
    for (size_t i = 0; i < l->n; i++) {
        changed |= l->mls[i].rate != before[i];
    }
    return changed;
}

/* Runs 'l' until it settles, at most 'limit' intervals; returns the number
 * of intervals it took, or -1. */
static int
loop_settle(struct loop *l, int limit)
{
    for (int i = 1; i <= limit; i++) {
        if (!loop_step(l)) {
            return i;
        }
    }
    return -1;
}

static void
test_an_idle_share_goes_to_the_busy_and_comes_back_on_waking(void)
{
    struct loop l;
    int steps;

    loop_init(&l, 2, 100 * MBPS);
    l.mls[0].min_rate = l.mls[1].min_rate = 10 * MBPS;
    l.offered[0] = 1000 * MBPS;          /* Greedy. */
    l.offered[1] = 0;                    /* Idle. */
    steps = loop_settle(&l, 20);
    CU_ASSERT_TRUE(steps > 0);
    CU_ASSERT_EQUAL(l.mls[0].rate, 90 * MBPS);
    CU_ASSERT_EQUAL(l.mls[1].rate, 10 * MBPS);

    /* The idle one wakes with 45 Mb/s to send: its fair half comes back. */
    l.offered[1] = 45 * MBPS;
    steps = loop_settle(&l, 20);
    /* It is given its half in the first interval: the second changes
     * nothing. */
    CU_ASSERT_EQUAL(steps, 2);
    CU_ASSERT_EQUAL(l.mls[1].rate, 50 * MBPS);
    CU_ASSERT_EQUAL(l.mls[0].rate, 50 * MBPS);

    /* Once settled, nothing changes: no meter churns. */
    for (int i = 0; i < 10; i++) {
        CU_ASSERT_FALSE(loop_step(&l));
    }
}

static void
test_a_modest_metalink_keeps_what_it_uses_beside_a_greedy(void)
{
    struct loop l;

    loop_init(&l, 2, 100 * MBPS);
    l.offered[0] = 1000 * MBPS;
    l.offered[1] = 20 * MBPS;
    CU_ASSERT_TRUE(loop_settle(&l, 30) > 0);
    /* It is never held below what it sends. */
    CU_ASSERT_TRUE(l.mls[1].rate >= 20 * MBPS);
    CU_ASSERT_EQUAL(l.mls[0].rate + l.mls[1].rate, 100 * MBPS);
}

int
main(void)
{
    static const struct unit_test tests[] = {
        UNIT_TEST(test_an_unmeasured_metalink_wants_its_minimum_or_the_floor),
        UNIT_TEST(test_a_metalink_filling_its_allocation_wants_all_it_can_get),
        UNIT_TEST(
            test_a_metalink_below_its_allocation_wants_what_it_uses_and_room),
        UNIT_TEST(test_a_reset_counter_starts_over_without_a_bogus_rate),
        UNIT_TEST(
            test_an_idle_share_goes_to_the_busy_and_comes_back_on_waking),
        UNIT_TEST(test_a_modest_metalink_keeps_what_it_uses_beside_a_greedy),
    };

    return unit_run("demand", tests, ARRAY_SIZE(tests));
}
