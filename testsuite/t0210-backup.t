#!/bin/bash
# hcctl backup FILE takes a hot copy while hcctld runs; hcctld started on the
# restored copy has the jobs.
. "$(dirname "$0")/lib/cluster.sh"
plan 6
cluster_start

ids=""
for i in 1 2 3 4 5; do
	ids="$ids $(submit_as "$HC_USER1" --hold -J held$i --wrap true)"
done
run=$(submit_as "$HC_USER1" -o /dev/null --wrap 'sleep 2')
bk=$HC_TEST_DIR/backup.mdb
ok "hcctl backup while running" hcctl backup "$bk"
ok "the copy is an LMDB file" test -s "$bk"
late=$(submit_as "$HC_USER1" --hold --wrap true)
ctld_stop
mv "$HC_TEST_DIR/state" "$HC_TEST_DIR/state.orig"
mkdir "$HC_TEST_DIR/state"
# keep the non-LMDB files of the state dir (the step key), take the data
find "$HC_TEST_DIR/state.orig" -maxdepth 1 -type f ! -name '*.mdb' \
	-exec cp -p {} "$HC_TEST_DIR/state/" \;
cp "$bk" "$HC_TEST_DIR/state/data.mdb"
ok "hcctld starts on the restored copy" ctld_restart
n=0
for id in $ids; do [ "$(job_state "$id")" = PENDING ] && n=$((n + 1)); done
is "the 5 held jobs are there" "$n" 5
like "the running job is there" "$(job_state "$run")" '^[A-Z]'
ok "new ids do not reuse the restored ones" eval \
	"nid=\$(submit_as '$HC_USER1' --hold --wrap true) && [ \"\$nid\" -gt $run ]"
diag "job $late, submitted after the backup: $(job_state "$late")"
