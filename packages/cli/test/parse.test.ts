// The argument parsing (an option table on commander) and the seeds parser, on their own.
import { describe, expect, it } from 'vitest';
import { defineCommand } from '../src/command/define';
import { UsageError } from '../src/command/errors';
import { bool, choice, float, int, intList, str } from '../src/command/options';
import { parseCommandLine as parseArgs } from '../src/command/program';
import { parseRangeList } from '../src/io/seeds';

const cmd = defineCommand({
  name: 'demo',
  summary: 'demo',
  options: {
    batchGpu: int({ help: 'b', min: 1, max: 4096 }),
    sChurn: float({ help: 's', min: 0, max: 1000, default: 0 }),
    sigmaMin: float({ help: 'lo', min: 0, max: 1000, exclusiveMin: true, relation: { option: 'sigmaMax', op: '<' } }),
    sigmaMax: float({ help: 'hi', min: 0, max: 1000, exclusiveMin: true, default: 80 }),
    arch: choice(['ddpmpp', 'adm'] as const, { help: 'a', default: 'ddpmpp' }),
    xflip: bool({ help: 'x', default: false }),
    cres: intList({ help: 'c', min: 1, max: 16 }),
    data: str({ help: 'd' }),
  },
  positionals: [{ name: 'input', help: 'i', optional: true }],
  async run() {},
});

describe('parseRangeList', () => {
  it('expands ranges inclusively, in order', () => {
    expect(parseRangeList('0-3,10,7-8')).toEqual([0, 1, 2, 3, 10, 7, 8]);
    expect(parseRangeList(' 5 ')).toEqual([5]);
    expect(parseRangeList('0-63')).toHaveLength(64);
  });
  it.each([
    ['', /empty/],
    ['0-x', /bad part '0-x'/],
    ['1,,2', /bad part ''/],
    ['5-2', /descending/],
    ['-1', /bad part/],
    ['3,3', /more than once/],
    ['4294967296', /above the largest/],
    ['0-4294967295', /more than 1000000 values/],
  ])('rejects %j', (raw, msg) => {
    expect(() => parseRangeList(raw)).toThrow(UsageError);
    expect(() => parseRangeList(raw)).toThrow(msg);
  });
});

describe('parseArgs', () => {
  it('parses kebab-case options, = and space forms, flags, lists and defaults', () => {
    const a = parseArgs(cmd, ['--batch-gpu', '8', '--s-churn=40', '--xflip', '--cres', '1,2,2', 'in.pkl']);
    expect(a.options).toEqual({ batchGpu: 8, sChurn: 40, sigmaMin: undefined, sigmaMax: 80, arch: 'ddpmpp', xflip: true, cres: [1, 2, 2], data: undefined });
    expect(a.positionals).toEqual({ input: 'in.pkl' });
  });
  it("accepts the reference's spellings and boolean literals", () => {
    const a = parseArgs(cmd, ['--S_churn', '10', '--batch_gpu=4', '--xflip', '0', '--arch', 'ADM']);
    expect(a.options).toMatchObject({ sChurn: 10, batchGpu: 4, xflip: false, arch: 'adm' });
  });
  it.each([
    [['--batch-gpu', '0'], /--batch-gpu: expected an integer >= 1, got 0/],
    [['--batch-gpu', '2.5'], /--batch-gpu: expected an integer, got '2.5'/],
    [['--s-churn', 'abc'], /--s-churn: expected a number, got 'abc'/],
    [['--arch', 'unet'], /--arch: unknown value 'unet'; expected one of: ddpmpp, adm/],
    [['--archh', 'adm'], /unknown option '--archh'; did you mean '--arch'\?/],
    [['--S_chrun', '1'], /unknown option '--s-chrun'; did you mean '--s-churn'\?/],
    [['--batch-gpu', '4097'], /--batch-gpu: expected an integer <= 4096, got 4097/],
    [['--s-churn', '1e9'], /--s-churn: expected a number <= 1000, got 1000000000/],
    [['--cres', '1,17'], /--cres: expected an integer <= 16, got 17/],
    [['--sigma-min', '90'], /--sigma-min 90 must be below --sigma-max 80/],
    [['--sigma-min', '5', '--sigma-max', '5'], /--sigma-min 5 must be below --sigma-max 5/],
    [['--data'], /--data needs a value/],
    [['--xflip', '--xflip'], /--xflip given twice/],
    [['a', 'b'], /too many arguments for 'demo'\. Expected 1 argument but got 2/],
    [['--cres', '1,,2'], /--cres: expected a comma-separated list/],
  ])('rejects %j with a usage error', (argv, msg) => {
    expect(() => parseArgs(cmd, argv)).toThrow(UsageError);
    expect(() => parseArgs(cmd, argv)).toThrow(msg);
  });
});
