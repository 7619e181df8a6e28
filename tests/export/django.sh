# Django: a minimal project whose one app is the export's; then the export README's commands.
source "$(dirname "$0")/common.sh"
need "$T/python/bin/django-admin"
export PATH="$T/python/bin:$PATH"
case "$1" in
  setup)
    mkdir -p "$WORK_DIR" && cd "$WORK_DIR"
    cp -r "$EXPORT_DIR/pgphase_migrations" .
    touch pgphase_migrations/__init__.py pgphase_migrations/migrations/__init__.py
    cat > settings.py <<PY
SECRET_KEY = "pgphase-test"
INSTALLED_APPS = ["pgphase_migrations"]
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "$PGDATABASE",
             "USER": "$PGUSER", "HOST": "$PGHOST", "PORT": "$PGPORT"}}
USE_TZ = True
PY
    cat > manage.py <<'PY'
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
PY
    ;;
  *) run_readme "$1" "$2" ;;
esac
