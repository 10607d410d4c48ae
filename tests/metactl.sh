#! /bin/sh
# Copyright (c) 2026 The metanet developers.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at:
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

# metactl against a real ovsdb-server (the patched OVS build's), started
# by metanet-ctl as a standalone database with its own --prefix, every file
# in a private directory, clients on its unix socket; needs no root.  Pins
# every domain command, the generic ones on the Metanet tables, --may-exist
# and --if-exists, atomicity of "A -- B", refusals with their exact one-line
# messages and exit status 1, rate units in and out, the output formats,
# --wait with a stand-in controller, --timeout, bad --db values, a server
# of another database and concurrent metalink-add.  (A 3-member cluster is
# tests/db/metactl-cluster.sh's.)

. "$METANET_SRCDIR/tests/db/lib.sh"
db_begin
DIR=$DB_DIR
LC_ALL=C
export LC_ALL

OVSDB=$OVS_BUILDDIR/ovsdb
SCHEMA=$METANET_SRCDIR/schemas/metanet.ovsschema
test -x "$METANET_BUILDDIR/utilities/metactl" \
    || { echo "FAIL: metactl is not built"; exit 1; }

# start_server NAME SCHEMA: an ovsdb-server for a new database from SCHEMA,
# listening on $DIR/NAME.sock.  Only for databases of another schema, which
# metanet-ctl would not serve as they are.
start_server() {
    "$OVSDB/ovsdb-tool" create "$DIR/$1.db" "$2" || return 1
    "$OVSDB/ovsdb-server" "$DIR/$1.db" --remote="punix:$DIR/$1.sock" \
        --pidfile="$DIR/$1.pid" --unixctl="$DIR/$1.ctl" \
        --log-file="$DIR/$1.log" --detach --no-chdir -vconsole:off
}

# The Metanet database, as operators run it: metanet-ctl with the files of
# instance "t-" in $DIR (db_begin's directory).  metanet-ctl creates the
# Global row; it is deleted again, so that the tests below see metactl
# create it with the first write, as it must for a database that some other
# tool made.
ctl() {
    metanet-ctl --rundir="$DIR" --logdir="$DIR" --dbdir="$DIR" --prefix=t- \
        --timeout=20 "$@"
}
ctl start-db || { echo "FAIL: metanet-ctl cannot start the database"; exit 1; }
DB=unix:$DIR/t-metanet_db.sock
PIDFILE=$DIR/t-metanet_db.pid
export METANET_DB=$DB
"$OVSDB/ovsdb-client" transact "$DB" \
    '["Metanet", {"op": "delete", "table": "Global", "where": []}]' \
    > /dev/null || { echo "FAIL: cannot empty the Global table"; exit 1; }

# column TABLE COLUMN: the values of COLUMN in every row of TABLE, sorted,
# "-" for none, as the server has them (read with ovsdb-client, not
# metactl).  (The _uuid column keeps ovsdb-client from merging equal rows.)
column() {
    "$OVSDB/ovsdb-client" -f csv -d bare --no-headings dump "$DB" Metanet \
        "$1" _uuid "$2" \
        | sed '1d; s/^[^,]*,//; s/^$/-/' | sort | tr '\n' ' ' | sed 's/ $//'
}

echo "== an empty database"
ok "metanet-list on an empty database" metanet-list
st_equal "an empty list has only headings" \
    "name mni min max limit metalinks description
---- --- --- --- ----- --------- -----------" "$out"
st_equal "reading does not create the Global row" "" "$(column Global cfg)"
ok "init creates the Global row" init
st_equal "one Global row" "0" "$(column Global cfg)"
ok "init again" init
st_equal "init is idempotent" "0" "$(column Global cfg)"

echo "== metanets"
ok "metanet-add with rates in bps" metanet-add red 5 min=1500000 max=10Mbps \
    limit=1G description="the red one" users=alice,bob groups=lab
ok "metanet-add with k and decimal M" metanet-add blue 6 min=100k max=1.5M
ok "metanet-add with only a name and MNI" metanet-add green 7
st_equal "rates reach the database in bits per second" \
    "- 100000 1500000" "$(column Metanet default_min_rate)"
st_equal "max rates in bits per second" \
    "- 10000000 1500000" "$(column Metanet default_max_rate)"
