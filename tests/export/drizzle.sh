# Drizzle: the export's stage folders and configs in a project; then the export README's
# commands (drizzle-kit for each stage, psql for the rollbacks).
source "$(dirname "$0")/common.sh"
need "$T/node/node_modules/.bin/drizzle-kit"
case "$1" in
  setup)
    mkdir -p "$WORK_DIR" && cd "$WORK_DIR"
    ln -s "$T/node/node_modules" node_modules
    cp -r "$EXPORT_DIR"/. .
    ;;
  *) run_readme "$1" "$2" ;;
esac
