"""The audit trail is append-only, enforced by the database itself.

A trigger refuses UPDATE, DELETE and TRUNCATE of ``audit_auditevent`` for every role, the table's
owner and superusers included (the managed cluster and many deployments connect as the owner, whom
privileges do not restrict). Only a transaction that sets ``koban.audit_maintenance = 'on'`` may
DELETE or TRUNCATE (the retention purge, and the test suite emptying the table before its flush);
TRUNCATE of an already empty table is harmless and allowed; UPDATE is never allowed.
Roles other than the owner also lose the UPDATE, DELETE and TRUNCATE privileges on the table.
See docs/decisions (audit trail).
"""

from django.db import migrations

TABLE = "audit_auditevent"

FORWARD = f"""
CREATE OR REPLACE FUNCTION koban_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE')
       AND coalesce(current_setting('koban.audit_maintenance', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    -- Emptying an empty table destroys nothing (a test database flushing all its tables).
    IF TG_OP = 'TRUNCATE' AND NOT EXISTS (SELECT 1 FROM {TABLE}) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$fn$;

CREATE TRIGGER {TABLE}_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION koban_audit_append_only();

CREATE TRIGGER {TABLE}_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION koban_audit_append_only();

REVOKE UPDATE, DELETE, TRUNCATE ON {TABLE} FROM PUBLIC;

DO $$
DECLARE
    grantee_role text;
BEGIN
    -- Every other role that was granted more than reading and appending loses it.
    FOR grantee_role IN
        SELECT DISTINCT g.grantee FROM information_schema.role_table_grants g
        JOIN pg_tables t ON t.tablename = g.table_name AND t.schemaname = g.table_schema
        WHERE g.table_name = '{TABLE}' AND g.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')
          AND g.grantee <> t.tableowner AND g.grantee <> 'PUBLIC'
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON {TABLE} FROM %I', grantee_role);
    END LOOP;
END;
$$;
"""

BACKWARD = f"""
DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};
DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};
DROP FUNCTION IF EXISTS koban_audit_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_scope_and_reads")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
