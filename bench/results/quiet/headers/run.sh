#!/usr/bin/env bash
# Instructions per request of a raw Node http server that does not read headers (none), reads
# req.headers.authorization (headers: Node materialises the whole header object), or finds it in
# req.rawHeaders (raw). 3,000 uninstrumented requests, then 1,000 counted. Run from this folder.
set -euo pipefail
run() {
  valgrind -q --tool=callgrind --instr-atstart=no --callgrind-out-file=/tmp/hx-cg.$1.%p node --predictable-gc-schedule server.js $1 $2 > /dev/null 2>&1 &
  local vp=$!; sleep 8
  node load.js $2 3000
  callgrind_control -i on $vp > /dev/null; callgrind_control -z $vp > /dev/null
  node load.js $2 1000
  callgrind_control -d $vp > /dev/null; sleep 1; kill $vp; sleep 1
  echo "$1: $(( $(grep -h '^summary:' /tmp/hx-cg.$1.$vp.1 | awk '{print $2}') / 1000 )) Ir/request"
}
run none 4601; run headers 4602; run raw 4603
