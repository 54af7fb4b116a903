// The input check shared by our fused float32 kernels (GroupNorm, the Adam step) on every backend.

/** Throws unless every named input of `kernel` is float32 (the fused kernels compute in float32 only). */
export function checkFloat32(kernel: string, inputs: Record<string, { dtype: string }>): void {
  for (const [name, t] of Object.entries(inputs)) {
    if (t.dtype !== 'float32') throw new Error(`${kernel}: ${name} must be float32, got ${t.dtype}`);
  }
}
