/**
 * Bring your own ONNX model: adds LoRA inputs to chosen MatMul nodes of an existing model, so the
 * runtime can feed any Self's adapter per call (and QuZO can perturb it) without re-exporting.
 * Each chosen `y = MatMul(x, W)` becomes
 *   y = MatMul(x, W) + scale * MatMul(MatMul(x, <name>.lora_A), <name>.lora_B)
 * with `<name>.lora_A` [k, rank] and `<name>.lora_B` [rank, n] as new graph inputs (rank symbolic,
 * so one session takes adapters of any rank). Feeding zeros for lora_B reproduces the original.
 * Only the top-level graph is rewritten; every field the rewrite does not touch is copied byte for
 * byte (see insert-lora-wire.ts).
 */
import { concatBytes, fieldString, readFields, repeatedVarints, type WireField } from './insert-lora-wire';
import { OnnxGraphError } from './onnx-graph-error';
import { ProtobufWriter } from './protobuf-writer';

export interface InsertLoraOptions {
  /**
   * Which MatMul nodes get an adapter: exact node names, or a pattern tested against each MatMul
   * node's name and against the name of its weight (second) input.
   */
  targets: readonly string[] | RegExp;
  /**
   * The adapter name of a node (its inputs are `<name>.lora_A` / `<name>.lora_B`). Default: the
   * weight's name without a trailing `.weight` (a PEFT module name for Hugging Face exports), else
   * the node name.
   */
  adapterName?: (node: { name: string; weight: string }) => string;
  /** Symbolic rank dimension of the new inputs (default `lora_rank`). */
  rankDim?: string;
  /**
   * Multiplier of the low-rank product (PEFT's alpha / r). A number is stored in the model (1, the
   * default, adds no node); `'input'` adds a scalar graph input `<name>.lora_scale` per adapter.
   */
  scale?: number | 'input';
}

export interface InsertedLora {
  /** The MatMul node that was adapted. */
  node: string;
  adapter: string;
  /** Graph input names. */
  inputs: { a: string; b: string; scale?: string };
  /** k: rows of W (lora_A is [k, rank]). */
  inFeatures: number;
  /** n: columns of W (lora_B is [rank, n]). */
  outFeatures: number;
  /** TensorProto data type of W, which the new inputs share (1 float32, 10 float16). */
  dataType: number;
}

interface NodeInfo {
  index: number;
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  fields: WireField[];
}

interface Shape {
  dataType: number;
  dims: (number | string)[];
}

const FLOAT_TYPES = new Map([
  [1, 'float32'],
  [10, 'float16'],
  [11, 'float64'],
  [16, 'bfloat16'],
]);

/**
 * Rewrites `model` (ModelProto bytes) with LoRA inputs on the chosen MatMul nodes.
 * @throws OnnxGraphError when a named node is missing or not a MatMul, a pattern matches nothing,
 * a weight's shape cannot be found, or the model already has inputs with the new names.
 */
