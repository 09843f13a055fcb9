// An S3 client bound to one remote. Credentials come from the SDK's default chain (env, shared
// files, profiles) unless the caller passes them (the extension will pass SecretStorage ones).
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { parseS3Url, type S3Location } from '../../core/remote/s3Url';
import type { RemoteConfig } from './remotesConfig';

export interface RemoteConnection {
  config: RemoteConfig;
  location: S3Location;
  client: S3Client;
}

export function connectRemote(config: RemoteConfig, credentials?: S3ClientConfig['credentials']): RemoteConnection {
  const client = new S3Client({
    region: config.region ?? process.env.AWS_REGION ?? 'us-east-1',
    endpoint: config.endpoint,
    forcePathStyle: config.pathStyle ?? config.endpoint !== undefined,
    credentials,
    // Newer SDKs add CRC32 checksums to every request by default; S3-compatible stores (Ceph
    // 16, older MinIO) reject or mis-handle them. We verify content by sha256 ourselves.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
  });
  return { config, location: parseS3Url(config.url), client };
}

/** HTTP status of an SDK error (undefined for network errors). */
export function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

export function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return httpStatus(error) === 404 || name === 'NotFound' || name === 'NoSuchKey' || name === 'NoSuchUpload';
}

/** Adds where it happened and what to check to an S3 error, without any credential material. */
export function describeS3Error(error: unknown, what: string, remote: RemoteConfig): Error {
  if ((error as Error)?.name === 'AbortError') return error as Error;
  const status = httpStatus(error);
  const base = `${what} on remote '${remote.name}' (${remote.url}${remote.endpoint ? ` via ${remote.endpoint}` : ''}) failed: ` +
    `${(error as Error)?.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${(error as Error)?.message ?? String(error)}`;
  const hint = status === 403 ? '; check the credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or ~/.aws/credentials)'
    : (error as { name?: string })?.name === 'NoSuchBucket' ? '; create the bucket first or fix the remote URL'
      : status === undefined ? '; check the endpoint and network' : '';
  return new Error(base + hint, { cause: error });
}