ok "get Metanet red users" get Metanet red users groups description
st_equal "users, groups and description are stored" \
    '[alice, bob]
[lab]
"the red one"' "$out"
refused "a duplicate name is refused before commit" \
    'metanet "red" already exists' metanet-add red 8
refused "a duplicate MNI is refused" \
    'MNI 5 already belongs to metanet "red"' metanet-add pink 5
ok "--may-exist with the same MNI is a no-op" --may-exist metanet-add red 5
st_equal "still three metanets" "5 6 7" "$(column Metanet mni)"
refused "--may-exist with another MNI is refused" \
    'metanet "red" already exists with MNI 5, not 9' \
    --may-exist metanet-add red 9
refused "MNI 0" 'invalid MNI "0": expected an integer from 1 to 4294967295' \
    metanet-add pink 0
refused "MNI 2^32" \
    'invalid MNI "4294967296": expected an integer from 1 to 4294967295' \
    metanet-add pink 4294967296
refused "a name with a space" \
    "invalid metanet name \"a b\": contains a space (expected 1 to 64 bytes, no spaces or control characters, not starting with '-')" \
    metanet-add "a b" 9
refused "a name with a control character" \
    "invalid metanet name \"a\\tb\": contains a control character (expected 1 to 64 bytes, no spaces or control characters, not starting with '-')" \
    metanet-add "$(printf 'a\tb')" 9
refused "min above max" 'metanet "pink": min 2 Mbps is greater than max 1 Mbps' \
    metanet-add pink 9 min=2M max=1M
refused "an unknown key" \
    'metanet-add: "color=pink" is not KEY=VALUE with KEY one of min, max, limit, description, users or groups' \
    metanet-add pink 9 color=pink
refused "a key given twice" 'metanet-add: min is given more than once' \
    metanet-add pink 9 min=1 min=2
ok "metanet-set changes and clears" metanet-set green min=2M description=g
ok "metanet-set clears with KEY=" metanet-set green min=
st_equal "cleared" "- 100000 1500000" "$(column Metanet default_min_rate)"
st_equal "still no pink" "blue green red" "$(column Metanet name)"

echo "== rates"
refused "garbage rate" \
    'min: invalid rate "fast": expected a number of bits per second such as 100000, 100k, 1.5Mbps or 2G (k=1000, M=1000000, G=1000000000)' \
    metanet-add pink 9 min=fast
refused "negative rate" 'min: invalid rate "-1M": a rate cannot be negative' \
    metanet-add pink 9 min=-1M
refused "fractional bits" \
    'min: invalid rate "1.5": not a whole number of bits per second' \
    metanet-add pink 9 min=1.5
refused "milli is not mega" \
    'min: invalid rate "5m": unknown unit "m" (expected bps, kbps, Mbps or Gbps, or just k, M or G; k is 1000)' \
    metanet-add pink 9 min=5m
refused "overflow" \
    'max: invalid rate "10000000000G": exceeds the maximum of 9223372036854775807 bps' \
    metanet-add pink 9 max=10000000000G
refused "a zero maximum" 'max: invalid rate "0": expected a rate above 0' \
    metanet-add pink 9 max=0
refused "NaN" \
    'max: invalid rate "NaN": expected a number of bits per second such as 100000, 100k, 1.5Mbps or 2G (k=1000, M=1000000, G=1000000000)' \
    metanet-add pink 9 max=NaN

echo "== hosts"
ok "host-add a substrate router" host-add r1 1G role=substrate-router \
    native=100M dpid=00000000000000A0
ok "host-add a host behind it" host-add h1 100M router=r1 native=10M \
    dpid=00000000000000a1 uplink=eth0 mac=02:00:00:00:00:01
ok "host-add a second host" host-add h2 200M router=r1
ok "host-add a host without router" host-add lone 10M
st_equal "datapath ids are lowercased" "- - 00000000000000a0 00000000000000a1" \
    "$(column Host datapath_id)"
refused "duplicate host" 'host "h1" already exists' host-add h1 1G
ok "--may-exist host-add" --may-exist host-add h1 1G
st_equal "--may-exist left h1's capacity alone" "10000000 100000000 1000000000 200000000" \
    "$(column Host capacity)"
