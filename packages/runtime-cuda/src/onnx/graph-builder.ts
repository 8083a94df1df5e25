/**
 * Builds ONNX models in TypeScript (no Python, no protobuf runtime): declare inputs, outputs,
 * initializers and nodes, then `toBytes()` gives a ModelProto that onnxruntime can load from
 * memory. Names are checked as the graph is built, so a mistake fails here with the node that
 * caused it rather than inside the runtime.
 */
import { OnnxGraphError } from './onnx-graph-error';
import { ProtobufWriter } from './protobuf-writer';
import { ONNX_DATA_TYPE, type OnnxElementType, type OnnxTensor, tensorRawBytes } from './tensor-types';

/** A dimension: a fixed size or a symbolic name (`'batch'`, `'rank'`) bound at run time. */
export type OnnxDim = number | string;

/** A node attribute. Integers become INT, other numbers FLOAT; use `onnxAttribute.float(1)` to force a float. */
export type OnnxAttributeValue =
  | number
  | bigint
  | string
  | readonly number[]
  | readonly string[]
  | OnnxTensor
  | TypedAttribute;

export interface TypedAttribute {
  readonly attributeType: 'float' | 'int' | 'floats' | 'ints' | 'string' | 'tensor';
  readonly value: number | readonly number[] | string | OnnxTensor;
}

/** Explicitly typed attributes, for the cases where a JS number is ambiguous (`alpha: 1.0` is a FLOAT). */
export const onnxAttribute = {
  float: (value: number): TypedAttribute => ({ attributeType: 'float', value }),
  floats: (value: readonly number[]): TypedAttribute => ({ attributeType: 'floats', value }),
  int: (value: number): TypedAttribute => ({ attributeType: 'int', value }),
  ints: (value: readonly number[]): TypedAttribute => ({ attributeType: 'ints', value }),
} as const;

export interface OnnxModelOptions {
  /** Opset per domain; `''` is the default ONNX domain. Default `{ '': 17, 'com.microsoft': 1 }`. */
  opsetImports?: Record<string, number>;
  /** IR version. Default 8 (ONNX 1.10+; what onnxruntime 1.30 reads for opset 17). */
  irVersion?: number;
  producerName?: string;
  docString?: string;
}

interface ValueInfo {
  name: string;
  type: OnnxElementType;
  dims: readonly OnnxDim[];
}

interface NodeEntry {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: Record<string, OnnxAttributeValue>;
  domain: string;
  name: string;
}

const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7, strings: 8 } as const;

export class OnnxGraphBuilder {
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers: { name: string; tensor: OnnxTensor }[] = [];
  private readonly nodes: NodeEntry[] = [];
  /** Every value name defined so far (graph inputs, initializers, node outputs): also checks topological order. */
  private readonly defined = new Set<string>();
  private counter = 0;

  constructor(readonly name = 'graph') {}

  /** Declares a graph input; returns its name. */
  input(name: string, elemType: OnnxElementType, dims: readonly OnnxDim[]): string {
    this.define(name, `input "${name}"`);
    this.inputs.push({ name, type: elemType, dims: checkDims(name, dims) });
    return name;
  }

  /** Declares a graph output (it must be produced by a node, or be an input or initializer, by the time `toBytes()` runs). */
  output(name: string, elemType: OnnxElementType, dims: readonly OnnxDim[]): string {
    if (this.outputs.some((o) => o.name === name))
      throw new OnnxGraphError(`output "${name}" declared twice`);
    this.outputs.push({ name, type: elemType, dims: checkDims(name, dims) });
    return name;
  }

  /** Adds a constant tensor stored in the model; returns its name. Data length is checked against dims now. */
  initializer(name: string, tensor: OnnxTensor): string {
    tensorRawBytes(tensor, name);
    this.define(name, `initializer "${name}"`);
    this.initializers.push({ name, tensor });
    return name;
  }

