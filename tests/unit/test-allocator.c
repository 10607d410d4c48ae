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

/* Unit tests for admission and allocation (controller/allocator.c): worked
 * examples, then properties checked on random access LANs. */

#include <config.h>

#include <CUnit/Basic.h>
#include <string.h>

#include "allocator.h"
#include "random.h"
#include "unit.h"
#include "util.h"

#define MBPS 1000000ULL
#define UNLIMITED UINT64_MAX

/* Returns a metalink on link 'host' and, unless 'router' is SIZE_MAX, on
 * link 'router'. */
static struct alloc_metalink
metalink(size_t host, size_t router, uint64_t min, uint64_t max,
         uint32_t weight, uint64_t demand)
{
    struct alloc_metalink ml = {
        .path = { host, router },
        .n_path = router == SIZE_MAX ? 1 : 2,
        .min_rate = min,
        .max_rate = max,
        .weight = weight,
        .demand = demand,
    };
    return ml;
}

static void
admit_and_allocate(const struct alloc_link *links, size_t n_links,
                   struct alloc_metalink *mls, size_t n)
{
    allocator_admit(links, n_links, mls, n);
    allocator_allocate(links, n_links, mls, n);
}

static void
test_admission_refuses_a_minimum_that_does_not_fit(void)
{
    struct alloc_link links[] = { { 100 * MBPS } };
    struct alloc_metalink mls[] = {
        metalink(0, SIZE_MAX, 60 * MBPS, 100 * MBPS, 1, 0),
        metalink(0, SIZE_MAX, 50 * MBPS, 100 * MBPS, 1, 0),
        metalink(0, SIZE_MAX, 40 * MBPS, 100 * MBPS, 1, 0),
    };

    allocator_admit(links, 1, mls, 3);
    CU_ASSERT_TRUE(mls[0].admitted);
    CU_ASSERT_FALSE(mls[1].admitted);
    CU_ASSERT_EQUAL(mls[1].full_link, 0);
    CU_ASSERT_TRUE(mls[2].admitted);
}

static void
test_admission_checks_the_router_link_too(void)
{
    /* Two hosts with room to spare; the router link holds one minimum. */
    struct alloc_link links[] = { { 100 * MBPS }, { 100 * MBPS },
                                  { 80 * MBPS } };
    struct alloc_metalink mls[] = {
        metalink(0, 2, 50 * MBPS, 100 * MBPS, 1, 0),
        metalink(1, 2, 50 * MBPS, 100 * MBPS, 1, 0),
    };

    allocator_admit(links, 3, mls, 2);
    CU_ASSERT_TRUE(mls[0].admitted);
    CU_ASSERT_FALSE(mls[1].admitted);
    CU_ASSERT_EQUAL(mls[1].full_link, 2);
}

static void
test_admission_keeps_guarantees_before_newcomers(void)
{
    struct alloc_link links[] = { { 100 * MBPS } };
    struct alloc_metalink mls[] = {
        metalink(0, SIZE_MAX, 70 * MBPS, 100 * MBPS, 1, 0),
        metalink(0, SIZE_MAX, 70 * MBPS, 100 * MBPS, 1, 0),
    };

    mls[1].was_admitted = true;
    allocator_admit(links, 1, mls, 2);
    CU_ASSERT_FALSE(mls[0].admitted);
    CU_ASSERT_TRUE(mls[1].admitted);
}

static void
test_admission_drops_a_guarantee_that_no_longer_fits(void)
{
    struct alloc_link links[] = { { 100 * MBPS } };
    struct alloc_metalink mls[] = {
        metalink(0, SIZE_MAX, 40 * MBPS, 100 * MBPS, 1, 0),
        metalink(0, SIZE_MAX, 40 * MBPS, 100 * MBPS, 1, 0),
    };

    mls[0].was_admitted = mls[1].was_admitted = true;
    links[0].capacity = 60 * MBPS;
    allocator_admit(links, 1, mls, 2);
    CU_ASSERT_TRUE(mls[0].admitted);
    CU_ASSERT_FALSE(mls[1].admitted);
}

