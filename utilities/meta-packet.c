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

/* meta-packet: sends and receives metaframes (and plain Ethernet frames) on
 * a Linux interface through an AF_PACKET socket.  A traffic tool for the
 * demo and the system tests; see meta-packet(8).
 *
 * "send" can pace its frames to a rate for a time; "recv" can report what
 * arrived per period, by the kernel's receive timestamps (not the time this
 * process got around to reading a frame, which on a loaded machine is
 * late and bursty), with the longest gap between two frames, so that a test
 * can measure a metalink's rate and see whether its traffic stopped. */

#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "command-line.h"
#include "lib/metanet-rate.h"
#include "metaframe.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/util.h"
#include "packets.h"
#include "timeval.h"
#include "util.h"

#define MAX_FRAME 9216

struct options {
    const char *ifname;
    struct eth_addr dst;
    struct metaframe mf;        /* Header to send, with mf.ver != 0. */
    ovs_be16 eth_type;          /* EtherType to send if 'mf.ver' is 0. */
    unsigned int count;
    unsigned int size;          /* Frame size, without FCS. */
    unsigned int interval_us;
    uint64_t rate;              /* send: bits per second, 0 for no pacing. */
    long long int duration_ns;  /* send: stop after this long, 0 for none. */
    unsigned int timeout_ms;
    unsigned int report_ms;     /* recv: period of reports, 0 for none. */
};

/* How far behind its schedule a paced sender may fall before it gives up
 * on the frames it missed: it never sends more than this much of its rate
 * at once, so that a pause of the sender (for a CPU) does not turn into a
 * burst that a meter drops. */
#define PACING_SLACK_NS (10 * 1000 * 1000LL)

/* "recv --report": what arrived in one period. */
struct rx_period {
    unsigned long long frames;
    unsigned long long bytes;
};

/* Frames received with the same key: a metaframe's (MLI, MNI, version), or
 * a plain frame's EtherType. */
struct rx_class {
    struct hmap_node node;
    bool is_meta;
    struct metaframe mf;
    ovs_be16 eth_type;
    unsigned long long n;
};

static void usage(void) OVS_NO_RETURN;

/* Set by SIGINT or SIGTERM: "send" and "recv" stop and report what they sent
 * or received. */
static volatile sig_atomic_t stop_requested;

static void
request_stop(int sig OVS_UNUSED)
{
    stop_requested = 1;
}

static unsigned int
parse_uint(const char *name, const char *s, unsigned int min, unsigned int max)
{
    unsigned long long x;

    if (!str_to_ullong(s, 0, &x) || x < min || x > max) {
        ovs_fatal(0, "%s: \"%s\" is not an integer between %u and %u",
                  name, s, min, max);
    }
    return x;
}

static int
open_socket(const char *ifname, int protocol)
{
    struct sockaddr_ll sll;
    int fd;

    fd = socket(AF_PACKET, SOCK_RAW, protocol);
    if (fd < 0) {
        ovs_fatal(errno, "socket(AF_PACKET)");
    }
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = protocol;
    sll.sll_ifindex = if_nametoindex(ifname);
    if (!sll.sll_ifindex) {
        ovs_fatal(errno, "%s: no such interface", ifname);
    }
    if (bind(fd, (struct sockaddr *) &sll, sizeof sll) < 0) {
        ovs_fatal(errno, "%s: bind", ifname);
    }
    return fd;
}

static void
get_mac(int fd, const char *ifname, struct eth_addr *mac)
{
    struct sockaddr_ll sll;
    socklen_t len = sizeof sll;

    if (getsockname(fd, (struct sockaddr *) &sll, &len) < 0
        || sll.sll_halen != ETH_ADDR_LEN) {
        ovs_fatal(errno, "%s: cannot read its MAC address", ifname);
    }
    memcpy(mac->ea, sll.sll_addr, ETH_ADDR_LEN);
}

