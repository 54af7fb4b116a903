// SiLU (swish), x * sigmoid(x): the nonlinearity of both U-Nets (reference torch.nn.functional.silu). The op
// lives in @edm/core (ops/silu.ts: its gradient keeps only x), beside the fused GroupNorm + SiLU op that
// shares its arithmetic.
export { silu } from '@edm/core';
