/**
 * What a browser tab says about itself as a device (/3/0): the browser's vendor as the
 * manufacturer, "<browser> <major> on <platform>" as the model, from `navigator.userAgent`.
 */

export interface BrowserIdentity {
  /** /3/0/0, e.g. "Google". */
  readonly manufacturer: string;
  /** /3/0/1, e.g. "Chrome 131 on Linux". */
  readonly modelNumber: string;
  /** /3/0/3: the browser's full version, e.g. "131.0.6778.85". */
  readonly firmwareVersion: string;
  /** /3/0/17. */
  readonly deviceType: string;
}

/** Browsers by the token their user agent carries; more specific tokens first (Edge and Opera also say "Chrome"). */
const BROWSERS: readonly { token: string; name: string; vendor: string }[] = [
  { token: 'Edg', name: 'Edge', vendor: 'Microsoft' },
  { token: 'OPR', name: 'Opera', vendor: 'Opera' },
  { token: 'Firefox', name: 'Firefox', vendor: 'Mozilla' },
  { token: 'FxiOS', name: 'Firefox', vendor: 'Mozilla' },
  { token: 'HeadlessChrome', name: 'Headless Chrome', vendor: 'Google' },
  { token: 'CriOS', name: 'Chrome', vendor: 'Google' },
  { token: 'Chromium', name: 'Chromium', vendor: 'The Chromium Authors' },
  { token: 'Chrome', name: 'Chrome', vendor: 'Google' },
  // Safari's own version is in "Version/x"; "Safari/x" is the WebKit build.
  { token: 'Version', name: 'Safari', vendor: 'Apple' },
];

const PLATFORMS: readonly [RegExp, string][] = [
  [/Android/, 'Android'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Windows/, 'Windows'],
  [/CrOS/, 'ChromeOS'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux/, 'Linux'],
];

function tokenVersion(userAgent: string, token: string): string | undefined {
  const match = new RegExp(`(?:^|[\\s(;])${token}/([0-9][0-9A-Za-z.]*)`).exec(userAgent);
  return match?.[1];
}

export function browserIdentity(userAgent: string): BrowserIdentity {
  const platform = PLATFORMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  let browser: { name: string; vendor: string; version: string } | undefined;
  for (const b of BROWSERS) {
    const version = tokenVersion(userAgent, b.token);
    if (version === undefined) continue;
    if (b.token === 'Version' && !/Safari\//.test(userAgent)) continue;
    browser = { name: b.name, vendor: b.vendor, version };
    break;
  }
  const where = platform ? ` on ${platform}` : '';
  if (!browser)
    return {
      manufacturer: 'unknown browser vendor',
      modelNumber: `web browser${where}`,
      firmwareVersion: 'unknown',
      deviceType: 'web browser',
    };
  return {
    manufacturer: browser.vendor,
    modelNumber: `${browser.name} ${browser.version.split('.')[0]}${where}`,
    firmwareVersion: browser.version,
    deviceType: 'web browser',
  };
}
