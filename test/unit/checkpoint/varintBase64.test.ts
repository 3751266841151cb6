import { describe, expect, it } from 'vitest';

import { uint32ToVarintBase64, varintBase64ToUint32 } from '../../../src/checkpoint/varintBase64.js';

const bytesOf = (text: string) => [...Buffer.from(text, 'base64')];

describe('varint base64', () => {
  it('writes unsigned LEB128: 7 bits per byte, low group first', () => {
    expect(bytesOf(uint32ToVarintBase64(Uint32Array.from([0, 1, 127])))).toEqual([0, 1, 127]);
    expect(bytesOf(uint32ToVarintBase64(Uint32Array.from([128, 300])))).toEqual([0x80, 0x01, 0xac, 0x02]);
    expect(bytesOf(uint32ToVarintBase64(Uint32Array.from([0xffff_ffff])))).toEqual([
      0xff, 0xff, 0xff, 0xff, 0x0f,
    ]);
    expect(uint32ToVarintBase64(new Uint32Array(0))).toBe('');
  });

  it('reads back every edge value', () => {
    const values = Uint32Array.from([
      0,
      1,
      127,
      128,
      16_383,
      16_384,
      2 ** 21 - 1,
      2 ** 21,
      2 ** 28,
      0xffff_ffff,
      5,
    ]);
    expect(varintBase64ToUint32(uint32ToVarintBase64(values))).toEqual(values);
    expect(varintBase64ToUint32('')).toEqual(new Uint32Array(0));
  });

  it('names what is wrong', () => {
    expect(varintBase64ToUint32('AQ=x')).toBe('not base64 text');
    expect(varintBase64ToUint32(Buffer.from([5, 0x80]).toString('base64'))).toBe(
      'the last value is cut off (2 bytes)',
    );
    expect(varintBase64ToUint32(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x10]).toString('base64'))).toBe(
      'value 0 is above 2^32 - 1',
    );
  });
});
