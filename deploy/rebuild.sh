#!/bin/sh
# The monthly rebuild of the served graph, one code for two callers: the
# Kubernetes CronJob (deploy/k8s/rebuild-cronjob.yaml) and `make rebuild`.
#
#   1. reach fetch   downloads the sources list's feeds and writes a build
#                    manifest (skipped when MANIFEST is given)
#   2. reach build   builds the candidate graph from the manifest
#   3. reach diff    compares the candidate with the served graph from the
#                    same origins; the gate trips when more than GATE % of
#                    them lose at least one reachable offer
#   4. install       on success, the candidate replaces the served graph
#                    by a rename on its volume (the servers reload it); the
#                    graph it replaces is kept as <name>.previous.graph
#
# On any failure the served graph is left untouched and the run's report
# folder keeps what was made: the build report, the diff table, its
# metadata and summary, the map, and the candidate graph when the gate
# tripped. Settings come from the environment:
#
#   MANIFEST    build manifest (reach build --manifest); when set, fetch is skipped
#   SOURCES     sources list for reach fetch (needed when MANIFEST is not set)
#   REGION      with SOURCES: the region to keep (reach fetch --region)
#   SERVED      the served graph file (default /data/region.graph)
#   WORK        working folder: downloads, candidate, reports (default ./rebuild)
#   GATE        percentage for reach diff --fail-if-loss (default 5)
#   BUILD_ARGS  extra reach build flags, split on spaces (e.g. the school
#               directory and offer lists, which fetch does not download)
#   DIFF_ARGS   extra reach diff flags, split on spaces (e.g. --cells 9)
#   REACH       the reach command (default: reach on the PATH)
#
# Exit status: 0 installed (or nothing to install), 3 the gate tripped,
# 1 any other failure, 2 bad settings.
set -eu

REACH=${REACH:-reach}
SERVED=${SERVED:-/data/region.graph}
WORK=${WORK:-./rebuild}
GATE=${GATE:-5}
MANIFEST=${MANIFEST:-}
SOURCES=${SOURCES:-}
REGION=${REGION:-}
BUILD_ARGS=${BUILD_ARGS:-}
DIFF_ARGS=${DIFF_ARGS:-}

say() { echo "rebuild: $*"; }
fail() {
	say "$1"
	[ -n "${REPORT:-}" ] && echo "failed: $1" >"$REPORT/status"
	exit "${2:-1}"
}

if [ -z "$MANIFEST" ] && [ -z "$SOURCES" ]; then
	say "set MANIFEST (a build manifest) or SOURCES (a sources list for reach fetch)"
	exit 2
fi
case $GATE in
'' | *[!0-9.]* | *.*.*)
	say "GATE=$GATE: want a percentage, e.g. 5"
	exit 2
	;;
esac

# One report folder per run, named by its start time (UTC).
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$WORK/reports"
REPORT=$WORK/reports/$STAMP
n=1
while ! mkdir "$REPORT" 2>/dev/null; do
	n=$((n + 1))
	[ "$n" -le 99 ] || fail "cannot create a report folder in $WORK/reports"
	REPORT=$WORK/reports/$STAMP-$(printf %02d "$n")
done
CANDIDATE=$WORK/candidate.graph
say "report folder $REPORT"

# 1. Fetch, unless a manifest is given.
if [ -z "$MANIFEST" ]; then
	say "fetching the sources of $SOURCES${REGION:+ (region $REGION)}"
	if [ -n "$REGION" ]; then
		"$REACH" fetch --sources "$SOURCES" --dir "$WORK/data" --region "$REGION" --report "$REPORT/fetch.json" ||
			fail "fetch failed: see $REPORT/fetch.json"
	else
		"$REACH" fetch --sources "$SOURCES" --dir "$WORK/data" --report "$REPORT/fetch.json" ||
			fail "fetch failed: see $REPORT/fetch.json"
	fi
	MANIFEST=$WORK/data/region.json
else
	say "manifest $MANIFEST given: fetch skipped"
fi

# 2. Build the candidate.
# shellcheck disable=SC2086 # BUILD_ARGS is a list of flags
"$REACH" build --manifest "$MANIFEST" $BUILD_ARGS --out "$CANDIDATE" --report "$REPORT/build.json" ||
	fail "build failed: the served graph is unchanged"

# 3. Compare with the served graph, through the gate.
if [ -f "$SERVED" ]; then
	set +e
	# shellcheck disable=SC2086 # DIFF_ARGS is a list of flags
	"$REACH" diff --old "$SERVED" --new "$CANDIDATE" --out "$REPORT/diff.csv" --map "$REPORT/diff.png" \
		--fail-if-loss "$GATE" $DIFF_ARGS >"$REPORT/diff.txt"
	status=$?
	set -e
	cat "$REPORT/diff.txt"
	case $status in
	0) ;;
	3)
		mv "$CANDIDATE" "$REPORT/candidate.graph"
		fail "gate tripped (more than $GATE % of the origins lose an offer): $SERVED kept; report, map and candidate in $REPORT" 3
		;;
	*) fail "diff failed (status $status): the served graph is unchanged" ;;
	esac
else
	say "no served graph at $SERVED: the first one is installed without a diff"
	"$REACH" inspect "$CANDIDATE" >"$REPORT/inspect.txt" || fail "the candidate graph does not load"
fi

# 4. Install: copy beside the served graph, then rename over it (atomic on
# one file system), keeping the replaced graph as *.previous.graph.
dir=$(dirname "$SERVED")
base=$(basename "$SERVED" .graph)
mkdir -p "$dir"
tmp=$dir/.$base.incoming.$$
cp "$CANDIDATE" "$tmp" || fail "cannot copy the candidate to $dir"
if [ -f "$SERVED" ]; then
	ln -f "$SERVED" "$dir/$base.previous.graph" 2>/dev/null || cp "$SERVED" "$dir/$base.previous.graph"
fi
mv -f "$tmp" "$SERVED" || {
	rm -f "$tmp"
	fail "cannot rename the candidate over $SERVED"
}
rm -f "$CANDIDATE"
echo "installed $SERVED" >"$REPORT/status"
say "installed $SERVED (previous kept as $dir/$base.previous.graph when there was one)"
