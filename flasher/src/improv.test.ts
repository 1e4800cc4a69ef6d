import { describe, expect, it } from 'vitest';
import {
  decodeRpcData,
  decodeStrings,
  encodePacket,
  encodeRpc,
  encodeRpcResult,
  encodeStrings,
  ImprovFrameError,
  ImprovParser,
  PacketType,
  RpcCommand,
} from './improv.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('Improv frames', () => {
  it('encodes "get current state" byte for byte', () => {
    // I M P R O V v1 type=RPC len=2 [cmd=2, len=0] checksum '\n'
    const sum = [0x49, 0x4d, 0x50, 0x52, 0x4f, 0x56, 1, 3, 2, 2, 0].reduce((a, b) => a + b, 0) & 0xff;
    expect(hex(encodeRpc(RpcCommand.GetState))).toBe(`494d50524f56010302020${'0'}${sum.toString(16).padStart(2, '0')}0a`);
  });

  it('encodes Wi-Fi settings as length-prefixed strings, including UTF-8', () => {
    const frame = encodeRpc(RpcCommand.WifiSettings, ['냉동실', 'pw']);
    const [p] = new ImprovParser().push(frame);
    expect(p.type).toBe(PacketType.Rpc);
    const rpc = decodeRpcData(p.data);
    expect(rpc).toEqual({ command: 1, strings: ['냉동실', 'pw'] });
    expect(p.data[2]).toBe(9); // 3 Hangul syllables = 9 UTF-8 bytes
  });

  it('vendor command 0xA0 carries cloud URL and token', () => {
    const [p] = new ImprovParser().push(encodeRpc(RpcCommand.SetCloud, ['https://c.example', 'tok_123']));
    expect(decodeRpcData(p.data)).toEqual({ command: 0xa0, strings: ['https://c.example', 'tok_123'] });
  });

  it('finds frames between log text and across chunk boundaries', () => {
    const frame = encodeRpcResult(RpcCommand.GetDeviceInfo, ['signalcraft', '0.1.0', 'ESP32', 'sc']);
    const stream = new Uint8Array([
      ...new TextEncoder().encode('I (10) boot: hello\r\nIMPRO'),
      ...frame,
      ...encodePacket(1, Uint8Array.of(4)),
    ]);
    const parser = new ImprovParser();
    const got = [
      ...parser.push(stream.subarray(0, 27)),
      ...parser.push(stream.subarray(27, 40)),
      ...parser.push(stream.subarray(40)),
    ];
    expect(got).toHaveLength(2);
    expect(decodeRpcData(got[0].data).strings).toEqual(['signalcraft', '0.1.0', 'ESP32', 'sc']);
    expect(got[1]).toEqual({ type: 1, data: Uint8Array.of(4) });
  });

  it('passes the log text around frames to onText', () => {
    const text: number[] = [];
    const parser = new ImprovParser(undefined, (b) => text.push(...b));
    const enc = new TextEncoder();
    parser.push(new Uint8Array([...enc.encode('boot ok\r\nIMP'), ...encodePacket(1, Uint8Array.of(2), false).subarray(3)]));
    parser.push(enc.encode('I (5) wifi: up\r\nIMPR'));
    expect(new TextDecoder().decode(Uint8Array.from(text))).toBe('boot ok\r\nI (5) wifi: up\r\n');
  });

  it('reports and skips frames with a bad checksum', () => {
    const bad = encodePacket(PacketType.CurrentState, Uint8Array.of(2), false);
    bad[bad.length - 1] ^= 0xff;
    const reasons: string[] = [];
    const parser = new ImprovParser((r) => reasons.push(r));
    expect(parser.push(new Uint8Array([...bad, ...encodePacket(1, Uint8Array.of(3), false)]))).toEqual([
      { type: 1, data: Uint8Array.of(3) },
    ]);
    expect(reasons[0]).toMatch(/checksum/);
  });

  it('rejects over-long strings and inconsistent lengths with clear errors', () => {
    expect(() => encodeStrings(['x'.repeat(256)])).toThrow(/255/);
    expect(() => decodeStrings(Uint8Array.of(5, 65))).toThrow(ImprovFrameError);
    expect(() => decodeRpcData(Uint8Array.of(1, 9, 0))).toThrow(/length byte says 9/);
    expect(() => encodeRpc(RpcCommand.WifiSettings, ['a'.repeat(200), 'b'.repeat(100)])).toThrow(/too long/);
  });
});
