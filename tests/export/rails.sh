# Rails: a minimal app (Debian's Rails has no `rails new` without the gem registry) with the
# export's migrations in db/migrate; then the export README's commands.
source "$(dirname "$0")/common.sh"
if ! ruby -e 'require "rails"; require "active_record/railtie"; require "pg"' >/dev/null 2>&1; then
  echo "missing: ruby with rails, active_record and pg (run tests/export/install.sh)" >&2
  exit 1
fi
case "$1" in
  setup)
    mkdir -p "$WORK_DIR/config" "$WORK_DIR/bin" "$WORK_DIR/db" && cd "$WORK_DIR"
    cp -r "$EXPORT_DIR/db/migrate" db/
    cat > config/application.rb <<'RB'
require "rails"
require "active_record/railtie"
module PgphaseTest
  class Application < Rails::Application
    config.load_defaults 6.1
    config.eager_load = false
    config.active_record.dump_schema_after_migration = false
    config.logger = Logger.new($stderr, level: :warn)
  end
end
RB
    cat > config/environment.rb <<'RB'
require_relative "application"
Rails.application.initialize!
RB
    cat > config/database.yml <<YML
development:
  adapter: postgresql
  host: $PGHOST
  port: $PGPORT
  username: $PGUSER
  database: $PGDATABASE
YML
    cat > Rakefile <<'RB'
require_relative "config/application"
Rails.application.load_tasks
RB
    cat > bin/rails <<'RB'
#!/usr/bin/env ruby
APP_PATH = File.expand_path("../config/application", __dir__)
require "rails/commands"
RB
    chmod +x bin/rails
    ;;
  *) run_readme "$1" "$2" ;;
esac
