# vault-chatops: policy for the staging Vault's token (VAULT_STAGING_TOKEN), used by the weekly
# restore test and the drills. Exactly what the bot does with that token; checked by
# test/deploy/vault-policy.test.ts like the production policy.
#
#   VAULT_ADDR=$VAULT_STAGING_ADDR vault policy write vault-chatops deploy/vault/vault-chatops-staging.hcl
#
# After a restore, staging holds production's data and tokens: the canary and recovery reads there
# use production's credentials (and vault-chatops.hcl), not this token. A fresh restore also
# replaces this token, so it must exist in production too (same policy name, same token), or be
# re-created after each restore test.

path "auth/token/lookup-self" {
  capabilities = ["read"]
}
path "auth/token/renew-self" {
  capabilities = ["update"]
}

# The safety snapshot taken before restoring over staging, and the restore itself (staging restores
# always use -force: the snapshot comes from another cluster).
path "sys/storage/raft/snapshot" {
  capabilities = ["read"]
}
path "sys/storage/raft/snapshot-force" {
  capabilities = ["update"]
}
