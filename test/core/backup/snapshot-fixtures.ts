/** Hand-built snapshot archives for the validator's tests. */
import { pack } from 'tar-stream';

/** A tar of the given members, in order, as tar-stream writes it (uncompressed). */
export async function tarOf(members: Array<[name: string, body: Buffer]>): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of archive) chunks.push(chunk as Buffer);
  })();
  for (const [name, body] of members) {
    await new Promise<void>((resolve, reject) => archive.entry({ name, size: body.length }, body, (e) => (e ? reject(e) : resolve())));
  }
  archive.finalize();
  await done;
  return Buffer.concat(chunks);
}
