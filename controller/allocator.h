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

#ifndef CONTROLLER_ALLOCATOR_H
#define CONTROLLER_ALLOCATOR_H 1

/* Admission and allocation of access link capacity among metalinks.
 *
 * Every metalink crosses one or more links (a host's access link, and the
 * substrate router's), each with a capacity left for metalinks once native
 * traffic has its reservation.  A metalink asks for a guaranteed minimum
 * rate, a maximum rate and a weight, and has a demand: the rate it would
 * use if it could, as the controller estimates it from the switches'
 * statistics.
 *
 * Admission decides which metalinks get their minimum guaranteed: a
 * metalink is admitted only if, on every link it crosses, its minimum fits
 * in what the minimums of the metalinks admitted before it leave.
 * Metalinks admitted earlier are considered first, so that a metalink does
 * not lose its guarantee to a newcomer; one that no longer fits (its link's
 * capacity was lowered, or its minimum raised) loses it.
 *
 * Allocation gives every admitted metalink its minimum, and shares what the
 * minimums leave of each link among the admitted metalinks that want more,
 * weighted max-min fairly: extra rate goes to the metalink with the smallest
 * extra rate per unit of weight until it reaches its ceiling (the smaller
 * of its maximum and its demand, never below its minimum) or one of its
 * links is full.  The result never exceeds a link's capacity, gives every
 * metalink at least its minimum and at most its maximum, and is the same for
 * the same input, whatever the order of the metalinks.
 *
 * These are pure functions of their arguments, so that they can be tested
 * apart from the controller that feeds them. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most links a metalink crosses: its host's access link and its
 * substrate router's. */
#define ALLOC_MAX_PATH 2

/* A link whose capacity metalinks share. */
struct alloc_link {
    uint64_t capacity;          /* Bits per second left for metalinks. */
};

/* One metalink. */
struct alloc_metalink {
    /* Input. */
    size_t path[ALLOC_MAX_PATH]; /* Indexes of the links it crosses. */
    size_t n_path;              /* Number of elements in 'path'. */
    uint64_t min_rate;          /* Guaranteed rate, bits per second. */
    uint64_t max_rate;          /* Ceiling, bits per second (>= min_rate). */
    uint64_t demand;            /* Estimated wish, bits per second. */
    uint32_t weight;            /* Share of spare capacity, >= 1. */
    bool was_admitted;          /* Admitted by the previous admission. */

    /* Output of allocator_admit(). */
    bool admitted;
    size_t full_link;           /* If not admitted: a link it did not fit. */

    /* Output of allocator_allocate(), 0 if not admitted. */
    uint64_t rate;
};

void allocator_admit(const struct alloc_link *, size_t n_links,
                     struct alloc_metalink *, size_t n_metalinks);
void allocator_allocate(const struct alloc_link *, size_t n_links,
                        struct alloc_metalink *, size_t n_metalinks);

#endif /* controller/allocator.h */
