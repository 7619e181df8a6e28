# Knex: a project whose knexfile lists the export's stage folders through its stages.js;
# then the export README's commands.
source "$(dirname "$0")/common.sh"
need "$T/node/node_modules/.bin/knex"
case "$1" in
  setup)
    mkdir -p "$WORK_DIR/migrations" && cd "$WORK_DIR"
    ln -s "$T/node/node_modules" node_modules
    cp -r "$EXPORT_DIR" migrations/pgphase
    cat > knexfile.js <<JS
module.exports = {
  client: 'pg',
  connection: { host: '$PGHOST', port: $PGPORT, user: '$PGUSER', database: '$PGDATABASE' },
  migrations: { directory: require('./migrations/pgphase/stages.js')(process.env.PGPHASE_UNTIL) },
};
JS
    ;;
  *) run_readme "$1" "$2" ;;
esac
