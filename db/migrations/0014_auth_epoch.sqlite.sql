-- ADR 0011: what can end or narrow a cached session bumps the authentication epoch.
-- Sessions: revoked, re-dated or deleted (not the last-seen touch).
CREATE TRIGGER auth_epoch_session_changed AFTER UPDATE OF revoked_at, expires_at, user_id, kind ON sessions
BEGIN UPDATE auth_epoch SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_session_deleted AFTER DELETE ON sessions
BEGIN UPDATE auth_epoch SET version = version + 1 WHERE id = 1; END;
-- Users: what a Caller carries (name, unit), deactivation, a forced or changed password
-- (not the failed-login counters of a login).
CREATE TRIGGER auth_epoch_user_changed
AFTER UPDATE OF name, active, must_change_password, unit_id, password_hash ON users
BEGIN UPDATE auth_epoch SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_user_deleted AFTER DELETE ON users
BEGIN UPDATE auth_epoch SET version = version + 1 WHERE id = 1; END;
-- Roles of users and grants of roles.
CREATE TRIGGER auth_epoch_role_added AFTER INSERT ON user_roles
BEGIN UPDATE auth_epoch SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_role_changed AFTER UPDATE ON user_roles
BEGIN UPDATE auth_epoch SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_role_removed AFTER DELETE ON user_roles
BEGIN UPDATE auth_epoch SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_grant_added AFTER INSERT ON role_grants
BEGIN UPDATE auth_epoch SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_grant_changed AFTER UPDATE ON role_grants
BEGIN UPDATE auth_epoch SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_grant_removed AFTER DELETE ON role_grants
BEGIN UPDATE auth_epoch SET version = version + 1 WHERE id = 1; END;
-- A unit moved: the unit paths of its users' scopes changed.
CREATE TRIGGER auth_epoch_unit_moved AFTER UPDATE OF path ON org_units
BEGIN UPDATE auth_epoch SET version = version + 1 WHERE id = 1; END;
