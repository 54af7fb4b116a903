// Writes src/kernels/wasm/simd/winograd4.wat, Winograd F(4x4, 3x3) (conv2d-winograd.ts), from its three matrices:
// every transform is generated as sums of the matrix entries times tile vectors (0 skipped, +-1 as an add or a
// subtract, other entries as a multiply by a splat constant), 36-plane tiles being too long to write by hand.
// `node scripts/winograd4-wat.mjs --check` fails if the .wat is out of date (run by the tests); `npm run wat -w
// @edm/backend-wasm` rewrites it and then compiles every .wat (scripts/wat.mjs).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const target = fileURLToPath(new URL('../src/kernels/wasm/simd/winograd4.wat', import.meta.url));

/** Rationals as [numerator, denominator] (denominator > 0). */
const q = (n, d = 1) => [n, d];
const value = ([n, d]) => n / d;
// F(4x4, 3x3) for the points 0, -1, 1, -2, 2 and infinity (Lavin & Gray 2016).
const BT = [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0], [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0],
  [0, 4, 0, -5, 0, 1]].map((row) => row.map((c) => q(c)));
const G = [[q(1, 4), q(0), q(0)], [q(-1, 6), q(-1, 6), q(-1, 6)], [q(-1, 6), q(1, 6), q(-1, 6)],
  [q(1, 24), q(1, 12), q(1, 6)], [q(1, 24), q(-1, 12), q(1, 6)], [q(0), q(0), q(1)]];
const AT = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]]
  .map((row) => row.map((c) => q(c)));

let L = [];
const e = (s = '') => L.push(s);
const g = (n) => `(local.get $${n})`;
const range = (n) => [...Array(n).keys()];
const kname = ([n, d]) => 'k' + (d === 1 ? `${n}` : `${n}_${d}`);
const abs = ([n, d]) => [Math.abs(n), d];
/** Python's repr of a float, as the constants were first written. */
const floatText = (x) => (Number.isInteger(x) ? `${x}.0` : `${x}`);

/** sum_j coeffs[j] * srcs[j] as a wat expression; constants used are added to `consts` (by name). */
function lin(coeffs, srcs, consts) {
  let acc = null;
  coeffs.forEach((c, j) => {
    const [n] = c;
    if (n === 0) return;
    const mag = abs(c);
    const one = mag[0] === mag[1];
    if (!one) consts.set(kname(mag), mag);
    const term = one ? srcs[j] : `(f32x4.mul ${srcs[j]} (local.get $${kname(mag)}))`;
    if (acc === null) acc = n > 0 ? term : `(f32x4.neg ${term})`;
    else acc = `(f32x4.${n > 0 ? 'add' : 'sub'} ${acc} ${term})`;
  });
  return acc;
}
const st = (n, v, ind) => e(`${ind}(local.set $${n} ${v})`);
const sorted = (consts) => [...consts.values()].sort((a, b) => value(a) - value(b));
const constInits = (consts, ind) => {
  for (const c of sorted(consts)) e(`${ind}(local.set $${kname(c)} (f32x4.splat (f32.const ${floatText(value(c))})))`);
};
const constLocals = (consts) => sorted(consts).map((c) => `(local $${kname(c)} v128)`).join(' ');

/** base + k * stride bytes (locals), as a wat address: the k-th tap or plane. */
const at = (base, stride, k) =>
  (k === 0 ? g(base) : `(i32.add (local.get $${base}) (i32.mul (local.get $${stride}) (i32.const ${k})))`);

/** The loop over the chunk's tile rows [row0, row1), tile row r = rowBase + i (inputTiles, outputTiles). */
const TILE_ROWS_OPEN = `    (local.set $i (local.get $row0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $row1)))
        (local.set $r (i32.add (local.get $rowBase) (local.get $i)))`;

/** Closes the loops over channel quads (up to `channels`), tiles and tile rows; `end` closes the function too. */
const tileRowsClose = (channels, end) =>
  `            (br_if $channels (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 4))) (local.get $${channels}))))
          (br_if $tiles (i32.lt_u (local.tee $tx (i32.add (local.get $tx) (i32.const 1))) (local.get $tw))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))${end}`;

