#!/usr/bin/env bash
# The container packaging, checked statically: there is no Docker engine to build or run it in the
# test environment, so this reads Dockerfile, .dockerignore, docker-compose.yml and .env.example
# for what matters, and says each check as it passes:
#   Dockerfile      a dependency layer (install-deps copied and run before any source, with
#                   --runtime-build: no test tools), tests and benchmarks configured off, the data
#                   directory created for the glisk user, and every shared library the glisk just
#                   built links (readelf NEEDED) installed by a package the runtime stage names
#                   (dpkg -S here, save libc6, libstdc++6 and libgcc-s1, which the base image has);
#   .dockerignore   keeps .env, secrets, .git, build folders, .tools, .demo and data out;
#   compose         APP_ENV production; no POSTGRES_PASSWORD value, the password as a file;
#                   PostgreSQL published nowhere but loopback; no secret given a value; every
#                   secret `glisk config` marks has its *_FILE form in compose or .env.example, and
#                   every /run/secrets/NAME it uses is a declared secret read from ./secrets/;
#   .gitignore      ignores /secrets/.
#   tests/packaging/container.sh SOURCE_DIR GLISK_BINARY
set -euo pipefail
source_dir=$1
glisk=$(readlink -f "$2")
cd "$source_dir"
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

# --- Dockerfile ---
line_of() { grep -n -m1 -E "$1" Dockerfile | cut -d: -f1 || true; }
deps_copy=$(line_of '^COPY scripts/install-deps ')
deps_run=$(line_of '^RUN \./scripts/install-deps --runtime-build')
first_source=$(line_of '^COPY (\. |src |CMakeLists)')
[ -n "$deps_copy" ] && [ -n "$deps_run" ] && [ -n "$first_source" ] ||
  fail "Dockerfile: expected COPY scripts/install-deps, RUN ./scripts/install-deps --runtime-build, then the sources"
[ "$deps_copy" -lt "$deps_run" ] && [ "$deps_run" -lt "$first_source" ] ||
  fail "Dockerfile: install-deps must be copied and run before any source is copied (lines $deps_copy, $deps_run, $first_source)"
! grep -qE '^COPY \. ' Dockerfile || fail "Dockerfile: COPY . copies the whole context; copy what the build needs"
ok "Dockerfile: dependency layer from install-deps --runtime-build (lines $deps_copy-$deps_run) before the sources (line $first_source)"
grep -q -- '-DGLISK_BUILD_TESTS=OFF' Dockerfile && grep -q -- '-DGLISK_BUILD_BENCH=OFF' Dockerfile ||
  fail "Dockerfile: the build must configure -DGLISK_BUILD_TESTS=OFF -DGLISK_BUILD_BENCH=OFF"
ok "Dockerfile: tests and benchmarks are not built"
grep -Eq 'install -d -o glisk -g glisk( -m [0-7]+)? /var/lib/glisk/data' Dockerfile ||
  fail "Dockerfile: the runtime stage must create /var/lib/glisk/data owned by glisk"
grep -qx 'USER glisk' Dockerfile || fail "Dockerfile: the runtime stage must run as USER glisk"
ok "Dockerfile: /var/lib/glisk/data created for the glisk user, who runs the service"
runtime=$(sed -n '/^FROM .* AS runtime/,$p' Dockerfile)
[ -n "$runtime" ] || fail "Dockerfile: no 'FROM … AS runtime' stage"
command -v readelf >/dev/null || fail "readelf is missing (Debian binutils, which g++ brings)"
for soname in $(readelf -d "$glisk" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  # A sanitizer build (CI's) links the sanitizers' runtimes; the image's Release build does not.
  case "$soname" in libasan.so* | libubsan.so* | libtsan.so* | liblsan.so*) continue ;; esac
  path=$(ldd "$glisk" | awk -v s="$soname" '$1 == s { print $3 }')
  [ -n "$path" ] || fail "ldd does not resolve $soname"
  package=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n1 | cut -d: -f1) ||
    package=$(dpkg -S "$path" 2>/dev/null | head -n1 | cut -d: -f1)
  [ -n "$package" ] || fail "no Debian package owns $path ($soname)"
  case "$package" in libc6 | libstdc++6 | libgcc-s1) continue ;; esac
  tr -s ' \\\t' '\n' <<<"$runtime" | grep -qxF "$package" ||
    fail "Dockerfile: glisk links $soname from $package, which the runtime stage does not install"
