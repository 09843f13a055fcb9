// Deterministic, sticky assignment of users to the variants of an A/B experiment (seed 003 §2.4:
// the seed hashes sha1(user_id) and keeps the first 7 hex digits). The rule, exactly:
//
//   digest  = sha1_hex(salt + ':' + userKey)        (UTF-8; salt = the experiment id)
//   bucket  = parseInt(digest.slice(0, 7), 16) / 16**7      a number in [0, 1)
//   variant = the first variant i with bucket < (w_0 + ... + w_i) / (w_0 + ... + w_n)
//
// Same experiment + same user → same bucket → same variant, on every router replica and after
// restarts (nothing to store). Salting with the experiment id makes two experiments' buckets
// independent, so a user's group in one test says nothing about their group in another. Weighted
// cumulative ranges (instead of the seed's `hash % n`) let a 90/10 split work.
//
// sha1 is injected (`HexHash`) so this module stays platform-free: the router passes node:crypto's
// sha1, tests may pass the same or a precomputed table. 7 hex digits = 28 bits, 268M buckets: a
// rounding error of at most 4e-9 on any weight.

/** Lower-case hex digest of a UTF-8 string (the router passes sha1 from node:crypto). */
export type HexHash = (text: string) => string;

export const BUCKET_HEX_DIGITS = 7;
const BUCKET_SPACE = 16 ** BUCKET_HEX_DIGITS;

export interface VariantWeight {
  name: string;
  weight: number;
}

/** Variants with their cumulative upper bounds in [0, 1]; the last bound is exactly 1. */
export interface AssignmentPlan {
  salt: string;
  variants: string[];
  /** Normalised weights, summing to 1. */
  shares: number[];
  upperBounds: number[];
}

export const VARIANT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Validates weights and builds the cumulative plan. Throws an Error saying what is wrong and how to fix it. */
export function assignmentPlan(salt: string, variants: readonly VariantWeight[]): AssignmentPlan {
  const problems = variantWeightProblems(variants);
  if (typeof salt !== 'string' || salt.length === 0) problems.unshift('the salt (experiment id) is empty: give the experiment an id');
  if (problems.length) throw new Error(`invalid A/B variants: ${problems.join('; ')}`);
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  const shares = variants.map((v) => v.weight / total);
  const upperBounds: number[] = [];
  let running = 0;
  for (const v of variants) {
    running += v.weight;
    upperBounds.push(running / total);
  }
  // Float sums may land a hair under 1: the last range must cover every bucket.
  upperBounds[upperBounds.length - 1] = 1;
  return { salt, variants: variants.map((v) => v.name), shares, upperBounds };
}

/** Every problem with a variant list (empty when it is usable). */
export function variantWeightProblems(variants: readonly VariantWeight[]): string[] {
  const problems: string[] = [];
  if (!Array.isArray(variants) || variants.length < 2) {
    return ['an experiment needs at least two variants (e.g. [{"name": "A", "weight": 50}, {"name": "B", "weight": 50}])'];
  }
  const seen = new Set<string>();
  variants.forEach((v, i) => {
    const where = `variant ${i + 1}`;
    if (!v || typeof v.name !== 'string' || !VARIANT_NAME_PATTERN.test(v.name)) {
      problems.push(`${where} has no valid name (use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit)`);
    } else if (seen.has(v.name)) {
      problems.push(`variant name '${v.name}' is used twice: names must be unique`);
    } else {
      seen.add(v.name);
    }
    if (!v || typeof v.weight !== 'number' || !Number.isFinite(v.weight) || v.weight < 0) {
      problems.push(`${where}${v && typeof v.name === 'string' ? ` (${v.name})` : ''} needs a weight >= 0 (weights are relative: 90 and 10, or 0.9 and 0.1)`);
    }
  });
  if (!problems.length && variants.every((v) => v.weight === 0)) problems.push('all weights are 0: give at least one variant a positive weight');
  return problems;
}

/** The text that is hashed: salt and key joined by ':' (a key containing ':' cannot collide, the salt comes first and is fixed). */
export function bucketInput(salt: string, userKey: string): string {
  return `${salt}:${userKey}`;
}

/** bucket in [0, 1) from a hex digest: its first 7 hex digits as an integer over 16^7. */
export function bucketFromDigest(hexDigest: string): number {
  const head = hexDigest.slice(0, BUCKET_HEX_DIGITS);
  if (head.length !== BUCKET_HEX_DIGITS || !/^[0-9a-fA-F]+$/.test(head)) {
    throw new Error(`bucketFromDigest: '${hexDigest.slice(0, 16)}' is not a hex digest of at least ${BUCKET_HEX_DIGITS} digits`);
  }
  return parseInt(head, 16) / BUCKET_SPACE;
}

export function bucketOf(salt: string, userKey: string, hash: HexHash): number {
  return bucketFromDigest(hash(bucketInput(salt, userKey)));
}

/** Index of the variant whose cumulative range holds `bucket`. */
export function variantIndexForBucket(plan: AssignmentPlan, bucket: number): number {
  const bounds = plan.upperBounds;
  for (let i = 0; i < bounds.length; i++) if (bucket < bounds[i]) return i;
  return bounds.length - 1;
}

export interface Assignment {
  variant: string;
  index: number;
  bucket: number;
  /** The full digest: stored instead of the raw user key, so the store holds no user ids. */
  digest: string;
}

export function assign(plan: AssignmentPlan, userKey: string, hash: HexHash): Assignment {
  const digest = hash(bucketInput(plan.salt, userKey));
  const bucket = bucketFromDigest(digest);
  const index = variantIndexForBucket(plan, bucket);
  return { variant: plan.variants[index], index, bucket, digest };
}

// ---- where the user key comes from ------------------------------------------------------------

/** A request header (case-insensitive) or a field of the JSON body ('user_id', 'context.user.id'). */
export type UserKeySource = { header: string } | { jsonField: string };

export const MAX_USER_KEY_LENGTH = 256;

export function userKeySourceProblems(source: unknown): string[] {
  if (!source || typeof source !== 'object') {
    return ['userKey must be {"header": "x-user-id"} or {"jsonField": "user_id"}'];
  }
  const s = source as Record<string, unknown>;
  const keys = Object.keys(s);
  if (keys.length !== 1 || (keys[0] !== 'header' && keys[0] !== 'jsonField')) {
    return ['userKey must have exactly one of "header" or "jsonField"'];
  }
  if ('header' in s) {
    return typeof s.header === 'string' && /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(s.header) ? []
      : ['userKey.header must be an HTTP header name such as "x-user-id"'];
  }
  const path = s.jsonField;
  if (typeof path !== 'string' || !path || path.split('.').some((part) => !part)) {
    return ['userKey.jsonField must be a field name or a dotted path such as "user_id" or "context.user.id"'];
  }
  return [];
}

/** A usable key from a raw value: a non-empty string (trimmed) or a finite number; else undefined. */
export function normaliseUserKey(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const key = value.trim();
  return key && key.length <= MAX_USER_KEY_LENGTH ? key : undefined;
}

/** The key in request headers (Node lower-cases header names; a repeated header takes the first value). */
export function userKeyFromHeaders(headers: Record<string, string | string[] | undefined>, header: string): string | undefined {
  const raw = headers[header.toLowerCase()];
  return normaliseUserKey(Array.isArray(raw) ? raw[0] : raw);
}

/** The key at a dotted path of a parsed JSON body. */
export function userKeyFromJson(body: unknown, path: string): string | undefined {
  let node: unknown = body;
  for (const part of path.split('.')) {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return normaliseUserKey(node);
}