export function insertLora(
  model: Uint8Array,
  options: InsertLoraOptions,
): { model: Uint8Array; adapters: InsertedLora[] } {
  const modelFields = readFields(model, 'ModelProto');
  const graphIndex = modelFields.findIndex((f) => f.field === 7 && f.wire === 2);
  if (graphIndex < 0)
    throw new OnnxGraphError('the bytes hold no ONNX graph (ModelProto field 7 is missing)');
  const graphFields = readFields(modelFields[graphIndex]!.payload!, 'GraphProto');

  const nodes: NodeInfo[] = [];
  const shapes = new Map<string, Shape>();
  const names = new Set<string>();
  graphFields.forEach((f, index) => {
    if (f.field === 1 && f.wire === 2) {
      const fields = readFields(f.payload!, 'NodeProto');
      const node: NodeInfo = {
        index,
        name: '',
        opType: '',
        inputs: [],
        outputs: [],
        fields,
      };
      for (const n of fields) {
        if (n.field === 1) node.inputs.push(fieldString(n));
        else if (n.field === 2) node.outputs.push(fieldString(n));
        else if (n.field === 3) node.name = fieldString(n);
        else if (n.field === 4) node.opType = fieldString(n);
      }
      for (const o of node.outputs) names.add(o);
      nodes.push(node);
    } else if (f.field === 5 && f.wire === 2) {
      const t = readFields(f.payload!, 'TensorProto');
      const name = fieldString(t.find((x) => x.field === 8) ?? ({} as WireField));
      const dataType = Number(t.find((x) => x.field === 2)?.value ?? 0n);
      shapes.set(name, { dataType, dims: repeatedVarints(t, 1, 'TensorProto.dims').map(Number) });
      names.add(name);
    } else if ((f.field === 11 || f.field === 13) && f.wire === 2) {
      const info = valueInfo(f.payload!);
      names.add(info.name);
      if (info.shape && !shapes.has(info.name)) shapes.set(info.name, info.shape);
    }
  });

  const chosen = chooseNodes(nodes, options.targets);
  const rankDim = options.rankDim ?? 'lora_rank';
  const scale = options.scale ?? 1;
  const adapters: InsertedLora[] = [];
  const extraNodes = new Map<number, Uint8Array[]>();
  const replacedNodes = new Map<number, Uint8Array>();
  const newInputs: Uint8Array[] = [];
  const newInitializers: Uint8Array[] = [];
  const fresh = (base: string) => {
    let name = base;
    for (let i = 1; names.has(name); i++) name = `${base}_${i}`;
    names.add(name);
    return name;
  };

  for (const node of chosen) {
    const [x, weight] = node.inputs;
    const y = node.outputs[0];
    if (x === undefined || weight === undefined || y === undefined) {
      throw new OnnxGraphError(`MatMul node "${node.name}" does not have two inputs and one output`);
    }
    const shape = shapes.get(weight);
    if (shape?.dims.length !== 2 || shape.dims.some((d) => typeof d !== 'number')) {
      throw new OnnxGraphError(
        `MatMul node "${node.name}": the shape of its weight "${weight}" is not a known 2-D size (${shape ? `[${shape.dims}]` : 'no initializer or value_info'}); only MatMul(x, W) with W of static shape [k, n] can take a LoRA`,
      );
    }
    if (!FLOAT_TYPES.has(shape.dataType)) {
      throw new OnnxGraphError(
        `MatMul node "${node.name}": weight "${weight}" has TensorProto data type ${shape.dataType}, not a float type; quantized weights cannot take a LoRA here`,
      );
    }
    const [k, n] = shape.dims as [number, number];
    const adapter =
      options.adapterName?.({ name: node.name, weight }) ??
      (shapes.has(weight) && weight.endsWith('.weight') ? weight.slice(0, -'.weight'.length) : node.name);
    const a = `${adapter}.lora_A`;
    const b = `${adapter}.lora_B`;
    for (const input of [a, b]) {
      if (names.has(input)) {
        throw new OnnxGraphError(
          `the model already has a value named "${input}" (was LoRA inserted twice, or do two nodes share the adapter name "${adapter}"?)`,
        );
      }
      names.add(input);
    }
    newInputs.push(
      valueInfoBytes(a, shape.dataType, [k, rankDim]),
      valueInfoBytes(b, shape.dataType, [rankDim, n]),
    );
    const prefix = node.name || adapter;
    const base = fresh(`${y}/lora_base`);
    const down = fresh(`${adapter}/lora_down`);
    const up = fresh(`${adapter}/lora_up`);
    const added: Uint8Array[] = [
      nodeBytes(`${prefix}/lora_down`, 'MatMul', [x, a], [down]),
      nodeBytes(`${prefix}/lora_up`, 'MatMul', [down, b], [up]),
    ];
    let delta = up;
    let scaleInput: string | undefined;
    if (scale === 'input') {
      scaleInput = `${adapter}.lora_scale`;
      if (names.has(scaleInput))
        throw new OnnxGraphError(`the model already has a value named "${scaleInput}"`);
      names.add(scaleInput);
      newInputs.push(valueInfoBytes(scaleInput, shape.dataType, []));
    } else if (scale !== 1) {
      if (!Number.isFinite(scale))
        throw new OnnxGraphError(`scale must be a finite number or 'input', got ${scale}`);
      scaleInput = fresh(`${adapter}/lora_scale`);
      newInitializers.push(scalarBytes(scaleInput, shape.dataType, scale));
    }
    if (scaleInput !== undefined) {
      delta = fresh(`${adapter}/lora_scaled`);
      added.push(nodeBytes(`${prefix}/lora_scale`, 'Mul', [up, scaleInput], [delta]));
    }
    added.push(nodeBytes(`${prefix}/lora_add`, 'Add', [base, delta], [y]));
    replacedNodes.set(node.index, renameOutput(node, base));
    extraNodes.set(node.index, added);
    adapters.push({
      node: node.name,
      adapter,
      inputs: scale === 'input' ? { a, b, scale: scaleInput! } : { a, b },
      inFeatures: k,
      outFeatures: n,
      dataType: shape.dataType,
    });
  }

  // Nodes stay in topological order: the new nodes follow their MatMul and read only its input and
  // graph inputs, and they produce y before any original consumer of y.
  const lastInput = graphFields.reduce((last, f, i) => (f.field === 11 ? i : last), -1);
  const parts: Uint8Array[] = [];
  graphFields.forEach((f, i) => {
    parts.push(replacedNodes.get(i) ?? f.raw);
    for (const extra of extraNodes.get(i) ?? []) parts.push(messageField(1, extra));
    if (i === lastInput) for (const input of newInputs) parts.push(messageField(11, input));
  });
  if (lastInput < 0) for (const input of newInputs) parts.push(messageField(11, input));
  for (const init of newInitializers) parts.push(messageField(5, init));
  const graph = concatBytes(parts);
  const out = modelFields.map((f, i) => (i === graphIndex ? messageField(7, graph) : f.raw));
  return { model: concatBytes(out), adapters };
}

