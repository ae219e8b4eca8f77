#!/usr/bin/env bash
# Runs every test project (protocol, actor and end-to-end with real peers) after installing what they need.
# Usage: scripts/test.sh [extra dotnet test args, e.g. --filter FullyQualifiedName~Libtorrent]
# Ends with one line "N passed, N failed" summed over every test project.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-peers.sh

config=Release
results=$(mktemp -d)
dotnet build SwarmActors.sln -c "$config" -nologo -v minimal
set +e
dotnet test SwarmActors.sln -c "$config" --no-build -nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
status=$?
set -e

# Totals from the trx files (plain grep/sed: nothing but coreutils needed).
passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

# Every failed test named with the first lines of its message, just above the totals: the console logger's
# output is long and a CI log is often read from its end. Best effort: the totals never depend on it.
if [ "$failed" -gt 0 ]; then
  python3 - "$results" <<'PY' || true
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for path in sorted(glob.glob(sys.argv[1] + "/*.trx")):
    for result in ET.parse(path).getroot().iterfind(".//t:UnitTestResult[@outcome='Failed']", ns):
        print(f"FAILED {result.get('testName')}")
        message = result.findtext("t:Output/t:ErrorInfo/t:Message", "", ns).strip().splitlines()
        for line in message[:6]:
            print(f"    {line}")
PY
fi
rm -rf "$results"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # A project that crashed or failed to run reports no failed tests: don't let that pass as green.
  failed=1
fi
echo "$passed passed, $failed failed"
exit "$status"
