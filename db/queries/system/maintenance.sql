-- name: AnalyzeSyncedTables :one
-- Gathers the statistics of the tables a sync fills (see migration 00014).
SELECT system.analyze_synced_tables()::boolean AS analyzed;
