#!/usr/bin/env bash
# packaging/glisk.service as systemd reads it, offline (no systemd needs to run here):
#   1. `systemd-analyze security --offline=true`: the overall exposure is at most 2.0;
#   2. `systemd-analyze verify`: not one warning (systemd only warns about a misspelt directive or
#      a bad value, and ignores it: here that fails). verify wants ExecStart='s binary to exist, so
#      it reads a copy whose ExecStart= names the glisk just built; nothing else is changed;
#   3. every LoadCredential=ID has an Environment=NAME_FILE=%d/ID, and every NAME_FILE the unit
#      sets is the file form of a variable `glisk config` marks secret;
#   4. Type=notify, NotifyAccess=main and a WatchdogSec=: what `glisk serve` implements.
# A missing systemd-analyze fails the test (never a skip): scripts/install-deps installs it.
#   tests/packaging/systemd-unit.sh SOURCE_DIR GLISK_BINARY
set -euo pipefail
source_dir=$1
glisk=$(readlink -f "$2")
unit=$source_dir/packaging/glisk.service
max_exposure=2.0
fail() { echo "FAIL: $*" >&2; exit 1; }

command -v systemd-analyze >/dev/null ||
  fail "systemd-analyze is missing: install Debian's systemd package (scripts/install-deps does)"

# 1. The exposure, as systemd-analyze prints it ("Overall exposure level for glisk.service: 1.1 OK").
report=$(systemd-analyze security --offline=true "$unit" 2>&1) || fail "systemd-analyze security failed: $report"
exposure=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$report")
[ -n "$exposure" ] || fail "no overall exposure in systemd-analyze's report: $report"
echo "systemd-analyze security: overall exposure $exposure (at most $max_exposure)"
if ! awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }'; then
  grep '✗' <<<"$report" >&2 || true
  fail "packaging/glisk.service is exposed at $exposure, above $max_exposure (what is open is listed above)"
fi
# The same bar through systemd-analyze's own check (its threshold is in tenths).
systemd-analyze security --offline=true --threshold=20 "$unit" >/dev/null 2>&1 ||
  fail "systemd-analyze security --threshold=20 refused the unit"

# 2. verify, on a copy that runs the glisk just built.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s#^ExecStart=/usr/local/bin/glisk #ExecStart=$glisk #" "$unit" >"$work/glisk.service"
grep -q "^ExecStart=$glisk serve\$" "$work/glisk.service" || fail "no 'ExecStart=/usr/local/bin/glisk serve' line to verify"
if ! warnings=$(systemd-analyze verify "$work/glisk.service" 2>&1) || [ -n "$warnings" ]; then
  fail "systemd-analyze verify: $warnings"
fi
echo "systemd-analyze verify: no warnings"

# 3. Credentials: each one named to glisk, and each name a secret of glisk's.
listing=$(cd "$work" && env -i "$glisk" config 2>&1) || fail "\`glisk config\` failed: $listing"
secrets=$(sed -n 's/^\([A-Z_0-9]*\)=.*(secret)$/\1/p' <<<"$listing")
[ -n "$secrets" ] || fail "\`glisk config\` listed no secret variables"
credentials=$(sed -n 's/^LoadCredential=\([^:]*\):.*/\1/p' "$unit")
[ -n "$credentials" ] || fail "no LoadCredential= in the unit"
for id in $credentials; do
  grep -Eq "^Environment=[A-Z_0-9]+_FILE=%d/$id\$" "$unit" || fail "LoadCredential=$id is given to glisk by no Environment=…_FILE=%d/$id"
done
for file_variable in $(sed -n 's/^Environment=\([A-Z_0-9]*_FILE\)=.*/\1/p' "$unit"); do
  grep -qx "${file_variable%_FILE}" <<<"$secrets" || fail "$file_variable is not the file form of a secret of \`glisk config\`"
done
echo "credentials: $(wc -w <<<"$credentials") loaded, each named to glisk by its *_FILE form"

# 4. What glisk serve tells systemd.
for line in Type=notify NotifyAccess=main; do grep -qx "$line" "$unit" || fail "the unit lacks $line"; done
grep -Eq '^WatchdogSec=[1-9]' "$unit" || fail "the unit lacks WatchdogSec="
echo "ok: packaging/glisk.service"
