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
#include "unit.h"

#include <CUnit/Basic.h>
#include <stdio.h>

/* Runs the 'n' tests in 'tests' as the CUnit suite 'suite'.  Returns 0 if
 * all of them passed, 1 otherwise. */
int
unit_run(const char *suite_name, const struct unit_test *tests, size_t n)
{
    unsigned int failed;
    CU_pSuite suite;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "%s\n", CU_get_error_msg());
        return 1;
    }
    suite = CU_add_suite(suite_name, NULL, NULL);
    for (size_t i = 0; suite && i < n; i++) {
        if (!CU_add_test(suite, tests[i].name, tests[i].function)) {
            suite = NULL;
        }
    }
    if (!suite) {
        fprintf(stderr, "%s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 1;
    }

    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_tests_failed();
    if (CU_get_number_of_tests_run() != n) {
        failed++;
    }
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
