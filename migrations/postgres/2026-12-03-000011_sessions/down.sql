DROP INDEX sessions_by_user;
DROP TABLE sessions;
