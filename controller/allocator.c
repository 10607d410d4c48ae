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

#include "allocator.h"

#include <math.h>
#include <string.h>

#include "util.h"

/* Returns true if 'ml' fits in 'room', what the minimums already admitted
 * leave of each link; if it does not, stores in 'ml->full_link' the first
 * link it does not fit. */
static bool
fits(const uint64_t *room, struct alloc_metalink *ml)
{
    for (size_t i = 0; i < ml->n_path; i++) {
        if (room[ml->path[i]] < ml->min_rate) {
            ml->full_link = ml->path[i];
            return false;
        }
    }
    return true;
}

static void
admit(uint64_t *room, struct alloc_metalink *ml)
{
    for (size_t i = 0; i < ml->n_path; i++) {
        room[ml->path[i]] -= ml->min_rate;
    }
    ml->admitted = true;
    ml->full_link = SIZE_MAX;
}

/* Decides which of the 'n_metalinks' metalinks in 'mls' are admitted on
 * the 'n_links' links in 'links', and sets their 'admitted' and
 * 'full_link' members.  The metalinks whose 'was_admitted' is true are
 * considered first, then the others, each group in the order given. */
void
allocator_admit(const struct alloc_link *links, size_t n_links,
                struct alloc_metalink *mls, size_t n_metalinks)
{
    uint64_t *room = xmalloc(n_links * sizeof *room);

    for (size_t i = 0; i < n_links; i++) {
        room[i] = links[i].capacity;
    }
    for (int pass = 0; pass < 2; pass++) {
        bool previously = pass == 0;

        for (size_t i = 0; i < n_metalinks; i++) {
            struct alloc_metalink *ml = &mls[i];

            if (ml->was_admitted != previously) {
                continue;
            }
            ml->admitted = false;
            if (fits(room, ml)) {
                admit(room, ml);
            }
        }
    }
    free(room);
}

/* The ceiling of 'ml': the most it can be given. */
static uint64_t
ceiling(const struct alloc_metalink *ml)
{
    uint64_t wish = MIN(ml->demand, ml->max_rate);

    return MAX(wish, ml->min_rate);
}

/* Relative tolerance of the water filling's floating-point arithmetic. */
#define EPSILON 1e-9

/* Gives each of the 'n_metalinks' metalinks in 'mls' that allocator_admit()
 * admitted its 'rate': its minimum plus a weighted max-min fair share of
 * what the minimums leave of the 'n_links' links in 'links'.  Metalinks
 * that are not admitted get 0.  The admitted metalinks' minimums must fit
 * the links, as allocator_admit() ensures.
 *
 * The shares come from progressive filling: every metalink that is not yet
 * frozen gets extra rate in proportion to its weight, until one reaches its
 * ceiling or one link is full, which freezes that metalink or every
 * metalink that crosses that link; and so on until all are frozen.  Each
 * round freezes at least one metalink or fills at least one link. */
void
allocator_allocate(const struct alloc_link *links, size_t n_links,
                   struct alloc_metalink *mls, size_t n_metalinks)
{
    double *room = xmalloc(n_links * sizeof *room);
    double *weights = xmalloc(n_links * sizeof *weights);
    double *extra = xcalloc(n_metalinks, sizeof *extra);
    bool *active = xmalloc(n_metalinks * sizeof *active);
    size_t n_active = 0;

    for (size_t i = 0; i < n_links; i++) {
        room[i] = links[i].capacity;
    }
    for (size_t i = 0; i < n_metalinks; i++) {
        const struct alloc_metalink *ml = &mls[i];

        active[i] = ml->admitted && ceiling(ml) > ml->min_rate;
        n_active += active[i];
        if (ml->admitted) {
            for (size_t j = 0; j < ml->n_path; j++) {
                room[ml->path[j]] -= ml->min_rate;
            }
        }
    }

    /* Each round freezes a metalink or fills a link; the bound only guards
     * against floating-point surprises. */
    for (size_t round = 0; n_active && round <= n_metalinks + n_links;
         round++) {
        /* The largest step of the water level (extra rate per unit of
         * weight) that no link and no ceiling stops. */
        memset(weights, 0, n_links * sizeof *weights);
        double step = INFINITY;
        for (size_t i = 0; i < n_metalinks; i++) {
            if (active[i]) {
                const struct alloc_metalink *ml = &mls[i];
                double left = ceiling(ml) - ml->min_rate - extra[i];

                step = MIN(step, left / ml->weight);
                for (size_t j = 0; j < ml->n_path; j++) {
                    weights[ml->path[j]] += ml->weight;
                }
            }
        }
        for (size_t i = 0; i < n_links; i++) {
            if (weights[i]) {
                step = MIN(step, MAX(room[i], 0) / weights[i]);
            }
        }

        /* Take the step, then freeze the metalinks that reached their
         * ceiling and those that cross a link that is now full. */
        for (size_t i = 0; i < n_links; i++) {
            room[i] -= step * weights[i];
        }
        for (size_t i = 0; i < n_metalinks; i++) {
            if (active[i]) {
                const struct alloc_metalink *ml = &mls[i];
                double cap = ceiling(ml) - ml->min_rate;
                bool frozen;

                extra[i] += step * ml->weight;
                frozen = extra[i] >= cap * (1 - EPSILON);
                for (size_t j = 0; j < ml->n_path && !frozen; j++) {
                    size_t link = ml->path[j];

                    frozen = room[link] <= links[link].capacity * EPSILON;
                }
                if (frozen) {
                    active[i] = false;
                    n_active--;
                }
            }
        }
    }

    for (size_t i = 0; i < n_metalinks; i++) {
        struct alloc_metalink *ml = &mls[i];

        if (ml->admitted) {
            /* Rounded down ('extra' is not negative), so that rounding
             * never pushes a link over its capacity. */
            uint64_t rate = ml->min_rate + (uint64_t) extra[i];

            ml->rate = MIN(rate, ceiling(ml));
        } else {
            ml->rate = 0;
        }
    }

    free(active);
    free(extra);
    free(weights);
    free(room);
}
