// Public API of @chimera/runtime-cuda. Each module's own index lists its named exports.
// Heavy or optional parts live behind subpaths: `@chimera/runtime-cuda/native` (the addon loader)
// and `@chimera/runtime-cuda/quant` (KurTail, SplitQuantV2, PEQA scales).

export * from './kernels/index';
export * from './memory/index';
export * from './nano/index';
export * from './onnx/index';
export * from './quzo/index';
export * from './safetensors/index';
export * from './sessions/index';
