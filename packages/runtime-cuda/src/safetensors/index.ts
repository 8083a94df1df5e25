export {
  bfloat16ToFloat,
  float32Tensor,
  floatToBfloat16,
  floatToHalf,
  halfToFloat,
  tensorToFloat32,
} from './convert';
export { isSafetensorsDtype, SAFETENSORS_DTYPES, type SafetensorsDtype, type TensorData } from './dtypes';
export {
  MAX_HEADER_SIZE,
  parseSafetensorsHeader,
  type SafetensorsHeader,
  type SafetensorsTensorInfo,
} from './header';
export {
  loadSafetensors,
  readSafetensors,
  type SafetensorsContents,
  type SafetensorsTensor,
  type SafetensorsTensorInput,
  saveSafetensors,
  writeSafetensors,
} from './safetensors';
export { SafetensorsError, type SafetensorsErrorCode } from './safetensors-error';