refused "a bad datapath id" \
    'invalid datapath id "a1": expected exactly 16 hexadecimal digits' \
    host-add h3 1G dpid=a1
refused "a datapath id in use" \
    'dpid: datapath id 00000000000000a1 already belongs to host "h1"' \
    host-add h3 1G dpid=00000000000000A1
refused "a bad MAC" \
    'invalid MAC address "02:00:00:00:01": expected six hexadecimal bytes separated by colons, such as 02:00:00:00:00:01' \
    host-add h3 1G mac=02:00:00:00:01
refused "a multicast MAC" \
    'invalid MAC address "01:00:5e:00:00:01": expected a unicast, nonzero address' \
    host-add h3 1G mac=01:00:5e:00:00:01
refused "a router that is not a router" \
    'router: host "h1" is not a substrate router (give it role=substrate-router first)' \
    host-add h3 1G router=h1
refused "an unknown router" 'router: unknown host "r9"' host-add h3 1G router=r9
refused "an unknown role" \
    'role: invalid role "switch": expected host or substrate-router' \
    host-add h3 1G role=switch
refused "a zero capacity" 'capacity: invalid rate "0": expected a rate above 0' \
    host-add h3 0
refused "native above capacity" \
    'host "h3": native reservation 2 Gbps exceeds its capacity 1 Gbps' \
    host-add h3 1G native=2G
refused "a router that hosts use cannot stop being one" \
    'host "r1" must stay a substrate router: 2 hosts use it' \
    host-set r1 role=host
ok "host-set" host-set lone capacity=20M uplink=eth1
ok "host-set clears with KEY=" host-set lone uplink=
st_equal "uplinks" "- - - eth0" "$(column Host uplink)"
refused "host-set of an unknown host" 'unknown host "h9"' host-set h9 native=1M

echo "== metalinks"
ok "metalink-add picks MLI 1" metalink-add red h1 min=5M max=8M
st_equal "metalink-add prints the MLI" "1" "$out"
ok "metalink-add picks MLI 2" metalink-add blue h1 weight=5 burst=1.5M \
    mode=payload
st_equal "then 2" "2" "$out"
ok "metalink-add with mli=" metalink-add red h2 mli=10 max=1G min=0
st_equal "mli= is taken" "10" "$out"
refused "a metanet's limit bounds max" \
    'metalink 3: rate 2 Gbps exceeds metanet "red"'"'"'s limit 1 Gbps' \
    metalink-add red h2 max=2G
ok "metalink-del 2" metalink-del 2
ok "metalink-add fills the gap" metalink-add blue h2
st_equal "the lowest free MLI is reused" "2" "$out"
ok "metalink-add then goes on" metalink-add green h2
st_equal "next is 3" "3" "$out"
st_equal "MLIs in the database" "1 10 2 3" "$(column Metalink mli)"
refused "a duplicate MLI" \
    'metalink 10 already exists (metanet "red", host "h2")' \
    metalink-add red h1 mli=10
ok "--may-exist with the same metanet and host" \
    --may-exist metalink-add red h2 mli=10
st_equal "--may-exist prints the existing MLI" "10" "$out"
refused "--may-exist with another host" \
    'metalink 10 already exists (metanet "red", host "h2")' \
    --may-exist metalink-add red h1 mli=10
refused "--may-exist without mli=" \
    'metalink-add: --may-exist needs mli=N, to know which metalink may exist' \
    --may-exist metalink-add red h1
refused "unknown metanet" 'unknown metanet "pink"' metalink-add pink h1
refused "unknown host" 'unknown host "h9"' metalink-add red h9
refused "min above max" \
    'metalink 4: min 9 Mbps is greater than max 8 Mbps' \
    metalink-add red h1 min=9M max=8M
refused "min above the metanet's default max" \
    'metalink 4: min 20 Mbps is greater than max 10 Mbps (metanet default)' \
    metalink-add red h1 min=20M
refused "a weight out of range" \
    'weight: invalid weight "1001": expected an integer from 1 to 1000' \
    metalink-add red h1 weight=1001
refused "a bad mode" 'mode: invalid mode "ip": expected raw or payload' \
    metalink-add red h1 mode=ip
refused "a rate is not a burst" \
    'burst: invalid amount of data "1Mbps": unknown unit "Mbps" (expected bit, kbit, Mbit or Gbit, or just k, M or G; k is 1000)' \
    metalink-add red h1 burst=1Mbps
