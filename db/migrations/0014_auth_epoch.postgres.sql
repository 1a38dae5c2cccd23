-- ADR 0011: what can end or narrow a cached session bumps the authentication epoch (one
-- bump per statement).
CREATE FUNCTION auth_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE auth_epoch SET version = version + 1 WHERE id = 1;
  RETURN NULL;
END
$$;
-- Sessions: revoked, re-dated or deleted (not the last-seen touch).
CREATE TRIGGER auth_epoch_session_changed AFTER UPDATE OF revoked_at, expires_at, user_id, kind OR DELETE
ON sessions FOR EACH STATEMENT EXECUTE FUNCTION auth_epoch_bump();
-- Users: what a Caller carries (name, unit), deactivation, a forced or changed password
-- (not the failed-login counters of a login).
CREATE TRIGGER auth_epoch_user_changed
AFTER UPDATE OF name, active, must_change_password, unit_id, password_hash OR DELETE
ON users FOR EACH STATEMENT EXECUTE FUNCTION auth_epoch_bump();
-- Roles of users and grants of roles.
CREATE TRIGGER auth_epoch_role_changed AFTER INSERT OR UPDATE OR DELETE
ON user_roles FOR EACH STATEMENT EXECUTE FUNCTION auth_epoch_bump();
CREATE TRIGGER auth_epoch_grant_changed AFTER INSERT OR UPDATE OR DELETE
ON role_grants FOR EACH STATEMENT EXECUTE FUNCTION auth_epoch_bump();
-- A unit moved: the unit paths of its users' scopes changed.
CREATE TRIGGER auth_epoch_unit_moved AFTER UPDATE OF path
ON org_units FOR EACH STATEMENT EXECUTE FUNCTION auth_epoch_bump();
