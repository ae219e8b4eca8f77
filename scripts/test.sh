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

# Totals from the trx files, and every failed test named with the first lines of its message: the console
# logger's output is long and a CI log is often read only from its end.
read -r passed failed < <(python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
report = open(sys.argv[1] + "/failures.txt", "w")
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = 0
for path in sorted(glob.glob(sys.argv[1] + "/*.trx")):
    root = ET.parse(path).getroot()
    counters = root.find("t:ResultSummary/t:Counters", ns)
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0))
    for result in root.iterfind(".//t:UnitTestResult[@outcome='Failed']", ns):
        message = result.findtext("t:Output/t:ErrorInfo/t:Message", "", ns).strip().splitlines()
        print(f"FAILED {result.get('testName')}", file=report)
        for line in message[:6]:
            print(f"    {line}", file=report)
print(passed, failed)
PY
)
cat "$results/failures.txt"
rm -rf "$results"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # A project that crashed or failed to run reports no failed tests: don't let that pass as green.
  failed=1
fi
echo "$passed passed, $failed failed"
exit "$status"