/* Builds the frame 'opts' describes in 'frame', returning its length.  The
 * payload counts up from byte 0 so that a receiver can check it. */
static size_t
compose_frame(const struct options *opts, const struct eth_addr *src,
              uint8_t *frame)
{
    struct eth_header *eh = (struct eth_header *) frame;
    size_t ofs = ETH_HEADER_LEN;

    eh->eth_dst = opts->dst;
    eh->eth_src = *src;
    if (opts->mf.ver) {
        eh->eth_type = htons(ETH_TYPE_META);
        metaframe_put_header((struct meta_header *) (frame + ofs), &opts->mf);
        ofs += META_HEADER_LEN;
    } else {
        eh->eth_type = opts->eth_type;
    }
    for (size_t i = ofs; i < opts->size; i++) {
        frame[i] = i - ofs;
    }
    return MAX(opts->size, ofs);
}

/* Returns the time on the monotonic clock, in nanoseconds. */
static long long int
mono_nsec(void)
{
    struct timespec ts;

    xclock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
do_send(const struct options *opts)
{
    uint8_t frame[MAX_FRAME];
    long long int start, end, now, next, gap_ns = 0;
    struct sigaction sa = { .sa_handler = request_stop };
    unsigned int sent, failed = 0;
    struct eth_addr src;
    double secs;
    size_t len;
    int fd;

    fd = open_socket(opts->ifname, 0);
    get_mac(fd, opts->ifname, &src);
    len = compose_frame(opts, &src, frame);
    if (opts->rate) {
        gap_ns = MAX(len * 8 * 1000000000ULL / opts->rate, 1);
    }

    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    start = next = mono_nsec();
    end = opts->duration_ns ? start + opts->duration_ns : LLONG_MAX;
    sent = 0;
    while (sent + failed < opts->count && !stop_requested) {
        if (gap_ns) {
            now = mono_nsec();
            if (next > now) {
                xnanosleep(next - now);
                now = next;
            } else if (now - next > PACING_SLACK_NS) {
                next = now;
            }
            next += gap_ns;
        } else {
            now = (opts->duration_ns ? mono_nsec() : start);
        }
        if (now >= end) {
            break;
        }
        if (send(fd, frame, len, 0) != len) {
            if (errno != ENETDOWN && errno != ENXIO && errno != ENOBUFS
                && errno != EAGAIN) {
                ovs_fatal(errno, "%s: send", opts->ifname);
            }
            /* The link is down (its switch restarts) or its queue is
             * full: the frame is lost, as on a wire. */
            failed++;
        } else {
            sent++;
        }
        if (opts->interval_us) {
            xnanosleep(opts->interval_us * 1000LL);
        }
    }
    secs = MAX(mono_nsec() - start, 1000000) / 1e9;
    printf("sent %u frames of %"PRIuSIZE" bytes in %.3f s (%.1f Mb/s)\n",
           sent, len, secs, sent * len * 8.0 / secs / 1e6);
    if (failed) {
        printf("%u frames not sent: link down or queue full\n", failed);
    }
    close(fd);
}

static struct rx_class *
rx_class_find(struct hmap *classes, const struct rx_class *key)
{
    uint32_t hash = hash_bytes(&key->mf, sizeof key->mf, key->eth_type);
    struct rx_class *c;

    HMAP_FOR_EACH_WITH_HASH (c, node, hash, classes) {
        if (c->is_meta == key->is_meta && c->eth_type == key->eth_type
            && !memcmp(&c->mf, &key->mf, sizeof c->mf)) {
            return c;
        }
    }
    c = xmemdup(key, sizeof *key);
    hmap_insert(classes, &c->node, hash);
    return c;
}

static void
print_classes(const struct hmap *classes)
{
    const struct rx_class *c;

    HMAP_FOR_EACH (c, node, classes) {
        if (c->is_meta) {
            printf("metaframe mli=%"PRIu32" mni=%"PRIu32" np=0x%04"PRIx16
                   " flags=%"PRIu8": %llu\n",
                   ntohl(c->mf.mli), ntohl(c->mf.mni),
                   ntohs(c->mf.next_proto), c->mf.flags, c->n);
        } else {
            printf("%s eth_type=0x%04"PRIx16": %llu\n",
                   c->eth_type == htons(ETH_TYPE_META)
                   ? "malformed metaframe" : "frame",
                   ntohs(c->eth_type), c->n);
        }
    }
}

/* Reads a frame from 'fd' into 'frame' (of MAX_FRAME bytes), with the time
 * the kernel received it, in nanoseconds since the epoch, in '*when'.
 * Returns its length, or -1 if there is none or it was one this host
 * sent. */
static ssize_t
read_frame(int fd, uint8_t *frame, long long int *when)
{
    union {
        struct cmsghdr cm;
        char buf[CMSG_SPACE(sizeof(struct timespec))];
    } control;
    struct sockaddr_ll from;
    struct iovec iov = { .iov_base = frame, .iov_len = MAX_FRAME };
    struct msghdr msg = {
        .msg_name = &from, .msg_namelen = sizeof from,
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = &control, .msg_controllen = sizeof control,
    };
    struct cmsghdr *cmsg;
    ssize_t n;

    n = recvmsg(fd, &msg, MSG_DONTWAIT);
    if (n < ETH_HEADER_LEN || from.sll_pkttype == PACKET_OUTGOING) {
        return -1;
    }
    *when = time_wall_msec() * 1000000LL;
    for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        if (cmsg->cmsg_level == SOL_SOCKET
            && cmsg->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec ts;

            memcpy(&ts, CMSG_DATA(cmsg), sizeof ts);
            *when = ts.tv_sec * 1000000000LL + ts.tv_nsec;
        }
    }
    return n;
}

