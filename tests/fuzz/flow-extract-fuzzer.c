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

/* libFuzzer target for the switch's metaframe parsing as the datapath does
 * it: flow_extract() (miniflow_extract()) on a frame with EtherType 0x88b5,
 * then the flow's conversion to a datapath flow key and back, as dpif-netdev
 * and ofproto-dpif do for every new flow.  "make fuzz" builds it with
 * AddressSanitizer against an instrumented libopenvswitch (ovs-fuzz/).
 *
 * The frame is the input after an Ethernet header (and an 802.1Q tag when the
 * input's first byte is odd), so that every input exercises the metaframe
 * parser.  Besides memory safety it checks:
 *
 *   - a frame is a valid metaframe (meta_ver 1) exactly when at least 12
 *     bytes follow the EtherType and the version nibble is 1, and then the
 *     flow holds exactly the header's fields;
 *   - otherwise every metaframe field is zero;
 *   - the datapath flow key carries the same metaframe fields back. */

#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "dp-packet.h"
#include "flow.h"
#include "metaframe.h"
#include "odp-util.h"
#include "openvswitch/ofpbuf.h"
#include "packets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
    if (!ok) {
        abort();
    }
}

static void
check_key_round_trip(const struct flow *flow)
{
    struct odp_flow_key_parms parms = {
        .flow = flow,
        .mask = flow,
        .support = {
            .max_vlan_headers = 2,
            .max_mpls_depth = 3,
        },
    };
    struct flow back;
    struct ofpbuf key;

    ofpbuf_init(&key, 0);
    odp_flow_key_from_flow(&parms, &key);
    check(odp_flow_key_to_flow(key.data, key.size, &back, NULL)
          != ODP_FIT_ERROR);
    check(back.dl_type == flow->dl_type);
    check(back.meta_ver == flow->meta_ver);
    check(back.meta_flags == flow->meta_flags);
    check(back.meta_np == flow->meta_np);
    check(back.meta_mli == flow->meta_mli);
    check(back.meta_mni == flow->meta_mni);
    ofpbuf_uninit(&key);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t l2[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff,     /* Destination. */
        0x00, 0x00, 0x5e, 0x00, 0x53, 0x01,     /* Source. */
    };
    static const uint8_t vlan[] = { 0x81, 0x00, 0x00, 0x0a };
    static const uint8_t meta_type[] = { 0x88, 0xb5 };
    struct dp_packet packet;
    const uint8_t *hdr;
    struct flow flow;
    uint8_t *frame;
    size_t hdr_len;
    size_t ofs;

    if (!size) {
        return 0;
    }
    hdr = data + 1;
    hdr_len = size - 1;

    /* The frame fills its allocation exactly, so that AddressSanitizer sees
     * any read past its end. */
    frame = xmalloc(sizeof l2 + sizeof vlan + sizeof meta_type + hdr_len);
    memcpy(frame, l2, sizeof l2);
    ofs = sizeof l2;
    if (data[0] & 1) {
        memcpy(frame + ofs, vlan, sizeof vlan);
        ofs += sizeof vlan;
    }
    memcpy(frame + ofs, meta_type, sizeof meta_type);
    ofs += sizeof meta_type;
    memcpy(frame + ofs, hdr, hdr_len);
    dp_packet_use_const(&packet, frame, ofs + hdr_len);

    flow_extract(&packet, &flow);
    check(flow.dl_type == htons(ETH_TYPE_META));
    if (hdr_len >= META_HEADER_LEN && hdr[0] >> 4 == META_VERSION) {
        check(flow.meta_ver == META_VERSION);
        check(flow.meta_flags == (hdr[0] & META_FLAGS_MASK));
        check(!memcmp(&flow.meta_np, hdr + 2, 2));
        check(!memcmp(&flow.meta_mli, hdr + 4, 4));
        check(!memcmp(&flow.meta_mni, hdr + 8, 4));
    } else {
        check(!flow.meta_ver && !flow.meta_flags && !flow.meta_np
              && !flow.meta_mli && !flow.meta_mni);
    }
    check_key_round_trip(&flow);

    dp_packet_uninit(&packet);
    free(frame);
    return 0;
}
