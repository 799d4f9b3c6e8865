-- Which Vault cluster each backup was taken from (issue 7): `cluster_id` from sys/health, also
-- kept in the object's metadata as `cluster`. A restore request says when the backup came from
-- another cluster than its target; NULL for backups recorded before this column existed.
ALTER TABLE backups ADD COLUMN cluster TEXT;
