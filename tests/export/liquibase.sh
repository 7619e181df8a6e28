# Liquibase: the export's changelog with a liquibase.properties for the database; then the
# export README's commands (`liquibase` is the launcher the npm package carries, with the jar
# and the PostgreSQL driver).
source "$(dirname "$0")/common.sh"
LIQUIBASE_HOME="$T/node/node_modules/liquibase/dist/liquibase"
need "$LIQUIBASE_HOME/liquibase"
export PATH="$LIQUIBASE_HOME:$PATH"
case "$1" in
  setup)
    mkdir -p "$WORK_DIR" && cd "$WORK_DIR"
    cp "$EXPORT_DIR/changelog.sql" .
    cat > liquibase.properties <<PROPS
url: jdbc:postgresql://$PGHOST:$PGPORT/$PGDATABASE
username: $PGUSER
password:
PROPS
    ;;
  *) run_readme "$1" "$2" ;;
esac