  /**
   * Adds a node. Inputs must already be defined (graph inputs, initializers or earlier outputs), so
   * nodes are always in topological order; `''` marks an omitted optional input. Returns `outputs`.
   */
  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attributes: Record<string, OnnxAttributeValue> = {},
    domain = '',
  ): string[] {
    const nodeName = `${opType}_${this.nodes.length}`;
    for (const input of inputs) {
      if (input !== '' && !this.defined.has(input)) {
        throw new OnnxGraphError(
          `node ${nodeName} (${opType}) reads "${input}", which is not defined yet: declare it as an input or initializer, or add the node producing it first`,
        );
      }
    }
    if (outputs.length === 0) throw new OnnxGraphError(`node ${nodeName} (${opType}) has no outputs`);
    for (const output of outputs) this.define(output, `output of node ${nodeName} (${opType})`);
    this.nodes.push({ opType, inputs, outputs, attributes, domain, name: nodeName });
    return [...outputs];
  }

  /** Adds a single-output node with a fresh output name; returns that name. Handy for chains of ops. */
  op(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, OnnxAttributeValue> = {},
    domain = '',
  ): string {
    const out = this.uniqueName(opType.toLowerCase());
    this.node(opType, inputs, [out], attributes, domain);
    return out;
  }

  /** A value name not used yet in this graph, starting with `prefix`. */
  uniqueName(prefix: string): string {
    let candidate: string;
    do candidate = `${prefix}_${this.counter++}`;
    while (this.defined.has(candidate));
    return candidate;
  }

  has(name: string): boolean {
    return this.defined.has(name);
  }

  /** Serializes to ModelProto bytes, ready for `InferenceSession.create(bytes)`. */
  toBytes(options: OnnxModelOptions = {}): Uint8Array {
    for (const o of this.outputs) {
      if (!this.defined.has(o.name)) {
        throw new OnnxGraphError(`output "${o.name}" is declared but no node produces it`);
      }
    }
    if (this.outputs.length === 0) throw new OnnxGraphError(`graph "${this.name}" has no outputs`);
    const opsets = options.opsetImports ?? { '': 17, 'com.microsoft': 1 };
    const usedDomains = new Set(this.nodes.map((n) => n.domain));
    for (const d of usedDomains) {
      if (!(d in opsets)) {
        throw new OnnxGraphError(`nodes use domain "${d}" but opsetImports has no version for it`);
      }
    }
    const w = new ProtobufWriter();
    w.varint(1, options.irVersion ?? 8);
    w.string(2, options.producerName ?? '@chimera/runtime-cuda');
    if (options.docString) w.string(6, options.docString);
    w.message(7, (g) => this.writeGraph(g));
    for (const [domain, version] of Object.entries(opsets)) {
      w.message(8, (o) => {
        o.string(1, domain);
        o.varint(2, version);
      });
    }
    return w.finish();
  }

  private define(name: string, what: string): void {
    if (name === '') throw new OnnxGraphError(`${what}: names must be non-empty`);
    if (this.defined.has(name)) throw new OnnxGraphError(`${what}: the name "${name}" is already defined`);
    this.defined.add(name);
  }

  private writeGraph(g: ProtobufWriter): void {
    for (const n of this.nodes) g.message(1, (w) => writeNode(w, n));
    g.string(2, this.name);
    for (const { name, tensor } of this.initializers) g.message(5, (w) => writeTensor(w, name, tensor));
    for (const v of this.inputs) g.message(11, (w) => writeValueInfo(w, v));
    for (const v of this.outputs) g.message(12, (w) => writeValueInfo(w, v));
  }
}

function checkDims(name: string, dims: readonly OnnxDim[]): readonly OnnxDim[] {
  for (const d of dims) {
    if (typeof d === 'number' && (!Number.isInteger(d) || d < 0)) {
      throw new OnnxGraphError(
        `"${name}": dims must be non-negative integers or symbolic names, got [${dims}]`,
      );
    }
    if (typeof d === 'string' && d.length === 0) {
      throw new OnnxGraphError(`"${name}": a symbolic dim must be a non-empty name`);
    }
  }
  return [...dims];
}

