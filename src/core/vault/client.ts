/**
 * @module vault/client
 * VaultClient: every call the bot makes to Vault or OpenBao, typed, with errors mapped to CoreError.
 * JSON calls go through node-vault; snapshot, restore and health use plain HTTP (transport.ts)
 * because node-vault decodes binary bodies as text and hides status codes.
 */
import { Agent as HttpAgent } from 'node:http';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../clock.js';
import { CoreError, ErrorCode, isCoreError } from '../errors.js';
import { appRoleLogin, lookupSelf, renewSelf, type VaultJsonCall } from './auth.js';
import { parseHealth } from './health.js';
import { errorFromNetwork, errorFromResponse, errorsOf, httpStatusOf } from './map-error.js';
import { createNodeVault, isNodeVaultResponseError, type NodeVaultClient } from './node-vault.js';
import { TokenRenewer } from './renewal.js';
import { openSnapshot, restoreSnapshot } from './snapshot.js';
import { readJson, sendRaw, type VaultEndpoint } from './transport.js';
import { kvListRecursive, kvMetadata, kvReadVersion, kvWrite, mountInfo } from './kv.js';
import { cancelRekey, detectRekeyApi, readRekey, startRekey, type RekeyApi, type RekeyCalls, type RekeyRequest } from './rekey.js';
import { toAutopilotState, toKvWriteResult, toLeader, toRekeyStatus, toSealStatus, record } from './responses.js';
import type {
  AutopilotState,
  KvMetadata,
  KvWriteResult,
  MountInfo,
  RekeyStatus,
  RestoreOptions,
  VaultClientEvents,
  VaultClientOptions,
  VaultHealth,
  VaultLeader,
  VaultSealStatus,
  VaultTokenInfo,
} from './types.js';

/** An agent that opens no connection: used for plain-http hops of calls to an https Vault. */
const REFUSE_PLAIN_HTTP = new (class extends HttpAgent {
  override createConnection(): never {
    throw new Error('refusing to follow a redirect from https to plain http (it would send the Vault token unencrypted)');
  }
})();

export class VaultClient extends EventEmitter<VaultClientEvents> {
  readonly addr: string;
  private readonly options: VaultClientOptions;
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  private readonly requestTimeoutMs: number;
  private readonly snapshotIdleTimeoutMs: number;
  private readonly nodeVault: NodeVaultClient;
  private readonly endpoint: VaultEndpoint;
  private readonly renewer: TokenRenewer;
  private token: string | undefined;
  private info: VaultTokenInfo | undefined;
  private fullTtlSeconds = 0;
  private loggingIn: Promise<VaultTokenInfo> | undefined;

  constructor(options: VaultClientOptions) {
    super();
    const { addr, token, namespace, caCert, logger, requestTimeoutMs = 10_000, snapshotIdleTimeoutMs = 60_000, clock = systemClock } = options;
    this.options = options;
    this.addr = addr.replace(/\/+$/, '');
    this.token = token || undefined;
    this.clock = clock;
    this.logger = logger?.child({ component: 'vault', vaultAddr: this.addr });
    this.requestTimeoutMs = requestTimeoutMs;
    this.snapshotIdleTimeoutMs = snapshotIdleTimeoutMs;
    const ca = caCert ? [...rootCertificates, readCaBundle(caCert)] : undefined;
    this.nodeVault = createNodeVault({
      endpoint: this.addr,
      ...(namespace ? { namespace } : {}),
      rpDefaults: { strictSSL: true, timeout: requestTimeoutMs },
      ...(ca ? { requestOptions: { ca } } : {}),
    });
    this.endpoint = {
      addr: this.addr,
      ...(namespace ? { namespace } : {}),
      ...(ca ? { ca } : {}),
      token: () => this.token,
      secrets: () => this.secrets(),
    };
    this.renewer = new TokenRenewer({
      clock,
      ...(this.logger ? { logger: this.logger } : {}),
      current: () => this.info,
      fullTtlSeconds: () => this.fullTtlSeconds,
      renew: async () => (this.info = await renewSelf(this.json, this.info?.source ?? 'token', clock)),
      ...(options.appRole ? { relogin: () => this.login().then(() => this.info as VaultTokenInfo) } : {}),
      onRenewed: (info) => this.emit('renewed', info),
      onFailed: (error) => this.emit('renewalFailed', error),
    });
  }

