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

#ifndef METANET_DB_H
#define METANET_DB_H 1

/* Where the Metanet database is.
 *
 * Every metanet program that connects to the database (metactl, the
 * controller, the shim) finds it the same way: the remote given on its
 * command line if any, otherwise the environment variable METANET_DB,
 * otherwise the unix socket "metanet_db.sock" in Open vSwitch's run
 * directory (OVS_RUNDIR, as ovs_rundir() reports it), which is where
 * utilities/metanet-ctl starts ovsdb-server by default.
 *
 * A remote is what ovsdb-server and ovsdb-client take: "unix:FILE",
 * "tcp:IP:PORT" or "ssl:IP:PORT", or several of them separated by commas
 * for the members of a clustered database. */

#include <stddef.h>

#include "compiler.h"

#define METANET_DB_ENV "METANET_DB"
#define METANET_DB_SOCK "metanet_db.sock"

const char *metanet_default_db(void);
char *metanet_db_check(const char *remote) OVS_WARN_UNUSED_RESULT;
size_t metanet_db_n_remotes(const char *remote);

#endif /* lib/metanet-db.h */
