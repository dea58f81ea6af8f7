#!/usr/bin/env bash
# Back up the facilitator dashboard's PostgreSQL database.
#
#   deploy/backup.sh [DEST_DIR]        (DEST_DIR: /var/backups/facilitator by default)
#
# Reads DATABASE_URL from the environment (source /etc/facilitator/env first, or run it
# from a systemd timer with EnvironmentFile=). Writes one custom-format dump,
# facilitator-<UTC time>.dump, readable by its owner only, and deletes dumps older
# than BACKUP_KEEP_DAYS (14). Restore with deploy/restore.sh.
#
# Left out on purpose: the live sign-in sessions (django_session: a stolen dump must
# not sign anyone in) and the cache table (django_cache: sign-in rate limits). Their
# tables are kept, empty. Everything else is in the dump, the raw check-in answers
# included: they hold nothing that identifies a member and are deleted by the
# retention sweep, but a dump keeps them as they were on its day, so keep dumps for
# less than CHECKIN_COMMENT_RETENTION_DAYS (180): 14 days is well inside. Keep the
# MFA_ENCRYPTION_KEY apart from the dumps: with both, the TOTP secrets can be read.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must be set (the production database)}"
dest=${1:-/var/backups/facilitator}
keep_days=${BACKUP_KEEP_DAYS:-14}

umask 077
mkdir -p "$dest"
file="$dest/facilitator-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --no-owner --no-privileges \
  --exclude-table-data=django_session --exclude-table-data=django_cache \
  --file "$file.partial" "$DATABASE_URL"
mv "$file.partial" "$file"
find "$dest" -maxdepth 1 -name 'facilitator-*.dump' -mtime +"$keep_days" -delete
echo "$file"
