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

#ifndef METANET_IDS_H
#define METANET_IDS_H 1

/* The identifiers operators give the Metanet database, checked before they
 * reach it.
 *
 *   - Names of metanets and hosts: 1 to 64 bytes, none of them a space or a
 *     control character (so that they survive shells, logs and tables), and
 *     not starting with '-' (which would read as an option).
 *
 *   - Metanet identifiers (MNI): decimal integers from 1 to 4294967295 (0
 *     means "none" in the metaframe header).  Metalink identifiers (MLI):
 *     from 1 to 4294901759 (0xfffeffff): the controller gives a metalink's
 *     meter its MLI as id on every switch, OpenFlow meter ids end at
 *     0xffff0000, and that one meters native traffic.
 *
 *   - Datapath ids: exactly 16 hexadecimal digits, as OVS writes
 *     other-config:datapath-id; normalized to lowercase.
 *
 *   - MAC addresses: a unicast, nonzero Ethernet address, normalized to
 *     "xx:xx:xx:xx:xx:xx" in lowercase.
 *
 * Each function returns NULL if its input is valid, otherwise a malloc()'d
 * string that names the input and says what was expected. */

#include <stdint.h>
#include "compiler.h"

#define METANET_NAME_MAX_LEN 64
#define METANET_MNI_MAX UINT32_MAX
#define METANET_MLI_MAX 0xfffeffff

char *metanet_name_check(const char *what, const char *name)
    OVS_WARN_UNUSED_RESULT;
char *metanet_id_parse(const char *what, const char *s, uint32_t max,
                       uint32_t *id) OVS_WARN_UNUSED_RESULT;
char *metanet_dpid_parse(const char *s, char **dpid) OVS_WARN_UNUSED_RESULT;
char *metanet_mac_parse(const char *s, char **mac) OVS_WARN_UNUSED_RESULT;

#endif /* lib/metanet-ids.h */
