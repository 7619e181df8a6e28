# Shared by the tool drivers: where the tools are, and the commands the export's README gives.
# A driver is run as `<tool>.sh setup|apply N|rollback N` with EXPORT_DIR (the export),
# WORK_DIR (a project folder of its own), PGPHASE_TOOLS_DIR and the PG* variables and
# DATABASE_URL of the database.
set -euo pipefail

T="${PGPHASE_TOOLS_DIR:?}"

# Fails with a clear message when a tool is not installed (the test must fail, never skip).
need() {
  if [ ! -e "$1" ]; then
    echo "missing: $1 (run tests/export/install.sh)" >&2
    exit 1
  fi
}

# The commands of the export README's code block for stage $2 in section $1 ("Apply" or
# "Roll back"), comments left out.
readme_commands() {
  awk -v section="## $1" -v stage="### Stage $2" '
    $0 == section { in_section = 1; next }
    /^## / { in_section = 0 }
    in_section && index($0, stage) == 1 && (length($0) == length(stage) || substr($0, length(stage) + 1, 1) == ":") { in_stage = 1; next }
    in_section && /^### / { in_stage = 0 }
    in_stage && /^```sh/ { in_block = 1; next }
    in_block && /^```/ { exit }
    in_block && !/^#/ { print }
  ' "$EXPORT_DIR/README.md"
}

# Whether stage $2 of section $1 says it has nothing to run (a plan that starts with a gate).
stage_says_nothing() {
  awk -v section="## $1" -v stage="### Stage $2" '
    $0 == section { in_section = 1; next }
    /^## / { in_section = 0 }
    in_section && index($0, stage) == 1 && (length($0) == length(stage) || substr($0, length(stage) + 1, 1) == ":") { in_stage = 1; next }
    in_section && /^### / { in_stage = 0 }
    in_stage && /^Nothing to / { found = 1 }
    END { exit !found }
  ' "$EXPORT_DIR/README.md"
}

# Runs the README's commands for `apply N` or `rollback N` in the project folder.
run_readme() {
  local section
  case "$1" in
    apply) section="Apply" ;;
    rollback) section="Roll back" ;;
    *) echo "usage: apply|rollback N" >&2; exit 2 ;;
  esac
  local commands
  commands=$(readme_commands "$section" "$2")
  if [ -z "$commands" ] && stage_says_nothing "$section" "$2"; then
    echo "stage $2: the export's README says there is nothing to $1" >&2
    return 0
  fi
  if [ -z "$commands" ]; then
    echo "the export's README has no commands to $1 stage $2" >&2
    exit 1
  fi
  cd "$WORK_DIR"
  echo "+ $commands" >&2
  bash -euo pipefail -c "$commands"
}