/**
 * A block's pixel pointers p{i}{j} (i, j < size): row i's start xr{i} plus column `col` + j times `chan4` bytes, or
 * the zero block where the row is outside (in{i} false) or the column is at or past `width` (inputTiles, gradTiles).
 */
function pixelPointers(size, col, chan4, width) {
  for (const i of range(size)) {
    for (const j of range(size)) {
      const c = j === 0 ? g(col) : `(i32.add (local.get $${col}) (i32.const ${j}))`;
      e(`          (local.set $p${i}${j} (select (i32.add (local.get $xr${i}) (i32.mul ${c} (local.get $${chan4}))) (local.get $zeros)\n` +
        `            (i32.and (local.get $in${i}) (i32.lt_u ${c} (local.get $${width})))))`);
    }
  }
}

/** Lines of `body` built apart, with the constants they use. */
function section(build) {
  const saved = L;
  L = [];
  const consts = new Map();
  build(consts);
  const body = L;
  L = saved;
  return { body, consts };
}

/**
 * The arithmetic the factored transforms below are written in: `wat(consts, ind)` emits WebAssembly expressions
 * (temporaries as locals, constants as splat locals registered in `consts`), NUMBERS computes with numbers, for
 * checking the factored forms against the matrices.
 */
const wat = (consts, ind) => ({
  add: (a, b) => `(f32x4.add ${a} ${b})`,
  sub: (a, b) => `(f32x4.sub ${a} ${b})`,
  mul: (a, n) => {
    consts.set(kname(q(n)), q(n));
    return `(f32x4.mul ${a} (local.get $${kname(q(n))}))`;
  },
  tmp: (name, v) => {
    st(name, v, ind);
    return g(name);
  },
});
const NUMBERS = { add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, n) => a * n, tmp: (_name, v) => v };

/**
 * B^T times a 6-vector d, factored: with p = d4 - 4 d2, q = d3 - 4 d1, r = d4 - d2 and s = 2 (d3 - d1), the rows
 * are 4 d0 - 5 d2 + d4, p + q, p - q, r + s, r - s and 4 d1 - 5 d3 + d5: 19 operations against 26 for the rows one
 * by one. `out(k, value)` takes row k; temporaries tp, tq, tr, ts.
 */
function btTimes(d, out, o) {
  const p = o.tmp('tp', o.sub(d[4], o.mul(d[2], 4)));
  const qq = o.tmp('tq', o.sub(d[3], o.mul(d[1], 4)));
  const r = o.tmp('tr', o.sub(d[4], d[2]));
  const s2 = o.tmp('ts', o.mul(o.sub(d[3], d[1]), 2));
  out(0, o.add(o.sub(o.mul(d[0], 4), o.mul(d[2], 5)), d[4]));
  out(1, o.add(p, qq));
  out(2, o.sub(p, qq));
  out(3, o.add(r, s2));
  out(4, o.sub(r, s2));
  out(5, o.add(o.sub(o.mul(d[1], 4), o.mul(d[3], 5)), d[5]));
}

/**
 * A^T times a 6-vector m, factored: with a = m1 + m2, b = m1 - m2, c = m3 + m4 and e = m3 - m4, the rows are
 * m0 + a + c, b + 2 e, a + 4 c and b + 8 e + m5: 13 operations against 20. Temporaries ta, tb, tc, te.
 */
function atTimes(m, out, o) {
  const a = o.tmp('ta', o.add(m[1], m[2]));
  const b = o.tmp('tb', o.sub(m[1], m[2]));
  const c = o.tmp('tc', o.add(m[3], m[4]));
  const e2 = o.tmp('te', o.sub(m[3], m[4]));
  out(0, o.add(o.add(m[0], a), c));
  out(1, o.add(b, o.mul(e2, 2)));
  out(2, o.add(a, o.mul(c, 4)));
  out(3, o.add(o.add(b, o.mul(e2, 8)), m[5]));
}

