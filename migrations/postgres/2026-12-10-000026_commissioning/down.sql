DROP INDEX evidence_items_by_document_kind;
ALTER TABLE evidence_items DROP COLUMN document_kind;
DROP TABLE esr_declarations;
DROP TABLE customer_reviews;
