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
#include "lib/metanet-db.h"

#include <stdlib.h>

#include "dirs.h"
#include "ovsdb-session.h"
#include "stream.h"
#include "svec.h"
#include "util.h"
#include "uuid.h"

/* Returns the database remote to use when none is given on the command
 * line: $METANET_DB if set and nonempty, otherwise
 * "unix:$OVS_RUNDIR/metanet_db.sock". */
const char *
metanet_default_db(void)
{
    static char *def;

    if (!def) {
        const char *env = getenv(METANET_DB_ENV);
        def = (env && env[0]
               ? xstrdup(env)
               : xasprintf("unix:%s/%s", ovs_rundir(), METANET_DB_SOCK));
    }
    return def;
}

/* Checks that 'remote' is a database remote that an OVSDB client can
 * connect to: one or more comma-separated active connection methods.
 * Returns NULL if so, otherwise a malloc()'d error message. */
char *
metanet_db_check(const char *remote)
{
    struct svec remotes = SVEC_EMPTY_INITIALIZER;
    char *error = NULL;
    const char *name;
    struct uuid cid;
    size_t i;

    ovsdb_session_parse_remote(remote, &remotes, &cid);
    if (!remotes.n) {
        error = xasprintf("invalid database \"%s\": expected unix:FILE, "
                          "tcp:IP:PORT or ssl:IP:PORT, or several separated "
                          "by commas", remote);
    }
    SVEC_FOR_EACH (i, name, &remotes) {
        if (!error && stream_verify_name(name)) {
            error = xasprintf("invalid database \"%s\": \"%s\" is not "
                              "unix:FILE, tcp:IP:PORT or ssl:IP:PORT",
                              remote, name);
        }
    }
    svec_destroy(&remotes);
    return error;
}

/* Returns how many servers 'remote' names: more than one for the members
 * of a clustered database. */
size_t
metanet_db_n_remotes(const char *remote)
{
    struct svec remotes = SVEC_EMPTY_INITIALIZER;
    struct uuid cid;

    ovsdb_session_parse_remote(remote, &remotes, &cid);
    size_t n = remotes.n;
    svec_destroy(&remotes);
    return n;
}
