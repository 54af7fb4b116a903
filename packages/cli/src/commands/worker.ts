// edm worker: one machine's share of `edm generate --queue` and `edm metrics --queue` requests, taken from a
// BullMQ queue on Redis (src/queue/worker.ts).
import { defineCommand } from '../command/define';
import { custom, int } from '../command/options';
import { backendOption } from '../net/backend';
import { parseQueueUrl } from '../queue/redis';
import { runWorker } from '../queue/worker';

export default defineCommand({
  name: 'worker',
  summary: 'Take sharded generate/metrics jobs from a queue (BullMQ on Redis) until SIGTERM or Ctrl-C.',
  description: `Examples:
  edm worker --queue redis://10.0.0.5:6379            (on each machine; then, anywhere:)
  edm generate --queue redis://10.0.0.5:6379 --net /shared/net.safetensors --seeds 0-49999 --outdir /shared/out
  edm metrics --queue redis://10.0.0.5:6379 --net /shared/net.safetensors --seeds 0-49999 --ref ref.safetensors \\
              --detector inception:/shared/pt_inception-2015-12-05-6726825d.pth
Each job is a seed range of one request. A job names its files (checkpoints, detector) by path and SHA-256:
they must be at the same path on every machine (a shared folder, or copies), and a worker whose file differs
refuses the job. The images of generate requests go to the request's --outdir, which every worker must be able
to write (a shared or network file system). A worker loads each checkpoint once and keeps it while jobs for it
arrive. SIGTERM: finish the jobs in hand, then exit 0; Ctrl-C (SIGINT): hand them back to the queue, exit 130.
A worker killed outright (SIGKILL, a crash, a lost machine) loses nothing: its job is taken again by another
worker once its lock expires (--lock). When Redis goes away the worker says so and reconnects with backoff.`,
  options: {
    queue: custom('URL', (raw, flag) => parseQueueUrl(raw, flag), { help: 'The queue: the Redis server the submitters use', range: 'redis://HOST:PORT[/DB]', required: true }),
    concurrency: int({ help: 'Jobs worked on at once (they share this process\'s engine)', min: 1, max: 64, default: 1 }),
    lock: int({
      help: "Seconds a job stays this worker's without its heartbeat: a killed worker's job is taken again after about this long; "
        + 'keep it above the longest sampler step at the requests\' --batch', min: 2, max: 86400, default: 60, metavar: 'SECONDS',
    }),
    backend: backendOption(),
  },
  async run({ options }, ctx) {
    return runWorker({ address: options.queue, concurrency: options.concurrency, lockSeconds: options.lock, backend: options.backend }, ctx);
  },
});
