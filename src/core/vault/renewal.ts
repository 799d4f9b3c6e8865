/**
 * @module vault/renewal
 * Keeps the client's token alive: renew-self at about 2/3 of the TTL, AppRole re-login when the
 * token cannot be renewed or renewal stops extending it (max TTL near), retries with backoff on
 * failure. Tokens without a TTL (root) are left alone. Never logs a token.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { ErrorCode, isCoreError } from '../errors.js';
import type { VaultTokenInfo } from './types.js';

export interface TokenRenewerDeps {
  clock: Clock;
  logger?: Logger;
  /** The token state right now. */
  current(): VaultTokenInfo | undefined;
  /** The TTL a full renewal gives (to notice when max TTL caps it). */
  fullTtlSeconds(): number;
  renew(): Promise<VaultTokenInfo>;
  /** Present with AppRole credentials: get a fresh token (the caller announces the login). */
  relogin?: () => Promise<VaultTokenInfo>;
  /** After a successful renew-self (not after a re-login). */
  onRenewed(info: VaultTokenInfo): void;
  onFailed(error: Error): void;
}

const RENEW_AT = 2 / 3;
const MAX_RETRY_MS = 30_000;
const MIN_DELAY_MS = 500;
const MIN_RETRY_MS = 250;

export class TokenRenewer {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private capped = false;
  private failures = 0;

  constructor(private readonly deps: TokenRenewerDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(this.deps.current());
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A new login happened elsewhere (e.g. after a 403): plan from its TTL. */
  reset(info: VaultTokenInfo): void {
    this.capped = false;
    this.failures = 0;
    if (this.running) this.schedule(info);
  }

  private schedule(info: VaultTokenInfo | undefined): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running || !info || info.ttlSeconds === 0) return;
    if (!info.renewable && !this.deps.relogin) {
      this.deps.logger?.warn({ expiresAt: info.expiresAt?.toISOString() }, 'the Vault token is not renewable; replace VAULT_TOKEN before it expires');
      return;
    }
    this.later(Math.max(MIN_DELAY_MS, this.remainingMs(info) * RENEW_AT));
  }

  private later(ms: number): void {
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const before = this.deps.current();
    if (!this.running || !before) return;
    try {
      const { next, renewed } = await this.refresh(before);
      if (!this.running) return;
      this.failures = 0;
      if (renewed) this.deps.onRenewed(next);
      if (renewed && next.ttlSeconds <= 1 && !this.deps.relogin) {
        this.deps.logger?.error('the Vault token reached its max TTL and expires now; supply a new VAULT_TOKEN');
        return;
      }
      // A renewal that grants nothing means the token dies now: log in again at once.
      if (renewed && next.ttlSeconds === 0) this.later(0);
      else this.schedule(next);
    } catch (error) {
      if (!this.running) return;
      this.failures += 1;
      const err = error instanceof Error ? error : new Error(String(error));
      // Back off, but try again well before a short-lived token runs out.
      const remaining = this.remainingMs(before);
      const backoff = Math.min(MAX_RETRY_MS, 1000 * 2 ** (this.failures - 1));
      const retryMs = Math.max(MIN_RETRY_MS, remaining > 0 ? Math.min(backoff, remaining / 3) : backoff);
      this.deps.logger?.warn(
        { code: isCoreError(err) ? err.code : undefined, reason: err.message, attempt: this.failures, retryInMs: retryMs },
        'Vault token renewal failed; retrying',
      );
      this.deps.onFailed(err);
      this.later(retryMs);
    }
  }

  private async refresh(info: VaultTokenInfo): Promise<{ next: VaultTokenInfo; renewed: boolean }> {
    const relogin = this.deps.relogin;
    if (relogin && (!info.renewable || this.capped || this.remainingMs(info) <= 0)) return this.login(relogin, 'the token cannot be extended further');
    let next: VaultTokenInfo;
    try {
      next = await this.deps.renew();
    } catch (error) {
      const refused = isCoreError(error, ErrorCode.VaultPermissionDenied) || isCoreError(error, ErrorCode.VaultAuthFailed) || isCoreError(error, ErrorCode.VaultBadRequest);
      if (relogin && refused) return this.login(relogin, 'renewal was refused');
      throw error;
    }
    // Vault caps a renewal at the token's max TTL: from now on renewing buys less and less time.
    if (!this.capped && next.ttlSeconds < this.deps.fullTtlSeconds()) {
      this.capped = true;
      this.deps.logger?.info({ ttlSeconds: next.ttlSeconds, expiresAt: next.expiresAt?.toISOString() }, 'the Vault token is near its max TTL');
    }
    this.deps.logger?.debug({ ttlSeconds: next.ttlSeconds }, 'renewed the Vault token');
    return { next, renewed: true };
  }

  private async login(relogin: () => Promise<VaultTokenInfo>, why: string): Promise<{ next: VaultTokenInfo; renewed: boolean }> {
    const next = await relogin();
    this.capped = false;
    this.deps.logger?.info({ ttlSeconds: next.ttlSeconds, why }, 'logged in to Vault again with AppRole');
    return { next, renewed: false };
  }

  private remainingMs(info: VaultTokenInfo): number {
    return info.expiresAt ? info.expiresAt.getTime() - this.deps.clock().getTime() : 0;
  }
}
