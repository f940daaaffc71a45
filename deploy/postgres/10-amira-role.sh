#!/bin/sh
# First start of the compose PostgreSQL: the application role and its database. The API
# must not connect as a superuser (row-level security would not apply), so it gets an
# ordinary role that owns the database and runs the migrations.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v app_password="$AMIRA_DB_PASSWORD" <<'SQL'
CREATE ROLE amira_app LOGIN PASSWORD :'app_password' NOSUPERUSER NOBYPASSRLS;
CREATE DATABASE amira OWNER amira_app;
SQL
