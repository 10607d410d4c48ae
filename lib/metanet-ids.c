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
#include "lib/metanet-ids.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "packets.h"
#include "util.h"

/* Checks that 'name' is acceptable as the name of a metanet or host.  'what'
 * names the kind of object in the error message, e.g. "metanet". */
char *
metanet_name_check(const char *what, const char *name)
{
    size_t len = strlen(name);
    const char *problem = NULL;

    for (const char *p = name; *p && !problem; p++) {
        unsigned char c = *p;
        if (c == ' ') {
            problem = "contains a space";
        } else if (c < ' ' || c == 0x7f) {
            problem = "contains a control character";
        }
    }
    if (!len) {
        problem = "is empty";
    } else if (!problem && len > METANET_NAME_MAX_LEN) {
        problem = "is too long";
    } else if (!problem && name[0] == '-') {
        problem = "starts with '-'";
    }
    if (!problem) {
        return NULL;
    }

    /* The name is quoted as a JSON string, so that whatever it contains
     * shows up legibly on one line. */
    struct ds quoted = DS_EMPTY_INITIALIZER;
    json_string_escape(name, &quoted);
    char *error = xasprintf("invalid %s name %s: %s (expected 1 to %d "
                            "bytes, no spaces or control characters, not "
                            "starting with '-')", what, ds_cstr(&quoted),
                            problem, METANET_NAME_MAX_LEN);
    ds_destroy(&quoted);
    return error;
}

/* Parses 's' as an MNI or MLI (named 'what' in errors, e.g. "MLI") into
 * '*id': a decimal integer from 1 to 'max' (METANET_MNI_MAX or
 * METANET_MLI_MAX). */
char *
metanet_id_parse(const char *what, const char *s, uint32_t max, uint32_t *id)
{
    unsigned long long int value;
    char *end;

    *id = 0;
    if (!isdigit((unsigned char) s[0])) {
        goto error;
    }
    errno = 0;
    value = strtoull(s, &end, 10);
    if (errno || *end || !value || value > max) {
        goto error;
    }
    *id = value;
    return NULL;

error:
    return xasprintf("invalid %s \"%s\": expected an integer from 1 to "
                     "%"PRIu32, what, s, max);
}

/* Parses 's' as a datapath id (16 hexadecimal digits) and stores it, in
 * lowercase, in a malloc()'d string in '*dpid' (NULL on error). */
char *
metanet_dpid_parse(const char *s, char **dpid)
{
    *dpid = NULL;
    if (strlen(s) != 16 || strspn(s, "0123456789abcdefABCDEF") != 16) {
        return xasprintf("invalid datapath id \"%s\": expected exactly 16 "
                         "hexadecimal digits", s);
    }
    *dpid = xstrdup(s);
    for (char *p = *dpid; *p; p++) {
        *p = tolower((unsigned char) *p);
    }
    return NULL;
}

/* Parses 's' as the MAC address of a host's uplink and stores it, as
 * "xx:xx:xx:xx:xx:xx", in a malloc()'d string in '*mac' (NULL on error). */
char *
metanet_mac_parse(const char *s, char **mac)
{
    struct eth_addr ea;

    *mac = NULL;
    if (!eth_addr_from_string(s, &ea)) {
        return xasprintf("invalid MAC address \"%s\": expected six "
                         "hexadecimal bytes separated by colons, such as "
                         "02:00:00:00:00:01", s);
    }
    if (eth_addr_is_multicast(ea) || eth_addr_is_zero(ea)) {
        return xasprintf("invalid MAC address \"%s\": expected a unicast, "
                         "nonzero address", s);
    }
    *mac = xasprintf(ETH_ADDR_FMT, ETH_ADDR_ARGS(ea));
    return NULL;
}
