ALTER TABLE organisations DROP COLUMN nhs_domain_applies;
