/** What the user picks before pressing Register, its defaults and its checks. */

export interface DeviceSettings {
  /** Endpoint Client Name (`ep=`). */
  readonly endpoint: string;
  /** Registration lifetime (s). */
  readonly lifetime: number;
  /** Temperature sensor (3303/0). */
  readonly temperature: boolean;
  /** Light control (3311/0). */
  readonly light: boolean;
}

export const MIN_LIFETIME = 30;
export const MAX_LIFETIME = 86_400;

/** `browser-` and six random hex digits: tabs in several browsers do not collide. */
export function defaultEndpoint(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(3));
  return `browser-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export function defaultSettings(random?: (bytes: Uint8Array) => Uint8Array): DeviceSettings {
  return { endpoint: defaultEndpoint(random), lifetime: 300, temperature: true, light: true };
}

/** Why the settings cannot register, or undefined when they can. */
export function settingsProblem(s: DeviceSettings): string | undefined {
  const endpoint = s.endpoint.trim();
  if (endpoint === '') return 'the endpoint name is empty';
  if (endpoint.length > 128) return 'the endpoint name is longer than 128 characters';
  // The name travels in a URI query (ep=...): keep to characters that need no escaping anywhere.
  if (!/^[A-Za-z0-9._:~-]+$/.test(endpoint)) return 'the endpoint name may only hold letters, digits and . _ : ~ -';
  if (!Number.isInteger(s.lifetime) || s.lifetime < MIN_LIFETIME || s.lifetime > MAX_LIFETIME)
    return `the lifetime must be a whole number of seconds from ${MIN_LIFETIME} to ${MAX_LIFETIME}`;
  return undefined;
}