  /** Same as `addr`; the name the backup ports use. */
  get address(): string {
    return this.addr;
  }

  /**
   * A client for another node of the same cluster (the cluster-wide seal, DESIGN §6), carrying
   * this client's current token: a cluster's tokens are valid on every node, so no second login.
   */
  forNode(addr: string): VaultClient {
    const { appRole: _appRole, token: _token, ...rest } = this.options;
    return new VaultClient({ ...rest, addr, ...(this.token ? { token: this.token } : {}) });
  }

  /** AppRole login, or `lookup-self` for a given token to learn its TTL. */
  async login(): Promise<void> {
    this.loggingIn ??= this.doLogin().finally(() => (this.loggingIn = undefined));
    await this.loggingIn;
  }

  /** What the client knows about its token (never the token itself). */
  tokenInfo(): VaultTokenInfo | undefined {
    return this.info && { ...this.info };
  }

  /** Renew before expiry from now on; safe to call before `login()`. */
  startRenewal(): void {
    this.renewer.start();
  }

  stop(): void {
    this.renewer.stop();
  }

  /** `sys/health`, any state; rejects only when Vault cannot be reached or answers something else. */
  async health(): Promise<VaultHealth> {
    const started = performance.now();
    const { response } = await sendRaw(this.endpoint, { method: 'GET', path: 'sys/health', authenticated: false, timeoutMs: this.requestTimeoutMs });
    const body = await readJson(response);
    const code = response.statusCode ?? 0;
    const health = parseHealth(code, body, Math.round(performance.now() - started));
    if (health) return health;
    throw errorFromResponse({ addr: this.addr, path: 'sys/health', method: 'GET', status: code, errors: errorsOf(body) });
  }

  async sealStatus(): Promise<VaultSealStatus> {
    return toSealStatus(await this.json('GET', 'sys/seal-status', { anonymous: true }));
  }

  /** `sys/leader`; a sealed HA node answers vault_sealed. */
  async leader(): Promise<VaultLeader> {
    return toLeader(await this.json('GET', 'sys/leader', { anonymous: true }));
  }

  /** Seals this node. Needs `update` and `sudo` on `sys/seal`. */
  async seal(): Promise<void> {
    await this.call('PUT', 'sys/seal', { body: {} });
  }

  /** Raft autopilot state; undefined when Vault has none yet or does not use raft. */
  async autopilotState(): Promise<AutopilotState | undefined> {
    try {
      return toAutopilotState(await this.call('GET', 'sys/storage/raft/autopilot/state'));
    } catch (error) {
      const status = httpStatusOf(error);
      if (status === 404 || (status === 400 && /raft storage is not in use/i.test(messageOf(error)))) return undefined;
      throw error;
    }
  }

  /** Progress of a rekey (`GET sys/rekey/init`). */
  async rekeyStatus(): Promise<RekeyStatus> {
    try {
      return toRekeyStatus(await this.json('GET', 'sys/rekey/init', this.token ? {} : { anonymous: true }));
    } catch (error) {
      if (httpStatusOf(error) !== 405) throw error;
      throw new CoreError(
        ErrorCode.VaultBadRequest,
        `the rekey endpoints are disabled on this OpenBao server (${this.addr}); OpenBao 2.5+ turns them off by default (listener option disable_unauthed_rekey_endpoints), its replacement is sys/rotate/root`,
        { cause: error },
      );
    }
  }

  /** Starts a rekey with new shares/threshold: `sys/rekey/init`, or OpenBao 2.5+'s `sys/rotate/root/init` after a 405. */
  startRekey(request: RekeyRequest): Promise<{ api: RekeyApi; status: RekeyStatus }> {
    return startRekey(this.rekeyCalls, request);
  }