done
ok "Dockerfile: every library glisk links is installed in the runtime stage"

# --- .dockerignore ---
for pattern in .env secrets .git .tools .demo 'build*' data; do
  grep -qxF "$pattern" .dockerignore || fail ".dockerignore: $pattern is not ignored"
done
ok ".dockerignore: .env, secrets, .git, .tools, .demo, build*, data stay out of the build context"

# --- docker-compose.yml ---
compose=docker-compose.yml
uncommented=$(sed 's/[[:space:]]*#.*$//' "$compose")
grep -Eq '^[[:space:]]+APP_ENV:[[:space:]]*"?production"?[[:space:]]*$' <<<"$uncommented" ||
  fail "$compose: backend-api must set APP_ENV: production"
ok "$compose: APP_ENV production"
! grep -Eq '^[[:space:]]+-?[[:space:]]*"?POSTGRES_PASSWORD[:=]' <<<"$uncommented" ||
  fail "$compose: POSTGRES_PASSWORD is given a value; use POSTGRES_PASSWORD_FILE and a secret"
grep -Eq '^[[:space:]]+POSTGRES_PASSWORD_FILE:[[:space:]]*/run/secrets/' <<<"$uncommented" ||
  fail "$compose: PostgreSQL's password must come from POSTGRES_PASSWORD_FILE: /run/secrets/…"
ok "$compose: no password in the file; PostgreSQL's from a secret"
# Any port mapping to 5432 must be bound to loopback ("127.0.0.1:5432:5432").
while read -r mapping; do
  [[ "$mapping" =~ ^\"?-?[[:space:]]*\"?127\.0\.0\.1: ]] || fail "$compose: $mapping publishes PostgreSQL beyond this host"
done < <(grep -E '^[[:space:]]+-[[:space:]]*"?([0-9.]+:)?[0-9]+:5432' <<<"$uncommented" || true)
ok "$compose: PostgreSQL's 5432 not published beyond loopback"
empty=$(mktemp -d)
listing=$(cd "$empty" && env -i "$glisk" config 2>&1) || fail "\`glisk config\` failed: $listing"
rmdir "$empty"
secrets=$(sed -n 's/^\([A-Z_0-9]*\)=.*(secret)$/\1/p' <<<"$listing")
[ -n "$secrets" ] || fail "\`glisk config\` listed no secret variables"
for name in $secrets; do
  ! grep -Eq "^[[:space:]]+-?[[:space:]]*\"?$name[:=]" <<<"$uncommented" || fail "$compose: $name is given a value; give ${name}_FILE"
  grep -Eq "^[[:space:]]+${name}_FILE:" <<<"$uncommented" || grep -Eq "^#?[[:space:]]*${name}_FILE=" .env.example ||
    fail "$name: its ${name}_FILE form is in neither $compose nor .env.example"
done
ok "$compose: no secret given a value; each of $(wc -w <<<"$secrets") secrets has its *_FILE form in $compose or .env.example"
top_level=$(sed -n '/^secrets:/,/^[a-z]/p' <<<"$uncommented")
for used in $(grep -oE '/run/secrets/[a-z_]+' <<<"$uncommented" | sort -u); do
  name=${used#/run/secrets/}
  grep -Eq "^  $name:" <<<"$top_level" || fail "$compose: $used is not a top-level secret"
  grep -A1 -E "^  $name:" <<<"$top_level" | grep -Eq "file: \./secrets/$name\$" ||
    fail "$compose: secret $name is not read from ./secrets/$name"
  grep -Eq "^[[:space:]]+- $name\$" <<<"$uncommented" || fail "$compose: no service is given the secret $name"
done
ok "$compose: every /run/secrets/… is a declared secret from ./secrets/"

# --- .gitignore ---
grep -qx '/secrets/' .gitignore || fail ".gitignore: /secrets/ is not ignored"
ok ".gitignore: /secrets/ ignored"
