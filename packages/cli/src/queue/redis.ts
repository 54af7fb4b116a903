// The Redis server behind the job queue: `--queue redis://HOST:PORT[/DB]` parsed and checked, and the connection
// options every BullMQ object of a process uses. Redis may go away (a restart, a network cut): ioredis then
// reconnects with a growing delay, commands wait for the connection instead of failing (BullMQ's workers need
// that), and the process says so once per outage and once when Redis is back.
import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { UsageError } from '../command/errors';
import { custom } from '../command/options';

/** Where the queue lives. */
export interface QueueAddress {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  /** The URL as given, without its password (for messages). */
  display: string;
}

/** Largest database index accepted (Redis's default configuration has 16: 0 to 15). */
const MAX_DB = 1_000_000;

/** Parses `redis://[USER:PASSWORD@]HOST[:PORT][/DB]` (port 6379 and database 0 by default). */
export function parseQueueUrl(raw: string, flag = '--queue'): QueueAddress {
  const expected = `expected redis://HOST:PORT[/DB] (e.g. redis://10.0.0.5:6379/0), got '${raw}'`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${flag}: ${expected}`);
  }
  if (url.protocol !== 'redis:') throw new UsageError(`${flag}: only redis:// URLs are supported; ${expected}`);
  if (!url.hostname) throw new UsageError(`${flag}: no host; ${expected}`);
  if (url.search || url.hash) throw new UsageError(`${flag}: no ?query or #fragment is taken; ${expected}`);
  const port = url.port === '' ? 6379 : Number(url.port);
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path)) throw new UsageError(`${flag}: the database must be a number (redis://HOST:PORT/0), got '/${path}'`);
  const db = path === '' ? 0 : Number(path);
  if (db > MAX_DB) throw new UsageError(`${flag}: database ${db} is above ${MAX_DB}`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const shown = new URL(raw);
  if (shown.password) shown.password = '***';
  return {
    host, port, db,
    ...(url.username && { username: decodeURIComponent(url.username) }),
    ...(url.password && { password: decodeURIComponent(url.password) }),
    display: shown.toString().replace(/\/$/, ''),
  };
}

/** The `--queue` option (the same for `edm worker`, `edm generate` and `edm metrics`). */
export const queueOption = (help: string) => custom('URL', (raw, flag) => parseQueueUrl(raw, flag), { help, range: 'redis://HOST:PORT[/DB]' });

/** Delay before the `attempt`-th reconnection: 0.5 s doubling to at most 10 s. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(500 * 2 ** Math.max(0, attempt - 1), 10_000);
}

/**
 * Tells the user when Redis goes away and when it is back: one line per outage, then one per retry whose delay
 * grew (several connections of one process share it, so a single outage is reported once).
 */
export class RedisHealth {
  private downSince: number | null = null;
  private lastError = '';
  private reported = 0;

  constructor(private readonly address: QueueAddress, private readonly log: (line: string) => void) {}

  /** Records the reason a connection failed (an ioredis 'error' event). */
  error(e: unknown): void {
    const msg = e instanceof Error ? e.message : String(e);
    if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|Connection is closed|connect|socket/i.test(msg)) this.lastError = msg;
  }

  /** A connection will retry in `delayMs` (its `attempt`-th retry). */
  retrying(attempt: number, delayMs: number): void {
    if (this.downSince === null) this.downSince = Date.now();
    if (delayMs <= this.reported) return;
    this.reported = delayMs;
    const why = this.lastError ? ` (${this.lastError})` : '';
    this.log(`Redis at ${this.address.display} is unreachable${why}; retrying in ${(delayMs / 1000).toFixed(1)} s` +
      (attempt > 1 ? ` (attempt ${attempt}; waiting, nothing is lost)` : ''));
  }

  /** A connection is ready: ends an outage. */
  ready(): void {
    if (this.downSince === null) return;
    this.log(`Redis at ${this.address.display} is reachable again after ${((Date.now() - this.downSince) / 1000).toFixed(1)} s`);
    this.downSince = null;
    this.reported = 0;
    this.lastError = '';
  }

  /** True while Redis is unreachable. */
  get down(): boolean {
    return this.downSince !== null;
  }
}

/**
 * ioredis options for BullMQ's Queue and Worker: commands wait while Redis is away (maxRetriesPerRequest null),
 * reconnection backs off (reconnectDelayMs) and is reported through `health`.
 */
export function connectionOptions(address: QueueAddress, health: RedisHealth, name: string): ConnectionOptions {
  return {
    host: address.host,
    port: address.port,
    db: address.db,
    ...(address.username !== undefined && { username: address.username }),
    ...(address.password !== undefined && { password: address.password }),
    connectionName: name,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times: number) => {
      const delay = reconnectDelayMs(times);
      health.retrying(times, delay);
      return delay;
    },
  };
}

/**
 * A process's link to the queue's Redis: the options BullMQ's objects connect with, one client of our own (for
 * shard results and to notice when Redis is back), and the outage reports of all of them.
 */
export class RedisLink {
  readonly health: RedisHealth;
  /** Our own client (shard results, checks). */
  readonly client: Redis;

  constructor(readonly address: QueueAddress, log: (line: string) => void, private readonly role: string) {
    this.health = new RedisHealth(address, log);
    this.client = new Redis(this.connection('results') as RedisOptions);
    this.client.on('error', (e) => this.health.error(e));
    this.client.on('ready', () => this.health.ready());
  }

  /** Connection options for a BullMQ object (named in Redis's CLIENT LIST as edm-<role>-<pid>-<what>). */
  connection(what: string): ConnectionOptions {
    return connectionOptions(this.address, this.health, `edm-${this.role}-${process.pid}-${what}`);
  }

  /** Closes our client (at once when Redis is away: a polite QUIT would wait for it). */
  async close(): Promise<void> {
    if (this.client.status === 'ready') {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.client.quit().catch(() => {}), new Promise((r) => { timer = setTimeout(r, 2000); })]);
      clearTimeout(timer);
    }
    this.client.disconnect();
  }
}
