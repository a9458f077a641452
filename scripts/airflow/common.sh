# Sourced by the scripts in scripts/airflow/: where things live and how to bootstrap uv.
# Conventions as in scripts/stack: downloads and builds in ${QUANT_CACHE_DIR} (shared by every clone
# on the machine), runtime state and logs of this clone in <repo>/.stack (git-ignored).

AIRFLOW_REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
QUANT_CACHE="${QUANT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/quant-pipeline}"
QUANT_STACK="${QUANT_STACK_DIR:-$AIRFLOW_REPO_DIR/.stack}"
AIRFLOW_LOCK="$AIRFLOW_REPO_DIR/airflow/requirements.lock"
AIRFLOW_INSTALL_LOG="$QUANT_STACK/logs/install-airflow.log"

# uv itself comes from PyPI (pinned), in a small venv of its own; its download cache sits in the cache dir.
UV_VERSION="${QUANT_UV_VERSION:-0.13.9}"
UV_HOME="$QUANT_CACHE/uv-$UV_VERSION"
export UV_CACHE_DIR="${UV_CACHE_DIR:-$QUANT_CACHE/uv}"
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$QUANT_CACHE/pip}"
# Never let uv fetch a Python build from the internet; only interpreters on this machine.
export UV_PYTHON_DOWNLOADS=never
export UV_NO_PROGRESS=1

# The interpreter the lock was resolved for (override with AIRFLOW_PYTHON=/path/to/python3.11).
AIRFLOW_PYTHON_VERSION=3.11

airflow_log_init() {
  mkdir -p "$(dirname "$AIRFLOW_INSTALL_LOG")"
  printf '\n=== %s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >>"$AIRFLOW_INSTALL_LOG"
}

# step "<name>" cmd args...: runs a step with its output in the install log; on failure names the step and the log.
airflow_step() {
  local name="$1"
  shift
  printf '\n$ %s\n' "$*" >>"$AIRFLOW_INSTALL_LOG"
  if ! "$@" >>"$AIRFLOW_INSTALL_LOG" 2>&1; then
    echo "airflow: install step \"$name\" failed; see $AIRFLOW_INSTALL_LOG" >&2
    tail -n 15 "$AIRFLOW_INSTALL_LOG" | sed 's/^/  | /' >&2
    return 1
  fi
}

airflow_find_python() {
  local candidate
  for candidate in "${AIRFLOW_PYTHON:-}" "python$AIRFLOW_PYTHON_VERSION" python3; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if [ "$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$AIRFLOW_PYTHON_VERSION" ]; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "airflow: need Python $AIRFLOW_PYTHON_VERSION (the lock airflow/requirements.lock is resolved for it);" \
    "none of \$AIRFLOW_PYTHON, python$AIRFLOW_PYTHON_VERSION, python3 is $AIRFLOW_PYTHON_VERSION" >&2
  return 1
}

# Installs uv from PyPI once; prints the uv binary's path.
airflow_uv() {
  local py="$1"
  if [ ! -x "$UV_HOME/bin/uv" ]; then
    airflow_log_init "bootstrap uv $UV_VERSION into $UV_HOME"
    rm -rf "$UV_HOME.partial"
    airflow_step "python -m venv (uv bootstrap)" "$py" -m venv "$UV_HOME.partial" || return 1
    airflow_step "pip install uv==$UV_VERSION (PyPI)" "$UV_HOME.partial/bin/pip" install --disable-pip-version-check \
      -q "uv==$UV_VERSION" || return 1
    # The uv binary does not depend on its venv's location, so the venv may be renamed into place.
    rm -rf "$UV_HOME" && mv "$UV_HOME.partial" "$UV_HOME"
  fi
  echo "$UV_HOME/bin/uv"
}

airflow_lock_hash() {
  sha256sum "$AIRFLOW_LOCK" | cut -c1-16
}

airflow_venv_dir() {
  echo "$QUANT_CACHE/airflow-venv-$(airflow_lock_hash)"
}
