// The common ramp of the schedules: i / (n - 1) for i = 0..n-1 (0 when n = 1), like torch.linspace(0, 1, n).

/** i / (n - 1) for i = 0..n-1; [0] when n = 1. */
export function ramp(n: number): number[] {
  return Array.from({ length: n }, (_, i) => (n === 1 ? 0 : i / (n - 1)));
}
