#!/usr/bin/env bash
# Builds the crm_engine wheel into a fresh virtual environment and tests it:
# ruff (lint and format check), pytest (bindings/python/tests; the Spark suite as its own timed step), mypy stubtest against the hand-written stubs,
# and the quickstart example. Needs only Rust (cargo) and CPython >= 3.11;
# Python packages come from PyPI.
#
#   bindings/python/run-tests.sh
#
# Environment:
#   PYTHON            the interpreter that makes the venv (default: python3)
#   CRM_PY_VENV       where the venv goes (default: target/py-venv; recreated)
#   CARGO_TARGET_DIR  cargo's target directory (default: target)
#   CRM_TEST_OUT      where plots are written (default: target/py-out)
#   PYTEST_ARGS       extra pytest arguments
#   CRM_SKIP_SPARK    1: skip the Spark suite (it needs Java 17 or 21; see below)
#   CRM_WHEEL_PROFILE the cargo profile of the wheel and the reference examples
#                     (default: dev, which reuses the Rust tests' build; release
#                     tests the build users install, at about 5 more minutes)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
venv="${CRM_PY_VENV:-$CARGO_TARGET_DIR/py-venv}"
out="${CRM_TEST_OUT:-$CARGO_TARGET_DIR/py-out}"
export CRM_TEST_OUT="$out"

step() { printf '\n== %s\n' "$*"; }

step "fresh virtual environment: $venv"
rm -rf "$venv" "$out/wheels"
mkdir -p "$out"
"$python" -m venv "$venv"
py="$venv/bin/python"
"$py" -m pip install --quiet --upgrade pip
"$py" -m pip install --quiet "maturin>=1.9.4,<2" "pytest>=8" "hypothesis>=6.100" "pandas>=2.2" "polars>=1.0" \
    "pyarrow>=14" "numpy>=1.26" "matplotlib>=3.7" "mypy>=1.10" duckdb "pyspark>=4,<5" "mpmath>=1.3" \
    "ruff>=0.6" "lifetimes>=0.11.3"

step "ruff: lint and format check of every Python file (ruff.toml)"
(cd "$root" && "$venv/bin/ruff" check . && "$venv/bin/ruff" format --check .)
# tests/test_spark.py runs PySpark in local mode (needs Java 17): fail, not skip, without it.
export CRM_REQUIRE_SPARK=1
# The checks against lifetimes (the full CDNOW master, the Pareto/NBD PMF) fail, not skip.
export CRM_REQUIRE_LIFETIMES=1

# The wheel under test is built with the dev profile (CRM_WHEEL_PROFILE):
# it reuses the dependencies the Rust tests just compiled (a release build
# compiles them all again, the longest step of the test command), and its
# overflow checks are on, so the hostile cases of the suite also catch an
# arithmetic overflow that a release build would wrap. crm-core and crm-io
# are optimised in the dev profile too (Cargo.toml).
wheel_profile="${CRM_WHEEL_PROFILE:-dev}"
step "build the wheel (maturin build --profile $wheel_profile)"
(cd "$here" && "$venv/bin/maturin" build --profile "$wheel_profile" --quiet -o "$out/wheels")
"$py" -m pip install --quiet --force-reinstall --no-deps "$out"/wheels/crm_engine-*.whl

step "Rust reference results on the CDNOW sample"
(cd "$root" && cargo run --quiet --profile "$wheel_profile" -p crm-engine-python --example cdnow_reference -- \
    examples/data/CDNOW_sample.txt > "$out/cdnow_rust.json")
export CRM_RUST_REFERENCE="$out/cdnow_rust.json"

step "Rust reference results on the relationship sample (four degrees, delivered value)"
(cd "$root" && cargo run --quiet --profile "$wheel_profile" -p crm-examples --example four_degrees -- --json > "$out/four_degrees_rust.json")
export CRM_RUST_DEGREES="$out/four_degrees_rust.json"

# Run from outside the source tree so that the installed wheel is tested.
cd "$out"
step "pytest"
# shellcheck disable=SC2086
"$py" -m pytest "$here/tests" -p no:cacheprovider -q --ignore "$here/tests/test_spark.py" ${PYTEST_ARGS:-} \
    || { rc=$?; [ "$rc" -eq 5 ] || exit "$rc"; }  # 5: PYTEST_ARGS selected no test here

step "pytest: crm_engine.spark on PySpark in local mode (CDNOW sample and 1M transactions)"
# PySpark 4 runs on Java 17 or 21. Without a `java` on PATH or a JAVA_HOME,
# fetch an Eclipse Temurin 17 JRE (install-jdk, from api.adoptium.net) into
# the target directory once; without network access to it, say what to do.
if [ "${CRM_SKIP_SPARK:-0}" = "1" ]; then
    echo "skipped (CRM_SKIP_SPARK=1)"
else
if [ -z "${JAVA_HOME:-}" ] && ! command -v java >/dev/null 2>&1; then
    jre="$CARGO_TARGET_DIR/jre"
    if ! ls -d "$jre"/*/bin/java >/dev/null 2>&1; then
        "$py" -m pip install --quiet install-jdk
        "$py" -c "import jdk, sys; jdk.install('17', jre=True, path=sys.argv[1])" "$jre" || {
            echo "error: the Spark suite needs Java 17 or 21 and none was found or could be fetched;" >&2
            echo "       install one (e.g. apt install openjdk-17-jre-headless), or set CRM_SKIP_SPARK=1" >&2
            exit 1
        }
    fi
    JAVA_HOME="$(dirname "$(dirname "$(ls -d "$jre"/*/bin/java | head -1)")")"
    export JAVA_HOME
    echo "using the Java runtime fetched into $JAVA_HOME"
fi
spark_start=$SECONDS
# shellcheck disable=SC2086
"$py" -m pytest "$here/tests/test_spark.py" -p no:cacheprovider -q -W ignore::FutureWarning ${PYTEST_ARGS:-} \
    || { rc=$?; [ "$rc" -eq 5 ] || exit "$rc"; }
echo "spark suite: $((SECONDS - spark_start)) s (timings per step in $out/spark_timings.txt)"
fi

step "mypy stubtest"
"$py" -m mypy.stubtest crm_engine --mypy-config-file "$here/stubtest.ini"

step "quickstart example"
"$py" "$root/examples/python/quickstart.py" --out "$out/quickstart"

step "python bindings: all checks passed"