refused "a minimum the host cannot give" \
    'host "h1" would be oversubscribed: native 10 Mbps plus the minimums of its 2 metalinks, 95 Mbps, exceed its capacity 100 Mbps' \
    metalink-add blue h2 min=1M -- metalink-add red h1 min=10M max=10M \
    -- metalink-set 1 min=85M max=90M
refused "host-set capacity below what is promised" \
    'host "h1" would be oversubscribed: native 10 Mbps plus the minimums of its 1 metalink, 5 Mbps, exceed its capacity 14 Mbps' \
    host-set h1 capacity=14M
refused "a minimum the substrate router cannot give" \
    'substrate router "r1" would be oversubscribed: native 100 Mbps plus the minimums of its 5 metalinks, 905.1 Mbps, exceed its capacity 1 Gbps' \
    host-set h2 capacity=10G -- metalink-add red h2 min=900M max=900M
ok "metalink-set" metalink-set 1 min=6M weight=7
ok "metalink-set clears" metalink-set 1 weight=
st_equal "min changed" "- - 0 6000000" "$(column Metalink min_rate)"
refused "metalink-set of an unknown MLI" 'unknown metalink 99' \
    metalink-set 99 min=1M
refused "a bad MLI" 'invalid MLI "x": expected an integer from 1 to 4294901759' \
    metalink-del x
refused "metalink-del of an unknown MLI" 'unknown metalink 99' metalink-del 99
ok "--if-exists metalink-del" --if-exists metalink-del 99

echo "== deleting what metalinks use"
refused "a metanet with metalinks" \
    'cannot delete metanet "red": 2 metalinks use it (delete them first)' \
    metanet-del red
refused "a host with a metalink" \
    'cannot delete host "h1": 1 metalink uses it (delete them first)' \
    host-del h1
refused "a router with hosts" \
    'cannot delete host "r1": 2 hosts use it as substrate router (change or delete them first)' \
    host-del r1
refused "unknown metanet" 'unknown metanet "pink"' metanet-del pink
ok "--if-exists metanet-del" --if-exists metanet-del pink
ok "--if-exists host-del" --if-exists host-del h9
mc destroy Metanet red
st_equal "the generic destroy is refused by the server" 1 "$rc"
case $err in
    *"referential integrity violation"*) echo "ok: ... for referential integrity" ;;
    *) echo "FAIL: destroy Metanet red: $err"; st_failures=$((st_failures + 1)) ;;
esac
st_equal "red is still there" "blue green red" "$(column Metanet name)"

echo "== atomicity"
refused "a failing second command undoes the first" \
    'unknown host "h9"' metanet-add pink 9 -- metalink-add pink h9
refused "... and a failing third" \
    'invalid MNI "x": expected an integer from 1 to 4294967295' \
    host-add h3 1M -- metanet-add pink 9 -- metanet-add grey x
st_equal "no pink metanet" "blue green red" "$(column Metanet name)"
st_equal "no h3" "h1 h2 lone r1" "$(column Host name)"
ok "commands see each other's changes" metanet-add pink 9 \
    -- host-add h3 50M router=r1 -- metalink-add pink h3 min=1M \
    -- metalink-add pink h3
st_equal "both metalinks, distinct MLIs" "4
5" "$out"
ok "delete in one go" metalink-del 4 -- metalink-del 5 -- metanet-del pink \
    -- host-del h3
st_equal "all gone" "blue green red" "$(column Metanet name)"
ok "--dry-run" --dry-run metanet-add pink 9
st_equal "--dry-run writes nothing" "blue green red" "$(column Metanet name)"

echo "== output formats"
ok "metanet-list as a table" metanet-list
st_equal "table, rates human-readable" \
    "name  mni min      max      limit  metalinks description
----- --- -------- -------- ------ --------- -----------
blue  6   100 kbps 1.5 Mbps        1
green 7                            1         g
red   5   1.5 Mbps 10 Mbps  1 Gbps 2         the red one" "$out"
ok "metanet-list -f json" -f json --columns=name,min,max,metalinks metanet-list
st_equal "json, rates exact" \
    '{"data":[["blue",100000,1500000,1],["green",null,null,1],["red",1500000,10000000,2]],"headings":["name","min","max","metalinks"]}' \
    "$out"