/**
 * A (= (A^T)^T) times a 4-vector e, factored: with a = e0 + e2, b = e1 + e3, c = e0 + 4 e2 and f = 2 e1 + 8 e3, the
 * rows are e0, a + b, a - b, c + f, c - f and e3: 11 operations against 18. Temporaries ta, tb, tc, te.
 */
function aTimes(v, out, o) {
  const a = o.tmp('ta', o.add(v[0], v[2]));
  const b = o.tmp('tb', o.add(v[1], v[3]));
  const c = o.tmp('tc', o.add(v[0], o.mul(v[2], 4)));
  const f = o.tmp('te', o.add(o.mul(v[1], 2), o.mul(v[3], 8)));
  out(0, v[0]);
  out(1, o.add(a, b));
  out(2, o.sub(a, b));
  out(3, o.add(c, f));
  out(4, o.sub(c, f));
  out(5, v[3]);
}

// The factored forms equal the matrices: each applied to the unit vectors gives the matrix's columns.
for (const [name, times, matrix] of [['B^T', btTimes, BT], ['A^T', atTimes, AT],
  ['A', aTimes, AT[0].map((_, m) => AT.map((row) => row[m]))]]) {
  const cols = matrix[0].length;
  for (const j of range(cols)) {
    const unit = range(cols).map((i) => (i === j ? 1 : 0));
    times(unit, (k, got) => {
      if (got !== value(matrix[k][j])) throw new Error(`winograd4-wat: the factored ${name} differs at [${k}, ${j}]`);
    }, NUMBERS);
  }
}

e(`;; Generated by scripts/winograd4-wat.mjs: do not edit (npm run wat -w @edm/backend-wasm).
;; Winograd minimal filtering F(4x4, 3x3) (Lavin & Gray, 2016; interpolation points 0, +-1, +-2 and infinity) for
;; stride-1 3x3 convolutions, NHWC, on tfjs-backend-wasm's heap: each 4x4 block of outputs is
;;   Y = A^T [ (G g G^T) . (B^T d B) ] A
;; with d the block's 6x6 input tile: 36 products per 16 outputs instead of 144, so the channel sums (36 matrix
;; products [tiles, Ci] x [Ci, Co], conv.wat as batched 1x1 convolutions) take 4x fewer operations than the direct
;; convolution (F(2x2, 3x3), winograd.wat: 2.25x). Its larger coefficients cost float32 accuracy: on a 256 -> 256
;; layer 1.2e-5 of the largest output against 1.7e-6 (conv2d-winograd.ts uses it on enough pixels). The same
;; layout and conventions as winograd.wat with 4x4 output blocks: tile row r of the flattened [N * th] axis
;; (th = ceil(Ho / 4), tw = ceil(Wo / 4)) holds image r / th, output rows 4ty .. 4ty + 3; its tile tx reads input
;; rows 4ty - top + 0..5 and columns 4tx - left + 0..5 (outside x: \`zeros\`, at
;; least Ci zero floats). Planes k = 6i + j over the 6x6 tile.
;;   G   = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
;;   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
;;   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
(module
  (import "env" "memory" (memory MEMORY_LIMITS))`);

