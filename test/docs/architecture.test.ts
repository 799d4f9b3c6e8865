/** docs/ARCHITECTURE.md names real places: every source path it mentions exists. */
import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

it('every file and folder docs/ARCHITECTURE.md names exists', () => {
  const doc = readFileSync('docs/ARCHITECTURE.md', 'utf8').replace(/```[\s\S]*?```/g, '');
  const named = new Set<string>();
  for (const cell of doc.matchAll(/`([^`\n]+)`/g)) {
    const text = cell[1] ?? '';
    const m = /^(?:src\/)?((?:core|bot|handlers|cli|format|metrics)(?:\/[\w.-]+)*)$/.exec(text);
    if (m?.[1]) named.add(`src/${m[1]}`);
  }
  expect(named.size).toBeGreaterThan(30);
  const missing = [...named].filter((p) => !existsSync(p) && !existsSync(`${p}.ts`));
  expect(missing).toEqual([]);
});
