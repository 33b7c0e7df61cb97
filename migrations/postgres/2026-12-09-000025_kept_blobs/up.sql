-- A stored file kept for a document that must stay downloadable unchanged (an approved quality
-- report's PDF): the sweep of files nothing refers to never deletes it, whatever the evidence says.
ALTER TABLE blobs ADD COLUMN kept BOOLEAN NOT NULL DEFAULT FALSE;