// ---- filterTiles: U = G g G^T
{
  const { body, consts } = section((consts) => {
    for (const ky of range(3)) {
      for (const kx of range(3)) {
        const t = ky * 3 + kx;
        st(`g${ky}${kx}`, `(v128.load ${at('pw', 'tap', t)})`, '          ');
      }
    }
    e('          ;; a = G g (over ky, for each kx)');
    for (const kx of range(3)) {
      for (const l of range(6)) st(`a${l}${kx}`, lin(G[l], range(3).map((ky) => g(`g${ky}${kx}`)), consts), '          ');
    }
    e('          ;; U = a G^T (over kx), planes k = 6l + m of ci * co floats');
    for (const l of range(6)) {
      for (const m of range(6)) {
        const k = 6 * l + m;
        e(`          (v128.store ${at('pu', 'plane', k)}\n            ${lin(G[m], range(3).map((kx) => g(`a${l}${kx}`)), consts)})`);
      }
    }
  });
  e(`  ;; U [36, Ci, Co] from w [3, 3, Ci, Co], input channels [row0, row1)
  (func (export "filterTiles")
    (param $w i32) (param $u i32) (param $ci i32) (param $co i32) (param $row0 i32) (param $row1 i32)
    (local $c i32) (local $j i32) (local $tap i32) (local $plane i32) (local $pw i32) (local $pu i32)`);
  e('    ' + constLocals(consts));
  for (const ky of range(3)) e('    ' + range(3).map((kx) => `(local $g${ky}${kx} v128)`).join(' '));
  for (const l of range(6)) e('    ' + range(3).map((kx) => `(local $a${l}${kx} v128)`).join(' '));
  e(`    (local.set $tap (i32.shl (i32.mul (local.get $ci) (local.get $co)) (i32.const 2)))
    (local.set $plane (local.get $tap))`);
  constInits(consts, '    ');
  e(`    (local.set $c (local.get $row0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $c) (local.get $row1)))
        (local.set $pw (i32.add (local.get $w) (i32.shl (i32.mul (local.get $c) (local.get $co)) (i32.const 2))))
        (local.set $pu (i32.add (local.get $u) (i32.shl (i32.mul (local.get $c) (local.get $co)) (i32.const 2))))
        (local.set $j (i32.const 0))
        (loop $channels`);
  L.push(...body);
  e(`          (local.set $pw (i32.add (local.get $pw) (i32.const 16)))
          (local.set $pu (i32.add (local.get $pu) (i32.const 16)))
          (br_if $channels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 4))) (local.get $co))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $rows))))
`);
}

// ---- inputTiles: V = B^T d B
{
  const { body, consts } = section((consts) => {
    for (const i of range(6)) for (const j of range(6)) st(`d${i}${j}`, `(v128.load (local.get $p${i}${j}))`, '            ');
    e('            ;; u = d B (within each input row)');
    for (const i of range(6)) {
      btTimes(range(6).map((j) => g(`d${i}${j}`)), (k, v) => st(`u${i}${k}`, v, '            '), wat(consts, '            '));
    }
    e('            ;; V = B^T u (across rows), planes k = 6l + m');
    for (const m of range(6)) {
      btTimes(range(6).map((i) => g(`u${i}${m}`)), (l, v) => e(`            (v128.store ${at('pv', 'planeBytes', 6 * l + m)}\n              ${v})`),
        wat(consts, '            '));
    }
    e('            ;; next 4 channels');
    for (const i of range(6)) {
      for (const j of range(6)) e(`            (local.set $p${i}${j} (i32.add (local.get $p${i}${j}) (i32.const 16)))`);
    }
  });
  e(`  ;; V [36, plane, Ci] from x [N, H, W, Ci], the chunk's tile rows [row0, row1)
  (func (export "inputTiles")
    (param $x i32) (param $v i32) (param $h i32) (param $wi i32) (param $ci i32) (param $top i32) (param $left i32)
    (param $th i32) (param $tw i32) (param $plane i32) (param $rowBase i32) (param $zeros i32)
    (param $row0 i32) (param $row1 i32)
    (local $i i32) (local $r i32) (local $tx i32) (local $c i32) (local $ci4 i32) (local $planeBytes i32)
    (local $pv i32) (local $iy i32) (local $ix i32) (local $xImage i32)
    (local $tp v128) (local $tq v128) (local $tr v128) (local $ts v128)`);
  e('    ' + constLocals(consts));
  for (const i of range(6)) {
    e(`    (local $xr${i} i32) (local $in${i} i32)`);
    e('    ' + range(6).map((j) => `(local $p${i}${j} i32)`).join(' '));
  }
  for (const i of range(6)) e('    ' + range(6).map((j) => `(local $d${i}${j} v128)`).join(' '));
  for (const i of range(6)) e('    ' + range(6).map((j) => `(local $u${i}${j} v128)`).join(' '));
  e(`    (local.set $ci4 (i32.shl (local.get $ci) (i32.const 2)))
    (local.set $planeBytes (i32.mul (local.get $plane) (local.get $ci4)))`);
  constInits(consts, '    ');
  e(TILE_ROWS_OPEN);
  e(`        ;; image r / th; input rows 4ty - top + i (in0 .. in5: inside the image)
        (local.set $xImage (i32.add (local.get $x)
          (i32.mul (i32.mul (i32.mul (i32.div_u (local.get $r) (local.get $th)) (local.get $h)) (local.get $wi)) (local.get $ci4))))
        (local.set $iy (i32.sub (i32.shl (i32.rem_u (local.get $r) (local.get $th)) (i32.const 2)) (local.get $top)))`);
  for (const i of range(6)) {
    const iy = i === 0 ? g('iy') : `(i32.add (local.get $iy) (i32.const ${i}))`;
    e(`        (local.set $in${i} (i32.lt_u ${iy} (local.get $h)))`);
    e(`        (local.set $xr${i} (i32.add (local.get $xImage) (i32.mul (i32.mul ${iy} (local.get $wi)) (local.get $ci4))))`);
  }
  e(`        (local.set $pv (i32.add (local.get $v) (i32.mul (i32.mul (local.get $i) (local.get $tw)) (local.get $ci4))))
        (local.set $tx (i32.const 0))
        (loop $tiles
          ;; the tile's 36 input pixels (columns 4tx - left + j), or the zero block outside x
          (local.set $ix (i32.sub (i32.shl (local.get $tx) (i32.const 2)) (local.get $left)))`);
  pixelPointers(6, 'ix', 'ci4', 'wi');
  e(`          (local.set $c (i32.const 0))
          (loop $channels`);
  L.push(...body);
  e('            (local.set $pv (i32.add (local.get $pv) (i32.const 16)))');
  e(tileRowsClose('ci', '\n'));
}