  /** A rekey's progress on the API it was started on (`detectRekeyApi` when unknown). */
  readRekey(api: RekeyApi): Promise<RekeyStatus> {
    return readRekey(this.rekeyCalls, api);
  }

  detectRekeyApi(): Promise<{ api: RekeyApi; status: RekeyStatus }> {
    return detectRekeyApi(this.rekeyCalls);
  }

  cancelRekey(api: RekeyApi, nonce: string): Promise<void> {
    return cancelRekey(this.rekeyCalls, api, nonce);
  }

  private get rekeyCalls(): RekeyCalls {
    return { raw: (m, p, o = {}) => this.json(m, p, { ...o, ...(this.token ? {} : { anonymous: true }) }), authed: this.call };
  }

  /** Reads a KV secret by full API path (`secret/data/canary` for KV v2) and returns its key/values. */
  async readSecret(path: string): Promise<Record<string, unknown>> {
    const data = record(record(await this.call('GET', trimPath(path))).data);
    const inner = data.data;
    if ('metadata' in data) {
      // KV v2: a deleted or destroyed version has data null.
      if (inner && typeof inner === 'object') return inner as Record<string, unknown>;
      throw new CoreError(ErrorCode.VaultNotFound, `the secret at ${trimPath(path)} on Vault at ${this.addr} is deleted or destroyed`);
    }
    return data;
  }

  /** Writes a KV v2 secret (`secret/data/<name>`), creating a new version. */
  async writeSecret(path: string, data: Record<string, unknown>): Promise<KvWriteResult> {
    return toKvWriteResult(await this.call('POST', trimPath(path), { body: { data } }));
  }

  /** KV v2 metadata of `<mount>/<path>`; undefined when never written. See `kv.ts`. */
  kvMetadata(mount: string, path: string): Promise<KvMetadata | undefined> {
    return kvMetadata(this.call, mount, path);
  }

  /** The data of one KV v2 version (default current); rejects `vault_not_found` when deleted or absent. */
  kvReadVersion(mount: string, path: string, version?: number): Promise<Record<string, unknown>> {
    return kvReadVersion(this.call, mount, path, version);
  }

  /** Every KV v2 secret path under `prefix` (a folder ending in `/`, or ''), recursively. */
  kvListRecursive(mount: string, prefix: string): Promise<string[]> {
    return kvListRecursive(this.call, mount, prefix);
  }

  /** A new KV v2 version, with check-and-set on `cas` when given. */
  kvWrite(mount: string, path: string, data: Record<string, unknown>, cas?: number): Promise<KvWriteResult> {
    return kvWrite(this.call, mount, path, data, cas);
  }

  /** The mount serving `path` and its KV version (`sys/internal/ui/mounts`). */
  mountInfo(path: string): Promise<MountInfo | undefined> {
    return mountInfo(this.call, path);
  }

  /** Prometheus text from `sys/metrics` (needs `read` on it and Prometheus retention enabled). */
  async metrics(): Promise<string> {
    const body = await this.call('GET', 'sys/metrics?format=prometheus', { capability: 'read' });
    return typeof body === 'string' ? body : JSON.stringify(body);
  }

  /** The raft snapshot as Vault streams it; the stream errors on a stall or a broken connection. */
  async snapshot(): Promise<Readable> {
    return this.authed(() => openSnapshot(this.endpoint, this.snapshotIdleTimeoutMs));
  }

  /** Uploads a raft snapshot; `body` is called once per attempt (a standby's 307 means sending again). */
  async restoreSnapshot(body: () => Readable, opts: RestoreOptions): Promise<void> {
    await this.authed(() => restoreSnapshot(this.endpoint, body, opts.force, opts.timeoutMs ?? this.snapshotIdleTimeoutMs));
  }

