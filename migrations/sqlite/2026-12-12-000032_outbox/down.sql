ALTER TABLE users DROP COLUMN reminder_digest;
DROP TABLE reminder_opt_outs;
DROP TABLE reset_requests;
DROP TABLE account_links;
DROP TABLE outbox_attempts;
DROP TABLE outbox_messages;
