// The parts of the queue that need no Redis: the --queue URL, seed shards, the wire form of sampler settings,
// job data checks, file hashes and refusals, and shard results' bytes (round trip and corrupt ones refused).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { featureMoments } from '@edm/metrics';
import {
  checkFileRef, checkJobData, fileRef, fromWire, samplerFromWire, samplerToWire, seedsText, splitSeeds, toWire, type GenerateJobData,
} from '../src/queue/jobs';
import { parseQueueUrl, reconnectDelayMs } from '../src/queue/redis';
import { decodeShardResult, encodeShardResult } from '../src/queue/shard-result';
import { seedImageName } from '../src/io/seeds';

describe('--queue URL', () => {
  it('takes redis://HOST:PORT[/DB] with defaults, and hides a password in messages', () => {
    expect(parseQueueUrl('redis://10.0.0.5:6390/2')).toMatchObject({ host: '10.0.0.5', port: 6390, db: 2 });
    expect(parseQueueUrl('redis://queue.local')).toMatchObject({ host: 'queue.local', port: 6379, db: 0 });
    expect(parseQueueUrl('redis://[::1]:7000')).toMatchObject({ host: '::1', port: 7000 });
    const secret = parseQueueUrl('redis://me:s3cret@host:1234/0');
    expect(secret).toMatchObject({ username: 'me', password: 's3cret' });
    expect(secret.display).not.toContain('s3cret');
  });

  it('refuses what is not a Redis URL, naming the flag', () => {
    expect(() => parseQueueUrl('localhost:6379')).toThrow(/--queue: (only redis:\/\/|expected redis:\/\/)/);
    expect(() => parseQueueUrl('http://h:1')).toThrow('--queue: only redis:// URLs are supported');
    expect(() => parseQueueUrl('redis://h:1/zero')).toThrow("--queue: the database must be a number (redis://HOST:PORT/0), got '/zero'");
    expect(() => parseQueueUrl('redis://h:1/0?x=1')).toThrow(/no \?query/);
    expect(() => parseQueueUrl('redis://h:99999')).toThrow(/--queue/);
  });

  it('reconnects after 0.5 s, doubling to 10 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(reconnectDelayMs)).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  });
});

describe('shards and job data', () => {
  it('splits seeds in order into jobs of at most N, and names them in words', () => {
    expect(splitSeeds([5, 6, 7, 8, 9, 100, 101], 3)).toEqual([[5, 6, 7], [8, 9, 100], [101]]);
    expect(() => splitSeeds([1], 0)).toThrow(/positive integer/);
    expect(seedsText([0, 1, 2, 3, 9, 12, 13])).toBe('0-3, 9, 12-13');
    expect(seedImageName(1234, true)).toBe('001000/001234.png');
    expect(seedImageName(7, false)).toBe('000007.png');
  });

  it('sampler settings survive JSON, infinite ones included (--s-max inf)', () => {
    const choice = { sampler: 'edm' as const, settings: { numSteps: 18, sMax: Infinity, sChurn: 40 }, guide: { path: '/x/g.safetensors', weight: 2.5 } };
    const wire = JSON.parse(JSON.stringify(samplerToWire(choice)));
    const spec = { net: { path: '/x/n', sha256: 'a' }, sampler: wire, batch: 4 };
    expect(samplerFromWire(spec, '/y/g.safetensors')).toEqual({ ...choice, guide: { path: '/y/g.safetensors', weight: 2.5 } });
    expect(fromWire(JSON.parse(JSON.stringify(toWire({ a: -Infinity, b: NaN, c: 1, d: undefined }))))).toEqual({ a: -Infinity, b: NaN, c: 1 });
    expect(() => samplerFromWire({ ...spec, sampler: { ...wire, name: 'nope' } }, undefined)).toThrow("unknown sampler 'nope'");
  });

  it('checks job data before trusting it', () => {
    const good: GenerateJobData = {
      kind: 'generate', request: 'r', seeds: [1, 2], outdir: '/o', subdirs: false,
      sample: { net: { path: '/n', sha256: 'ab' }, sampler: { name: 'edm', settings: {} }, batch: 4 },
    };
    expect(checkJobData(good, 'j')).toBe(good);
    expect(() => checkJobData({ ...good, kind: 'train' }, 'j1')).toThrow('job j1: unknown kind "train"');
    expect(() => checkJobData({ ...good, seeds: [1, -2] }, 'j2')).toThrow(/job j2: seeds must be/);
    expect(() => checkJobData({ ...good, sample: { ...good.sample, batch: 0 } }, 'j3')).toThrow(/job j3: sample spec malformed/);
    expect(() => checkJobData({ ...good, outdir: 3 }, 'j4')).toThrow(/job j4: outdir malformed/);
    expect(() => checkJobData(null, 'j5')).toThrow(/job j5: no job data/);
  });

  it("a worker refuses a file whose bytes differ from the submitter's, naming both hashes", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edm-queue-parts-'));
    const path = join(dir, 'net.safetensors');
    writeFileSync(path, 'one');
    const ref = await fileRef(path);
    expect(ref.sha256).toBe('7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed'); // sha256('one')
    expect(await checkFileRef(ref, '--net')).toBe(path);
    writeFileSync(path, 'two');
    await expect(checkFileRef(ref, '--net')).rejects.toThrow(/refused: --net .*net\.safetensors on this worker has SHA-256 3fc4ccfe745870e2\.\.\., the submitter's has 7692c3ad3540bb80\.\.\./);
    await expect(checkFileRef({ ...ref, path: join(dir, 'gone') }, '--guide')).rejects.toThrow(/--guide .*gone: .*on this worker/);
  });
});

describe('shard results', () => {
  const d = 3;
  const features = Float32Array.from([1, 2, 3, 4, 5, 7, 0, 1, 1, 2, 2, 2]);
  const probs = Float32Array.from({ length: 40 }, (_, i) => (i % 10) / 45);
  const want = { moments: true, features: true, probs: true };

  it('round-trips moments, features and probabilities', () => {
    const moments = featureMoments(features, d);
    const bytes = encodeShardResult({ count: 4, moments, features, probs }, d);
    const back = decodeShardResult(bytes, 'job 1', 4, d, want);
    expect(back.moments!.mean).toEqual(moments.mean);
    expect(back.moments!.m2).toEqual(moments.m2);
    expect(back.features).toEqual(features);
    expect(back.probs).toEqual(probs);
    const fidOnly = decodeShardResult(encodeShardResult({ count: 4, moments, features: null, probs: null }, d), 'job 2', 4, d,
      { moments: true, features: false, probs: false });
    expect(fidOnly.features).toBeNull();
  });

  it('refuses a result that does not fit the job', () => {
    const bytes = encodeShardResult({ count: 4, moments: featureMoments(features, d), features: null, probs: null }, d);
    expect(() => decodeShardResult(bytes, 'job 7', 5, d, { moments: true, features: false, probs: false })).toThrow('job 7: bad shard result: holds 4 samples, the job had 5');
    expect(() => decodeShardResult(bytes, 'job 7', 4, d, want)).toThrow("job 7: bad shard result: tensor 'features' is missing");
    expect(() => decodeShardResult(bytes, 'job 7', 4, 2, { moments: true, features: false, probs: false })).toThrow(/tensor 'mean' is F64 \[3\], expected F64 \[2\]/);
    expect(() => decodeShardResult(bytes.subarray(0, 20), 'job 7', 4, d, want)).toThrow(/job 7: bad shard result/);
  });
});