/* Prints what 'periods' (of 'opts->report_ms' each, 'n' of them, the first
 * starting at 'first', in ns since the epoch) counted, and the longest gap
 * between two frames, 'max_gap' ns long from 'gap_start'. */
static void
print_report(const struct options *opts, const struct rx_period *periods,
             size_t n, long long int first, long long int max_gap,
             long long int gap_start)
{
    long long int period_ns = opts->report_ms * 1000000LL;

    for (size_t i = 0; i < n; i++) {
        long long int t = first + i * period_ns;

        printf("period %lld.%06lld frames %llu bytes %llu\n",
               t / 1000000000, t % 1000000000 / 1000,
               periods[i].frames, periods[i].bytes);
    }
    if (n) {
        printf("max gap %.3f ms at %lld.%06lld\n", max_gap / 1e6,
               gap_start / 1000000000, gap_start % 1000000000 / 1000);
    }
}

/* Receives frames until 'opts->count' of them were received, the timeout
 * passes or SIGINT or SIGTERM arrives, counting them by class.  Exits with
 * status 0 if 'opts->count' frames arrived, 1 otherwise. */
static void
do_recv(const struct options *opts)
{
    struct hmap classes = HMAP_INITIALIZER(&classes);
    long long int deadline = time_msec() + opts->timeout_ms;
    struct sigaction sa = { .sa_handler = request_stop };
    long long int first = 0, last = 0, max_gap = 0, gap_start = 0;
    struct rx_period *periods = NULL;
    size_t n_periods = 0, allocated_periods = 0;
    unsigned long long total = 0;
    int rcvbuf = 8 * 1024 * 1024;
    uint8_t frame[MAX_FRAME];
    struct rx_class *c;
    int on = 1;
    int fd;

    fd = open_socket(opts->ifname, htons(ETH_P_ALL));
    /* A large receive buffer, so that a burst is not lost while this
     * process waits for a CPU. */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf)) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    }
    if (opts->report_ms
        && setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on)) {
        ovs_fatal(errno, "%s: cannot have receive timestamps", opts->ifname);
    }
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    printf("listening on %s\n", opts->ifname);
    fflush(stdout);
    while (total < opts->count && !stop_requested) {
        long long int now = time_msec();
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        struct rx_class key;
        long long int when;
        ssize_t n;

        if (now >= deadline
            || poll(&pfd, 1, MIN(deadline - now, 1000)) < 0) {
            break;
        }
        if (!(pfd.revents & POLLIN)) {
            continue;
        }
        n = read_frame(fd, frame, &when);
        if (n < 0) {
            continue;
        }

        memset(&key, 0, sizeof key);
        key.eth_type = ((struct eth_header *) frame)->eth_type;
        if (key.eth_type == htons(ETH_TYPE_META)) {
            key.is_meta = metaframe_parse(frame + ETH_HEADER_LEN,
                                          n - ETH_HEADER_LEN, &key.mf);
        }
        if (!key.is_meta && key.eth_type == htons(ETH_TYPE_IPV6)) {
            continue;           /* The kernel's own IPv6 chatter. */
        }
        rx_class_find(&classes, &key)->n++;
        total++;

        if (opts->report_ms) {
            size_t i;

            if (!first) {
                first = last = when;
            }
            if (when - last > max_gap) {
                max_gap = when - last;
                gap_start = last;
            }
            last = MAX(last, when);
            i = MAX(when - first, 0) / (opts->report_ms * 1000000LL);
            while (n_periods <= i) {
                if (n_periods >= allocated_periods) {
                    periods = x2nrealloc(periods, &allocated_periods,
                                         sizeof *periods);
                }
                memset(&periods[n_periods++], 0, sizeof *periods);
            }
            periods[i].frames++;
            periods[i].bytes += n;
        }
    }
    print_classes(&classes);
    printf("received %llu frames\n", total);
    print_report(opts, periods, n_periods, first, max_gap, gap_start);
    free(periods);

    HMAP_FOR_EACH_POP (c, node, &classes) {
        free(c);
    }
    hmap_destroy(&classes);
    close(fd);
    exit(total >= opts->count ? 0 : 1);
}

