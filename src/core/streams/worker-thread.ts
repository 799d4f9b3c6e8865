/**
 * @module streams/worker-thread
 * Starts a worker thread from one of our modules, whether the code runs compiled (dist/*.js, as
 * the bot and the benchmark run it) or from TypeScript source under tsx or vitest (src/*.ts).
 *
 * Node 20 does not apply the parent's TypeScript loader to a worker, and `--import tsx` in the
 * worker's execArgv registers its hooks too late for the entry module. So for a `.ts` module a
 * one-line bootstrap registers tsx's hooks first and then imports the entry; compiled code gets
 * the `.js` file directly and never needs tsx (a dev dependency).
 *
 * Every worker started here is counted until it exits, so tests can prove none is leaked.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const live = new Set<Worker>();

/** Worker threads started by startModuleWorker that have not exited yet. */
export function liveWorkerCount(): number {
  return live.size;
}

/**
 * @param sibling the entry's file name without extension, next to `fromUrl` (e.g. 'x-worker')
 * @param fromUrl `import.meta.url` of the module starting it
 */
export function startModuleWorker(sibling: string, fromUrl: string, options: WorkerOptions = {}): Worker {
  const fromSource = fromUrl.endsWith('.ts');
  const entry = new URL(`./${sibling}${fromSource ? '.ts' : '.js'}`, fromUrl);
  const worker = fromSource
    ? new Worker(`import(${JSON.stringify(tsxApiUrl(fromUrl))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`, { ...options, eval: true })
    : new Worker(entry, options);
  live.add(worker);
  worker.once('exit', () => live.delete(worker));
  return worker;
}

/** tsx's ESM API (`tsx/esm/api`, import condition), resolved from the calling module. */
function tsxApiUrl(fromUrl: string): string {
  const packageJson = createRequire(fromUrl).resolve('tsx/package.json');
  return pathToFileURL(join(dirname(packageJson), 'dist/esm/api/index.mjs')).href;
}
