export {
  type OnnxAttributeValue,
  type OnnxDim,
  OnnxGraphBuilder,
  type OnnxModelOptions,
  onnxAttribute,
  type TypedAttribute,
} from './graph-builder';
export { type InsertedLora, type InsertLoraOptions, insertLora } from './insert-lora';
export {
  addMatMulNBits,
  dequantizeMatMulNBits,
  type MatMulNBitsWeights,
  type PackedMatMulNBits,
  packMatMulNBits,
  quantizeMatMulNBitsRtn,
} from './matmul-nbits';
export { OnnxGraphError } from './onnx-graph-error';
export {
  elementCount,
  ONNX_DATA_TYPE,
  type OnnxElementType,
  type OnnxTensor,
  type OnnxTensorData,
} from './tensor-types';
