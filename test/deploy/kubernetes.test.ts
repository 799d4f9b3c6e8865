/**
 * deploy/kubernetes: every manifest validates against the Kubernetes schemas (kubernetes-models,
 * and @kubernetes-models/prometheus-operator for the ServiceMonitor), the probes and the Service
 * point at routes and a port the bot really serves, and every configuration variable is wired
 * (ConfigMap or Secret) so that the wiring loads as a valid configuration.
 *
 * Rendering: `kubectl kustomize` when kubectl is on PATH (base, and an overlay with the
 * ServiceMonitor component); otherwise the files named in the kustomizations, as written.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ConfigMap, PersistentVolumeClaim, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { healthRoutes } from '../../src/bot/health-routes.js';
import { loadConfig } from '../../src/core/config/index.js';
import { VARIABLES } from '../../src/core/config/variables.js';

const BASE = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url));
const COMPONENT = join(BASE, 'components/servicemonitor');

/** DESIGN §3, as written there (the code's catalogue, VARIABLES, is checked too). */
const DESIGN_SECTION_3 = [
  'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_API_URL', 'PORT', 'SLACK_OPS_CHANNEL', 'SLACK_ONCALL_GROUP',
  'SLACK_APPROVERS', 'SLACK_APPROVER_GROUP', 'VAULT_ADDR', 'VAULT_TOKEN', 'VAULT_ROLE_ID', 'VAULT_SECRET_ID', 'VAULT_NAMESPACE',
  'VAULT_CACERT', 'VAULT_NODE_ADDRS', 'VAULT_CANARY_TOKEN', 'VAULT_STAGING_ADDR', 'VAULT_STAGING_TOKEN', 'VAULT_CANARY_PATH',
  'BACKUP_STORE', 'S3_ENDPOINT', 'S3_REGION', 'S3_FORCE_PATH_STYLE', 'BACKUP_KEYS', 'BACKUP_ACTIVE_KEY', 'DATA_DIR', 'BACKUP_CRON',
  'MONTHLY_CRON', 'RESTORE_TEST_CRON', 'HEALTH_CRON', 'RETAIN_DAILY', 'RETAIN_MONTHLY', 'AUDIT_KEY', 'ALERT_REMIND_MINUTES',
  'ALERT_AFTER_FAILURES', 'LATENCY_WARN_MS', 'PAGERDUTY_ROUTING_KEY', 'PAGERDUTY_EVENTS_URL', 'ROTATION_RULES', 'REKEY_SHARES',
  'REKEY_THRESHOLD', 'REKEY_PGP_KEYS', 'DRILL_CRON', 'RTO_RESTORE_MINUTES', 'RTO_ROTATION_MINUTES', 'RTO_ALERT_MINUTES', 'LOG_LEVEL',
];
/** Not ours but read from the environment: the AWS SDK's default credential chain for S3. */
const AWS_CREDENTIALS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];
/** `npm run bench`: peak RSS backing up a 1 GiB snapshot (README, Measured). */
const MEASURED_PEAK_RSS_MIB = 141;

type Doc = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [k: string]: unknown };

const parse = (text: string): Doc[] => parseAllDocuments(text).map((d) => d.toJS() as Doc).filter((d) => d !== null);
const readYaml = (file: string): Doc[] => parse(readFileSync(file, 'utf8'));
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