function writeTensor(w: ProtobufWriter, name: string, tensor: OnnxTensor): void {
  for (const d of tensor.dims) w.varint(1, d);
  w.varint(2, ONNX_DATA_TYPE[tensor.type]);
  w.string(8, name);
  w.bytes(9, tensorRawBytes(tensor, name));
}

function writeValueInfo(w: ProtobufWriter, v: ValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.varint(1, ONNX_DATA_TYPE[v.type]);
      tensorType.message(2, (shape) => {
        for (const d of v.dims) {
          shape.message(1, (dim) => (typeof d === 'number' ? dim.varint(1, d) : dim.string(2, d)));
        }
      });
    }),
  );
}

function writeNode(w: ProtobufWriter, n: NodeEntry): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const [name, value] of Object.entries(n.attributes)) {
    w.message(5, (a) => writeAttribute(a, name, value, n));
  }
  if (n.domain) w.string(7, n.domain);
}

function isTensor(v: unknown): v is OnnxTensor {
  return typeof v === 'object' && v !== null && 'dims' in v && 'data' in v && 'type' in v;
}

function writeAttribute(a: ProtobufWriter, name: string, value: OnnxAttributeValue, n: NodeEntry): void {
  a.string(1, name);
  const fail = (why: string) =>
    new OnnxGraphError(`node ${n.name} (${n.opType}) attribute "${name}": ${why}`);
  if (typeof value === 'object' && value !== null && 'attributeType' in value) {
    const { attributeType, value: v } = value;
    if (attributeType === 'float' && typeof v === 'number') a.float(2, v);
    else if (attributeType === 'int' && typeof v === 'number') a.varint(3, checkInt(v, fail));
    else if (attributeType === 'string' && typeof v === 'string') a.string(4, v);
    else if (attributeType === 'tensor' && isTensor(v)) a.message(5, (t) => writeTensor(t, name, v));
    else if (attributeType === 'floats' && Array.isArray(v)) for (const x of v) a.float(7, x);
    else if (attributeType === 'ints' && Array.isArray(v)) for (const x of v) a.varint(8, checkInt(x, fail));
    else throw fail(`value does not match attribute type ${attributeType}`);
    a.varint(20, ATTRIBUTE_TYPE[attributeType]);
    return;
  }
  if (typeof value === 'bigint') {
    a.varint(3, value).varint(20, ATTRIBUTE_TYPE.int);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value)) a.varint(3, value).varint(20, ATTRIBUTE_TYPE.int);
    else a.float(2, value).varint(20, ATTRIBUTE_TYPE.float);
  } else if (typeof value === 'string') {
    a.string(4, value).varint(20, ATTRIBUTE_TYPE.string);
  } else if (isTensor(value)) {
    a.message(5, (t) => writeTensor(t, name, value)).varint(20, ATTRIBUTE_TYPE.tensor);
  } else if (Array.isArray(value)) {
    if (value.length === 0)
      throw fail('an empty list is ambiguous: use onnxAttribute.ints([]) or .floats([])');
    if (value.every((x) => typeof x === 'string')) {
      for (const x of value as string[]) a.string(9, x);
      a.varint(20, ATTRIBUTE_TYPE.strings);
    } else if ((value as number[]).every((x) => typeof x === 'number' && Number.isInteger(x))) {
      for (const x of value as number[]) a.varint(8, x);
      a.varint(20, ATTRIBUTE_TYPE.ints);
    } else if (value.every((x) => typeof x === 'number')) {
      for (const x of value as number[]) a.float(7, x);
      a.varint(20, ATTRIBUTE_TYPE.floats);
    } else throw fail('lists must hold only numbers or only strings');
  } else {
    throw fail(`unsupported value ${String(value)}`);
  }
}

function checkInt(v: number, fail: (why: string) => Error): number {
  if (!Number.isInteger(v)) throw fail(`${v} is not an integer`);
  return v;
}
