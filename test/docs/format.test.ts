/**
 * docs/FORMAT.md against the code: the metadata keys it lists are the ones written, its object
 * names parse, and its known-answer vector is the one the crypto test pins and decrypts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildMetadata } from '../../src/core/backup/metadata.js';
import { objectKeyFor, parseObjectKey } from '../../src/core/backup/object-names.js';
import { decrypt, ring } from '../core/crypto/helpers.js';

const DOC = readFileSync('docs/FORMAT.md', 'utf8');

describe('docs/FORMAT.md', () => {
  it('lists every metadata key the pipeline writes', () => {
    const written = Object.keys(buildMetadata({
      stored: { digest: () => 'a' }, plain: { digest: () => 'b', bytes: 1 }, keyId: 'k1', vaultVersion: '1.19.0',
      createdAt: new Date(0), kind: 'daily', auditHead: { id: 1, hash: '0'.repeat(64) }, cluster: 'vault-cluster-1',
    } as Parameters<typeof buildMetadata>[0]));
    const documented = [...DOC.matchAll(/^\| `([a-z0-9-]+)` \| /gm)].map((m) => m[1]);
    for (const key of written) expect(documented).toContain(key);
    const sidecar = JSON.parse(/```json\n([\s\S]*?)```/.exec(DOC)?.[1] ?? '{}') as Record<string, string>;
    expect(Object.keys(sidecar).sort()).toEqual(written.filter((k) => k !== 'cluster').sort());
  });

  it('names objects as the code does', () => {
    for (const kind of ['daily', 'monthly', 'manual', 'pre-restore'] as const) {
      const example = objectKeyFor(kind, new Date('2025-11-26T02:00:00Z'));
      const pattern = example.replace('2025-11', 'YYYY-MM').replace('YYYY-MM-26', 'YYYY-MM-DD').replace('20251126-020000', 'YYYYMMDD-HHMMSS');
      expect(DOC).toContain(`\`${pattern}\``);
    }
    expect(parseObjectKey('daily/2025-11-26/vault-snapshot-20251126-020000.enc')?.kind).toBe('daily');
  });

  it('gives the known-answer vector the crypto test pins, and it decrypts to "vault"', async () => {
    const block = /\*\*Known-answer vector\.\*\*[\s\S]*?```\n([\s\S]*?)```/.exec(DOC)?.[1] ?? '';
    const hex = block.split('\n').map((l) => l.replace(/^(header|chunk \d)\s+/, '').replace(/\s+/g, '')).join('');
    const pinned = readFileSync('test/core/crypto/vcbk1-vector.test.ts', 'utf8');
    const parts = [...(/const vector =([\s\S]*?);/.exec(pinned)?.[1] ?? '').matchAll(/'([0-9a-f]+)'/g)].map((m) => m[1]).join('');
    expect(hex).toBe(parts);
    expect((await decrypt(Buffer.from(hex, 'hex'), ring({ id: 'k1', key: Buffer.from(Array.from({ length: 32 }, (_, i) => i)) }))).toString()).toBe('vault');
  });
});
