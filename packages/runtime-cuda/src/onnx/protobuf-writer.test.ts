import { describe, expect, it } from 'vitest';
import { ProtobufWriter } from './protobuf-writer';

describe('ProtobufWriter', () => {
  it('writes varints (int64 negatives as 10 bytes), fixed32 floats and nested messages', () => {
    expect(Array.from(new ProtobufWriter().varint(1, 300).finish())).toEqual([0x08, 0xac, 0x02]);
    const negative = new ProtobufWriter().varint(1, -1).finish();
    expect(Array.from(negative)).toEqual([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(Array.from(new ProtobufWriter().varint(2, 2n ** 40n).finish())).toEqual([
      0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20,
    ]);
    expect(Array.from(new ProtobufWriter().float(2, 1).finish())).toEqual([0x15, 0, 0, 0x80, 0x3f]);
    const nested = new ProtobufWriter().message(3, (w) => w.string(1, 'hi')).finish();
    expect(Array.from(nested)).toEqual([0x1a, 4, 0x0a, 2, 0x68, 0x69]);
  });
});