static void
test_idle_metalinks_yield_their_spare_share_to_busy_ones(void)
{
    struct alloc_link links[] = { { 100 * MBPS } };
    struct alloc_metalink mls[] = {
        metalink(0, SIZE_MAX, 10 * MBPS, 100 * MBPS, 1, 0),
        metalink(0, SIZE_MAX, 10 * MBPS, 100 * MBPS, 1, 0),
        metalink(0, SIZE_MAX, 10 * MBPS, 100 * MBPS, 1, UNLIMITED),
    };

    admit_and_allocate(links, 1, mls, 3);
    CU_ASSERT_EQUAL(mls[0].rate, 10 * MBPS);
    CU_ASSERT_EQUAL(mls[1].rate, 10 * MBPS);
    CU_ASSERT_EQUAL(mls[2].rate, 80 * MBPS);

    /* The first wakes up: the spare is split evenly again. */
    mls[0].demand = UNLIMITED;
    admit_and_allocate(links, 1, mls, 3);
    CU_ASSERT_EQUAL(mls[0].rate, 45 * MBPS);
    CU_ASSERT_EQUAL(mls[1].rate, 10 * MBPS);
    CU_ASSERT_EQUAL(mls[2].rate, 45 * MBPS);
}

static void
test_spare_capacity_is_split_by_weight(void)
{
    struct alloc_link links[] = { { 100 * MBPS } };
    struct alloc_metalink mls[] = {
        metalink(0, SIZE_MAX, 10 * MBPS, UNLIMITED, 1, UNLIMITED),
        metalink(0, SIZE_MAX, 10 * MBPS, UNLIMITED, 3, UNLIMITED),
    };

    admit_and_allocate(links, 1, mls, 2);
    CU_ASSERT_EQUAL(mls[0].rate, 30 * MBPS);
    CU_ASSERT_EQUAL(mls[1].rate, 70 * MBPS);
}

static void
test_maximum_and_demand_cap_a_share_and_the_rest_goes_on(void)
{
    struct alloc_link links[] = { { 100 * MBPS } };
    struct alloc_metalink mls[] = {
        metalink(0, SIZE_MAX, 0, 20 * MBPS, 1, UNLIMITED),
        metalink(0, SIZE_MAX, 0, UNLIMITED, 1, 30 * MBPS),
        metalink(0, SIZE_MAX, 0, UNLIMITED, 1, UNLIMITED),
    };

    admit_and_allocate(links, 1, mls, 3);
    CU_ASSERT_EQUAL(mls[0].rate, 20 * MBPS);
    CU_ASSERT_EQUAL(mls[1].rate, 30 * MBPS);
    CU_ASSERT_EQUAL(mls[2].rate, 50 * MBPS);
}

static void
test_a_shared_router_link_is_the_bottleneck_of_some_only(void)
{
    /* Host 0 holds metalinks A and B; host 1 holds C.  A and C go to the
     * router, whose link (60) is the bottleneck for A and C; B stays local
     * to host 0's link (100) and takes what A leaves there. */
    struct alloc_link links[] = { { 100 * MBPS }, { 100 * MBPS },
                                  { 60 * MBPS } };
    struct alloc_metalink mls[] = {
        metalink(0, 2, 0, UNLIMITED, 1, UNLIMITED),
        metalink(0, SIZE_MAX, 0, UNLIMITED, 1, UNLIMITED),
        metalink(1, 2, 0, UNLIMITED, 1, UNLIMITED),
    };

    admit_and_allocate(links, 3, mls, 3);
    CU_ASSERT_EQUAL(mls[0].rate, 30 * MBPS);
    CU_ASSERT_EQUAL(mls[1].rate, 70 * MBPS);
    CU_ASSERT_EQUAL(mls[2].rate, 30 * MBPS);
}

static void
test_a_new_metalink_gets_its_minimum_at_once(void)
{
    struct alloc_link links[] = { { 100 * MBPS } };
    struct alloc_metalink mls[] = {
        metalink(0, SIZE_MAX, 10 * MBPS, UNLIMITED, 1, UNLIMITED),
        metalink(0, SIZE_MAX, 25 * MBPS, UNLIMITED, 1, 0),
    };

    admit_and_allocate(links, 1, mls, 1);
    CU_ASSERT_EQUAL(mls[0].rate, 100 * MBPS);

    mls[0].was_admitted = true;
    admit_and_allocate(links, 1, mls, 2);
    CU_ASSERT_EQUAL(mls[0].rate, 75 * MBPS);
    CU_ASSERT_EQUAL(mls[1].rate, 25 * MBPS);
}

static void
test_rejected_metalinks_get_nothing(void)
{
    struct alloc_link links[] = { { 100 * MBPS } };
    struct alloc_metalink mls[] = {
        metalink(0, SIZE_MAX, 200 * MBPS, UNLIMITED, 1, UNLIMITED),
    };

    admit_and_allocate(links, 1, mls, 1);
    CU_ASSERT_FALSE(mls[0].admitted);
    CU_ASSERT_EQUAL(mls[0].rate, 0);
}

/* Random access LANs. */

#define N_CASES 3000

