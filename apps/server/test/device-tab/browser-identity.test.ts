import { describe, expect, it } from 'vitest';
import { browserIdentity } from '../../ui/src/device-tab/browser-identity';

describe('browserIdentity', () => {
  it.each([
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.85 Safari/537.36',
      'Google',
      'Headless Chrome 131 on Linux',
      '131.0.6778.85',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70',
      'Microsoft',
      'Edge 131 on Windows',
      '131.0.2903.70',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
      'Apple',
      'Safari 18 on macOS',
      '18.1',
    ],
    [
      'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
      'Mozilla',
      'Firefox 133 on Linux',
      '133.0',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36',
      'Google',
      'Chrome 131 on Android',
      '131.0.6778.81',
    ],
  ])('%s', (ua, manufacturer, modelNumber, firmwareVersion) => {
    expect(browserIdentity(ua)).toEqual({ manufacturer, modelNumber, firmwareVersion, deviceType: 'web browser' });
  });

  it('describes an unknown or hostile user agent without failing', () => {
    expect(browserIdentity('')).toEqual({
      manufacturer: 'unknown browser vendor',
      modelNumber: 'web browser',
      firmwareVersion: 'unknown',
      deviceType: 'web browser',
    });
    expect(browserIdentity('curl/8.5.0').manufacturer).toBe('unknown browser vendor');
    // Regex metacharacters and a huge string: still linear, still a plain answer.
    const junk = `Chrome/${'('.repeat(50_000)}[*+?`;
    expect(browserIdentity(junk).manufacturer).toBe('unknown browser vendor');
    expect(browserIdentity('Version/1.0 no webkit here').manufacturer).toBe('unknown browser vendor');
  });
});
