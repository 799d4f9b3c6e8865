/**
 * @module rotation/generate-values
 * Fresh values for each planned field (DESIGN §11), from node's `crypto` only: `password` 32
 * characters, `api-key` 32 random bytes as hex, `ssh` an ed25519 pair in OpenSSH format, `dkim`
 * an RSA-2048 pair (PEM) plus the DNS TXT value to publish. The values live only in memory, on
 * their way to Vault; nothing here logs or returns them anywhere else.
 */
import { generateKeyPair, randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { generateSshKeyPair } from './openssh-key.js';
import type { PlannedField } from './plan.js';

export const PASSWORD_LENGTH = 32;
const PASSWORD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Letters and digits only: every SMTP client and config file takes them unquoted (190 bits). */
export function generatePassword(length = PASSWORD_LENGTH): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return out;
}

export function generateApiKey(): string {
  return randomBytes(32).toString('hex');
}

export interface DkimKeyPair {
  privateKey: string;
  /** `v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo>`. */
  dnsTxt: string;
}

const generateRsa = promisify(generateKeyPair);

/** Off the event loop (libuv's pool): an RSA-2048 key takes long enough to delay Slack acks. */
export async function generateDkimKeyPair(): Promise<DkimKeyPair> {
  const { publicKey, privateKey } = await generateRsa('rsa', { modulusLength: 2048 });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return {
    privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    dnsTxt: `v=DKIM1; k=rsa; p=${spki.toString('base64')}`,
  };
}

/** Field name → new value, for every field the plan writes (private and public halves included). */
export async function generateValues(plan: readonly PlannedField[], comment: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const item of plan) {
    switch (item.kind) {
      case 'password':
        out[item.field] = generatePassword();
        break;
      case 'api-key':
        out[item.field] = generateApiKey();
        break;
      case 'ssh': {
        const pair = generateSshKeyPair(comment);
        out[item.field] = pair.privateKey;
        if (item.publicField) out[item.publicField] = pair.publicKey;
        break;
      }
      case 'dkim': {
        const pair = await generateDkimKeyPair();
        out[item.field] = pair.privateKey;
        if (item.publicField) out[item.publicField] = pair.dnsTxt;
        break;
      }
    }
  }
  return out;
}
