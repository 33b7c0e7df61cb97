-- Secrets every instance must share (the session cookie key), made on first start, so several
-- instances behind a load balancer accept each other's cookies.
CREATE TABLE instance_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Failed sign-ins by address, for throttling guessing spread across many accounts.
CREATE TABLE sign_in_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    address TEXT NOT NULL,
    email TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX sign_in_failures_by_address ON sign_in_failures (address, failed_at);
