// The argument parser and the seeds parser, on their own (pure functions of the CLI sources).
import { describe, expect, it } from 'vitest';
import { defineCommand } from '../src/framework/command';
import { UsageError } from '../src/framework/errors';
import { bool, choice, float, int, intList, str } from '../src/framework/options';
import { parseArgs } from '../src/framework/parse';
import { parseRangeList } from '../src/io/seeds';

const cmd = defineCommand({
  name: 'demo',
  summary: 'demo',
  options: {
    batchGpu: int({ help: 'b', min: 1 }),
    sChurn: float({ help: 's', default: 0 }),
    arch: choice(['ddpmpp', 'adm'] as const, { help: 'a', default: 'ddpmpp' }),
    xflip: bool({ help: 'x', default: false }),
    cres: intList({ help: 'c' }),
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
    expect(a.options).toEqual({ batchGpu: 8, sChurn: 40, arch: 'ddpmpp', xflip: true, cres: [1, 2, 2], data: undefined });
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
    [['--archh', 'adm'], /unknown option '--archh' for 'edm demo'; did you mean '--arch'\?/],
    [['--data'], /--data needs a value/],
    [['--xflip', '--xflip'], /--xflip given twice/],
    [['a', 'b'], /expected \[input\], got 'a b'/],
    [['--cres', '1,,2'], /--cres: expected a comma-separated list/],
  ])('rejects %j with a usage error', (argv, msg) => {
    expect(() => parseArgs(cmd, argv)).toThrow(UsageError);
    expect(() => parseArgs(cmd, argv)).toThrow(msg);
  });
});