// ---- outputTiles: y = A^T M A + bias
{
  const { body, consts } = section((consts) => {
    for (const l of range(6)) {
      for (const m of range(6)) {
        const k = 6 * l + m;
        st(`m${l}${m}`, `(v128.load ${at('pm', 'planeBytes', k)})`, '            ');
      }
    }
    e('            ;; s = A^T M (across rows)');
    for (const m of range(6)) {
      atTimes(range(6).map((l) => g(`m${l}${m}`)), (a, v) => st(`s${a}${m}`, v, '            '), wat(consts, '            '));
    }
    e(`            (local.set $b (v128.const i32x4 0 0 0 0))
            (if (local.get $bias) (then (local.set $b (v128.load (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 2)))))))
            ;; y = s A + bias (within rows), pixels in descending order: an alias of a pixel inside y comes before it`);
    for (const a of range(4).reverse()) {
      const ys = [];
      atTimes(range(6).map((m) => g(`s${a}${m}`)), (b, v) => ys.push(v), wat(consts, '            '));
      for (const b of range(4).reverse()) {
        e(`            (v128.store (local.get $q${a}${b})\n              (f32x4.add ${ys[b]} (local.get $b)))`);
      }
    }
    for (const a of range(4)) {
      for (const b of range(4)) e(`            (local.set $q${a}${b} (i32.add (local.get $q${a}${b}) (i32.const 16)))`);
    }
  });
  e(`  ;; y [N, Ho, Wo, Co] (+ bias; 0: none) from M [36, plane, Co], the chunk's tile rows [row0, row1). In a last row
  ;; or column of tiles past Ho or Wo, a pixel outside y aliases the nearest one inside (rows and columns clamped),
  ;; which is stored after it
  (func (export "outputTiles")
    (param $m i32) (param $y i32) (param $bias i32) (param $ho i32) (param $wo i32) (param $co i32)
    (param $th i32) (param $tw i32) (param $plane i32) (param $rowBase i32) (param $row0 i32) (param $row1 i32)
    (local $i i32) (local $r i32) (local $tx i32) (local $c i32) (local $co4 i32) (local $planeBytes i32)
    (local $pm i32) (local $oy i32) (local $ox i32) (local $yRow i32) (local $rowBytes i32) (local $b v128)
    (local $rows i32) (local $cols i32) (local $q i32)
    (local $ta v128) (local $tb v128) (local $tc v128) (local $te v128)`);
  e('    ' + constLocals(consts));
  e('    ' + [1, 2, 3].map((a) => `(local $down${a} i32)`).join(' ') + ' ' + [1, 2, 3].map((b) => `(local $right${b} i32)`).join(' '));
  for (const a of range(4)) e('    ' + range(4).map((b) => `(local $q${a}${b} i32)`).join(' '));
  for (const l of range(6)) e('    ' + range(6).map((m) => `(local $m${l}${m} v128)`).join(' '));
  for (const a of range(4)) e('    ' + range(6).map((m) => `(local $s${a}${m} v128)`).join(' '));
  e(`    (local.set $co4 (i32.shl (local.get $co) (i32.const 2)))
    (local.set $planeBytes (i32.mul (local.get $plane) (local.get $co4)))
    (local.set $rowBytes (i32.mul (local.get $wo) (local.get $co4)))`);
  constInits(consts, '    ');
  e(TILE_ROWS_OPEN);
  e(`        ;; output row oy = 4ty of image r / th; rows a = 1..3 below it at down{a} bytes, clamped to y's last row
        (local.set $oy (i32.shl (i32.rem_u (local.get $r) (local.get $th)) (i32.const 2)))
        (local.set $yRow (i32.add (local.get $y)
          (i32.mul (i32.add (i32.mul (i32.div_u (local.get $r) (local.get $th)) (local.get $ho)) (local.get $oy))
            (local.get $rowBytes))))
        (local.set $rows (i32.sub (local.get $ho) (local.get $oy)))`);
  for (const a of [1, 2, 3]) {
    e(`        (local.set $down${a} (i32.mul (select (i32.const ${a}) (i32.sub (local.get $rows) (i32.const 1))\n` +
      `          (i32.gt_u (local.get $rows) (i32.const ${a}))) (local.get $rowBytes)))`);
  }
  e(`        (local.set $pm (i32.add (local.get $m) (i32.mul (i32.mul (local.get $i) (local.get $tw)) (local.get $co4))))
        (local.set $tx (i32.const 0))
        (loop $tiles
          (local.set $ox (i32.shl (local.get $tx) (i32.const 2)))
          (local.set $cols (i32.sub (local.get $wo) (local.get $ox)))`);
  for (const b of [1, 2, 3]) {
    e(`          (local.set $right${b} (i32.mul (select (i32.const ${b}) (i32.sub (local.get $cols) (i32.const 1))\n` +
      `            (i32.gt_u (local.get $cols) (i32.const ${b}))) (local.get $co4)))`);
  }
  e('          (local.set $q (i32.add (local.get $yRow) (i32.mul (local.get $ox) (local.get $co4))))');
  for (const a of range(4)) {
    for (const b of range(4)) {
      const terms = ['(local.get $q)', ...(a ? [`(local.get $down${a})`] : []), ...(b ? [`(local.get $right${b})`] : [])];
      e(`          (local.set $q${a}${b} ${terms.slice(1).reduce((acc, t) => `(i32.add ${acc} ${t})`, terms[0])})`);
    }
  }
  e(`          (local.set $c (i32.const 0))
          (loop $channels`);
  L.push(...body);
  e('            (local.set $pm (i32.add (local.get $pm) (i32.const 16)))');
  e(tileRowsClose('co', '\n'));
}

