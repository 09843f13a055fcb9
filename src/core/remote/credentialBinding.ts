// What stored remote credentials are bound to: where the remote sends requests. Saved with the
// credentials and compared on use, so a remote renamed onto another server does not get them.
import { parseS3Url } from './s3Url';

/** The endpoint's origin (`aws` without one; path and trailing slash ignored) and the bucket. */
export function credentialBinding(remote: { url: string; endpoint?: string }): string {
  let endpoint = 'aws';
  if (remote.endpoint) {
    try { endpoint = new URL(remote.endpoint).origin; } catch { endpoint = remote.endpoint; }
  }
  return `${endpoint} ${parseS3Url(remote.url).bucket}`;
}