ok "metanet-list -f csv" -f csv --columns=name,mni,max metanet-list
st_equal "csv" "name,mni,max
blue,6,1.5 Mbps
green,7,
red,5,10 Mbps" "$out"
ok "--bare" --bare --columns=name metanet-list
st_equal "bare" "blue

green

red" "$out"
ok "--no-headings" -f table --no-headings --columns=name,mni metanet-list
st_equal "no headings" "blue  6
green 7
red   5" "$out"
ok "-f list" -f list --columns=mli,host metalink-list h1
st_equal "list" "mli                 : 1
host                : h1" "$out"
ok "-f html" -f html --columns=mli metalink-list
case $out in *"<td>10</td>"*) echo "ok: html has cells" ;;
    *) echo "FAIL: html: $out"; st_failures=$((st_failures + 1)) ;; esac
refused "an unknown column" \
    'metanet-list: unknown column "colour" (expected name, mni, min, max, limit, metalinks, description)' \
    --columns=name,colour metanet-list
ok "host-list" -f csv host-list
st_equal "host-list columns" \
    "name,role,router,capacity,native,committed,metalinks,dpid,uplink,mac
h1,host,r1,100 Mbps,10 Mbps,6 Mbps,1,00000000000000a1,eth0,02:00:00:00:00:01
h2,host,r1,200 Mbps,,100 kbps,3,,,
lone,host,,20 Mbps,,0 bps,0,,,
r1,substrate-router,,1 Gbps,100 Mbps,6.1 Mbps,0,00000000000000a0,," "$out"
ok "metalink-list by host" -f csv metalink-list h1
st_equal "metalink-list columns" \
    "mli,metanet,host,min,max,weight,burst,mode,allocated,state,reason
1,red,h1,6 Mbps,8 Mbps,,,,,pending," "$out"
ok "metalink-list by metanet, json" -f json --columns=mli,max,burst \
    metalink-list red
st_equal "metalink json exact" \
    '{"data":[[1,8000000,null],[10,1000000000,null]],"headings":["mli","max","burst"]}' \
    "$out"
refused "metalink-list of nothing" '"h9" is neither a metanet nor a host' \
    metalink-list h9

echo "== show and stats, with the controller's columns filled in"
ok "the controller's view (written with generic set)" \
    set Metalink 1 allocated_rate=7000000 state=admitted \
    -- set Metalink 10 allocated_rate=0 state=rejected \
       'reason="router oversubscribed"' \
    -- set Metalink 1 statistics:tx_packets=12 statistics:tx_bytes=18000 \
    -- set Metalink 2 statistics:drops=3
ok "show" show
st_equal "show: a tree per router, hosts, metanets, metalinks" \
    "substrate router r1: capacity 1 Gbps, native 100 Mbps, committed 6.1 Mbps, dpid 00000000000000a0
    host h1: capacity 100 Mbps, native 10 Mbps, committed 6 Mbps, dpid 00000000000000a1
        metanet red (MNI 5)
            metalink 1: min 6 Mbps, max 8 Mbps, allocated 7 Mbps, admitted
    host h2: capacity 200 Mbps, native -, committed 100 kbps
        metanet blue (MNI 6)
            metalink 2: min -, max -, allocated -, pending
        metanet green (MNI 7)
            metalink 3: min -, max -, allocated -, pending
        metanet red (MNI 5)
            metalink 10: min 0 bps, max 1 Gbps, allocated 0 bps, rejected (router oversubscribed)
hosts without a substrate router
    host lone: capacity 20 Mbps, native -, committed 0 bps" "$out"
ok "stats" -f csv stats
st_equal "stats: one column per statistic" \
    "mli,metanet,host,allocated,state,drops,tx_bytes,tx_packets
1,red,h1,7 Mbps,admitted,,18000,12
2,blue,h2,,pending,3,,
3,green,h2,,pending,,,
10,red,h2,0 bps,rejected,,," "$out"
ok "stats of one host, some columns, json" -f json \
    --columns=mli,tx_packets,allocated stats host=h1
st_equal "stats json" \
    '{"data":[[1,12,7000000]],"headings":["mli","tx_packets","allocated"]}' \
    "$out"

