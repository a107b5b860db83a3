#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# models.sh -- the table models' figures, compared in one run (hyperfine).
#
#   bench/models.sh                       the full run
#   NROWS=1000000 SMALL=1000 BIG_MB=0 RUNS=1 bench/models.sh   a quick run
#
# 1. The NROWS-row id,name,age file (bench/gen.c narrow) into a DUPLICATE
#    KEY(id) table and into a UNIQUE KEY(id) table, the same hyperfine run:
#    the UNIQUE rate as a share of the DUPLICATE rate; then the same file a
#    second time into the loaded UNIQUE table (every key updated); then the
#    same rows shuffled into both tables (the UNIQUE load sorts them in its
#    memtable; ascending keys stream into their segments unsorted).
# 2. SMALL one-row loads into a UNIQUE table (automatic compaction on, as
#    sl.conf's default), then `select count(*)` and a point lookup by key,
#    each timed by hyperfine (process start included).
# 3. sl-compact of the NROWS table loaded twice (shuffled, then in order):
#    rows/s, peak RSS.
# 4. Peak RSS of every stage of the explicit pipeline and of sl-compact on
#    a BIG_MB input into a UNIQUE table (BIG_MB=0 skips it).
#
# Targets (issue: 2 cores): UNIQUE >= 70% of DUPLICATE, both loads;
# count(*) < 50 ms, point lookup < 10 ms; compaction >= 5 M rows/s; every
# stage and sl-compact <= 64 MiB peak RSS on a 10 GB input.
#
# Environment: NROWS (10000000), SMALL (10000), BIG_MB (10240), RUNS (3),
# BENCH_DIR (build/bench), SL_BIN (bin/), CC. Not part of `make test`.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${SL_BIN:-$root/bin}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
NROWS=${NROWS:-10000000}
SMALL=${SMALL:-10000}
BIG_MB=${BIG_MB:-10240}
RUNS=${RUNS:-3}
work=${BENCH_DIR:-$root/build/bench}
CC=${CC:-cc}

die() { echo "models.sh: fatal: $*" >&2; exit 111; }

for p in sl-load sl-sql sl-parse sl-map sl-filter sl-txn sl-commit sl-compact; do
	[ -x "$bin/$p" ] || die "$bin/$p is missing: run make first"
done
command -v hyperfine > /dev/null || die "hyperfine is missing: make deps (or apt-get install hyperfine)"

mkdir -p "$work"
work=$(cd "$work" && pwd)
$CC -O2 -o "$work/gen" "$here/gen.c" || die "cannot build bench/gen.c"
$CC -O2 -o "$work/maxrss" "$here/maxrss.c" || die "cannot build bench/maxrss.c"
narrow=$work/people-$NROWS.csv
if [ ! -s "$narrow" ]; then
	echo "generating $narrow"
	"$work/gen" narrow "$NROWS" > "$narrow.tmp" && mv "$narrow.tmp" "$narrow"
fi
# the same rows in a random order (a UNIQUE load of them sorts in sl-txn's
# memtable; the ascending file streams into its segments unsorted)
shuffled=$work/people-$NROWS-shuffled.csv
if [ ! -s "$shuffled" ]; then
	echo "generating $shuffled"
	shuf --random-source="$narrow" "$narrow" > "$shuffled.tmp" && mv "$shuffled.tmp" "$shuffled"
fi
summary=$work/models-summary.txt
: > "$summary"
say() { echo "$*" | tee -a "$summary"; }

data=$work/models-data
sql() { "$bin/sl-sql" --data-dir "$data" "$@"; }
# models-reset.sh [THRESHOLD]: a fresh data directory with both tables;
# sl.conf's compaction_segment_threshold set to THRESHOLD when given (the
# load figures run with 0, so that no compaction started by one run's load
# runs under the next run's timing)
# ... and the same two models RANGE-partitioned by id into ten partitions
# of equal width (the ascending file fills them one after the other; the
# shuffled one interleaves all ten)
parts=$(awk -v n="$NROWS" 'BEGIN { printf "PARTITION BY RANGE(id) ("
	for (k = 1; k < 10; k++) printf "PARTITION p%d VALUES LESS THAN (\\\"%d\\\"), ", k, int(n / 10 * k) + 1
	printf "PARTITION p10 VALUES LESS THAN MAXVALUE)" }')
