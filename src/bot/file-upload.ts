/**
 * @module bot/file-upload
 * Shares a file in a channel with Slack's current upload flow: `files.getUploadURLExternal`
 * (filename, length) → POST the bytes to the returned `upload_url` → `files.completeUploadExternal`
 * (files=[{id, title}], channel_id). `files.upload` is retired. The upload URL is pre-signed:
 * the bot token is never sent to it.
 */
import type { webApi } from '@slack/bolt';

export interface FileToShare {
  filename: string;
  title: string;
  content: string | Buffer;
  initialComment?: string;
}

const UPLOAD_TIMEOUT_MS = 60_000;

export async function shareFile(client: webApi.WebClient, channel: string, file: FileToShare): Promise<string> {
  const bytes = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
  const started = await client.files.getUploadURLExternal({ filename: file.filename, length: bytes.length });
  if (!started.upload_url || !started.file_id) throw new Error('files.getUploadURLExternal answered without upload_url or file_id');
  const res = await fetch(started.upload_url, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
    signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`the file upload was refused with HTTP ${res.status}`);
  await client.files.completeUploadExternal({
    files: [{ id: started.file_id, title: file.title }],
    channel_id: channel,
    ...(file.initialComment ? { initial_comment: file.initialComment } : {}),
  });
  return started.file_id;
}