static void
parse_options(int argc, char *argv[], struct options *opts)
{
    static const struct option long_options[] = {
        {"interface", required_argument, NULL, 'i'},
        {"dst", required_argument, NULL, 'd'},
        {"mli", required_argument, NULL, 'l'},
        {"mni", required_argument, NULL, 'n'},
        {"np", required_argument, NULL, 'p'},
        {"flags", required_argument, NULL, 'f'},
        {"eth-type", required_argument, NULL, 'e'},
        {"count", required_argument, NULL, 'c'},
        {"size", required_argument, NULL, 's'},
        {"interval", required_argument, NULL, 'I'},
        {"rate", required_argument, NULL, 'r'},
        {"duration", required_argument, NULL, 'D'},
        {"timeout", required_argument, NULL, 't'},
        {"report", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(long_options);
    bool count_given = false;

    memset(opts, 0, sizeof *opts);
    opts->dst = eth_addr_broadcast;
    opts->count = 1;
    opts->size = 60;
    opts->timeout_ms = 5000;
    opts->mf.ver = META_VERSION;

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 'i':
            opts->ifname = optarg;
            break;
        case 'd':
            if (!eth_addr_from_string(optarg, &opts->dst)) {
                ovs_fatal(0, "--dst: \"%s\" is not an Ethernet address",
                          optarg);
            }
            break;
        case 'l':
            opts->mf.mli = htonl(parse_uint("--mli", optarg, 0, UINT32_MAX));
            break;
        case 'n':
            opts->mf.mni = htonl(parse_uint("--mni", optarg, 0, UINT32_MAX));
            break;
        case 'p':
            opts->mf.next_proto = htons(parse_uint("--np", optarg, 0,
                                                   UINT16_MAX));
            break;
        case 'f':
            opts->mf.flags = parse_uint("--flags", optarg, 0,
                                        META_FLAGS_MASK);
            break;
        case 'e':
            opts->eth_type = htons(parse_uint("--eth-type", optarg,
                                              ETH_TYPE_MIN, UINT16_MAX));
            opts->mf.ver = 0;
            break;
        case 'c':
            opts->count = parse_uint("--count", optarg, 0, 100000000);
            count_given = true;
            break;
        case 's':
            opts->size = parse_uint("--size", optarg, ETH_TOTAL_MIN,
                                    MAX_FRAME);
            break;
        case 'I':
            opts->interval_us = parse_uint("--interval", optarg, 0, 10000000);
            break;
        case 'r': {
            char *error = metanet_rate_parse(optarg, &opts->rate);

            if (error || !opts->rate) {
                ovs_fatal(0, "--rate: \"%s\" is not a rate above 0 (such as "
                          "10M or 500kbps)", optarg);
            }
            free(error);
            break;
        }
        case 'D': {
            double secs;

            if (!str_to_double(optarg, &secs) || secs < 0.001
                || secs > 3600) {
                ovs_fatal(0, "--duration: \"%s\" is not a number of seconds "
                          "between 0.001 and 3600", optarg);
            }
            opts->duration_ns = secs * 1e9;
            break;
        }
        case 't':
            opts->timeout_ms = parse_uint("--timeout", optarg, 1, 3600) * 1000;
            break;
        case 'R':
            opts->report_ms = parse_uint("--report", optarg, 1, 3600000);
            break;
        case 'h':
            usage();
        case '?':
            exit(EXIT_FAILURE);
        default:
            OVS_NOT_REACHED();
        }
    }
    free(short_options);
    if (opts->duration_ns && !count_given) {
        opts->count = UINT_MAX;
    }
    if (opts->rate && opts->interval_us) {
        ovs_fatal(0, "--rate and --interval cannot be used together");
    }
    if (!opts->ifname) {
        ovs_fatal(0, "--interface is required (use --help for help)");
    }
}