cat > "$work/models-reset.sh" <<EOF
#!/bin/sh
rm -rf '$data' && mkdir -p '$data' && { [ -z "\$1" ] || echo "compaction_segment_threshold = \$1" > '$data/sl.conf'; } &&
'$bin/sl-sql' --data-dir '$data' -e "CREATE DATABASE bench;
CREATE TABLE bench.dup (id BIGINT NOT NULL, name VARCHAR(32), age INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1;
CREATE TABLE bench.uniq (id BIGINT NOT NULL, name VARCHAR(32), age INT) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1;
CREATE TABLE bench.dupp (id BIGINT NOT NULL, name VARCHAR(32), age INT) DUPLICATE KEY(id) $parts DISTRIBUTED BY HASH(id) BUCKETS 1;
CREATE TABLE bench.uniqp (id BIGINT NOT NULL, name VARCHAR(32), age INT) UNIQUE KEY(id) $parts DISTRIBUTED BY HASH(id) BUCKETS 1;" > /dev/null
EOF
chmod +x "$work/models-reset.sh"
mean_of() { awk -F, -v c="$2" 'NR > 1 && $1 == c { print $2 }' "$1"; }

# 1. DUPLICATE vs UNIQUE, first load and reload, one hyperfine run
load() { echo "'$bin/sl-load' --data-dir '$data' -H column_separator:, -T '${2:-$narrow}' bench.$1 > /dev/null"; }
hyperfine --runs "$RUNS" --export-csv "$work/models-load.csv" \
	--prepare "$work/models-reset.sh 0" -n dup "$(load dup)" \
	--prepare "$work/models-reset.sh 0" -n uniq "$(load uniq)" \
	--prepare "$work/models-reset.sh 0 && $(load uniq)" -n uniq-again "$(load uniq)" \
	--prepare "$work/models-reset.sh 0" -n dup-shuffled "$(load dup "$shuffled")" \
	--prepare "$work/models-reset.sh 0" -n uniq-shuffled "$(load uniq "$shuffled")" \
	--prepare "$work/models-reset.sh 0" -n dup-part "$(load dupp)" \
	--prepare "$work/models-reset.sh 0" -n uniq-part "$(load uniqp)" \
	--prepare "$work/models-reset.sh 0" -n dup-part-shuffled "$(load dupp "$shuffled")" \
	--prepare "$work/models-reset.sh 0" -n uniq-part-shuffled "$(load uniqp "$shuffled")" >&2 ||
	die "hyperfine of the loads failed (try: $(load uniq))"
n=$(sql -N -B -e "select count(*) from bench.uniqp")
[ "$n" = "$NROWS" ] || die "the partitioned UNIQUE table has $n rows after its load, not $NROWS"
d=$(mean_of "$work/models-load.csv" dup)
u=$(mean_of "$work/models-load.csv" uniq)
a=$(mean_of "$work/models-load.csv" uniq-again)
ds=$(mean_of "$work/models-load.csv" dup-shuffled)
us=$(mean_of "$work/models-load.csv" uniq-shuffled)
awk -v d="$d" -v u="$u" -v a="$a" -v ds="$ds" -v us="$us" -v r="$NROWS" 'BEGIN {
	printf "load %d rows: DUPLICATE %.3f s (%.2f M rows/s)\n", r, d, r / d / 1e6
	printf "load %d rows: UNIQUE    %.3f s (%.2f M rows/s) = %.0f%% of DUPLICATE (target >= 70%%)\n", r, u, r / u / 1e6, 100 * d / u
	printf "reload (every key updated): %.3f s (%.2f M rows/s) = %.0f%% of DUPLICATE (target >= 70%%)\n", a, r / a / 1e6, 100 * d / a
	printf "shuffled rows: DUPLICATE %.3f s, UNIQUE %.3f s (%.2f M rows/s) = %.0f%% of DUPLICATE\n", ds, us, r / us / 1e6, 100 * ds / us
}' | tee -a "$summary"
awk -v d="$d" -v u="$u" -v ds="$ds" -v us="$us" -v r="$NROWS" \
	-v pd="$(mean_of "$work/models-load.csv" dup-part)" -v pu="$(mean_of "$work/models-load.csv" uniq-part)" \
	-v pds="$(mean_of "$work/models-load.csv" dup-part-shuffled)" \
	-v pus="$(mean_of "$work/models-load.csv" uniq-part-shuffled)" 'BEGIN {
	printf "ten RANGE partitions: DUPLICATE %.3f s = %.0f%% of unpartitioned, UNIQUE %.3f s = %.0f%%\n", pd, 100 * d / pd, pu, 100 * u / pu
	printf "ten RANGE partitions, shuffled rows: DUPLICATE %.3f s = %.0f%% of unpartitioned, UNIQUE %.3f s = %.0f%%\n", pds, 100 * ds / pds, pus, 100 * us / pus
}' | tee -a "$summary"

