/**
 * Reading and writing safetensors (Hugging Face's tensor file format) without dependencies.
 * The writer reproduces `safetensors.serialize` byte for byte (compact JSON header padded with
 * spaces to a multiple of 8, tensors ordered by descending dtype alignment then name,
 * `__metadata__` first); the reader runs every check of theirs (see `header.ts`).
 * Selves store PEFT adapters with it; the quantizer reads and writes weights with it.
 */
import { readFileSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dtypeInfo, isSafetensorsDtype, type SafetensorsDtype, type TensorData } from './dtypes';
import { parseSafetensorsHeader } from './header';
import { SafetensorsError } from './safetensors-error';

export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Row-major, little-endian elements; see `TensorData` for what each dtype reads as. */
  data: TensorData;
}

export interface SafetensorsContents {
  /** Tensors in file order. */
  tensors: Map<string, SafetensorsTensor>;
  /** The `__metadata__` map, or undefined when the file has none. */
  metadata: Record<string, string> | undefined;
}

/** What the writer accepts for a tensor's bytes: any typed array (or DataView) whose byte length fits. */
export interface SafetensorsTensorInput {
  dtype: SafetensorsDtype;
  shape: readonly number[];
  data: ArrayBufferView;
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function requireLittleEndian(): void {
  if (!littleEndianHost) {
    throw new SafetensorsError('io', 'safetensors: this reader needs a little-endian host');
  }
}

/**
 * Parses a whole safetensors file: its bytes, or a path read synchronously. Tensor data is
 * copied into fresh, aligned typed arrays, so the result does not keep `source` alive.
 * @throws SafetensorsError when any header check fails (the message says which and where).
 */
export function readSafetensors(source: Uint8Array | ArrayBuffer | string): SafetensorsContents {
  const bytes = typeof source === 'string' ? readPath(source) : toBytes(source);
  return decode(bytes);
}

/** Reads and parses a safetensors file asynchronously. */
export async function loadSafetensors(path: string): Promise<SafetensorsContents> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new SafetensorsError('io', `safetensors: cannot read ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return decode(bytes);
}

/**
 * Serializes tensors to safetensors bytes, identical to Hugging Face's `serialize` for the same
 * input. `metadata` values must be strings (its keys are written sorted, so output is canonical).
 * @throws SafetensorsError when a tensor's byte length does not match dtype x shape.
 */
export function writeSafetensors(
  tensors: ReadonlyMap<string, SafetensorsTensorInput> | Readonly<Record<string, SafetensorsTensorInput>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  requireLittleEndian();
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const checked = entries.map(([name, tensor]) => [name, checkInput(name, tensor)] as const);
  // tensor.rs: descending dtype rank (the enum is in increasing alignment), then ascending name.
  checked.sort(([an, a], [bn, b]) => {
    const byRank = dtypeInfo(b.dtype).rank - dtypeInfo(a.dtype).rank;
    if (byRank !== 0) return byRank;
    return an < bn ? -1 : an > bn ? 1 : 0;
  });

  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`"__metadata__":${metadataJson(metadata)}`);
  let offset = 0;
  for (const [name, t] of checked) {
    const end = offset + t.bytes.byteLength;
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${end}]}`,
    );
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerSize = Math.ceil(json.byteLength / 8) * 8;
  const out = new Uint8Array(8 + headerSize + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerSize), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.byteLength, 8 + headerSize);
  let at = 8 + headerSize;
  for (const [, t] of checked) {
    out.set(t.bytes, at);
    at += t.bytes.byteLength;
  }
  return out;
}

/**
 * Writes a safetensors file atomically (a temporary file renamed over `path`), so a crash or a
 * bad tensor never leaves a half-written file where a good one was.
 */
export async function saveSafetensors(
  path: string,
  tensors: ReadonlyMap<string, SafetensorsTensorInput> | Readonly<Record<string, SafetensorsTensorInput>>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  const bytes = writeSafetensors(tensors, metadata);
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (cause) {
    await rm(temporary, { force: true });
    throw new SafetensorsError('io', `safetensors: cannot write ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
}

function decode(bytes: Uint8Array): SafetensorsContents {
  requireLittleEndian();
  const header = parseSafetensorsHeader(bytes);
  const base = 8 + header.headerSize;
  const tensors = new Map<string, SafetensorsTensor>();
  for (const [name, info] of header.tensors) {
    const [begin, end] = info.dataOffsets;
    // A fresh ArrayBuffer at offset 0 can be viewed aligned by every typed array. (Buffer#slice
    // would not copy: it aliases Node's pooled memory.)
    const copy = new ArrayBuffer(end - begin);
    new Uint8Array(copy).set(bytes.subarray(base + begin, base + end));
    const { array } = dtypeInfo(info.dtype);
    const data = new array(copy, 0, copy.byteLength / array.BYTES_PER_ELEMENT);
    tensors.set(name, { dtype: info.dtype, shape: info.shape, data });
  }
  return { tensors, metadata: header.metadata };
}

function checkInput(name: string, tensor: SafetensorsTensorInput) {
  if (!isSafetensorsDtype(tensor.dtype)) {
    throw new SafetensorsError(
      'unknown-dtype',
      `safetensors: tensor "${name}" has dtype ${JSON.stringify(tensor.dtype)}; use one of BOOL, U8, I8, F16, BF16, F32, F64, I32, I64, ...`,
      { tensor: name },
    );
  }
  if (name === '__metadata__') {
    throw new SafetensorsError(
      'invalid-tensor',
      'safetensors: "__metadata__" is reserved and cannot name a tensor',
      {
        tensor: name,
      },
    );
  }
  const shape = [...tensor.shape];
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError(
      'invalid-shape',
      `safetensors: tensor "${name}" has shape [${shape.join(', ')}]; dimensions must be non-negative integers`,
      { tensor: name },
    );
  }
  const bits = shape.reduce((a, b) => a * b, 1) * dtypeInfo(tensor.dtype).bits;
  const bytes = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  if (bits % 8 !== 0 || bytes.byteLength !== bits / 8) {
    throw new SafetensorsError(
      'invalid-tensor',
      `safetensors: tensor "${name}" (${tensor.dtype}, shape [${shape.join(', ')}]) needs ${bits / 8} bytes but its data has ${bytes.byteLength}`,
      { tensor: name },
    );
  }
  return { dtype: tensor.dtype, shape, bytes };
}

function metadataJson(metadata: Readonly<Record<string, string>>): string {
  const keys = Object.keys(metadata).sort();
  const fields = keys.map((k) => {
    const v = metadata[k];
    if (typeof v !== 'string') {
      throw new SafetensorsError(
        'invalid-metadata',
        `safetensors: metadata "${k}" is a ${typeof v}; values must be strings`,
      );
    }
    // JSON.stringify escapes strings the way serde_json does (short escapes, lowercase \u00xx).
    return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
  });
  return `{${fields.join(',')}}`;
}

function readPath(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new SafetensorsError('io', `safetensors: cannot read ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
}

function toBytes(source: Uint8Array | ArrayBuffer): Uint8Array {
  return source instanceof Uint8Array ? source : new Uint8Array(source);
}
