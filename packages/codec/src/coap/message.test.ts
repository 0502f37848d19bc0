import { describe, expect, it } from 'vitest';
import { CoapCode, codeClass, codeDetail, createMessage, formatCode, isRequestCode, MessageType } from './message';

describe('CoAP codes', () => {
  it('formats class.detail', () => {
    expect(formatCode(CoapCode.CONTENT)).toBe('2.05');
    expect(formatCode(CoapCode.NOT_FOUND)).toBe('4.04');
    expect(formatCode(CoapCode.GET)).toBe('0.01');
    expect(formatCode(CoapCode.CSM)).toBe('7.01');
    expect(codeClass(CoapCode.GATEWAY_TIMEOUT)).toBe(5);
    expect(codeDetail(CoapCode.GATEWAY_TIMEOUT)).toBe(4);
    expect(isRequestCode(CoapCode.EMPTY)).toBe(false);
  });
  it('creates messages with defaults', () => {
    const m = createMessage({ code: CoapCode.GET });
    expect(m.type).toBe(MessageType.CON);
    expect(m.token.length).toBe(0);
  });
});