struct lan {
    struct alloc_link links[9];     /* 8 hosts, then the router. */
    size_t n_links;
    struct alloc_metalink mls[40];
    size_t n;
};

static uint64_t
random_rate(uint64_t max)
{
    /* Round numbers and awkward ones, and now and then the extremes. */
    switch (random_range(8)) {
    case 0:
        return 0;
    case 1:
        return max;
    case 2:
        return random_range(max / MBPS + 1) * MBPS;
    default:
        return (((uint64_t) random_uint32() << 20 | random_uint32())
                % (max + 1));
    }
}

static void
random_lan(struct lan *lan)
{
    size_t n_hosts = 1 + random_range(8);

    lan->n_links = n_hosts + 1;
    for (size_t i = 0; i < lan->n_links; i++) {
        lan->links[i].capacity = 1 + random_rate(10000 * MBPS);
    }
    lan->n = random_range(ARRAY_SIZE(lan->mls) + 1);
    for (size_t i = 0; i < lan->n; i++) {
        uint64_t min = random_rate(2000 * MBPS);
        uint64_t max = random_range(4) ? min + random_rate(8000 * MBPS)
                                        : UNLIMITED;
        uint64_t demand = random_range(3) ? random_rate(10000 * MBPS)
                                          : UNLIMITED;

        lan->mls[i] = metalink(random_range(n_hosts),
                               random_range(4) ? n_hosts : SIZE_MAX,
                               min, max, 1 + random_range(1000), demand);
        lan->mls[i].was_admitted = random_range(2);
    }
}

static uint64_t
ceiling_of(const struct alloc_metalink *ml)
{
    return MAX(MIN(ml->demand, ml->max_rate), ml->min_rate);
}

static bool
crosses(const struct alloc_metalink *ml, size_t link)
{
    for (size_t i = 0; i < ml->n_path; i++) {
        if (ml->path[i] == link) {
            return true;
        }
    }
    return false;
}

/* Sum of the rates (or, if 'mins', the admitted minimums) on 'link'. */
static uint64_t
link_load(const struct lan *lan, size_t link, bool mins)
{
    uint64_t load = 0;

    for (size_t i = 0; i < lan->n; i++) {
        const struct alloc_metalink *ml = &lan->mls[i];

        if (ml->admitted && crosses(ml, link)) {
            load += mins ? ml->min_rate : ml->rate;
        }
    }
    return load;
}

/* Extra rate per unit of weight: what weighted max-min fairness equalizes. */
static double
level(const struct alloc_metalink *ml)
{
    return (double) (ml->rate - ml->min_rate) / ml->weight;
}

/* Whether 'link' is full within rounding: each metalink's rate is rounded
 * down, by less than 1 b/s. */
static bool
is_full(const struct lan *lan, size_t link)
{
    return link_load(lan, link, false) + lan->n >= lan->links[link].capacity;
}

static void
test_random_lans_never_exceed_a_link_and_meet_every_minimum(void)
{
    random_set_seed(1);
    for (int c = 0; c < N_CASES; c++) {
        struct lan lan;

        random_lan(&lan);
        admit_and_allocate(lan.links, lan.n_links, lan.mls, lan.n);
        for (size_t l = 0; l < lan.n_links; l++) {
            CU_ASSERT_TRUE(link_load(&lan, l, true)
                           <= lan.links[l].capacity);
            CU_ASSERT_TRUE(link_load(&lan, l, false)
                           <= lan.links[l].capacity);
        }
        for (size_t i = 0; i < lan.n; i++) {
            const struct alloc_metalink *ml = &lan.mls[i];

            if (ml->admitted) {
                CU_ASSERT_TRUE(ml->rate >= ml->min_rate);
                CU_ASSERT_TRUE(ml->rate <= ml->max_rate
                               || ml->rate == ml->min_rate);
                CU_ASSERT_TRUE(ml->rate <= ceiling_of(ml));
            } else {
                CU_ASSERT_EQUAL(ml->rate, 0);
                CU_ASSERT_TRUE(ml->full_link < lan.n_links);
            }
        }
    }
}

