// Preloaded into the CLI by harness.ts (node --require): when the process exits, writes its peak resident
// memory (KiB) and CPU time (microseconds) to the file named by EDM_MEASURE_OUT. The process measures
// itself (getrusage), so nothing is missed between two polls.
const { writeFileSync } = require('node:fs');

const out = process.env.EDM_MEASURE_OUT;
if (out) {
  process.on('exit', () => {
    const r = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ maxRssKiB: r.maxRSS, userUs: r.userCPUTime, systemUs: r.systemCPUTime }));
  });
}
