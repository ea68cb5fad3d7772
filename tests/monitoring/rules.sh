#!/usr/bin/env bash
# The alert rules as Prometheus reads them (promtool check rules) and their unit tests (promtool
# test rules: each alert fires on the series that should fire it and stays quiet on the nearest
# that should not). A missing promtool is a failure, never a skip.
set -euo pipefail
source_dir=$1
if ! command -v promtool >/dev/null; then
  echo "promtool is missing: run scripts/install-deps (Debian package prometheus)" >&2
  exit 1
fi
cd "$source_dir/deploy/prometheus"
promtool check rules glisk-rules.yml
promtool check config prometheus.yml
promtool test rules glisk-rules.test.yml
