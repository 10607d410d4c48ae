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

#ifndef CONTROLLER_FLOW_COMPILER_H
#define CONTROLLER_FLOW_COMPILER_H 1

/* The flows and meters of one switch of the access LAN, compiled from what
 * the switch is for.
 *
 * Every switch, a host's or the substrate router's, has one bridge with an
 * uplink to the LAN, the LOCAL port (the host's own IP stack) and one port
 * per open metanet socket.  A metalink has two ends: one on its host's
 * switch, where its MPS's port is, and one on the substrate router's, where
 * the metarouter's port for it is.  Both ends compile to the same flows,
 * all in table 0:
 *
 *   priority  match                                       actions
 *   --------  ------------------------------------------  -----------------
 *   300       in_port=PORT,dl_type=0x88b5,meta_mli=MLI,   set dl_src, dl_dst,
 *             meta_mni=MNI (raw mode)                     meter:MLI, uplink
 *   300       in_port=PORT (payload mode)                 push_meta(MLI,MNI),
 *                                                         set dl_src, dl_dst,
 *                                                         meter:MLI, uplink
 *   310       in_port=PORT,dl_type=0x88b5 (payload mode)  drop (forged)
 *   100       in_port=PORT                                drop (invalid)
 *   300       in_port=UPLINK,dl_type=0x88b5,meta_mli=MLI  [pop_meta,] PORT
 *   200       in_port=UPLINK,dl_type=0x88b5               drop (unknown MLI)
 *   100       in_port=UPLINK                              LOCAL
 *   200       in_port=LOCAL,dl_type=0x88b5                drop (forged)
 *   100       in_port=LOCAL                               meter:NATIVE, uplink
 *   0         (everything else)                           drop (other)
 *
 * So from an MPS's port only its metalink's metaframes leave, through its
 * metalink's meter, addressed from this switch's MAC to the other end's:
 * the MPS can neither forge another metalink's header nor the LAN
 * addresses, and in payload mode it cannot write a header at all.  From the
 * uplink, metaframes go to the port of their MLI (a match on the MLI alone,
 * which the patched datapath serves from its simple match); the host's own
 * stack sends native traffic only, through the native meter.  Every drop
 * flow's cookie names its reason (switch-flows.h), so the switch's flow
 * statistics count drops per reason.
 *
 * A metalink whose end has no port yet compiles to nothing on that switch;
 * one that is not admitted (no rate) keeps only the drop flow of its port.
 * A metalink's meter id is its MLI; the native meter's is
 * FC_NATIVE_METER_ID, above every MLI.  A switch whose uplink is not known
 * gets only the last flow.
 *
 * flow_compile() is a pure function of its arguments. */

#include <stdbool.h>
#include <stdint.h>

#include "lib/metanet-ids.h"
#include "openvswitch/types.h"
#include "packets.h"

struct switch_flows;

/* The native meter's id: OFPM13_MAX, above every MLI (METANET_MLI_MAX). */
#define FC_NATIVE_METER_ID 0xffff0000

/* A switch. */
struct fc_switch {
    struct eth_addr mac;        /* Its address on the LAN. */
    ofp_port_t uplink;          /* OFPP_NONE if not known. */
    uint64_t native_rate;       /* Native traffic's meter, bits per second. */
    uint64_t native_burst;      /* Bits. */
};

/* One end of a metalink, on the switch being compiled. */
struct fc_end {
    uint32_t mli;
    uint32_t mni;
    bool payload;               /* Payload mode: the switch adds the header. */
    ofp_port_t port;            /* The MPS's port here, OFPP_NONE if none. */
    struct eth_addr peer_mac;   /* The other end's switch's LAN address. */
    uint64_t rate;              /* Allocated, bits per second; 0 if not
                                 * admitted. */
    uint64_t burst;             /* Bits. */
};

void flow_compile(const struct fc_switch *, const struct fc_end *, size_t n,
                  struct switch_flows *);

uint64_t fc_default_burst(uint64_t rate);

#endif /* controller/flow-compiler.h */
