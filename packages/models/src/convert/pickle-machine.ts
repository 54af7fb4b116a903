// The pickle stack machine (protocols 2 to 5), data only. It follows the opcodes, the mark stack and the
// memo, and hands every GLOBAL, REDUCE, NEWOBJ, BUILD and persistent id to hooks that give an allowed name
// a fixed, data-only meaning and refuse the rest: nothing a pickle names is ever imported or called.
// Opcode reference: CPython Lib/pickletools.py; the subset EDM snapshots use is documented byte by byte in
// test/fixtures/pickles/README.md.

import type { Cursor } from './byte-source';
import { PickleError } from './errors';
import { MAX_PICKLE_VALUES } from './limits';
import { describePy, PyBytes, PyDict, PyGlobal, type PyKey, PySet, PyTuple } from './pickle-values';

/** The meanings of the callables a pickle names (see allow-list.ts). Each throws to refuse. */
export interface PickleHooks {
  /** GLOBAL / STACK_GLOBAL `module.name`: return a reference, or throw if the name is not allowed. */
  global(module: string, name: string): PyGlobal;
  /** REDUCE: the value of `callable(*args)`. */
  reduce(callable: unknown, args: PyTuple): unknown;
  /** NEWOBJ: a new empty instance of `cls`. */
  newobj(cls: unknown, args: PyTuple): unknown;
  /** BUILD: apply `state` to `obj`. */
  build(obj: unknown, state: unknown): void;
  /** BINPERSID: the object a persistent id refers to; absent = persistent ids are refused. */
  persistentLoad?(pid: unknown): unknown;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Opcode names, for error messages and for the supported set. */
const OPCODE_NAMES: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES', 0x46: 'FLOAT', 0x47: 'BINFLOAT', 0x49: 'INT', 0x4a: 'BININT', 0x4b: 'BININT1',
  0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID', 0x51: 'BINPERSID', 0x52: 'REDUCE',
  0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING', 0x56: 'UNICODE', 0x58: 'BINUNICODE',
  0x5d: 'EMPTY_LIST', 0x61: 'APPEND', 0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT', 0x65: 'APPENDS',
  0x67: 'GET', 0x68: 'BINGET', 0x69: 'INST', 0x6a: 'LONG_BINGET', 0x6c: 'LIST', 0x6f: 'OBJ', 0x70: 'PUT',
  0x71: 'BINPUT', 0x72: 'LONG_BINPUT', 0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS',
  0x7d: 'EMPTY_DICT', 0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1',
  0x86: 'TUPLE2', 0x87: 'TUPLE3', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4',
  0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS',
  0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL', 0x94: 'MEMOIZE', 0x95: 'FRAME',
  0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

/** Why some valid pickle opcodes are refused (none occurs in a snapshot written by Python 3). */
const REFUSED: Record<string, string> = {
  INT: 'text-mode (protocol 0) integers', LONG: 'text-mode (protocol 0) integers', FLOAT: 'text-mode floats',
  STRING: 'Python 2 str', BINSTRING: 'Python 2 str', SHORT_BINSTRING: 'Python 2 str', UNICODE: 'text-mode str',
  GET: 'text-mode memo', PUT: 'text-mode memo', PERSID: 'text-mode persistent ids',
  INST: 'protocol 0 object creation', OBJ: 'protocol 0 object creation', EXT1: 'the copyreg extension registry',
  EXT2: 'the copyreg extension registry', EXT4: 'the copyreg extension registry',
  NEWOBJ_EX: 'keyword-argument object creation', NEXT_BUFFER: 'out-of-band buffers',
};

/** Decodes a little-endian two's-complement integer (LONG1 / LONG4): a number when exact, else a bigint. */
export function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.length - 1]! & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function isKey(v: unknown): v is PyKey {
  return v === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof v);
}

/**
 * Runs one pickle from the cursor's position to its STOP and returns the result. Throws a
 * {@link PickleError} naming the cursor's label, the opcode and its byte offset for anything malformed or
 * refused, and for a pickle that builds more than {@link MAX_PICKLE_VALUES} values. Memo references
 * (BINGET, DUP) push the memoised value itself, never a copy, so a value referenced many times costs one.
 */
