/**
 * Inference sessions on onnxruntime-node. CPU works everywhere; CUDA is used when its provider
 * libraries load, and otherwise the session falls back to CPU with the reason logged (onnxruntime
 * throws when asked for CUDA without them rather than falling back by itself).
 *
 * onnxruntime-node is imported lazily, on the first session, so importing this package does not
 * load its 46 MB native library. Inputs and outputs are plain `{ type, dims, data }` tensors:
 * LoRA factors fed this way per call let one session serve any adapter, or a perturbed copy of
 * one, without reloading the model.
 */
import type { InferenceSession as OrtInferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { SessionError } from './session-error';

export type ExecutionProvider = 'cpu' | 'cuda' | 'auto';

export type SessionTensorType =
  | 'float32'
  | 'float64'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'int8'
  | 'bool'
  | 'float16';

/** A tensor passed to or returned from a session. Structurally compatible with onnxruntime's `Tensor`. */
export interface SessionTensor {
  type: SessionTensorType | string;
  dims: readonly number[];
  data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Uint16Array;
}

export type SessionFeeds = Record<string, SessionTensor>;

export interface CreateSessionOptions {
  /** `auto` (default) and `cuda` try CUDA first and fall back to CPU with a logged reason; `cpu` never tries CUDA. */
  executionProvider?: ExecutionProvider;
  /** Throw instead of falling back when CUDA was asked for explicitly and cannot be used. */
  requireCuda?: boolean;
  /** Receives one line per notable event (fallbacks). Default: none. */
  logger?: (message: string) => void;
  /** Passed through to onnxruntime (`intraOpNumThreads`, `graphOptimizationLevel`, ...). */
  sessionOptions?: OrtInferenceSession.SessionOptions;
}

export interface ModelSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** The provider that actually runs the model. */
  readonly providerUsed: 'cpu' | 'cuda';
  /** Why CUDA was not used, when it was asked for (`auto` or `cuda`) and the session fell back to CPU. */
  readonly fallbackReason?: string;
  /** Runs the model; returns every output (or only `fetches`). */
  run(feeds: SessionFeeds, fetches?: readonly string[]): Promise<Record<string, SessionTensor>>;
  release(): Promise<void>;
}

type OrtModule = typeof import('onnxruntime-node');
let ortModule: Promise<OrtModule> | undefined;
/** The first CUDA failure in this process: later sessions skip the attempt (it costs a library load each time). */
let cudaFailure: string | undefined;

/**
 * Loads onnxruntime-node once. Its process-wide logger prints a failed CUDA provider load as a red
 * error line on stderr even though the session then falls back; the fallback is reported through
 * `logger` instead, so the default level is raised to `fatal` here unless the caller already set
 * `env.logLevel`. Pass `sessionOptions.logSeverityLevel` to see a session's own warnings.
 */
export function loadOnnxRuntime(): Promise<OrtModule> {
  ortModule ??= import('onnxruntime-node').then(
    (ort) => {
      if (ort.env.logLevel === undefined || ort.env.logLevel === 'warning') ort.env.logLevel = 'fatal';
      return ort;
    },
    (cause: unknown) => {
      ortModule = undefined;
      throw new SessionError(
        'could not load onnxruntime-node: install it (ONNXRUNTIME_NODE_INSTALL=skip avoids its CUDA download offline)',
        { cause },
      );
    },
  );
  return ortModule;
}

