// @edm/metrics: sample-quality metrics on tfjs-core (browser-safe; the CLI drives them in Node).
import '@edm/core';

// Detectors and the batch loop that feeds them.
export {
  batchToTensor, computeFeatures, imagesInMemory,
  type ComputeFeaturesOptions, type FeatureDetector, type ImageBatch, type ImageSource,
} from './detector';
// The FID Inception-v3 (pytorch-fid's port of TensorFlow's inception-2015-12-05).
export { FidInception, FID_INCEPTION_NAME, type InceptionBlocks } from './inception/fid-inception';
export { readInceptionWeights, type FoldedConv, type InceptionWeights } from './inception/weights';
export { INCEPTION_CONVS, INCEPTION_FEATURES, INCEPTION_SIZE, INCEPTION_TENSORS, type ConvSpec } from './inception/architecture';
// Metrics on feature arrays.
export { featureStats, frechetDistance, traceSqrtProduct, type FeatureStats, type FrechetOptions } from './frechet';
export {
  checkFeatureMoments, featureMoments, mergeAllFeatureMoments, mergeFeatureMoments, statsFromMoments, type FeatureMoments,
} from './moments';
export { kernelInceptionDistance, type KidOptions, type KidResult } from './kid';
export { precisionRecall, type PrecisionRecallOptions, type PrecisionRecallResult } from './precision-recall';
export {
  decodeReference, encodeReference, makeReference, REFERENCE_FORMAT, type MakeReferenceOptions, type ReferenceStats,
} from './reference';
export { sha256Hex } from './hash';

// The MNIST digit judge: class accuracy of samples, and features for FD/KID on digits.
export {
  MnistJudge, MNIST_JUDGE_CLASSES, MNIST_JUDGE_FEATURES, MNIST_JUDGE_FORMAT, MNIST_JUDGE_NAME, MNIST_JUDGE_PARAMS, MNIST_JUDGE_SIZE,
  bytesToInput, type MnistJudgeOutput,
} from './mnist/judge';
export { argmax, classAccuracy, type ClassAccuracy } from './mnist/accuracy';
export { judgeAccuracy, trainMnistJudge, type LabelledDigits, type TrainJudgeOptions } from './mnist/train-judge';
