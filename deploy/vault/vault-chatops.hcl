# vault-chatops: policy for the bot's production credentials (VAULT_TOKEN, or the AppRole
# VAULT_ROLE_ID + VAULT_SECRET_ID). Exactly the paths and capabilities the bot's Vault client uses;
# test/deploy/vault-policy.test.ts records every call the client makes and fails when one is not
# granted here. Works on Vault and OpenBao.
#
#   vault policy write vault-chatops deploy/vault/vault-chatops.hcl
#   vault write auth/approle/role/vault-chatops token_policies=vault-chatops token_ttl=1h token_max_ttl=24h
#
# Not listed because no policy is needed: sys/health, sys/seal-status, sys/leader (unauthenticated),
# sys/internal/ui/mounts/* (Vault answers it for any token, listing only what the token may use),
# auth/approle/login.

# Token lifetime: in Vault's built-in `default` policy too; listed so this policy also works for a
# token created with -no-default-policy.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
path "auth/token/renew-self" {
  capabilities = ["update"]
}

# Backups: stream a raft snapshot (daily, monthly, manual, and the safety snapshot before a restore).
# Restores: upload one (update), with -force when restoring a snapshot of another cluster.
path "sys/storage/raft/snapshot" {
  capabilities = ["read", "update"]
}
path "sys/storage/raft/snapshot-force" {
  capabilities = ["update"]
}

# /vault seal (two approvals): seal needs sudo.
path "sys/seal" {
  capabilities = ["update", "sudo"]
}

# Health checks: raft autopilot state, and Vault's own metrics for /metrics and the latency check.
path "sys/storage/raft/autopilot/state" {
  capabilities = ["read"]
}
path "sys/metrics" {
  capabilities = ["read"]
}

# Rekey (new unseal-key shares, DESIGN §11): the bot starts it, reads its progress and cancels it;
# key holders send their shares themselves (sys/rekey/update is not the bot's). Vault 2.0 requires
# a token here (Vault 1.x ignores it).
path "sys/rekey/init" {
  capabilities = ["read", "update", "delete"]
}
# OpenBao 2.5+ turns sys/rekey off by default and serves this authenticated replacement.
path "sys/rotate/root/init" {
  capabilities = ["read", "update", "delete"]
}

# KV v2 secrets: the canary read after every restore (VAULT_CANARY_PATH, unless VAULT_CANARY_TOKEN
# reads it), rotation (DESIGN §11: read, write a new version with check-and-set, list what the
# rules match) and recovery from a backup (DESIGN §12: write the recovered version back).
# Narrow "secret/" to the mounts and prefixes your ROTATION_RULES and recoveries use.
path "secret/data/*" {
  capabilities = ["create", "read", "update"]
}
path "secret/metadata/*" {
  capabilities = ["read", "list"]
}
