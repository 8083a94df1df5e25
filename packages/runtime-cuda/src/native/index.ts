// `@chimera/runtime-cuda/native`: the optional C++/CUDA kernels addon. Loading never throws; it
// reports what is available and why, and `kernels()` picks the best backend.
export {
  type KernelPreference,
  kernels,
  loadNativeKernels,
  type NativeDevice,
  type NativeKernels,
} from './load-native-kernels';
export { type AddonKernelFunctions, wrapAddonKernels } from './native-kernels';
