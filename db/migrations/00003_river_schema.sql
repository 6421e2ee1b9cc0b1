-- River's job queue lives in a schema of its own, so its tables stay out of the public schema, where every table
-- is a tenant table (internal/store/tenancy_test.go walks it). River's own migrator creates the tables right after
-- goose (store.Migrate), as this same owner role; the default privileges below are what let the app role use them.
-- River's rows are not tenant data: a worker fetches jobs of every tenant before it knows whose job it holds, so
-- row-level security cannot apply. Job arguments therefore carry ids only, never secrets or personal data.

-- +goose Up
CREATE SCHEMA river;
GRANT USAGE ON SCHEMA river TO profitline_app;
-- Not CREATE: the app role must not add objects, only read and write River's rows (fetch, insert, complete, elect
-- a leader, clean up old jobs).
ALTER DEFAULT PRIVILEGES IN SCHEMA river GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO profitline_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA river GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO profitline_app;

-- +goose Down
ALTER DEFAULT PRIVILEGES IN SCHEMA river REVOKE USAGE, SELECT, UPDATE ON SEQUENCES FROM profitline_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA river REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM profitline_app;
-- CASCADE: River's tables, created by its migrator rather than by goose, go with the schema.
DROP SCHEMA river CASCADE;