const tmp = mkdtempSync(join(tmpdir(), 'vc-k8s-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function render(dir: string): Doc[] {
  if (hasKubectl) return parse(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' }));
  const k = readYaml(join(dir, 'kustomization.yaml'))[0] as unknown as { resources?: string[]; components?: string[] };
  return [...(k.resources ?? []).flatMap((r) => (r.endsWith('.yaml') ? readYaml(join(dir, r)) : render(join(dir, r)))), ...(k.components ?? []).flatMap((c) => render(join(dir, c)))];
}

function withComponent(): Doc[] {
  const overlay = join(tmp, 'overlay');
  rmSync(overlay, { recursive: true, force: true });
  execFileSync('mkdir', ['-p', overlay]);
  writeFileSync(
    join(overlay, 'kustomization.yaml'),
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ${relative(overlay, BASE)}\ncomponents:\n  - ${relative(overlay, COMPONENT)}\n`,
  );
  return render(overlay);
}

const MODELS: Record<string, new (doc: never) => { validate(): void }> = {
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

function validate(doc: Doc): void {
  const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
  if (!Model) throw new Error(`no schema for ${doc.apiVersion} ${doc.kind} (${doc.metadata?.name}); add it to MODELS`);
  new Model(doc as never).validate();
}

const one = <T = Doc>(docs: Doc[], kind: string): T => {
  const found = docs.filter((d) => d.kind === kind);
  expect(found, `exactly one ${kind}`).toHaveLength(1);
  return found[0] as T;
};

interface Container {
  ports: { name: string; containerPort: number }[];
  envFrom: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  volumeMounts: { name: string; mountPath: string }[];
  readinessProbe: { httpGet: { path: string; port: string | number } };
  livenessProbe: { httpGet: { path: string; port: string | number } };
  resources: { requests: { memory: string }; limits: { memory: string } };
  securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean; capabilities: { drop: string[] } };
}
interface DeploymentDoc {
  spec: {
    replicas: number;
    strategy: { type: string };
    template: {
      spec: {
        securityContext: { runAsNonRoot: boolean; runAsUser: number };
        containers: Container[];
        volumes: { name: string; persistentVolumeClaim?: { claimName: string }; emptyDir?: unknown }[];
      };
    };
  };
}

const mebibytes = (q: string): number => {
  const m = /^(\d+)(Mi|Gi)$/.exec(q);
  if (!m) throw new Error(`memory quantity ${q} is not in Mi or Gi`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
};

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  const base = render(BASE);
  const secret = one<Doc & { stringData: Record<string, string> }>(readYaml(join(BASE, 'secret.example.yaml')), 'Secret');
  const configMap = one<Doc & { data: Record<string, string> }>(base, 'ConfigMap');
  const deployment = one<DeploymentDoc & Doc>(base, 'Deployment');
  const container = deployment.spec.template.spec.containers[0] as Container;

  it('validates every manifest against the Kubernetes schemas, the optional ServiceMonitor too', () => {
    expect(base.map((d) => d.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'PersistentVolumeClaim', 'Service', 'ServiceAccount']);
    for (const doc of [...base, secret]) expect(() => validate(doc), `${doc.kind} ${doc.metadata.name}`).not.toThrow();
    const monitored = withComponent();
    const monitor = one(monitored, 'ServiceMonitor');
    expect(() => validate(monitor)).not.toThrow();
    // The validation is real: a wrong type is refused.
    expect(() => validate({ ...deployment, spec: { ...deployment.spec, replicas: 'one' } } as unknown as Doc)).toThrow();
  });

  it('lists every manifest file in a kustomization, except the Secret example', () => {
    const files = readdirSync(BASE).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    const listed = (readYaml(join(BASE, 'kustomization.yaml'))[0] as unknown as { resources: string[] }).resources;
    expect(files.filter((f) => !listed.includes(f))).toEqual(['secret.example.yaml']);
  });

  it('runs one non-root replica with Recreate, a read-only root, /tmp in memory-backed scratch and /data on the claim', () => {
    const spec = deployment.spec;
    expect(spec.replicas).toBe(1);
    expect(spec.strategy.type).toBe('Recreate');
    const pod = spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    const mount = (path: string) => pod.volumes.find((v) => v.name === container.volumeMounts.find((m) => m.mountPath === path)?.name);
    expect(mount('/tmp')?.emptyDir).toBeDefined();
    const claim = one<Doc>(base, 'PersistentVolumeClaim');
    expect(mount('/data')?.persistentVolumeClaim?.claimName).toBe(claim.metadata.name);
    expect(configMap.data.DATA_DIR).toBe('/data');
  });

  it('probes /healthz and serves /metrics on the port the bot listens on', () => {
    const routes = healthRoutes({ database: () => {}, vault: async () => ({}) }).map((r) => r.path);
    const port = container.ports.find((p) => p.name === 'http');
    expect(port?.containerPort).toBe(Number(configMap.data.PORT));
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      expect(probe.httpGet.path).toBe('/healthz');
      expect(routes).toContain(probe.httpGet.path);
      expect(probe.httpGet.port).toBe('http');
    }
    const service = one<Doc & { spec: { ports: { name: string; targetPort: string }[]; selector: Record<string, string> } }>(base, 'Service');
    expect(service.spec.ports[0]?.targetPort).toBe('http');
    const podLabels = (deployment.spec.template as unknown as { metadata: { labels: Record<string, string> } }).metadata.labels;
    for (const [k, v] of Object.entries(service.spec.selector)) expect(podLabels[k], `pod label ${k}`).toBe(v);
    const monitor = one<Doc & { spec: { endpoints: { port: string; path: string }[] } }>(withComponent(), 'ServiceMonitor');
    expect(routes).toContain(monitor.spec.endpoints[0]?.path);
    expect(service.spec.ports.map((p) => p.name)).toContain(monitor.spec.endpoints[0]?.port);
  });

  it('requests memory from the measured peak with headroom, and limits above it', () => {
    const { requests, limits } = container.resources;
    expect(mebibytes(requests.memory)).toBeGreaterThanOrEqual(MEASURED_PEAK_RSS_MIB * 1.5);
    expect(mebibytes(limits.memory)).toBeGreaterThanOrEqual(mebibytes(requests.memory));
  });

  it('wires every variable once: secrets only in the Secret, the rest in the ConfigMap', () => {
    expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }, { secretRef: { name: secret.metadata.name } }]);
    const inConfig = Object.keys(configMap.data);
    const inSecret = Object.keys(secret.stringData);
    const wired = [...inConfig, ...inSecret];
    const names = [...new Set([...Object.keys(VARIABLES), ...DESIGN_SECTION_3])];
    expect(names.filter((n) => !wired.includes(n)), 'variables missing from configmap.yaml and secret.example.yaml').toEqual([]);
    expect(wired.filter((n, i) => wired.indexOf(n) !== i), 'wired twice').toEqual([]);
    expect(wired.filter((n) => !names.includes(n) && !AWS_CREDENTIALS.includes(n)), 'not a variable the bot reads').toEqual([]);
    const secretNames = Object.entries(VARIABLES).filter(([, v]) => 'secret' in v && v.secret).map(([k]) => k);
    expect(inConfig.filter((n) => secretNames.includes(n)), 'secrets in the ConfigMap').toEqual([]);
  });

  it('loads as a valid configuration once the required values are filled in, and names each missing one otherwise', () => {
    const shipped = { ...configMap.data, ...secret.stringData };
    const blank = loadConfig(shipped, ['slack', 'vault', 'backup']);
    expect(blank.ok).toBe(false);
    const problems = blank.ok ? [] : blank.problems;
    for (const required of ['SLACK_BOT_TOKEN', 'SLACK_OPS_CHANNEL', 'VAULT_ADDR', 'BACKUP_KEYS']) {
      expect(problems.filter((p) => p.startsWith(required)), `one line for ${required}`).toHaveLength(1);
    }
    const filled = loadConfig(
      {
        ...shipped,
        SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
        SLACK_APP_TOKEN: 'xapp-1-A1-2-abc',
        SLACK_OPS_CHANNEL: 'C0123456789',
        SLACK_APPROVERS: 'U0123456789,U0987654321',
        VAULT_ADDR: 'https://vault.vault.svc:8200',
        VAULT_TOKEN: 'hvs.example',
        BACKUP_KEYS: `k1:${randomBytes(32).toString('base64')}`,
        AUDIT_KEY: 'a-long-enough-audit-key-0123456789',
      },
      ['slack', 'vault', 'backup'],
    );
    expect(filled.ok ? [] : filled.problems).toEqual([]);
    if (filled.ok) {
      expect(filled.config.dataDir).toBe('/data');
      expect(filled.config.port).toBe(3000);
    }
  });
});