export function runPickle(cursor: Cursor, hooks: PickleHooks, onOpcode?: (offset: number) => void): unknown {
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let op = 0;
  let opOffset = cursor.pos;
  // Every opcode builds at most one value or puts one item into a container: counting opcodes bounds the
  // memory a pickle can make us hold, whatever its size.
  let opcodes = 0;

  const fail = (msg: string): never => {
    throw new PickleError(`${cursor.label}: offset ${opOffset}: ${OPCODE_NAMES[op] ?? 'opcode'}: ${msg}`);
  };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!)) {
      fail('stack underflow (malformed pickle)');
    }
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow (malformed pickle)');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const m = marks.pop();
    if (m === undefined) fail('no MARK on the stack (malformed pickle)');
    return stack.splice(m!);
  };
  const str = (n: number): string => {
    try {
      return utf8.decode(cursor.bytes(n));
    } catch (e) {
      if (e instanceof PickleError) throw e;
      return fail('string is not valid UTF-8');
    }
  };
  const setItems = (dict: unknown, kv: unknown[]): void => {
    if (!(dict instanceof PyDict)) fail(`expected a dict below the items, got ${describePy(dict)}`);
    for (let i = 0; i < kv.length; i += 2) {
      const k = kv[i];
      if (!isKey(k)) fail(`unsupported dict key of type ${describePy(k)}`);
      (dict as PyDict).map.set(k as PyKey, kv[i + 1]);
    }
  };
  const appendItems = (list: unknown, items: unknown[]): void => {
    if (!Array.isArray(list)) fail(`expected a list below the items, got ${describePy(list)}`);
    // One push per item: spreading a long APPENDS would overflow the call stack.
    for (const it of items) (list as unknown[]).push(it);
  };
  const addToSet = (set: PySet, items: unknown[]): void => {
    for (const it of items) {
      if (!isKey(it)) fail(`unsupported set element of type ${describePy(it)}`);
      set.items.add(it as PyKey);
    }
  };
  const memoGet = (i: number): unknown => {
    if (!memo.has(i)) fail(`memo entry ${i} does not exist`);
    return memo.get(i);
  };
  const pushGlobal = (module: string, name: string): void => {
    stack.push(hooks.global(module, name));
  };
  const ascii = (b: Uint8Array): string => String.fromCharCode(...b);

  for (;;) {
    opOffset = cursor.pos;
    cursor.context = 'next opcode (no STOP yet)';
    op = cursor.u8();
    const name = OPCODE_NAMES[op];
    cursor.context = name ?? 'opcode';
    onOpcode?.(opOffset);
    if (++opcodes > MAX_PICKLE_VALUES) {
      fail(`the pickle builds more than ${MAX_PICKLE_VALUES.toLocaleString('en-US')} values (the limit; an EDM snapshot needs far fewer)`);
    }
    try {
      switch (op) {
        case 0x80: { // PROTO
          const proto = cursor.u8();
          if (proto < 2 || proto > 5) fail(`pickle protocol ${proto} is not supported (expected 2 to 5)`);
          break;
        }
        case 0x95: cursor.u64(); break; // FRAME: the framed bytes follow in line
        case 0x2e: { // STOP
          if (stack.length !== 1 || marks.length !== 0) {
            fail(`expected exactly one value and no MARK at STOP, got ${stack.length} value(s), ${marks.length} mark(s)`);
          }
          return stack.pop();
        }
        case 0x28: marks.push(stack.length); break; // MARK
        case 0x30: { // POP
          if (marks.length > 0 && stack.length === marks[marks.length - 1]) marks.pop();
          else pop();
          break;
        }
        case 0x31: popMark(); break; // POP_MARK
        case 0x32: stack.push(top()); break; // DUP
        case 0x7d: stack.push(new PyDict()); break; // EMPTY_DICT
        case 0x5d: stack.push([]); break; // EMPTY_LIST
        case 0x29: stack.push(new PyTuple([])); break; // EMPTY_TUPLE
        case 0x8f: stack.push(new PySet()); break; // EMPTY_SET
        case 0x74: stack.push(new PyTuple(popMark())); break; // TUPLE
        case 0x85: stack.push(new PyTuple([pop()])); break; // TUPLE1
        case 0x86: { const b = pop(); const a = pop(); stack.push(new PyTuple([a, b])); break; } // TUPLE2
        case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(new PyTuple([a, b, c])); break; }
        case 0x6c: stack.push(popMark()); break; // LIST
        case 0x64: { const d = new PyDict(); setItems(d, popMark()); stack.push(d); break; } // DICT
        case 0x91: { const s = new PySet(); addToSet(s, popMark()); stack.push(s); break; } // FROZENSET
        case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
        case 0x75: { const kv = popMark(); if (kv.length % 2) fail('odd number of items'); setItems(top(), kv); break; }
        case 0x61: { const v = pop(); appendItems(top(), [v]); break; } // APPEND
        case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS
        case 0x90: { // ADDITEMS
          const items = popMark();
          const s = top();
          if (!(s instanceof PySet)) fail(`expected a set below the items, got ${describePy(s)}`);
          addToSet(s as PySet, items);
          break;
        }
        case 0x4b: stack.push(cursor.u8()); break; // BININT1
        case 0x4d: stack.push(cursor.u16()); break; // BININT2
        case 0x4a: stack.push(cursor.i32()); break; // BININT
        case 0x8a: stack.push(decodeLong(cursor.bytes(cursor.u8()))); break; // LONG1
        case 0x8b: { // LONG4
          const n = cursor.i32();
          if (n < 0) fail(`negative length ${n}`);
          stack.push(decodeLong(cursor.bytes(n)));
          break;
        }
        case 0x47: stack.push(cursor.f64be()); break; // BINFLOAT (big-endian)
        case 0x4e: stack.push(null); break; // NONE
        case 0x88: stack.push(true); break; // NEWTRUE
        case 0x89: stack.push(false); break; // NEWFALSE
        case 0x8c: stack.push(str(cursor.u8())); break; // SHORT_BINUNICODE
        case 0x58: stack.push(str(cursor.u32())); break; // BINUNICODE
        case 0x8d: stack.push(str(cursor.u64())); break; // BINUNICODE8
        case 0x43: stack.push(new PyBytes(cursor.range(cursor.u8()))); break; // SHORT_BINBYTES
        case 0x42: stack.push(new PyBytes(cursor.range(cursor.u32()))); break; // BINBYTES
        case 0x8e: stack.push(new PyBytes(cursor.range(cursor.u64()))); break; // BINBYTES8
        case 0x96: stack.push(new PyBytes(cursor.range(cursor.u64()))); break; // BYTEARRAY8 (read as bytes)
        case 0x98: top(); break; // READONLY_BUFFER: no effect on a data-only value
        case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
        case 0x71: memo.set(cursor.u8(), top()); break; // BINPUT
        case 0x72: memo.set(cursor.u32(), top()); break; // LONG_BINPUT
        case 0x68: stack.push(memoGet(cursor.u8())); break; // BINGET
        case 0x6a: stack.push(memoGet(cursor.u32())); break; // LONG_BINGET
        case 0x63: { // GLOBAL
          const module = ascii(cursor.line());
          pushGlobal(module, ascii(cursor.line()));
          break;
        }
        case 0x93: { // STACK_GLOBAL
          const n = pop();
          const m = pop();
          if (typeof m !== 'string' || typeof n !== 'string') {
            fail(`expected module and name strings, got ${describePy(m)} and ${describePy(n)}`);
          }
          pushGlobal(m as string, n as string);
          break;
        }
        case 0x52: { // REDUCE
          const args = pop();
          const callable = pop();
          if (!(args instanceof PyTuple)) fail(`expected an argument tuple, got ${describePy(args)}`);
          stack.push(hooks.reduce(callable, args as PyTuple));
          break;
        }
        case 0x81: { // NEWOBJ
          const args = pop();
          const cls = pop();
          if (!(args instanceof PyTuple)) fail(`expected an argument tuple, got ${describePy(args)}`);
          stack.push(hooks.newobj(cls, args as PyTuple));
          break;
        }
        case 0x62: { const state = pop(); hooks.build(top(), state); break; } // BUILD
        case 0x51: { // BINPERSID
          const pid = pop();
          if (!hooks.persistentLoad) fail('persistent ids are not allowed here (only inside a torch storage blob)');
          stack.push(hooks.persistentLoad!(pid));
          break;
        }
        default: {
          if (name && REFUSED[name]) fail(`not supported: ${REFUSED[name]} (not used by EDM snapshots)`);
          throw new PickleError(
            `${cursor.label}: offset ${opOffset}: unknown opcode 0x${op.toString(16).padStart(2, '0')} (not a pickle, or corrupt)`,
          );
        }
      }
    } catch (e) {
      if (e instanceof PickleError) throw e;
      fail((e as Error).message);
    }
  }
}
