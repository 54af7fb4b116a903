// Network ops that tfjs lacks, each as op + kernels per backend + one gradient (tfjs style).
import { registerAdamCpuKernel } from './adam-cpu';
import { registerGroupNormCpuKernels } from './group-norm-cpu';
import { registerUpsampleCpuKernels } from './upsample-cpu';

export {
  GROUP_NORM_GRAD_KERNEL, GROUP_NORM_KERNEL, composedGroupNorm, groupNorm, hasFusedGroupNorm,
  registerGroupNormGradient, type GroupNormAttrs,
} from './group-norm';
export {
  GROUP_NORM_SILU_GRAD_KERNEL, GROUP_NORM_SILU_KERNEL, composedGroupNormSilu, groupNormSilu, hasFusedGroupNormSilu,
  registerGroupNormSiluGradient,
} from './group-norm-silu';
export { silu } from './silu';
export {
  JS_GROUP_NORM_PASSES, groupNormBackward, groupNormDims, groupNormForward, groupNormSiluBackward, groupNormSiluForward,
  type GroupNormDims, type GroupNormPasses,
} from './group-norm-math';
export {
  UPSAMPLE_NEAREST_GRAD_KERNEL, UPSAMPLE_NEAREST_KERNEL, composedUpsampleNearest2x, hasFusedUpsampleNearest,
  registerUpsampleNearestGradient, upsampleNearest2x,
} from './upsample';
export { upsampleInputShape, upsampleNearestGradLoop, upsampleNearestLoop } from './upsample-cpu';
export { checkFloat32 } from './check-float32';
export { ADAM_KERNEL, adamStep, composedAdamStep, hasFusedAdam, type AdamStepAttrs } from './adam';
export { adamLoop } from './adam-cpu';
export { registerAdamCpuKernel, registerGroupNormCpuKernels, registerUpsampleCpuKernels };

registerGroupNormCpuKernels();
registerAdamCpuKernel();
registerUpsampleCpuKernels();