// ---- The filter gradient by the same tiles, F(3x3, 4x4): dW = sum over tiles of G^T [(A e A^T) . (B^T d B)] G
e(`  ;; The filter gradient by the same tiles, F(3x3, 4x4): dW[ky, kx] = sum_t G^T [ (A e_t A^T) . (B^T d_t B) ] G, with
  ;; d_t tile t of x (inputTiles, as for the convolution) and e_t its 4x4 block of dy (outputs 4ty .. 4ty + 3 and
  ;; 4tx .. 4tx + 3; zeros past Ho or Wo). The sum over tiles is 36 products V[k]^T E[k] (conv-filter.wat, one plane
  ;; per k): S [36, Ci, Co]. gradTiles: E[k, t, co] = (A e_t A^T)[k]; filterFromTiles: dW = G^T S G. 36 products per 16
  ;; outputs of dy against F(3x3, 2x2)'s 16 per 4 (winograd.wat), and 2.25 tile values per output against 4.`);

// ---- gradTiles: E = A e A^T (A = (A^T)^T, 6x4)
{
  const { body, consts } = section((consts) => {
    for (const a of range(4)) for (const b of range(4)) st(`e${a}${b}`, `(v128.load (local.get $p${a}${b}))`, '            ');
    e('            ;; f = e A^T (within each block row)');
    for (const a of range(4)) {
      aTimes(range(4).map((b) => g(`e${a}${b}`)), (m, v) => st(`f${a}${m}`, v, '            '), wat(consts, '            '));
    }
    e('            ;; E = A f (across rows), planes k = 6l + m');
    for (const m of range(6)) {
      aTimes(range(4).map((a) => g(`f${a}${m}`)), (l, v) => e(`            (v128.store ${at('pe', 'planeBytes', 6 * l + m)}\n              ${v})`),
        wat(consts, '            '));
    }
    for (const a of range(4)) {
      for (const b of range(4)) e(`            (local.set $p${a}${b} (i32.add (local.get $p${a}${b}) (i32.const 16)))`);
    }
  });
  e(`  ;; E [36, plane, Co] from dy [N, Ho, Wo, Co], the chunk's tile rows [row0, row1) (\`zeros\`: at least Co zero floats)
  (func (export "gradTiles")
    (param $dy i32) (param $e i32) (param $ho i32) (param $wo i32) (param $co i32) (param $th i32) (param $tw i32)
    (param $plane i32) (param $rowBase i32) (param $zeros i32) (param $row0 i32) (param $row1 i32)
    (local $i i32) (local $r i32) (local $tx i32) (local $c i32) (local $co4 i32) (local $planeBytes i32)
    (local $pe i32) (local $oy i32) (local $ox i32) (local $dyRow i32)
    (local $ta v128) (local $tb v128) (local $tc v128) (local $te v128)`);
  e('    ' + constLocals(consts));
  e('    ' + range(4).map((a) => `(local $in${a} i32) (local $xr${a} i32)`).join(' '));
  for (const a of range(4)) e('    ' + range(4).map((b) => `(local $p${a}${b} i32)`).join(' '));
  for (const a of range(4)) e('    ' + range(4).map((b) => `(local $e${a}${b} v128)`).join(' '));
  for (const a of range(4)) e('    ' + range(6).map((m) => `(local $f${a}${m} v128)`).join(' '));
  e(`    (local.set $co4 (i32.shl (local.get $co) (i32.const 2)))
    (local.set $planeBytes (i32.mul (local.get $plane) (local.get $co4)))`);
  constInits(consts, '    ');
  e(TILE_ROWS_OPEN);
  e(`        ;; dy rows oy + a, oy = 4ty of image r / th (in0 .. in3: inside dy)
        (local.set $oy (i32.shl (i32.rem_u (local.get $r) (local.get $th)) (i32.const 2)))
        (local.set $dyRow (i32.add (local.get $dy)
          (i32.mul (i32.mul (i32.add (i32.mul (i32.div_u (local.get $r) (local.get $th)) (local.get $ho)) (local.get $oy))
            (local.get $wo)) (local.get $co4))))`);
  for (const a of range(4)) {
    e(`        (local.set $in${a} (i32.lt_u (i32.add (local.get $oy) (i32.const ${a})) (local.get $ho)))`);
    e(`        (local.set $xr${a} (i32.add (local.get $dyRow) (i32.mul (i32.mul (local.get $wo) (local.get $co4)) (i32.const ${a}))))`);
  }
  e(`        (local.set $pe (i32.add (local.get $e) (i32.mul (i32.mul (local.get $i) (local.get $tw)) (local.get $co4))))
        (local.set $tx (i32.const 0))
        (loop $tiles
          ;; the block's 16 pixels (columns ox + b, ox = 4tx), or the zero block past dy's last row or column
          (local.set $ox (i32.shl (local.get $tx) (i32.const 2)))`);
  pixelPointers(4, 'ox', 'co4', 'wo');
  e(`          (local.set $c (i32.const 0))
          (loop $channels`);
  L.push(...body);
  e('            (local.set $pe (i32.add (local.get $pe) (i32.const 16)))');
  e(tileRowsClose('co', '\n'));
}