  private async doLogin(): Promise<VaultTokenInfo> {
    const { appRole } = this.options;
    if (appRole) {
      const grant = await appRoleLogin(this.json, appRole, this.clock, this.addr);
      this.token = grant.token;
      this.setInfo(grant.info, grant.fullTtlSeconds);
    } else if (this.token) {
      const grant = await lookupSelf(this.json, this.clock, this.addr);
      this.setInfo(grant.info, grant.fullTtlSeconds);
    } else {
      throw new CoreError(ErrorCode.VaultAuthFailed, 'no Vault credentials are configured; set VAULT_TOKEN, or VAULT_ROLE_ID and VAULT_SECRET_ID');
    }
    const info = this.info as VaultTokenInfo;
    this.logger?.info({ source: info.source, ttlSeconds: info.ttlSeconds, renewable: info.renewable }, 'authenticated to Vault');
    this.emit('login', { ...info });
    this.renewer.reset(info);
    return info;
  }

  private setInfo(info: VaultTokenInfo, fullTtlSeconds: number): void {
    this.info = info;
    this.fullTtlSeconds = fullTtlSeconds;
  }

  /** Runs an authenticated call; with AppRole, logs in first if needed and once more if the token was refused. */
  private async authed<T>(run: () => Promise<T>): Promise<T> {
    if (this.options.appRole && !this.token) await this.login();
    const used = this.token;
    try {
      return await run();
    } catch (error) {
      const refused = isCoreError(error, ErrorCode.VaultPermissionDenied) || isCoreError(error, ErrorCode.VaultAuthFailed);
      if (!this.options.appRole || !refused) throw error;
      // The token may have expired or been replaced by a restore; a fresh login settles that. But
      // a policy that denies this path would mint a new token on every call (each using up a
      // secret-id use): older Vault and OpenBao say only "permission denied" for both, so ask.
      if (this.token === used && (isCoreError(error, ErrorCode.VaultAuthFailed) || !(await this.tokenStillValid()))) await this.login();
      else if (this.token === used) throw error;
      return run();
    }
  }

  private async tokenStillValid(): Promise<boolean> {
    try {
      await this.json('GET', 'auth/token/lookup-self');
      return true;
    } catch {
      return false;
    }
  }

  private call: VaultJsonCall = (method, path, options = {}) => this.authed(() => this.json(method, path, options));

  /** One JSON call through node-vault, errors mapped. */
  private json: VaultJsonCall = async (method, path, options = {}) => {
    const headers: Record<string, string> = {};
    if (!options.anonymous && this.token) headers['X-Vault-Token'] = this.token;
    const logicalPath = path.split('?')[0] ?? path;
    const ctx = { addr: this.addr, path: logicalPath, method, secrets: this.secrets(), timeoutMs: this.requestTimeoutMs };
    try {
      return await this.nodeVault.request({
        path: `/${path}`, method, headers, ...(options.body === undefined ? {} : { json: options.body }),
        // axios follows a 307 by itself and keeps X-Vault-Token; from an https Vault, a redirect to
        // plain http must not carry the token in the clear (transport.ts refuses it for snapshots).
        ...(this.addr.startsWith('https:') ? { httpAgent: REFUSE_PLAIN_HTTP } : {}),
      });
    } catch (error) {
      if (!isNodeVaultResponseError(error)) throw errorFromNetwork(error, ctx);
      const { statusCode, body } = error.response;
      const mapped = errorFromResponse({ ...ctx, ...(options.capability ? { capability: options.capability } : {}), status: statusCode, errors: errorsOf(body) });
      this.logger?.debug({ method, path: logicalPath, status: statusCode, code: mapped.code }, 'Vault call failed');
      throw mapped;
    }
  };

  private secrets(): (string | undefined)[] {
    return [this.token, this.options.token, this.options.appRole?.secretId];
  }
}

function readCaBundle(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CoreError(ErrorCode.ConfigInvalid, `cannot read the CA bundle VAULT_CACERT=${file}; give the path of a PEM file`, { cause: error });
  }
}

function trimPath(path: string): string {
  return path.replace(/^\/+/, '').replace(/^v1\//, '');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