# 3. compaction of a table loaded twice (shuffled, then ascending: every
# key updated; automatic compaction off): its segments folded into one
"$work/models-reset.sh" 0
sh -c "$(load uniq "$shuffled")" && sh -c "$(load uniq)" || die "the loads before sl-compact failed"
segs=$(find "$data/bench/uniq/data" -name '*.rs' | wc -l)
: > "$work/compact.rss"
"$work/maxrss" "$work/compact.rss" "$bin/sl-compact" --data-dir "$data" bench.uniq > "$work/compact.out" ||
	die "sl-compact bench.uniq failed"
cat "$work/compact.out"
awk -v r="$NROWS" -v s="$segs" '{ printf "sl-compact: %d segments, %d rows in (two loads), %d out, in %.3f s = %.2f M rows/s in (target >= 5), peak RSS %.1f MiB\n",
	s, 2 * r, r, $3 / 1000, 2 * r / ($3 / 1000) / 1e6, $2 / 1024 }' "$work/compact.rss" | tee -a "$summary"
n=$(sql -N -B -e "select count(*) from bench.uniq")
[ "$n" = "$NROWS" ] || die "the UNIQUE table has $n rows after sl-compact, not $NROWS"

# 2. many one-row loads (sl.conf's defaults: automatic compaction on),
# then count(*) and a point lookup
"$work/models-reset.sh"
i=1
while [ "$i" -le "$SMALL" ]; do
	echo "$i,name$i,$((i % 100))" | "$bin/sl-load" --data-dir "$data" -H column_separator:, -T - bench.uniq > /dev/null ||
		die "one-row load $i failed"
	i=$((i + 1))
done
segs=$(find "$data/bench/uniq/data" -name '*.rs' | wc -l)
hyperfine --runs 20 --warmup 2 --export-csv "$work/models-small.csv" \
	-n count "'$bin/sl-sql' --data-dir '$data' -N -B -e 'select count(*) from bench.uniq'" \
	-n point "'$bin/sl-sql' --data-dir '$data' -N -B -e 'select * from bench.uniq where id = $((SMALL / 2))'" >&2
n=$(sql -N -B -e "select count(*) from bench.uniq")
[ "$n" = "$SMALL" ] || die "$SMALL one-row loads left $n rows"
awk -v c="$(mean_of "$work/models-small.csv" count)" -v p="$(mean_of "$work/models-small.csv" point)" \
	-v n="$SMALL" -v s="$segs" 'BEGIN {
	printf "%d one-row loads -> %d segment files; select count(*) %.1f ms (target < 50), point lookup %.1f ms (target < 10)\n",
		n, s, c * 1000, p * 1000 }' | tee -a "$summary"

# 4. peak RSS on a big input
if [ "$BIG_MB" -gt 0 ]; then
	big=$work/people-${BIG_MB}MB.csv
	if [ ! -s "$big" ]; then
		echo "generating $big"
		"$work/gen" narrow $((BIG_MB * 1024 * 1024 / 24)) | head -c $((BIG_MB * 1024 * 1024)) |
			sed '$d' > "$big.tmp" && mv "$big.tmp" "$big"
	fi
	"$work/models-reset.sh" 0
	rss=$work/models-big.rss
	: > "$rss"
	m="$work/maxrss $rss"
	$m "$bin/sl-parse" --data-dir "$data" -H "column_separator:," < "$big" \
		| $m "$bin/sl-map" --data-dir "$data" bench.uniq \
		| $m "$bin/sl-filter" --data-dir "$data" \
		| $m "$bin/sl-txn" --data-dir "$data" bench.uniq \
		| $m "$bin/sl-commit" --data-dir "$data" > "$work/models-big.json" ||
		die "the big pipeline failed: $(cat "$work/models-big.json")"
	grep -q '"Status": "Success"' "$work/models-big.json" || die "the big load failed: $(cat "$work/models-big.json")"
	$m "$bin/sl-compact" --data-dir "$data" bench.uniq > /dev/null || die "sl-compact of the big table failed"
	awk -v mb="$BIG_MB" '{ printf "%d MB into UNIQUE: %-10s peak RSS %6.1f MiB  wall %7.2f s\n", mb, $1, $2 / 1024, $3 / 1000
		if ($2 > 65536) over = over " " $1 }
		END { if (over != "") printf "over 64 MiB:%s\n", over }' "$rss" | tee -a "$summary"
fi
echo
say "== summary ($(nproc) cores)"
cat "$summary"