function chooseNodes(nodes: NodeInfo[], targets: readonly string[] | RegExp): NodeInfo[] {
  const matmuls = nodes.filter((n) => n.opType === 'MatMul');
  if (targets instanceof RegExp) {
    const test = (s: string) => {
      targets.lastIndex = 0;
      return targets.test(s);
    };
    const chosen = matmuls.filter((n) => test(n.name) || (n.inputs[1] !== undefined && test(n.inputs[1])));
    if (chosen.length === 0) {
      throw new OnnxGraphError(
        `no MatMul node matches ${targets} (by node name or weight name); the model's MatMul nodes: ${describe(matmuls)}`,
      );
    }
    return chosen;
  }
  if (targets.length === 0) throw new OnnxGraphError('targets is empty: name at least one MatMul node');
  return targets.map((name) => {
    const node = nodes.find((n) => n.name === name);
    if (!node) {
      throw new OnnxGraphError(
        `the model has no node named "${name}"; its MatMul nodes: ${describe(matmuls)}`,
      );
    }
    if (node.opType !== 'MatMul') {
      throw new OnnxGraphError(
        `node "${name}" is a ${node.opType}, not a MatMul; only MatMul nodes take a LoRA here`,
      );
    }
    return node;
  });
}

function describe(matmuls: NodeInfo[]): string {
  if (matmuls.length === 0) return 'none';
  const shown = matmuls.slice(0, 8).map((n) => `"${n.name}" (weight "${n.inputs[1] ?? '?'}")`);
  return matmuls.length > 8 ? `${shown.join(', ')} and ${matmuls.length - 8} more` : shown.join(', ');
}

function valueInfo(bytes: Uint8Array): { name: string; shape?: Shape } {
  const fields = readFields(bytes, 'ValueInfoProto');
  const name = fieldString(fields.find((f) => f.field === 1) ?? ({} as WireField));
  const type = fields.find((f) => f.field === 2)?.payload;
  const tensor = type && readFields(type, 'TypeProto').find((f) => f.field === 1)?.payload;
  if (!tensor) return { name };
  const t = readFields(tensor, 'TypeProto.Tensor');
  const dataType = Number(t.find((f) => f.field === 1)?.value ?? 0n);
  const shapeBytes = t.find((f) => f.field === 2)?.payload;
  if (!shapeBytes) return { name };
  const dims = readFields(shapeBytes, 'TensorShapeProto')
    .filter((f) => f.field === 1)
    .map((d) => {
      const dim = readFields(d.payload!, 'Dimension');
      const value = dim.find((f) => f.field === 1);
      if (value?.value !== undefined) return Number(value.value);
      const param = dim.find((f) => f.field === 2);
      return param ? fieldString(param) : '?';
    });
  return { name, shape: { dataType, dims } };
}

function renameOutput(node: NodeInfo, output: string): Uint8Array {
  let done = false;
  const parts = node.fields.map((f) => {
    if (f.field !== 2 || done) return f.raw;
    done = true;
    return new ProtobufWriter().string(2, output).finish();
  });
  return messageField(1, concatBytes(parts));
}

function messageField(field: number, payload: Uint8Array): Uint8Array {
  return new ProtobufWriter().bytes(field, payload).finish();
}

function nodeBytes(name: string, opType: string, inputs: string[], outputs: string[]): Uint8Array {
  const w = new ProtobufWriter();
  for (const i of inputs) w.string(1, i);
  for (const o of outputs) w.string(2, o);
  w.string(3, name);
  w.string(4, opType);
  return w.finish();
}

function valueInfoBytes(name: string, dataType: number, dims: (number | string)[]): Uint8Array {
  const w = new ProtobufWriter();
  w.string(1, name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.varint(1, dataType);
      tensor.message(2, (shape) => {
        for (const d of dims)
          shape.message(1, (dim) => (typeof d === 'number' ? dim.varint(1, d) : dim.string(2, d)));
      });
    }),
  );
  return w.finish();
}

function scalarBytes(name: string, dataType: number, value: number): Uint8Array {
  const w = new ProtobufWriter();
  w.varint(2, dataType);
  w.string(8, name);
  if (dataType === 1) w.bytes(9, new Uint8Array(Float32Array.of(value).buffer));
  else if (dataType === 11) w.bytes(9, new Uint8Array(Float64Array.of(value).buffer));
  else
    throw new OnnxGraphError(
      `a constant scale for ${FLOAT_TYPES.get(dataType)} weights is not supported; use scale: 'input'`,
    );
  return w.finish();
}
