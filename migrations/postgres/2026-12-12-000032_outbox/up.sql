-- Email (issue 17). Every message is written to the outbox in the transaction of the change that
-- caused it, under a key that makes the same message impossible to queue twice; a sender drains it,
-- recording each attempt. Invitation and reset links are kept as hashes, single-use and dated.
-- People's reminder choices: the kinds they turned off, and a weekly digest instead of single
-- messages. The SQLite migration of the same name does the same.
CREATE TABLE outbox_messages (
    id SERIAL PRIMARY KEY,
    message_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    provider_id INTEGER REFERENCES organisations (id),
    recipient_user_id INTEGER REFERENCES users (id),
    recipient_email TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    queued_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    failed_at TIMESTAMP,
    claimed_by TEXT,
    claimed_until TIMESTAMP,
    CONSTRAINT outbox_messages_kind_check CHECK (kind IN ('invitation', 'password_reset', 'password_changed', 'api_token_created', 'registration_due', 'revalidation_due', 'appraisal_overdue', 'cpd_short', 'supervision_overdue', 'evidence_review_due', 'evidence_review_overdue', 'arrangement_ending', 'action_due', 'action_overdue', 'standard_contradicted', 'customer_review_due', 'sign_off_requested', 'weekly_digest')),
    CONSTRAINT outbox_messages_status_check CHECK (status IN ('queued', 'sent', 'failed'))
);
CREATE INDEX outbox_messages_due ON outbox_messages (status, next_attempt_at);
CREATE INDEX outbox_messages_provider ON outbox_messages (provider_id);

CREATE TABLE outbox_attempts (
    id SERIAL PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES outbox_messages (id),
    attempted_at TIMESTAMP NOT NULL,
    sender TEXT NOT NULL,
    error TEXT
);
CREATE INDEX outbox_attempts_message ON outbox_attempts (message_id);

CREATE TABLE account_links (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    purpose TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users (id),
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    CONSTRAINT account_links_purpose_check CHECK (purpose IN ('invitation', 'password_reset'))
);
CREATE INDEX account_links_user ON account_links (user_id);

CREATE TABLE reset_requests (
    id SERIAL PRIMARY KEY,
    address TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL
);
CREATE INDEX reset_requests_address ON reset_requests (address, requested_at);

CREATE TABLE reminder_opt_outs (
    user_id INTEGER NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    chosen_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, kind),
    CONSTRAINT reminder_opt_outs_kind_check CHECK (kind IN ('registration_due', 'revalidation_due', 'appraisal_overdue', 'cpd_short', 'supervision_overdue', 'evidence_review_due', 'evidence_review_overdue', 'arrangement_ending', 'action_due', 'action_overdue', 'standard_contradicted', 'customer_review_due'))
);

ALTER TABLE users ADD COLUMN reminder_digest BOOLEAN NOT NULL DEFAULT FALSE;