echo "== generic commands on the Metanet tables"
ok "list by name" --columns=name,mni list Metanet red
st_equal "list" "name                : red
mni                 : 5" "$out"
ok "list by MNI" --bare --columns=name list Metanet 6
st_equal "a metanet is found by MNI too" "blue" "$out"
ok "find" --bare --columns=mli find Metalink state=admitted
st_equal "find" "1" "$out"
ok "get" get Host h1 capacity native_rate
st_equal "get" "100000000
10000000" "$out"
ok "set" set Host lone external_ids:rack=a3
ok "add" add Metanet green users carol
ok "remove" remove Metanet red users alice
ok "clear" clear Metanet red groups
ok "get after set/add/remove/clear" get Host lone external_ids:rack \
    -- get Metanet green users -- get Metanet red users groups
st_equal "what they did" 'a3
[carol]
[bob]
[]' "$out"
lone=$(metactl --bare --columns=_uuid list Host lone)
ok "create" --id=@m create Metanet name=cyan mni=11 \
    -- create Metalink metanet=@m host="$lone" mli=20
ok "destroy" destroy Metalink 20 -- destroy Metanet cyan
st_equal "created and destroyed" "blue green red" "$(column Metanet name)"
ok "get Global ." get Global . cfg
ok "wait-until a condition that holds" wait-until Metalink 1 state=admitted
(sleep 1; metactl set Metalink 2 state=admitted) &
ok "wait-until a condition that comes true" wait-until Metalink 2 \
    state=admitted
wait
mc --timeout=1 wait-until Metalink 3 state=admitted
st_equal "wait-until gives up at --timeout with status 1" 1 "$rc"
st_equal "... and says so" "metactl: timeout after 1 second waiting for the database (wait-until condition not met, or no answer)" "$err"

echo "== --wait"
controller_cfg() {
    "$OVSDB/ovsdb-client" transact "$DB" \
        "[\"Metanet\",{\"op\":\"update\",\"table\":\"Global\",\"where\":[],\"row\":{\"$1\":$2}}]" \
        > /dev/null
}
cfg_before=$(column Global cfg)
start=$(date +%s)
mc --timeout=2 --wait=controller metanet-add w1 100
end=$(date +%s)
st_equal "--wait=controller without a controller times out, status 1" 1 "$rc"
st_equal "... saying the change is committed" \
    "metactl: timeout after 2 seconds waiting for the controller to apply configuration $((cfg_before + 1)) (the change itself is committed)" \
    "$err"
st_check "... after about 2 seconds" test $((end - start)) -ge 1 -a $((end - start)) -le 4
st_equal "the change was committed" "blue green red w1" "$(column Metanet name)"
st_equal "--wait incremented Global.cfg" "$((cfg_before + 1))" "$(column Global cfg)"

(sleep 1; controller_cfg controller_cfg $((cfg_before + 2))) &
start=$(date +%s)
ok "--wait=controller returns once controller_cfg catches up" \
    --wait=controller metanet-add w2 101
end=$(date +%s)
wait
st_check "... not before the controller wrote it" test $((end - start)) -ge 1
(sleep 1; controller_cfg hosts_cfg $((cfg_before + 3))) &
ok "--wait=hosts returns once hosts_cfg catches up" \
    --wait=hosts metanet-del w2
wait
controller_cfg controller_cfg 1000
mc --timeout=2 --wait=hosts metanet-del w1
st_equal "--wait=hosts waits for hosts_cfg, not controller_cfg" 1 "$rc"
ok "sync waits even without a change" --wait=controller sync
st_equal "sync incremented cfg" "$((cfg_before + 5))" "$(column Global cfg)"
ok "a read-only command does not wait" --wait=hosts metanet-list
refused "a bad --wait" '--wait=sb: expected none, controller or hosts' \
    --wait=sb metanet-list
refused "a bad --timeout" '--timeout=soon: expected a positive number of seconds' \
    --timeout=soon metanet-list

echo "== the database"
refused "a socket with no server" \
    "unix:$DIR/none.sock: database connection failed (No such file or directory)" \
    --db="unix:$DIR/none.sock" metanet-list
refused "not a remote" \
    'invalid database "nowhere": "nowhere" is not unix:FILE, tcp:IP:PORT or ssl:IP:PORT' \
    --db=nowhere metanet-list