static void
test_random_lans_admit_whatever_fits_after_earlier_guarantees(void)
{
    random_set_seed(2);
    for (int c = 0; c < N_CASES; c++) {
        struct lan lan;

        random_lan(&lan);
        allocator_admit(lan.links, lan.n_links, lan.mls, lan.n);
        /* A rejected metalink does not fit next to the admitted ones that
         * came before it in admission order. */
        for (size_t i = 0; i < lan.n; i++) {
            const struct alloc_metalink *ml = &lan.mls[i];

            if (!ml->admitted) {
                size_t full = ml->full_link;
                uint64_t before = 0;

                for (size_t j = 0; j < lan.n; j++) {
                    const struct alloc_metalink *o = &lan.mls[j];
                    bool earlier = (o->was_admitted != ml->was_admitted
                                    ? o->was_admitted : j < i);

                    if (o->admitted && earlier && crosses(o, full)) {
                        before += o->min_rate;
                    }
                }
                CU_ASSERT_TRUE(before + ml->min_rate
                               > lan.links[full].capacity);
            }
        }
    }
}

static void
test_random_lans_are_weighted_max_min_fair(void)
{
    random_set_seed(3);
    for (int c = 0; c < N_CASES; c++) {
        struct lan lan;

        random_lan(&lan);
        admit_and_allocate(lan.links, lan.n_links, lan.mls, lan.n);

        /* A metalink below its ceiling has a full link on which no
         * metalink has a higher level: it cannot gain without taking from
         * one whose share is equal or smaller. */
        for (size_t i = 0; i < lan.n; i++) {
            const struct alloc_metalink *ml = &lan.mls[i];
            bool bottleneck = false;

            if (!ml->admitted || ml->rate + 1 >= ceiling_of(ml)) {
                continue;
            }
            for (size_t p = 0; p < ml->n_path && !bottleneck; p++) {
                size_t link = ml->path[p];

                if (!is_full(&lan, link)) {
                    continue;
                }
                bottleneck = true;
                for (size_t j = 0; j < lan.n; j++) {
                    const struct alloc_metalink *o = &lan.mls[j];

                    if (o->admitted && crosses(o, link)
                        && level(o) > level(ml) + 2.0 / o->weight
                                                + 2.0 / ml->weight) {
                        bottleneck = false;
                    }
                }
            }
            CU_ASSERT_TRUE(bottleneck);
        }
    }
}

static void
test_random_lans_allocate_the_same_twice_and_in_any_order(void)
{
    random_set_seed(4);
    for (int c = 0; c < N_CASES; c++) {
        struct lan lan, again, reversed;

        random_lan(&lan);
        for (size_t i = 0; i < lan.n; i++) {
            lan.mls[i].was_admitted = false;
        }
        admit_and_allocate(lan.links, lan.n_links, lan.mls, lan.n);

        /* Unchanged input: exactly the same rates, so no meter churns. */
        again = lan;
        allocator_allocate(again.links, again.n_links, again.mls, again.n);
        CU_ASSERT_EQUAL(memcmp(again.mls, lan.mls, sizeof lan.mls), 0);

        /* The same admitted metalinks in the reverse order: the same rates,
         * give or take the rounding of the sums. */
        reversed = lan;
        for (size_t i = 0; i < lan.n; i++) {
            reversed.mls[i] = lan.mls[lan.n - 1 - i];
        }
        allocator_allocate(reversed.links, reversed.n_links, reversed.mls,
                           reversed.n);
        for (size_t i = 0; i < lan.n; i++) {
            uint64_t a = lan.mls[i].rate;
            uint64_t b = reversed.mls[lan.n - 1 - i].rate;

            CU_ASSERT_TRUE(MAX(a, b) - MIN(a, b) <= 1);
        }
    }
}

int
main(void)
{
    static const struct unit_test tests[] = {
        UNIT_TEST(test_admission_refuses_a_minimum_that_does_not_fit),
        UNIT_TEST(test_admission_checks_the_router_link_too),
        UNIT_TEST(test_admission_keeps_guarantees_before_newcomers),
        UNIT_TEST(test_admission_drops_a_guarantee_that_no_longer_fits),
        UNIT_TEST(test_idle_metalinks_yield_their_spare_share_to_busy_ones),
        UNIT_TEST(test_spare_capacity_is_split_by_weight),
        UNIT_TEST(test_maximum_and_demand_cap_a_share_and_the_rest_goes_on),
        UNIT_TEST(test_a_shared_router_link_is_the_bottleneck_of_some_only),
        UNIT_TEST(test_a_new_metalink_gets_its_minimum_at_once),
        UNIT_TEST(test_rejected_metalinks_get_nothing),
        UNIT_TEST(
            test_random_lans_never_exceed_a_link_and_meet_every_minimum),
        UNIT_TEST(
            test_random_lans_admit_whatever_fits_after_earlier_guarantees),
        UNIT_TEST(test_random_lans_are_weighted_max_min_fair),
        UNIT_TEST(test_random_lans_allocate_the_same_twice_and_in_any_order),
    };

    return unit_run("allocator", tests, ARRAY_SIZE(tests));
}
