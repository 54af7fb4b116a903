// A PID controller for adaptive ODE step sizes (k-diffusion PIDStepSizeController, after Söderlind 2003):
// the new step is h <- h * limiter(e_n^b1 e_{n-1}^b2 e_{n-2}^b3) with e = 1 / (error + eps), accepted when
// the factor >= accept_safety. pcoeff = dcoeff = 0, icoeff = 1 is the classic integral (I) controller.

/** PID step-size controller state. */
export class PidStepSizeController {
  /** Current step size (in lambda = -ln sigma). */
  h: number;
  private readonly b1: number;
  private readonly b2: number;
  private readonly b3: number;
  private errs: number[] = [];

  constructor(h: number, pcoeff: number, icoeff: number, dcoeff: number, order: number,
    private readonly acceptSafety = 0.81, private readonly eps = 1e-8) {
    this.h = h;
    this.b1 = (pcoeff + icoeff + dcoeff) / order;
    this.b2 = -(pcoeff + 2 * dcoeff) / order;
    this.b3 = dcoeff / order;
  }

  /** Updates h from a normalised error estimate; returns whether the step is accepted. */
  proposeStep(error: number): boolean {
    const inv = 1 / (error + this.eps);
    if (this.errs.length === 0) this.errs = [inv, inv, inv];
    this.errs[0] = inv;
    const raw = this.errs[0]! ** this.b1 * this.errs[1]! ** this.b2 * this.errs[2]! ** this.b3;
    const factor = 1 + Math.atan(raw - 1);
    const accept = factor >= this.acceptSafety;
    if (accept) {
      this.errs[2] = this.errs[1]!;
      this.errs[1] = this.errs[0]!;
    }
    this.h *= factor;
    return accept;
  }
}
