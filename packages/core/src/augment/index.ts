// The paper's non-leaking augmentation pipe (Appendix F.2) and its geometric resampler.
export { AUGMENT_DIM, EDMAugmentPipe, type EDMAugmentCallOptions, type EDMAugmentPipeOptions } from './pipe';
export { affineWarp } from './warp';
