-- Whether the sector-specific (NHS) standards, domain 6 (SS), apply to a provider. NULL: by
-- default, which is yes for an NHS provider or one with a current NHS commissioner contract.
ALTER TABLE organisations ADD COLUMN nhs_domain_applies BOOLEAN;