/** Creates a session from ONNX bytes (e.g. `OnnxGraphBuilder.toBytes()`) or a model file path. */
export async function createSession(
  model: Uint8Array | string,
  options: CreateSessionOptions = {},
): Promise<ModelSession> {
  const ort = await loadOnnxRuntime();
  const wanted = options.executionProvider ?? 'auto';
  if (wanted !== 'cpu' && wanted !== 'cuda' && wanted !== 'auto') {
    throw new SessionError(
      `executionProvider must be 'cpu', 'cuda' or 'auto', got ${JSON.stringify(wanted)}`,
    );
  }
  const base: OrtInferenceSession.SessionOptions = { ...options.sessionOptions };
  const log = options.logger ?? (() => {});
  let fallbackReason: string | undefined;
  if (wanted !== 'cpu') {
    if (cudaFailure === undefined) {
      try {
        const session = await create(ort, model, { ...base, executionProviders: ['cuda', 'cpu'] });
        return wrap(ort, session, 'cuda', undefined);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // A model that is itself broken fails on CPU too; only provider failures are remembered.
        cudaFailure = message.split('\n')[0]!.slice(0, 300);
      }
    }
    fallbackReason = `CUDA execution provider unavailable (${cudaFailure}); running on CPU`;
    if (wanted === 'cuda' && options.requireCuda) throw new SessionError(fallbackReason);
    log(fallbackReason);
  }
  let session: OrtInferenceSession;
  try {
    session = await create(ort, model, { ...base, executionProviders: ['cpu'] });
  } catch (error) {
    // The CPU provider failed too: the model was at fault, not CUDA, so don't remember CUDA as broken.
    if (fallbackReason !== undefined) cudaFailure = undefined;
    throw error;
  }
  return wrap(ort, session, 'cpu', fallbackReason);
}

async function create(
  ort: OrtModule,
  model: Uint8Array | string,
  sessionOptions: OrtInferenceSession.SessionOptions,
): Promise<OrtInferenceSession> {
  try {
    return typeof model === 'string'
      ? await ort.InferenceSession.create(model, sessionOptions)
      : await ort.InferenceSession.create(model, sessionOptions);
  } catch (cause) {
    const what = typeof model === 'string' ? `model file ${model}` : `model (${model.byteLength} bytes)`;
    throw new SessionError(
      `onnxruntime could not load the ${what} with providers [${sessionOptions.executionProviders}]: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
  }
}

function wrap(
  ort: OrtModule,
  session: OrtInferenceSession,
  providerUsed: 'cpu' | 'cuda',
  fallbackReason: string | undefined,
): ModelSession {
  const inputNames = [...session.inputNames];
  const outputNames = [...session.outputNames];
  let released = false;
  return {
    inputNames,
    outputNames,
    providerUsed,
    ...(fallbackReason === undefined ? {} : { fallbackReason }),
    async run(feeds, fetches) {
      if (released) throw new SessionError('run() after release(): create a new session');
      const missing = inputNames.filter((n) => !(n in feeds));
      const unknown = Object.keys(feeds).filter((n) => !inputNames.includes(n));
      if (missing.length || unknown.length) {
        throw new SessionError(
          `feeds do not match the model inputs [${inputNames.join(', ')}]:` +
            (missing.length ? ` missing ${missing.join(', ')};` : '') +
            (unknown.length ? ` unknown ${unknown.join(', ')};` : ''),
        );
      }
      const ortFeeds: Record<string, OrtTensor> = {};
      for (const [name, t] of Object.entries(feeds)) {
        ortFeeds[name] =
          t instanceof ort.Tensor
            ? t
            : new ort.Tensor(t.type as OrtTensor.Type, t.data as OrtTensor.DataType, t.dims as number[]);
      }
      let result: OrtInferenceSession.ReturnType;
      try {
        result = fetches ? await session.run(ortFeeds, [...fetches]) : await session.run(ortFeeds);
      } catch (cause) {
        const shapes = Object.entries(feeds)
          .map(([n, t]) => `${n}: ${t.type}[${t.dims.join(', ')}]`)
          .join('; ');
        throw new SessionError(
          `session run failed (${cause instanceof Error ? cause.message : String(cause)}); feeds were ${shapes}`,
          { cause },
        );
      }
      const out: Record<string, SessionTensor> = {};
      for (const [name, t] of Object.entries(result)) {
        out[name] = { type: t.type, dims: t.dims, data: t.data as SessionTensor['data'] };
      }
      return out;
    },
    async release() {
      if (released) return;
      released = true;
      await session.release();
    },
  };
}
