// `<prefix>/models/<name>/aliases.json` ({"champion": 3, ...}) and remote-side model URI
// resolution. Aliases are updated with a compare-and-swap (If-Match on the ETag), so two pushes
// setting different aliases of one model do not lose each other's update.
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { aliasesKey, versionManifestKey } from '../../core/remote/keyLayout';
import type { ModelRef } from '../../core/registry/uri';
import { describeS3Error, httpStatus, isNotFound, type RemoteConnection } from './s3Remote';
import { readRemoteManifest } from './pull';

export async function readRemoteAliases(remote: RemoteConnection, name: string, signal?: AbortSignal): Promise<{ aliases: Record<string, number>; etag?: string }> {
  const key = aliasesKey(remote.location.prefix, name);
  try {
    const out = await remote.client.send(new GetObjectCommand({ Bucket: remote.location.bucket, Key: key }), { abortSignal: signal });
    const doc = JSON.parse(await out.Body!.transformToString()) as unknown;
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error(`${remote.config.url}/${key}: expected an object of alias → version`);
    return { aliases: doc as Record<string, number>, etag: out.ETag };
  } catch (error) {
    if (isNotFound(error)) return { aliases: {} };
    throw describeS3Error(error, `reading ${key}`, remote.config);
  }
}

export async function setRemoteAliases(remote: RemoteConnection, name: string, aliases: string[], version: number, signal?: AbortSignal): Promise<void> {
  const key = aliasesKey(remote.location.prefix, name);
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await readRemoteAliases(remote, name, signal);
    if (aliases.every((a) => current.aliases[a] === version)) return;
    const next = { ...current.aliases, ...Object.fromEntries(aliases.map((a) => [a, version])) };
    try {
      await remote.client.send(new PutObjectCommand({
        Bucket: remote.location.bucket, Key: key, Body: `${JSON.stringify(next, null, 2)}\n`, ContentType: 'application/json',
        ...(current.etag ? { IfMatch: current.etag } : { IfNoneMatch: '*' }),
      }), { abortSignal: signal });
      return;
    } catch (error) {
      const status = httpStatus(error);
      if (status !== 412 && status !== 409) throw describeS3Error(error, `writing ${key}`, remote.config);
    }
  }
  throw new Error(`could not update ${remote.config.url}/${key}: it kept changing under concurrent pushes; retry the push`);
}

/** Version numbers of a model on the remote, ascending. */
export async function listRemoteVersions(remote: RemoteConnection, name: string, signal?: AbortSignal): Promise<number[]> {
  const prefix = versionManifestKey(remote.location.prefix, name, 1).replace(/1\.json$/, '');
  const versions: number[] = [];
  let token: string | undefined;
  do {
    const page = await remote.client.send(new ListObjectsV2Command({ Bucket: remote.location.bucket, Prefix: prefix, ContinuationToken: token }), { abortSignal: signal });
    for (const o of page.Contents ?? []) {
      const m = /^(\d+)\.json$/.exec((o.Key ?? '').slice(prefix.length));
      if (m) versions.push(Number(m[1]));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return versions.sort((a, b) => a - b);
}

/** The version number a model URI names on this remote. */
export async function resolveRemoteVersion(remote: RemoteConnection, ref: ModelRef, signal?: AbortSignal): Promise<number> {
  const where = `remote '${remote.config.name}'`;
  switch (ref.kind) {
    case 'version': return ref.version;
    case 'alias': {
      const { aliases } = await readRemoteAliases(remote, ref.name, signal);
      const v = aliases[ref.alias];
      if (typeof v !== 'number') throw new Error(`${where} has no alias '${ref.alias}' for model '${ref.name}' (aliases: ${Object.keys(aliases).join(', ') || 'none'})`);
      return v;
    }
    case 'latest':
    case 'stage': {
      const versions = await listRemoteVersions(remote, ref.name, signal);
      if (!versions.length) throw new Error(`${where} has no versions of model '${ref.name}'; push one first`);
      if (ref.kind === 'latest') return versions[versions.length - 1];
      // Stages travel in the manifests; the newest version pushed in that stage wins.
      for (const v of versions.reverse()) {
        if ((await readRemoteManifest(remote, ref.name, v, signal)).stage === ref.stage) return v;
      }
      throw new Error(`${where} has no version of model '${ref.name}' pushed in stage ${ref.stage}`);
    }
  }
}