// ---- filterFromTiles: dW = G^T S G
{
  const { body, consts } = section((consts) => {
    for (const l of range(6)) {
      for (const m of range(6)) st(`s${l}${m}`, `(v128.load ${at('ps', 'plane', 6 * l + m)})`, '          ');
    }
    e('          ;; t = G^T S (across rows)');
    for (const ky of range(3)) {
      for (const m of range(6)) st(`t${ky}${m}`, lin(range(6).map((l) => G[l][ky]), range(6).map((l) => g(`s${l}${m}`)), consts), '          ');
    }
    e('          ;; dW = t G (within rows), taps ky * 3 + kx of ci * co floats');
    for (const ky of range(3)) {
      for (const kx of range(3)) {
        e(`          (v128.store ${at('pw', 'plane', 3 * ky + kx)}\n            ${lin(range(6).map((m) => G[m][kx]), range(6).map((m) => g(`t${ky}${m}`)), consts)})`);
      }
    }
  });
  e(`  ;; dW [3, 3, Ci, Co] = G^T S G from S [36, Ci, Co], input channels [row0, row1)
  (func (export "filterFromTiles")
    (param $s i32) (param $dw i32) (param $ci i32) (param $co i32) (param $row0 i32) (param $row1 i32)
    (local $c i32) (local $j i32) (local $plane i32) (local $ps i32) (local $pw i32)`);
  e('    ' + constLocals(consts));
  for (const l of range(6)) e('    ' + range(6).map((m) => `(local $s${l}${m} v128)`).join(' '));
  for (const ky of range(3)) e('    ' + range(6).map((m) => `(local $t${ky}${m} v128)`).join(' '));
  e(`    (local.set $plane (i32.shl (i32.mul (local.get $ci) (local.get $co)) (i32.const 2)))`);
  constInits(consts, '    ');
  e(`    (local.set $c (local.get $row0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $c) (local.get $row1)))
        (local.set $ps (i32.add (local.get $s) (i32.shl (i32.mul (local.get $c) (local.get $co)) (i32.const 2))))
        (local.set $pw (i32.add (local.get $dw) (i32.shl (i32.mul (local.get $c) (local.get $co)) (i32.const 2))))
        (local.set $j (i32.const 0))
        (loop $channels`);
  L.push(...body);
  e(`          (local.set $ps (i32.add (local.get $ps) (i32.const 16)))
          (local.set $pw (i32.add (local.get $pw) (i32.const 16)))
          (br_if $channels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 4))) (local.get $co))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $rows)))))`);
}

