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

/* libFuzzer target for metaframe_parse() (lib/metaframe.c in the patched
 * OVS tree), built with AddressSanitizer by "make fuzz".  The input is the
 * bytes that follow a frame's EtherType; the fuzzer copies them into a
 * buffer of exactly that size, so ASan catches any read past the end.
 * Besides memory safety it checks the parser's contract: a rejected header
 * leaves every field zero; an accepted one is exactly 12 bytes of version 1
 * that metaframe_put_header() writes back unchanged but for the reserved
 * byte. */

#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "metaframe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct metaframe zero;
    struct meta_header mh;
    struct metaframe mf;

    if (!metaframe_parse(data, size, &mf)) {
        if (memcmp(&mf, &zero, sizeof mf)) {
            abort();
        }
        if (size >= META_HEADER_LEN && data[0] >> 4 == META_VERSION) {
            abort();
        }
        return 0;
    }

    if (size < META_HEADER_LEN || mf.ver != META_VERSION) {
        abort();
    }
    metaframe_put_header(&mh, &mf);
    if (mh.ver_flags != data[0] || mh.reserved
        || memcmp((uint8_t *) &mh + 2, data + 2, META_HEADER_LEN - 2)) {
        abort();
    }
    return 0;
}
