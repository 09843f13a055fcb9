// `s3://bucket/prefix` remote URLs. The prefix is optional and normalised (no leading/trailing
// slashes) so key building never produces `//`, which S3 treats as a distinct key.

export interface S3Location {
  bucket: string;
  /** '' when the remote is the bucket root. */
  prefix: string;
}

// S3 bucket naming rules (lowercase, digits, dots, hyphens, 3-63 chars); a stricter check
// catches typos like `s3://My_Bucket` before the first network call.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/.exec(url.trim());
  if (!m) throw new Error(`not an S3 URL: '${url}'; expected s3://bucket or s3://bucket/prefix`);
  const bucket = m[1];
  if (!BUCKET.test(bucket)) {
    throw new Error(`invalid bucket name '${bucket}' in '${url}': use 3-63 lowercase letters, digits, '.' or '-'`);
  }
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((seg) => seg === '.' || seg === '..' || (prefix !== '' && seg === ''))) {
    throw new Error(`invalid prefix '${prefix}' in '${url}': no empty, '.' or '..' path segments`);
  }
  return { bucket, prefix };
}

export function formatS3Url(loc: S3Location): string {
  return loc.prefix ? `s3://${loc.bucket}/${loc.prefix}` : `s3://${loc.bucket}`;
}