/** Breaks a line longer than `limit` at its outermost argument boundaries (continuations indented 2 more). */
function wrap(line, limit = 118) {
  if (line.length <= limit || line.trimStart().startsWith(';;')) return [line];
  const indent = line.length - line.trimStart().length;
  const cutAt = (level) => {
    let depth = 0;
    let cut = -1;
    for (let i = 0; i < line.length; i++) {
      if (line[i] === '(') {
        if (depth === level && i <= limit && (level !== 1 || i > indent)) cut = i;
        depth++;
      } else if (line[i] === ')') {
        depth--;
      }
    }
    return cut;
  };
  let cut = cutAt(1);
  if (cut <= indent + 1) cut = cutAt(2);
  if (cut <= indent + 1) return [line];
  return [line.slice(0, cut).trimEnd(), ...wrap(' '.repeat(indent + 2) + line.slice(cut), limit)];
}

const text = L.flatMap((line) => line.split('\n')).flatMap((line) => wrap(line)).join('\n') + '\n';
if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== text) {
    console.error(`${target} is out of date with scripts/winograd4-wat.mjs: run npm run wat -w @edm/backend-wasm`);
    process.exit(1);
  }
} else {
  writeFileSync(`${target}.tmp`, text);
  renameSync(`${target}.tmp`, target);
  console.log(`wrote ${target}`);
}
