// Kernels behind the optimizer and the 4-bit layers: the TypeScript reference implementation and
// the interface the native (C++ / CUDA) backends of `@chimera/runtime-cuda/native` implement.

export { dequantizeInt4, int4FromCodes, int4RowBytes, quantizeInt4, validateInt4 } from './int4-matrix';
export { KernelError } from './kernel-error';
export type {
  Int4Matrix,
  KernelBackend,
  KernelSet,
  LoraTerm,
  NoiseSpec,
  QuantizeResult,
  UpdateDirection,
} from './kernel-set';
export {
  boxMuller,
  DOMAIN_DATA_ROUNDING,
  DOMAIN_GAUSSIAN,
  DOMAIN_UPDATE_ROUNDING,
  gaussianAt,
  type Quantizer,
  quantizerFor,
  stochasticRoundValue,
  UPDATE_SUBSEED_XOR,
} from './noise';
export { philox4x32 } from './philox';
export { typescriptKernels } from './typescript-kernels';
