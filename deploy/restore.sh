#!/usr/bin/env bash
# Restore a dump made by deploy/backup.sh into an EMPTY database.
#
#   createdb facilitator_restored
#   deploy/restore.sh facilitator-20261206T020000Z.dump postgres://user@host/facilitator_restored
#
# Refuses a database that already has tables, so it can never overwrite a live one.
# Then point DATABASE_URL at it, run `python manage.py migrate` (a no-op for a dump of
# the same release) and start the services. Facilitators sign in again (sessions are
# not in dumps); the MFA_ENCRYPTION_KEY must be the one the dump was made with.
set -euo pipefail

dump=${1:?usage: deploy/restore.sh DUMP TARGET_DATABASE_URL}
target=${2:?usage: deploy/restore.sh DUMP TARGET_DATABASE_URL}
[ -r "$dump" ] || { echo "restore.sh: cannot read $dump" >&2; exit 1; }

tables=$(psql -X -w -q -t -A -d "$target" -c "select count(*) from pg_tables where schemaname = 'public'")
if [ "$tables" != "0" ]; then
  echo "restore.sh: the target database has $tables tables; restore only into an empty one" >&2
  exit 1
fi
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname "$target" "$dump"
echo "restored $dump"
