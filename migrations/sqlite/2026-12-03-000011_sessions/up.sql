-- Signed-in sessions, kept on the server so that signing out ends them: the cookie holds a random
-- token and this row its SHA-256. Signing out deletes the row; "sign out everywhere" and a password
-- change delete all the user's rows. A row is refused once idle past the idle limit or older than
-- the absolute lifetime (OHGOV_SESSION_DAYS).
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
