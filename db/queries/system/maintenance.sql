-- name: AnalyzeTables :one
-- Gathers the statistics of the synced tables named (see migrations 00014 and 00018); any other name is an error.
SELECT system.analyze_tables(@tables::text[])::integer AS analyzed;
