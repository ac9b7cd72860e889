#!/usr/bin/env bash
# Regenerates the newest migration, which is still in development (not yet on a released
# install), from the models: upgrade a scratch SQLite database to the revision before it,
# autogenerate, and write the result under the same revision id and file name.
#   scripts/refresh-dev-migration.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PARENT=7c3e1a9d2b40
REV=c8d2e5f1a7b3
MESSAGE="records, credentials and security round two"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
rm -f migrations/versions/${REV}_*.py
export HEARTBEAT_INSTANCE_PATH=$scratch DATABASE_URL= SECRET_KEY=$(python3 -c "import secrets; print(secrets.token_hex(32))")
.venv/bin/flask --app heartbeat db upgrade "$PARENT" >/dev/null 2>&1
.venv/bin/flask --app heartbeat db migrate --rev-id "$REV" -m "$MESSAGE" 2>&1 | grep -E "Generating|Detected" || true
# SQLite renders boolean defaults as 0/1, which PostgreSQL refuses for a boolean column.
sed -i "s/server_default=sa.text('0')/server_default=sa.false()/; s/server_default=sa.text('1')/server_default=sa.true()/" \
  migrations/versions/${REV}_*.py
.venv/bin/flask --app heartbeat db upgrade >/dev/null 2>&1
.venv/bin/flask --app heartbeat db check