static void
usage(void)
{
    printf("%s: send and receive metaframes\n"
           "usage: %s send|recv --interface=IFACE [OPTIONS]\n"
           "\nsend options:\n"
           "  -d, --dst=MAC         destination (default broadcast)\n"
           "  -l, --mli=N           metalink identifier (default 0)\n"
           "  -n, --mni=N           metanet identifier (default 0)\n"
           "  -p, --np=N            next protocol (default 0)\n"
           "  -f, --flags=N         header flags, 0 to 15 (default 0)\n"
           "  -e, --eth-type=N      send plain frames of this EtherType\n"
           "  -c, --count=N         frames to send (default 1)\n"
           "  -s, --size=BYTES      frame size without FCS (default 60)\n"
           "  -I, --interval=USEC   pause between frames (default 0)\n"
           "  -r, --rate=RATE       pace frames to RATE bits/s (10M, 500k)\n"
           "  -D, --duration=SECS   stop after SECS (--count still bounds)\n"
           "\nrecv options:\n"
           "  -c, --count=N         stop after N frames (default 1)\n"
           "  -t, --timeout=SECS    give up after SECS (default 5)\n"
           "  -R, --report=MSECS    report arrivals per MSECS, and gaps\n",
           program_name, program_name);
    exit(EXIT_SUCCESS);
}

int
main(int argc, char *argv[])
{
    struct options opts;
    const char *cmd;

    set_program_name(argv[0]);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage();
    }
    cmd = argv[1];
    parse_options(argc - 1, argv + 1, &opts);
    if (!strcmp(cmd, "send")) {
        do_send(&opts);
    } else if (!strcmp(cmd, "recv")) {
        do_recv(&opts);
    } else {
        ovs_fatal(0, "unknown command \"%s\"; use send or recv", cmd);
    }
    return 0;
}
