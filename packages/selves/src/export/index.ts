/**
 * Adapter export: Selves as llama.cpp GGUF LoRA files (vLLM reads the PEFT directories as they are).
 */
export {
  exportSelfToGguf,
  type GgufLoraOptions,
  llamaTensorName,
  peftToGgufLora,
  writeGgufLora,
} from './gguf-lora';
export {
  GGML_TYPE,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_VALUE_TYPE,
  type GgufTensor,
  type GgufValue,
  writeGguf,
} from './gguf-writer';
