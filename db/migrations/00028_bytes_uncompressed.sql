-- Every bytea column is stored without compression. Each holds bytes no compressor can shrink: AES-GCM ciphertext
-- (the sealed records, tokens, emails and webhook bodies), hashes, keyed indexes and wrapped keys. Postgres still
-- tries (pglz) on each such value of a row over about 2 KB before it moves the value out of line, and a quarter of a
-- synced shop's settlement rows carry a sealed record over 2,000 bytes on their own: the attempt showed as about 1%
-- of the machine's samples in the 100,000-order sync. EXTERNAL keeps the out-of-line storage and skips the attempt;
-- rows already written stay as they are. A new bytea column needs the same (store_test holds every one to it).

-- +goose Up
-- +goose StatementBegin
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT a.attrelid::regclass AS tbl, a.attname AS col
        FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid JOIN pg_namespace n ON n.oid = r.relnamespace
        WHERE n.nspname = 'public' AND r.relkind = 'r' AND a.atttypid = 'bytea'::regtype AND a.attnum > 0
          AND NOT a.attisdropped
    LOOP
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STORAGE EXTERNAL', c.tbl, c.col);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT a.attrelid::regclass AS tbl, a.attname AS col
        FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid JOIN pg_namespace n ON n.oid = r.relnamespace
        WHERE n.nspname = 'public' AND r.relkind = 'r' AND a.atttypid = 'bytea'::regtype AND a.attnum > 0
          AND NOT a.attisdropped
    LOOP
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STORAGE EXTENDED', c.tbl, c.col);
    END LOOP;
END $$;
-- +goose StatementEnd
