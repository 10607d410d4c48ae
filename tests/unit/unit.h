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

#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H 1

/* A thin layer over CUnit's basic runner shared by the unit test programs:
 * each program lists its tests with UNIT_TEST() and calls unit_run(), which
 * runs them as one suite, prints CUnit's summary and returns the exit status
 * (0 only if every test ran and passed). */

#include <stddef.h>

struct unit_test {
    const char *name;
    void (*function)(void);
};

#define UNIT_TEST(FUNCTION) { #FUNCTION, FUNCTION }

int unit_run(const char *suite, const struct unit_test *, size_t n);

#endif /* tests/unit/unit.h */
