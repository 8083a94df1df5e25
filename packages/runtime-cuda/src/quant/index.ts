// @chimera/runtime-cuda/quant: hybrid 4-bit quantization. Round-to-nearest (per-channel or
// block-wise, symmetric or asymmetric), SplitQuantV2 layer splitting, KurTail rotations learned
// against activation kurtosis, PEQA-style scale fine-tuning with QuZO, and ONNX emission
// (MatMulNBits or DequantizeLinear + MatMul) that onnxruntime runs.
export { fakeQuantizeActivations } from './activation-quant';
export { type CliIo, formatReport, runQuantizeCli } from './cli';
export { type KMeans1dResult, kmeans1d } from './kmeans-1d';
export { type KurTailOptions, type KurTailResult, learnKurTailRotation } from './kurtail';
export { kurtosisLossAndGradient, meanTokenKurtosis } from './kurtosis';
export { orthogonalityError, relativeError } from './linear-algebra';
export {
  NANO_QUANT_PLAN,
  nanoCalibration,
  nanoSelectionTasks,
  nanoWeightMap,
  type QuantizedNanoBase,
  type QuantizeNanoOptions,
  quantizeNanoBase,
} from './nano-quant';
export {
  addActivationQuantization,
  addQuantizedLinear,
  addRmsNorm,
  type QuantizedLinearEmitOptions,
  type QuantizedLinearFormat,
  toMatMulNBitsWeights,
} from './onnx-emit';
export {
  accuracy,
  buildOutlierStackGraph,
  createOutlierStack,
  crossEntropy,
  DEFAULT_OUTLIER_STACK,
  distillationLoss,
  type LabeledTokens,
  type OutlierStack,
  type OutlierStackConfig,
  type StackForwardOptions,
  type StackGraphOptions,
  stackCalibration,
  stackForward,
} from './outlier-stack';
export { QuantError } from './quant-error';
export {
  type LayerReport,
  QUANT_METHODS,
  type QuantizedModel,
  type QuantizeModelOptions,
  type QuantMethod,
  type QuantPlan,
  quantizeModel,
  type RotationSite,
  rotateActivations,
  type SiteReport,
  type WeightMap,
  type WeightTensor,
} from './quantize-model';
export { readQuantizedModel, writeQuantizedModel } from './quantized-file';
export {
  dequantizeLinear,
  linearBytes,
  linearScales,
  type QuantizationMethod,
  type QuantizedLinear,
  quantizeLinear,
} from './quantized-linear';
export {
  hadamardMatrix,
  randomHadamardRotation,
  randomOrthogonal,
  rotateColumns,
  rotateRows,
  scaleRows,
} from './rotations';
export {
  dequantize,
  dequantizeInto,
  type QuantizedWeight,
  quantizedBytes,
  quantizeRtn,
  type RtnOptions,
} from './rtn';
export { type ScaleTuningOptions, type ScaleTuningResult, tuneScales } from './scale-tuning';
export { quantizeSplit, type SplitQuantOptions, splitWeight } from './splitquant';
