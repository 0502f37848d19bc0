import { describe, expect, it } from 'vitest';
import { CodecError } from '../codec-error';
import { ContentFormat, ContentFormatRegistry } from './content-format';
import { CoapCode, createMessage } from './message';
import { OptionNumber } from './option-numbers';
import { OptionRegistry } from './option-registry';
import {
  addOption,
  createOption,
  getAccept,
  getBlock2,
  getContentFormat,
  getMaxAge,
  getObserve,
  getOptions,
  getUriPath,
  removeOption,
  setOption,
  withBlock2,
  withOptions,
  withUriPath,
} from './options';

describe('ContentFormat registry', () => {
  it('has the IANA numbers', () => {
    expect(ContentFormat.TEXT_PLAIN).toBe(0);
    expect(ContentFormat.LINK_FORMAT).toBe(40);
    expect(ContentFormat.SENML_CBOR).toBe(112);
    expect(ContentFormat.SENML_XML).toBe(310);
    expect(ContentFormat.COAP_GROUP_JSON).toBe(256);
    expect(ContentFormat.OSCORE).toBe(10001);
    expect(ContentFormat.LWM2M_TLV).toBe(11542);
    expect(ContentFormat.LWM2M_CBOR).toBe(11544);
  });
  it('looks up both ways and is open to registration', () => {
    const r = new ContentFormatRegistry();
    expect(r.mediaTypeOf(11543)).toBe('application/vnd.oma.lwm2m+json');
    expect(r.numberOf('Application/JSON')).toBe(50);
    expect(r.numberOf('text/plain;charset=utf-8')).toBe(0);
    expect(r.numberOf('text/plain')).toBe(0);
    expect(r.numberOf('application/cose; cose-type="cose-sign1"')).toBe(18);
    r.register(65000, 'application/x-test');
    expect(r.numberOf('application/x-test')).toBe(65000);
    expect(new ContentFormatRegistry().has(65000)).toBe(false);
    expect(() => r.register(70000, 'x/y')).toThrow(CodecError);
  });
});

describe('OptionRegistry', () => {
  it('knows the standard options and the number bits', () => {
    const r = new OptionRegistry();
    const uriPath = r.get(OptionNumber.URI_PATH)!;
    expect(uriPath).toMatchObject({
      name: 'Uri-Path',
      format: 'string',
      repeatable: true,
      critical: true,
      unsafe: true,
    });
    expect(r.get(OptionNumber.SIZE1)).toMatchObject({ noCacheKey: true, critical: false });
    expect(r.get(OptionNumber.ETAG)).toMatchObject({ critical: false, unsafe: false, noCacheKey: false });
    expect(r.byName('observe')?.number).toBe(6);
    expect(r.get(OptionNumber.Q_BLOCK2)?.name).toBe('Q-Block2');
    r.register({ number: 65001, name: 'X-Test', format: 'opaque', repeatable: false, minLength: 0, maxLength: 4 });
    expect(r.nameOf(65001)).toBe('X-Test');
  });
  it('checks options (RFC 7252 §5.4.1)', () => {
    const r = new OptionRegistry();
    expect(r.check([createOption(11, 'a'), createOption(11, 'b')])).toBeUndefined();
    expect(r.check([createOption(9999)])).toEqual({ option: 9999, reason: 'unrecognized option', critical: true });
    expect(r.check([createOption(9998)])?.critical).toBe(false);
    expect(r.check([createOption(OptionNumber.CONTENT_FORMAT, 0x10000)])?.option).toBe(12);
    expect(r.check([createOption(3, 'a'), createOption(3, 'b')])?.reason).toBe('not repeatable');
  });
});

describe('option helpers', () => {
  it('reads and writes typed options immutably', () => {
    const base = createMessage({ code: CoapCode.GET });
    let m = withUriPath(base, ['3', '0', '1']);
    m = setOption(m, OptionNumber.ACCEPT, ContentFormat.LWM2M_TLV);
    m = addOption(m, OptionNumber.OBSERVE, 0);
    m = withOptions(m, createOption(OptionNumber.CONTENT_FORMAT, 40));
    expect(base.options).toEqual([]);
    expect(m.options.map((o) => o.number)).toEqual([6, 11, 11, 11, 12, 17]);
    expect(getUriPath(m)).toEqual(['3', '0', '1']);
    expect(getAccept(m)).toBe(11542);
    expect(getObserve(m)).toBe(0);
    expect(getContentFormat(m)).toBe(40);
    expect(getMaxAge(m)).toBe(60);
    expect(getOptions(removeOption(m, OptionNumber.URI_PATH), OptionNumber.URI_PATH)).toEqual([]);
    expect(getBlock2(withBlock2(m, { num: 3, more: true, szx: 6 }))).toMatchObject({ num: 3, more: true, size: 1024 });
  });
});
