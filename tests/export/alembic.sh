# Alembic: a project made with `alembic init`, its env.py as generated, the export's
# revisions in its versions folder; then the export README's commands.
source "$(dirname "$0")/common.sh"
need "$T/python/bin/alembic"
export PATH="$T/python/bin:$PATH"
case "$1" in
  setup)
    mkdir -p "$WORK_DIR" && cd "$WORK_DIR"
    alembic init migrations >/dev/null
    sed -i "s|^sqlalchemy.url = .*|sqlalchemy.url = postgresql+psycopg2://$PGUSER@$PGHOST:$PGPORT/$PGDATABASE|" alembic.ini
    cp "$EXPORT_DIR"/versions/*.py migrations/versions/
    ;;
  *) run_readme "$1" "$2" ;;
esac