refused "a passive remote" \
    'invalid database "punix:/x": "punix:/x" is not unix:FILE, tcp:IP:PORT or ssl:IP:PORT' \
    --db=punix:/x metanet-list
start_server vswitch "$OVS_BUILDDIR/vswitchd/vswitch.ovsschema" \
    || { echo "FAIL: cannot start a second ovsdb-server"; exit 1; }
refused "a server with another database" \
    "unix:$DIR/vswitch.sock: no server there serves the Metanet database (another database, or no cluster leader)" \
    --db="unix:$DIR/vswitch.sock" metanet-list
# A database named Metanet, of an older schema (no Metalink.weight) and of
# one that shares only the name.
python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
s["version"] = "0.0.1"
del s["cksum"]
del s["tables"]["Metalink"]["columns"]["weight"]
json.dump(s, open(sys.argv[2] + "/old.ovsschema", "w"))
json.dump({"name": "Metanet", "version": "1.0.0",
           "tables": {"Foo": {"columns": {"x": {"type": "integer"}}}}},
          open(sys.argv[2] + "/foo.ovsschema", "w"))' "$SCHEMA" "$DIR" \
    && start_server old "$DIR/old.ovsschema" \
    && start_server foo "$DIR/foo.ovsschema" \
    || { echo "FAIL: cannot start servers of other schemas"; exit 1; }
another='the Metanet database there has another schema'
convert='(see metanet(5); restarting an older database with metanet-ctl converts it)'
refused "a Metanet database of an older schema" \
    "unix:$DIR/old.sock: $another: its Metalink table has no weight column $convert" \
    --db="unix:$DIR/old.sock" metalink-add red h1
refused "... also for reading" \
    "unix:$DIR/old.sock: $another: its Metalink table has no weight column $convert" \
    --db="unix:$DIR/old.sock" metanet-list
ok "... but not for a generic command on a complete table" \
    --db="unix:$DIR/old.sock" list Metanet
refused "... nor for one on the incomplete table" \
    "unix:$DIR/old.sock: $another: its Metalink table has no weight column $convert" \
    --db="unix:$DIR/old.sock" get Metalink 1 mli
refused "a Metanet database that shares only the name" \
    "unix:$DIR/foo.sock: $another: it has no Global table $convert" \
    --db="unix:$DIR/foo.sock" metanet-add pink 9
pid=$(cat "$PIDFILE")
kill -STOP "$pid"
start=$(date +%s)
refused "a server that does not answer, at --timeout" \
    "timeout after 1 second connecting to $DB (is its database server running, with the Metanet database?)" \
    --timeout=1 metanet-list
end=$(date +%s)
kill -CONT "$pid"
st_check "... after about 1 second" test $((end - start)) -le 3
ok "a list of remotes, one of them dead" \
    --db="unix:$DIR/none.sock,$DB" --columns=name metanet-list
ok "METANET_DB names the database" --columns=name metanet-list
mkdir "$DIR/run"
ln -s "$DIR/t-metanet_db.sock" "$DIR/run/metanet_db.sock"
(unset METANET_DB; OVS_RUNDIR=$DIR/run metactl --timeout=10 --bare \
    --columns=name metanet-list) > "$DIR/out" 2>&1
st_equal "without --db or METANET_DB, \$OVS_RUNDIR/metanet_db.sock" "blue

green

red" "$(cat "$DIR/out")"
refused "a command that does not exist" \
    'unknown command '"'"'metanet-rm'"'"'; use --help for help' metanet-rm red

echo "== concurrent metalink-add"
n=8
for i in $(seq $n); do
    (metactl --timeout=30 metalink-add green lone > "$DIR/c.$i.out" \
        2> "$DIR/c.$i.err"; echo $? > "$DIR/c.$i.rc") &
done
wait
st_equal "all $n succeed" "$n" "$(cat "$DIR"/c.*.rc | grep -c '^0$')"
st_equal "with $n distinct MLIs" "$n" \
    "$(cat "$DIR"/c.*.out | sort -u | grep -c '^[0-9][0-9]*$')"
st_equal "... that are in the database" "$((n + 4))" \
    "$(column Metalink mli | wc -w)"

st_done
