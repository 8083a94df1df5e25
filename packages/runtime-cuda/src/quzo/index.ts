// QuZO / MeZO zeroth-order optimizer, its schedules, losses and replay log.

export { InPlacePerturbation } from './in-place-perturbation';
export {
  type AdvantageWeightingOptions,
  advantageWeightedLogLikelihood,
  groupedSoftmaxCrossEntropy,
  valueRegressionLoss,
} from './losses';
export { QuZOError } from './quzo-error';
export {
  QuZOOptimizer,
  type QuZOOptions,
  type QuZOState,
  type QuZOStepResult,
} from './quzo-optimizer';
export {
  decodeReplayLog,
  directionSeed,
  encodeReplayLog,
  type QuZOStepRecord,
  quantizeGradientsInt8,
} from './replay-log';
export {
  type ConstantSchedule,
  type CosineSchedule,
  constantSchedule,
  cosineSchedule,
  type LinearSchedule,
  linearSchedule,
  type Schedule,
  scheduleValue,
} from './schedules';
