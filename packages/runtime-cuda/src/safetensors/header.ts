/**
 * Parsing and validating a safetensors header. Every check of Hugging Face's reader
 * (`SafeTensors::read_metadata` and `Metadata::validate` in `safetensors/src/tensor.rs`) is here:
 * header length N <= 1e8 and within the buffer, UTF-8 JSON object, unique names, known dtypes,
 * string-to-string `__metadata__`, offsets that tile the data section with no gap or overlap,
 * byte sizes that equal numel x dtype width, and 8 + N + last offset = buffer length.
 */
import { dtypeInfo, isSafetensorsDtype, type SafetensorsDtype } from './dtypes';
import { SafetensorsError } from './safetensors-error';

export const MAX_HEADER_SIZE = 100_000_000;

export interface SafetensorsTensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  /** [begin, end) relative to the start of the data section (byte 8 + N). */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  /** N: the JSON header's length in bytes, padding included. Data starts at byte 8 + N. */
  headerSize: number;
  /** Tensors in file order (ascending offsets). */
  tensors: Map<string, SafetensorsTensorInfo>;
  /** The `__metadata__` map, or undefined when the file has none. */
  metadata: Record<string, string> | undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses and checks the header of a complete safetensors buffer (the whole file). */
export function parseSafetensorsHeader(bytes: Uint8Array): SafetensorsHeader {
  if (bytes.byteLength < 8) {
    throw new SafetensorsError(
      'header-too-small',
      `safetensors: the buffer is ${bytes.byteLength} bytes, shorter than the 8-byte header length; the file is truncated or not a safetensors file`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_SIZE)) {
    throw new SafetensorsError(
      'header-too-large',
      `safetensors: the header declares ${declared} bytes, more than the limit of ${MAX_HEADER_SIZE}; the file is corrupt or not a safetensors file`,
    );
  }
  const n = Number(declared);
  if (8 + n > bytes.byteLength) {
    throw new SafetensorsError(
      'invalid-header-length',
      `safetensors: the header declares ${n} bytes but only ${bytes.byteLength - 8} follow the length field; the file is truncated`,
    );
  }
  let text: string;
  try {
    text = utf8.decode(bytes.subarray(8, 8 + n));
  } catch (cause) {
    throw new SafetensorsError('invalid-header', 'safetensors: the header is not valid UTF-8', { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new SafetensorsError(
      'invalid-header-deserialization',
      `safetensors: the header is not valid JSON (${(cause as Error).message})`,
      { cause },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SafetensorsError(
      'invalid-header-deserialization',
      'safetensors: the header is not a JSON object',
    );
  }
  // JSON.parse keeps the last of duplicated keys without a word; a duplicated tensor name would
  // silently shadow another tensor's bytes, so duplicates are refused.
  const seen = new Set<string>();
  for (const key of topLevelKeys(text)) {
    if (seen.has(key)) {
      throw new SafetensorsError('duplicate-name', `safetensors: the header names "${key}" more than once`, {
        tensor: key,
      });
    }
    seen.add(key);
  }

  const entries = parsed as Record<string, unknown>;
  let metadata: Record<string, string> | undefined;
  const infos: [string, SafetensorsTensorInfo][] = [];
  for (const [name, value] of Object.entries(entries)) {
    if (name === '__metadata__') {
      metadata = checkMetadata(value);
      continue;
    }
    infos.push([name, checkTensorInfo(name, value)]);
  }

  // Older writers ordered tensors by name only, so validation sorts by offsets first (as tensor.rs does).
  infos.sort(([, a], [, b]) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let start = 0;
  for (const [name, info] of infos) {
    const [begin, end] = info.dataOffsets;
    if (begin !== start || end < begin) {
      throw new SafetensorsError(
        'invalid-offset',
        `safetensors: tensor "${name}" has data_offsets [${begin}, ${end}] but the previous tensor ends at ${start}; offsets must tile the data section without gaps or overlaps`,
        { tensor: name },
      );
    }
    start = end;
    const numel = info.shape.reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(numel)) {
      throw new SafetensorsError('invalid-shape', `safetensors: tensor "${name}" has too many elements`, {
        tensor: name,
      });
    }
    const bits = numel * dtypeInfo(info.dtype).bits;
    if (bits % 8 !== 0) {
      throw new SafetensorsError(
        'misaligned-slice',
        `safetensors: tensor "${name}" (${info.dtype}, shape [${info.shape.join(', ')}]) does not fill a whole number of bytes`,
        { tensor: name },
      );
    }
    if (end - begin !== bits / 8) {
      throw new SafetensorsError(
        'tensor-invalid-info',
        `safetensors: tensor "${name}" (${info.dtype}, shape [${info.shape.join(', ')}]) needs ${bits / 8} bytes but its data_offsets span ${end - begin}`,
        { tensor: name },
      );
    }
  }
  if (8 + n + start !== bytes.byteLength) {
    throw new SafetensorsError(
      'metadata-incomplete-buffer',
      `safetensors: the header accounts for ${8 + n + start} bytes but the buffer has ${bytes.byteLength}; the file is truncated or has trailing bytes`,
    );
  }
  return { headerSize: n, tensors: new Map(infos), metadata };
}

function checkMetadata(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SafetensorsError(
      'invalid-metadata',
      'safetensors: "__metadata__" must be an object of strings',
    );
  }
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new SafetensorsError(
        'invalid-metadata',
        `safetensors: "__metadata__.${k}" is a ${typeof v}; metadata values must be strings`,
      );
    }
  }
  return { ...(value as Record<string, string>) };
}

function checkTensorInfo(name: string, value: unknown): SafetensorsTensorInfo {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SafetensorsError(
      'invalid-header-deserialization',
      `safetensors: entry "${name}" is not an object`,
      {
        tensor: name,
      },
    );
  }
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (!isSafetensorsDtype(dtype)) {
    throw new SafetensorsError(
      'unknown-dtype',
      `safetensors: tensor "${name}" has dtype ${JSON.stringify(dtype)}, which is not a safetensors dtype`,
      { tensor: name },
    );
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw new SafetensorsError(
      'invalid-shape',
      `safetensors: tensor "${name}" has shape ${JSON.stringify(shape)}; a shape is an array of non-negative integers`,
      { tensor: name },
    );
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !isCount(offsets[0]) || !isCount(offsets[1])) {
    throw new SafetensorsError(
      'invalid-offset',
      `safetensors: tensor "${name}" has data_offsets ${JSON.stringify(offsets)}; expected [begin, end] as non-negative integers`,
      { tensor: name },
    );
  }
  return { dtype, shape: [...shape], dataOffsets: [offsets[0], offsets[1]] };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** The keys of the outermost object of already-validated JSON text, duplicates included. */
function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (json.charCodeAt(j) !== 0x22) j += json.charCodeAt(j) === 0x5c /* \ */ ? 2 : 1;
      if (depth === 1 && expectKey) {
        keys.push(JSON.parse(json.slice(i, j + 1)) as string);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth === 1) expectKey = true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    } else if (c === 0x2c /* , */ && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}
