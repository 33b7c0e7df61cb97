-- People who sign in, what they may do in each organisation, and their API tokens.
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Stored lower-cased, so uniqueness is case-insensitive on both backends.
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_admin BOOLEAN NOT NULL,
    failed_sign_ins INTEGER NOT NULL,
    locked_until TIMESTAMP,
    -- Raised by "sign out everywhere": sessions carrying an older value are refused.
    session_epoch INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE memberships (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL,
    -- Assessors' access ends on this day; None for everyone else.
    expires_on DATE,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, organisation_id, role)
);
CREATE INDEX memberships_by_organisation ON memberships (organisation_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    -- SHA-256 of the token; the token itself is shown once and never stored.
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
