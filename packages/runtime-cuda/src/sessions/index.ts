export {
  type CreateSessionOptions,
  createSession,
  type ExecutionProvider,
  loadOnnxRuntime,
  type ModelSession,
  type SessionFeeds,
  type SessionTensor,
  type SessionTensorType,
} from './model-session';
export { RuntimeCudaError } from './runtime-cuda-error';
export { SessionError } from './session-error';
