#!/usr/bin/env bash
# Installs the migration tools the export tests run, from the package registries, under
# PGPHASE_TOOLS_DIR (default ~/.cache/pgphase/export-tools, kept between runs). Run again, it
# only checks: a tool at its pinned version stays.
set -euo pipefail
T="${PGPHASE_TOOLS_DIR:-$HOME/.cache/pgphase/export-tools}"
mkdir -p "$T"

# Alembic and Django, in one virtual environment (Django 5.2 is the last for Python 3.11).
python_pins=(alembic==1.20.1 sqlalchemy==2.1.9 psycopg2-binary==2.9.13 django==5.2.19)
if [ ! -f "$T/python/.pins" ] || [ "$(cat "$T/python/.pins")" != "${python_pins[*]}" ]; then
  echo "installing ${python_pins[*]}" >&2
  rm -rf "$T/python"
  python3 -m venv "$T/python"
  "$T/python/bin/pip" install -q --disable-pip-version-check "${python_pins[@]}"
  echo "${python_pins[*]}" > "$T/python/.pins"
fi

# Knex, Drizzle and Liquibase (the npm package carries Liquibase and the JDBC driver).
node_pins=(knex@3.3.0 pg@8.23.1 drizzle-kit@0.31.11 drizzle-orm@0.45.4 liquibase@4.28.1)
if [ ! -f "$T/node/.pins" ] || [ "$(cat "$T/node/.pins")" != "${node_pins[*]}" ]; then
  echo "installing ${node_pins[*]}" >&2
  rm -rf "$T/node"
  mkdir -p "$T/node"
  (cd "$T/node" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent "${node_pins[@]}")
  echo "${node_pins[*]}" > "$T/node/.pins"
fi

# Rails' Active Record migrations: Debian's packages (the gem registry is not reachable).
if ! ruby -e 'require "rails"; require "active_record/railtie"; require "pg"' >/dev/null 2>&1; then
  echo "installing ruby-activerecord ruby-railties ruby-pg rake" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ruby-activerecord ruby-railties ruby-pg rake >/dev/null
fi
echo "$T"
